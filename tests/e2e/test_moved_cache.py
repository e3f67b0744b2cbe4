"""An archive moved with its build cache, or its cache copied into another checkout: the cache keys each
loaded file by its path under the archive's root, so the files found there are not parsed again, the pages
reused hold this build's records (the cache then holds each record once, in its file's part), and the output
equals a cold build's."""
from __future__ import annotations

import shutil

import pytest

import dossier.emit
import dossier.load
from dossier.cache import Cache
from tests.e2e.test_build_cache import EDITS, archive  # noqa: F401 - the fixture


def _moved(archive, how: str):  # noqa: F811
    """``archive`` moved (or copied, cache and output with it) to another folder; the old one is gone."""
    new = archive.tmp / "elsewhere" / "archive"
    new.parent.mkdir()
    if how == "move":
        shutil.move(archive.root, new)
    else:  # new inodes and change times: every file is read again, its bytes decide
        shutil.copytree(archive.root, new, symlinks=True)
        shutil.rmtree(archive.root)
    archive.root, archive.out = new, new / "output"
    return archive


def _records_are_the_loaded_ones(state: dict, root) -> list:
    """The article pages whose Markdown key holds a record that is not the very one its file's memory holds."""
    stray = []
    for path, (key, _facts) in state["_markdown"].items():
        if path.startswith("articles/") and path.endswith("/index.html"):
            slug = path.split("/")[1]
            loaded = state["_loaded"][str(root / "content" / "articles" / f"{slug}.md")][2]
            if key[0] is not loaded.records[0]:
                stray.append(path)
    return stray


@pytest.mark.parametrize("how", ["move", "copy"])
@pytest.mark.parametrize("kind", ["article", "nothing"])
def test_a_moved_archive_reuses_its_cache(archive, monkeypatch, how, kind):  # noqa: F811
    _moved(archive, how)
    parsed, rendered = [], []
    real_load, real_article = dossier.load.load_file, dossier.emit.Renderer.article
    monkeypatch.setattr(dossier.load, "load_file", lambda root, k, path, *a: parsed.append(
        path.relative_to(root).as_posix()) or real_load(root, k, path, *a))
    monkeypatch.setattr(dossier.emit.Renderer, "article", lambda self, slug: rendered.append(slug) or
                        real_article(self, slug))
    EDITS[kind](archive)
    archive.cached()
    want = ["content/articles/one.md"] if kind == "article" else []
    assert parsed == want  # the others' memory found under their new paths
    assert rendered == (["one"] if kind == "article" else [])
    archive.expect_cold()
    state = Cache(archive.root).load()
    assert state is not None and _records_are_the_loaded_ones(state, archive.root) == []
    assert all(k.startswith(str(archive.root)) for k in state["_loaded"])  # the session's keys: this root's
    # A build after that, in the new place, again reuses everything.
    parsed.clear()
    rendered.clear()
    archive.cached()
    assert parsed == [] and rendered == []
    archive.expect_cold()


def test_the_cache_keys_loaded_files_by_their_path_under_the_root(archive):  # noqa: F811
    cache = Cache(archive.root)
    assert cache.load() is not None
    keys = {key for _name, part, _refs in cache._known["files"].values() for key in part["_loaded"]}
    assert keys and all(not key.startswith("/") and key.startswith("content/") for key in keys)


def test_a_loaded_file_outside_the_root_keeps_its_absolute_key():
    from dossier.cache import _absolute, _relative

    prefix = "/archive/"
    loaded = {"/archive/content/a.md": 1, "/archived/content/b.md": 2, "/elsewhere/c.md": 3}
    kept = _relative(loaded, prefix)
    assert kept == {"content/a.md": 1, "/archived/content/b.md": 2, "/elsewhere/c.md": 3}
    assert _absolute(kept, prefix) == loaded
    assert _absolute(kept, "/moved/") == {"/moved/content/a.md": 1, "/archived/content/b.md": 2, "/elsewhere/c.md": 3}
