"""Core rule: turn entity names in running text into quiet links.

Walks each inline token's children; runs of ``text``/``softbreak`` outside links
are matched with the site's one automaton (``dossier.linking.Matcher``), then
split into text + ``link_open``/``link_close`` around each match.  Headings,
existing links, images and code are left alone.  When ``env["mentions"]`` is a
list, every match is recorded with its sentence for the entity pages.  In a text where no
annotation is to be placed (marks.py reads the tokens after this rule only to place them), a run
of text holding names becomes one ``html_inline`` token of the HTML its text and link tokens
would render to: the same page, without making and rendering those tokens one by one.
"""
from __future__ import annotations

import bisect
import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..model import Mention
from ..urls import Urls
from . import wikilinks
from .env import token as _token
from .env import visible_piece
from .plain import WIKILINK

_SENTENCE_END = re.compile(r"[.!?][\"”’'»)]*\s+")  # what ``sentence_ends`` finds
_AFTER_MARK = re.compile(r"[\"”’'»)]*\s+")  # its part after the mark
_MAX_SENTENCE = 320


def sentence_ends(plain: str) -> list[int]:
    """Offsets just after each sentence end of ``plain`` (``_SENTENCE_END``'s matches): found once per
    paragraph, not per mention. Each mark is found with ``str.find`` and the rest matched after it: the
    regular expression alone tried every character of the paragraph (no literal to skip to), three times
    as long. The matches are the same: one holds its mark and no other (closers and whitespace after it)."""
    ends = []
    after = _AFTER_MARK.match
    for mark in ".!?":
        at = plain.find(mark)
        while at >= 0:
            found = after(plain, at + 1)
            if found:
                ends.append(found.end())
            at = plain.find(mark, at + 1)
    ends.sort()
    return ends


def sentence_around(plain: str, start: int, end: int, ends: list[int] | None = None) -> tuple[str, int, int]:
    """The sentence of ``plain`` holding [start, end), and the match's offsets in it.

    ``ends`` is ``sentence_ends(plain)``; with it the cost is a binary search plus the
    length of the (clipped) sentence, whatever the length of the paragraph.
    """
    if ends is None:
        ends = sentence_ends(plain)
    half = _MAX_SENTENCE // 2
    i = bisect.bisect_right(ends, start)
    s = ends[i - 1] if i else 0
    j = bisect.bisect_left(ends, end, i)  # skips a "sentence end" inside the match (e.g. "St. Mary")
    e = ends[j] if j < len(ends) else len(plain)
    lead = ""
    if start - s > half:
        # Cut at a space shortly before; the search window is bounded, so a paragraph without
        # spaces costs no more than one with them.
        cut = start - half
        s = plain.rfind(" ", max(s, cut - half), cut) + 1 or cut
        lead = "…"
    tail = ""
    if e - end > half:
        cut = plain.find(" ", end + half, min(e, end + 2 * half))
        e, tail = (cut, "…") if cut > 0 else (end + half, "…")
    text = plain[s:e].rstrip()
    sentence = (lead + text + tail).replace("\n", " ")
    return sentence, start - s + len(lead), end - s + len(lead)


def _pieces(text: str, level: int) -> list[Token]:
    """Text with '\n' -> text and softbreak tokens."""
    if "\n" not in text:  # the common case: one piece of one line
        return [_token("text", "", 0, level, text)] if text else []
    out = []
    for n, part in enumerate(text.split("\n")):
        if n:
            out.append(_token("softbreak", "br", 0, level))
        if part:
            out.append(_token("text", "", 0, level, part))
    return out


def _link(state_env: dict, slug: str, level: int, ident: str) -> tuple[Token, Token]:
    # No title attribute (mouse-only, and read out after every link): dossier.js previews the entity
    # from the page's list of mentioned entities.
    href = state_env["urls"].of("entity", slug)
    attrs = {"id": ident, "class": "m", "href": href} if ident else {"class": "m", "href": href}
    return _token("link_open", "a", 1, level, attrs=attrs, meta={"mention": slug}), _token("link_close", "a", -1, level)


def _as_tokens(out: list, text: str, marked: list, level: int, env) -> None:
    """``text`` as text and soft break tokens, each name of ``marked`` inside a link or a span."""
    pos = 0
    for s, e, slug, ident, link in marked:
        open_, close = _link(env, slug, level, ident) if link else _spot(ident, level)
        out.extend(_pieces(text[pos:s], level))
        out.append(open_)
        out.extend(_pieces(text[s:e], level + 1))
        out.append(close)
        pos = e
    out.extend(_pieces(text[pos:], level))


def _as_html(out: list, text: str, marked: list, level: int, env) -> None:
    """What ``_as_tokens`` makes, rendered (text escaped, a soft break a line break, a link's
    attributes in its order), as one ``html_inline`` token."""
    out.append(_token("html_inline", "", 0, level, _html(text, marked, env)))


def _html(text: str, marked: list, env) -> str:
    """``text`` escaped, each name of ``marked`` in its link or span (``_as_html``)."""
    html = []
    pos = 0
    # What escapeHtml replaces (an id, m-<number>, has none of them): most text has none, its pieces are themselves.
    escape = "&" in text or "<" in text or ">" in text or '"' in text
    hrefs = None
    for s, e, slug, ident, link in marked:
        if link:
            if hrefs is None:
                hrefs = _entity_hrefs(env["urls"])
            href = hrefs.get(slug) or _entity_href(hrefs, env["urls"], slug)
            open_ = f'<a id="{ident}" class="m" href="{href}">' if ident else f'<a class="m" href="{href}">'
        else:
            open_ = f'<span id="{ident}">'
        if escape:
            html += (escapeHtml(text[pos:s]), open_, escapeHtml(text[s:e]), "</a>" if link else "</span>")
        else:
            html += (text[pos:s], open_, text[s:e], "</a>" if link else "</span>")
        pos = e
    html.append(escapeHtml(text[pos:]) if escape else text[pos:])
    return "".join(html)


_HREFS: dict[str, dict[str, str]] = {}  # a base path -> entity slug -> its page's URL, escaped (``_entity_href``)


def _entity_hrefs(urls) -> dict[str, str]:
    """The entity URLs kept for ``urls``'s base path (an entity is linked from every report naming it); none
    kept for another kind of ``urls`` (a test's), whose URLs may depend on more."""
    if type(urls) is not Urls:
        return {}
    hrefs = _HREFS.get(urls.base_path)
    if hrefs is None:
        if len(_HREFS) >= 8:  # base paths of past builds (the tests', the preview's): let them go
            _HREFS.clear()
        hrefs = _HREFS[urls.base_path] = {}
    return hrefs


def _entity_href(hrefs: dict[str, str], urls, slug: str) -> str:
    """``escapeHtml(urls.of("entity", slug))``, kept in ``hrefs`` (``_entity_hrefs(urls)``) for the next time."""
    href = hrefs[slug] = escapeHtml(urls.of("entity", slug))
    return href
_PLAIN_RULES = {"text": RendererHTML.text, "softbreak": RendererHTML.softbreak, "html_inline": RendererHTML.html_inline}


def _renders_plainly(md: MarkdownIt) -> bool:
    """Whether ``md`` renders text, soft breaks, links and spans as ``_as_html`` writes them."""
    rules = md.renderer.rules
    return (not md.options.get("breaks") and type(md.renderer) is RendererHTML
            and all(getattr(rules.get(k), "__func__", None) is f for k, f in _PLAIN_RULES.items())
            and not any(k in rules for k in ("link_open", "link_close", "mention_open", "mention_close")))


def _spot(ident: str, level: int) -> tuple[Token, Token]:
    """An element around a mention left unlinked (``link_mentions: first``), for its id: where an
    entity page's listed sentence lands."""
    return _token("mention_open", "span", 1, level, attrs={"id": ident}), _token("mention_close", "span", -1, level)


def _rule(state: StateCore, direct: bool | None = None) -> None:
    """Link the names of every paragraph and collect them. ``direct`` (by default: when no annotation
    is to be placed in the text, and the renderer renders links and text as markdown-it's does) makes
    each run of text holding a name one token of HTML instead of text and link tokens (``_as_html``):
    only marks.py, placing annotations, reads those tokens after this rule."""
    env = state.env
    site = env.get("site")
    if site is None or not site.alias_table:
        return
    if direct is None:
        direct = not env.get("annotations") and _renders_plainly(state.md)
    block, opener, after = 0, None, ""
    per_block, block_ids, collect = env.get("link_per_block"), env.get("block_ids"), env.get("mentions")
    for tok in state.tokens:
        before, after = after, tok.type
        if tok.level == 0 and tok.nesting == 1:
            block, opener = block + 1, tok
            if per_block:
                env["linked"].clear()
        if after != "inline" or not tok.children or before == "heading_open":
            continue
        found, pieces = _link_names(tok, env, site.matcher, direct)
        if found and opener is not None and block_ids:  # where an entity page's mentions link to
            opener.attrSet("id", f"par-{block}")
        if collect is not None and found:
            _collect(collect, found, "".join(pieces), env.get("source", ""), block)


def _collect(collect: list, found: list, plain: str, source: str, block: int) -> None:
    """A Mention record, with its sentence, of each name ``found`` in block ``block``'s visible text ``plain``."""
    ends = sentence_ends(plain)
    for slug, s, e, n in found:
        sentence, a, b = sentence_around(plain, s, e, ends)
        collect.append(Mention(slug, source, sentence, a, b, block, n))


def _link_names(tok: Token, env, matcher, direct: bool) -> tuple[list[tuple[str, int, int, int]], list[str]]:
    """Link the names in ``tok``'s runs of text outside links; (entity, start, end, number) of every
    name found, in visible-text offsets (the links added do not move them: they have no visible text),
    and the visible text of ``tok``'s children (``visible_piece``), joined by the caller when needed.
    In an article's body (``block_ids``) every name found is numbered in text order from 1 and its
    element gets the id ``m-<number>``: the link, or a span around a name left unlinked; elsewhere
    the number is 0 and nothing gets an id. ``direct``: each run of text with a name becomes one
    ``html_inline`` token holding the HTML its tokens would render to (``_as_html``)."""
    out: list[Token] = []
    found: list[tuple[str, int, int, int]] = []  # entity, start, end in plain text, number
    in_link = 0
    run: list[Token] = []

    def flush(run_start: int) -> None:
        text = run[0].content if len(run) == 1 and run[0].type == "text" else \
            "".join(t.content if t.type == "text" else "\n" for t in run)
        spans = matcher.find(text.replace("\n", " "))  # a name may wrap over two source lines
        if not spans:
            out.extend(run)
            return
        marked = _marked(spans, run_start, env, found)
        (_as_html if direct else _as_tokens)(out, text, marked, run[0].level, env)

    pieces = []
    plain_len = run_start = 0
    for child in tok.children:
        t = child.type
        if t in ("text", "softbreak") and not in_link:
            if not run:
                run_start = plain_len
            run.append(child)
        else:
            if run:
                flush(run_start)
                run = []
            out.append(child)
            in_link += 1 if t == "link_open" else -1 if t == "link_close" else 0
        piece = visible_piece(child)
        pieces.append(piece)
        plain_len += len(piece)
    if run:
        flush(run_start)
    tok.children = out
    return found, pieces


def _marked(spans: list, run_start: int, env, found: list) -> list[tuple[int, int, str, str, bool]]:
    """(start, end, slug, id, True: a link / False: a span) of each name of ``spans`` (but the page's own
    entity) in a run of text starting at ``run_start`` of the visible text; each added to ``found``
    (entity, start, end in the visible text, number) and numbered in an article's body (``block_ids``)."""
    link_first, linked, self_slug = env.get("link_first"), env["linked"], env.get("self")
    block_ids = env.get("block_ids")
    marked = []
    for s, e, slug in spans:
        if slug == self_slug:
            continue
        number = 0
        if block_ids:
            number = env["mention_number"] = env.get("mention_number", 0) + 1
        found.append((slug, run_start + s, run_start + e, number))
        ident = f"m-{number}" if number else ""
        if link_first and slug in linked:
            if ident:
                marked.append((s, e, slug, ident, False))
        else:
            linked.add(slug)
            marked.append((s, e, slug, ident, True))
    return marked


def paragraphs_html(lines: list[str], paragraphs: list[tuple[int, int]], env) -> str:
    """The HTML of plain prose (``plain.paragraphs``: each paragraph's first and end line), its names linked:
    what ``_rule`` (``direct``) and markdown-it's renderer make of its tokens (``plain.tokens``), the same
    ``env`` after, with no token made."""
    texts = [lines[first] if end - first == 1 else "\n".join(lines[first:end]) for first, end in paragraphs]
    return "".join(paragraph_html(block, *linked, env) for block, linked in enumerate(linked_paragraphs(texts, env), 1))


def paragraphs_text(lines: list[str], paragraphs: list[tuple[int, int]]) -> str:
    """The text of ``paragraphs_html``'s HTML, its tags out and its characters unescaped: each paragraph's
    text and the line break after its ``</p>``. Links and spans wrap a name's own characters, and plain
    prose holds no ``&`` (``plain.paragraphs``), so unescaping gives back exactly what was escaped."""
    return "".join((lines[first] if end - first == 1 else "\n".join(lines[first:end])) + "\n"
                   for first, end in paragraphs)


def linked_paragraphs(texts: list[str], env) -> list[tuple[str, list, bool]]:
    """What ``_rule`` finds in paragraphs of plain prose (each one's text, its lines joined by line breaks):
    (its text, its names to mark (``_marked``), whether it names any), ``env`` left as ``_rule`` leaves it."""
    site = env.get("site")
    matcher = site.matcher if site is not None and site.alias_table else None  # else ``_rule`` links nothing
    per_block, collect = env.get("link_per_block"), env.get("mentions")
    out = []
    for block, text in enumerate(texts, 1):
        if per_block and matcher is not None:
            env["linked"].clear()
        spans = matcher and matcher.find(text.replace("\n", " "))  # a name may wrap over two source lines
        if not spans:
            out.append((text, [], False))
            continue
        found: list = []
        out.append((text, _marked(spans, 0, env, found), bool(found)))
        if collect is not None and found:
            _collect(collect, found, text, env.get("source", ""), block)
    return out


def paragraph_html(block: int, text: str, marked: list, found: bool, env) -> str:
    """Paragraph number ``block`` of plain prose as HTML, the names ``marked`` in it linked (``linked_paragraphs``)."""
    opener = f'<p id="par-{block}">' if found and env.get("block_ids") else "<p>"
    return f"{opener}{_html(text, marked, env) if marked else escapeHtml(text)}</p>\n"


def wikilinked_html(lines: list[str], paragraphs: list[tuple[int, int]], env) -> str | None:
    """The HTML of plain prose with wikilinks to a slug (``plain.wikilinked``), as ``md.render`` makes it
    with no annotation to place: the wikilinks resolved (wikilinks.py's ``_page``), then each run of text
    between them linked as ``_rule`` links it (``direct``), ``env`` left as both leave it; None (``env``
    untouched) when a wikilink's target is not the site's, whose error markdown-it's way reports."""
    site = env.get("site")
    texts = [lines[first] if end - first == 1 else "\n".join(lines[first:end]) for first, end in paragraphs]
    parts = [WIKILINK.split(text) for text in texts]  # runs of text with a wikilink's slug between each two
    if site is None or not all(site.target(slug) for ps in parts for slug in ps[1::2]):
        return None
    for ps in parts:  # the wikilink_resolve rule, before the mentions rule
        for i in range(1, len(ps), 2):
            meta = {"target": ps[i], "label": "", "fragment": ""}
            wikilinks._page(site, env, meta)
            ps[i] = meta
    matcher = site.matcher if site.alias_table else None
    per_block, block_ids, collect = env.get("link_per_block"), env.get("block_ids"), env.get("mentions")
    out = []
    for block, ps in enumerate(parts, 1):
        if per_block and matcher is not None:
            env["linked"].clear()
        html, found, pieces, at = [], [], [], 0
        for i, part in enumerate(ps):
            if i % 2:
                part = part["label"] or part["target"]
                html.append(f'<a class="wikilink" href="{escapeHtml(ps[i]["href"])}">{escapeHtml(part)}</a>')
            elif part:
                spans = matcher and matcher.find(part.replace("\n", " "))
                html.append(_html(part, _marked(spans, at, env, found), env) if spans else escapeHtml(part))
            pieces.append(part)
            at += len(part)
        out += (f'<p id="par-{block}">' if found and block_ids else "<p>", *html, "</p>\n")
        if collect is not None and found:
            _collect(collect, found, "".join(pieces), env.get("source", ""), block)
    return "".join(out)


def plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("wikilink_resolve", "mentions", _rule)
