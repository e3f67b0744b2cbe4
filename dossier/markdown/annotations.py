"""Parse an annotation file: a sequence of ``> quote`` blocks, each followed by its note.

An optional attribute line stands directly above a quote::

    {.discrepancy #officer-count claim="officers-stepped-back" value="around 300" which=2}
    > Around 300 Metropolitan Police officers have temporarily stepped back

    The note, in Markdown, until the next quote.

Only top-level blockquotes start annotations (markdown-it finds them, so a ``>``
inside a fenced code block in a note is left alone).
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt

from ..errors import ErrorList
from ..model import ANNOTATION_KINDS, Annotation
from ..urls import SLUG_RE, slugify

_ATTR_LINE = re.compile(r"^\{([^{}]*)\}$")
_ATTR = re.compile(r'\s*(?:#([\w-]+)|\.([\w-]+)|([a-z_]+)=(?:"([^"]*)"|([^\s"}]+)))')
_KEYS = ("claim", "value", "which")
_md = MarkdownIt("commonmark")


def parse_attrs(text: str) -> tuple[dict, str | None]:
    """``#id .kind key=value key="v w"`` -> (dict, error message or None)."""
    attrs: dict = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _ATTR.match(text, pos)
        if not m or m.end() == pos:
            return attrs, f"cannot read the attribute list at '{text[pos:].strip()}' (write {{.kind #id key=\"value\"}})"
        ident, cls, key, qval, val = m.groups()
        if ident:
            attrs["id"] = ident
        elif cls:
            if "kind" in attrs:
                return attrs, f"an annotation has one kind; got '.{attrs['kind']}' and '.{cls}'"
            attrs["kind"] = cls
        else:
            if key not in _KEYS:
                return attrs, f"unknown annotation attribute '{key}' (known: {', '.join(_KEYS)}, .kind, #id)"
            attrs[key] = qval if qval is not None else val
        pos = m.end()
    return attrs, None


def parse_annotations(text: str, source: str, article: str, errors: ErrorList) -> list[Annotation]:
    lines = text.split("\n")
    tokens = _md.parse(text)
    # Top-level blocks as (type, first line, last line exclusive, token index).
    blocks = []
    for i, tok in enumerate(tokens):
        if tok.level == 0 and tok.nesting in (1, 0) and tok.map is not None:
            blocks.append((tok.type, tok.map[0], tok.map[1], i))
    starts = []  # (attr_line or None, quote block)
    for n, (typ, first, last, i) in enumerate(blocks):
        if typ != "blockquote_open":
            continue
        attr = None
        if n > 0 and blocks[n - 1][0] == "paragraph_open":
            ptyp, pfirst, plast, pi = blocks[n - 1]
            content = tokens[pi + 1].content.strip()
            if plast == first and _ATTR_LINE.match(content):
                attr = (pfirst, content)
        starts.append((attr, first, last))
    if not starts and text.strip():
        errors.add(source, 1, "no annotation found: each annotation starts with a '> quoted passage' line")
        return []
    out: list[Annotation] = []
    seen_ids: dict[str, int] = {}
    for n, (attr, first, last) in enumerate(starts):
        if n == 0 and (attr[0] if attr else first) > 0 and "\n".join(lines[:attr[0] if attr else first]).strip():
            errors.add(source, 1, "text before the first quote belongs to no annotation; start with '> quoted passage'")
        end = (starts[n + 1][0][0] if starts[n + 1][0] else starts[n + 1][1]) if n + 1 < len(starts) else len(lines)
        quote = " ".join(re.sub(r"^\s{0,3}>\s?", "", ln).strip() for ln in lines[first:last]).strip()
        k = last
        while k < end and not lines[k].strip():
            k += 1
        note, note_line = "\n".join(lines[k:end]).rstrip(), k + 1
        line = first + 1
        attrs: dict = {}
        if attr:
            attrs, msg = parse_attrs(attr[1][1:-1])
            if msg:
                errors.add(source, attr[0] + 1, msg)
                continue
        kind = attrs.get("kind", "note")
        if kind not in ANNOTATION_KINDS:
            errors.add(source, attr[0] + 1 if attr else line,
                       f"unknown annotation kind '.{kind}' (use one of: {', '.join('.' + k for k in ANNOTATION_KINDS)})")
            continue
        which = 0
        if "which" in attrs:
            if not attrs["which"].isdigit() or int(attrs["which"]) < 1:
                errors.add(source, attr[0] + 1, f"'which' must be a number from 1 (the occurrence to annotate), not {attrs['which']!r}")
                continue
            which = int(attrs["which"])
        claim = attrs.get("claim", "")
        if claim and not SLUG_RE.match(claim):
            errors.add(source, attr[0] + 1, f"'claim' must be a slug (lowercase letters, digits, hyphens), not {claim!r}")
            continue
        if not quote:
            errors.add(source, line, "empty quote: write the passage after '>'")
            continue
        ident = attrs.get("id") or slugify(quote.replace("...", " ").replace("…", " "), 6) + (f"-{which}" if which > 1 else "")
        if ident in seen_ids:
            errors.add(source, attr[0] + 1 if attr and "id" in attrs else line,
                       f"two annotations share the permalink '#{ident}' (the other is on line {seen_ids[ident]}); "
                       "give one an id with {#other-id}")
            continue
        seen_ids[ident] = line
        out.append(Annotation(article=article, quote=quote, note=note, note_line=note_line, line=line,
                              source=source, id=ident, kind=kind, claim=claim, value=attrs.get("value", ""),
                              which=which))
    return out
