"""Every link to a place inside a report (a claim row, an entity page's mention, an "Also in"
note, the annotations index, a note's permalink) names an element the report has; an entity
page's mention lands on the very words that name the entity."""
from __future__ import annotations

import unicodedata
import urllib.parse
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from dossier.names import load
from tests.helpers import REPO_ROOT
from tests.helpers.site import build


def _ids(page: Path, cache: dict) -> dict:
    """id -> the element's visible text, of every element of ``page`` that has an id."""
    if page not in cache:
        doc = LexborHTMLParser(page.read_text(encoding="utf-8"))
        cache[page] = {n.attributes.get("id"): n.text(deep=True) for n in doc.css("[id]")}
    return cache[page]


def _names_of(slug: str, alias_table: dict) -> set:
    return {unicodedata.normalize("NFC", a) for a, s in alias_table.items() if s == slug}


def test_every_deep_link_into_a_report_lands_on_an_element(tmp_path):
    out = tmp_path / "out"
    build(REPO_ROOT, out, base_url="https://user.github.io/repo/")
    cache: dict = {}
    checked: dict[str, int] = {}
    _articles, _entities, alias_table = load(REPO_ROOT)
    sentences = 0
    for page in sorted(out.rglob("*.html")):
        here = "https://user.github.io/repo/" + page.relative_to(out).as_posix()
        doc = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for a in doc.css("a[href*='#']"):
            url = urllib.parse.urljoin(here, a.attributes["href"])
            path, _, frag = url.partition("#")
            if not path.startswith("https://user.github.io/repo/articles/") or not frag:
                continue
            target = out / path.removeprefix("https://user.github.io/repo/")
            target = target if target.name.endswith(".html") else target / "index.html"
            assert target.is_file(), f"{page.relative_to(out)}: {a.attributes['href']} names no report"
            ids = _ids(target, cache)
            frag = urllib.parse.unquote(frag)
            assert frag in ids, f"{page.relative_to(out)}: {a.attributes['href']} lands on nothing"
            kind = page.relative_to(out).parts[0]
            if kind == "entities" and "mentions" in (a.parent.parent.attributes.get("class") or "").split():
                # a listed mention lands on its very words
                assert frag.startswith("m-"), f"{page.relative_to(out)}: {a.attributes['href']} is not a mention"
                slug = page.relative_to(out).parts[1]
                words = unicodedata.normalize("NFC", " ".join(ids[frag].split()))
                assert words in _names_of(slug, alias_table), (
                    f"{page.relative_to(out)}: {a.attributes['href']} lands on {words!r}, not a name of {slug}")
                sentences += 1
            checked[kind] = checked.get(kind, 0) + 1
    # the kinds of page that must link into reports did
    assert checked.get("claims", 0) >= 4 and checked.get("entities", 0) >= 20 and checked.get("annotations", 0) >= 10, checked
    assert checked.get("articles", 0) >= 4, checked  # "Also in" notes link the other report's passage
    # every mention an entity page lists is a link to its words (the seed has 196 mentions or more)
    listed = sum(len(LexborHTMLParser(p.read_text(encoding="utf-8")).css("ul.mentions > li"))
                 for p in (out / "entities").glob("*/index.html"))
    assert sentences == listed and listed >= 100, (sentences, listed)
