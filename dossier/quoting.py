"""From a passage selected in the preview to the quote an annotation file holds.

The browser sends the article's text as it showed it and the selection's
offsets in it.  :func:`selected_range` finds that passage in the text the
build anchors quotes in (the visible text of the article's body, see
``markdown/marks.py``), both normalised as ``anchoring`` does; :func:`choose_quote`
then writes the shortest quote that anchors to exactly that passage: the whole
passage, or for a long one its first and last words around an ellipsis, and
``which=N`` when the passage appears more than once.
"""
from __future__ import annotations

import bisect
import re

from .anchoring import find_all, normalize, source_span

# A passage of more words than this is quoted as its first and last words around an ellipsis
# (at least MIN_SIDE words each side, as few as anchor it uniquely).
LONG = 20
MIN_SIDE = 4
MAX_SIDE = 40


def utf16_index(text: str, units: int) -> int:
    """The code-point offset in ``text`` of a JavaScript (UTF-16 code unit) offset."""
    if units <= 0:
        return 0
    if text.isascii():
        return min(units, len(text))
    count = 0
    for i, c in enumerate(text):
        if count >= units:
            return i
        count += 2 if ord(c) > 0xFFFF else 1
    return len(text)


def _occurrences(hay: str, needle: str) -> list[int]:
    out = []
    i = hay.find(needle)
    while i >= 0:
        out.append(i)
        i = hay.find(needle, i + 1)
    return out


def _normalised_span(offs, size: int, a: int, b: int) -> tuple[int, int]:
    """The normalised range whose characters came from [a, b) of the original text."""
    idx = range(size)
    start = bisect.bisect_left(idx, a, key=lambda i: offs[i])
    end = bisect.bisect_left(idx, b, key=lambda i: offs[i])
    return start, end


def _snap(hay: str, s: int, e: int) -> tuple[int, int]:
    """Widen [s, e) to whole words, without the spaces at its edges."""
    while s < e and hay[s] == " ":
        s += 1
    while e > s and hay[e - 1] == " ":
        e -= 1
    if s >= e:
        return s, s
    while s > 0 and hay[s - 1] != " ":
        s -= 1
    while e < len(hay) and hay[e] != " ":
        e += 1
    return s, e


def selected_range(text: str, shown: str, start16: int, end16: int) -> tuple[int, int] | None:
    """The range of ``normalize(text)`` that the selection [start16, end16) of ``shown`` covers, or None.

    The selection is widened to whole words; if ``shown`` is not exactly the text (a page a
    build behind), the passage is the same occurrence (first, second, ...) of its words."""
    a, b = utf16_index(shown, start16), utf16_index(shown, end16)
    if b <= a:
        return None
    seen, seen_offs = normalize(shown)
    s, e = _snap(seen, *_normalised_span(seen_offs, len(seen), a, b))
    if s >= e:
        return None
    words = seen[s:e]
    before = sum(1 for i in _occurrences(seen, words) if i < s)
    hay, _offs = normalize(text)
    if hay == seen:
        return s, e
    found = _occurrences(hay, words)
    if len(found) <= before:
        return None
    return found[before], found[before] + len(words)


def _source(text: str, offs, s: int, e: int) -> str:
    a, b = source_span(text, offs, s, e)
    return " ".join(text[a:b].split())


def _fits(hay: str, quote: str, target: tuple[int, int]) -> int:
    """0: the quote anchors to ``target`` alone; N: it is its N-th place; -1: it misses it."""
    found = find_all(hay, quote)
    if found == [target]:
        return 0
    return found.index(target) + 1 if target in found else -1


def choose_quote(text: str, s: int, e: int) -> tuple[str, int] | None:
    """(quote, which) for the range [s, e) of ``normalize(text)``; ``which`` is 0 when the quote is unique.
    None when no quote of that passage anchors to it."""
    hay, offs = normalize(text)
    target = (s, e)
    words = [(s + m.start(), s + m.end()) for m in re.finditer(r"\S+", hay[s:e])]
    if not words:
        return None
    whole = _source(text, offs, s, e)
    candidates = []
    n = len(words)
    if n > LONG:
        for k in range(MIN_SIDE, min(MAX_SIDE, (n - 1) // 2) + 1):
            candidates.append(_source(text, offs, s, words[k - 1][1]) + " … "
                              + _source(text, offs, words[n - k][0], e))
    candidates.append(whole)
    placed = []
    for quote in candidates:
        which = _fits(hay, quote, target)
        if which == 0:
            return quote, 0
        if which > 0:
            placed.append((quote, which))
    if not placed:
        return None
    return min(placed, key=lambda p: (p[0] != whole, len(p[0])))


def visible_text(body: str) -> str:
    """The text of an article's body that quotes anchor in (as ``markdown/marks.py`` builds it;
    a wikilink without a label shows its target here, not the target's title)."""
    from .markdown import make_md, new_env
    from .markdown.marks import _visible

    return _visible(make_md().parse(body, new_env()))[0]
