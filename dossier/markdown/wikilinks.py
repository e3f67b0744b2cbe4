"""``[[slug]]`` and ``[[slug|text]]``: links to an article, entity or page by slug;
``[[article#annotation-id]]`` to an annotated passage, ``[[claim:key]]`` to a claim's page.

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

from ..model import ANCHOR_PREFIX
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


def _line(env, tok, meta) -> int:
    """The file line of a wikilink: its paragraph's line plus the line breaks before it."""
    return env.get("line0", 0) + tok.map[0] + tok.content[:meta["offset"]].count("\n") + 1 if tok.map else 0


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
            else:
                problem = _claim(site, env, meta) if meta["target"].startswith(CLAIM) else _page(site, env, meta)
                if problem:
                    error(env, _line(env, tok, meta), problem)
            meta["label"] = meta["label"] or meta["target"]


CLAIM = "claim:"


def _claim(site, env, meta) -> str:
    """``[[claim:key]]``: the claim's page; a problem's message, or ''."""
    key = meta["target"][len(CLAIM):].strip()
    if key not in site.claim_keys:
        if any(f.startswith("annotations:") for f in site.failed):  # the claim may be in the file that failed
            return ""
        return (f"unknown claim in '[[{CLAIM}{brief(key)[1:-1]}]]': no annotation makes it"
                + (site.hint(key, sorted(site.claim_keys)) or f" (claims: {', '.join(sorted(site.claim_keys)[:5]) or 'none yet'})"))
    meta["href"] = env["urls"].of("claim", key)
    meta["label"] = meta["label"] or site.claim_heading(key)
    return ""


def _page(site, env, meta) -> str:
    """``[[slug]]`` or ``[[article#annotation-id]]``; a problem's message, or ''."""
    found = site.target(meta["target"])
    if found is None:
        if meta["target"] in site.failed:  # a file that failed to load has its own error
            return ""
        return (f"unknown wikilink target '[[{brief(meta['target'])[1:-1]}]]': "
                f"no article, entity or page has that slug{site.suggest(meta['target'])}")
    kind, rec = found
    fragment = meta.get("fragment", "")
    if fragment:
        fragment, problem = _fragment(site, kind, rec.slug, fragment)
        if problem:
            return problem
    meta["href"] = env["urls"].of(kind, rec.slug) + (f"#{fragment}" if fragment else "")
    meta["label"] = meta["label"] or getattr(rec, "title", None) or rec.name
    meta["kind"] = kind
    meta["slug"] = rec.slug
    if kind == "entity" and env.get("mentions") is not None:
        env.setdefault("wikilinked", []).append(rec.slug)
    return ""


def _fragment(site, kind: str, slug: str, fragment: str) -> tuple[str, str]:
    """(the element id an ``#annotation-id`` stands for, or a problem's message)."""
    shown = f"'[[{brief(slug + '#' + fragment)[1:-1]}]]'"
    if kind != "article":
        return "", f"{shown}: only a report's passages have permalinks ('#…'); link [[{slug}]] alone"
    ids = site.annotation_ids(slug)
    ident = fragment[len(ANCHOR_PREFIX):] if fragment.startswith(ANCHOR_PREFIX) and fragment not in ids else fragment
    if ident in ids:
        return ANCHOR_PREFIX + ident, ""
    if f"annotations:{slug}" in site.failed:
        return "", ""
    hint = site.hint(ident, list(ids)) or (f" (its annotations: {', '.join(list(ids)[:5])})" if ids else
                                              " (it has no annotations)")
    return "", f"{shown}: the report {slug} has no annotation with the permalink '#{brief(ident)[1:-1]}'{hint}"


def _root_links(state: StateCore) -> None:
    """A hand-written link to ``/claims/…`` or ``/articles/…`` leaves the site when it is published
    under a sub-path (GitHub Pages): a warning, with the wikilink that says the same."""
    env = state.env
    site = env.get("site")
    if site is None:
        return
    for tok in state.tokens:
        if tok.type != "inline" or not tok.children:
            continue
        cursor = 0
        for child in tok.children:
            href = child.attrGet("href") if child.type == "link_open" and "mention" not in child.meta else None
            if not href or not href.startswith("/") or href.startswith("//"):
                continue
            at = tok.content.find("](/", cursor)
            cursor = at + 1 if at >= 0 else cursor
            meta = {"offset": max(at, 0)}
            error(env, _line(env, tok, meta), f"the link {brief(href)} starts at the web server's root: published "
                  f"under a sub-path (GitHub Pages: https://user.github.io/repo/) it leads out of the site; "
                  f"write {_wikilink_for(site, href)}", warning=True)


def _wikilink_for(site, href: str) -> str:
    """The wikilink a root link means, or a general hint."""
    path, _, fragment = href.partition("#")
    parts = [p for p in path.split("?")[0].split("/") if p]
    if len(parts) == 2 and parts[0] == "claims":
        return f"[[{CLAIM}{parts[1]}]]"
    slug = parts[1] if len(parts) == 2 and parts[0] in ("articles", "entities") else parts[0] if len(parts) == 1 else ""
    if slug and site.target(slug):
        frag = fragment[len(ANCHOR_PREFIX):] if fragment.startswith(ANCHOR_PREFIX) else fragment
        return f"[[{slug}{'#' + frag if frag and parts[0] == 'articles' else ''}]]"
    return "a wikilink ([[slug]], [[article#annotation-id]], [[claim:key]]) or a full https:// address"


def _render(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    label = escapeHtml(meta["label"])
    if "href" not in meta:
        return f'<span class="broken-link">{label}</span>'
    return f'<a class="wikilink" href="{escapeHtml(meta["href"])}">{label}</a>'


def renders_plainly(md: MarkdownIt) -> bool:
    """Whether ``md`` writes a wikilink with ``_render`` (``mentions.wikilinked_html`` writes it so)."""
    return getattr(md.renderer.rules.get("wikilink"), "__func__", None) is _render


def plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "wikilink", _rule)
    md.core.ruler.after("text_join", "wikilink_resolve", _resolve)
    md.core.ruler.after("wikilink_resolve", "root_links", _root_links)
    md.add_render_rule("wikilink", _render)
