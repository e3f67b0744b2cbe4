"""The single place where the Markdown parser is configured.

``make_md()`` returns one MarkdownIt instance per build (per worker), with the
plugins wired in a fixed order. Plugins read site data only from ``env``, a
:class:`MarkdownEnv`; they report mistakes as :class:`DossierError` values in
``env["errors"]`` and never call back into the build (a note's HTML comes from the
``render_note`` callable they are given).
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import text_join
from markdown_it.rules_core.normalize import normalize as _normalize
from markdown_it.rules_core.state_core import StateCore
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_tail

from ..model import Annotation
from . import marks, mentions, placed, plain, sidenotes, wikilinks
from .env import MarkdownEnv, Note, new_env

__all__ = ["MarkdownEnv", "Note", "make_md", "new_env", "note_renderer", "render"]


def make_md() -> MarkdownIt:
    # Raw HTML is escaped, never passed through: article texts are pasted from the web.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.core.ruler.at("normalize", _normalize_if_needed)
    md.use(footnote_plugin)
    md.use(wikilinks.plugin)
    md.use(mentions.plugin)
    md.use(marks.plugin)
    md.use(sidenotes.plugin)
    md.use(plain.plugin)  # plain prose: its tokens made directly, the same as markdown-it's
    return md


def _normalize_if_needed(state: StateCore) -> None:
    """markdown-it's ``normalize`` (CR and CRLF to LF, NUL to U+FFFD) only when there is one to
    change: its regular expression otherwise replaces every line feed with itself."""
    if "\r" in state.src or "\0" in state.src:
        _normalize(state)


def render(md: MarkdownIt, src: str, env: MarkdownEnv, text: list | None = None) -> str:
    """``md.render(src, env)``: the same HTML, and the same ``env`` after. A text of plain prose
    (``plain.paragraphs``) with no annotation to place, in a parser as ``make_md`` makes it, is written
    paragraph by paragraph, its names linked (``mentions.paragraphs_html``), no token made: on such a
    text markdown-it's other core rules find nothing to do (each looks for what plain prose cannot
    hold: footnotes, wikilinks, links, escapes, annotations) and its renderer would write the mentions
    rule's tokens as that writes them. Plain prose with annotations to place is written by
    ``placed.paragraphs_html`` (unless a passage would be reported), and plain prose with wikilinks to a
    slug (a note's "See [[slug]].") by ``mentions.wikilinked_html``. Anything else goes to ``md.render``.

    ``text`` (if given) gets the text of the HTML returned (its tags out, its characters unescaped) where
    that is known without reading the HTML: plain prose with no annotation (``mentions.paragraphs_text``), or
    with annotations placed (``placed.paragraphs_text``: the text and its passages' offsets, a pair)."""
    if not _plain_core(md):
        return md.render(src, env)
    found = plain.paragraphs(src)
    if found is None:
        linked = None if env.get("annotations") or not wikilinks.renders_plainly(md) else plain.wikilinked(src)
        html = linked and mentions.wikilinked_html(*linked, env)  # a note's "See [[slug]]."
        return md.render(src, env) if html is None else _noted(html, env)
    if env.get("annotations"):  # placed as marks.py places them, unless it would report one
        html = placed.paragraphs_html(md, *found, env, text) if placed.renders_notes(md) else None
        if html is None:
            return md.render(src, env)
    else:
        html = mentions.paragraphs_html(*found, env)
        if text is not None:
            text.append(mentions.paragraphs_text(*found))
    return _noted(html, env)


def _noted(html: str, env: MarkdownEnv) -> str:
    env.setdefault("note_number", 0)  # what the sidenotes rule leaves in ``env`` when there is no note
    env.setdefault("note_numbers", {})
    return html


def note_renderer(md: MarkdownIt, site, urls, *, link_first: bool = False,
                  keep: dict | None = None) -> Callable[[Annotation], Note]:
    """What marks.py calls for each placed annotation: its note's (HTML, errors, entities named or wikilinked);
    ``keep`` (if given) gets annotation id -> HTML, for the open data."""
    def render_note(ann: Annotation) -> Note:
        env = new_env(site, urls, source=ann.source, line0=ann.note_line - 1, collect=True, link_first=link_first)
        html = render(md, ann.note, env)
        if keep is not None:
            keep[ann.id] = html
        return html, env["errors"], [m.entity for m in env["mentions"]] + env.get("wikilinked", [])
    return render_note


def _plain_core(md: MarkdownIt) -> bool:
    """Whether ``md``'s core rules are ``make_md``'s, in its order, and its renderer markdown-it's own
    for paragraphs, text, soft breaks and HTML: then on plain prose with no annotation every core rule
    but the mentions rule leaves the tokens as they are, and its renderer writes them as
    ``mentions.paragraphs_html`` does."""
    rules = md.core.ruler.getRules("")  # the functions, kept by the ruler until its rules change
    last = rules[-1] if len(rules) == len(_CORE) + 1 else None
    return (rules[:-1] == _CORE and type(last) is partial and last.func is sidenotes._rule and last.args == (md,)
            and not last.keywords and type(md.renderer) is RendererHTML and mentions._renders_plainly(md)
            and md.renderer.rules.keys().isdisjoint(("paragraph_open", "paragraph_close", "inline")))


# The core rules of ``make_md`` in order, but the last (the sidenotes rule: a partial bound to its parser).
_CORE = [_normalize_if_needed, plain.block, plain.inline, footnote_tail, text_join, wikilinks._resolve, mentions._rule,
         marks._rule, wikilinks._root_links]
