"""Issue 10: ids made from content cannot clash with the theme's ids, the preview's, or DOM names."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from dossier.pipeline import build_site

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
CLIENT_JS = Path(__file__).resolve().parents[2] / "dossier" / "serve" / "client.js"

# One annotation per hostile id: the theme's own (main, article-title), the preview overlay's,
# names a script reaches as window or document properties, and the ids Dossier gives notes.
HOSTILE_IDS = ["main", "article-title", "dossier-overlay", "_dossier-overlay", "__proto__", "location",
               "constructor", "note-ann-x", "fn-1", "ref-fn-1"]
ARTICLE = ("---\ntitle: A report\noutlet: daily\npublished: 2023-09-25\n---\n"
           + " ".join(f"Passage {i} is here." for i in range(len(HOSTILE_IDS))) + " See[^1].\n\n[^1]: A footnote.\n")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> LexborHTMLParser:
    root = tmp_path_factory.mktemp("ids") / "site"
    shutil.copytree(SITES / "minimal", root)
    (root / "content/articles/report.md").write_text(ARTICLE, encoding="utf-8")
    notes = "\n\n".join(f"{{#{ident}}}\n> Passage {i} is here\n\nNote {i}." for i, ident in enumerate(HOSTILE_IDS))
    (root / "content/annotations/report.md").write_text(notes + "\n", encoding="utf-8")
    result = build_site(root, out=root / "output", workers=1)
    assert result.ok, result.errors
    return LexborHTMLParser((root / "output/articles/report/index.html").read_text(encoding="utf-8"))


def test_every_id_on_the_page_is_unique(page):
    ids = [node.attributes["id"] for node in page.css("[id]")]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_the_themes_elements_keep_their_ids(page):
    assert page.css_first("#main").tag == "main"
    assert page.css_first("#article-title").tag == "h1"


@pytest.mark.parametrize("ident", HOSTILE_IDS)
def test_annotation_ids_carry_the_prefix(page, ident):
    mark = page.css_first(f'mark[id="ann-{ident}"]')
    assert mark is not None and mark.attributes["data-note"] == f"ann-{ident}"
    assert page.css_first(f'aside[id="note-ann-{ident}"]') is not None
    permalink = page.css_first(f'aside[id="note-ann-{ident}"] a.permalink')
    assert permalink.attributes["href"] == f"#ann-{ident}"


def test_no_content_id_is_a_dom_property_name(page):
    # Every id inside the article body has a hyphen after a known prefix: none is reachable as
    # window.<id> or document.<id> (location, __proto__, constructor ...).
    body_ids = [node.attributes["id"] for node in page.css(".body [id]")]
    assert body_ids
    assert all(re.match(r"(ann|note|nt|ref|par)-", i) for i in body_ids), body_ids


def test_the_preview_overlay_ids_cannot_be_made_from_content():
    # Content ids start with a letter prefix; the overlay's start with an underscore.
    ids = set(re.findall(r'id: "([^"]+)"|OVERLAY_ID = "([^"]+)"', CLIENT_JS.read_text(encoding="utf-8")))
    flat = {i for pair in ids for i in pair if i}
    assert flat and all(i.startswith("_dossier-") for i in flat), flat
