"""The Markdown writer of `import`: any text of a report renders exactly as it was written."""
from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.extract import decode, escape_markdown, strip_furniture
from dossier.markdown import make_md, new_env

SYNTAX = list("\\`*_[]<>&#+-=|~!().:;^{}\"'1 ") + ["[[", "]]", "[^1]", "&amp;", "&#169;", "1.", "2)", "---", "http://x.y"]


def render(markdown: str) -> str:
    return make_md().render(markdown, new_env())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SYNTAX + list("abc XYZ")), min_size=1, max_size=40).map("".join))
def test_escaped_text_renders_verbatim(text):
    text = " ".join(text.split())
    if not text:
        return
    assert html.unescape(render(escape_markdown(text))) == f"<p>{text}</p>\n"


def test_escapes_are_few_and_readable():
    assert escape_markdown("“It’s the end of an era,” she said — again.") == "“It’s the end of an era,” she said — again."
    assert escape_markdown("1. Not a list [see 2] *twice*") == "1\\. Not a list \\[see 2\\] \\*twice\\*"


def test_decode_honours_bom_declared_charset_then_utf8():
    assert decode("café".encode("utf-8")) == "café"
    assert decode(b'<meta charset="windows-1252"><p>caf\xe9 \x96 x') == '<meta charset="windows-1252"><p>café – x'
    assert decode(b"caf\xe9") == "café"  # not UTF-8: Windows-1252
    assert decode("\ufeffhi".encode("utf-8")) == "hi"


def test_furniture_is_removed_but_never_the_article_itself():
    import lxml.html

    body = "<p>" + "Real report text. " * 40 + "</p>"
    tree = lxml.html.document_fromstring(
        f"<html><body><div class='cookie-banner'><p>We use cookies.</p></div>"
        f"<div class='article-related-content'>{body}</div><aside><p>Related</p></aside></body></html>")
    strip_furniture(tree)
    text = tree.text_content()
    assert "Real report text." in text and "cookies" not in text and "Related" not in text
