"""Read ``content/`` into records.  The only stage (with ``write``) that touches the disk.

Every problem is collected as a located error; a file with errors yields no record.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .errors import ErrorList
from .frontmatter import CONTROL, FrontMatterError, bad_character, clean_text, normalize_newlines, not_utf8, split
from .markdown.annotations import parse_annotations
from .suggest import brief, did_you_mean
from .model import ENTITY_TYPES, Article, Claim, Entity, Page
from .urls import RESERVED, SLUG_RE

# key -> (kind of value, required)
ARTICLE_KEYS = {"title": ("str", True), "outlet": ("slug", True), "published": ("date", True),
                "date_note": ("str", False), "url": ("url", False), "byline": ("str", False),
                "story": ("slug", False), "tags": ("slugs", False), "slug": ("slug", False)}
ENTITY_KEYS = {"name": ("str", True), "type": ("str", True), "aliases": ("strs", False), "owns": ("strs", False),
               "description": ("str", False), "same_as": ("urls", False), "date": ("date", False),
               "slug": ("slug", False)}
PAGE_KEYS = {"title": ("str", True), "order": ("int", False), "slug": ("slug", False)}
CLAIM_KEYS = {"title": ("str", False), "question": ("str", False)}

KINDS = ("articles", "entities", "pages", "annotations", "claims")
# The bytes a character CONTROL finds can start with in UTF-8: C0 but tab and newline, DEL, the lead
# byte of C1 (U+0080-U+009F, also of no-break space and the Latin-1 signs), of U+F000-U+FFFF (the
# noncharacters U+FDD0-U+FDEF, U+FFFE, U+FFFF) and of every astral character.
_FLAGGED = {*range(0, 9), *range(11, 32), 127, 0xC2, 0xEF, *range(0xF0, 0x100)}
_UNFLAGGED = bytes(c for c in range(256) if c not in _FLAGGED)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What one source file yields: records of one kind and its own errors."""

    source: str
    records: tuple
    errors: tuple


def _value(kind: str, value, key: str, item: bool = False):
    """Return (clean value, error message or None)."""
    if kind in ("str", "url", "slug"):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and kind == "str":
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            return None, f"'{key}' must be non-empty text, not {brief(value)}"
        value = value.strip()
        if kind == "url" and not value.startswith(("http://", "https://")):
            return None, f"'{key}' must be an http(s) URL, not {brief(value)}"
        if kind == "slug" and not SLUG_RE.match(value):
            return None, (f"'{key}' must be a slug (lowercase letters, digits and hyphens), not {brief(value)}"
                          + (": it would write outside its folder" if "/" in value or ".." in value else ""))
        return clean_text(value, key, isolate=not item) if kind == "str" else (value, None)
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            return None, f"'{key}' must be a whole number, not {brief(value)}"
        return value, None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        return None, f"'{key}' must be a date written YYYY-MM-DD, not {brief(value)}"
    if kind in ("strs", "slugs", "urls"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return None, f"'{key}' must be a list, not {brief(value)}"
        out = []
        for entry in value:
            clean, msg = _value(kind[:-1] if kind != "strs" else "str", entry, key, True)
            if msg:
                return None, msg.replace(f"'{key}' must be", f"every item of '{key}' must be", 1)
            out.append(clean)
        return tuple(out), None
    raise AssertionError(kind)


def _comma_list(value: str) -> str:
    items = [v.strip() for v in value.split(",")]
    return f"[{', '.join(items)}]"


def _fields(parsed, schema: dict, rel: str, errors: ErrorList, what: str) -> dict | None:
    ok = True
    clean = {}
    for key, value in parsed.data.items():
        line = parsed.lines.get(key, 1)
        if not isinstance(key, str) or key not in schema:
            known = ", ".join(schema)
            errors.add(rel, line, f"unknown key {brief(key)} in {what} front matter{did_you_mean(str(key), list(schema))} "
                                  f"(known keys: {known})")
            ok = False
            continue
        kind, required = schema[key]
        if value is None or value == "" or value == []:
            if required:
                errors.add(rel, line, f"'{key}' is empty; it is required in {what} front matter")
                ok = False
            else:
                errors.add(rel, line, f"'{key}' is empty: give it a value or remove the line", warning=True)
            continue
        got, msg = _value(kind, value, key)
        if msg and kind == "slugs" and isinstance(value, str) and "," in value:
            msg += f"; for a list write {key}: {brief(_comma_list(value))[1:-1]}"
        if msg:
            errors.add(rel, line, msg)
            ok = False
            continue
        if kind == "strs" and isinstance(value, str) and "," in value:
            errors.add(rel, line, f"'{key}' is one text, {brief(value)}; if you meant several, "
                                  f"write {key}: {brief(_comma_list(value))[1:-1]}", warning=True)
        clean[key] = got
    for key, (_kind, required) in schema.items():
        if required and key not in parsed.data:
            errors.add(rel, 1, f"missing required key '{key}' in {what} front matter")
            ok = False
    return clean if ok else None


def _slug(path: Path, clean: dict, rel: str, lines: dict, errors: ErrorList) -> str | None:
    slug = clean.get("slug") or path.stem
    if not SLUG_RE.match(slug):
        errors.add(rel, lines.get("slug", 1),
                   f"file name '{path.name}' does not make a slug (use lowercase letters, digits and hyphens, "
                   f"or set 'slug:')")
        return None
    return slug


def _read_text(path: Path, rel: str, errors: ErrorList, data: bytes | None = None) -> str | None:
    """The file (or its ``data``, read already) as text with LF line ends, or None (and a located error)."""
    try:
        data = path.read_bytes() if data is None else data
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.add(rel, 1, not_utf8(exc))
        return None
    except OSError as exc:
        errors.add(rel, 0, f"cannot read file: {exc.strerror}")
        return None
    text = normalize_newlines(text.lstrip("\ufeff"))
    # Every character CONTROL finds starts with a byte of _FLAGGED in UTF-8: one pass in C over the
    # bytes says most files have none, ten times quicker than the search (still run when one is there).
    bad = CONTROL.search(text) if data.translate(None, _UNFLAGGED) else None
    if bad:  # pasted from the web: a control character would make the page ill-formed
        errors.add(rel, text.count("\n", 0, bad.start()) + 1,
                   f"{bad_character(bad.group())} in the text; remove it")
        return None
    return text


def load_file(root: Path, kind: str, path: Path, data: bytes | None = None) -> Loaded:
    errors = ErrorList(root)
    rel = errors.rel(path)
    text = _read_text(path, rel, errors, data)
    if text is None:
        return Loaded(rel, (), tuple(errors.items))
    records: tuple = ()
    if kind == "annotations":
        slug = path.stem
        if not SLUG_RE.match(slug):
            errors.add(rel, 1, f"annotation file name '{path.name}' must be an article slug")
        else:
            records = tuple(parse_annotations(text, rel, slug, errors))
        return Loaded(rel, records, tuple(errors.items))
    try:
        parsed = split(text)
    except FrontMatterError as exc:
        errors.add(rel, exc.line, exc.message)
        return Loaded(rel, (), tuple(errors.items))
    if kind == "articles":
        clean = _fields(parsed, ARTICLE_KEYS, rel, errors, "article")
        slug = _slug(path, clean or {}, rel, parsed.lines, errors)
        if clean is not None and slug:
            records = (Article(slug=slug, title=clean["title"], outlet=clean["outlet"], published=clean["published"],
                               body=parsed.body, body_line=parsed.body_line, source=rel,
                               date_note=clean.get("date_note", ""), url=clean.get("url", ""),
                               byline=clean.get("byline", ""), story=clean.get("story", ""),
                               tags=tuple(dict.fromkeys(clean.get("tags", ()))), lines=parsed.lines),)
    elif kind == "entities":
        clean = _fields(parsed, ENTITY_KEYS, rel, errors, "entity")
        slug = _slug(path, clean or {}, rel, parsed.lines, errors)
        if clean is not None and clean["type"] not in ENTITY_TYPES:
            errors.add(rel, parsed.lines.get("type", 1),
                       f"unknown entity type {brief(clean['type'])}{did_you_mean(clean['type'], ENTITY_TYPES)} "
                       f"(use one of: {', '.join(ENTITY_TYPES)})")
            clean = None
        if clean is not None:
            for alias in clean.get("owns", ()):
                if alias not in clean.get("aliases", ()) and alias != clean["name"]:
                    errors.add(rel, parsed.lines.get("owns", 1), f"'owns' lists {brief(alias)}, which is not one of this entity's aliases")
                    clean = None
                    break
        if clean is not None and slug:
            aliases = tuple(a for a in dict.fromkeys(clean.get("aliases", ())) if a != clean["name"])
            records = (Entity(slug=slug, name=clean["name"], type=clean["type"], source=rel, aliases=aliases,
                              owns=clean.get("owns", ()), description=clean.get("description", ""),
                              same_as=clean.get("same_as", ()), date=clean.get("date"), notes=parsed.body,
                              notes_line=parsed.body_line, lines=parsed.lines),)
    elif kind == "pages":
        clean = _fields(parsed, PAGE_KEYS, rel, errors, "page")
        slug = _slug(path, clean or {}, rel, parsed.lines, errors)
        if slug in RESERVED:
            errors.add(rel, parsed.lines.get("slug", 1), f"page slug '{slug}' is taken by the site's own pages; rename the file")
            slug = None
        if clean is not None and slug:
            records = (Page(slug=slug, title=clean["title"], body=parsed.body, body_line=parsed.body_line,
                            source=rel, order=clean.get("order"), lines=parsed.lines),)
    elif kind == "claims":
        records = _claim(path, parsed, rel, errors)
    return Loaded(rel, records, tuple(errors.items))


def _claim(path: Path, parsed, rel: str, errors: ErrorList) -> tuple:
    clean = _fields(parsed, CLAIM_KEYS, rel, errors, "claim")
    if not SLUG_RE.match(path.stem):
        errors.add(rel, 1, f"claim file name '{path.name}' must be a claim key (lowercase letters, digits, hyphens)")
        return ()
    if clean is None:
        return ()
    return (Claim(key=path.stem, source=rel, title=clean.get("title", ""), question=clean.get("question", ""),
                  summary=parsed.body, summary_line=parsed.body_line, lines=parsed.lines),)


def content_files(root: Path) -> list[tuple[str, Path]]:
    """All content sources as (kind, path), in a stable order (see ``sources.scan_content``)."""
    from .sources import scan_content  # it builds on this module's KINDS

    return scan_content(root)[0]


def kind_of(root: Path, path: Path) -> str | None:
    """Which content kind a path belongs to (``None`` for anything else)."""
    try:
        parts = path.relative_to(root / "content").parts
    except ValueError:
        return None
    if len(parts) < 2 or parts[0] not in KINDS or not parts[-1].endswith(".md") or parts[-1].startswith("."):
        return None
    if parts[0] != "entities" and len(parts) != 2:
        return None
    return parts[0]
