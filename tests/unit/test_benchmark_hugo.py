"""benchmarks/hugo_site.py: the benchmark archive in Hugo's format is the same archive."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import REPO_ROOT

BENCH = REPO_ROOT / "benchmarks"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    _module("generate").generate(root, 40, seed=3)
    sys.modules.setdefault("hugo_site_under_test", _module("hugo_site"))
    return root, sys.modules["hugo_site_under_test"].export(root, "stamp")


def _front(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def test_every_article_and_entity_has_its_hugo_page(archive):
    root, site = archive
    articles = sorted(p.name for p in (root / "content" / "articles").glob("*.md"))
    assert sorted(p.name for p in (site / "content" / "articles").glob("*.md")) == articles
    entities = {p.stem: _front(p) for p in (root / "content" / "entities").rglob("*.md")}
    terms = {p.parent.name: _front(p) for p in (site / "content" / "entities").glob("*/_index.md")}
    assert terms == {slug: {"title": e["name"], "description": e.get("description", "")}
                     for slug, e in entities.items()}


def test_an_article_lists_the_entities_its_text_names(archive):
    root, site = archive
    named = 0
    for path in (root / "content" / "articles").glob("*.md"):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
        listed = _front(site / "content" / "articles" / path.name)["entities"]
        for slug in listed:
            names = [e for p in (root / "content" / "entities").rglob(f"{slug}.md") for e in [_front(p)]]
            assert names and any(n in body for n in [names[0]["name"], *names[0]["aliases"]])
        named += len(listed)
    assert named >= 40 * 2  # a few entities in every report


def test_the_stamp_keeps_an_export_until_it_changes(archive):
    root, site = archive
    module = sys.modules["hugo_site_under_test"]
    (site / "marker").write_text("x")
    module.export(root, "stamp")
    assert (site / "marker").exists()
    module.export(root, "other")
    assert not (site / "marker").exists() and (site / "hugo.toml").is_file()


@pytest.mark.skipif(shutil.which("hugo") is None, reason="Debian's hugo is not installed (the benchmark says so too)")
def test_hugo_builds_a_page_per_article_and_per_entity(archive, tmp_path):
    root, site = archive
    module = sys.modules["hugo_site_under_test"]
    out = tmp_path / "out"
    subprocess.run(module.command(shutil.which("hugo"), site, out), check=True, capture_output=True, timeout=120)
    arts = list((out / "articles").glob("*/index.html"))
    terms = list((out / "entities").glob("*/index.html"))
    assert len(arts) == 40 and len(terms) == len(list((root / "content" / "entities").rglob("*.md")))
