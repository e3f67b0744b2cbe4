"""The preview has search and open data too, brought up to date by every rebuild."""
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
    assert "Quokka sighting" in indexed_titles(preview)
    articles = json.loads(get(preview, "data/articles.json").body)
    assert [a["title"] for a in articles] == ["Quokka sighting"]
