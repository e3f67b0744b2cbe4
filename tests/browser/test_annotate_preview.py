"""Annotate in the preview, in headless Chromium: select a passage, "Annotate", fill the form, save; the
page reloads with the mark and its note; edit it, delete it.  The form is checked with axe and by keyboard.

Every wait is a Playwright expectation with an explicit timeout; the page is reloaded only by the
preview's live-reload client.
"""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dossier.anchoring import normalize
from dossier.quoting import visible_text
from dossier.serve import PreviewServer
from tests.helpers import REPO_ROOT, in_ci
from tests.helpers.annotate import ARCHIVE, FILE
from tests.helpers.files import write_files

RELOAD = 10_000  # ms
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

SELECT = """([words, nth]) => {
  const body = document.querySelector('article .body');
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    let i = -1;
    while ((i = n.data.indexOf(words, i + 1)) >= 0) {
      if (seen++ === nth) {
        const r = document.createRange();
        r.setStart(n, i); r.setEnd(n, i + words.length);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
        return true;
      }
    }
  }
  return false;
}"""


@pytest.fixture
def preview(tmp_path: Path):
    root = write_files(tmp_path / "archive", ARCHIVE)
    with PreviewServer(root, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        yield root, srv


def select(page, words: str, nth: int = 0) -> None:
    assert page.evaluate(SELECT, [words, nth])


def loaded(page) -> None:
    page.wait_for_function("() => window.__dossierLastBuild !== undefined", timeout=RELOAD)


def test_annotate_edit_and_delete_from_the_preview(page, preview):
    root, srv = preview
    page.goto(srv.url + "articles/a/")
    loaded(page)
    select(page, "stood down", 1)
    annotate = page.get_by_role("button", name="Annotate")
    expect(annotate).to_be_visible()
    annotate.click()
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    expect(dialog).to_be_visible()
    expect(dialog.locator("blockquote")).to_have_text("stood down")
    dialog.get_by_label("Kind").select_option("context")
    dialog.get_by_label("Note (Markdown)").fill("Which officers is *not* said.")
    dialog.get_by_label("Claim key (optional)").fill("stood-down")
    dialog.get_by_label("Value (optional)").fill("scores")
    dialog.get_by_role("button", name="Save").click()

    mark = page.locator("mark.k-context")
    expect(mark).to_have_text("stood down", timeout=RELOAD)
    expect(page.locator("aside.sidenote em")).to_have_text("not")
    text = (root / FILE).read_text()
    assert text == ('{.context claim="stood-down" value="scores" which=2}\n> stood down\n\n'
                    "Which officers is *not* said.\n")
    loaded(page)

    page.get_by_role("button", name="Edit context 1").click()
    dialog = page.get_by_role("dialog", name="Edit annotation")
    expect(dialog.get_by_label("Note (Markdown)")).to_have_value("Which officers is *not* said.")
    expect(dialog.get_by_label("Kind")).to_have_value("context")
    dialog.get_by_label("Kind").select_option("correction")
    dialog.get_by_label("Note (Markdown)").fill("Edited in the preview.")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("mark.k-correction")).to_have_text("stood down", timeout=RELOAD)
    expect(page.locator("aside.sidenote")).to_contain_text("Edited in the preview.")
    loaded(page)

    page.get_by_role("button", name="Delete correction 1").click()
    page.get_by_role("dialog", name="Delete this annotation?").get_by_role("button", name="Delete").click()
    expect(page.locator("mark")).to_have_count(0, timeout=RELOAD)
    assert (root / FILE).read_text() == ""


def test_the_form_by_keyboard_and_axe(page, preview):
    root, srv = preview
    page.goto(srv.url + "articles/a/")
    loaded(page)
    first = page.locator("article .body p").first
    box = first.bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + 12, steps=5)
    page.mouse.up()
    annotate = page.get_by_role("button", name="Annotate")
    expect(annotate).to_be_visible()
    # The button stands in the tab order right after the selected paragraph (a few Tabs from the text).
    for _ in range(4):
        page.keyboard.press("Tab")
        if annotate.evaluate("b => b === document.activeElement"):
            break
    expect(annotate).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Annotate this passage")
    note = dialog.get_by_label("Note (Markdown)")
    expect(note).to_be_focused()
    assert AXE.is_file() or not in_ci(), f"{AXE} missing; scripts/test installs it"
    if AXE.is_file():   # outside CI without axe-core, the rest of the test still runs
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        violations = page.evaluate("async () => (await axe.run(document.querySelector('[role=dialog]'), "
                                   "{resultTypes: ['violations']})).violations.map(v => v.id + ': ' + v.help)")
        assert violations == []
    # Focus stays in the form: Tab from the last control comes back to the first, and Shift+Tab the other way.
    dialog.get_by_role("button", name="Cancel").focus()
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Kind")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    # Escape cancels: nothing written, focus back on the button that opened the form.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(annotate).to_be_focused()
    # An empty note is not sent.
    page.keyboard.press("Enter")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog").get_by_role("status")).to_have_text("Write a note.")
    assert not (root / FILE).exists()


def test_a_touch_selection_can_be_annotated(browser, preview):
    root, srv = preview
    context = browser.new_context(viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(srv.url + "articles/a/", timeout=RELOAD)
        loaded(page)
        select(page, "Metropolitan Police")
        page.get_by_role("button", name="Annotate").tap(timeout=RELOAD)
        dialog = page.get_by_role("dialog", name="Annotate this passage")
        expect(dialog.locator("blockquote")).to_have_text("Metropolitan Police", timeout=RELOAD)
        dialog.get_by_label("Note (Markdown)").fill("From a phone.")
        dialog.get_by_role("button", name="Save").tap(timeout=RELOAD)
        expect(page.locator("mark.k-note")).to_have_text("Metropolitan Police", timeout=RELOAD)
        assert (root / FILE).read_text() == "{.note}\n> Metropolitan Police\n\nFrom a phone.\n"
    finally:
        context.close()


RICH = """## A heading in the text

The *head* of the [Met](https://example.org) said `code` and [[mark-rowley|Sir Mark's own words]].[^1]

- a list item
- another, with a\
  hard break

> a quotation in the report

```
fenced code is not text quotes anchor in
```

Last paragraph.

[^1]: A footnote, shown in the margin.
"""


def test_the_text_a_save_sends_is_the_text_quotes_anchor_in(page, tmp_path):
    """For the seed's reports and one with most of Markdown: what annotate.js measures equals, once
    normalised, the visible text the build anchors quotes in; so a selection's offsets name the passage."""
    root = tmp_path / "seed"
    shutil.copytree(REPO_ROOT / "content", root / "content")
    shutil.copy(REPO_ROOT / "site.yaml", root / "site.yaml")
    write_files(root, {"content/articles/rich.md": "---\ntitle: Rich\noutlet: sky-news\npublished: 2023-09-24\n---\n"
                                                   + RICH})
    with PreviewServer(root, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        annotator = srv.dev.httpd.annotator
        for path in sorted((root / "content" / "articles").glob("*.md")):
            page.goto(srv.url + f"articles/{path.stem}/")
            page.wait_for_function("() => window.__dossierAnnotate", timeout=RELOAD)
            shown = page.evaluate("() => window.__dossierAnnotate.pageText()")
            assert normalize(shown)[0] == normalize(visible_text(annotator.article(path.stem).body))[0], path.stem
