"""Margin notes in a real browser, measured on the seed archive and on an archive with long notes.

Wide screens (1280 and 1440 px): each note starts level with its passage unless the note above is
in the way, and then that note is shortened to its first lines; notes never overlap the text or
each other and never run more than a short distance past the end of the text.  A shortened note
opens in place (mouse, keyboard) without moving any other note.  Without JavaScript notes float
beside the text.  Narrow screens: notes fold under their paragraph showing their first words and
open and close by click, tap and keyboard, with or without JavaScript, also after the reader
arrives by the note's number.  A permalink lands clear of the top edge with the whole passage
outlined and, on a phone, its note open.
"""
from __future__ import annotations

import contextlib

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.browser import screenshot
from tests.helpers.http import serve_directory
from tests.helpers.reading import GEOMETRY_JS, browser_page, overlaps, wait_placed, write_long_notes_archive
from tests.helpers.site import build

LEVEL_PX = 2  # a level note starts within this distance of its passage's first line
GAP_PX = 16  # a note pushed down by the one above sits at most this far under it
OVERRUN_PX = 40  # notes may end at most this far below the end of the text
LEAST_LINES = 3.3  # a note in the way of the next is shortened to at most this many of its lines


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """(base URL, article paths) of the seed archive and of the long-notes archive, both served."""
    long_root = tmp_path_factory.mktemp("long")
    write_long_notes_archive(long_root)
    served = {}
    with contextlib.ExitStack() as stack:
        for name, root in (("seed", REPO_ROOT), ("long", long_root)):
            out = tmp_path_factory.mktemp(f"out-{name}")
            build(root, out)
            base = stack.enter_context(serve_directory(out, prefix="/"))
            served[name] = (base, sorted(f"articles/{p.parent.name}/" for p in (out / "articles").glob("*/index.html")
                                         if 'class="sidenote' in p.read_text(encoding="utf-8")))
        assert served["seed"][1] and served["long"][1]
        yield served


def _check_wide(geo: dict, where: str) -> dict:
    """Assert the wide-screen promises on one page; return figures for the report."""
    previous, worst, levelled = None, 0.0, 0
    for n in geo["notes"]:
        name = f"{where} {n['id']}"
        assert n["anchor"] is not None, f"{name}: no passage points at it (aria-details) and no reference"
        assert n["bodyVisible"], f"{name}: its text is hidden on a wide screen"
        assert n["note"]["left"] >= geo["textRight"] - 0.5, f"{name} overlaps the text column"
        top, want = n["note"]["top"], n["anchor"]["top"]
        assert top >= want - LEVEL_PX, f"{name} starts above its passage ({top:.0f} < {want:.0f})"
        has_room = previous is None or previous["note"]["bottom"] + GAP_PX <= want
        if previous is not None:
            assert top >= previous["note"]["bottom"] - 0.5, f"{name} overlaps {previous['id']}"
        if has_room:
            assert top - want <= LEVEL_PX, f"{name} has room but sits {top - want:.0f}px below its passage"
        elif top - want > n["line"]:
            shown = previous["note"]["bottom"] - previous["note"]["top"]
            assert top - previous["note"]["bottom"] <= GAP_PX, f"{name} is not right under {previous['id']}"
            assert shown <= LEAST_LINES * previous["line"] + 1, (
                f"{previous['id']} keeps {shown:.0f}px in the way of {name} instead of showing its first lines")
            assert previous["clamped"], f"{previous['id']} is cut without being marked shortened"
        levelled += top - want <= LEVEL_PX
        worst = max(worst, top - want)
        previous = n
    overrun = max(n["note"]["bottom"] for n in geo["notes"]) - geo["textBottom"]
    assert overrun <= OVERRUN_PX, f"{where}: notes run {overrun:.0f}px past the end of the text"
    return {"levelled": levelled, "notes": len(geo["notes"]), "worst": round(worst), "overrun": round(overrun)}


@pytest.mark.parametrize("width", [1280, 1440])
@pytest.mark.parametrize("archive", ["seed", "long"])
def test_wide_notes_are_level_with_their_passages(browser, sites, archive, width):
    base, paths = sites[archive]
    with browser_page(browser, width) as page:
        for path in paths:
            page.goto(base + path)
            wait_placed(page, "wide")
            figures = _check_wide(page.evaluate(GEOMETRY_JS), f"{archive} {path} at {width}px")
            print(f"{archive} {path} {width}px: {figures}")
        screenshot(page, f"margin-notes-{archive}-{width}")


def test_a_shortened_note_opens_in_place_by_mouse_and_keyboard(browser, sites):
    base, paths = sites["long"]
    with browser_page(browser, 1440) as page:
        page.goto(base + paths[0])
        wait_placed(page, "wide")
        short = page.locator(".body > .sidenote.is-clamped")
        assert short.count() >= 2, "the long-notes archive should need shortened notes"
        note = short.first
        tops = page.eval_on_selector_all(".body > .sidenote", "ns => ns.map(n => n.getBoundingClientRect().top + scrollY)")
        before = note.bounding_box()["height"]
        note.locator(".note-body p:not(.note-head)").first.click()
        page.wait_for_function("n => n.classList.contains('is-open')", arg=note.element_handle(), timeout=2_000)
        assert note.bounding_box()["height"] > before + 10
        assert note.evaluate("n => n.scrollHeight <= n.clientHeight + 1"), "the opened note is still cut"
        after = page.eval_on_selector_all(".body > .sidenote", "ns => ns.map(n => n.getBoundingClientRect().top + scrollY)")
        assert after == tops, "opening a note moved other notes"
        screenshot(page, "margin-notes-open-in-place")
        page.mouse.click(5, 5)  # a click elsewhere closes it
        page.wait_for_function("n => !n.classList.contains('is-open')", arg=note.element_handle(), timeout=2_000)

        button = note.locator(".note-more")
        button.focus()
        assert button.get_attribute("aria-expanded") == "false"
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('note-more')")


@pytest.mark.parametrize("width", [768, 1280])
def test_wide_notes_without_javascript_sit_beside_the_text(browser, sites, width):
    base, paths = sites["seed"]
    with browser_page(browser, width, js=False) as page:
        for path in paths:
            page.goto(base + path)
            geo = page.evaluate(GEOMETRY_JS)
            for n in geo["notes"]:
                assert n["bodyVisible"], f"{path} {n['id']} hidden without JavaScript"
                assert n["note"]["left"] >= geo["textRight"] - 0.5, f"{path} {n['id']} overlaps the text"


def test_tablet_uses_its_width(browser, sites):
    base, paths = sites["seed"]
    with browser_page(browser, 768) as page:
        page.goto(base + paths[0])
        wait_placed(page, "wide")
        geo = page.evaluate(GEOMETRY_JS)
        right = max(n["note"]["right"] for n in geo["notes"])
        left = page.eval_on_selector(".body", "b => b.getBoundingClientRect().left")
        assert left <= 24 and right >= 768 - 24, f"the page leaves {left:.0f}px and {768 - right:.0f}px unused"
        _check_wide(geo, f"{paths[0]} at 768px")
        screenshot(page, "margin-notes-tablet")


@pytest.mark.parametrize("width", [900, 990])
def test_between_tablet_and_desktop_the_text_keeps_its_measure_and_the_notes_take_the_rest(browser, sites, width):
    """From 48 to 62rem the notes column grows (13 to 15rem) before the text passes the measure
    (36rem): lines no longer than on a desktop, notes no narrower than on a tablet."""
    base, paths = sites["seed"]
    with browser_page(browser, width) as page:
        page.goto(base + paths[0])
        wait_placed(page, "wide")
        rem = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        text = page.eval_on_selector(".body", "b => b.getBoundingClientRect().width")
        notes = page.eval_on_selector_all(".body > .sidenote", "ns => ns.map(n => n.getBoundingClientRect().width)")
        assert text <= 36 * rem + 0.5, f"at {width}px the text is {text:.0f}px wide, more than the measure"
        assert notes and min(notes) >= 13 * rem - 0.5, f"at {width}px a note is {min(notes):.0f}px wide"
        assert max(notes) > 13 * rem + 0.5, f"at {width}px the notes did not take the width left over"
        _check_wide(page.evaluate(GEOMETRY_JS), f"{paths[0]} at {width}px")


def _folded(page, note) -> bool:
    return note.evaluate("n => getComputedStyle(n.querySelector('.note-body')).maxHeight !== 'none'")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("how", ["click", "tap", "keyboard"])
def test_narrow_notes_fold_and_open_in_place(browser, sites, js, how):
    base, paths = sites["seed"]
    with browser_page(browser, 390, js=js, touch=how == "tap") as page:
        page.goto(base + paths[0])
        if js:
            wait_placed(page, "narrow")
        notes = page.locator(".body > .sidenote")
        for i in range(notes.count()):
            assert _folded(page, notes.nth(i)), f"note {i + 1} is open before it is asked for"
            first_words = notes.nth(i).locator(".note-body > p:not(.note-head)").first
            assert first_words.is_visible() and first_words.inner_text().strip(), f"note {i + 1} is a blind bar"
        for i in range(min(notes.count(), 3)):
            note = notes.nth(i)
            for want_open in (True, False):
                _toggle(page, note, how)
                page.wait_for_function("([n, o]) => (getComputedStyle(n.querySelector('.note-body')).maxHeight"
                                       " === 'none') === o", arg=[note.element_handle(), want_open], timeout=2_000)
            if i == 0:
                _check_opens_under_its_paragraph(note)


def _toggle(page, note, how):
    label = note.locator(".note-label")
    if how == "click":
        label.click()
    elif how == "tap":
        label.tap()
    else:
        note.locator(".note-toggle").focus()
        page.keyboard.press("Space")
        outline = label.evaluate("l => getComputedStyle(l).outlineStyle")
        assert outline != "none", "the focused note toggle shows no focus ring"


def _check_opens_under_its_paragraph(note):
    placed = note.evaluate("""n => {
      const ref = document.querySelector(`.note-ref a[href="#${n.id}"]`).closest('.body > *');
      return {para: ref.getBoundingClientRect().bottom, note: n.getBoundingClientRect().top};
    }""")
    assert placed["note"] >= placed["para"] - 12, "the note does not come after the paragraph that refers to it"


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_a_note_reached_by_its_number_can_be_closed_on_a_phone(browser, sites, js):
    base, paths = sites["seed"]
    with browser_page(browser, 390, js=js, touch=True) as page:
        page.goto(base + paths[0])
        ref = page.locator(".note-ref a").nth(1)
        target = ref.get_attribute("href")
        ref.tap()
        page.wait_for_url("**" + target, timeout=2_000)
        note = page.locator(target)
        page.wait_for_function("n => getComputedStyle(n.querySelector('.note-body')).maxHeight === 'none'",
                               arg=note.element_handle(), timeout=2_000)
        top = note.evaluate("n => n.getBoundingClientRect().top")
        assert top >= 40, f"the note lands {top:.0f}px from the top edge"
        note.locator(".note-label").tap()
        page.wait_for_function("n => getComputedStyle(n.querySelector('.note-body')).maxHeight !== 'none'",
                               arg=note.element_handle(), timeout=2_000)


@pytest.mark.parametrize("width", [390, 1440])
def test_a_permalink_lands_clear_of_the_top_with_the_passage_outlined(browser, sites, width):
    base, paths = sites["seed"]
    with browser_page(browser, width) as page:
        page.goto(base + paths[0])
        # a passage split by a link or emphasis, if there is one: several marks for one note
        key = page.evaluate("""() => { const counts = {};
          for (const m of document.querySelectorAll('.body mark[data-note]')) counts[m.dataset.note] = (counts[m.dataset.note] || 0) + 1;
          const keys = Object.keys(counts); return keys.sort((a, b) => counts[b] - counts[a])[keys.length > 2 ? 2 : 0]; }""")
        page.goto(base + paths[0] + "#" + key)
        wait_placed(page, "wide" if width > 700 else "narrow")
        pieces = page.locator(f'.body mark[data-note="{key}"]')
        for i in range(pieces.count()):
            outline = pieces.nth(i).evaluate("m => getComputedStyle(m).outlineStyle")
            assert outline != "none", f"piece {i + 1} of the passage is not outlined"
        top = page.locator(f"#{key}").evaluate("m => m.getBoundingClientRect().top")
        assert top >= 40, f"the passage lands {top:.0f}px from the top edge"
        if width < 700:
            note = page.locator(f"#note-{key}")
            assert note.evaluate("n => getComputedStyle(n.querySelector('.note-body')).maxHeight === 'none'"), \
                "the passage's note is folded"


@pytest.mark.parametrize("width,media", [(390, "screen"), (768, "screen"), (1280, "screen"), (1280, "print")])
def test_a_notes_claim_starts_its_own_line_under_the_label(browser, sites, width, media):
    """The claim a note bears starts at the note's left edge, below the label: nothing of it hangs on
    the label's line beside the permalink (or where print hides the permalink); the permalink is
    level with the label."""
    base, paths = sites["seed"]
    with browser_page(browser, width, media=media) as page:
        page.goto(base + paths[0])
        if media == "screen":
            wait_placed(page, "wide" if width > 700 else "narrow")
        notes = page.locator(".body > .sidenote:has(.note-claim)")
        assert notes.count() >= 2
        for i in range(notes.count()):
            note = notes.nth(i)
            if width < 700:
                note.locator(".note-label").click()
                page.wait_for_function("n => getComputedStyle(n.querySelector('.note-body')).maxHeight === 'none'",
                                       arg=note.element_handle(), timeout=2_000)
            geo = note.evaluate("""n => { const r = e => e.getBoundingClientRect();
              const claim = n.querySelector('.note-claim'), label = n.querySelector('.note-label');
              return {claim: r(claim).top, claimLeft: r(claim).left, label: r(label).bottom, labelTop: r(label).top + parseFloat(getComputedStyle(label).paddingTop),
                      permalink: r(n.querySelector('.permalink')).top,
                      left: r(n.querySelector('.note-body')).left, text: claim.innerText}; }""")
            where = f"{paths[0]} note {i + 1} at {width}px {media}"
            assert geo["text"].startswith("Claim: "), where
            assert geo["claim"] >= geo["label"] - 1, f"{where}: the claim sits beside the label"
            assert abs(geo["claimLeft"] - geo["left"]) < 1, f"{where}: the claim is indented"
            if media == "screen":  # the permalink on the label's line, level with it (print hides it)
                assert abs(geo["permalink"] - geo["labelTop"]) < 1.5, f"{where}: the permalink sits below the label"


# For every note reference followed by punctuation: the top of the reference's line and of the
# punctuation's line (a range over its first character), and the text around them for the message.
REF_AND_PUNCTUATION_JS = """() => [...document.querySelectorAll('.body .note-ref')].flatMap(sup => {
  const next = sup.nextSibling;
  if (!next || next.nodeType !== Node.TEXT_NODE || !/^[.,;:!?)\\]]/.test(next.data)) return [];
  const range = document.createRange(); range.setStart(next, 0); range.setEnd(next, 1);
  return [{ref: sup.querySelector('a').getBoundingClientRect().bottom, mark: range.getBoundingClientRect().bottom,
           text: sup.textContent + next.data.slice(0, 12)}];
})"""


@pytest.mark.parametrize("width", range(330, 431, 20))
def test_a_note_reference_keeps_the_punctuation_after_it_on_its_line(browser, sites, width):
    """A line never starts with the full stop or comma that follows a note's number ("force³" at the
    end of one line, ". Additional" at the start of the next): the reference is an inline link, which
    offers no break before the punctuation. Narrow widths in steps, so that some reference falls at a
    line's end in at least one of them."""
    base, paths = sites["seed"]
    with browser_page(browser, width) as page:
        seen = 0
        for path in paths:
            page.goto(base + path)
            wait_placed(page, "narrow")
            for pair in page.evaluate(REF_AND_PUNCTUATION_JS):
                seen += 1
                assert abs(pair["ref"] - pair["mark"]) < 12, \
                    f"{path} at {width}px: {pair['text']!r} breaks between the note's number and the punctuation"
        assert seen >= 3, f"only {seen} note references followed by punctuation in the seed"
