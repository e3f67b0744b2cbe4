"""The single place where the Markdown parser is configured.

``make_md()`` returns one MarkdownIt instance per build (per worker), with the
plugins wired in a fixed order. Plugins read site data only from ``env``, a
:class:`MarkdownEnv`; they report mistakes as :class:`DossierError` values in
``env["errors"]`` and never call back into the build (a note's HTML comes from the
``render_note`` callable they are given).
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core.normalize import normalize as _normalize
from markdown_it.rules_core.state_core import StateCore
from mdit_py_plugins.footnote import footnote_plugin

from . import marks, mentions, plain, sidenotes, wikilinks
from .env import MarkdownEnv, Note, new_env, note_renderer

__all__ = ["MarkdownEnv", "Note", "make_md", "new_env", "note_renderer"]


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
