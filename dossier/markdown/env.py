"""The ``env`` the Markdown plugins share (a typed dict), and the helpers they use with it."""
from __future__ import annotations

from typing import Any, Callable, TypedDict

from markdown_it.token import Token

from ..errors import DossierError
from ..model import Annotation

Note = tuple[str, list, list]  # a note's (HTML, DossierErrors, slugs of the entities it names or wikilinks)


class MarkdownEnv(TypedDict, total=False):
    # -- given by the caller
    site: Any  # the dossier.site.Site (None in plugin unit tests: no links are resolved)
    urls: Any  # dossier.urls.Urls
    source: str  # path of the Markdown's file, relative to the archive root
    line0: int  # file line of the text's first line, minus one
    self: str  # slug of the entity whose page this is (not linked to itself)
    link_first: bool  # link only an entity's first mention
    block_ids: bool  # give each top-level block an id, par-1, par-2, ... (an article's body)
    link_per_block: bool  # with link_first: the first mention in each top-level block (paragraph)
    annotations: tuple  # Annotation records to anchor in this text (articles only)
    render_note: Callable[[Annotation], Note] | None  # a note's HTML (marks.py); None: notes stay empty
    # -- filled in by the plugins
    errors: list  # DossierError: unknown wikilinks (wikilinks.py), quotes not placed (marks.py)
    mentions: list | None  # Mention records found in the text (mentions.py), or None: not collected
    linked: set  # entities linked so far (link_first)
    wikilinked: list  # wikilinks.py: entity slugs linked with [[slug]] (when mentions are collected)
    mention_number: int  # mentions.py: the last mention's number (block_ids)
    placed: list  # Annotation records placed in the text, in text order (marks.py)
    anchored: list  # their ids
    verbatim: dict  # annotation id -> the text's own words of its passage (marks.py), for claim pages
    note_mentions: list  # (annotation id, entity slug) named in the notes (marks.py)
    notes: list  # reserved for sidenotes.py
    note_number: int  # sidenotes.py: the last margin-note number
    note_numbers: dict  # sidenotes.py: footnote label -> number
    _breaks: dict  # marks.py: line breaks before each child of a paragraph (for error lines)


def new_env(site=None, urls=None, *, source: str = "", line0: int = 0, collect: bool = False, self_slug: str = "",
            annotations=(), link_first: bool = False, render_note=None, block_ids: bool = False,
            link_per_block: bool = False) -> MarkdownEnv:
    return MarkdownEnv(site=site, urls=urls, source=source, line0=line0, errors=[],
                       mentions=[] if collect else None, self=self_slug, annotations=tuple(annotations),
                       link_first=link_first, block_ids=block_ids, link_per_block=link_per_block, linked=set(),
                       anchored=[], verbatim={}, notes=[], render_note=render_note)


def error(env: MarkdownEnv, line: int, message: str, *, warning: bool = False) -> None:
    """Report a mistake (or, ``warning``, a likely one) at ``line`` of the text's own file."""
    env["errors"].append(DossierError(env.get("source", ""), line, message, warning))


_TOKEN_FIELDS = ("type", "tag", "nesting", "attrs", "map", "level", "children", "content", "markup", "info", "meta",
                 "block", "hidden")
_new = object.__new__


def token(type_: str, tag: str, nesting: int, level: int, content: str = "", attrs: dict | None = None,
          meta: dict | None = None, map_: list | None = None, children: list | None = None,
          block: bool = False) -> Token:
    """``Token(type_, tag, nesting, level=level, content=content, ...)``: an article's Markdown makes about
    fifty (four a name linked, four a paragraph of plain prose), and markdown-it's dataclass constructor
    costs three times this (each field through its default, then ``__post_init__``)."""
    tok = _new(Token)
    tok.type, tok.tag, tok.nesting, tok.attrs, tok.map, tok.level = type_, tag, nesting, attrs or {}, map_, level
    tok.children, tok.content, tok.markup, tok.info, tok.meta, tok.block, tok.hidden = \
        children, content, "", "", meta or {}, block, False
    return tok


if getattr(Token, "__slots__", None) != _TOKEN_FIELDS:  # another markdown-it's Token: its own constructor
    def token(type_: str, tag: str, nesting: int, level: int, content: str = "", attrs: dict | None = None,  # noqa: F811
              meta: dict | None = None, map_: list | None = None, children: list | None = None,
              block: bool = False) -> Token:
        return Token(type_, tag, nesting, attrs=attrs or {}, map=map_, level=level, children=children,
                     content=content, meta=meta or {}, block=block)


def visible_piece(child: Token) -> str:
    """What a reader sees of one inline child: text and code as written, a line break as a
    newline, a wikilink as its label, nothing of markup (the one definition of visible text,
    shared by mentions.py and marks.py)."""
    t = child.type
    if t in ("text", "code_inline"):
        return child.content
    if t in ("softbreak", "hardbreak"):
        return "\n"
    if t == "wikilink":
        return child.meta.get("label", "")
    return ""


