/* Dossier search core: reads the static index the build writes to search/ (see dossier/search.py).
   An ES module, imported by search.js when the reader first uses the field.
   open(folder, fetchJson) -> an index with .filters, .search(query, chosen) and .records(docs). */

var MARKS = /\p{M}+/gu;
var WORD = /[\p{L}\p{N}]+/gu;
var RAW_WORD = /[\p{L}\p{N}\p{M}]+/gu;
var PREFIX_FACTOR = 0.6; /* a word the query's last word only begins */

/* As dossier/search.py folds: compatibility decomposition, no combining marks, lower case. */
export function fold(text) {
  return text.normalize("NFKD").replace(MARKS, "").toLowerCase();
}

export function words(text) {
  return fold(text).match(WORD) || [];
}

/* The query's words, and whether the last one is still being typed (then it matches as a prefix). */
export function parse(query) {
  var ws = words(query), seen = {}, out = [];
  ws.forEach(function (w) { if (!seen[w]) { seen[w] = 1; out.push(w); } });
  var typing = out.length > 0 && /[\p{L}\p{N}\p{M}]$/u.test(query) && ws[ws.length - 1] === out[out.length - 1];
  return { words: out, prefix: typing ? out[out.length - 1] : null };
}

function chars(s) { return Array.from(s); }

function hex(s) {
  return Array.from(new TextEncoder().encode(s), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
}

function undelta(ds) {
  var out = new Array(ds.length), n = 0;
  for (var i = 0; i < ds.length; i++) { n += ds[i]; out[i] = n; }
  return out;
}

export function open(folder, fetchJson) {
  return fetchJson(folder + "index.json").then(function (man) {
    return new Index(folder, man, fetchJson);
  });
}

function Index(folder, man, fetchJson) {
  this.folder = folder;
  this.man = man;
  this.fetchJson = fetchJson;
  this.shards = new Map(Object.entries(man.shards)); /* shard prefix -> number of its pack in man.packs */
  this.split = new Set(man.split);
  this.starts = undelta(man.chunks);
  this.cache = {};
  this.filters = man.filters; /* {name: [[value, count, file], ...]} */
}

Index.prototype.get = function (path) {
  var c = this.cache;
  if (!c[path]) c[path] = this.fetchJson(this.folder + path + "?v=" + this.man.v);
  return c[path];
};

/* As dossier/search.py's shard_of: two characters, one more for each split prefix. */
Index.prototype.shardOf = function (term) {
  var cs = chars(term), k = 2;
  while (cs.length > k && this.split.has(cs.slice(0, k).join(""))) k++;
  return cs.slice(0, k).join("");
};

/* doc -> best score of one query word over the terms it matches in its shard (in its pack's file). */
Index.prototype.scores = function (word, isPrefix) {
  var key = this.shardOf(word), man = this.man;
  if (!this.shards.has(key)) return Promise.resolve(new Map());
  return this.get("t/" + hex(man.packs[this.shards.get(key)]) + ".json").then(function (pack) {
    var best = new Map(), n = man.docs, shard = pack[key];
    Object.keys(shard).forEach(function (term) {
      var exact = term === word;
      if (!exact && !(isPrefix && term.indexOf(word) === 0)) return;
      var ds = shard[term], df = ds.length, per = man.weights; /* running sum: doc * per + weight */
      var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5)) * (exact ? 1 : PREFIX_FACTOR);
      for (var i = 0, v = 0; i < ds.length; i++) {
        v += ds[i];
        var doc = Math.floor(v / per), s = idf * (v - doc * per);
        if (!(best.get(doc) >= s)) best.set(doc, s);
      }
    });
    return best;
  });
};

Index.prototype.allowed = function (chosen) {
  var self = this, names = Object.keys(chosen || {});
  return Promise.all(names.map(function (name) {
    var hit = (self.filters[name] || []).filter(function (v) { return v[0] === chosen[name]; })[0];
    return hit ? self.get("f/" + hit[2] + ".json").then(function (ds) { return new Set(undelta(ds)); }) : new Set();
  }));
};

/* Every record having all the query's words (and the chosen filter values), best first. */
Index.prototype.search = function (query, chosen) {
  var q = parse(query), self = this;
  if (!q.words.length) return Promise.resolve({ words: q, hits: [] });
  return Promise.all([Promise.all(q.words.map(function (w) { return self.scores(w, w === q.prefix); })),
    this.allowed(chosen)]).then(function (got) {
    var maps = got[0].slice().sort(function (a, b) { return a.size - b.size; }), sets = got[1], hits = [];
    maps[0].forEach(function (s, doc) {
      for (var i = 1; i < maps.length; i++) {
        var t = maps[i].get(doc);
        if (t === undefined) return;
        s += t;
      }
      for (var j = 0; j < sets.length; j++) if (!sets[j].has(doc)) return;
      hits.push({ doc: doc, score: s });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return { words: q, hits: hits };
  });
};

/* The records of docs: {url, title, type, meta, text}. */
Index.prototype.records = function (docs) {
  var self = this;
  return Promise.all(docs.map(function (doc) {
    var lo = 0, hi = self.starts.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (self.starts[mid] <= doc) lo = mid; else hi = mid - 1; }
    return self.get("x/" + lo + ".json").then(function (chunk) {
      var r = chunk[doc - self.starts[lo]];
      return { url: r[0], title: r[1], type: r[2], meta: r[3], text: r[4] };
    });
  }));
};

/* The excerpt of text around the most hits of the query's words: [[text, isHit], ...]. */
export function excerpt(text, q, size) {
  var toks = [], m, exact = new Set(q.words);
  RAW_WORD.lastIndex = 0;
  while ((m = RAW_WORD.exec(text))) {
    var hit = words(m[0]).some(function (w) { return exact.has(w) || (q.prefix && w.indexOf(q.prefix) === 0); });
    toks.push([m.index, m.index + m[0].length, hit]);
  }
  if (!toks.length) return [[text.slice(0, 200), false]];
  var best = 0, last = 0, count = 0;
  for (var i = 0; i < toks.length; i++) {
    count += toks[i][2] ? 1 : 0;
    if (i >= size) count -= toks[i - size][2] ? 1 : 0;
    if (count > best) { best = count; last = i; } /* the window ending at the hit i holds the most hits */
  }
  var first = last;
  for (var f = Math.max(0, last - size + 1); f < last; f++) if (toks[f][2]) { first = f; break; }
  var bestAt = Math.max(0, Math.min(((first + last) >> 1) - (size >> 1), toks.length - size)); /* hits in the middle */
  var end = Math.min(toks.length, bestAt + size), out = [], pos = toks[bestAt][0];
  if (bestAt > 0) out.push(["… ", false]);
  for (var k = bestAt; k < end; k++) {
    if (!toks[k][2]) continue;
    out.push([text.slice(pos, toks[k][0]), false], [text.slice(toks[k][0], toks[k][1]), true]);
    pos = toks[k][1];
  }
  out.push([text.slice(pos, toks[end - 1][1]), false]);
  if (end < toks.length) out.push([" …", false]);
  return out.filter(function (p) { return p[0]; });
}
