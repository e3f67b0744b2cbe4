// Dossier: enhancements only. Every page reads and works without this script.
//  - From tablet width up, set each margin note level with the start of its passage.
//    Where notes would collide, or run past the end of the text, a note shows its
//    first lines and a button that opens it in place (over the notes below it).
//  - On phones, a folded note opens and closes by its label or its first words, and
//    following a note's number (or a permalink) opens the note.
//  - A permalink outlines the whole passage; pointing at a note lights its passage.
//  - Entity links and note numbers show a small preview on hover, focus or long press.
//  - On a link in the text, N (Shift+N) moves focus to the next (previous) paragraph's first link.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var wide = window.matchMedia ? window.matchMedia("(min-width: 48rem)") : { matches: false };
  var GAP = 12; // px between stacked notes
  var SLACK = 24; // px notes may run past the end of the text
  var queued = false;

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function notes() {
    return Array.prototype.slice.call(document.querySelectorAll(".body > .sidenote"));
  }

  function keyOf(note) { return note.id.replace(/^note-/, ""); }

  function noteOf(key) { return key ? document.getElementById("note-" + key) : null; }

  // The start of the passage (the mark carrying the permalink id), else the reference.
  function anchorOf(note) {
    var key = keyOf(note);
    return document.getElementById(key) || document.getElementById("ref-" + key);
  }

  function passages(key) {
    return document.querySelectorAll('.body mark[data-note="' + key.replace(/["\\]/g, "\\$&") + '"]');
  }

  // ---- placement -------------------------------------------------------------

  function textBottom(body) {
    var bottom = 0;
    each(body.children, function (el) {
      if (!el.classList.contains("sidenote")) bottom = Math.max(bottom, el.getBoundingClientRect().bottom);
    });
    return bottom;
  }

  // Each note's top and shown height: level with its passage unless the note above is in the way;
  // a note that would push the next one off its passage, or the last ones past the end of the text,
  // shows only as much as fits (never less than `least`).
  function layout(anchors, heights, least, end, line) {
    var n = anchors.length, latest = new Array(n), limit = end, floor = 0, out = [];
    for (var i = n - 1; i >= 0; i--) { latest[i] = limit - least[i]; limit = latest[i] - GAP; }
    for (var j = 0; j < n; j++) {
      var top = Math.max(anchors[j], floor);
      var bound = j + 1 < n ? Math.min(anchors[j + 1], latest[j + 1]) - GAP : end;
      var h = heights[j];
      if (h > bound - top + 0.8 * line) h = Math.max(least[j], bound - top);
      out.push({ top: top, height: h, clamped: h < heights[j] });
      floor = top + h + GAP;
    }
    return out;
  }

  // The fewest pixels each note shows: about three lines, but two for the notes near the end that
  // would not fit before the end of the text at four.
  function leastHeights(heights, anchors, end, line) {
    var least = heights.map(function (h) { return Math.min(h, Math.ceil(3.2 * line)); });
    var limit = end, crowded = heights.length;
    for (var i = heights.length - 1; i >= 0; i--) {
      limit -= least[i];
      if (limit < anchors[i]) crowded = i;
      limit -= GAP;
    }
    for (var j = crowded; j < heights.length; j++) least[j] = Math.min(heights[j], Math.ceil(2.2 * line));
    return least;
  }

  // Undo the placement; return the notes that were open, to open them again once placed.
  function clearPlacement(list) {
    return list.filter(function (note) {
      var open = note.classList.contains("is-open");
      if (open) note.dataset.reopen = note.dataset.openedBy;
      showOpen(note, false);
      note.classList.remove("is-clamped");
      note.style.removeProperty("--note-top");
      note.style.removeProperty("--note-clamp");
      var more = note.querySelector(".note-more");
      if (more) more.hidden = true;
      return open;
    });
  }

  function place() {
    queued = false;
    var body = document.querySelector(".body");
    var list = notes();
    if (!body || !list.length) return;
    var open = clearPlacement(list);
    if (!wide.matches) { root.setAttribute("data-notes-placed", "narrow"); return; }
    root.setAttribute("data-notes-placed", "wide");
    var origin = body.getBoundingClientRect().top;
    var line = parseFloat(window.getComputedStyle(list[0]).lineHeight) || 20;
    var anchors = list.map(function (n) { var a = anchorOf(n); return a ? a.getBoundingClientRect().top - origin : 0; });
    var heights = list.map(function (n) { return n.offsetHeight; });
    var end = textBottom(body) - origin + SLACK;
    var spots = layout(anchors, heights, leastHeights(heights, anchors, end, line), end, line);
    list.forEach(function (note, i) {
      note.style.setProperty("--note-top", spots[i].top.toFixed(1) + "px");
      if (!spots[i].clamped) return;
      note.style.setProperty("--note-clamp", spots[i].height.toFixed(1) + "px");
      note.classList.add("is-clamped");
      moreButton(note).hidden = false;
    });
    open.forEach(function (note) { setOpen(note, true, note.dataset.reopen); });
  }

  function schedule() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(place);
  }

  // ---- opening a shortened (wide) or folded (narrow) note --------------------------

  function moreButton(note) {
    var more = note.querySelector(".note-more");
    if (more) return more;
    more = document.createElement("button");
    more.type = "button";
    more.className = "note-more";
    more.setAttribute("aria-expanded", "false");
    more.setAttribute("aria-controls", note.id);
    more.innerHTML = '<span class="more-text">Show all</span><span class="visually-hidden"> of note ' +
      (note.querySelector(".note-num") || { textContent: "" }).textContent + "</span>";
    more.addEventListener("click", function (e) { e.stopPropagation(); setOpen(note, !note.classList.contains("is-open")); });
    note.appendChild(more);
    return more;
  }

  function showOpen(note, on, how) {
    note.classList.toggle("is-open", on);
    note.dataset.openedBy = on ? how || "click" : "";
    var more = note.querySelector(".note-more");
    if (!more) return;
    more.setAttribute("aria-expanded", on ? "true" : "false");
    more.querySelector(".more-text").textContent = on ? "Show less" : "Show all";
  }

  function setOpen(note, on, how) {
    if (!note) return;
    if (wide.matches) {
      if (note.classList.contains("is-clamped")) showOpen(note, on, how);
    } else {
      var box = note.querySelector(".note-toggle");
      if (box) box.checked = on;
    }
  }

  function closeOthers(keep) {
    each(document.querySelectorAll(".sidenote.is-open"), function (n) { if (n !== keep) setOpen(n, false); });
  }

  // The note or passage the address points at: outline the whole passage, open the note.
  function openTarget() {
    each(document.querySelectorAll(".is-target"), function (el) { el.classList.remove("is-target"); });
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) return;
    var note = el.matches(".sidenote") ? el : el.matches("mark[data-note]") ? noteOf(el.getAttribute("data-note")) : null;
    if (!note) return;
    note.classList.add("is-target");
    each(passages(keyOf(note)), function (m) { m.classList.add("is-target"); });
    if (el === note || !wide.matches) setOpen(note, true, "target");
  }

  // ---- events ------------------------------------------------------------------------

  function setActive(note, on) {
    if (!note) return;
    note.classList.toggle("is-active", on);
    each(passages(keyOf(note)), function (m) { m.classList.toggle("is-active", on); });
  }

  function onClick(e) {
    var t = e.target;
    var ref = t.closest(".note-ref a");
    if (ref) { setOpen(noteOf(ref.getAttribute("href").slice(6)), true, "ref"); return; }
    var note = t.closest(".body > .sidenote");
    if (!note) { closeOthers(null); return; }
    closeOthers(note);
    if (t.closest("a, button, label, input")) return;
    if (wide.matches) { if (!note.classList.contains("is-open")) setOpen(note, true); }
    else if (t.closest(".note-body")) {
      var box = note.querySelector(".note-toggle");
      if (box && !box.checked) setOpen(note, true);
    }
  }

  function onKey(e) {
    if (e.key !== "Escape") return;
    var note = e.target.closest && e.target.closest(".sidenote.is-open");
    if (!note) return;
    setOpen(note, false);
    moreButton(note).focus();
  }

  function wire() {
    notes().forEach(function (note) {
      note.addEventListener("mouseenter", function () { setActive(note, true); });
      note.addEventListener("mouseleave", function () { setActive(note, false); });
      note.addEventListener("focusin", function (e) {
        setActive(note, true);
        if (note.classList.contains("is-clamped") && !note.classList.contains("is-open") && !e.target.matches(".note-more")) {
          setOpen(note, true, "focus");
        }
      });
      note.addEventListener("focusout", function (e) {
        setActive(note, false);
        if (!note.contains(e.relatedTarget) && note.dataset.openedBy === "focus") setOpen(note, false);
      });
    });
    var body = document.querySelector(".body");
    if (body) {
      // Passages may lie one inside another (two notes on the same words): every note over the
      // pointer lights up, not only the innermost one's.
      var hover = function (on) {
        return function (e) {
          for (var m = e.target.closest("mark[data-note]"); m; m = m.parentElement && m.parentElement.closest("mark[data-note]")) {
            setActive(noteOf(m.getAttribute("data-note")), on);
          }
        };
      };
      body.addEventListener("mouseover", hover(true));
      body.addEventListener("mouseout", hover(false));
    }
    document.addEventListener("click", onClick);
    document.addEventListener("keydown", onKey);
    window.addEventListener("hashchange", openTarget);
  }

  function start() {
    wire();
    place();
    openTarget();
    window.addEventListener("load", schedule);
    window.addEventListener("resize", schedule);
    if (wide.addEventListener) wide.addEventListener("change", schedule);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(schedule);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Previews: pointing at, focusing or (on touch screens) first tapping an entity link shows the
// entity's name, type and description; a note number shows the note's text. The preview floats
// over the page (nothing moves), is tied to its link with aria-describedby, and Escape hides it.
(function () {
  "use strict";
  var tip = null, owner = null, touched = null;

  function chipFor(link) {
    var href = link.getAttribute("href");
    var chips = document.querySelectorAll(".chip[data-type]");
    for (var i = 0; i < chips.length; i++) if (chips[i].getAttribute("href") === href) return chips[i];
    return null;
  }

  function noteText(link) {
    var note = document.getElementById(link.getAttribute("href").slice(1));
    if (!note) return null;
    var parts = note.querySelectorAll(".note-body > :not(.note-head):not(.note-back)");
    var text = Array.prototype.map.call(parts, function (p) { return p.textContent.trim(); }).join(" ");
    return { head: (note.querySelector(".note-label") || note).textContent.trim(),
             text: text.length > 320 ? text.slice(0, 320).replace(/\s+\S*$/, "") + " …" : text };
  }

  function content(link) {
    if (link.matches(".note-ref a")) return noteText(link);
    var chip = chipFor(link);
    if (!chip) return null;
    var name = chip.firstChild ? chip.firstChild.textContent.trim() : link.textContent;
    return { head: name + " · " + chip.getAttribute("data-type"), text: chip.getAttribute("data-desc") || "" };
  }

  function show(link) {
    var data = content(link);
    if (!data) return;
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "dossier-preview";
      tip.className = "preview";
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    tip.innerHTML = "";
    var head = document.createElement("strong");
    head.textContent = data.head;
    tip.appendChild(head);
    if (data.text) { var p = document.createElement("span"); p.textContent = data.text; tip.appendChild(p); }
    hide();
    owner = link;
    link.setAttribute("aria-describedby", tip.id);
    tip.hidden = false;
    var r = link.getBoundingClientRect(), w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.max(8, Math.min(r.left, document.documentElement.clientWidth - w - 8));
    var top = r.bottom + 6 + h > window.innerHeight && r.top > h + 6 ? r.top - h - 6 : r.bottom + 6;
    tip.style.left = (left + window.scrollX) + "px";
    tip.style.top = (top + window.scrollY) + "px";
  }

  function hide() {
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
    if (tip) tip.hidden = true;
  }

  function target(e) {
    return e.target.closest && e.target.closest(".body a.m, .sidenote a.m, .note-ref a");
  }

  document.addEventListener("mouseover", function (e) { var l = target(e); if (l && l !== owner) show(l); });
  document.addEventListener("mouseout", function (e) { if (target(e) && !(e.relatedTarget && target({ target: e.relatedTarget }))) hide(); });
  document.addEventListener("focusin", function (e) { var l = target(e); if (l) show(l); else hide(); });
  document.addEventListener("focusout", function (e) { if (target(e)) hide(); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && owner) hide(); });
  // On a touch screen the first tap on an entity link shows its preview; a second tap follows it.
  document.addEventListener("pointerdown", function (e) {
    var l = e.pointerType === "touch" ? target(e) : null;
    touched = l && !l.matches(".note-ref a") && owner !== l ? l : null;
  });
  document.addEventListener("click", function (e) {
    var l = target(e);
    if (!l) { hide(); return; }
    if (l === touched) { e.preventDefault(); show(l); }
    touched = null;
  });
  window.addEventListener("scroll", function () { if (owner && !owner.matches(":focus")) hide(); }, { passive: true });
})();

// Keyboard: on a link in a report's text, N moves focus to the next paragraph's first link (past
// this one's links and notes), Shift+N to the previous one's; only while focus is in the text. A hint
// before the text says so (read in order; shown at the window's foot while a link there has focus).
(function () {
  "use strict";
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
    'select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  var TYPING = 'input:not([type="checkbox"]):not([type="radio"]):not([type="button"]), textarea, select';
  var body = document.querySelector(".body");

  function usable(el) { return !el.closest(".sidenote") && el.getClientRects().length > 0; }

  function firstUsable(list, from) {
    for (var i = 0; i < list.length; i++) if ((!from || from(list[i])) && usable(list[i])) return list[i];
    return null;
  }

  function nextStop(block) {
    return firstUsable(document.querySelectorAll(FOCUSABLE), function (el) {
      return !block.contains(el) && (block.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
  }

  function previousStop(block) {
    for (var b = block.previousElementSibling; b; b = b.previousElementSibling) {
      var el = b.classList.contains("sidenote") ? null : firstUsable(b.querySelectorAll(FOCUSABLE));
      if (el) return el;
    }
    return null;
  }

  function onKey(e) {
    if ((e.key !== "n" && e.key !== "N") || e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
    var t = e.target;
    if (t.isContentEditable || t.matches(TYPING)) return;
    var block = t.closest(".body > *");
    var to = block && (e.shiftKey ? previousStop(block) : nextStop(block));
    if (!to) return;
    e.preventDefault();
    to.focus();
  }

  function addHint() {
    var hint = document.createElement("p");
    hint.className = "kbd-hint";
    hint.id = "kbd-hint";
    hint.innerHTML = "On a link in the text, press <kbd>N</kbd> to skip to the next paragraph’s links, " +
      "<kbd>Shift</kbd>+<kbd>N</kbd> to go back.";
    body.parentNode.insertBefore(hint, body);
    body.addEventListener("focusin", function (e) {
      hint.classList.toggle("is-shown", !e.target.closest(".sidenote") && e.target.matches(":focus-visible"));
    });
    body.addEventListener("focusout", function (e) {
      if (!body.contains(e.relatedTarget)) hint.classList.remove("is-shown");
    });
  }

  if (!body || !body.querySelector(FOCUSABLE)) return;
  body.addEventListener("keydown", onKey);
  addHint();
})();
