"""A fast path for plain prose: a text with no Markdown syntax at all becomes its tokens directly.

Most reports are imported from the web: paragraphs of prose, one line each, and nothing else.
For such a text markdown-it's block parser still tries every block rule on every line and its
inline parser every inline rule on every run of characters, to find paragraphs of text.

``block`` (in place of markdown-it's core rule of that name) looks at the whole source once: a
search for each character that matters, then each line's first and last character (``tokens``).
When nothing in it could start any construct of the parser as ``make_md`` configures it, it makes
the tokens markdown-it would make (per paragraph:
``paragraph_open``, ``inline`` with ``text`` and ``softbreak`` children, ``paragraph_close``,
with the same maps, levels and contents) and the inline parser is not run on them (``inline``).
Anything unusual anywhere in the text, and the whole text goes to markdown-it as before. The
core rules after these two (wikilinks, mentions, marks, sidenotes) and the renderer are the same
for both, so the HTML and what the plugins collect are the same; a differential property test
(tests/markdown/test_plain.py) holds the two to that.

What declines (anywhere in the text):
- a character an inline rule starts on: ``\\`` (escape), a backtick, ``*`` and ``_`` (emphasis),
  ``[`` (links, images, wikilinks, footnotes, reference definitions), ``<`` (autolinks, HTML),
  ``&`` (entities); ``!`` and ``^`` start something only before a ``[``;
- a carriage return or NUL (markdown-it's ``normalize`` changes them);
- at a line's start: whitespace (indentation, code blocks, whitespace-only lines), ``#``, ``>``,
  ``+``, ``-``, ``=``, ``~``, ``|``, digits before ``.`` or ``)`` (headings, block quotes, lists,
  setext underlines, thematic breaks, fences);
- whitespace at a line's end (hard breaks; a paragraph's trimmed end).
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import block as _markdown_it_block
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

from .env import token

# Characters an inline rule starts on, or that markdown-it's ``normalize`` changes (anywhere).
_INLINE = ("\\", "`", "*", "_", "[", "<", "&", "\r", "\0")
# A line's first character that may start a block (besides whitespace and an ordered list's number).
_STARTS = frozenset("#>+-=~|")
_ORDERED = re.compile(r"[0-9]+[.)](?:[ \t]|$)")

# The parser this fast path was proven equal to (``make_md``): with any other rule enabled, or
# another option, every text goes to markdown-it.
_EXPECTED = {
    "block": ["code", "fence", "blockquote", "hr", "list", "footnote_def", "reference", "html_block", "heading",
              "lheading", "paragraph"],
    "inline": ["text", "newline", "escape", "backticks", "emphasis", "wikilink", "link", "image", "footnote_inline",
               "footnote_ref", "autolink", "html_inline", "entity"],
    "inline2": ["balance_pairs", "emphasis", "fragments_join"],
}
_OPTIONS = {"html": False, "linkify": False, "typographer": False, "breaks": False}


def tokens(src: str) -> list[Token] | None:
    """The block tokens (inline children made) of ``src`` when it is plain prose, else None."""
    found = paragraphs(src)
    if found is None:
        return None
    lines, spans = found
    out: list[Token] = []
    for first, end in spans:
        out += _paragraph(lines, first, end)
    return out


def paragraphs(src: str) -> tuple[list[str], list[tuple[int, int]]] | None:
    """(the lines of ``src``, each paragraph's first line and end line) when it is plain prose, else None."""
    for char in _INLINE:
        if char in src:
            return None
    lines = src.split("\n")
    if lines[-1] == "":
        lines.pop()  # the text's final line break ends its last line; it starts none
    spans = []
    start = -1
    for n, line in enumerate(lines):
        if not line:
            if start >= 0:
                spans.append((start, n))
                start = -1
            continue
        first = line[0]
        if first in _STARTS or first.isspace() or line[-1].isspace() or (first.isdigit() and _ORDERED.match(line)):
            return None
        if start < 0:
            start = n
    if start >= 0:
        spans.append((start, len(lines)))
    return lines, spans


# A wikilink to a slug alone (``[[slug]]``), where no image or inline footnote (``![``, ``^[``) starts.
WIKILINK = re.compile(r"(?<![!^])\[\[([\w-]+)\]\]")


def wikilinked(src: str) -> tuple[list[str], list[tuple[int, int]]] | None:
    """``paragraphs(src)`` of plain prose but for wikilinks to a slug (``WIKILINK``: a note's "See
    [[slug]]."), none at a line's start; else None. Each such wikilink is one token of the inline
    parser's, between the text tokens of its line."""
    if "[[" not in src:
        return None
    bare = WIKILINK.sub("w", src)  # within a line: the lines and paragraphs are the text's
    if "[" in bare or "]" in bare:
        return None
    found = paragraphs(bare)
    if found is None:
        return None
    lines = src.split("\n")
    if lines[-1] == "":
        lines.pop()
    if any(line.startswith("[") for line in lines):
        return None
    return lines, found[1]


def _paragraph(lines: list[str], first: int, end: int) -> tuple[Token, Token, Token]:
    """A paragraph's tokens as markdown-it's block and inline parsers make them: lines
    ``first`` to ``end`` (exclusive), each a text child, a soft break between two."""
    if end - first == 1:
        content = lines[first]
        children = [token("text", "", 0, 0, content)]
    else:
        content = "\n".join(lines[first:end])
        children = []
        for line in lines[first:end]:
            if children:
                children.append(token("softbreak", "br", 0, 0))
            children.append(token("text", "", 0, 0, line))
    return (token("paragraph_open", "p", 1, 0, map_=[first, end], block=True),
            token("inline", "", 0, 1, content, map_=[first, end], children=children, block=True),
            token("paragraph_close", "p", -1, 0, block=True))


def block(state: StateCore) -> None:
    """markdown-it's ``block`` core rule, or the tokens of plain prose made directly."""
    found = None if state.inlineMode else tokens(state.src)
    if found is None:
        _markdown_it_block(state)
    else:
        state.tokens.extend(found)


def inline(state: StateCore) -> None:
    """markdown-it's ``inline`` core rule on the inline tokens whose children are not made yet.

    The block parser makes every inline token with no children (an empty list): the fast path's
    always have some (a paragraph has a non-empty line), and they are left as they are."""
    parse = state.md.inline.parse
    for tok in state.tokens:
        if tok.type == "inline" and not tok.children:
            if tok.children is None:
                tok.children = []
            parse(tok.content, state.md, state.env, tok.children)


def applies(md: MarkdownIt) -> bool:
    """Whether ``md`` is configured as the fast path expects."""
    active = {"block": md.block.ruler.get_active_rules(), "inline": md.inline.ruler.get_active_rules(),
              "inline2": md.inline.ruler2.get_active_rules()}
    return active == _EXPECTED and all(md.options.get(k) == v for k, v in _OPTIONS.items())


def plugin(md: MarkdownIt) -> None:
    """Use the fast path in ``md`` (the last plugin ``make_md`` adds), when it is configured as expected."""
    if applies(md):
        md.core.ruler.at("block", block)
        md.core.ruler.at("inline", inline)
