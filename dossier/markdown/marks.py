"""Core rule: anchor annotation quotes in the reader-visible text and wrap them in ``<mark>``."""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore


def _rule(state: StateCore) -> None:
    if not state.env.get("annotations"):
        return


def plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("mentions", "marks", _rule)
