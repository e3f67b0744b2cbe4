// Dossier preview: annotate an article by selecting a passage of its text.
// Served by `dossier serve` on article pages only (never part of a built site),
// with this session's token (data-token) and the article's annotation file
// (#_dossier-annotate-data: its version and annotations).  Saving posts to the
// preview's endpoint; the server chooses the quote, writes the file, and the
// live-reload client shows the page again once it is rebuilt.
(function () {
  "use strict";
  var script = document.currentScript;
  var dataNode = document.getElementById("_dossier-annotate-data");
  if (!script || !dataNode || !window.__dossierPreview) return;
  var el = window.__dossierPreview.el;   // from client.js: an element with attributes and text, never HTML
  var DATA = JSON.parse(dataNode.textContent);
  var TOKEN = script.dataset.token;
  var ENDPOINT = script.dataset.endpoint;
  var body = document.querySelector("article .body");
  if (!body) return;
  var SKIP = "aside, sup.note-ref, pre, script, style, template, [data-dossier-ui]";
  var BLOCK = /^(P|H[1-6]|LI|UL|OL|BLOCKQUOTE|DIV|TABLE|TR|TD|TH|DL|DT|DD|FIGURE|FIGCAPTION|HR|SECTION|BR)$/;
  var button = null;     // the floating "Annotate" button
  var pending = null;    // {text, start, end, passage}: the selection it annotates
  var dialog = null;

  var CSS =
    "._dossier-annotate{position:absolute;z-index:2147483000;font:600 14px/1 system-ui,sans-serif;" +
    "color:#fff;background:#1d4f7c;border:0;border-radius:4px;padding:.5rem .8rem;cursor:pointer;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3)}" +
    "._dossier-annotate:focus-visible,._dossier-dialog :focus-visible{outline:3px solid #e8a33d;outline-offset:2px}" +
    "._dossier-backdrop{position:fixed;inset:0;z-index:2147483001;background:rgba(20,20,20,.5);" +
    "display:flex;align-items:flex-start;justify-content:center;padding:6vh 1rem 1rem;box-sizing:border-box;overflow:auto}" +
    "._dossier-dialog{box-sizing:border-box;width:100%;max-width:34rem;background:#fff;color:#1a1a1a;" +
    "border-radius:6px;padding:1rem 1.25rem;font:15px/1.45 system-ui,sans-serif;box-shadow:0 10px 40px rgba(0,0,0,.35)}" +
    "._dossier-dialog h2{font:600 1.15rem/1.3 system-ui,sans-serif;margin:0 0 .6rem;color:#1a1a1a}" +
    "._dossier-dialog blockquote{margin:0 0 .8rem;padding:.3rem .7rem;border-left:3px solid #1d4f7c;" +
    "background:#f3f3f3;max-height:8rem;overflow:auto;color:#1a1a1a}" +
    "._dossier-dialog label{display:block;font-weight:600;margin:.6rem 0 .2rem}" +
    "._dossier-dialog select,._dossier-dialog textarea,._dossier-dialog input{box-sizing:border-box;width:100%;" +
    "font:inherit;color:#1a1a1a;background:#fff;border:1px solid #6b6b6b;border-radius:4px;padding:.35rem .5rem}" +
    "._dossier-dialog textarea{min-height:7rem;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:14px}" +
    "._dossier-dialog .err{color:#a3281d;font-weight:600;min-height:1.2em;margin:.6rem 0 0}" +
    "._dossier-dialog .actions{display:flex;gap:.6rem;margin-top:.8rem}" +
    "._dossier-dialog button{font:600 14px/1 system-ui,sans-serif;border-radius:4px;padding:.55rem .9rem;cursor:pointer;" +
    "border:1px solid #1d4f7c;background:#1d4f7c;color:#fff}" +
    "._dossier-dialog button.secondary{background:#fff;color:#1d4f7c}" +
    "._dossier-dialog button.danger{background:#a3281d;border-color:#a3281d}" +
    "._dossier-tools{margin:.4rem 0 0;display:flex;gap:.4rem}" +
    "._dossier-tools button{font:600 12px/1 system-ui,sans-serif;border:1px solid currentColor;border-radius:4px;" +
    "background:transparent;color:inherit;padding:.3rem .5rem;cursor:pointer}";


  // -- the page's text, as the server sees it, and the selection's offsets in it ------
  function measure(range) {
    var text = "", start = -1, end = -1;
    function walk(node) {
      for (var c = node.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 3) {
          if (range.intersectsNode(c)) {
            if (start < 0) start = text.length + (c === range.startContainer ? range.startOffset : 0);
            end = text.length + (c === range.endContainer ? range.endOffset : c.data.length);
          }
          text += c.data;
        } else if (c.nodeType === 1 && !c.matches(SKIP)) {
          var block = BLOCK.test(c.tagName);
          if (block) text += "\n";
          walk(c);
          if (block) text += "\n";
        }
      }
    }
    walk(body);
    return {text: text, start: start, end: end};
  }

  function inside(node, selector) {
    var e = node.nodeType === 1 ? node : node.parentElement;
    return !!(e && e.closest(selector));
  }

  function currentSelection() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    var range = sel.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return null;
    if (inside(range.startContainer, SKIP) || inside(range.endContainer, SKIP)) return null;
    var m = measure(range);
    var passage = m.text.slice(m.start, m.end).replace(/\s+/g, " ").trim();
    if (m.start < 0 || m.end <= m.start || !passage) return null;
    m.passage = passage;
    m.range = range.cloneRange();
    return m;
  }

  // -- the "Annotate" button ------------------------------------------------------------
  function blockOf(node) {
    var e = node.nodeType === 1 ? node : node.parentElement;
    while (e && e.parentElement !== body) e = e.parentElement;
    return e;
  }

  function showButton(m) {
    pending = m;
    if (!button) {
      button = el("button", {type: "button", "class": "_dossier-annotate", "data-dossier-ui": ""}, "Annotate");
      button.addEventListener("pointerdown", function (e) { e.preventDefault(); });  // keep the selection
      button.addEventListener("mousedown", function (e) { e.preventDefault(); });
      button.addEventListener("click", function () { if (pending) openForm(pending); });
    }
    var after = blockOf(m.range.endContainer);
    if (after && after.nextSibling !== button) after.after(button);   // next in the tab order
    var rects = m.range.getClientRects();
    var r = rects.length ? rects[rects.length - 1] : m.range.getBoundingClientRect();
    var origin = (button.offsetParent || document.body).getBoundingClientRect();
    button.style.left = Math.max(0, r.right - origin.left - 40) + "px";
    button.style.top = (r.bottom - origin.top + 6) + "px";
  }

  function hideButton() {
    if (button && button.parentNode && document.activeElement !== button) button.remove();
    if (!button || !button.parentNode) pending = null;
  }

  var timer = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (dialog) return;
      var m = currentSelection();
      if (m) showButton(m); else hideButton();
    }, 120);
  });

  // -- the form -----------------------------------------------------------------------
  function field(form, id, label, control) {
    form.appendChild(el("label", {"for": id}, label));
    control.id = id;
    form.appendChild(control);
    return control;
  }

  function openForm(m, ann) {
    closeForm();
    var opener = document.activeElement;
    var backdrop = el("div", {"class": "_dossier-backdrop", "data-dossier-ui": ""});
    var box = el("div", {"class": "_dossier-dialog", role: "dialog", "aria-modal": "true",
                         "aria-labelledby": "_dossier-form-title"});
    var form = el("form", {novalidate: ""});
    var deleting = ann && ann.deleting;
    form.appendChild(el("h2", {id: "_dossier-form-title"},
      deleting ? "Delete this annotation?" : ann ? "Edit annotation" : "Annotate this passage"));
    form.appendChild(el("blockquote", {}, ann ? ann.quote : m.passage));
    var kind, note, claim, value;
    if (!deleting) {
      kind = field(form, "_dossier-kind", "Kind", el("select", {name: "kind"}));
      DATA.kinds.forEach(function (k) { kind.appendChild(el("option", {value: k}, k)); });
      note = field(form, "_dossier-note", "Note (Markdown)", el("textarea", {name: "note", required: "", rows: "6"}));
      claim = field(form, "_dossier-claim", "Claim key (optional)", el("input", {name: "claim", type: "text", autocomplete: "off"}));
      value = field(form, "_dossier-value", "Value (optional)", el("input", {name: "value", type: "text", autocomplete: "off"}));
      if (ann) { kind.value = ann.kind; note.value = ann.note; claim.value = ann.claim; value.value = ann.value; }
    }
    var error = el("p", {"class": "err", role: "status", "aria-live": "polite"});
    form.appendChild(error);
    var actions = el("div", {"class": "actions"});
    var save = el("button", {type: "submit", "class": deleting ? "danger" : ""}, deleting ? "Delete" : "Save");
    var cancel = el("button", {type: "button", "class": "secondary"}, "Cancel");
    actions.appendChild(save);
    actions.appendChild(cancel);
    form.appendChild(actions);
    box.appendChild(form);
    backdrop.appendChild(box);
    (document.querySelector("main") || document.body).appendChild(backdrop);
    dialog = {node: backdrop, opener: opener};
    cancel.addEventListener("click", closeForm);
    backdrop.addEventListener("keydown", function (e) { trap(e, box); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var req = {article: DATA.article, version: DATA.version};
      if (deleting) { req.action = "delete"; req.line = ann.line; }
      else {
        req.kind = kind.value; req.note = note.value; req.claim = claim.value; req.value = value.value;
        if (ann) { req.action = "edit"; req.line = ann.line; }
        else { req.action = "add"; req.text = m.text; req.start = m.start; req.end = m.end; }
        if (!note.value.trim()) { error.textContent = "Write a note."; note.focus(); return; }
      }
      send(req, save, error);
    });
    (note || save).focus();
  }

  function trap(e, box) {
    if (e.key === "Escape") { e.preventDefault(); closeForm(); return; }
    if (e.key !== "Tab") return;
    var items = box.querySelectorAll("select, textarea, input, button");
    var first = items[0], last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }

  function closeForm() {
    if (!dialog) return;
    var opener = dialog.opener;
    dialog.node.remove();
    dialog = null;
    if (opener && opener.isConnected && opener.focus) opener.focus();
  }

  function send(req, save, error) {
    save.disabled = true;
    error.textContent = "Saving…";
    var headers = {"Content-Type": "application/json"};
    headers["X-Dossier-Token"] = TOKEN;
    fetch(ENDPOINT, {method: "POST", headers: headers, body: JSON.stringify(req), credentials: "same-origin"})
      .then(function (r) { return r.json().catch(function () { return {ok: false, error: "HTTP " + r.status}; }); })
      .then(function (answer) {
        if (!answer.ok) { save.disabled = false; error.textContent = answer.error; return; }
        // DATA.version stays: until the page reloads, its line numbers are the old file's, so a
        // second save is refused (409) rather than edit the wrong annotation.
        error.textContent = "Saved to " + answer.file + "; the page reloads when the preview is rebuilt.";
        window.__dossierAnnotateSaved = answer;
      })
      .catch(function (err) { save.disabled = false; error.textContent = "Not saved: " + err; });
  }

  // -- edit and delete, from each note ------------------------------------------------
  DATA.annotations.forEach(function (ann) {
    var aside = document.getElementById("note-" + ann.anchor);
    var holder = aside && (aside.querySelector(".note-body") || aside);
    if (!holder) return;
    var tools = el("p", {"class": "_dossier-tools", "data-dossier-ui": ""});
    var which = (aside.getAttribute("aria-label") || "annotation").toLowerCase();   // "note 1", "discrepancy 2"
    var editB = el("button", {type: "button", "aria-label": "Edit " + which}, "Edit");
    var delB = el("button", {type: "button", "aria-label": "Delete " + which}, "Delete");
    editB.addEventListener("click", function () { openForm(null, ann); });
    delB.addEventListener("click", function () {
      openForm(null, {deleting: true, quote: ann.quote, line: ann.line});
    });
    tools.appendChild(editB);
    tools.appendChild(delB);
    holder.insertBefore(tools, holder.firstChild);   // on top: opening a clamped note moves nothing above it
  });
  // The page's text as a save sends it (for tests and for the curious).
  window.__dossierAnnotate = {
    pageText: function () { var r = document.createRange(); r.selectNodeContents(body); return measure(r).text; }
  };
  var style = el("style", {"data-dossier-ui": ""}, CSS);
  document.head.appendChild(style);
})();
