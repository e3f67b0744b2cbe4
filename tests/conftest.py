"""Shared fixtures, a small ladder (Lektor's layering):

- ``repo_root``: the repository (the seed archive lives in its ``content/``)
- ``seed_build``: the seed archive built once per session -> (BuildResult, output dir)
- ``seed_html(relpath)``: parse one built page with selectolax
- ``tmp_site(files)``: write a throw-away archive under ``tmp_path``
- ``build(root, **kw)``: build an archive into ``root/output`` and return the BuildResult
- ``tree(dir)``: every file under a folder as {relative posix path: bytes}

Fixture names stay clear of ``browser``/``page`` (tests/browser) and
``tiny_archive``/``sse`` (tests/serve).
"""
from __future__ import annotations

from pathlib import Path

import pytest
# selectolax 1.0 removed the Modest backend (selectolax.parser raises ImportError); lexbor is its successor.
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dossier.pipeline import BuildResult, build_site
from tests.helpers.files import write_files

REPO_ROOT = Path(__file__).resolve().parents[1]

# The smallest valid archive: one outlet and one article.
OUTLET = "---\nname: Daily Example\ntype: outlet\n---\n"




def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def page_file(out: Path, relpath: str) -> Path:
    """``articles/x/`` or ``articles/x`` or '' -> the index.html that serves it."""
    rel = relpath.lstrip("/")
    if rel == "" or rel.endswith("/"):
        return out / rel / "index.html"
    path = out / rel
    return path / "index.html" if path.is_dir() else path


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def seed_build(repo_root: Path, tmp_path_factory) -> tuple[BuildResult, Path]:
    out = tmp_path_factory.mktemp("seed") / "out"
    result = build_site(repo_root, out=out)
    assert result.ok, "seed archive failed to build:\n" + "\n".join(map(str, result.errors))
    return result, out


@pytest.fixture(scope="session")
def seed_site(seed_build):
    """The name ARCHITECTURE.md uses for ``seed_build``."""
    return seed_build


@pytest.fixture(scope="session")
def seed_html(seed_build):
    _result, out = seed_build
    cache: dict[Path, HTMLParser] = {}

    def parse(relpath: str) -> HTMLParser:
        path = page_file(out, relpath)
        assert path.is_file(), f"{relpath} was not built ({path})"
        if path not in cache:
            cache[path] = HTMLParser(path.read_text(encoding="utf-8"))
        return cache[path]

    return parse


@pytest.fixture
def tmp_site(tmp_path: Path):
    made = []

    def make(files: dict[str, str | bytes], name: str | None = None) -> Path:
        root = tmp_path / (name or f"site{len(made)}")
        made.append(root)
        return write_files(root, {"site.yaml": "title: T\n", **files})

    return make


@pytest.fixture
def build():
    def run(root: Path, **kw) -> BuildResult:
        kw.setdefault("out", root / "output")
        kw.setdefault("workers", 1)
        return build_site(root, **kw)

    return run


@pytest.fixture
def tree():
    return read_tree
