"""Message helpers: "did you mean", bounded values, where a quote first differs, quoting YAML values."""
from __future__ import annotations

import difflib

import pytest

from dossier.errors import ErrorList
from dossier.markdown.annotations import parse_annotations
from dossier.suggest import MAX_SHOWN, Budget, brief, did_you_mean, first_difference, quote_hint


@pytest.mark.parametrize("word,candidates,want", [
    ("andy-prendergrast", ["andy-prendergast", "bbc-news"], " (did you mean 'andy-prendergast'?)"),
    ("bbc", {"bbc-news": "bbc-news", "BBC News": "bbc-news", "BBC": "bbc-news"}, " (did you mean 'bbc-news'?)"),
    ("Person", ["person", "place"], " (did you mean 'person'?)"),
    ("gossip", ["note", "context", "correction", "discrepancy"], ""),
    ("", ["a"], ""),
])
def test_did_you_mean(word, candidates, want):
    assert did_you_mean(word, candidates) == want


def test_did_you_mean_compares_a_bounded_number_of_candidates(monkeypatch):
    seen = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda w, keys, **kw: seen.append(len(keys)) or real(w, keys, **kw))
    names = [f"entity-{i}" for i in range(20_000)]
    assert did_you_mean("entity-1234x", names) != ""
    assert seen == [5000]


def test_budget_stops_suggesting_after_its_calls():
    calls = []
    budget = Budget(3)
    hints = [budget("repot", lambda: calls.append(1) or ["report"]) for _ in range(10)]
    assert hints[:3] == [" (did you mean 'report'?)"] * 3 and hints[3:] == [""] * 7
    assert len(calls) == 3  # candidates are not even listed once the budget is spent


def test_budget_bounds_the_comparisons_of_a_run_with_thousands_of_mistakes():
    budget = Budget(calls=1000, work=50_000)
    names = [f"person-{i}" for i in range(10_000)]
    hints = [budget(f"persn-{i}", names) for i in range(1000)]
    assert sum(1 for h in hints if h) == 10  # 5,000 candidates compared per call, 50,000 in all
    assert hints[10:] == [""] * 990


@pytest.mark.parametrize("value,want", [
    ("short", "'short'"), ("a\x07b", "'a\\x07b'"), ("x" * 10_000, "'" + "x" * MAX_SHOWN + "…'"),
    (list(range(100_000)), "a list of 100000 items"), ({"a": 1}, "a mapping of 1 item"), (3, "3"),
    (10 ** 5000, "a number too long to show"),
], ids=["short", "control", "long", "list", "mapping", "int", "huge-int"])
def test_brief_never_prints_an_unbounded_value(value, want):
    assert brief(value) == want


def test_first_difference_skips_words_the_passage_has_before_the_quote():
    assert first_difference("officers were anxious about the charge", "said officers were worried about the") == (
        'first difference after "officers were ": the quote has "anxious about the charge", '
        'the text has "worried about the"')
    assert first_difference("same words", "same words") == ""


def test_quote_hint_for_an_unquoted_colon():
    assert quote_hint("title: Army: on standby") == '; a value that contains \': \' must be quoted: title: "Army: on standby"'
    assert quote_hint('title: "Army: on standby"') == ""
    assert quote_hint('title: He said "no": twice').endswith("""title: 'He said "no": twice'""")


def annotations(text: str):
    errors = ErrorList()
    return parse_annotations(text, "a.md", "a", errors), [str(e) for e in errors.items]


def test_attribute_line_ending_a_note_paragraph_belongs_to_the_next_quote():
    anns, errors = annotations("> one\n\nFirst note.\n{.context claim=\"c\"}\n> two\n\nSecond.\n")
    assert errors == []
    assert [(a.kind, a.note, a.claim) for a in anns] == [("note", "First note.", ""), ("context", "Second.", "c")]


def test_attribute_line_separated_from_its_quote_is_an_error_not_note_text():
    anns, errors = annotations("> one\n\nFirst note.\n\n{.context}\n\n> two\n\nSecond.\n")
    assert errors == ["a.md:5: this attribute line belongs to no quote: put it directly above its '> quote' line, "
                      "with no blank line between"]


def test_value_without_claim_is_a_warning():
    anns, errors = annotations('{.discrepancy value="300"}\n> one\n\nNote.\n')
    assert len(anns) == 1 and errors == [
        "a.md:1: warning: 'value' is shown only with a claim: add claim=\"…\" (the claim this value is for) "
        "or remove value="]


def test_cr_only_annotation_file_parses():
    from dossier.load import load_file
    from pathlib import Path
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "content" / "annotations" / "a.md"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"{.context}\r> one\r\rA note.\r\r> two\r\rAnother.\r")
        got = load_file(Path(tmp), "annotations", path)
    assert got.errors == ()
    assert [(a.quote, a.kind, a.line, a.note) for a in got.records] == [("one", "context", 2, "A note."),
                                                                       ("two", "note", 6, "Another.")]
