"""Split a ``---`` front-matter block from a Markdown file and parse its YAML.

Returns the mapping, the line of every top-level key (1-based, in the file),
and the line where the body starts, so errors point at the file's own lines.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .suggest import brief, quote_hint

if TYPE_CHECKING:
    import yaml


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class Parsed:
    data: dict
    lines: dict  # key -> 1-based line in the file
    body: str
    body_line: int


def _loader(text: str):
    """PyYAML's safe loader of ``text``: libyaml's parser when PyYAML was built with it (the wheels
    are), ten times faster. PyYAML is imported on first use: most front matter (and a plain
    ``site.yaml``) never needs it (``_simple_mapping``), and importing it is a tenth of a small
    build's start-up (about 8 ms)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)


def _one_line(exc: yaml.YAMLError) -> str:
    """PyYAML's problem without its ``in "<unicode string>", line 1, column 8`` lines."""
    text = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc).split("\n", 1)[0]
    return brief(text, 160)[1:-1]


def _aliased(root: yaml.MappingNode):
    """The top-level key node under which some node is reached twice (a YAML alias ``*name``), or None.

    Linear in the composed nodes: an alias is not expanded, only seen again."""
    import yaml

    seen: set[int] = set()
    for key_node, value_node in root.value:
        stack = [key_node, value_node]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                return key_node
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    stack += (v, k)
            elif isinstance(node, yaml.SequenceNode):
                stack += node.value[::-1]
    return None


MAX_DEPTH = 64  # nesting levels front matter may use (it needs two); libyaml crashes or slows past thousands
_NESTING = re.compile(r"[\[\]{}\n]|(?:^|(?<=\n))[ \t]*(?:[-?:][ \t]+){%d,}" % (MAX_DEPTH + 1))


def _check_depth(text: str, first_line: int) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` before PyYAML sees it (one linear scan).

    Brackets are counted even inside quotes: an over-estimate that only a value with
    dozens of unclosed brackets could trip."""
    depth, line = 0, 0
    for m in _NESTING.finditer(text):
        c = m.group()
        if c == "\n":
            line += 1
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                break
        elif c in "]}":
            depth = max(0, depth - 1)
        else:  # a line of many compact "- - - x" indicators
            depth = MAX_DEPTH + 1
            break
    if depth > MAX_DEPTH:
        raise FrontMatterError(first_line + line, f"values nest more than {MAX_DEPTH} levels deep")


def _compose(loader, text: str, first_line: int):
    import yaml

    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = _one_line(exc)
        ctx = exc.context_mark
        if exc.problem and exc.context and ctx is not None and ctx.line != (mark.line if mark else 0):
            # e.g. an unclosed [ list: say where it was opened, not only where PyYAML gave up
            problem += f" ({exc.context.replace('while ', '')} that starts on line {first_line + ctx.line})"
        if exc.problem and "mapping values are not allowed" in exc.problem and mark is not None:
            lines = text.split("\n", mark.line + 1)
            problem += quote_hint(lines[mark.line] if mark.line < len(lines) else "")
        raise FrontMatterError(line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks its errors
        raise FrontMatterError(first_line, f"invalid YAML: {_one_line(exc)}") from None


def _construct(loader, node, first_line: int) -> dict:
    import yaml

    try:
        return loader.construct_document(node)
    except (yaml.YAMLError, ValueError) as exc:
        # A value that looks like a date but is none (2023-02-30) fails here; find which.
        line = first_line + node.start_mark.line
        what = f"invalid YAML: {_one_line(exc) if isinstance(exc, yaml.YAMLError) else brief(str(exc), 160)[1:-1]}"
        for key_node, value_node in node.value:
            try:
                _loader("").construct_object(value_node, deep=True)
            except (yaml.YAMLError, ValueError) as inner:
                line = first_line + value_node.start_mark.line
                if isinstance(inner, yaml.YAMLError):
                    what = f"invalid YAML: {_one_line(inner)}"
                elif value_node.tag.endswith(":timestamp"):
                    what = (f"'{brief(key_node.value)[1:-1]}' must be a date written YYYY-MM-DD, "
                            f"not {brief(value_node.value)} (no such day)")
                else:
                    what = f"'{brief(key_node.value)[1:-1]}': {brief(str(inner), 100)[1:-1]}"
                break
        raise FrontMatterError(line, what) from None


# The plain front matter of most files (``key: a few words``, a date, ``tags: [a, b]``) read
# without PyYAML, five times faster; anything else goes to PyYAML, which gives the same values.
_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*): +(\S.*)")
# (Written as negated ASCII classes: a class with a range up to U+10FFFF takes 10 ms to compile.)
_SIMPLE_WORDS = re.compile(  # a letter (any non-ASCII character), then letters, digits, space and ,.'()/_-
    r"[^\x00-@\[-`{-\x7f][^\x00-\x1f!\"#$%&*+:;<=>?@\[\\\]^`{|}~\x7f]*")  # can only be a str
_SIMPLE_ITEM = re.compile(r"[^\x00-@\[-`{-\x7f][^\x00-\x1f!\"#$%&*+:;<=>?@\[\\\]^`{|}~\x7f,()/]*")  # inside [ ]
# An address (``base_url: https://example.org/``): YAML reads a plain scalar with no space in it, whose
# first characters are no indicator and which does not end in ":", as the string it is.
_SIMPLE_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*[A-Za-z0-9._~/?#\[\]@!$&'()*+,;=%-]")
_SIMPLE_QUOTED = re.compile(r"\"[^\"\\]*\"|'[^']*'")  # quoted, without an escape or a quote inside
_SIMPLE_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_SIMPLE_INT = re.compile(r"0|[1-9][0-9]*")
# YAML 1.1 (PyYAML's resolver) reads these words as booleans and nulls, not strings
_NOT_STR = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
                     "null Null NULL".split())


def _simple_value(value: str):
    """What PyYAML's safe loader makes of ``value`` (no trailing space), or None: not simple enough.
    Only printable characters (no line or paragraph separator, no byte-order mark, no control)."""
    if not value.isprintable():
        return None
    if _SIMPLE_WORDS.fullmatch(value):
        return None if value in _NOT_STR else value
    if _SIMPLE_QUOTED.fullmatch(value):
        return value[1:-1]
    if _SIMPLE_URL.fullmatch(value):
        return value
    if value[0] == "[" and value[-1] == "]":
        inner = value[1:-1].strip()
        items = [item.strip() for item in inner.split(",")] if inner else []
        if all(_SIMPLE_ITEM.fullmatch(item) and item not in _NOT_STR for item in items):
            return items
        return None
    if _SIMPLE_INT.fullmatch(value):
        return int(value)
    m = _SIMPLE_DATE.fullmatch(value)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:  # no such day: PyYAML's path says which key
            return None
    return None


def _simple_mapping(text: str, first_line: int) -> tuple[dict, dict] | None:
    """``parse_yaml_mapping`` of front matter made only of ``key: value`` lines with simple values
    (see :func:`_simple_value`) and blank lines; None for anything else (then PyYAML reads it)."""
    data: dict = {}
    lines: dict = {}
    for n, line in enumerate(text.split("\n")):
        if not line:
            continue
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None or m[1] in data or m[1] in _NOT_STR or line[-1] == " ":
            return None
        value = _simple_value(m[2])
        if value is None:
            return None
        data[m[1]] = value
        lines[m[1]] = first_line + n
    return (data, lines) if data else None


def parse_yaml_mapping(text: str, first_line: int = 1) -> tuple[dict, dict]:
    """Parse YAML text that must be a mapping.  ``first_line`` is the file line of ``text``'s first line.

    YAML aliases (``*name``) are refused: they are never needed in front matter, and a
    few hundred bytes of nested aliases expand to gigabytes.
    """
    simple = _simple_mapping(text, first_line)
    if simple is not None:
        return simple
    import yaml

    _check_depth(text, first_line)
    loader = _loader(text)
    try:
        node = _compose(loader, text, first_line)
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(first_line + node.start_mark.line, "front matter must be a mapping of keys to values")
        again = _aliased(node)
        if again is not None:
            raise FrontMatterError(first_line + again.start_mark.line,
                                   "YAML aliases (*name) are not allowed here; write the value out")
        lines: dict = {}
        for key_node, _value in node.value:
            key = key_node.value
            if not isinstance(key, str):
                raise FrontMatterError(first_line + key_node.start_mark.line, "a key must be a plain word, not a list or mapping")
            if key in lines:
                raise FrontMatterError(first_line + key_node.start_mark.line, f"duplicate key '{brief(key)[1:-1]}'")
            lines[key] = first_line + key_node.start_mark.line
        data = _construct(loader, node, first_line)
    finally:
        loader.dispose()
    return data or {}, lines


def normalize_newlines(text: str) -> str:
    """CRLF (Windows) and CR-only (old Mac) files read like LF files."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split(text: str) -> Parsed:
    """Split front matter.  A file without a leading ``---`` line has none."""
    text = normalize_newlines(text)
    if not (text.startswith("---\n") or text == "---"):
        return Parsed({}, {}, text, 1)
    rest = text.split("\n")
    for i in range(1, len(rest)):
        if rest[i].rstrip() in ("---", "..."):
            yaml_text = "\n".join(rest[1:i])
            data, lines = parse_yaml_mapping(yaml_text, first_line=2)
            body = "\n".join(rest[i + 1:])
            return Parsed(data, lines, body, i + 2)
    raise FrontMatterError(1, "front matter opened with '---' is never closed")


def yaml_quote(value: str) -> str:
    """``value`` as a YAML double-quoted scalar: safe for colons, quotes, '#' and any character."""
    import yaml

    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9).rstrip("\n").removesuffix("\n...")


class _Control:
    """C0 but tab and newline, DEL, C1, and the noncharacters (U+FFFE, U+FFFF is not XML at all).

    ``search`` is ``re.search`` of that class. A class listing the 32 astral noncharacters one by
    one makes the regex engine ten times slower on every character, so the pattern matches the
    whole range from U+1FFFE up (rare in text: emoji end below it) and a hit there is kept only
    when it is a noncharacter."""

    _wide = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")

    def search(self, text: str, pos: int = 0):
        while True:
            m = self._wide.search(text, pos)
            if m is None or ord(m.group()) < 0x1FFFE or ord(m.group()) & 0xFFFE == 0xFFFE:
                return m
            pos = m.end()


CONTROL = _Control()


def not_utf8(exc: UnicodeDecodeError) -> str:
    """How a message names a file's bytes that are not UTF-8 (a content file, ``site.yaml``, a template)."""
    return f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8"


def bad_character(c: str) -> str:
    """How a message names a character CONTROL matched."""
    return f"{'control character' if ord(c) < 0xA0 else 'noncharacter'} U+{ord(c):04X}"


_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str, key: str, *, isolate: bool = True) -> tuple[str | None, str | None]:
    """Refuse control characters (they make pages and the feed ill-formed); isolate bidi controls.

    A value holding bidirectional embeddings, overrides or isolates is wrapped in
    FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, the plain-text twin of ``<bdi>``:
    whatever it reverses stays inside it, in pages, titles and the feed alike."""
    bad = CONTROL.search(value)
    if bad:
        return None, (f"'{key}' contains the {bad_character(bad.group())} "
                      f"(at character {bad.start() + 1}); remove it")
    if _BIDI.search(value):
        if not isolate:  # names matched in article text: a wrapped name would never match
            return None, f"'{key}' contains a bidirectional control character; remove it"
        value = "\u2068" + value + "\u2069"
    return value, None
