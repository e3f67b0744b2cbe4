"""What a build makes from its own pages: the search index, the open data and the Data page.

One call, :func:`exports`, after every page is rendered and before the new tree is swapped
in: it reads the built pages back (:mod:`dossier.pagetext`), so search and data say what the
pages say, and returns ``Output`` records that are staged and listed in the manifest like
every other file, and the files the output folder holds already that stay as they are.  The
session keeps :class:`Memory` between builds (the build cache too): a page's text is read again
only when the page changed, the search index is updated from the last one
(:mod:`dossier.search_update`), and the whole result is reused when nothing it reads changed.
"""
from __future__ import annotations

import hashlib
import html
import re
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

from . import opendata, pool, search, search_update
from .markdown.sidenotes import KIND_LABELS
from .giveway import each
from .model import Output
from .pagetext import PageText, first_words, read_page
from .search import Record, index_of, record_words
from .write import digest
from .urls import output_path, page_dir

ENTITY_WORDS = 300  # words of an entity page indexed: its name, description and notes come first, then mentions
TYPE_NAMES = {"person": "Person", "organisation": "Organisation", "place": "Place", "event": "Event",
              "outlet": "Outlet"}


@dataclass
class Memory:
    texts: dict = field(default_factory=dict)  # output path -> (digest, what the exports take of the page)
    words: dict = field(default_factory=dict)  # the search records' words (search.record_words)
    search: object = None  # search_update.State of the index the output folder holds
    data: dict = field(default_factory=dict)  # part of the open data -> (digest of its inputs, {path: (digest, size)})
    pending: dict = field(default_factory=dict)  # the same, this build's, with sizes only until it is committed
    checked: set = field(default_factory=set)  # reports' words known to be their records' (see ``_check``)

    def snapshot(self) -> tuple:
        """What making the exports changes here but ``texts`` (whose entries stand for a page's digest
        whichever build made it), to put back (``restore``) when the preview's update gives way."""
        return dict(self.words), self.search, dict(self.data), dict(self.pending), set(self.checked)

    def restore(self, snapshot: tuple) -> None:
        self.words, self.search, self.data, self.pending, self.checked = snapshot

    def committed(self, outputs: dict) -> None:
        """The build reached the output folder: ``outputs`` (path -> digest) holds its data files."""
        for name, (fp, sizes) in self.pending.items():
            self.data[name] = (fp, {p: (outputs[p], n) for p, n in sizes.items()})
        self.pending = {}


@dataclass(frozen=True)
class Built:
    """What the exports read: the site, its URLs, the built pages and what rendering reported."""

    site: object
    urls: object
    digests: dict  # output path -> digest of every output so far
    read: Callable[[str], bytes]  # output path -> the built page's bytes
    mentions: dict  # article slug -> the entities its body names (slugs)
    anchored: dict  # article slug -> ids of the annotations placed in its text
    claims: tuple  # claim slugs
    article_texts: dict  # article slug -> (body, passages) read from its page where it was rendered
    mention_rows: dict  # article slug -> its rows of data/mentions.csv (text or UTF-8), made where it was rendered
    note_html: Callable  # Annotation -> HTML of its note
    data_page: Callable  # ((file name, url, what it holds, bytes), ...) -> the Data page
    article_words: dict = field(default_factory=dict)  # article slug -> search.Words of its record, counted in the workers
    previous: dict = field(default_factory=dict)  # output path -> digest of what the output folder holds
    stage: Callable[[Output], str] | None = None  # stages a file made, returns its digest (else: just the digest)
    aside: bool = False  # a whole search index: its term files made in a forked process beside the open data
    keep: bool = True  # a next build takes up ``Memory`` (else the search index's words need not come back)
    stage_pieces: Callable | None = None  # (path, pieces) -> (digest, size): stages a file written piece by piece
    data_keys: dict = field(default_factory=dict)  # article slug -> ``ArticleResult.data_keys`` (when it has them)
    search_facts: dict = field(default_factory=dict)  # article slug -> ``ArticleResult.search_facts`` (the same)

    def put(self, out: Output) -> str:
        return self.stage(out) if self.stage is not None else digest(out.data)

    def put_any(self, out) -> tuple[str, int]:
        """An ``Output`` or an ``opendata.Streamed`` staged: (its digest, its size)."""
        if isinstance(out, opendata.Streamed) and self.stage_pieces is not None:
            return self.stage_pieces(out.path, out.pieces())
        data = out.data
        return self.put(Output(out.path, data)), len(data)


def _text(b: Built, memory: Memory, path: str, slug: str | None = None):
    """An article page's PageText; of another page, what its search record takes: the first
    ``ENTITY_WORDS`` words of an entity page, the text of a claim's or a free page."""
    if slug in b.article_texts:
        return PageText("", *b.article_texts[slug])
    d = b.digests.get(path)
    hit = memory.texts.get(path)
    if hit is None or hit[0] != d:
        page = b.read(path)
        # An entity page's first words, joined: a string a word was 16 kB a page (300 MB at 20,000 entities).
        hit = memory.texts[path] = (d, " ".join(first_words(page, ENTITY_WORDS)) if path.startswith("entities/")
                                    else read_page(page.decode("utf-8")).main)
    return hit[1]


def exports(b: Built, memory: Memory, lap: Callable[[str], None] = lambda name: None) -> dict[str, str]:
    """Data files, the Data page and the search bundle: path -> digest of each, the files made staged
    (``Built.stage``) as they are made, the others the output folder's, kept; ``lap(stage)`` is called
    as each part ends."""
    site = b.site
    pages = [output_path(page_dir("article", s)) for s in site.articles]
    pages += [output_path(page_dir(k, s)) for k, group in (("entity", site.entities), ("claim", b.claims),
                                                          ("page", site.pages)) for s in group]
    live = set(pages)
    for stale in [p for p in memory.texts if p not in live]:
        del memory.texts[stale]
    slugs = dict(zip(pages, site.articles))  # the first len(site.articles) pages are the articles
    # A report's text is read where it is used (the annotated reports' passages, the records made), never
    # all held: a one-off build's wait in the spool, a cached build's in the build cache (``cache_pickle.Text``).
    texts = {p: _text(b, memory, p, slugs.get(p)) for p in each(pages) if slugs.get(p) not in b.article_texts}
    passages = _passages(b, texts)
    # Made whole, the index's term files are made in a forked process while this one makes the open data
    # and then the record chunks; an update from the last index is quicker than the fork.
    terms = pool.aside(partial(_term_part, b, memory, texts, passages)) if b.aside and memory.search is None else None
    try:
        files = opendata_files(b, memory, passages)
        lap("open data")
        # Outside the preview (which makes them once, for its latency), a report's record is made each time
        # it is read, never all held (their text, 60 MB at 10,000 articles): the record chunks beside a
        # forked term part read each twice, an update from the last index twice too.
        records = _records(b, texts, passages, lazy=b.aside)
        files.update(search_files(b, memory, records) if terms is None else _record_part(b, memory, records, terms))
    except BaseException:
        if terms is not None:
            terms.cancel()
        raise
    lap("search index")
    return files


def _term_part(b: Built, memory: Memory, texts: dict, passages: list) -> tuple:
    """The search index's term files (``search.term_files``), staged; what the manifest takes of them;
    the records' words' keys and total length; the words kept for a next build (when one comes) and
    ``Memory.checked``."""
    records = _records(b, texts, passages)
    words = _record_words(b, memory, records)
    made: dict = {}
    files = {o.path: b.put(o) for o in search.term_files(words, len(records), made, b.keep, _total(b, records))}
    if not b.keep:  # a one-off build: no State for a next build
        return files, made, None, None, None
    keys, total = array("Q"), 0
    for w in words:  # one pass: spooled words are read again each time
        keys.append(w.key)
        total += w.length
    reports = {id(w) for w in b.article_words.values()}  # the build process holds these: not sent back
    return files, made, (keys, total), {k: w for k, w in memory.words.items() if id(w) not in reports}, memory.checked


def _record_part(b: Built, memory: Memory, records: list[Record], terms: pool.Aside) -> dict[str, str]:
    """The search index's record chunks and filter files made here, the term files taken from ``terms``
    (see :func:`_term_part`), then the manifest and the State a next build updates the index from."""
    rest: dict = {}
    files = {o.path: b.put(o) for o in search.record_files(records, rest)}
    made, term_made, words, kept, checked = terms.result()
    files.update(made)
    if kept is not None:
        memory.checked = checked  # the reports' words are this process's own (a copy of each would be held too)
        reports = {w.key: w for w in b.article_words.values()}
        memory.words = {k: kept.get(k) or reports[k] for k in words[0]}
    state: list | None = [] if b.keep else None
    index = search.manifest(records, words, term_made, rest, state)
    files[index.path] = b.put(index)
    memory.search = state[0] if state else None
    return files


def _record_words(b: Built, memory: Memory, records: list[Record], heads: dict | None = None,
                  facts: dict | None = None) -> list:
    """Each record's Words: a report's as its render worker counted them, the others counted here (or
    the last build's, by key); ``memory.words`` is left with them.  A one-off build's (nothing kept): a
    report's read from the spool, the others counted (``search.Counted``, never packed), each as it is
    read, never all held. ``heads``: ``_heads(b, facts)``, when made already; ``facts``: record number ->
    a report's ``search_facts``, whose check stands for its head's.  A report's record is not read for
    its words when they are known to be its own (``_check``); ``memory.checked`` is left with them all."""
    words = b.article_words
    if _spooled(b):
        slugs, reports = list(b.site.articles), records.reports
        return _Records(lambda i: words[slugs[i]] if i < reports else search.counted(records[i]), range(len(records)), [])
    slugs = list(b.site.articles)
    counted = {i: words[slug] for i, slug in each(enumerate(slugs)) if slug in words}  # reports come first
    facts = facts or {}
    heads = _heads(b, facts) if heads is None else heads

    def head(i: int) -> Record:
        return heads[i] if i in heads else report_head(b.site, b.urls, slugs[i])
    checks = {i: facts[i][3] if i in facts else _check(head(i), counted[i].key) for i in each(range(len(slugs)))
              if i in counted}
    trusted = frozenset(i for i, c in checks.items() if c in memory.checked)
    out = record_words(records, counted, memory.words, trusted)
    # Each report's words are now found its record's: those not trusted were checked against their record.
    memory.checked = {checks[i] if i in trusted else _check(head(i), out[i].key) for i in each(range(len(slugs)))}
    return out


def _heads(b: Built, facts: dict | None = None) -> dict:
    """Record number -> a report's record but the text of its page (``report_head``), but for the reports in
    ``facts`` (``report_search_facts``: what the index takes of their heads was made where they were rendered)."""
    facts = facts or {}
    return {i: report_head(b.site, b.urls, slug) for i, slug in each(enumerate(b.site.articles)) if i not in facts}


def report_search_facts(head: Record, key: int) -> tuple:
    """What the search index takes of a report besides its words (``ArticleResult.search_facts``), made where its
    page is rendered: ``search_update.report_facts`` of its record's head, and its check (``_check``) with its
    words' key ``key``. A reused report's page has the same record around its text (its Markdown key holds its
    record and what the head reads of the archive: the configuration, the outlets' names), so they stand: a
    build after one edit makes no report's head."""
    return (*search_update.report_facts(head), _check(head, key))


def _check(head: Record, key: int) -> int:
    """What ``Memory.checked`` holds of a report whose record but its text is ``head`` and whose words' key is
    ``key``, once its record was read and ``key`` found its key (``search._key``).  A report whose check is
    there has its words taken as its record's without reading the record: the key of the words counted where
    its page was rendered was found, in a build before, the key of a record with this same head.  Words
    counted from another record (a head that changed since the page was rendered) are not trusted."""
    return search.text_key(f"{head.url}\0{head.title}\0{head.content}\0{head.type}\0{head.filters!r}\0"
                           f"{head.meta!r}\0{key}")


def _total(b: Built, records) -> int | None:
    """The sum of the records' lengths, when their words are read (and the others' counted) as the
    postings are made, from what is known without reading them (a one-off build's: the reports'
    lengths are the spool's), so that nothing is read twice; else None."""
    if not _spooled(b):
        return None
    return b.article_texts.chars() + sum(len(r.content) for r in records[records.reports:])


def _spooled(b: Built) -> bool:
    """A one-off build's: the reports' texts and words wait in the spool (:mod:`dossier.spool`)."""
    return hasattr(b.article_texts, "body")


def search_files(b: Built, memory: Memory, records: list[Record]) -> dict[str, str]:
    """The search index: updated from the output's when that is possible, else made whole."""
    last = dict(memory.words)
    facts = {i: f for i, slug in each(enumerate(b.site.articles)) if (f := b.search_facts.get(slug))}
    heads = _heads(b, facts)
    words = _record_words(b, memory, records, heads, facts)  # each report's its record's now: their heads stand
    got = search_update.update(memory.search, records, words, last, b.previous, b.read, heads, facts)
    if got is not None:
        outs, files, memory.search = got
        files.update((o.path, b.put(o)) for o in each(outs, 1))
        return files
    state: list | None = [] if b.keep else None  # a one-off build makes no State for a next one
    files = {o.path: b.put(o) for o in index_of(records, words, state, _total(b, records))}
    memory.search = state[0] if state else None
    return files


def _passages(b: Built, texts: dict) -> list[opendata.Passage]:
    out = []
    for slug, art in each(sorted(b.site.articles.items())):
        anns = b.site.annotations.get(slug, ())
        if not anns:
            continue
        path = output_path(page_dir("article", slug))
        text = texts.get(path) or b.article_texts[slug]
        # A report's text read back from the build cache holds its passages' windows: not read for them.
        windows = getattr(text, "windows", None)
        if windows is None:
            text = text if isinstance(text, PageText) else PageText("", *text)
        placed = set(b.anchored.get(slug, ()))
        for ann in anns:
            if ann.id not in placed:
                continue
            if windows is not None:
                where = windows.get(ann.anchor)
            else:
                span = text.passages.get(ann.anchor)
                where = span and (*span, *opendata.window(text.body, *span))
            if where is not None:
                html = opendata.absolute_links(str(b.note_html(ann)), b.urls)
                out.append(opendata.passage_in(ann, art, where, html))
    return out


def opendata_files(b: Built, memory: Memory, passages: list) -> dict[str, str]:
    """The data files and the Data page: path -> digest (made and staged, or carried over).  Each data
    file is made again only when a digest of what it is made from changed (or the output does not
    hold it); the Data page always (one page)."""
    site, urls = b.site, b.urls
    named: dict[str, set] = {}
    counts: dict[str, int] = {}
    for slug, ents in each(b.mentions.items()):
        named[slug] = set(ents)
        for e in named[slug]:
            counts[e] = counts.get(e, 0) + 1
    base = (urls.absolute(""), urls.url(""))
    files: dict[str, str] = {}

    def part(name: str, inputs: Callable[[], object], make: Callable[[], list]) -> None:
        # A one-off build (``Built.keep`` false) has no last build to compare with and no next one.
        fp, hit = (_fingerprint(inputs()), memory.data.get(name)) if b.keep else (None, None)
        if hit is not None and hit[0] == fp and all(b.previous.get(p) == d for p, (d, _n) in hit[1].items()):
            files.update((p, d) for p, (d, _n) in hit[1].items())
            return
        memory.data.pop(name, None)
        memory.pending[name] = (fp, {})
        for out in make():
            files[out.path], memory.pending[name][1][out.path] = b.put_any(out)

    claims = sorted(getattr(site, "claims", {}).items())
    part("passages", lambda: (base, site.config, claims, [_passage_key(p, site) for p in passages]),
         lambda: [opendata.annotations_jsonld(passages, urls, site.config), opendata.claims_json(passages, site, urls)])
    part("entities", lambda: (base, [(e, counts.get(slug, 0)) for slug, e in sorted(site.entities.items())]),
         lambda: opendata.entities(site, urls, counts))
    part("articles", lambda: _articles_key(b, base, named), lambda: opendata.articles(site, urls, named))
    part("mentions", lambda: _packed_rows(b),
         lambda: [opendata.mentions_csv(_UnpackedRows(b))])
    sizes = {p: n for name in ("passages", "entities", "articles", "mentions")
             for p, n in (memory.pending[name][1] if name in memory.pending else
                          {p: n for p, (_d, n) in memory.data[name][1].items()}).items()}
    listed = tuple((p[len("data/"):], urls.url(p), opendata.FILES[p[len("data/"):]], n)
                   for p, n in sorted(sizes.items()))
    page = b.data_page(listed)  # a page of the site: its frame (nav, templates) is not an input here
    files[page.path] = b.put(page)
    return files


def _passage_key(p: opendata.Passage, site) -> tuple:
    """What an annotation's entry in the data files is made from."""
    art = p.article
    outlet = site.entities.get(art.outlet)
    return (p.annotation, art.slug, art.url, art.published, art.outlet, outlet and outlet.name, p.at + p.start,
            p.at + p.end, p.text[max(0, p.start - opendata.CONTEXT_LEN):p.end + opendata.CONTEXT_LEN], p.note_html)


def _article_item(art, named) -> tuple:
    """What a report's entry in data/articles.json is made from."""
    return (art.slug, art.title, art.outlet, art.published, art.url, art.byline, art.story, art.tags, sorted(named))


def _digest16(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def report_data_keys(art, named, packed_rows: bytes) -> tuple[bytes, bytes]:
    """What the open data's fingerprints take of one report (``ArticleResult.data_keys``), made where its page
    is rendered: a digest of what its entry in data/articles.json is made from (its record, the entities its
    body names) and one of its packed rows of data/mentions.csv. A report whose page is reused is the same
    record (its Markdown key holds it) with the same mentions and rows, so its keys stand; a build after one
    edit digests 10,000 of these, not every report's fields and rows."""
    return (_digest16(repr(_article_item(art, named)).encode("utf-8", "surrogatepass")), _digest16(packed_rows))


def _articles_key(b: Built, base: tuple, named: dict) -> bytes:
    """A digest of what data/articles.json is made from: each report's key (``report_data_keys``), or its
    inputs digested here when its result has none."""
    h = hashlib.blake2b(repr(base).encode("utf-8"), digest_size=16)
    keys = b.data_keys
    for slug, art in each(sorted(b.site.articles.items())):
        got = keys.get(slug)
        h.update(slug.encode("utf-8") + b"\0" + (got[0] if got else report_data_keys(art, named.get(slug, ()), b"")[0]))
    return h.digest()


def _packed_rows(b: Built) -> bytes:
    """A digest of every article's rows of mentions.csv as they wait, packed (not unpacked for it): each
    report's digest of them (``report_data_keys``) when its result has one."""
    h = hashlib.blake2b(digest_size=16)
    packed = getattr(b.mention_rows, "packed", None)
    keys = b.data_keys
    for slug in each(sorted(b.mentions)):
        got = keys.get(slug)
        h.update(slug.encode("utf-8") + b"\0")
        h.update(got[1] if got else _digest16(packed(slug) if packed else _utf8(b.mention_rows[slug])))
    return h.digest()


def _utf8(rows: str | bytes) -> bytes:
    return rows if isinstance(rows, bytes) else rows.encode("utf-8")


class _UnpackedRows(dict):
    """article slug -> its rows of mentions.csv as UTF-8, unpacked (or read from the spool) one at a
    time as the file is made."""

    def __init__(self, b: Built) -> None:
        super().__init__(dict.fromkeys(b.mentions))
        self._b = b

    def __getitem__(self, slug: str) -> bytes:
        packed = getattr(self._b.mention_rows, "packed", None)
        return zlib.decompress(packed(slug)) if packed else _utf8(self._b.mention_rows[slug])


def _fingerprint(inputs) -> str:
    """A digest of ``inputs`` (a tuple of parts, a part a value or a list of them), made one item at a
    time: the repr of them all at once was 290 MB at 100,000 articles (the passages' keys)."""
    if isinstance(inputs, bytes):
        return inputs.hex()
    h = hashlib.blake2b(digest_size=16)
    for part in inputs if isinstance(inputs, tuple) else (inputs,):
        for item in each(part) if isinstance(part, list) else (part,):
            h.update(repr(item).encode("utf-8", "surrogatepass") + b"\0")  # a repr holds no raw control character
        h.update(b"\1")
    return h.hexdigest()


class _Records(Sequence):
    """A sequence whose first items are ``make(key)`` of each of ``keys``, made each time one is read
    (never held: a one-off build's reports, from their spooled text), then the items of ``rest``."""

    def __init__(self, make: Callable, keys: list, rest: list) -> None:
        self._make, self._keys, self._rest = make, keys, rest
        self.reports = len(keys)

    def __len__(self) -> int:
        return self.reports + len(self._rest)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = i + len(self) if i < 0 else i
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._make(self._keys[i]) if i < self.reports else self._rest[i - self.reports]

    def __iter__(self):
        yield from map(self._make, self._keys)
        yield from self._rest


def _records(b: Built, texts: dict, passages: list, lazy: bool = False) -> list[Record]:
    """Every search record: the reports first, then the entities, the passages, the claims, the pages
    (``lazy``, or spooled: a ``_Records``, each report's made each time it is read)."""
    site, urls = b.site, b.urls
    spooled = getattr(b.article_texts, "body", None)

    def report(slug: str) -> Record:  # a report's body without its notes (they are records of their own)
        path = output_path(page_dir("article", slug))
        return report_record(site, urls, slug, texts[path].body if path in texts else
                             spooled(slug) if spooled is not None else b.article_texts[slug][0])

    recs: list = []
    for slug, ent in each(site.entities.items()):
        words = texts[output_path(page_dir("entity", slug))]
        typ = TYPE_NAMES.get(ent.type, ent.type)
        recs.append(Record(urls.of("entity", slug), ent.name, " ".join([*ent.aliases, words] if words else ent.aliases),
                           "Entity",
                           (("Entity type", typ),), (("detail", typ),)))
    for p in each(passages):
        ann, art = p.annotation, p.article
        outlet = site.entities.get(art.outlet)
        name = outlet.name if outlet else art.outlet
        kind = KIND_LABELS.get(ann.kind, ann.kind)
        exact = p.text[p.start:p.end]
        note = note_text(p.note_html)
        recs.append(Record(f"{urls.of('article', art.slug)}#{ann.anchor}", f"“{_short(exact)}”", f"{exact} {note}",
                           "Annotation", (("Outlet", name), ("Annotation kind", kind)),
                           (("detail", f"{kind} · {art.title}"),)))
    for claim in b.claims:
        title = claim.replace("-", " ").capitalize()
        recs.append(Record(urls.of("claim", claim), title, texts[output_path(page_dir("claim", claim))],
                           "Claim", (), (("detail", "Claim compared across outlets"),)))
    for slug, page in site.pages.items():
        recs.append(Record(urls.of("page", slug), page.title, texts[output_path(page_dir("page", slug))],
                           "Page"))
    if spooled is not None or lazy:
        return _Records(report, list(site.articles), recs)
    return [*map(report, each(site.articles)), *recs]


# A tag that ends a line of text (a paragraph, a list item, a line break) stands for a space; any
# other (a link, emphasis) for nothing, so "(<a>Army</a>)" reads "(Army)", not "( Army )".
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|br|div|blockquote|h[1-6]|pre|table|tr|td|th|hr|dd|dt|dl)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def note_text(note_html: str) -> str:
    """A note's words as the page shows them, for its search record: tags out, references read."""
    return " ".join(html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", note_html))).split())


def report_record(site, urls, slug: str, body: str) -> Record:
    """The search record of a report whose page shows ``body`` (also made where the page is rendered)."""
    return with_text(report_head(site, urls, slug), body)


def with_text(head: Record, body: str) -> Record:
    """A report's record: its head (``report_head``) and the text of its page."""
    return Record(head.url, head.title, head.content + body, head.type, head.filters, head.meta)


def report_head(site, urls, slug: str) -> Record:
    """A report's search record but the text of its page: its content is what comes before that text."""
    art = site.articles[slug]
    outlet = site.entities.get(art.outlet)
    name = outlet.name if outlet else art.outlet
    return Record(urls.of("article", slug), art.title, f"{art.title}\n{name}\n{art.byline}\n", "Report",
                  (("Outlet", name),), (("detail", f"{name}, {art.published.isoformat()}"),))


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
