"""Printing an article, from a desktop window after dossier.js has placed the notes, and without
JavaScript: every note is a numbered block after its paragraph, overlapping neither the text nor
another note; a printed PDF has page margins; outside link targets and the page's own address
are printed."""
from __future__ import annotations

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.http import serve_directory
from tests.helpers.reading import GEOMETRY_JS, browser_page, overlaps, wait_placed, write_long_notes_archive
from tests.helpers.site import build


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    root = tmp_path_factory.mktemp("long")
    write_long_notes_archive(root)
    # an outside link in a note, whose address print must show
    notes = root / "content" / "annotations" / "long.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\n> Passage 4 b opens here\n\nSee "
                     "[the statement](https://example.org/statement).\n", encoding="utf-8")
    outs = {}
    for name, src in (("seed", REPO_ROOT), ("long", root)):
        outs[name] = tmp_path_factory.mktemp(f"out-{name}")
        build(src, outs[name])
    with serve_directory(outs["seed"]) as seed, serve_directory(outs["long"]) as long:
        yield [seed + f"articles/{p.parent.name}/" for p in sorted((outs["seed"] / "articles").glob("*/index.html"))] \
            + [long + "articles/long/"]


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_printed_notes_never_overlap_the_text_or_each_other(browser, printed, js):
    with browser_page(browser, 1440, js=js) as page:
        for url in printed:
            page.goto(url)
            if js:
                wait_placed(page, "wide")  # the screen placement ran first, as when printing a desktop window
            page.emulate_media(media="print")
            geo = page.evaluate(GEOMETRY_JS)
            assert geo["notes"], url
            for i, n in enumerate(geo["notes"]):
                assert n["bodyVisible"], f"{url} {n['id']}: not printed in full"
                for para in geo["paras"]:
                    assert not overlaps(n["note"], para), f"{url} {n['id']} lies on the text"
                for other in geo["notes"][i + 1:]:
                    assert not overlaps(n["note"], other["note"]), f"{url} {n['id']} lies on {other['id']}"
                shown = page.locator(f"#{n['id']}").evaluate("n => n.scrollHeight <= n.clientHeight + 1")
                assert shown, f"{url} {n['id']} is cut short in print"
            numbers = page.eval_on_selector_all(".body > .sidenote .note-num", "ns => ns.map(n => n.textContent)")
            assert numbers == [str(i + 1) for i in range(len(numbers))]
            page.emulate_media(media="screen")


def test_print_shows_outside_link_targets_and_has_page_margins(browser, printed, tmp_path):
    with browser_page(browser, 1280) as page:
        page.goto(printed[-1])
        page.emulate_media(media="print")
        after = page.eval_on_selector('.sidenote a[href^="http"]', "a => getComputedStyle(a, '::after').content")
        assert "https://example.org/statement" in after
        assert page.locator(".print-only").inner_text().startswith("https://example.org/articles/long/")
        margin = page.evaluate("""() => { for (const sheet of document.styleSheets) for (const rule of sheet.cssRules)
            if (rule instanceof CSSPageRule) return rule.style.marginTop; return ''; }""")
        assert margin and margin != "0px", "no @page margin"
        pdf = tmp_path / "article.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
        assert pdf.read_bytes().startswith(b"%PDF")
