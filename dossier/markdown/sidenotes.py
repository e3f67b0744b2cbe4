"""Margin notes: footnotes (``[^1]``) and annotation notes as asides beside the text.

A core rule (the last one) numbers every ``note_ref`` in document order and
inserts each note as an ``<aside class="sidenote">`` right after the top-level
block that refers to it.  CSS floats it into the margin on wide screens; on
narrow screens it folds to one line that opens in place (checkbox + label, or
``:target`` when the reference is followed) with no JavaScript.

Annotation notes arrive from ``marks.py`` as ``note_ref`` tokens whose meta
holds the rendered note; footnotes are taken from the footnote plugin's block.
"""
from __future__ import annotations

from functools import partial

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

KIND_LABELS = {"footnote": "Footnote", "note": "Note", "context": "Context", "correction": "Correction",
               "discrepancy": "Discrepancy", "shared": "Also in"}


def _take_footnotes(md: MarkdownIt, state: StateCore) -> dict[int, str]:
    """Remove the footnote block; return footnote id -> rendered HTML of its body."""
    tokens = state.tokens
    try:
        start = next(i for i, t in enumerate(tokens) if t.type == "footnote_block_open")
    except StopIteration:
        return {}
    end = next(i for i in range(start, len(tokens)) if tokens[i].type == "footnote_block_close")
    bodies: dict[int, str] = {}
    i = start + 1
    while i < end:
        if tokens[i].type == "footnote_open":
            j = i + 1
            while tokens[j].type != "footnote_close":
                j += 1
            inner = [t for t in tokens[i + 1:j] if t.type != "footnote_anchor"]
            bodies[tokens[i].meta["id"]] = md.renderer.render(inner, md.options, state.env)
            i = j
        i += 1
    del tokens[start:end + 1]
    return bodies


def aside_html(key: str, number: int, kind: str, body: str, extra_head: str = "") -> str:
    label = KIND_LABELS.get(kind, kind.title())
    key = escapeHtml(key)
    return (f'<aside class="sidenote k-{kind}" id="note-{key}" role="note" aria-label="{label} {number}">\n'
            f'<input type="checkbox" class="note-toggle" id="nt-{key}">'
            f'<label class="note-label" for="nt-{key}"><span class="note-num">{number}</span> {label}</label>\n'
            f'<div class="note-body">{extra_head}{body}'
            f'<p class="note-back"><a href="#ref-{key}" aria-label="Back to the text">↩</a></p></div>\n'
            f'</aside>\n')


def _rule(md: MarkdownIt, state: StateCore) -> None:
    footnotes = _take_footnotes(md, state)
    env = state.env
    tokens = state.tokens
    number = env.setdefault("note_number", 0)
    numbers = env.setdefault("note_numbers", {})
    pending: list[str] = []
    out: list[Token] = []
    for tok in tokens:
        out.append(tok)
        if tok.type == "inline" and tok.children:
            for n, child in enumerate(tok.children):
                if child.type == "footnote_ref":
                    fid = child.meta["id"]
                    key = f"fn-{child.meta.get('label') or fid + 1}"
                    child.type = "note_ref"
                    child.meta = {"key": key, "kind": "footnote", "html": footnotes.get(fid, ""),
                                  "repeat": child.meta.get("subId", 0) > 0}
                if child.type == "note_ref":
                    number = numbered(child.meta, number, numbers, pending)
        if pending and tok.level == 0 and tok.nesting <= 0 and tok.type != "inline":
            block = Token("html_block", "", 0)
            block.content = "".join(pending)
            out.append(block)
            pending = []
    if pending:
        block = Token("html_block", "", 0)
        block.content = "".join(pending)
        out.append(block)
    env["note_number"] = number
    state.tokens = out


def numbered(meta: dict, number: int, numbers: dict, pending: list) -> int:
    """A note reference's ``meta`` numbered (the next after ``number``, or its key's in ``numbers``, then a
    repeat); the aside of a first reference into ``pending``. Returns the last number given."""
    if meta["key"] in numbers:
        meta["number"], meta["repeat"] = numbers[meta["key"]], True
        return number
    number += 1
    meta["number"] = numbers[meta["key"]] = number
    pending.append(aside_html(meta["key"], number, meta["kind"], meta["html"], meta.get("head", "")))
    return number


def _render_ref(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    key = escapeHtml(meta["key"])
    ident = "" if meta.get("repeat") else f' id="ref-{key}"'
    label = KIND_LABELS.get(meta["kind"], meta["kind"].title()).lower()
    return (f'<sup class="note-ref"{ident}><a href="#note-{key}" aria-label="Note {meta["number"]}, {label}">'
            f'{meta["number"]}</a></sup>')


def plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("sidenotes", partial(_rule, md))
    md.add_render_rule("note_ref", _render_ref)
