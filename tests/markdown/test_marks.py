"""dossier/markdown/marks.py: annotation quotes become ``<mark>`` spans, well nested, with their notes."""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file
from selectolax.lexbor import LexborHTMLParser

from dossier.model import Annotation

FIXTURES = Path(__file__).parent / "fixtures"
VOID = {"br", "img", "input", "hr", "meta", "link"}


class _Nesting(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def assert_well_nested(html: str) -> None:
    """Browsers repair mis-nested tags silently; this checks the HTML as written."""
    p = _Nesting()
    p.feed(html)
    p.close()
    assert not p.problems and not p.stack, (p.problems, p.stack, html)


def marked_text(html: str, ident: str) -> str:
    doc = LexborHTMLParser(html)
    return "".join(m.text() for m in doc.css(f'mark[data-note="{ident}"]'))


@pytest.mark.parametrize("line,title,input,expected", read_fixture_file(FIXTURES / "marks.md"))
def test_fixture(harness, line, title, input, expected):
    html, env = harness.render_with_annotations(input)
    assert env["errors"] == []
    assert html == expected, f"fixtures/marks.md:{line}: {title}"
    assert_well_nested(html)


def test_mark_across_link_and_emphasis_is_well_nested(harness):
    text = "Earlier, Sir Mark Rowley *demanded* increased [legal](https://x.org) **protections for** officers.\n"
    anns = harness.annotations("> Rowley demanded increased legal protections for\n\nN.\n")
    html, env = harness.render(text, annotations=anns)
    assert_well_nested(html)
    assert marked_text(html, anns[0].anchor) == "Rowley demanded increased legal protections for"
    doc = LexborHTMLParser(html)
    marks = doc.css("mark")
    assert [m.attributes.get("id") for m in marks].count(anns[0].anchor) == 1  # the id is on the first piece only
    assert marks[0].attributes.get("id") == anns[0].anchor
    # Marks sit inside the entity link, the emphasis and the external link: never across them.
    assert {m.parent.tag for m in marks} >= {"a", "em", "strong", "p"}
    # The note reference comes right after the last marked piece.
    ref = doc.css_first(f"sup#ref-{anns[0].anchor}")
    assert ref is not None and ref.css_first("a").attributes["href"] == f"#note-{anns[0].anchor}"
    assert doc.css_first(f"aside#note-{anns[0].anchor}") is not None
    assert env["anchored"] == [anns[0].id] and env["placed"] == list(anns)


def test_overlapping_passages_stay_well_nested(harness):
    text = "One two three four five six seven.\n"
    anns = harness.annotations("> two three four\n\nA.\n\n> four five six\n\nB.\n")
    html, env = harness.render(text, annotations=anns)
    assert env["errors"] == []
    assert_well_nested(html)
    doc = LexborHTMLParser(html)
    assert doc.css_first("mark#ann-two-three-four") is not None and doc.css_first("mark#ann-four-five-six") is not None
    assert doc.css_first("aside#note-ann-two-three-four") and doc.css_first("aside#note-ann-four-five-six")
    assert "two three four" in marked_text(html, "ann-two-three-four") + marked_text(html, "ann-four-five-six")


def test_quote_not_found_names_the_closest_passage_and_its_line(harness):
    body = "First paragraph here.\n\nThe Met said that many officers\nwere worried about the charge.\n"
    anns = harness.annotations("\n\n\n\n> The Met said few officers were worried\n\nX.\n")
    html, env = harness.render(body, annotations=anns, line0=7)
    [(source, line, msg)] = [(e.path, e.line, e.message) for e in env["errors"]]
    assert (source, line) == ("content/annotations/sky-army.md", 5)
    m = re.fullmatch(r'quote not found in content/articles/sky-army\.md; closest passage '
                     r'\((\d+)% alike, content/articles/sky-army\.md:(\d+)\): "(.*)"', msg)
    assert m, msg
    assert 50 <= int(m.group(1)) < 100
    assert int(m.group(2)) == 10  # line0 7 + third line of the body
    assert m.group(3).startswith("The Met said that many officers")
    assert "<mark" not in html


def test_quote_far_from_anything_has_no_hint(harness):
    anns = harness.annotations("> zebra quantum xylophone\n\nX.\n")
    _html, env = harness.render("The Met said so.\n", annotations=anns)
    [(_s, line, msg)] = [(e.path, e.line, e.message) for e in env["errors"]]
    assert line == 1 and msg == "quote not found in content/articles/sky-army.md"


def test_quote_twice_lists_every_line(harness):
    anns = harness.annotations("\n\n> the cat sat\n\nX.\n")
    _html, env = harness.render("Once the cat sat.\n\nThen\nthe cat sat again.\n", annotations=anns, line0=4)
    [(_s, line, msg)] = [(e.path, e.line, e.message) for e in env["errors"]]
    assert line == 3
    assert msg == ("quote appears 2 times (content/articles/sky-army.md:5, content/articles/sky-army.md:8); "
                   "add which=N to the attribute line, or quote more words")


def test_which_beyond_the_occurrences(harness):
    anns = harness.annotations("{which=3}\n> the cat\n\nX.\n")
    _html, env = harness.render("the cat and the cat\n", annotations=anns)
    [(_s, line, msg)] = [(e.path, e.line, e.message) for e in env["errors"]]
    assert line == 2 and msg == "which=3, but the quote appears 2 time(s) in content/articles/sky-army.md"


def test_automatic_annotations_fail_silently(harness):
    auto = Annotation(article="sky-army", quote="not in the text at all", note="n", note_line=1, line=1,
                      source="content/articles/sky-army.md", id="shared-x", kind="shared", auto=True)
    html, env = harness.render("Some text.\n", annotations=[auto])
    assert env["errors"] == [] and "<mark" not in html


def test_note_errors_and_mentions_reach_the_env(harness):
    anns = harness.annotations("> Some text\n\nSee [[nope]] and Rowley.\n")
    html, env = harness.render("Some text.\n", annotations=anns)
    assert [(e.path, e.line, e.message) for e in env["errors"]] == [("content/annotations/sky-army.md", 3,
                                     "unknown wikilink target '[[nope]]': no article, entity or page has that slug")]
    assert env["note_mentions"] == [("some-text", "mark-rowley")]


def test_claim_link_in_the_note_head(harness):
    anns = harness.annotations('{.discrepancy claim="officer-count" value="around 300"}\n> Some text\n\nN.\n')
    html, _env = harness.render("Some text.\n", annotations=anns)
    head = LexborHTMLParser(html).css_first("aside .note-head")
    hrefs = [a.attributes["href"] for a in head.css("a")]
    assert hrefs == ["#ann-some-text", "/claims/officer-count/"]
    assert "Claim: officer count" in head.text() and "around 300" in head.text()
    # The claim is its own element after the permalink: no separator hangs off the permalink (print
    # hides it, and a narrow margin column would leave "¶ ·" alone on the label's line).
    claim = head.css_first(".note-claim")
    assert claim.text() == "Claim: officer count · around 300"
    assert head.text() == "¶" + claim.text()


def test_mark_keeps_combining_accents(harness):
    body = unicodedata.normalize("NFD", "Un café noir.\n")
    anns = harness.annotations("> Un café\n\nN.\n")
    html, _env = harness.render(body, annotations=anns)
    assert marked_text(html, anns[0].anchor) == unicodedata.normalize("NFD", "Un café")


def test_note_mentions_follow_document_order(harness, monkeypatch):
    import builtins

    import dossier.markdown.marks as marks

    monkeypatch.setattr(marks, "id", lambda obj: -builtins.id(obj), raising=False)  # another allocation order
    anns = harness.annotations("> First words\n\nAbout Rowley.\n\n> Second words\n\nAbout Braverman.\n")
    html, env = harness.render("First words here.\n\nSecond words there.\n", annotations=anns)
    assert env["note_mentions"] == [("first-words", "mark-rowley"), ("second-words", "suella-braverman")]


def test_a_quote_in_a_footnote_is_an_error_located_at_the_footnote_and_a_shared_one_is_skipped(harness):
    """A footnote is a margin note already: a note in its text had nowhere to go (a KeyError, a traceback)."""
    body = "The force said it would review it.[^1]\n\nOfficers went back on Monday.\n\n[^1]: Issued late on Sunday evening.\n"
    editor, shared, kept = (Annotation(article="sky-army", quote=q, note="n", note_line=3, line=2, id=i, kind=k,
                                       source="content/annotations/sky-army.md", auto=auto)
                            for q, i, k, auto in (("late on Sunday", "a", "note", False),
                                                  ("Issued late", "shared-b", "shared", True),
                                                  ("went back", "c", "note", False)))
    html, env = harness.render(body, annotations=[editor, shared, kept])
    assert [(e.path, e.line) for e in env["errors"]] == [("content/annotations/sky-army.md", 2)]
    assert env["errors"][0].message.startswith("quote is in a footnote (")
    assert env["anchored"] == ["c"]
    assert html.count("<mark") == 1 and "Issued late on Sunday evening." in html
    assert_well_nested(html)
