"""Find an annotation's quote in the text a reader sees.

Both sides are normalised the same way (Unicode compatibility forms, accents
folded, curly quotes and dash variants made plain, runs of dashes such as ``--``
made one ``-``, soft hyphens, zero-width spaces and joiners and byte-order marks
dropped, runs of whitespace made one space) while keeping a map from each
normalised character back to the original offset.  All the quotes of an article
are searched together (``find_many``): one pass over the normalised text with
an Aho-Corasick automaton, whatever the number of quotes.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

import ahocorasick

_FOLD = {
    **{ord(c): "'" for c in "‘’‚‛′`´"},
    **{ord(c): '"' for c in "“”„‟″«»"},
    **{ord(c): "-" for c in "‐‑‒–—―−"},
}
# Invisible characters a pasted text may hold inside words: soft hyphen, zero-width space,
# non-joiner and joiner, word joiner, byte-order mark (zero-width no-break space).
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DASHES = "-‐‑‒–—―−"
_ELLIPSIS = re.compile(r"\s*(?:\.\s*\.\s*\.|…)\s*")
_cache: dict[str, str] = {}


def _fold_char(c: str) -> str:
    got = _cache.get(c)
    if got is None:
        if c in _INVISIBLE:
            got = ""
        elif c.isascii():
            got = " " if c.isspace() else c.translate(_FOLD)
        else:
            d = unicodedata.normalize("NFKD", c).translate(_FOLD)
            got = "".join(ch for ch in d if not unicodedata.combining(ch))
            if got.isspace():
                got = " "
        _cache[c] = got
    return got


_SIMPLE = {**_FOLD, **{ord(c): " " for c in "\t\n\r\f\v\u00a0\u2007\u202f\u2009\u200a\u2002\u2003"}}
_RUNS = re.compile(r" {2,}|^ +| +$|-{2,}")


class _Shifts:
    """Maps a normalised offset back to the original when only runs of spaces were dropped."""

    __slots__ = ("at", "cum")

    def __init__(self, at: list[int], cum: list[int]) -> None:
        self.at, self.cum = at, cum

    def __getitem__(self, i: int) -> int:
        k = bisect.bisect_right(self.at, i)
        return i + (self.cum[k - 1] if k else 0)


_NO_SHIFTS = _Shifts([], [])  # nothing dropped: every offset is its own


def normalize(text: str):
    """(normalised text, map from each normalised offset to the offset in ``text``).

    ASCII text (after folding quotes, dashes and spaces, all one-for-one) takes a
    fast path in C; other text goes character by character.
    """
    t = text.translate(_SIMPLE)
    if not t.isascii():
        return _normalize_slow(text)
    if "  " not in t and "--" not in t and t[:1] != " " and t[-1:] != " ":
        return t, _NO_SHIFTS  # no run for ``_RUNS`` to find (the usual text: a search in C instead)
    parts: list[str] = []
    at: list[int] = []
    cum: list[int] = []
    removed = last = length = 0
    for m in _RUNS.finditer(t):
        s, e = m.span()
        keep = 1 if t[s] == "-" else 0 if s == 0 or e == len(t) else 1
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
        if f == "-" and out and out[-1] == "-" and c in _DASHES:
            continue  # "--" and "—" agree; the map keeps the run's first dash
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
    keeps its accent inside the range, and the rest of a run of dashes ("--").
    """
    s, e = offs[start], offs[end - 1] + 1
    dash = text[e - 1] in _DASHES
    while e < len(text) and (unicodedata.combining(text[e]) or (dash and text[e] in _DASHES)):
        e += 1
    return s, e


def norm(text: str) -> str:
    return normalize(text)[0]


def _parts(quote: str) -> tuple[str, ...]:
    """The normalised pieces of a quote between its ellipses."""
    return tuple(p for p in (norm(p) for p in _ELLIPSIS.split(quote)) if p)


def _occurrences(hay: str, needles: set[str]) -> dict[str, list[int]]:
    """Every start (overlapping ones too) of every needle in ``hay``, in increasing order.

    A few needles: ``str.find`` (in C).  More: one pass of an Aho-Corasick automaton, so the
    cost is the length of ``hay`` plus the matches, not the number of needles times it.
    """
    found: dict[str, list[int]] = {n: [] for n in needles}
    if len(needles) <= _FEW:
        for needle in needles:
            i = hay.find(needle)
            while i >= 0:
                found[needle].append(i)
                i = hay.find(needle, i + 1)
        return found
    auto = ahocorasick.Automaton()
    for needle in needles:
        auto.add_word(needle, needle)
    auto.make_automaton()
    for end, needle in auto.iter(hay):
        found[needle].append(end - len(needle) + 1)
    return found


_FEW = 4


def _ranges(parts: tuple[str, ...], at: dict[str, list[int]]) -> list[tuple[int, int]]:
    """The ranges of one quote, from the starts of its parts: each further part is the nearest
    occurrence after the previous one (a binary search)."""
    first = parts[0]
    out = []
    max_end = -1
    for s in at[first]:
        pos = s + len(first)
        for part in parts[1:]:
            starts = at[part]
            k = bisect.bisect_left(starts, pos)
            if k == len(starts):
                return out  # later starts find no later part either
            pos = starts[k] + len(part)
        # A range nested in an earlier one is dropped (the earlier start reaches at least as far).
        if pos > max_end:
            out.append((s, pos))
        max_end = max(max_end, pos)
    return out


def find_many(hay: str, quotes) -> list[list[tuple[int, int]]]:
    """For each quote, all the (start, end) ranges of the normalised ``hay`` it anchors to.

    A quote with an ellipsis anchors from its first part to the nearest following last part.
    Equal quotes share one list.
    """
    plans = [_parts(q) for q in quotes]
    at = _occurrences(hay, {p for parts in plans for p in parts})
    done: dict[tuple[str, ...], list] = {}
    for parts in plans:
        if parts not in done:
            done[parts] = _ranges(parts, at) if parts else []
    return [done[parts] for parts in plans]


def find_all(hay: str, quote: str) -> list[tuple[int, int]]:
    """All (start, end) ranges of the normalised ``hay`` that one quote anchors to."""
    return find_many(hay, [quote])[0]


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
