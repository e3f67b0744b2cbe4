"""Margin notes in a real browser.

Wide screens: every note stands in the margin column to the right of the text,
level with the start of its passage (dossier.js nudges it there) unless the note
before it is in the way, and notes never overlap.  Narrow screens: each note is
folded to its label under its paragraph and opens in place when the label is
clicked or its checkbox toggled from the keyboard, with or without JavaScript.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier.pipeline import build_site
from tests.helpers import REPO_ROOT
from tests.helpers.browser import DEFAULT_TIMEOUT_MS, screenshot
from tests.helpers.http import serve_directory

WIDE = {"width": 1400, "height": 900}
NARROW = {"width": 400, "height": 800}
PLACED_WAIT_MS = 5_000  # dossier.js marks <html data-notes-placed> when it has run
STACK_GAP_PX = 40  # a note pushed down by its predecessor sits right under it


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(REPO_ROOT, out=out)
    with serve_directory(out, prefix="/") as base:
        yield out, base


def _annotated_article(out: Path) -> str:
    """The article with the most margin notes (authored annotations preferred)."""
    best, best_score = None, (-1, -1)
    for index in sorted((out / "articles").glob("*/index.html")):
        html = index.read_text(encoding="utf-8")
        kinds = re.findall(r'<aside class="sidenote k-([a-z]+)"', html)
        score = (sum(k != "shared" for k in kinds), len(kinds))
        if score > best_score:
            best, best_score = index.parent.name, score
    if best is None or best_score[1] == 0:
        pytest.skip("the seed archive has no article with margin notes yet")
    return f"articles/{best}/"


def _new_page(browser, viewport, *, js=True):
    context = browser.new_context(viewport=viewport, java_script_enabled=js)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    return context, context.new_page()


GEOMETRY_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right, height: r.height}; };
  const body = document.querySelector('.body');
  const paras = [...body.querySelectorAll(':scope > p')];
  const line = parseFloat(getComputedStyle(paras[0]).lineHeight);
  const notes = [...body.querySelectorAll(':scope > aside.sidenote')].map(n => {
    const key = n.id.replace(/^note-/, '');
    const anchor = document.getElementById(key) || document.getElementById('ref-' + key);
    const nb = n.querySelector('.note-body');
    return {id: n.id, note: box(n), body: box(nb), anchor: anchor ? box(anchor) : null};
  });
  return {line, textRight: Math.max(...paras.map(p => p.getBoundingClientRect().right)), notes};
}"""


def test_wide_notes_sit_in_the_margin_level_with_their_passage(browser, site):
    out, base = site
    path = _annotated_article(out)
    context, page = _new_page(browser, WIDE)
    try:
        page.goto(base + path)
        page.wait_for_function("document.documentElement.dataset.notesPlaced === 'wide'", timeout=PLACED_WAIT_MS)
        notes = page.locator(".body > aside.sidenote")
        assert notes.count() > 0
        for i in range(notes.count()):
            assert notes.nth(i).locator(".note-body").is_visible(), f"note {i + 1} body hidden on a wide screen"
            assert not notes.nth(i).locator(".note-toggle").is_visible()
        geo = page.evaluate(GEOMETRY_JS)
        line = geo["line"]
        previous = None
        aligned = 0
        for n in geo["notes"]:
            assert n["anchor"] is not None, f"{n['id']} has no passage or reference in the text"
            assert n["body"]["left"] >= geo["textRight"] - 0.5, f"{n['id']} overlaps the text column"
            top, want = n["note"]["top"], n["anchor"]["top"]
            assert top >= want - line, f"{n['id']} starts above its passage ({top:.0f} < {want:.0f})"
            if previous is not None:
                assert top >= previous["note"]["bottom"], f"{n['id']} overlaps {previous['id']}"
            if abs(top - want) <= line:
                aligned += 1
            else:  # only a taller note above may push it down, and then it sits right under that note
                assert previous is not None and top - previous["note"]["bottom"] <= STACK_GAP_PX, (
                    f"{n['id']} is {top - want:.0f}px below its passage with nothing in the way")
            previous = n
        assert aligned >= 1
        first = geo["notes"][0]
        assert abs(first["note"]["top"] - first["anchor"]["top"]) <= line
        screenshot(page, "margin-notes-wide")
    finally:
        context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_narrow_notes_fold_under_their_paragraph_and_open_in_place(browser, site, js):
    out, base = site
    path = _annotated_article(out)
    context, page = _new_page(browser, NARROW, js=js)
    try:
        page.goto(base + path)
        if js:
            page.wait_for_function("document.documentElement.dataset.notesPlaced === 'narrow'",
                                   timeout=PLACED_WAIT_MS)
        notes = page.locator(".body > aside.sidenote")
        count = notes.count()
        assert count > 0
        for i in range(count):
            assert notes.nth(i).locator(".note-body").is_hidden(), f"note {i + 1} is open before it is asked for"
            assert notes.nth(i).locator(".note-label").is_visible()
        screenshot(page, f"margin-notes-narrow-folded-{'js' if js else 'nojs'}")

        for i in range(min(count, 3)):
            note = notes.nth(i)
            note.locator(".note-label").click()
            body = note.locator(".note-body")
            body.wait_for(state="visible", timeout=2_000)
            placed = note.evaluate("""n => {
              const key = n.id.replace(/^note-/, '');
              const para = document.getElementById('ref-' + key).closest('.body > *');
              const p = para.getBoundingClientRect(), b = n.querySelector('.note-body').getBoundingClientRect();
              const nr = n.getBoundingClientRect();
              let prev = n.previousElementSibling;  // other notes of the same paragraph may come first
              while (prev && prev !== para && prev.matches('aside.sidenote')) prev = prev.previousElementSibling;
              const before = n.previousElementSibling.getBoundingClientRect();
              return {paraBottom: p.bottom, paraLeft: p.left, noteTop: nr.top, bodyTop: b.top, bodyLeft: b.left,
                      beforeBottom: before.bottom, line: parseFloat(getComputedStyle(para).lineHeight),
                      next: prev === para};
            }""")
            assert placed["next"], "the note does not follow the paragraph that refers to it"
            assert placed["bodyTop"] >= placed["paraBottom"] - 1, "the opened note is not below its paragraph"
            assert placed["noteTop"] - placed["beforeBottom"] <= placed["line"], "the note opened away from its paragraph"
            assert placed["bodyLeft"] >= placed["paraLeft"] - 1
            note.locator(".note-label").click()
            body.wait_for(state="hidden", timeout=2_000)

        # Keyboard: the checkbox takes focus and Space opens the note.
        first = notes.nth(0)
        first.locator(".note-toggle").focus()
        page.keyboard.press("Space")
        first.locator(".note-body").wait_for(state="visible", timeout=2_000)
        outline = first.locator(".note-label").evaluate("l => getComputedStyle(l).outlineStyle")
        assert outline != "none", "the focused note toggle shows no focus ring"
        screenshot(page, f"margin-notes-narrow-open-{'js' if js else 'nojs'}")
    finally:
        context.close()
