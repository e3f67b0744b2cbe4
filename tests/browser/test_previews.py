"""Previews of entities and notes (hover, keyboard focus, touch), names of note references, and
notes that are not landmarks, on the seed archive's most linked article."""
from __future__ import annotations

import re

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.http import serve_directory
from tests.helpers.reading import browser_page
from tests.helpers.site import build


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build(REPO_ROOT, out)
    pages = sorted((out / "articles").glob("*/index.html"), key=lambda p: -p.read_text(encoding="utf-8").count('class="m"'))
    with serve_directory(out) as base:
        yield base, f"articles/{pages[0].parent.name}/", pages[0].read_text(encoding="utf-8")


def _text_boxes(page):
    return page.eval_on_selector_all(".body > p", "ps => ps.map(p => { const r = p.getBoundingClientRect(); "
                                     "return [r.top + scrollY, r.height, r.width]; })")


def test_hover_and_focus_show_a_preview_without_moving_the_text(browser, article):
    base, path, _ = article
    with browser_page(browser, 1280) as page:
        page.goto(base + path)
        before = _text_boxes(page)
        link = page.locator(".body a.m").first
        link.hover()
        tip = page.locator("#dossier-preview")
        tip.wait_for(state="visible", timeout=2_000)
        assert "·" in tip.inner_text()  # "name · type"
        assert link.get_attribute("aria-describedby") == "dossier-preview"
        assert _text_boxes(page) == before, "the preview moved the text"
        page.mouse.move(2, 2)
        tip.wait_for(state="hidden", timeout=2_000)

        ref = page.locator(".note-ref a").first
        ref.focus()
        tip.wait_for(state="visible", timeout=2_000)
        note = page.locator(ref.get_attribute("href")).locator(".note-body > p:not(.note-head)").first
        assert note.inner_text().strip()[:30] in tip.inner_text()
        page.keyboard.press("Escape")
        tip.wait_for(state="hidden", timeout=2_000)


def test_a_first_tap_previews_an_entity_and_a_second_follows_it(browser, article):
    base, path, _ = article
    with browser_page(browser, 390, touch=True) as page:
        page.goto(base + path)
        link = page.locator(".body a.m").first
        href = link.get_attribute("href")
        link.tap()
        page.locator("#dossier-preview").wait_for(state="visible", timeout=2_000)
        assert page.url == base + path
        link.tap()
        page.wait_for_url("**" + href.lstrip("."), timeout=5_000)


def test_without_javascript_links_work_and_no_title_attributes(browser, article):
    base, path, html = article
    assert not re.search(r'<a class="m"[^>]* title=', html), "entity links still carry title attributes"
    with browser_page(browser, 1280, js=False) as page:
        page.goto(base + path)
        link = page.locator(".body a.m").first
        href = link.get_attribute("href")
        link.click()
        page.wait_for_url("**" + href.lstrip("."), timeout=5_000)


def test_note_references_say_what_they_open_and_notes_are_not_landmarks(browser, article):
    base, path, _ = article
    with browser_page(browser, 1280) as page:
        page.goto(base + path)
        names = page.eval_on_selector_all(".note-ref a", "as => as.map(a => a.getAttribute('aria-label'))")
        kinds = {"note", "footnote", "context", "correction", "discrepancy", "also in"}
        for i, name in enumerate(names):
            m = re.fullmatch(r"Note (\d+), (.+)", name or "")
            assert m and m.group(2) in kinds, f"reference {i + 1} is named {name!r}"
        assert page.get_by_role("complementary").count() == 0
        assert page.locator(".body > .sidenote").count() == page.get_by_role("note").count()
