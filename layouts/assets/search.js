/* Dossier search: a field in the header over the index the build writes to search/ (read by
   search-core.js, imported when the reader first uses the field: nothing is fetched before).
   Without JavaScript the field never appears (its container stays hidden).
   Keys: "/" focuses the field; Escape clears it; ArrowDown/ArrowUp move through the results. */
(function () {
  "use strict";
  var box = document.querySelector(".site-search[data-bundle]");
  if (!box || !window.Promise) return;
  var bundle = box.getAttribute("data-bundle"), coreUrl = box.getAttribute("data-core");
  var FILTERS = ["Type", "Outlet", "Entity type", "Annotation kind"];
  var PAGE = 20, EXCERPT = 26, DEBOUNCE = 150;
  var core = null, index = null, loading = null, latest = 0, timer = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  var form = el("form", { role: "search", "class": "search-form", "aria-label": "Search the archive" });
  var label = el("label", { "for": "site-search-q", "class": "visually-hidden" }, "Search the archive");
  var input = el("input", { id: "site-search-q", type: "search", autocomplete: "off", spellcheck: "false",
    placeholder: "Search", "aria-describedby": "site-search-status site-search-key",
    "aria-controls": "site-search-panel" });
  var key = el("kbd", { id: "site-search-key", "class": "search-key", title: "Press / to search" }, "/");
  key.setAttribute("aria-label", "Press slash to search");
  form.append(label, input, key);
  var panel = el("section", { id: "site-search-panel", "class": "search-panel", "aria-label": "Search results" });
  panel.hidden = true;
  var filterBar = el("div", { "class": "search-filters" });
  var status = el("p", { id: "site-search-status", "class": "search-status", role: "status", "aria-live": "polite" });
  var list = el("ol", { "class": "search-results" });
  panel.append(filterBar, status, list);
  box.append(form);
  box.hidden = false;
  var header = document.querySelector(".site-header");
  (header || box).insertAdjacentElement("afterend", panel);

  function fetchJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function load() {
    if (!loading) {
      loading = import(coreUrl).then(function (mod) {
        core = mod;
        return mod.open(bundle, fetchJson);
      }).then(function (ix) {
        index = ix;
        buildFilters(ix.filters);
      }).catch(function () {
        status.textContent = "Search could not load.";
      });
    }
    return loading;
  }

  var selects = {};
  function buildFilters(all) {
    FILTERS.forEach(function (name) {
      var values = all && all[name];
      if (!values || !values.length) return;
      var id = "site-search-f-" + name.toLowerCase().replace(/\W+/g, "-");
      var wrap = el("span", { "class": "search-filter" });
      var lab = el("label", { "for": id }, name);
      var sel = el("select", { id: id });
      sel.append(el("option", { value: "" }, "Any"));
      values.forEach(function (v) { /* [value, count, file], sorted by the build */
        sel.append(el("option", { value: v[0] }, v[0] + " (" + v[1] + ")"));
      });
      sel.addEventListener("change", function () { run(true); });
      selects[name] = sel;
      wrap.append(lab, sel);
      filterBar.append(wrap);
    });
  }

  function chosen() {
    var f = {};
    Object.keys(selects).forEach(function (n) { if (selects[n].value) f[n] = selects[n].value; });
    return f;
  }

  function show(results, q) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = el("li", { "class": "search-result t-" + String(r.type || "").toLowerCase() });
      var a = el("a", { href: r.url });
      a.append(el("span", { "class": "search-type" }, r.type || ""), document.createTextNode(" " + (r.title || r.url)));
      var excerpt = el("p", { "class": "search-excerpt" });
      core.excerpt(r.text, q, EXCERPT).forEach(function (part) { /* text nodes only: never parsed as HTML */
        excerpt.append(part[1] ? el("mark", {}, part[0]) : document.createTextNode(part[0]));
      });
      li.append(a);
      if (r.meta.detail) li.append(el("p", { "class": "search-detail" }, r.meta.detail));
      li.append(excerpt);
      list.append(li);
    });
  }

  function run(now) {
    var term = input.value.trim();
    var mine = ++latest; /* only the newest search may show its results */
    clearTimeout(timer);
    if (!term) { list.textContent = ""; status.textContent = ""; panel.hidden = true; return; }
    panel.hidden = false;
    if (!now) { timer = setTimeout(function () { if (mine === latest) run(true); }, DEBOUNCE); return; }
    load().then(function () {
      return index && index.search(input.value, chosen());
    }).then(function (found) {
      if (!found || mine !== latest) return null; /* a newer search is on its way */
      var top = found.hits.slice(0, PAGE);
      return index.records(top.map(function (h) { return h.doc; })).then(function (records) {
        if (mine !== latest) return;
        show(records, found.words);
        var n = found.hits.length;
        status.textContent = n ? n + (n === 1 ? " result" : " results") + " for “" + term + "”" + (n > PAGE ? ", the first " + PAGE + " shown" : "")
          : "No results for “" + term + "”";
      });
    }).catch(function () {
      if (mine === latest) status.textContent = "Search could not load.";
    });
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
  form.addEventListener("submit", function (e) { e.preventDefault(); run(true); });
  input.addEventListener("input", function () { run(false); });
  input.addEventListener("focus", load);
  function keys(e) {
    if (e.key === "Escape") {
      input.value = ""; run(true); input.focus(); e.preventDefault();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      var all = links(), i = all.indexOf(document.activeElement);
      if (!all.length) return;
      var next = e.key === "ArrowDown" ? Math.min(i + 1, all.length - 1) : i - 1;
      (next < 0 ? input : all[next]).focus();
      e.preventDefault();
    }
  }
  input.addEventListener("keydown", keys);
  list.addEventListener("keydown", keys);
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
})();
