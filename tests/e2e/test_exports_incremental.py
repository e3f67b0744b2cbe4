"""The search index and the open data of a cached build after one edit: made again only where the edit
reaches them (counted in the files the build writes), and byte for byte what a cold build makes.

The archive is the benchmark's (``benchmarks/generate.py``), small; each cached build is a new
``Builder`` reading the build cache from disk, as a new ``dossier build`` run does.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier import exports, opendata
from dossier.pipeline import Builder, build_site
from tests.helpers.bench_archive import generate
from tests.helpers.files import differences, tree


def _generate(root: Path, n: int) -> None:
    generate(root, n, seed=5)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A generated archive, built once with the cache; each test takes a copy."""
    base = tmp_path_factory.mktemp("exports")
    _generate(base / "archive", 60)
    assert Builder(base / "archive", base / "archive" / "output", workers=1, cache=True).build().ok
    return base / "archive"


def _copy(src: Path, dst: Path) -> Path:
    import shutil
    shutil.copytree(src, dst, symlinks=True)
    return dst


def _counted(made: list, name: str, fn):
    def counted(*args, **kw):
        made.append(name)
        return fn(*args, **kw)
    return counted


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")


def _annotated_article(root: Path) -> Path:
    return root / "content" / "articles" / sorted((root / "content" / "annotations").glob("*.md"))[0].name


def _entity_name(root: Path) -> str:
    text = sorted((root / "content" / "entities" / "organisations").glob("*.md"))[0].read_text(encoding="utf-8")
    return re.search(r"^name: (.+)$", text, re.M).group(1)


def _edit(root: Path, kind: str) -> None:
    article = _annotated_article(root)
    if kind == "a word":  # of the same length: the average length, and so every other weight, stays
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace(" the ", " tho ", 1), encoding="utf-8")
    elif kind == "plain sentence":
        _append(article, "An edit that names nobody at all.")
    elif kind == "a name":
        _append(article, f"A later statement came from {_entity_name(root)} on Friday.")
    elif kind == "title":
        text = article.read_text(encoding="utf-8")
        article.write_text(re.sub(r"^title: .*$", "title: A title edited", text, count=1, flags=re.M), encoding="utf-8")
    elif kind == "note":
        notes = root / "content" / "annotations" / article.name
        text = notes.read_text(encoding="utf-8")
        at = text.index("\n\n", text.index("\n> ")) + 2
        notes.write_text(text[:at] + "An added word. " + text[at:], encoding="utf-8")


# kind of edit -> the parts of the open data it makes again (the others are carried over from the output)
EDITS = {"a word": set(), "plain sentence": set(), "a name": {"mentions_csv", "articles", "entities"},
         "title": {"articles"},
         "note": {"annotations_jsonld", "claims_json"}}
PARTS = ("annotations_jsonld", "claims_json", "entities", "articles", "mentions_csv")


@pytest.mark.parametrize("kind", EDITS)
def test_one_edit_remakes_only_the_export_files_it_reaches(tmp_path, built, kind, monkeypatch):
    root = _copy(built, tmp_path / "archive")
    _edit(root, kind)
    made = []
    for name in PARTS:
        monkeypatch.setattr(opendata, name, _counted(made, name, getattr(opendata, name)))
    monkeypatch.setattr(exports, "index_of", _counted(made, "whole index", exports.index_of))
    result = Builder(root, root / "output", workers=1, cache=True).build()
    monkeypatch.undo()
    assert set(made) == EDITS[kind]  # the search index is updated, never made whole, after one edit
    assert result.ok, [str(e) for e in result.errors]
    if kind == "a word":
        search = sorted(p for p in result.written if p.startswith("search/"))
        assert len(search) <= 4, search  # the manifest, the record's chunk, the shards of "the" and "tho"
    cold = build_site(root, out=tmp_path / "cold", workers=1)
    assert cold.ok
    got, want = tree(root / "output"), tree(tmp_path / "cold")
    assert differences(got, want) == []
