"""Helpers for messages people read: "did you mean …?", bounded values, first differences.

Every helper here costs a bounded amount per call, so a run with thousands of
mistakes still reports them in linear time, and no message ever carries an
unbounded piece of the input.
"""
from __future__ import annotations

import difflib
import re
from difflib import SequenceMatcher

MAX_SHOWN = 60  # characters of a user's value a message may quote
MAX_CANDIDATES = 5000  # names a "did you mean" compares against; beyond that, the nearest by length


def brief(value, limit: int = MAX_SHOWN) -> str:
    """``repr``-like quoting of a user's value, cut to ``limit`` characters with an ellipsis."""
    if isinstance(value, (list, tuple, dict, set)):
        n = len(value)
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {n} item{'s' if n != 1 else ''}"
    if not isinstance(value, str):
        try:
            text = repr(value)
        except ValueError:  # an integer too long to print
            return "a number too long to show"
        return text if len(text) <= limit else text[:limit] + "…"
    shown = repr(value[:limit * 2])[1:-1]
    if len(shown) > limit or len(value) > limit * 2:
        shown = shown[:limit].rstrip("\\") + "…"
    return f"'{shown}'"


def did_you_mean(word: str, candidates, *, n: int = 1) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or '' when none is close.

    ``candidates`` is an iterable of strings or a mapping of string -> what to suggest.
    Comparison is case-insensitive; the candidate list is bounded so one call costs O(MAX_CANDIDATES).
    """
    if not word or len(word) > 200:
        return ""
    pool = candidates if isinstance(candidates, dict) else {c: c for c in candidates}
    folded: dict[str, str] = {}
    for cand, target in pool.items():
        key = str(cand).casefold()
        folded.setdefault(key, target)
    w = word.casefold()
    if w in folded and folded[w] != word:
        return f" (did you mean '{folded[w]}'?)"
    # A ratio of 0.75 needs lengths within a factor of 0.6 of each other: skip the rest unread.
    keys = [k for k in folded if 0.6 * len(k) <= len(w) <= len(k) / 0.6]
    if len(keys) > MAX_CANDIDATES:
        keys = sorted(keys, key=lambda k: (abs(len(k) - len(w)), k))[:MAX_CANDIDATES]
    found = []
    for key in difflib.get_close_matches(w, keys, n=n * 3, cutoff=0.75):
        target = folded[key]
        if target not in found and target != word:
            found.append(target)
    if not found:
        return ""
    return " (did you mean " + " or ".join(f"'{t}'" for t in found[:n]) + "?)"


class Budget:
    """At most ``calls`` suggestions and ``work`` candidate comparisons per build stage: a run with
    thousands of mistakes stays linear (the rest get the message without a suggestion)."""

    def __init__(self, calls: int = 100, work: int = 50_000) -> None:
        self.left = calls
        self.work = work

    def __call__(self, word: str, candidates) -> str:
        if self.left <= 0 or self.work <= 0:
            return ""
        pool = candidates() if callable(candidates) else candidates
        self.left -= 1
        self.work -= min(len(pool), MAX_CANDIDATES)
        return did_you_mean(word, pool)


def first_difference(quote: str, passage: str, context: int = 24) -> str:
    """Where ``passage`` first differs from ``quote``, at a word start:
    ``first difference after "…common": the quote has "x…", the text has "y…"``.

    Extra words the passage has before the quote's start or after its end do not count.
    Costs what one ``SequenceMatcher`` of the two (the closest-passage ratio) costs."""
    for tag, i, _i2, j, _j2 in SequenceMatcher(None, quote, passage, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "insert" and i in (0, len(quote))):
            continue
        break
    else:
        return ""
    back = 0
    while i - back > 0 and j - back > 0 and not quote[i - back - 1].isspace() and quote[i - back - 1] == passage[j - back - 1]:
        back += 1
    i, j = i - back, j - back
    before = quote[max(0, i - context):i]
    where = f'after "{"…" if i > context else ""}{before}"' if before.strip() else "at the start"

    def cut(s: str, k: int) -> str:
        return s[k:k + context] + ("…" if len(s) > k + context else "")

    return f'first difference {where}: the quote has "{cut(quote, i)}", the text has "{cut(passage, j)}"'


_COLON_VALUE = re.compile(r"^(\s*[\w-]+):\s+([^'\"\[{&*!|>#\s][^#]*?:\s.*)$")


def quote_hint(line: str) -> str:
    """For YAML's "mapping values are not allowed": suggest quoting a value that holds ': '."""
    m = _COLON_VALUE.match(line)
    if not m:
        return ""
    value = m.group(2).rstrip()
    if '"' in value:
        fixed = "'" + value.replace("'", "''") + "'"
    else:
        fixed = '"' + value + '"'
    if len(fixed) > 80:
        fixed = fixed[:40] + "…" + fixed[-20:]
    return f"; a value that contains ': ' must be quoted: {m.group(1).strip()}: {fixed}"
