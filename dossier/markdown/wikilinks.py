"""``[[slug]]`` and ``[[slug|text]]``: links to an article, entity or page by slug.

The inline rule only records target, label and its offset; a core rule resolves
the slug against ``env["site"]`` (so the parse stays testable without a site)
and reports unknown targets with their file line.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from ..suggest import brief
from .env import error


# The first character that ends a wikilink's inside: its "]]", or a "[" or line break, which no
# wikilink holds.  Searching for the first of them (not for "]]" alone) keeps the rule's work
# proportional to the text it consumes, so "[[" repeated N times is linear, not quadratic.
_STOP = re.compile(r"\]\]|[\[\n]")


def _rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    stop = _STOP.search(src, pos + 2)
    if stop is None or stop.group() != "]]":
        return False
    end = stop.start()
    inner = src[pos + 2:end]
    if not inner.strip():
        return False
    if not silent:
        target, _, label = inner.partition("|")
        target, _, fragment = target.partition("#")  # [[slug#ann-id]]: a place in the page
        token = state.push("wikilink", "a", 0)
        token.meta = {"target": target.strip(), "label": label.strip(), "offset": pos, "fragment": fragment.strip()}
        token.content = inner
    state.pos = end + 2
    return True


def _resolve(state: StateCore) -> None:
    env = state.env
    site = env.get("site")
    for tok in state.tokens:
        if tok.type != "inline" or not tok.children:
            continue
        for child in tok.children:
            if child.type != "wikilink":
                continue
            meta = child.meta
            if site is None:
                meta.setdefault("href", meta["target"])
                meta["label"] = meta["label"] or meta["target"]
                continue
            found = site.target(meta["target"])
            if found is None:
                line = env.get("line0", 0) + tok.map[0] + tok.content[:meta["offset"]].count("\n") + 1 if tok.map else 0
                if meta["target"] not in site.failed:  # a file that failed to load has its own error
                    error(env, line, f"unknown wikilink target '[[{brief(meta['target'])[1:-1]}]]': "
                                     f"no article, entity or page has that slug{site.suggest(meta['target'])}")
                meta["label"] = meta["label"] or meta["target"]
                continue
            kind, rec = found
            meta["href"] = env["urls"].of(kind, rec.slug) + (f"#{meta['fragment']}" if meta.get("fragment") else "")
            meta["label"] = meta["label"] or getattr(rec, "title", None) or rec.name
            meta["kind"] = kind
            meta["slug"] = rec.slug


def _render(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    label = escapeHtml(meta["label"])
    if "href" not in meta:
        return f'<span class="broken-link">{label}</span>'
    return f'<a class="wikilink" href="{escapeHtml(meta["href"])}">{label}</a>'


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "wikilink", _rule)
    md.core.ruler.after("text_join", "wikilink_resolve", _resolve)
    md.add_render_rule("wikilink", _render)
