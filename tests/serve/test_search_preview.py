"""The preview has search and open data too, brought up to date by every rebuild: after the
rebuild's pages are served (the last index and data are served meanwhile)."""
from __future__ import annotations

import io
import json

import pytest
from serve_helpers import atomic_write, http_get

from dossier.serve import PreviewServer

ARTICLE = "content/articles/a.md"
A_TEXT = "---\ntitle: {title}\noutlet: x\npublished: 2023-09-25\n---\nHello from article A.\n"


@pytest.fixture
def preview(tiny_archive):
    srv = PreviewServer(tiny_archive, port=0, stdout=io.StringIO(), stderr=io.StringIO())
    srv.start()
    yield srv
    srv.stop()


def get(srv: PreviewServer, path: str):
    return http_get(f"http://127.0.0.1:{srv.port}", srv.base_path + path)


def indexed_titles(srv: PreviewServer) -> list[str]:
    """The title of every record, read through the files the browser would fetch."""
    man = json.loads(get(srv, "search/index.json").body)
    titles = []
    for n in range(len(man["chunks"])):
        r = get(srv, f"search/x/{n}.json")
        assert r.status == 200, n
        titles += [rec[1] for rec in json.loads(r.body)]
    assert len(titles) == man["docs"]
    return titles


def test_the_index_follows_each_rebuild(preview, tiny_archive, sse):
    assert preview.builds[0].ok, preview.builds[0].errors
    assert get(preview, "assets/search-core.js").status == 200
    assert "Quokka sighting" not in indexed_titles(preview)
    events = sse(f"http://127.0.0.1:{preview.port}")
    first = events.next()
    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(title="Quokka sighting"))
    msg = events.until(lambda m: m["build"] > first["build"])
    assert msg["ok"], msg["errors"]
    assert preview.wait_exported(msg["build"], timeout=30)
    assert "Quokka sighting" in indexed_titles(preview)
    articles = json.loads(get(preview, "data/articles.json").body)
    assert [a["title"] for a in articles] == ["Quokka sighting"]


def test_a_rebuild_serves_its_pages_before_the_index(tiny_archive):
    """The rebuild's result carries the index as work for later; until it runs, the last index is
    served, listed in the output's manifest like every file."""
    from dossier.pipeline import Builder

    b = Builder(tiny_archive, tiny_archive.parent / "out", swap=False, preview=True, workers=1)
    first = b.build()
    assert first.ok and first.later is None and "search/index.json" in first.written
    before = (b.out / "search/index.json").read_bytes()
    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(title="Quokka sighting"))
    second = b.build(changed={tiny_archive / ARTICLE})
    assert second.ok and second.later is not None
    assert not any(p.startswith(("search/", "data/")) for p in second.written), second.written
    assert (b.out / "search/index.json").read_bytes() == before
    assert "Quokka sighting" in (b.out / "articles/a/index.html").read_text(encoding="utf-8")
    done = second.later()
    assert done.ok and "search/index.json" in done.written and "data/articles.json" in done.written
    assert "Quokka sighting" in json.loads((b.out / "data/articles.json").read_bytes())[0]["title"]


def test_a_save_while_pages_are_served_defers_the_index_to_the_next_rebuild(preview, tiny_archive, sse,
                                                                            monkeypatch):
    """Saves in quick succession: each rebuild serves its pages and leaves the index to the next
    one (the editor never waits behind it); the last rebuild's index follows once saves stop."""
    import dossier.serve

    monkeypatch.setattr(dossier.serve, "EXPORT_IDLE", 3.0)  # wide enough for the second save to land in
    events = sse(f"http://127.0.0.1:{preview.port}")
    first = events.next()
    ran = []
    real = preview.dev.state.after
    preview.dev.state.after = lambda fn: (ran.append(fn), real(fn))[1]
    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(title="First of two"))
    msg = events.until(lambda m: m["build"] > first["build"])
    preview.watcher.note_modified(tiny_archive / ARTICLE)  # a save queued before the index was begun
    last = events.until(lambda m: m["build"] > msg["build"])
    assert last["ok"], last["errors"]
    assert preview.wait_exported(last["build"], timeout=30)
    assert len(ran) == 1  # the index was made once, after the second rebuild
    assert "First of two" in indexed_titles(preview)


def test_pending_sees_a_queued_change_without_taking_it(tiny_archive):
    from dossier.serve.watcher import Watcher

    w = Watcher(tiny_archive).start()
    try:
        assert not w.pending(0.05)
        w.note_modified(tiny_archive / ARTICLE)
        assert w.pending() and w.pending(0.05)  # still there: pending takes nothing
        changes = w.wait(timeout=5)
        assert changes is not None and (tiny_archive / ARTICLE).resolve() in {p.resolve() for p in changes.paths}
        assert not w.pending()
    finally:
        w.stop()


def test_a_save_during_the_update_stops_it_and_its_rebuild_makes_the_index(preview, tiny_archive, sse, monkeypatch):
    """The search index and data give way to a save (``dossier.giveway``): the update is held at its first
    check point until the save is queued, then stops there, nothing of it written; the save's rebuild
    is served and makes them in turn."""
    import threading

    import dossier.serve
    from dossier.giveway import GaveWay

    monkeypatch.setattr(dossier.serve, "EXPORT_IDLE", 0.0)  # the update begins once the pages are served
    watcher, state = preview.watcher, preview.dev.state
    began, queued = threading.Event(), threading.Event()
    real_waiting = watcher.waiting

    def waiting() -> bool:
        if not began.is_set():  # the first question of the first update: hold it until the save is queued
            began.set()
            assert queued.wait(30)
        return real_waiting()

    monkeypatch.setattr(watcher, "waiting", waiting)
    outcomes: list[str] = []
    real_after = state.after

    def after(fn):
        try:
            result = real_after(fn)
        except GaveWay:
            outcomes.append("gave way")
            raise
        outcomes.append("made")
        return result

    monkeypatch.setattr(state, "after", after)
    events = sse(f"http://127.0.0.1:{preview.port}")
    first = events.next()
    index_before = get(preview, "search/index.json").body
    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(title="First of two"))
    assert began.wait(30)
    built = events.until(lambda m: m["build"] > first["build"])
    assert get(preview, "search/index.json").body == index_before  # the update is held at its check point
    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(title="Second of two"))
    assert watcher.pending(30)
    queued.set()
    last = events.until(lambda m: m["build"] > built["build"])
    assert last["ok"], last["errors"]
    assert preview.wait_exported(last["build"], timeout=30)
    assert outcomes == ["gave way", "made"]
    assert preview.exported == last["build"]
    titles = indexed_titles(preview)
    assert "Second of two" in titles and "First of two" not in titles
