"""Hostile input to the Markdown core: one named test per input that once cost more than linear time
(issue 10), in the manner of markdown-it-py's tests/test_fuzzer.py.

Bounded work is asserted on counts, never on time: the characters a scanning primitive was
handed, the number of segments walked, the number of Python function calls for N and 2N
(a linear algorithm doubles them, a quadratic one quadruples them).  Figures in seconds are
printed by ``benchmarks/hostile.py``.
"""
from __future__ import annotations

import cProfile
import importlib.util
import pstats
from pathlib import Path

import pytest

from dossier import anchoring
from dossier.markdown import marks, mentions, wikilinks

REPO = Path(__file__).resolve().parents[2]


def _hostile_cases() -> dict:
    spec = importlib.util.spec_from_file_location("hostile_benchmark", REPO / "benchmarks" / "hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


CASES = _hostile_cases()


class _ScanMeter:
    """Stands in for a compiled regex; adds up the characters each search or finditer may look at."""

    def __init__(self, pattern) -> None:
        self.pattern, self.chars, self.calls = pattern, 0, 0

    def search(self, s, pos=0):
        m = self.pattern.search(s, pos)
        self.calls += 1
        self.chars += (m.end() if m else len(s)) - pos
        return m

    def finditer(self, s, pos=0):
        self.calls += 1
        self.chars += len(s) - pos
        return self.pattern.finditer(s, pos)


class _CountingList(list):
    """A list that counts the items read from it, by index or by iteration."""

    reads = 0

    def __getitem__(self, i):
        _CountingList.reads += 1
        return super().__getitem__(i)

    def __iter__(self):
        for item in super().__iter__():
            _CountingList.reads += 1
            yield item


def _calls(harness, text: str) -> int:
    """Python function calls made while rendering ``text`` (with the site, mentions, notes)."""
    prof = cProfile.Profile()
    prof.enable()
    harness.render(text)
    prof.disable()
    return pstats.Stats(prof).total_calls


# -- the inputs of issue 10, one test each --------------------------------------------

def test_single_paragraph_sentences_are_found_once(harness, monkeypatch):
    """2.5 MB in one paragraph took 439 s: every mention rescanned every sentence end."""
    meter = _ScanMeter(mentions._SENTENCE_END)
    monkeypatch.setattr(mentions, "_SENTENCE_END", meter)
    text = "Sir Mark Rowley wrote to Suella Braverman about the Met. " * 2000
    html, env = harness.render(text)
    assert len(env["mentions"]) == 6000
    assert meter.chars <= 2 * len(text), meter.chars  # once per paragraph, not once per mention
    first = env["mentions"][0]
    assert first.sentence == "Sir Mark Rowley wrote to Suella Braverman about the Met."
    assert first.sentence[first.start:first.end] == "Sir Mark Rowley"


def test_sentence_window_is_bounded_without_spaces(harness, monkeypatch):
    """A mention inside a paragraph with no space and no sentence end: the clipped sentence is
    found with a bounded search, and stays short."""
    text = "x" * 50_000 + " Rowley " + "y" * 50_000
    _html, env = harness.render(text)
    (m,) = env["mentions"]
    assert len(m.sentence) <= 2 * mentions._MAX_SENTENCE
    assert m.sentence[m.start:m.end] == "Rowley" and m.sentence.startswith("…") and m.sentence.endswith("…")


@pytest.mark.parametrize("text", ["[[" * 20_000, "[" * 40_000, "[[a" * 10_000, "[[" * 10_000 + "x]]"])
def test_wikilink_openers_scan_each_character_a_few_times(harness, monkeypatch, text):
    """"[[" x 50,000 took 13.2 s: each opener searched the rest of the text for "]]"."""
    meter = _ScanMeter(wikilinks._STOP)
    monkeypatch.setattr(wikilinks, "_STOP", meter)
    html, env = harness.render(text)
    assert meter.chars <= 3 * len(text), (meter.calls, meter.chars)
    assert "<p>" in html


def test_wikilink_is_still_found_after_many_openers(harness):
    html, env = harness.render("[[" * 100 + "[[sky-army]]")
    assert html.count('class="wikilink"') == 1 and env["errors"] == []


def test_many_annotations_walk_each_segment_a_few_times(harness, monkeypatch):
    """100,000 annotations in one file took 270 s: each quote walked every text segment."""
    n = 2000
    body = "\n\n".join(f"Paragraph {i} says that *the* officers met on day {i}." for i in range(n))
    anns = harness.annotations("\n\n".join(f"> Paragraph {i} says that the officers\n\nN{i}." for i in range(n)))
    visible = marks._visible
    monkeypatch.setattr(marks, "_visible", lambda tokens: (lambda t, s: (t, _CountingList(s)))(*visible(tokens)))
    calls = []
    occurrences = anchoring._occurrences
    monkeypatch.setattr(anchoring, "_occurrences", lambda hay, needles: calls.append(len(needles)) or occurrences(hay, needles))
    _CountingList.reads = 0
    html, env = harness.render(body, annotations=anns, renderer=False)
    assert env["errors"] == []
    assert len(env["anchored"]) == n
    assert calls == [n]  # every quote in one pass over the text
    segments = 3 * n  # "Paragraph i says that ", "the", " officers met on day i."
    assert _CountingList.reads <= 4 * segments, _CountingList.reads


def test_missing_quotes_get_a_bounded_number_of_hints(harness, monkeypatch):
    """Each hint is a pass over the text: only the first MAX_HINTS missing quotes get one."""
    seen = []
    closest = marks.closest
    monkeypatch.setattr(marks, "closest", lambda hay, q: seen.append(q) or closest(hay, q))
    anns = harness.annotations("\n\n".join(f"> not in the text {i}\n\nN." for i in range(100)))
    _html, env = harness.render("Some text about the officers.\n", annotations=anns, renderer=False)
    assert len(env["errors"]) == 100
    assert len(seen) == marks.MAX_HINTS


def test_an_ambiguous_quote_names_a_bounded_number_of_places(harness):
    anns = harness.annotations("> the Met\n\nN.\n")
    _html, env = harness.render("the Met said.\n\n" * 50, annotations=anns, renderer=False)
    (msg,) = [e.message for e in env["errors"]]
    assert msg.startswith("quote appears 50 times (")
    assert msg.count("content/articles/sky-army.md:") == marks.MAX_PLACES and ", …)" in msg


def test_many_passages_in_one_paragraph_stay_marked(harness):
    """Many quotes in one text token: one split of the token, each piece marked once."""
    n = 500
    body = " ".join(f"Sentence number {i} is here." for i in range(n))
    anns = harness.annotations("\n\n".join(f"> Sentence number {i} is\n\nN." for i in range(n)))
    html, env = harness.render(body, annotations=anns, renderer=False)
    assert len(env["anchored"]) == n
    assert html.count("<mark ") == n and html.count("</mark>") == n


# -- markdown-it's and cmark's pathological shapes, and the inputs ---------------

PATHOLOGICAL = [name for name in CASES if name not in ("paragraph", "archive", "annotations", "shared",
                                                       "quotes-one-paragraph", "many-articles")]


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_python_work_doubles_when_the_input_doubles(harness, name):
    """The number of Python function calls for 2N is about twice that for N (4 times would be
    quadratic).  markdown-it-py 4.3's own rules pass this too on every shape here."""
    _unit, n0, gen = CASES[name]
    n = max(200, n0 // 50)
    small = _calls(harness, gen(n)[0])
    large = _calls(harness, gen(2 * n)[0])
    assert large <= 2.5 * small, (name, n, small, large)


def test_passages_nested_too_deep_are_a_located_error(harness):
    """N passages one inside another would wrap each piece in N marks (a page of size N squared)."""
    n = marks.MAX_OVERLAP + 4
    words = [f"w{i}" for i in range(2 * n)]
    body = " ".join(words) + "\n"
    quotes = [" ".join(words[i:2 * n - i]) for i in range(n)]  # each inside the one before
    anns = harness.annotations("\n\n".join(f"> {q}\n\nN." for q in quotes))
    html, env = harness.render(body, annotations=anns, renderer=False)
    assert len(env["anchored"]) == marks.MAX_OVERLAP
    errors = [(e.path, e.line, e.message) for e in env["errors"]]
    assert [line for _src, line, _msg in errors] == [a.line for a in anns[marks.MAX_OVERLAP:]]
    assert all(f"at most {marks.MAX_OVERLAP} may overlap" in msg for _s, _l, msg in errors)
