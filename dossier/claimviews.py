"""Claims compared across outlets: what the home page and each claim page show.

A claim is the key annotations share (``claim="officers-stepped-back"``); the editors may
give it a title, a question and a summary in ``content/claims/<key>.md``. Each outlet's row
carries the article's own words of the passage (not the editor's typed quote) and, when the
claim's values are numbers, where the value sits on a scale from zero to the largest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Annotation, ArticleHead, Claim

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_ASIDE = re.compile(r"\([^)]*\)")


def number_in(value: str) -> float | None:
    """The first number a value states ("around 300" -> 300, "2,595" -> 2595), else None. A number
    in brackets is an aside, not the value ("hundreds (of 2,500)" -> None)."""
    m = _NUMBER.search(_ASIDE.sub("", value or ""))
    return float(m.group().replace(",", "")) if m else None


@dataclass(frozen=True, slots=True)
class ClaimRow:
    annotation: Annotation
    article: ArticleHead
    passage: str  # the article's own words of the passage
    number: float | None  # on the claim's scale, when its values are numbers
    anchor: str  # the passage's id in the article page


@dataclass(frozen=True, slots=True)
class ClaimInfo:
    key: str
    title: str
    question: str
    rows: tuple  # ClaimRow, oldest report first
    scale: float  # the largest number of the rows (0: the values are not numbers)


def claim_infos(claims: dict, files: dict[str, Claim], verbatim: dict) -> tuple[ClaimInfo, ...]:
    """``claims``: key -> [(Annotation, ArticleHead)] (the index); ``files``: the editors' claim
    records; ``verbatim``: (article slug, annotation id) -> the passage's own words."""
    out = []
    for key, pairs in claims.items():
        pairs = sorted(pairs, key=lambda r: (r[1].published, r[1].slug))
        numbers = [number_in(a.value) for a, _art in pairs]
        numeric = sum(n is not None for n in numbers) >= 2
        rows = tuple(ClaimRow(a, art, verbatim.get((art.slug, a.id), a.quote), n if numeric else None, a.anchor)
                     for (a, art), n in zip(pairs, numbers))
        info = files.get(key)
        out.append(ClaimInfo(key, info.heading if info else Claim(key, "").heading,
                             info.question if info else "", rows,
                             max((n for n in numbers if n is not None), default=0.0) if numeric else 0.0))
    return tuple(out)
