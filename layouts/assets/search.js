/* Dossier search: a field in the header over the Pagefind index the build writes to pagefind/.
   Without JavaScript the field never appears (its container stays hidden).
   Keys: "/" focuses the field; Escape clears it; ArrowDown/ArrowUp move through the results. */
(function () {
  "use strict";
  var box = document.querySelector(".site-search[data-bundle]");
  if (!box || !window.Promise) return;
  var bundle = box.getAttribute("data-bundle");
  var FILTERS = ["Type", "Outlet", "Entity type", "Annotation kind"];
  var PAGE = 20;
  var pagefind = null, loading = null, latest = 0;

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

  function load() {
    if (!loading) {
      loading = import(bundle + "pagefind.js").then(function (pf) {
        pagefind = pf;
        return pf.options({ excerptLength: 26, baseUrl: "/" }) /* result URLs carry the base path already */.then(function () { return pf.filters(); });
      }).then(buildFilters).catch(function () {
        status.textContent = "Search could not load.";
      });
    }
    return loading;
  }

  var selects = {};
  function buildFilters(all) {
    FILTERS.forEach(function (name) {
      var values = all && all[name];
      if (!values || !Object.keys(values).length) return;
      var id = "site-search-f-" + name.toLowerCase().replace(/\W+/g, "-");
      var wrap = el("span", { "class": "search-filter" });
      var lab = el("label", { "for": id }, name);
      var sel = el("select", { id: id });
      sel.append(el("option", { value: "" }, "Any"));
      Object.keys(values).sort().forEach(function (v) {
        sel.append(el("option", { value: v }, v + " (" + values[v] + ")"));
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

  function show(results, term) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = el("li", { "class": "search-result t-" + String(r.meta.type || "").toLowerCase() });
      var a = el("a", { href: r.url });
      a.append(el("span", { "class": "search-type" }, r.meta.type || ""), document.createTextNode(" " + (r.meta.title || r.url)));
      var excerpt = el("p", { "class": "search-excerpt" });
      excerpt.innerHTML = r.excerpt; /* Pagefind's excerpt: the indexed text, escaped, with <mark> around hits */
      li.append(a);
      if (r.meta.detail) li.append(el("p", { "class": "search-detail" }, r.meta.detail));
      li.append(excerpt);
      list.append(li);
    });
  }

  function run(now) {
    var term = input.value.trim();
    var mine = ++latest; /* only the newest search may show its results */
    if (!term) { list.textContent = ""; status.textContent = ""; panel.hidden = true; return; }
    panel.hidden = false;
    load().then(function () {
      if (!pagefind) return null;
      var opts = { filters: chosen() };
      return now ? pagefind.search(term, opts) : pagefind.debouncedSearch(term, opts, 200);
    }).then(function (search) {
      if (!search || mine !== latest) return null; /* a newer search is on its way */
      return Promise.all(search.results.slice(0, PAGE).map(function (r) { return r.data(); })).then(function (data) {
        if (mine !== latest) return;
        show(data, term);
        var n = search.results.length;
        status.textContent = n ? n + (n === 1 ? " result" : " results") + " for “" + term + "”" + (n > PAGE ? ", the first " + PAGE + " shown" : "")
          : "No results for “" + term + "”";
      });
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
