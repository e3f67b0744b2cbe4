"""The single place where the Markdown parser is configured.

``make_md()`` returns one MarkdownIt instance per build (per worker), with the
plugins wired in a fixed order.  Plugins read site data only from ``env``:

- ``env["site"]``: the :class:`dossier.site.Site` (absent in plugin unit tests)
- ``env["urls"]``: :class:`dossier.urls.Urls`
- ``env["line0"]``: file line of the Markdown text's first line, minus one
- ``env["errors"]``: list of (file line, message) the plugins report
- ``env["mentions"]``: list to collect :class:`Mention` records into, or absent
- ``env["self"]``: slug of the entity whose page this is (not linked to itself)
- ``env["annotations"]``: annotations to anchor in this text (articles only)
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from . import marks, mentions, sidenotes, wikilinks


def make_md() -> MarkdownIt:
    # Raw HTML is escaped, never passed through: article texts are pasted from the web.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.use(footnote_plugin)
    md.use(wikilinks.plugin)
    md.use(mentions.plugin)
    md.use(marks.plugin)
    md.use(sidenotes.plugin)
    return md


def new_env(site=None, urls=None, *, line0: int = 0, collect: bool = False, self_slug: str = "",
            annotations=(), link_first: bool = False) -> dict:
    return {"site": site, "urls": urls, "line0": line0, "errors": [], "mentions": [] if collect else None,
            "self": self_slug, "annotations": tuple(annotations), "link_first": link_first, "linked": set(),
            "anchored": [], "notes": []}
