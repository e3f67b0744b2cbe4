// Dossier: enhancements only. Every page reads and works without this script.
//  - On wide screens, move each margin note level with the start of its passage
//    (CSS alone floats it beside the paragraph after the passage), never letting
//    one note run into the next.
//  - Pointing at or focusing a note highlights its passage, and the reverse.
(function () {
  "use strict";
  var root = document.documentElement;
  var wide = window.matchMedia ? window.matchMedia("(min-width: 62rem)") : { matches: false };
  var GAP = 14; // px between stacked notes
  var queued = false;

  function notes() {
    return Array.prototype.slice.call(document.querySelectorAll(".body > .sidenote"));
  }

  function keyOf(note) {
    return note.id.replace(/^note-/, "");
  }

  // The start of the passage (the mark carrying the permalink id), else the reference.
  function anchorOf(note) {
    var key = keyOf(note);
    return document.getElementById(key) || document.getElementById("ref-" + key);
  }

  function place() {
    queued = false;
    var list = notes();
    if (!list.length) return;
    list.forEach(function (note) { note.style.marginTop = ""; });
    if (wide.matches) {
      var floor = -Infinity;
      list.forEach(function (note) {
        var anchor = anchorOf(note);
        if (!anchor || note.offsetParent === null) return;
        var base = parseFloat(window.getComputedStyle(note).marginTop) || 0;
        var natural = note.getBoundingClientRect().top;
        var target = Math.max(anchor.getBoundingClientRect().top, floor);
        var margin = base + (target - natural);
        if (Math.abs(margin - base) > 0.5) note.style.marginTop = margin + "px";
        floor = note.getBoundingClientRect().bottom + GAP;
      });
    }
    root.setAttribute("data-notes-placed", wide.matches ? "wide" : "narrow");
  }

  function schedule() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(place);
  }

  function passages(key) {
    return document.querySelectorAll('.body mark[data-note="' + key.replace(/["\\]/g, "\\$&") + '"]');
  }

  function setActive(note, on) {
    if (!note) return;
    note.classList.toggle("is-active", on);
    Array.prototype.forEach.call(passages(keyOf(note)), function (m) { m.classList.toggle("is-active", on); });
  }

  function noteForMark(mark) {
    var key = mark && mark.getAttribute("data-note");
    return key ? document.getElementById("note-" + key) : null;
  }

  function wire() {
    notes().forEach(function (note) {
      note.addEventListener("mouseenter", function () { setActive(note, true); });
      note.addEventListener("mouseleave", function () { setActive(note, false); });
      note.addEventListener("focusin", function () { setActive(note, true); });
      note.addEventListener("focusout", function () { setActive(note, false); });
    });
    var body = document.querySelector(".body");
    if (body) {
      body.addEventListener("mouseover", function (e) {
        var mark = e.target.closest && e.target.closest("mark[data-note]");
        if (mark) setActive(noteForMark(mark), true);
      });
      body.addEventListener("mouseout", function (e) {
        var mark = e.target.closest && e.target.closest("mark[data-note]");
        if (mark) setActive(noteForMark(mark), false);
      });
    }
    // Following a reference on a narrow screen opens its note (CSS :target does too;
    // ticking the box keeps it open after the reader moves on).
    document.addEventListener("click", function (e) {
      var link = e.target.closest && e.target.closest(".note-ref a");
      if (!link || wide.matches) return;
      var note = document.getElementById(link.getAttribute("href").slice(1));
      var box = note && note.querySelector(".note-toggle");
      if (box) box.checked = true;
    });
  }

  function start() {
    wire();
    place();
    window.addEventListener("load", schedule);
    window.addEventListener("resize", schedule);
    if (wide.addEventListener) wide.addEventListener("change", schedule);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(schedule);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
