"""Parse an annotation file: a sequence of ``> quote`` blocks, each followed by its note.

An optional attribute line stands directly above a quote::

    {.discrepancy #officer-count claim="officers-stepped-back" value="around 300" which=2}
    > Around 300 Metropolitan Police officers have temporarily stepped back

    The note, in Markdown, until the next quote.

Only top-level blockquotes start annotations (markdown-it finds them, so a ``>``
inside a fenced code block in a note is left alone).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from itertools import count

from markdown_it import MarkdownIt

from ..errors import ErrorList
from ..model import ANNOTATION_KINDS, Annotation
from ..suggest import brief, did_you_mean
from ..urls import SLUG_RE, slugify

_ATTR_LINE = re.compile(r"^\{([^{}]*)\}$")
_ATTR = re.compile(r'\s*(?:#([\w-]+)|\.([\w-]+)|([a-z_]+)=(?:"([^"]*)"|([^\s"}]+)))')
_KEYS = ("claim", "value", "which")
_md = MarkdownIt("commonmark").disable("inline")  # only the blocks are read: no inline parsing


def parse_attrs(text: str) -> tuple[dict, str | None]:
    """``#id .kind key=value key="v w"`` -> (dict, error message or None)."""
    attrs: dict = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _ATTR.match(text, pos)
        if not m or m.end() == pos:
            return attrs, f"cannot read the attribute list at {brief(text[pos:].strip())} (write {{.kind #id key=\"value\"}})"
        ident, cls, key, qval, val = m.groups()
        if ident:
            attrs["id"] = ident
        elif cls:
            if "kind" in attrs:
                return attrs, f"an annotation has one kind; got '.{attrs['kind']}' and '.{cls}'"
            attrs["kind"] = cls
        else:
            if key not in _KEYS:
                return attrs, (f"unknown annotation attribute {brief(key)}{did_you_mean(key, _KEYS)} "
                               f"(known: {', '.join(_KEYS)}, .kind, #id)")
            attrs[key] = qval if qval is not None else val
        pos = m.end()
    return attrs, None


def _quote_starts(blocks: list, lines: list[str], source: str, errors: ErrorList) -> list:
    """Each quote as (attribute line or None, first line, last line exclusive).

    An attribute line belongs to the quote right below it; one that stands anywhere else
    (a blank line before its quote, or at the end of a note) is an error, never note text."""
    starts = []
    for n, (typ, first, last) in enumerate(blocks):
        if typ == "paragraph_open":
            nxt = blocks[n + 1] if n + 1 < len(blocks) else None
            attached = nxt is not None and nxt[0] == "blockquote_open" and nxt[1] == last
            if not attached and _ATTR_LINE.match(lines[last - 1].strip()):
                errors.add(source, last, "this attribute line belongs to no quote: put it directly above its "
                                         "'> quote' line, with no blank line between")
            continue
        if typ != "blockquote_open":
            continue
        attr = None
        if n > 0 and blocks[n - 1][0] == "paragraph_open" and blocks[n - 1][2] == first:
            content = lines[first - 1].strip()
            if _ATTR_LINE.match(content):  # the paragraph's last line, directly above the quote
                attr = (first - 1, content)
        starts.append((attr, first, last))
    return starts


def _stray_text(lines: list[str]) -> bool:
    """Text above the first quote (an attribute line there has an error of its own)."""
    return any(ln.strip() and not _ATTR_LINE.match(ln.strip()) for ln in lines)


def quote_starts(text: str, source: str = "", errors: ErrorList | None = None) -> list:
    """Each quote of an annotation file as (attribute line or None, first line, last line exclusive),
    the lines counted from 0 in ``text.split("\\n")``; an attribute line as (line, its text)."""
    lines = text.split("\n")
    blocks = plain_blocks(lines)
    if blocks is None:
        blocks = markdown_blocks(text)
    return _quote_starts(blocks, lines, source, errors if errors is not None else ErrorList(None))


def markdown_blocks(text: str) -> list:
    """The top-level blocks of ``text`` as markdown-it finds them: (type, first line, last line exclusive)."""
    return [(tok.type, tok.map[0], tok.map[1]) for tok in _md.parse(text)
            if tok.level == 0 and tok.nesting in (1, 0) and tok.map is not None]


_PLAIN_FIRST = frozenset('{"\'(')  # besides letters: a line starting so is a paragraph's, never another block's


def _plain(line: str) -> bool:
    """A line of text no block but a paragraph can start with or be interrupted by: its first character
    a letter, one of ``_PLAIN_FIRST``, or any other character beyond ASCII but a space (“, —, …)."""
    if not line:
        return False
    c = line[0]
    return c.isalpha() or c in _PLAIN_FIRST or c >= "\x80" and not c.isspace()


def plain_blocks(lines: list[str]) -> list | None:
    """``markdown_blocks`` of a file made only of empty lines, lines of text (``_plain``) and quote lines
    (``>`` alone, or ``>`` or ``> `` then text), found line by line; None for any other file (then
    markdown-it reads it), and for a quote with no text or ending in two empty quote lines (markdown-it
    counts the empty lines after it in).
    There, a quote line starts a blockquote (interrupting a paragraph) or goes on with one; a line of
    text goes on with the blockquote while the quote's own paragraph is open (a lazy continuation line),
    else starts or goes on with a paragraph; an empty line ends either. An annotation file is read in a
    sixth of markdown-it's time (2,000 of them at 10,000 reports)."""
    blocks: list = []
    kind, first, said, empty = None, 0, False, 0  # the open block ("paragraph_open", "blockquote_open" or
    for n, line in enumerate(lines):               # None); any text in its quote; empty quote lines at its end
        if not line:
            if kind is not None:
                if kind == "blockquote_open" and (not said or empty > 1):
                    return None
                blocks.append((kind, first, n))
                kind = None
            continue
        if line[0] == ">":
            rest = line[2:] if line.startswith("> ") else line[1:]
            if rest and not _plain(rest):
                return None
            if kind != "blockquote_open":
                if kind is not None:
                    blocks.append((kind, first, n))
                kind, first, said, empty = "blockquote_open", n, False, 0
            empty = 0 if rest else empty + 1
            said = said or bool(rest)
            continue
        if not _plain(line):
            return None
        if kind == "blockquote_open" and empty:  # the quote's paragraph closed: not a lazy continuation line
            if not said or empty > 1:
                return None
            blocks.append((kind, first, n))
            kind = None
        if kind is None:
            kind, first = "paragraph_open", n
    if kind == "blockquote_open" and (not said or empty > 1):
        return None
    if kind is not None:
        blocks.append((kind, first, len(lines)))
    return blocks


def parse_annotations(text: str, source: str, article: str, errors: ErrorList) -> list[Annotation]:
    lines = text.split("\n")
    starts = quote_starts(text, source, errors)
    if not starts and text.strip():
        errors.add(source, 1, "no annotation found: each annotation starts with a '> quoted passage' line")
        return []
    out: list[Annotation] = []
    explicit_lines: dict[int, int] = {}  # index in ``out`` -> line of an explicit {#id}
    for n, (attr, first, last) in enumerate(starts):
        if n == 0 and (attr[0] if attr else first) > 0 and _stray_text(lines[:attr[0] if attr else first]):
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
                       f"unknown annotation kind '.{kind}'{did_you_mean(kind, {k: '.' + k for k in ANNOTATION_KINDS})} "
                       f"(use one of: {', '.join('.' + k for k in ANNOTATION_KINDS)})")
            continue
        which = 0
        if "which" in attrs:
            if not attrs["which"].isdigit() or int(attrs["which"]) < 1:
                errors.add(source, attr[0] + 1, f"'which' must be a number from 1 (the occurrence to annotate), not {brief(attrs['which'])}")
                continue
            which = int(attrs["which"])
        claim = attrs.get("claim", "")
        if "value" in attrs and not claim:
            errors.add(source, attr[0] + 1, "'value' is shown only with a claim: add claim=\"…\" "
                                            "(the claim this value is for) or remove value=", warning=True)
        if claim and not SLUG_RE.match(claim):
            errors.add(source, attr[0] + 1, f"'claim' must be a slug (lowercase letters, digits, hyphens), not {brief(claim)}")
            continue
        if not quote:
            errors.add(source, line, "empty quote: write the passage after '>'")
            continue
        out.append(Annotation(article=article, quote=quote, note=note, note_line=note_line, line=line,
                              source=source, id=attrs.get("id", ""), kind=kind, claim=claim,
                              value=attrs.get("value", ""), which=which))
        if "id" in attrs:
            explicit_lines[len(out) - 1] = attr[0] + 1
    return permalinks(out, explicit_lines, source, errors)


def _base(ann: Annotation) -> str:
    """The permalink a quote makes: its first six words (no ellipsis), ``-N`` for which=N."""
    return slugify(ann.quote.replace("...", " ").replace("…", " "), 6) + (f"-{ann.which}" if ann.which > 1 else "")


def _suffixed(base: str, ann: Annotation):
    """The permalinks an annotation may take when its quote's is taken: from what is its own
    (kind, then claim, then a short hash of its note), the last numbered until one is free."""
    yield f"{base}-{ann.kind}"
    if ann.claim:
        yield f"{base}-{ann.claim}"
    tag = hashlib.sha1(" ".join(ann.note.split()).encode("utf-8")).hexdigest()[:6]
    yield f"{base}-{tag}"
    for n in count(2):
        yield f"{base}-{tag}-{n}"


def permalinks(anns: list[Annotation], explicit: dict[int, int], source: str, errors: ErrorList) -> list[Annotation]:
    """Every annotation of a file with its permalink id (see README, "Permalinks").

    An explicit ``{#id}`` is kept (a second equal one is an error). Otherwise the first annotation
    of the file on a passage takes the quote's id; a later one on the same passage, or one whose
    quote's id an explicit id took, takes the first of ``_suffixed`` that nothing else has. So an
    id changes only when annotations of its own passage before it come or go."""
    used: dict[str, int] = {}  # id -> line of its annotation
    dropped = set()
    for i, line in explicit.items():
        ident = anns[i].id
        if ident in used:
            errors.add(source, line, f"two annotations have the id '#{ident}' (the other is on line {used[ident]}); "
                                     "change one, or remove one to let Dossier make it")
            dropped.add(i)
        else:
            used[ident] = anns[i].line
    bases = {i: _base(a) for i, a in enumerate(anns) if i not in explicit}
    owner: dict[str, int] = {}
    for i, base in bases.items():
        if base not in used:
            owner.setdefault(base, i)
    used.update((base, anns[i].line) for base, i in owner.items())
    out = []
    for i, ann in enumerate(anns):
        if i in dropped:
            continue
        if i in bases:
            ident = bases[i] if owner.get(bases[i]) == i else next(c for c in _suffixed(bases[i], ann) if c not in used)
            used.setdefault(ident, ann.line)
            ann = replace(ann, id=ident)
        out.append(ann)
    return out
