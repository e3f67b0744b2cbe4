"""The parser's normalising step (CR, CRLF, NUL) runs only when the text has one, with the same result."""
from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from dossier.markdown import make_md


@pytest.mark.parametrize("text", ["a\r\nb\rc\0d", "line\r\n\r\nnext\r\n", "x\0", "plain\nlines\n\npara", "", "\r"])
def test_line_ends_and_nul_become_what_commonmark_makes_of_them(text):
    plain = MarkdownIt("commonmark", {"html": False})
    assert make_md().render(text) == plain.render(text)
