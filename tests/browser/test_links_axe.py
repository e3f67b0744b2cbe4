"""The pages issue 14's links touch, with two notes on the same words, a linked byline, a "Wrote"
list and a headline mention: no axe violations at 1440 and 390 px, and hovering the passage
lights up both of its notes."""
from __future__ import annotations

import pytest

from tests.browser.test_axe import AXE, RUN_AXE, require_axe
from tests.e2e.test_links import ARCHIVE
from tests.helpers.files import write_files
from tests.helpers.http import serve_directory
from tests.helpers.reading import browser_page
from tests.helpers.site import build

PATHS = ["articles/clock/", "articles/clock-again/", "entities/sam-plover/", "entities/edith-pell/",
         "claims/stop-time/"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_axe()
    root = write_files(tmp_path_factory.mktemp("links"), ARCHIVE)
    build(root, root / "out")
    with serve_directory(root / "out") as base:
        yield base


@pytest.mark.parametrize("width", [1440, 390])
def test_no_axe_violations(browser, served, width):
    script = AXE.read_text(encoding="utf-8")
    problems = []
    with browser_page(browser, width) as page:
        for path in PATHS:
            page.goto(served + path)
            page.add_script_tag(content=script)
            problems += [f"/{path}: {v}" for v in page.evaluate(RUN_AXE)]
    assert not problems, "\n".join(problems)


def test_hovering_two_notes_words_lights_up_both_notes(browser, served):
    with browser_page(browser, 1440) as page:
        page.goto(served + "articles/clock/")
        page.hover("#ann-stopped-at-noon-on-friday-correction")
        active = page.eval_on_selector_all(".sidenote.is-active", "ns => ns.map(n => n.id)")
        assert sorted(active) == ["note-ann-stopped-at-noon-on-friday", "note-ann-stopped-at-noon-on-friday-correction"]
