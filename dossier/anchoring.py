"""Find an annotation's quote in the text a reader sees.

Both sides are normalised the same way (Unicode compatibility forms, accents
folded, curly quotes and dash variants made plain, runs of whitespace made one
space) while keeping a map from each normalised character back to the original
offset.  Search is ``str.find`` over the normalised text: linear in its length.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

_FOLD = {
    **{ord(c): "'" for c in "‘’‚‛′`´"},
    **{ord(c): '"' for c in "“”„‟″«»"},
    **{ord(c): "-" for c in "‐‑‒–—―−"},
}
_ELLIPSIS = re.compile(r"\s*(?:\.\s*\.\s*\.|…)\s*")
_cache: dict[str, str] = {}


def _fold_char(c: str) -> str:
    got = _cache.get(c)
    if got is None:
        if c.isascii():
            got = " " if c.isspace() else c.translate(_FOLD)
        else:
            d = unicodedata.normalize("NFKD", c).translate(_FOLD)
            got = "".join(ch for ch in d if not unicodedata.combining(ch))
            if got.isspace():
                got = " "
        _cache[c] = got
    return got


_SIMPLE = {**_FOLD, **{ord(c): " " for c in "\t\n\r\f\v\u00a0\u2007\u202f\u2009\u200a\u2002\u2003"}}
_RUNS = re.compile(r" {2,}|^ +| +$")


class _Shifts:
    """Maps a normalised offset back to the original when only runs of spaces were dropped."""

    __slots__ = ("at", "cum")

    def __init__(self, at: list[int], cum: list[int]) -> None:
        self.at, self.cum = at, cum

    def __getitem__(self, i: int) -> int:
        k = bisect.bisect_right(self.at, i)
        return i + (self.cum[k - 1] if k else 0)


def normalize(text: str):
    """(normalised text, map from each normalised offset to the offset in ``text``).

    ASCII text (after folding quotes, dashes and spaces, all one-for-one) takes a
    fast path in C; other text goes character by character.
    """
    t = text.translate(_SIMPLE)
    if not t.isascii():
        return _normalize_slow(text)
    parts: list[str] = []
    at: list[int] = []
    cum: list[int] = []
    removed = last = length = 0
    for m in _RUNS.finditer(t):
        s, e = m.span()
        keep = 0 if s == 0 or e == len(t) else 1
        parts.append(t[last:s + keep])
        length += s + keep - last
        removed += e - s - keep
        at.append(length)
        cum.append(removed)
        last = e
    parts.append(t[last:])
    return "".join(parts), _Shifts(at, cum)


def _normalize_slow(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    offs: list[int] = []
    space = True  # drop leading whitespace
    for i, c in enumerate(text):
        f = _fold_char(c)
        if f == " ":
            if not space:
                out.append(" ")
                offs.append(i)
                space = True
            continue
        for ch in f:
            out.append(ch)
            offs.append(i)
        space = False if f else space
    if out and out[-1] == " ":
        out.pop()
        offs.pop()
    return "".join(out), offs


def source_span(text: str, offs, start: int, end: int) -> tuple[int, int]:
    """The range of ``text`` that normalised range [start, end) came from.

    The end takes in combining marks after the last letter, so an NFD "café"
    keeps its accent inside the range.
    """
    s, e = offs[start], offs[end - 1] + 1
    while e < len(text) and unicodedata.combining(text[e]):
        e += 1
    return s, e


def norm(text: str) -> str:
    return normalize(text)[0]


def _occurrences(hay: str, needle: str) -> list[int]:
    found = []
    i = hay.find(needle)
    while i >= 0:
        found.append(i)
        i = hay.find(needle, i + 1)
    return found


def find_all(hay: str, quote: str) -> list[tuple[int, int]]:
    """All (start, end) ranges of the normalised ``hay`` that the quote anchors to.

    A quote with an ellipsis anchors from its first part to the nearest following last part.
    """
    parts = [norm(p) for p in _ELLIPSIS.split(quote)]
    parts = [p for p in parts if p]
    if not parts:
        return []
    first, last = parts[0], parts[-1]
    out = []
    for s in _occurrences(hay, first):
        if len(parts) == 1:
            out.append((s, s + len(first)))
            continue
        pos = s + len(first)
        ok = True
        for mid in parts[1:-1]:
            j = hay.find(mid, pos)
            if j < 0:
                ok = False
                break
            pos = j + len(mid)
        e = hay.find(last, pos) if ok else -1
        if e >= 0:
            out.append((s, e + len(last)))
    # An ellipsis range may nest inside an earlier one; keep the distinct, non-nested ones.
    return [r for n, r in enumerate(out) if not any(o[0] < r[0] and r[1] <= o[1] for o in out[:n])]


@dataclass(frozen=True, slots=True)
class Closest:
    text: str
    ratio: float
    start: int  # offset into the normalised hay


def closest(hay: str, quote: str) -> Closest | None:
    """The passage of ``hay`` most like ``quote``: a sliding word window, linear in ``hay``."""
    q = norm(_ELLIPSIS.sub(" ", quote))
    qwords = q.split(" ")
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", hay)]
    if not words or not qwords:
        return None
    n = min(len(qwords), len(words))
    want = Counter(qwords)
    have: Counter = Counter(hay[s:e] for s, e in words[:n])
    overlap = sum(min(c, want[w]) for w, c in have.items())
    best, best_i = overlap, 0
    for i in range(1, len(words) - n + 1):
        out_w = hay[words[i - 1][0]:words[i - 1][1]]
        in_w = hay[words[i + n - 1][0]:words[i + n - 1][1]]
        if have[out_w] <= want[out_w]:
            overlap -= 1
        have[out_w] -= 1
        have[in_w] += 1
        if have[in_w] <= want[in_w]:
            overlap += 1
        if overlap > best:
            best, best_i = overlap, i
    s, e = words[best_i][0], words[best_i + n - 1][1]
    text = hay[s:e]
    return Closest(text, SequenceMatcher(None, q, text, autojunk=False).ratio(), s)
