"""Core rule: anchor annotation quotes in the reader-visible text and wrap them in ``<mark>``.

The visible text is built from the token stream (text, code, link labels, line
breaks as spaces, blocks separated by a newline), so a quote matches across
entity links and inline markup.  Each text token the passage covers is split and
its covered part wrapped in a ``<mark>``: marks never cross element boundaries,
so the HTML stays well nested.  The first mark carries the annotation's
permalink ``id``; a ``note_ref`` after the last one becomes its margin note
(``sidenotes.py``), its HTML from ``env["render_note"]``.  Problems go to
``env["errors"]`` located at the annotation's own line.
"""
from __future__ import annotations

import bisect
import heapq
from itertools import accumulate

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..anchoring import closest, find_many, norm, normalize, source_span
from ..errors import DossierError
from ..suggest import first_difference
from .env import visible_piece


def _visible(tokens) -> tuple[str, list]:
    """(visible text, segments): a segment is (inline token, child index, start offset) for each text child."""
    parts: list[str] = []
    segs: list = []
    pos = 0
    for tok in tokens:
        if tok.type != "inline" or not tok.children:
            continue
        if parts:
            parts.append("\n")
            pos += 1
        for ci, child in enumerate(tok.children):
            if child.type == "text":
                segs.append((tok, ci, pos))
            piece = visible_piece(child)
            parts.append(piece)
            pos += len(piece)
    return "".join(parts), segs


def _line_of(tok, env) -> int:
    return env.get("line0", 0) + (tok.map[0] if tok.map else 0) + 1


def _html(tag: str) -> Token:
    t = Token("html_inline", "", 0)
    t.content = tag
    return t


# A quote not found gets the closest passage as a hint; looking for it costs a pass over the
# text, so only this many missing quotes of one article get one (the rest say only "not found").
MAX_HINTS = 20
# An ambiguous quote's message lists this many of its places.
MAX_PLACES = 5
# Passages marked one inside another: each piece of text is wrapped in the marks of all the
# passages over it, so the page grows with the depth; a passage deeper than this is an error.
MAX_OVERLAP = 16


def _rule(state: StateCore) -> None:
    env = state.env
    annotations = env.get("annotations")
    if not annotations:
        return
    text, segs = _visible(state.tokens)
    starts = [start for _tok, _ci, start in segs]
    found = _outside_footnotes(_locate(text, segs, starts, annotations, env), state.tokens, segs, starts, env)
    place(_shallow(sorted(found, key=lambda w: (w[0], w[1])), env), text, segs, starts, env)
    _fill_notes(state.tokens, env, env.setdefault("note_mentions", []))


def place(wanted: list, text: str, segs: list, starts: list, env) -> None:
    """Wrap each passage of ``wanted`` ((start, end, annotation) in ``text``, the visible text, in order)
    in marks, a note reference after it, in the text tokens ``segs`` (``_visible``) it covers."""
    placed = env.setdefault("placed", [])
    inserts: dict = {}  # id(inline token) -> (token, {child index: [(local start, local end, ann, first, last)]})
    for s, e, ann in wanted:
        covered = _covered(segs, starts, s, e)
        if not covered:
            continue
        for n, (tok, ci, start) in enumerate(covered):
            content = tok.children[ci].content
            ls, le = max(s, start) - start, min(e, start + len(content)) - start
            inserts.setdefault(id(tok), (tok, {}))[1].setdefault(ci, []).append(
                (ls, le, ann, n == 0, n == len(covered) - 1))
        placed.append(ann)
        env.setdefault("anchored", []).append(ann.id)
        env.setdefault("verbatim", {})[ann.id] = " ".join(text[s:e].split())
    for tok, by_child in inserts.values():  # each token's children rebuilt once
        children = []
        for ci, child in enumerate(tok.children):
            children.extend(_wrap(child, by_child[ci]) if ci in by_child else (child,))
        tok.children = children
    for tok in {id(t): t for t, _ci, _s in segs}.values():
        _refs_out_of_links(tok)


def _locate(text: str, segs: list, starts: list, annotations, env) -> list:
    """(start, end, annotation) in visible-text offsets for each quote found once; the others
    become errors in ``env["errors"]``.  All quotes are searched in one pass."""
    hay, offs = normalize(text)
    source = env.get("source", "")
    errors = env["errors"]  # located at the annotation's own line, in its own file
    wanted = []
    hints = MAX_HINTS
    for ann, found in zip(annotations, find_many(hay, [a.quote for a in annotations])):
        if not found:
            if ann.auto:
                continue
            near = closest(hay, ann.quote) if hints > 0 else None
            hints -= 1
            hint = ""
            if near is not None and near.ratio >= 0.3:
                line = _seg_line(segs, starts, offs[near.start], env)
                hint = f'; closest passage ({near.ratio:.0%} alike, {source}:{line}): "{_clip(near.text)}"'
                diff = first_difference(norm(ann.quote), near.text)
                hint += f"; {diff}" if diff else ""
            errors.append(DossierError(ann.source, ann.line, f"quote not found in {source}{hint}"))
            continue
        if ann.which:
            if ann.which > len(found):
                errors.append(DossierError(ann.source, ann.line,
                                           f"which={ann.which}, but the quote appears {len(found)} time(s) in {source}"))
                continue
            found = [found[ann.which - 1]]
        elif len(found) > 1:
            if ann.auto:
                continue
            lines = ", ".join(f"{source}:{_seg_line(segs, starts, offs[s], env)}" for s, _ in found[:MAX_PLACES])
            more = ", …" if len(found) > MAX_PLACES else ""
            errors.append(DossierError(ann.source, ann.line,
                                       f"quote appears {len(found)} times ({lines}{more}); add which=N to the attribute line, or quote more words"))
            continue
        wanted.append((*source_span(text, offs, *found[0]), ann))
    return wanted


def _outside_footnotes(wanted: list, tokens, segs: list, starts: list, env) -> list:
    """``wanted`` without the passages in a footnote's text: a footnote is a margin note already, and a
    note inside it would have nowhere to go (an error for an editor's annotation, located)."""
    inside, open_ = set(), False
    for tok in tokens:
        if tok.type in ("footnote_block_open", "footnote_block_close"):
            open_ = tok.type == "footnote_block_open"
        elif open_ and tok.type == "inline":
            inside.add(id(tok))
    if not inside or not wanted:
        return wanted
    notes_at = next((start for tok, _ci, start in segs if id(tok) in inside), None)
    if notes_at is None:  # the footnotes follow the text (the plugin moves them to the end)
        return wanted
    kept = []
    for s, e, ann in wanted:
        if e <= notes_at:
            kept.append((s, e, ann))
        elif not ann.auto:
            line = _seg_line(segs, starts, max(s, notes_at), env)
            env["errors"].append(DossierError(ann.source, ann.line, f"quote is in a footnote ({env.get('source', '')}:{line}); "
                                              "a footnote is a margin note already: quote the article's own text"))
    return kept


def _shallow(wanted: list, env) -> list:
    """``wanted`` (sorted by start) without the passages that would lie inside MAX_OVERLAP others."""
    ends: list[int] = []  # a heap of the ends of the passages over the current start
    kept = []
    for s, e, ann in wanted:
        while ends and ends[0] <= s:
            heapq.heappop(ends)
        if len(ends) >= MAX_OVERLAP:
            if not ann.auto:
                env["errors"].append(DossierError(ann.source, ann.line, f"{len(ends)} other annotated passages already "
                                                  f"cover the start of this one (at most {MAX_OVERLAP} may overlap at "
                                                  "any point); quote fewer words"))
            continue
        heapq.heappush(ends, e)
        kept.append((s, e, ann))
    return kept


def _covered(segs: list, starts: list, s: int, e: int) -> list:
    """The text segments that [s, e) overlaps: a binary search for the first, then a walk."""
    k = max(0, bisect.bisect_right(starts, s) - 1)
    out = []
    while k < len(segs) and starts[k] < e:
        tok, ci, start = segs[k]
        if min(e, start + len(tok.children[ci].content)) > max(s, start):
            out.append(segs[k])
        k += 1
    return out


def _wrap(child: Token, spans: list) -> list[Token]:
    """Split one text token at every span edge; each piece is wrapped in the marks of all spans covering it,
    nested in a fixed order, so overlapping passages both stay marked and the HTML stays well nested.
    A sweep over the edges keeps the spans covering the current piece, so the work is the size of the result."""
    content = child.content
    edges = sorted({0, len(content), *(x for ls, le, *_ in spans for x in (ls, le))})
    opening: dict[int, list] = {}
    for sp in sorted(spans, key=lambda sp: (sp[0], -sp[1])):
        opening.setdefault(sp[0], []).append(sp)
    active: dict[int, tuple] = {}  # id(span) -> span, in nesting order
    new: list[Token] = []
    for a, b in zip(edges, edges[1:]):
        for sp in opening.get(a, ()):
            active[id(sp)] = sp
        cover = [sp for sp in active.values() if sp[1] > a]
        active = {id(sp): sp for sp in cover}
        if a >= b:
            continue
        for ls, le, ann, first, last in cover:
            key = escapeHtml(ann.anchor)
            ident = f' id="{key}" aria-details="note-{key}"' if first and ls == a else ""
            new.append(_html(f'<mark class="k-{ann.kind}"{ident} data-note="{key}">'))
        new.append(_text(content[a:b], child.level))
        for _sp in reversed(cover):
            new.append(_html("</mark>"))
        for ls, le, ann, first, last in cover:
            if last and le == b:
                new.append(_note_ref(ann))
    return new


def _refs_out_of_links(tok) -> None:
    """A note reference that ended up inside an entity link moves to just after the link."""
    children = tok.children
    if not any(c.type == "note_ref" for c in children):
        return
    out: list[Token] = []
    held: list[Token] = []
    depth = 0
    for c in children:
        if c.type == "note_ref" and depth:
            held.append(c)
            continue
        out.append(c)
        if c.type == "link_open":
            depth += 1
        elif c.type == "link_close":
            depth -= 1
            if not depth and held:
                out.extend(held)
                held = []
    out.extend(held)
    tok.children = out


def _text(content: str, level: int) -> Token:
    t = Token("text", "", 0, level=level)
    t.content = content
    return t


def _clip(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " …"


def _seg_line(segs, starts, offset: int, env) -> int:
    """The file line of visible-text ``offset``: a binary search for its segment, then the line
    breaks before it in its paragraph (counted once per paragraph)."""
    k = bisect.bisect_right(starts, offset) - 1
    if k < 0:
        return env.get("line0", 0) + 1
    tok, ci, _start = segs[k]
    counts = env.setdefault("_breaks", {})
    before = counts.get(id(tok))
    if before is None:
        before = counts[id(tok)] = list(accumulate((c.type in ("softbreak", "hardbreak") for c in tok.children), initial=0))
    return _line_of(tok, env) + before[ci]


def _note_ref(ann) -> Token:
    tok = Token("note_ref", "", 0)
    tok.meta = {"key": ann.anchor, "kind": ann.kind, "html": "", "ann": ann}
    return tok


def _fill_notes(tokens, env, note_mentions) -> None:
    """Render each annotation's note (``env["render_note"]``), in reading order (so mentions are
    reported in that order)."""
    render_note = env.get("render_note")
    for tok in tokens:
        if tok.type != "inline" or not tok.children:
            continue
        for child in tok.children:
            ann = child.meta.pop("ann", None) if child.type == "note_ref" else None
            if ann is None:
                continue
            head = f'<a class="permalink" href="#{escapeHtml(ann.anchor)}" aria-label="Permalink to this passage">¶</a>'
            if render_note is not None:
                html, errs, named = render_note(ann)
                child.meta["html"] = str(html)
                env["errors"].extend(errs)
                note_mentions.extend(dict.fromkeys((ann.id, e) for e in named))
                if ann.claim:
                    # The claim on a line of its own (style.css): nothing hangs off the permalink, which
                    # print hides.
                    head += (f'<span class="note-claim"><a href="{escapeHtml(env["urls"].of("claim", ann.claim))}">'
                             f'Claim: {escapeHtml(ann.claim.replace("-", " "))}</a>'
                             + (f" · {escapeHtml(ann.value)}" if ann.value else "") + "</span>")
            child.meta["head"] = '<p class="note-head">' + head + "</p>"


def plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("mentions", "marks", _rule)
