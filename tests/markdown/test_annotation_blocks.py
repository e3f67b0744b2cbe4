"""dossier/markdown/annotations.py: an annotation file's top-level blocks found line by line
(``plain_blocks``) are markdown-it's (``markdown_blocks``), or not given at all.

A differential property test over files made of empty lines, lines of text, attribute lines and quote
lines (what the fast path reads, but a quote with no text or ending in two empty lines) mixed with lines that start other blocks, are indented, nest quotes or
are blank but not empty (what it must decline); and every annotation file of the repository.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.errors import ErrorList

annotations = importlib.import_module("dossier.markdown.annotations")
ROOT = Path(__file__).resolve().parents[2]

READ = ["", ">", "> ", "> Around 300 officers", ">Around 300", "> “Quoted” words", "— a dash", "…and",  "The note goes on.",
        "{.discrepancy #count claim=\"x\" value=\"300\"}", "{.context}", "\"Quoted\" at the start",
        "(an aside)", "'single'", "Élan vital", "See [[met-police]] too", "> {.context}", "a > b"]
DECLINED = ["- a list", "* item", "+ item", "1. first", "2) second", "# Heading", "## h", "---", "***", "___",
            "===", "    indented code", "  two spaces", "\tTab", " > indented quote", ">  two spaces",
            ">\ttab", "> > nested", ">> nested", "> - list in a quote", "> # heading in a quote",
            "```", "~~~", "<div>", "<!-- comment -->", "[ref]: https://example.org", " ", "\t",
            "> ```", "> 1. one", "12 officers", "> ---", "[[met-police]] at the start", "_under_", "=== x",
            "\u00a0no-break space", "\u3000ideographic space", "> \u2003em space"]


def _same(text: str) -> bool:
    """The fast path gives markdown-it's blocks, or declines; True when it read the text itself."""
    lines = text.split("\n")
    fast = annotations.plain_blocks(lines)
    if fast is not None:
        assert fast == annotations.markdown_blocks(text), text
    return fast is not None


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(READ), max_size=14))
def test_files_of_text_and_quote_lines_are_read_as_markdown_it_reads_them(lines):
    text = "\n".join(lines)
    assert _same(text) or ">" in lines or "> " in lines  # read; declined only for quotes with empty lines
    errors, fast_errors = ErrorList(None), ErrorList(None)
    blocks = annotations.markdown_blocks(text)
    assert annotations.quote_starts(text, "a.md", fast_errors) == \
        annotations._quote_starts(blocks, lines, "a.md", errors)
    assert fast_errors.items == errors.items


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(READ + DECLINED), max_size=14))
def test_any_other_line_is_declined_or_read_as_markdown_it_reads_it(lines):
    _same("\n".join(lines))


def test_each_declined_line_is_declined_wherever_it_stands():
    """A line that may start another block (or belongs to an indented or nested one) sends the file to
    markdown-it, first, between quote lines and after text."""
    for line in DECLINED:
        for text in (line, f"> quote\n{line}", f"text\n{line}\n> quote", f"> a\n\n{line}"):
            assert annotations.plain_blocks(text.split("\n")) is None, text
    for text in (">", ">\n\ny", "> \n\ny", "x\n>\n\ny", "> a\n\n>\n>", "> a\n>\n>\n\n", "> a\n>\n>\nb"):
        assert annotations.plain_blocks(text.split("\n")) is None, text


def test_every_annotation_file_of_the_repository():
    files = sorted(ROOT.glob("**/content/annotations/*.md")) + sorted(ROOT.glob("tests/**/annotations/*.md"))
    read = [f for f in files if _same(f.read_text(encoding="utf-8").replace("\r\n", "\n"))]
    assert len(files) >= 10 and read  # the seed's are plain: the fast path is taken on real files
