"""The short keyboard path through a report's text: on a link in a paragraph, N moves focus to
the first link of the next paragraph that has one, Shift+N back, and a hint says so while a link
in the text has keyboard focus. The seed archive is built with every mention linked
(``link_mentions: all``), so paragraphs are full of links."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.http import serve_directory
from tests.helpers.reading import browser_page
from tests.helpers.site import build

# Marks, in the page, the stops the test expects: the first usable focusable element of each
# block of the text (notes aside) that has one, in order, as data-stop="0", "1", ...
_MARK_STOPS = """() => {
  const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const blocks = [...document.querySelectorAll('.body > *:not(.sidenote)')];
  const counts = [];
  for (const b of blocks) {
    const usable = [...b.querySelectorAll(sel)].filter(el => el.getClientRects().length > 0);
    if (!usable.length) continue;
    usable[0].setAttribute('data-stop', String(counts.length));
    counts.push(usable.length);
  }
  return counts;
}"""


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    config = (REPO_ROOT / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(re.sub(r"(?m)^link_mentions:.*$", "link_mentions: all", config), encoding="utf-8")
    out = tmp_path_factory.mktemp("site")
    build(root, out)
    pages = sorted((out / "articles").glob("*/index.html"), key=lambda p: -p.read_text(encoding="utf-8").count('class="m"'))
    with serve_directory(out) as base:
        yield base + f"articles/{pages[0].parent.name}/"


def _focused(page) -> str:
    return page.evaluate("() => { const a = document.activeElement; return a.getAttribute('data-stop') || "
                         "(a.closest('.body') ? 'in-text' : 'after-text:' + a.tagName); }")


def _tab_to(page, stop: str) -> None:
    """Focus the stop by keyboard (Shift+Tab from it, then Tab), so it is :focus-visible."""
    page.locator(f'[data-stop="{stop}"]').focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert _focused(page) == stop


@pytest.mark.parametrize("width", [1280, 390])
def test_n_skips_past_a_paragraphs_links_and_shift_n_goes_back(browser, linked, width):
    with browser_page(browser, width) as page:
        page.goto(linked)
        counts = page.evaluate(_MARK_STOPS)
        busy = next(i for i, n in enumerate(counts) if n >= 3 and i + 1 < len(counts))
        _tab_to(page, str(busy))
        hint = page.locator("#kbd-hint")
        hint.wait_for(state="visible", timeout=2_000)
        assert "N" in hint.inner_text() and hint.bounding_box()["width"] > 50, "the hint is not shown"

        page.keyboard.press("n")  # past the busy paragraph's other links and notes, in one key
        assert _focused(page) == str(busy + 1), f"{counts[busy]} links in the paragraph were not skipped"
        page.keyboard.press("Shift+N")
        assert _focused(page) == str(busy)

        _tab_to(page, str(len(counts) - 1))
        page.keyboard.press("n")  # after the last paragraph: what follows the text
        assert _focused(page).startswith("after-text"), _focused(page)
        page.wait_for_function("() => !document.getElementById('kbd-hint').classList.contains('is-shown')",
                               timeout=2_000)


def test_n_is_left_alone_outside_the_text(browser, linked):
    with browser_page(browser, 1280) as page:
        page.goto(linked)
        page.evaluate(_MARK_STOPS)
        page.keyboard.press("Tab")  # the skip link
        before = page.evaluate("() => document.activeElement.className")
        page.keyboard.press("n")
        assert page.evaluate("() => document.activeElement.className") == before
