"""dossier/markdown/sidenotes.py: footnotes and annotation notes as asides beside the text."""
from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file
from selectolax.lexbor import LexborHTMLParser

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("line,title,input,expected", read_fixture_file(FIXTURES / "sidenotes.md"))
def test_fixture(harness, line, title, input, expected):
    html, _env = harness.render(input)
    assert html == expected, f"fixtures/sidenotes.md:{line}: {title}"


def blocks(html):
    """Top-level elements in order, as (tag, id)."""
    body = LexborHTMLParser(f"<body>{html}</body>").body
    return [(n.tag, n.attributes.get("id")) for n in body.iter() if n.tag != "-text"]


def test_aside_follows_the_paragraph_that_refers_to_it(harness):
    text = "P1 has a note[^a].\n\nP2 has none.\n\nP3 has two[^b][^c].\n\n[^a]: A.\n[^b]: B.\n[^c]: C.\n"
    html, _env = harness.render(text)
    assert blocks(html) == [("p", None), ("aside", "note-fn-a"), ("p", None), ("p", None),
                            ("aside", "note-fn-b"), ("aside", "note-fn-c")]
    doc = LexborHTMLParser(html)
    assert [s.text() for s in doc.css("sup.note-ref")] == ["1", "2", "3"]
    assert [a.css_first(".note-num").text() for a in doc.css("aside.sidenote")] == ["1", "2", "3"]
    assert "footnotes" not in html and "<hr" not in html  # the footnote plugin's own block is gone


def test_numbering_is_stable_between_renders(harness):
    text = "A[^x] B[^y]\n\n[^x]: X.\n[^y]: Y.\n"
    first, _ = harness.render(text)
    second, _ = harness.render(text)
    assert first == second


def test_footnotes_and_annotation_notes_share_one_numbering(harness):
    anns = harness.annotations("> second sentence\n\nAnnotation note.\n")
    html, _env = harness.render("First sentence[^1]. The second sentence[^2].\n\n[^1]: One.\n[^2]: Two.\n",
                                annotations=anns)
    doc = LexborHTMLParser(html)
    assert [a.attributes["id"] for a in doc.css("aside.sidenote")] == ["note-fn-1", "note-ann-second-sentence",
                                                                      "note-fn-2"]
    assert [s.text() for s in doc.css("sup.note-ref")] == ["1", "2", "3"]
    assert doc.css_first("aside#note-ann-second-sentence").attributes["class"] == "sidenote k-note"


def test_every_reference_points_at_an_aside_and_back(harness):
    html, _env = harness.render("A[^1] and again[^1], B[^2]\n\n[^1]: One.\n[^2]: Two.\n")
    doc = LexborHTMLParser(html)
    ids = {n.attributes["id"] for n in doc.css("[id]")}
    for a in doc.css("sup.note-ref a"):
        assert a.attributes["href"][1:] in ids
    for back in doc.css("p.note-back a"):
        assert back.attributes["href"][1:] in ids
    assert len(doc.css("sup.note-ref[id]")) == 2  # the repeated reference has no duplicate id


def test_undefined_footnote_stays_text(harness):
    html, _env = harness.render("A[^missing] here.\n")
    assert html == "<p>A[^missing] here.</p>\n"


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "Inline <script src=x></script> here",
    "<SCRIPT>x</SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "a[^1]\n\n[^1]: <script>alert(1)</script>",
    "[x](javascript:alert(1))",
])
def test_raw_html_is_escaped(harness, text):
    html, _env = harness.render(text)
    low = html.lower()
    assert "<script" not in low and "<img src=x" not in low and 'href="javascript:' not in low
