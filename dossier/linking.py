"""Find entity mentions: one Aho-Corasick automaton over every name and alias.

Matching is case-sensitive, whole-word, and the longest match wins at each
position, so "Metropolitan Police Federation" is never "Metropolitan Police".
Cost is one pass over the text whatever the number of entities.
"""
from __future__ import annotations

import ahocorasick


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Matcher:
    def __init__(self, alias_table: dict[str, str]) -> None:
        self._auto = ahocorasick.Automaton()
        for alias, slug in alias_table.items():
            if alias:
                self._auto.add_word(alias, (len(alias), slug, _is_word(alias[0]), _is_word(alias[-1])))
        self._empty = not alias_table
        if not self._empty:
            self._auto.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, entity slug) spans, leftmost then longest."""
        if self._empty or not text:
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
