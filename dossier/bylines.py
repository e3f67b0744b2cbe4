"""Bylines: which person entities wrote a report.

A byline is split into names at commas, semicolons, "&" and "and" (words in brackets are left
as they are, and a leading "By" is not part of a name). A name links to the person entity whose
name or alias it is, compared in Unicode normalisation form C and case-sensitively, as names are
matched in the text; a name two entities answer to links to neither.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

# Separators kept as text: a list's commas and "and", and anything in brackets.
_SPLIT = re.compile(r"(\([^()]*\)|\[[^\[\]]*\]|\s*[,;&]\s*|\s+and\s+)")
_BY = re.compile(r"^(by)\s+", re.IGNORECASE)


def people_table(alias_table: dict[str, str], entities: dict) -> dict[str, str]:
    """NFC name or alias -> the one person entity it names (names two persons answer to are left out)."""
    found: dict[str, set] = defaultdict(set)
    for name, slug in alias_table.items():
        if entities[slug].type == "person":
            found[unicodedata.normalize("NFC", name.strip())].add(slug)
    return {name: next(iter(slugs)) for name, slugs in found.items() if len(slugs) == 1}


def byline_parts(byline: str, people: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The byline as (text, person entity slug or '') pieces that join up to it as written."""
    out: list[tuple[str, str]] = []
    for n, piece in enumerate(_SPLIT.split(byline)):
        if not piece:
            continue
        if n % 2 == 0:  # a name, perhaps with "By " before it
            by = _BY.match(piece) if not out else None
            if by:
                out.append((by.group(0), ""))
                piece = piece[by.end():]
            name = piece.strip()
            slug = people.get(unicodedata.normalize("NFC", name), "") if name else ""
            if slug and name != piece:  # keep the spaces around the name as text
                lead = piece[:len(piece) - len(piece.lstrip())]
                out += [(lead, ""), (name, slug), (piece[len(lead) + len(name):], "")]
                continue
            out.append((piece, slug))
        else:
            out.append((piece, ""))
    return tuple((t, s) for t, s in out if t)
