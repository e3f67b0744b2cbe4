// Dossier preview client: live reload and the build-error overlay.
// Injected by `python build.py serve` into HTML responses only; never part of a
// built site.  The server tags this script with the build the page was served
// from (data-build), the last build that changed the output (data-content) and
// a per-process id (data-server), and sends one message per finished build on
// an EventSource: {build, ok, errors, content, server, ms}.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var data = script.dataset;
  var pageContent = parseInt(data.content || "0", 10);
  var pageServer = data.server || "";
  var eventsUrl = data.events || "/_dossier/events";
  var OVERLAY_ID = "_dossier-overlay";
  var source = null;
  var retryTimer = null;
  var dismissedBuild = -1;

  function reload() {
    if (source) source.close();
    window.location.reload();
  }

  function handle(msg) {
    window.__dossierLastBuild = msg;
    if (msg.building) return;
    if (!msg.ok) {
      if (msg.build !== dismissedBuild) showOverlay(msg);
      return;
    }
    hideOverlay();
    // A new server process (restart) or a newer build that changed the output.
    if ((pageServer && msg.server !== pageServer) || msg.content > pageContent) {
      reload();
    }
  }

  function connect() {
    retryTimer = null;
    source = new EventSource(eventsUrl);
    source.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      handle(msg);
    };
    source.onerror = function () {
      // Network errors are retried by the browser itself; a refused or odd
      // response closes the source for good, so start over ourselves.
      if (source.readyState === EventSource.CLOSED && !retryTimer) {
        retryTimer = setTimeout(connect, 1000);
      }
    };
  }

  // -- overlay ----------------------------------------------------------------

  var CSS =
    "#_dossier-overlay{all:initial;position:fixed;inset:0;z-index:2147483647;" +
    "background:rgba(20,20,20,.55);display:flex;align-items:flex-start;justify-content:center;" +
    "padding:8vh 1rem 1rem;box-sizing:border-box;overflow:auto;}" +
    "#_dossier-overlay .dossier-box{all:initial;display:block;box-sizing:border-box;" +
    "max-width:52rem;width:100%;background:#fff;color:#1a1a1a;border-radius:6px;" +
    "border-top:6px solid #b3261e;box-shadow:0 10px 40px rgba(0,0,0,.35);padding:1.25rem 1.5rem;" +
    "font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;}" +
    "#_dossier-overlay h2{all:initial;display:block;font:600 1.2rem/1.3 system-ui,sans-serif;color:#b3261e;margin:0 0 .5rem;}" +
    "#_dossier-overlay p{all:initial;display:block;font:inherit;color:#333;margin:0 0 .75rem;}" +
    "#_dossier-overlay ul{all:initial;display:block;margin:0;padding:0;list-style:none;}" +
    "#_dossier-overlay li{all:initial;display:block;white-space:pre-wrap;word-break:break-word;" +
    "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#1a1a1a;" +
    "background:#fbeaea;border-left:3px solid #b3261e;padding:.4rem .6rem;margin:0 0 .4rem;}" +
    "#_dossier-overlay button{all:initial;cursor:pointer;float:right;font:600 14px/1 system-ui,sans-serif;" +
    "color:#1a1a1a;border:1px solid #888;border-radius:4px;padding:.4rem .7rem;background:#f3f3f3;}" +
    "#_dossier-overlay button:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px;}";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;  // never innerHTML: errors quote user text
    return node;
  }

  // Shared with annotate.js (the preview's other script, loaded after this one).
  window.__dossierPreview = {el: el};

  function showOverlay(msg) {
    hideOverlay();
    var errors = msg.errors && msg.errors.length ? msg.errors : ["build failed"];
    var root = el("div", { id: OVERLAY_ID, "data-build": String(msg.build) });
    var style = el("style", {}, CSS);
    var box = el("div", {
      "class": "dossier-box", role: "alert", "aria-live": "assertive",
      "aria-labelledby": "_dossier-overlay-title"
    });
    var close = el("button", { type: "button", "aria-label": "Dismiss build errors" }, "Close");
    close.addEventListener("click", function () { dismissedBuild = msg.build; hideOverlay(); });
    box.appendChild(close);
    box.appendChild(el("h2", { id: "_dossier-overlay-title" },
      "Build failed: " + errors.length + (errors.length === 1 ? " error" : " errors")));
    box.appendChild(el("p", {}, "The last good version stays served. Fix the file and save; this page reloads."));
    var list = el("ul", {});
    errors.forEach(function (e) { list.appendChild(el("li", {}, e)); });
    box.appendChild(list);
    root.appendChild(style);
    root.appendChild(box);
    (document.body || document.documentElement).appendChild(root);
  }

  function hideOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && document.getElementById(OVERLAY_ID)) {
      var b = window.__dossierLastBuild;
      if (b) dismissedBuild = b.build;
      hideOverlay();
    }
  });
  window.addEventListener("pagehide", function () { if (source) source.close(); });

  connect();
})();
