"""Split a ``---`` front-matter block from a Markdown file and parse its YAML.

Returns the mapping, the line of every top-level key (1-based, in the file),
and the line where the body starts, so errors point at the file's own lines.
"""
from __future__ import annotations

from dataclasses import dataclass

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


# libyaml's parser when PyYAML was built with it (the wheels are): ten times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_mapping(text: str, first_line: int = 1) -> tuple[dict, dict]:
    """Parse YAML text that must be a mapping.  ``first_line`` is the file line of ``text``'s first line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        ctx = exc.context_mark
        if exc.problem and exc.context and ctx is not None and ctx.line != (mark.line if mark else 0):
            # e.g. an unclosed [ list: say where it was opened, not only where PyYAML gave up
            problem += f" ({exc.context.replace('while ', '')} that starts on line {first_line + ctx.line})"
        raise FrontMatterError(line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML always marks its errors
        raise FrontMatterError(first_line, f"invalid YAML: {exc}") from None
    if node is None:
        return {}, {}
    if not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(first_line + node.start_mark.line, "front matter must be a mapping of keys to values")
    lines: dict = {}
    for key_node, _value in node.value:
        key = key_node.value
        if key in lines:
            raise FrontMatterError(first_line + key_node.start_mark.line, f"duplicate key '{key}'")
        lines[key] = first_line + key_node.start_mark.line
    try:
        data = loader.construct_document(node)
    except (yaml.YAMLError, ValueError) as exc:
        # A value that looks like a date but is none (2023-02-30) fails here; find which.
        line, what = first_line + node.start_mark.line, f"invalid YAML: {exc}"
        for key_node, value_node in node.value:
            try:
                _Loader("").construct_object(value_node, deep=True)
            except (yaml.YAMLError, ValueError):
                line = first_line + value_node.start_mark.line
                if isinstance(exc, ValueError):
                    what = (f"'{key_node.value}' must be a date written YYYY-MM-DD, "
                            f"not '{value_node.value}' (no such day)")
                break
        raise FrontMatterError(line, what) from None
    finally:
        loader.dispose()
    return data or {}, lines


def split(text: str) -> Parsed:
    """Split front matter.  A file without a leading ``---`` line has none."""
    if not (text.startswith("---\n") or text.startswith("---\r\n") or text == "---"):
        return Parsed({}, {}, text, 1)
    rest = text.split("\n")
    for i in range(1, len(rest)):
        if rest[i].rstrip("\r") in ("---", "..."):
            yaml_text = "\n".join(rest[1:i])
            data, lines = parse_yaml_mapping(yaml_text, first_line=2)
            body = "\n".join(rest[i + 1:])
            return Parsed(data, lines, body, i + 2)
    raise FrontMatterError(1, "front matter opened with '---' is never closed")


def yaml_quote(value: str) -> str:
    """``value`` as a YAML double-quoted scalar: safe for colons, quotes, '#' and any character."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9).rstrip("\n").removesuffix("\n...")
