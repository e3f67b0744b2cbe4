// Enhancements only: every page works without this script.
// On wide screens, move each margin note level with its passage.
(function () {
  "use strict";
  function place() {
    var wide = window.matchMedia("(min-width: 62rem)").matches;
    var notes = document.querySelectorAll(".body > .sidenote");
    var lastBottom = 0;
    notes.forEach(function (note) {
      note.style.marginTop = "";
      if (!wide) return;
      var ref = document.getElementById(note.id.replace(/^note-/, "ref-"));
      if (!ref) return;
      var top = ref.getBoundingClientRect().top;
      var natural = note.getBoundingClientRect().top;
      var shift = Math.max(top - natural, lastBottom - natural);
      if (shift !== 0) note.style.marginTop = shift + "px";
      lastBottom = note.getBoundingClientRect().bottom + 8;
    });
  }
  window.addEventListener("load", place);
  window.addEventListener("resize", place);
})();
