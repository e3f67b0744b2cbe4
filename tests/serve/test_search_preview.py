"""The preview has search and open data too, brought up to date by every rebuild."""
from __future__ import annotations

import gzip
import io
import json

import pytest
from serve_helpers import atomic_write, http_get

from dossier.pagefind_canon import read_data
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


def indexed_text(srv: PreviewServer) -> str:
    """Every fragment of the language the entry file names, as the browser would find them."""
    entry = json.loads(get(srv, "pagefind/pagefind-entry.json").body)
    assert entry["languages"]
    meta = get(srv, f"pagefind/pagefind.{next(iter(entry['languages'].values()))['hash']}.pf_meta")
    assert meta.status == 200
    pages = read_data(meta.body)[1]  # [[fragment hash, word count], ...]
    texts = []
    for name, _words in pages:
        r = get(srv, f"pagefind/fragment/{name}.pf_fragment")
        assert r.status == 200, name
        texts.append(gzip.decompress(r.body).decode("utf-8"))
    assert texts
    return "\n".join(texts)


def test_the_index_follows_each_rebuild(preview, tiny_archive, sse):
    assert preview.builds[0].ok, preview.builds[0].errors
    assert get(preview, "pagefind/pagefind.js").status == 200
    assert "Quokka" not in indexed_text(preview)
    events = sse(f"http://127.0.0.1:{preview.port}")
    first = events.next()
    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(title="Quokka sighting"))
    msg = events.until(lambda m: m["build"] > first["build"])
    assert msg["ok"], msg["errors"]
    assert "Quokka sighting" in indexed_text(preview)
    articles = json.loads(get(preview, "data/articles.json").body)
    assert [a["title"] for a in articles] == ["Quokka sighting"]
