"""What a build keeps in memory between its stages is compact (sizes and counts, never timings)."""
from __future__ import annotations

import os
import sys
from dataclasses import replace

import pytest

from dossier.emit import ArticleResult, MentionRows
from dossier.model import Article
from dossier.pipeline import Builder
from tests.conftest import REPO_ROOT


def _results(tmp_path) -> dict[str, ArticleResult]:
    """The seed archive built once; article slug -> what rendering it reported (the session's memo)."""
    builder = Builder(REPO_ROOT, tmp_path / "out", workers=1)
    assert builder.build().ok
    memo = builder.session._markdown
    return {path.split("/")[1]: facts for path, (_key, facts) in memo.items()
            if path.startswith("articles/") and isinstance(facts, ArticleResult)}


def test_mention_rows_wait_for_the_exports_packed(tmp_path):
    results = _results(tmp_path)
    assert len(results) >= 4
    csv = (tmp_path / "out" / "data" / "mentions.csv").read_bytes().decode("utf-8")
    rows = MentionRows(results)
    assert set(rows) == set(results) and len(rows) == len(results)
    assert "".join(rows[slug] for slug in sorted(rows)) == csv.split("\r\n", 1)[1]  # the file, after its header
    packed = sum(len(r.mention_rows) for r in results.values())
    text = sum(len(rows[slug].encode("utf-8")) for slug in rows)
    assert all(isinstance(r.mention_rows, bytes) for r in results.values())
    assert packed * 2 < text


def test_a_one_off_build_lets_go_of_what_only_a_next_build_reuses(tmp_path, tree):
    kept = Builder(REPO_ROOT, tmp_path / "kept", workers=1)
    once = Builder(REPO_ROOT, tmp_path / "once", workers=1, once=True)  # as build_site makes it
    assert kept.build().ok and once.build().ok
    assert tree(tmp_path / "once") == tree(tmp_path / "kept")
    assert kept.session._scans and kept.session._shared.where and kept.session._loaded
    s = once.session
    assert not s._scans and not s._shared.where and not s._shared.keys and not s._loaded and s._coverage is None
    assert [a.slug for a in _reachable(kept.session, Article) if a.body]  # the walk finds what is held
    assert not [a.slug for a in _reachable(s, Article) if a.body]  # no record of the load holds a body


def _reachable(root, kind: type) -> list:
    """The objects of ``kind`` reachable from ``root`` through data (no module, class or function)."""
    import gc
    import types

    skip = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
    seen, todo, found = {id(root)}, [root], []
    while todo:
        obj = todo.pop()
        if isinstance(obj, kind):
            found.append(obj)
        for ref in gc.get_referents(obj):
            if id(ref) not in seen and not isinstance(ref, skip):
                seen.add(id(ref))
                todo.append(ref)
    return found


def test_the_build_cache_file_is_written_and_read_without_a_second_copy_of_its_payload(tmp_path):
    import os
    import pickle
    import tracemalloc

    from dossier.cache import _pack, _unpack, _write, cache_key

    key = cache_key()
    blobs = [os.urandom(10_000) for _ in range(2_000)]
    payload = pickle.dumps(blobs, protocol=pickle.HIGHEST_PROTOCOL)  # 20 MB
    tracemalloc.start()
    try:
        _write(tmp_path, "build.pickle", _pack(payload, key))
        written = tracemalloc.get_traced_memory()[1]
        data = (tmp_path / "build.pickle").read_bytes()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]  # ``data`` itself
        got = _unpack(data, key)
        read = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert got == blobs
    assert written < len(payload) // 4  # the header and the payload written one after the other
    assert read < len(payload) * 1.5  # the objects read (one payload's worth), not a copy of the payload too
    damaged = data[:-1] + bytes([data[-1] ^ 1])
    assert _unpack(damaged, key) is None and _unpack(data[:60], key) is None and _unpack(b"", key) is None


@pytest.mark.parametrize("argv", [["check"], ["build", "--no-cache"]])
def test_check_and_a_build_without_the_cache_remember_nothing_for_a_next_build(argv, tmp_path, monkeypatch):
    from dossier import cli, pipeline

    made = []
    real = pipeline.Builder.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(pipeline.Builder, "__init__", spy)
    extra = ["--out", str(tmp_path / "out")] if argv[0] == "build" else []
    assert cli.main([*argv, "--root", str(REPO_ROOT), *extra]) == 0
    assert len(made) == 1 and made[0].session.remembers is False and made[0].cache is None
    assert not made[0].session._scans and not made[0].session._loaded


def test_a_one_off_build_lets_go_of_bodies_and_mentions_once_their_pages_are_made(tmp_path, tree, monkeypatch):
    """What the exports get from a one-off build: no article body (the Site's and the entity pages'
    records alike), no mention and no text-order annotation in the per-article results or the index;
    only which entities each article names. The output is the build's that keeps everything."""
    from dossier import pipeline

    seen = []
    real = pipeline.export_files

    def spy(site, renderer, results, index, session, *args, **kwargs):
        seen.append((session.remembers, dict(site.articles), dict(renderer.by_source), results, index,
                     kwargs.get("named")))
        return real(site, renderer, results, index, session, *args, **kwargs)

    monkeypatch.setattr(pipeline, "export_files", spy)
    kept = Builder(REPO_ROOT, tmp_path / "kept", workers=1)
    once = Builder(REPO_ROOT, tmp_path / "once", workers=1, once=True)
    assert kept.build().ok and once.build().ok
    assert tree(tmp_path / "once") == tree(tmp_path / "kept")
    (_r, kept_articles, _b, kept_results, kept_index, kept_named), (remembers, articles, by_source, results, index, named) = seen
    assert remembers is False and kept_named is None
    assert all(a.body for a in kept_articles.values()) and any(r.mentions for r in kept_results.values())
    assert articles.keys() == kept_articles.keys() and len(by_source) == len(articles)
    assert not any(a.body for a in articles.values())
    assert not any(hasattr(h, "body") for h in by_source.values())  # the entity pages' reports are heads
    assert [replace(a, body="") for a in kept_articles.values()] == list(articles.values())
    assert not any(r.mentions or r.placed for r in results.values())
    assert not index.mentions and not index.headlines and kept_index.mentions
    assert named == {s: frozenset(m.entity for m in r.mentions) for s, r in kept_results.items()}


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


@pytest.mark.skipif(sys.platform != "linux", reason="malloc_trim is glibc's; /proc is Linux's")
def test_trim_gives_memory_freed_between_live_objects_back_to_the_system():
    from dossier import pool

    blobs = [bytes([i % 251]) * 12_000 for i in range(8_000)]  # 96 MB in the C heap, not in mapped blocks
    for i in range(len(blobs)):
        if i % 4:
            blobs[i] = None  # three in four freed: holes between live ones, which the heap keeps resident
    held = _rss_kb()
    pool.trim()
    assert held - _rss_kb() > 40_000  # of the 72 MB freed, most whole pages went back (kB)


def test_bodies_go_while_the_article_workers_render_and_a_worker_forked_after_that_refuses(tmp_path, tree, monkeypatch):
    """A one-off build lets its own copy of the bodies go once the render workers are forked with
    them (``pool.run``'s ``forked``); a worker the pool would fork again after that raises rather
    than render a page from an empty body."""
    from dossier import article_pages, pool

    monkeypatch.setattr(pool, "PARALLEL_MIN", 2)
    calls = []
    real = article_pages._bodies_go

    def spy(state, site, renderer):
        real(state, site, renderer)
        calls.append((state, [a.body for a in site.articles.values()]))

    monkeypatch.setattr(article_pages, "_bodies_go", spy)
    once = Builder(REPO_ROOT, tmp_path / "once", workers=2, once=True)
    kept = Builder(REPO_ROOT, tmp_path / "kept", workers=2)
    assert once.build().ok and kept.build().ok
    assert tree(tmp_path / "once") == tree(tmp_path / "kept")
    ((state, bodies),) = calls  # the one-off build only, once
    assert state.bodies == [False] and not any(bodies)
    slug = next(iter(state.renderer.site.articles))
    with pytest.raises(RuntimeError, match="forked after the bodies were let go"):
        article_pages._render_articles_task(state, [slug])


def test_forked_is_called_once_the_pool_has_forked_and_only_then():
    from dossier import pool

    called = []
    assert pool.run(_double, range(300), None, 2, forked=lambda: called.append(1)) == [2 * i for i in range(300)]
    assert called == [1] or not pool.fork_available()
    called.clear()
    assert pool.run(_double, range(300), None, 1, forked=lambda: called.append(1)) == [2 * i for i in range(300)]
    assert called == []


def _double(_state, i: int) -> int:
    return 2 * i


def test_bodies_are_kept_when_the_archive_has_templates_of_its_own(tmp_path):
    """An archive's own templates may print an article's body on any page: only with Dossier's
    templates alone (the archive's assets aside) does a one-off build let the bodies go."""
    from pathlib import Path

    from dossier.article_pages import bodies_unread
    from dossier.render import DEFAULT_LAYOUTS
    from dossier.session import Layouts

    own = tmp_path / "layouts"
    theme = [(DEFAULT_LAYOUTS, "entity.html", DEFAULT_LAYOUTS / "entity.html")]
    assert bodies_unread(Layouts(theme, [], ()))
    assert bodies_unread(Layouts([*theme, (own, "assets/site.css", own / "assets" / "site.css")], [], ()))
    assert not bodies_unread(Layouts([*theme, (own, "entity.html", Path(own / "entity.html"))], [], ()))


def test_a_one_off_build_spools_each_reports_text_and_words_and_the_exports_read_them_back(tmp_path, tree, monkeypatch):
    """What the exports take of each report (its text, its counted words, its mentions.csv rows) waits on
    disk in a one-off build, not in the per-article results: they hold where it lies; the exports read it back one
    report at a time (the search records made again from it each time, never all held), and the
    spool's folder is gone before the staging folder becomes the output, which is the build's that
    keeps everything in memory, byte for byte."""
    from dossier import exports, pipeline, pool, spool

    monkeypatch.setattr(pool, "PARALLEL_MIN", 2)  # the reports rendered in two forked workers
    seen, records = [], []
    real_export, real_records = pipeline.export_files, exports._records

    def spy(site, renderer, results, index, session, *args, **kwargs):
        seen.append((dict(results), kwargs.get("spool")))
        return real_export(site, renderer, results, index, session, *args, **kwargs)

    def made(*args, **kwargs):
        got = real_records(*args, **kwargs)
        if isinstance(got, exports._Records):  # read while the spool is there
            records.append((got, list(got), got[:], got[-1], got[3], got[3]))
        else:
            records.append(got)
        return got

    monkeypatch.setattr(pipeline, "export_files", spy)
    monkeypatch.setattr(exports, "_records", made)
    kept = Builder(REPO_ROOT, tmp_path / "kept", workers=2)
    once = Builder(REPO_ROOT, tmp_path / "once", workers=2, once=True)
    assert kept.build().ok and once.build().ok
    assert tree(tmp_path / "once") == tree(tmp_path / "kept")
    (kept_results, none), (results, used) = seen
    assert none is None and used is not None and not used.folder.exists()
    assert not list(tmp_path.glob(".*staging*"))
    assert all(r.text and r.words is not None and r.spooled is None for r in kept_results.values())
    assert all(r.text == () and r.words is None and r.mention_rows == b"" for r in results.values())  # on disk
    # Each render process wrote its own file, none of them the build process (how the pool shares the
    # tasks out depends on the machine's load: one worker may take them all).
    pids = {r.spooled.pid for r in results.values()}
    assert 1 <= len(pids) <= 2 and os.getpid() not in pids
    kept_records, (lazy, listed, sliced, last, third, again) = records[0], records[-1]
    # The kept build's record chunks are made beside its forked term part: its reports' records, too, are
    # made each time they are read.
    eager = kept_records[1] if isinstance(kept_records, tuple) else kept_records
    assert isinstance(eager, list) and lazy.reports == len(results) == len(kept_results)
    assert listed == eager and sliced == eager and last == eager[-1]
    assert third == again == eager[3] and third is not again  # made again each time it is read: never held


def test_the_spool_gives_back_what_each_process_put_and_refuses_a_file_cut_short(tmp_path):
    import os

    from dossier.search import Record, count_words
    from dossier.spool import Spool

    s = Spool.make(tmp_path)
    texts = [(f"Report {i} – “quoted” \u2028 text " * (i + 1), {f"ann-{i}": (0, i)}) for i in range(40)]
    words = [count_words(Record(f"/r/{i}", f"Title {i}", t[0], "Report")) for i, t in enumerate(texts)]
    rows = [f'r-{i},e,"a, “b”",b,{i},https://x/#:~:text=b\r\n'.encode("utf-8") * (i % 3) for i in range(40)]
    pieces = [s.put(t, w, r) for t, w, r in zip(texts[:20], words[:20], rows[:20])]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker: its own file, its pieces handed back through a pipe
        import pickle
        os.close(read)
        os.write(write, pickle.dumps([s.put(t, w, r) for t, w, r in zip(texts[20:], words[20:], rows[20:])]))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        import pickle
        pieces += pickle.loads(f.read())
    os.waitpid(pid, 0)
    assert len({p.pid for p in pieces}) == 2
    assert [s.text(p) for p in pieces] == texts
    assert [s.body(p) for p in pieces] == [t[0] for t in texts]
    assert [s.words(p) for p in pieces] == words
    assert [s.rows(p) for p in pieces] == rows
    assert [p.chars for p in pieces] == [w.length for w in words]
    last = pieces[-1]
    os.truncate(s.folder / str(last.pid), last.at + last.body)
    with pytest.raises(OSError, match="cut short"):
        s.text(last)
    s.close()
    assert not s.folder.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("start,end", [(0, 5), (3, 40), (31, 33), (32, 60), (100, 130), (150, 158), (158, 160)])
def test_a_passage_waits_with_its_context_only_and_gives_the_data_files_what_the_whole_text_gives(start, end):
    """``opendata.passage`` keeps ``CONTEXT_LEN`` characters either side of the passage, not the
    article's text: the annotation's selectors, its claim's passage, its search record's quote and
    the fingerprint of the data files' inputs are those the whole text gives."""
    from types import SimpleNamespace

    from dossier import exports, opendata

    body = "".join(chr(0x41 + i % 26) + ("” " if i % 7 == 0 else "") for i in range(160))
    ann = SimpleNamespace(anchor="ann-x", note="n", kind="note")
    art = SimpleNamespace(slug="a", url="", outlet="o", published=None)
    whole = opendata.Passage(ann, art, body, start, end, "<p>n</p>")
    kept = opendata.passage(ann, art, body, start, end, "<p>n</p>")
    assert len(kept.text) <= end - start + 2 * opendata.CONTEXT_LEN
    page = "https://example.org/articles/a/"
    assert opendata.annotation(kept, page, {}, "en") == opendata.annotation(whole, page, {}, "en")
    site = SimpleNamespace(entities={})
    assert exports._passage_key(kept, site) == exports._passage_key(whole, site)
    assert kept.text[kept.start:kept.end] == body[start:end]


class _Cyclic:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


_alive: "weakref.WeakSet" = None  # made in the test, inherited by the pool's forked workers


def _leave_a_cycle(_state, _i: int) -> int:
    _alive.add(_Cyclic())
    return len(_alive)


def test_a_pool_worker_frees_the_reference_cycles_its_tasks_leave_with_the_collector_off(monkeypatch):
    """A build runs with the cyclic collector off, and a task may leave reference cycles (a layout's
    own objects, an error's traceback): a worker frees them once it holds ``YOUNG_LIMIT``
    objects made since its last collection (looking only at those, not at what it was forked with)."""
    import weakref

    from dossier import pool

    global _alive
    _alive = weakref.WeakSet()
    monkeypatch.setattr(pool, "YOUNG_LIMIT", 200)
    with pool.no_cyclic_gc():
        counts = pool.run(_leave_a_cycle, range(1000), None, 2)
    assert pool.fork_available() and len(counts) == 1000
    assert max(counts) < 200  # without the collections, up to 500 in a worker
    assert len(_alive) == 0  # nothing ran here


def test_a_pool_worker_that_holds_few_objects_never_collects(monkeypatch):
    """Below ``YOUNG_LIMIT`` a worker's cycles wait for its end (a small archive's render workers never
    collect): every cycle a worker's tasks left is still there at its last task."""
    import weakref

    from dossier import pool

    global _alive
    _alive = weakref.WeakSet()
    with pool.no_cyclic_gc():
        counts = pool.run(_leave_a_cycle, range(1000), None, 2)
    assert pool.fork_available() and len(counts) == 1000
    assert max(counts) >= 450  # each worker took about half: none was freed
    assert len(_alive) == 0


@pytest.mark.parametrize("n", [0, 1, 3, 700])
def test_the_annotations_and_articles_data_files_are_made_a_few_records_at_a_time_as_whole(n, monkeypatch):
    """``annotations.jsonld``, ``articles.json`` and ``.csv`` are written piece by piece (never all their
    records at once), and are the bytes the whole file gives (a title holding the placeholder too)."""
    import datetime as dt
    from types import SimpleNamespace

    from dossier import opendata
    from dossier.urls import Urls

    monkeypatch.setattr(opendata, "_CHUNK", 2000)  # several chunks
    monkeypatch.setattr(opendata, "_ROWS", 100)
    urls = Urls("/", "https://example.org")
    config = SimpleNamespace(author="", title=f"T {opendata._ITEMS} “x”", language="en")
    arts = {f"a{i:04d}": SimpleNamespace(slug=f"a{i:04d}", title=f"Title, “{i}”", outlet="o", url="",
                                         published=dt.date(2023, 1, 1 + i % 28), byline="B, C", story="s",
                                         tags=("t", "u")) for i in range(n)}
    passages = [opendata.passage(SimpleNamespace(anchor=f"ann-{i}", note="n", kind="note"), arts[s], "x" * 90 + s,
                                 90, 95, "<p>n</p>") for i, s in enumerate(arts)]
    site = SimpleNamespace(articles=arts)
    named = {s: {"e2", "e1"} for s in arts}
    creator = {"type": "Organization", "name": config.title}
    whole_ann = opendata._json({
        "@context": opendata.ANNO_CONTEXT, "id": urls.absolute("data/annotations.jsonld"),
        "type": "AnnotationCollection", "label": f"Annotations of {config.title}", "total": n,
        "first": {"type": "AnnotationPage", "items": [opendata.annotation(p, urls.absolute(f"articles/{p.article.slug}/"),
                                                                          creator, "en") for p in passages]}})
    rows = [{"slug": a.slug, "title": a.title, "outlet": a.outlet, "published": a.published.isoformat(), "url": a.url,
             "byline": a.byline, "story": a.story, "tags": list(a.tags), "entities": sorted(named[a.slug]),
             "page": urls.absolute(f"articles/{a.slug}/")} for a in arts.values()]
    made = [opendata.annotations_jsonld(passages, urls, config), *opendata.articles(site, urls, named)]
    got = [m.data for m in made]
    assert got == [whole_ann, opendata._json(rows), opendata._table(rows)]
    assert all(isinstance(m, opendata.Streamed) for m in made) == (n > 0)
    if n == 700:
        assert all(len(list(m.pieces())) > 5 for m in made)


def test_the_spool_is_read_from_a_forked_process_and_this_one_at_once(tmp_path):
    """A forked process (the search index's) reads the spool with its own files: never the position
    of a file it shares with the process it was forked from."""
    import os

    from dossier.search import Record, count_words
    from dossier.spool import Spool

    s = Spool.make(tmp_path)
    texts = [(f"report {i} " * (50 + i), {}) for i in range(200)]
    pieces = [s.put(t, count_words(Record("/r", "T", t[0], "Report")), b"") for t in texts]
    assert s.text(pieces[0]) == texts[0]  # this process has its file open
    pid = os.fork()
    if pid == 0:
        ok = all(s.text(p) == t for _ in range(5) for p, t in zip(pieces, texts))
        os._exit(0 if ok else 1)
    mine = all(s.text(p) == t for _ in range(5) for p, t in zip(pieces, texts))
    assert os.waitpid(pid, 0)[1] == 0 and mine
    s.close()
