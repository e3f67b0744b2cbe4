"""Edit an annotation file as bytes: add, change or delete one annotation, keeping every other byte.

The preview's "Annotate" form (``serve/annotate.py``) writes through these pure
functions.  A file is split into its raw lines (line ends kept, whatever they
are: LF, CRLF or CR); an annotation is the range of lines from its attribute
line (or quote) to the last line of its note.  Adding appends a block at the
end; editing replaces the attribute line and the note, keeping the quote's own
lines; deleting removes the block and the blank lines after it.  The byte-order
mark, the line ends and the rest of the file stay as they were.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .errors import ErrorList
from .frontmatter import CONTROL, normalize_newlines
from .markdown.annotations import parse_annotations, parse_attrs, quote_starts
from .model import ANNOTATION_KINDS, Annotation
from .urls import SLUG_RE

ABSENT = "absent"
MAX_NOTE = 100_000
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class EditError(ValueError):
    """A request the file cannot take: ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Fields:
    """What the form sets: the kind, the note (Markdown), a claim key and its value."""

    kind: str = "note"
    note: str = ""
    claim: str = ""
    value: str = ""


def version(data: bytes | None) -> str:
    """What a page remembers of the file it was served with: a hash of its bytes, or ``absent``."""
    return ABSENT if data is None else hashlib.sha256(data).hexdigest()


def check_fields(f: Fields) -> Fields:
    """The fields cleaned (note without trailing blanks, LF line ends), or an EditError."""
    if f.kind not in ANNOTATION_KINDS:
        raise EditError(f"unknown kind {f.kind!r} (use one of: {', '.join(ANNOTATION_KINDS)})")
    claim, value = f.claim.strip(), f.value.strip()
    if claim and not SLUG_RE.match(claim):
        raise EditError("the claim key must be a slug: lowercase letters, digits and hyphens")
    if value and not claim:
        raise EditError("a value belongs to a claim: give the claim key too, or leave the value empty")
    if re.search(r'["{}\r\n]', value):
        raise EditError('the value cannot hold the characters " { } or a line break')
    note = normalize_newlines(f.note)
    note = "\n".join(ln.rstrip() for ln in note.split("\n")).strip("\n")
    if not note.strip():
        raise EditError("write a note: it is what the reader sees beside the passage")
    if len(note) > MAX_NOTE:
        raise EditError(f"the note is longer than {MAX_NOTE} characters")
    bad = CONTROL.search(note + value)
    if bad:
        raise EditError(f"the note holds a control character (U+{ord(bad.group()):04X}); remove it")
    return Fields(f.kind, note, claim, value)


class Lines:
    """A file as raw lines (each with its own line end), its byte-order mark and usual line end."""

    def __init__(self, data: bytes | None) -> None:
        try:
            text = (data or b"").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EditError(f"the annotation file is not valid UTF-8 (byte {exc.start}); fix it in an editor",
                            409) from None
        self.bom = text.startswith("\ufeff")
        text = text[1:] if self.bom else text
        self.lines: list[str] = _LINES.findall(text)
        ends = [ln[len(ln.rstrip("\r\n")):] for ln in self.lines]
        counts = {e: ends.count(e) for e in ("\n", "\r\n", "\r")}
        self.eol = max(("\n", "\r\n", "\r"), key=lambda e: counts[e]) if any(counts.values()) else "\n"
        self.text = normalize_newlines(text)   # what the loader parses; line i is self.lines[i]

    def encode(self, lines: list[str]) -> bytes:
        return (("\ufeff" if self.bom else "") + "".join(lines)).encode("utf-8")

    def blank(self, i: int) -> bool:
        return not self.lines[i].strip()

    def ended(self, i: int) -> bool:
        return self.lines[i].endswith(("\n", "\r"))


def attribute_line(kind: str, claim: str = "", value: str = "", which: int = 0, ident: str = "") -> str:
    parts = [f".{kind}"] + ([f"#{ident}"] if ident else [])
    if claim:
        parts.append(f'claim="{claim}"')
    if value:
        parts.append(f'value="{value}"')
    if which:
        parts.append(f"which={which}")
    return "{" + " ".join(parts) + "}"


def _with_eol(lines: list[str], eol: str) -> list[str]:
    return [ln if ln.endswith(("\n", "\r")) else ln + eol for ln in lines]


@dataclass(frozen=True)
class Block:
    start: int      # attribute line, or the quote's first line
    attr: str       # the attribute line's text without braces ('' when there is none)
    first: int      # the quote's lines: [first, last)
    last: int
    note: int       # the note's first line (== end when it has none)
    end: int        # one past the note's last non-blank line
    next: int       # where the next annotation starts (or the number of lines)


def blocks(f: Lines) -> list[Block]:
    starts = quote_starts(f.text)
    out = []
    for n, (attr, first, last) in enumerate(starts):
        nxt = starts[n + 1] if n + 1 < len(starts) else None
        nxt_start = (nxt[0][0] if nxt[0] else nxt[1]) if nxt else len(f.lines)
        end = nxt_start
        while end > last and f.blank(end - 1):
            end -= 1
        note = last
        while note < end and f.blank(note):
            note += 1
        out.append(Block(attr[0] if attr else first, attr[1][1:-1] if attr else "", first, last, note, end,
                         nxt_start))
    return out


def count(data: bytes | None) -> int:
    """How many annotations (quotes) the file holds, readable or not."""
    return len(quote_starts(Lines(data).text))


def _find(f: Lines, line: int) -> tuple[int, list[Block]]:
    found = blocks(f)
    for i, b in enumerate(found):
        if b.first + 1 == line:
            return i, found
    raise EditError(f"no annotation starts on line {line} of the file any more; reload the page", 409)


def _note_lines(note: str, eol: str) -> list[str]:
    return [ln + eol for ln in note.split("\n")]


def add(data: bytes | None, quote: str, which: int, fields: Fields) -> tuple[bytes, int]:
    """The file with a new annotation at its end, and the line (from 1) of its quote."""
    f = Lines(data)
    lines = _with_eol(f.lines, f.eol)
    if lines and lines[-1].strip():
        lines.append(f.eol)
    lines.append(attribute_line(fields.kind, fields.claim, fields.value, which) + f.eol)
    lines.append(f"> {quote}{f.eol}")
    line = len(lines)
    lines.append(f.eol)
    lines.extend(_note_lines(fields.note, f.eol))
    return f.encode(lines), line


def edit(data: bytes | None, line: int, fields: Fields) -> tuple[bytes, int]:
    """The annotation whose quote starts on ``line`` (from 1) with a new kind, claim, value and note;
    and the line its quote starts on now."""
    f = Lines(data)
    i, found = _find(f, line)
    b = found[i]
    old, _msg = parse_attrs(b.attr)
    which = int(old["which"]) if str(old.get("which", "")).isdigit() else 0
    attr = attribute_line(fields.kind, fields.claim, fields.value, which, old.get("id", ""))
    lines = f.lines
    quote = _with_eol(lines[b.first:b.last], f.eol)
    gap = lines[b.last:b.note] if b.note < b.end else [f.eol]
    note = _note_lines(fields.note, f.eol)
    tail = lines[b.end:]
    if not tail and lines and not f.ended(len(lines) - 1):
        note[-1] = note[-1][:-len(f.eol)]
    return f.encode(lines[:b.start] + [attr + f.eol] + quote + gap + note + tail), b.start + 2


def delete(data: bytes | None, line: int) -> bytes:
    """The file without the annotation whose quote starts on ``line`` (from 1)."""
    f = Lines(data)
    i, found = _find(f, line)
    b = found[i]
    if i + 1 < len(found):
        return f.encode(f.lines[:b.start] + f.lines[b.next:])
    keep = found[i - 1].end if i > 0 else b.start
    return f.encode(f.lines[:keep])


def annotations(data: bytes | None, article: str, source: str = "") -> tuple[list[Annotation], list]:
    """The annotations of a file as the loader reads them, and its errors."""
    errors = ErrorList(None)
    try:
        text = Lines(data).text
    except EditError:
        return [], []
    return parse_annotations(text, source, article, errors), errors.items


def check_block(data: bytes, article: str, line: int, count: int, source: str = "") -> None:
    """Refuse a result whose annotation on ``line`` (its quote) does not read back as one clean
    annotation, or that does not hold ``count`` annotations."""
    found, errors = annotations(data, article, source)
    every = blocks(Lines(data))
    block = next((b for b in every if b.first + 1 == line), None)
    if block is None or len(every) != count:
        raise EditError("the note would end the annotation early: a line starting with '>' begins a new "
                        "annotation; indent it or write it another way", 422)
    for e in errors:
        if block.start < e.line <= block.next:
            raise EditError(e.message, 422)
    if not any(a.line == line for a in found):
        raise EditError("the annotation would not read back; check the note", 422)
