"""Every link to a place inside a report (a claim row, an entity page's mention, an "Also in"
note, the annotations index, a note's permalink) names an element the report has."""
from __future__ import annotations

import urllib.parse
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from tests.helpers import REPO_ROOT
from tests.helpers.site import build


def _ids(page: Path, cache: dict) -> set:
    if page not in cache:
        doc = LexborHTMLParser(page.read_text(encoding="utf-8"))
        cache[page] = {n.attributes.get("id") for n in doc.css("[id]")}
    return cache[page]


def test_every_deep_link_into_a_report_lands_on_an_element(tmp_path):
    out = tmp_path / "out"
    build(REPO_ROOT, out, base_url="https://user.github.io/repo/")
    cache: dict = {}
    checked: dict[str, int] = {}
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
            assert urllib.parse.unquote(frag) in _ids(target, cache), (
                f"{page.relative_to(out)}: {a.attributes['href']} lands on nothing")
            kind = page.relative_to(out).parts[0]
            checked[kind] = checked.get(kind, 0) + 1
    # the kinds of page that must link into reports did
    assert checked.get("claims", 0) >= 4 and checked.get("entities", 0) >= 20 and checked.get("annotations", 0) >= 10, checked
    assert checked.get("articles", 0) >= 4, checked  # "Also in" notes link the other report's passage
