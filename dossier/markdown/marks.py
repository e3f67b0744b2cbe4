"""Core rule: anchor annotation quotes in the reader-visible text and wrap them in ``<mark>``.

The visible text is built from the token stream (text, code, link labels, line
breaks as spaces, blocks separated by a newline), so a quote matches across
entity links and inline markup.  Each text token the passage covers is split and
its covered part wrapped in a ``<mark>``: marks never cross element boundaries,
so the HTML stays well nested.  The first mark carries the annotation's
permalink ``id``; a ``note_ref`` after the last one becomes its margin note
(``sidenotes.py``).  Problems go to ``env["anchor_errors"]`` located at the
annotation's own line.
"""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ..anchoring import closest, find_all, norm, normalize, source_span
from ..suggest import first_difference


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
            t = child.type
            if t == "text":
                segs.append((tok, ci, pos))
                piece = child.content
            elif t == "code_inline":
                piece = child.content
            elif t in ("softbreak", "hardbreak"):
                piece = "\n"
            elif t == "wikilink":
                piece = child.meta.get("label", "")
            else:
                piece = ""
            parts.append(piece)
            pos += len(piece)
    return "".join(parts), segs


def _line_of(tok, env) -> int:
    return env.get("line0", 0) + (tok.map[0] if tok.map else 0) + 1


def _html(tag: str) -> Token:
    t = Token("html_inline", "", 0)
    t.content = tag
    return t


def _rule(state: StateCore) -> None:
    env = state.env
    annotations = env.get("annotations")
    if not annotations:
        return
    text, segs = _visible(state.tokens)
    hay, offs = normalize(text)
    source = env.get("source", "")
    errors = env.setdefault("anchor_errors", [])
    wanted = []  # (start, end, annotation) in visible-text offsets
    for ann in annotations:
        found = find_all(hay, ann.quote)
        if not found:
            if ann.auto:
                continue
            near = closest(hay, ann.quote)
            hint = ""
            if near is not None and near.ratio >= 0.3:
                line = _seg_line(segs, offs[near.start], env)
                hint = f'; closest passage ({near.ratio:.0%} alike, {source}:{line}): "{_clip(near.text)}"'
                diff = first_difference(norm(ann.quote), near.text)
                hint += f"; {diff}" if diff else ""
            errors.append((ann.source, ann.line, f"quote not found in {source}{hint}"))
            continue
        if ann.which:
            if ann.which > len(found):
                errors.append((ann.source, ann.line, f"which={ann.which}, but the quote appears {len(found)} time(s) in {source}"))
                continue
            found = [found[ann.which - 1]]
        elif len(found) > 1:
            if ann.auto:
                continue
            lines = ", ".join(f"{source}:{_seg_line(segs, offs[s], env)}" for s, _ in found)
            errors.append((ann.source, ann.line,
                           f"quote appears {len(found)} times ({lines}); add which=N to the attribute line, or quote more words"))
            continue
        wanted.append((*source_span(text, offs, *found[0]), ann))
    wanted.sort(key=lambda w: (w[0], w[1]))
    renderer = env.get("renderer")
    placed = env.setdefault("placed", [])
    note_mentions = env.setdefault("note_mentions", [])
    # Split text children, last segments first so earlier child indexes stay valid.
    inserts: dict = {}  # (id(inline token), child index) -> list of (local start, local end, ann, first, last)
    for s, e, ann in wanted:
        covered = [(tok, ci, start) for tok, ci, start in segs
                   if start < e and start + len(tok.children[ci].content) > s]
        covered = [c for c in covered if min(e, c[2] + len(c[0].children[c[1]].content)) > max(s, c[2])]
        if not covered:
            continue
        for n, (tok, ci, start) in enumerate(covered):
            content = tok.children[ci].content
            ls, le = max(s, start) - start, min(e, start + len(content)) - start
            inserts.setdefault((id(tok), ci), (tok, ci, []))[2].append((ls, le, ann, n == 0, n == len(covered) - 1))
        placed.append(ann)
        env.setdefault("anchored", []).append(ann.id)
    position = {id(t): n for n, t in enumerate(state.tokens)}
    # Document order (notes render, and report their mentions, in reading order); within a token,
    # the last child first, so the indexes of the earlier ones stay valid.
    for (_tid, ci), (tok, _ci, spans) in sorted(inserts.items(), key=lambda kv: (position[id(kv[1][0])], -kv[0][1])):
        tok.children[ci:ci + 1] = _wrap(tok.children[ci], spans)
    for tok in {id(t): t for t, _ci, _s in segs}.values():
        _refs_out_of_links(tok)
    _fill_notes(state.tokens, renderer, env, note_mentions)


def _wrap(child: Token, spans: list) -> list[Token]:
    """Split one text token at every span edge; each piece is wrapped in the marks of all spans covering it,
    nested in a fixed order, so overlapping passages both stay marked and the HTML stays well nested."""
    content = child.content
    edges = sorted({0, len(content), *(x for ls, le, *_ in spans for x in (ls, le))})
    ordered = sorted(spans, key=lambda sp: (sp[0], -sp[1]))
    new: list[Token] = []
    for a, b in zip(edges, edges[1:]):
        if a >= b:
            continue
        cover = [sp for sp in ordered if sp[0] <= a and b <= sp[1]]
        for ls, le, ann, first, last in cover:
            ident = f' id="{escapeHtml(ann.id)}"' if first and ls == a else ""
            new.append(_html(f'<mark class="k-{ann.kind}"{ident} data-note="{escapeHtml(ann.id)}">'))
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


def _seg_line(segs, offset: int, env) -> int:
    best = None
    for tok, ci, start in segs:
        if start > offset:
            break
        best = (tok, ci, start)
    if best is None:
        return env.get("line0", 0) + 1
    tok, ci, start = best
    before = sum(1 for c in tok.children[:ci] if c.type in ("softbreak", "hardbreak"))
    return _line_of(tok, env) + before


def _note_ref(ann) -> Token:
    tok = Token("note_ref", "", 0)
    tok.meta = {"key": ann.id, "kind": ann.kind, "html": "", "ann": ann}
    return tok


def _fill_notes(tokens, renderer, env, note_mentions) -> None:
    """Render each annotation's note, in reading order (so mentions are reported in that order)."""
    for tok in tokens:
        if tok.type != "inline" or not tok.children:
            continue
        for child in tok.children:
            ann = child.meta.pop("ann", None) if child.type == "note_ref" else None
            if ann is None:
                continue
            head = [f'<a class="permalink" href="#{escapeHtml(ann.id)}" aria-label="Permalink to this passage">¶</a>']
            if renderer is not None:
                errs: list = []
                mentions: list = []
                child.meta["html"] = str(renderer.note_html(ann, errs, mentions))
                env.setdefault("anchor_errors", []).extend(errs)
                note_mentions.extend(dict.fromkeys((ann.id, m.entity) for m in mentions))
                if ann.claim:
                    head.append(f'<a href="{escapeHtml(renderer.urls.of("claim", ann.claim))}">Claim: '
                                f'{escapeHtml(ann.claim.replace("-", " "))}</a>'
                                + (f" · {escapeHtml(ann.value)}" if ann.value else ""))
            child.meta["head"] = '<p class="note-head">' + " · ".join(head) + "</p>"


def plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("mentions", "marks", _rule)
