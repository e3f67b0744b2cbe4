"""Find entity mentions: one Aho-Corasick automaton over every name and alias.

Matching is case-sensitive, whole-word, and the longest match wins at each
position, so "Metropolitan Police Federation" is never "Metropolitan Police".
Cost is one pass over the text whatever the number of entities.

Names and text meet in Unicode normalisation form C: an entity named "José" in
decomposed form (NFD) links "José" precomposed in the text, and the reverse.
Text that is not in NFC is composed piece by piece (a base character with its
combining marks), keeping each piece's offsets, so the spans found are offsets
into the text as written.

Two automata give the same spans. The first (``ahocorasick_rs``, leftmost-longest, non-overlapping)
runs over every text: about a third of the second's time. Where one of its matches is not a whole word
(a name inside a longer word), a shorter name there may be, and the text goes to the second
(``pyahocorasick``, every match, overlapping), whose whole-word matches are taken leftmost then
longest; so does a text or a name the first cannot read (a lone surrogate). When every leftmost-longest
match is a whole word, they are the matches the second would take (``test_linking`` checks both
against a brute-force reference).
"""
from __future__ import annotations

import unicodedata

import ahocorasick
import ahocorasick_rs


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Matcher:
    def __init__(self, alias_table: dict[str, str]) -> None:
        self._table = alias_table
        found: dict[str, tuple] = {}  # NFC alias -> (length, slug, word start, word end); the last one wins
        for alias, slug in alias_table.items():
            alias = unicodedata.normalize("NFC", alias)
            if alias:
                found[alias] = (len(alias), slug, _is_word(alias[0]), _is_word(alias[-1]))
        self._found = found
        self._values = list(found.values())
        self._empty = not alias_table
        self._longest = None  # the leftmost-longest automaton, or None: every text goes to ``_every``
        self._auto = None  # the overlapping automaton, made when a text first needs it
        if found:
            try:
                self._longest = ahocorasick_rs.AhoCorasick(list(found), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            except UnicodeEncodeError:  # a name with a lone surrogate
                pass

    def __reduce__(self):
        return Matcher, (self._table,)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, entity slug) spans, leftmost then longest."""
        if self._empty or not text:
            return []
        if text.isascii() or unicodedata.is_normalized("NFC", text):
            return self._find(text)
        composed, starts, ends = _composed(text)
        return [(starts[s], ends[e - 1], slug) for s, e, slug in self._find(composed)]

    def _find(self, text: str) -> list[tuple[int, int, str]]:
        if self._longest is None:
            return self._every(text)
        try:
            matches = self._longest.find_matches_as_indexes(text)
        except UnicodeEncodeError:  # a lone surrogate in the text
            return self._every(text)
        n = len(text)
        values = self._values
        out = []
        for i, start, end in matches:
            _length, slug, word_start, word_end = values[i]
            if word_start and start > 0 and _is_word(text[start - 1]) or word_end and end < n and _is_word(text[end]):
                return self._every(text)  # a shorter whole word may stand there
            out.append((start, end, slug))
        return out

    def _every(self, text: str) -> list[tuple[int, int, str]]:
        """Every match (overlapping), whole words only, taken leftmost then longest."""
        if self._auto is None:
            self._auto = ahocorasick.Automaton()
            for alias, value in self._found.items():
                self._auto.add_word(alias, value)
            if self._found:
                self._auto.make_automaton()
        if not self._found:
            return []
        n = len(text)
        cands = []
        for end_idx, (length, slug, word_start, word_end) in self._auto.iter(text):
            start = end_idx - length + 1
            end = end_idx + 1
            if word_start and start > 0 and _is_word(text[start - 1]):
                continue
            if word_end and end < n and _is_word(text[end]):
                continue
            cands.append((start, -length, slug))
        if not cands:
            return []
        cands.sort()
        out = []
        last_end = -1
        for start, neg_len, slug in cands:
            if start >= last_end:
                out.append((start, start - neg_len, slug))
                last_end = start - neg_len
        return out

    def entities_in(self, text: str) -> set[str]:
        return {slug for _s, _e, slug in self.find(text)}


def _composed(text: str) -> tuple[str, list[int], list[int]]:
    """(NFC text, start and end offset in ``text`` of each of its characters).

    The text is cut before every character that is not a combining mark; each piece (a base
    character and the marks after it) is composed alone, and all its characters map to the
    whole piece, so a span of the composed text maps to whole characters of ``text``.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j]) if j - i > 1 or not text[i].isascii() else text[i]
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(out), starts, ends
