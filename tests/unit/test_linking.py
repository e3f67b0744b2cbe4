"""dossier/linking.py: whole-word, case-sensitive, leftmost-longest mention matching."""
from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

import dossier.linking as linking
from dossier.linking import Matcher

TABLE = {
    "Metropolitan Police": "metropolitan-police",
    "Met": "metropolitan-police",
    "Met Police": "metropolitan-police",
    "Metropolitan Police Federation": "metropolitan-police-federation",
    "Sir Mark Rowley": "mark-rowley",
    "Rowley": "mark-rowley",
    "Suella Braverman": "suella-braverman",
    "Braverman": "suella-braverman",
    "NX121": "nx121",
    "C.P.S.": "cps",
}


def spans(text, table=TABLE):
    return [(text[s:e], slug) for s, e, slug in Matcher(table).find(text)]


def test_whole_words_only():
    assert spans("The Met said") == [("Met", "metropolitan-police")]
    assert spans("Metro reported") == []  # "Met" is not inside "Metro"
    assert spans("the Metropolitan line") == []
    assert spans("Metropolitan Policeman") == []
    assert spans("PreRowley Rowleys") == []
    assert spans("NX1210 and xNX121") == []


def test_case_sensitive():
    assert spans("the met and MET and rowley") == []


def test_longest_match_wins():
    assert spans("the Metropolitan Police Federation said") == [
        ("Metropolitan Police Federation", "metropolitan-police-federation")]
    assert spans("the Metropolitan Police said") == [("Metropolitan Police", "metropolitan-police")]
    assert spans("Sir Mark Rowley") == [("Sir Mark Rowley", "mark-rowley")]
    assert spans("Met Police officers") == [("Met Police", "metropolitan-police")]
    # A longer name that fails its word boundary falls back to the shorter one.
    assert spans("Metropolitan Police Federations") == [("Metropolitan Police", "metropolitan-police")]


def test_alias_at_start_and_end_of_text():
    assert spans("Rowley") == [("Rowley", "mark-rowley")]
    assert spans("Rowley said so to Braverman") == [("Rowley", "mark-rowley"), ("Braverman", "suella-braverman")]


def test_punctuation_around_names():
    text = "(Rowley), “Braverman”; Met-run, NX121."
    assert spans(text) == [("Rowley", "mark-rowley"), ("Braverman", "suella-braverman"),
                           ("Met", "metropolitan-police"), ("NX121", "nx121")]


def test_apostrophes():
    assert spans("Braverman’s review") == [("Braverman", "suella-braverman")]
    assert spans("Braverman's review") == [("Braverman", "suella-braverman")]
    assert spans("the Met’s officers") == [("Met", "metropolitan-police")]


def test_alias_with_punctuation_at_its_edges():
    assert spans("the C.P.S. said") == [("C.P.S.", "cps")]
    # The final '.' is not a word character, so no boundary is needed after it.
    assert spans("the C.P.S.x said") == [("C.P.S.", "cps")]
    assert spans("xC.P.S. said") == []


def test_newline_inside_a_name_does_not_match():
    assert spans("Sir Mark\nRowley") == [("Rowley", "mark-rowley")]


def test_offsets_are_exact_and_non_overlapping():
    text = "Sir Mark Rowley met Suella Braverman; Rowley and the Met Police."
    found = Matcher(TABLE).find(text)
    assert [text[s:e] for s, e, _ in found] == ["Sir Mark Rowley", "Suella Braverman", "Rowley", "Met Police"]
    assert all(a[1] <= b[0] for a, b in zip(found, found[1:]))


def test_empty_table_and_text():
    assert Matcher({}).find("Rowley") == []
    assert Matcher(TABLE).find("") == []
    assert Matcher(TABLE).entities_in("Rowley and Braverman and Rowley") == {"mark-rowley", "suella-braverman"}


def _names(n: int) -> dict[str, str]:
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ra", "ten", "vos", "dul", "pe", "xan", "qui", "bor", "zed"]
    table: dict[str, str] = {}
    i = 0
    while len(table) < n * 3:
        first = "".join(rng.choice(syllables) for _ in range(3)).title()
        last = "".join(rng.choice(syllables) for _ in range(3)).title()
        slug = f"e{i}"
        names = [f"{first} {last}", f"{last}{i}", f"{first[0]}. {last} {i}"]
        if any(nm in table for nm in names):
            continue
        for nm in names:
            table[nm] = slug
        i += 1
    return table


def test_many_entities_one_pass(monkeypatch):
    """5,000 entities x 3 names: find() is right on a long text, and its work follows the text, not the table."""
    table = _names(5000)
    matcher = Matcher(table)
    rng = random.Random(1)
    names = sorted(table)
    filler = "the officers said that it was a difficult week for everyone involved".split()
    parts, expected = [], []
    pos = 0
    for k in range(400):
        words = " ".join(rng.choice(filler) for _ in range(rng.randint(3, 30))) + " "
        parts.append(words)
        pos += len(words)
        name = rng.choice(names)
        parts.append(name)
        expected.append((pos, pos + len(name), table[name]))
        pos += len(name)
        parts.append(", ")
        pos += 2
    text = "".join(parts)
    assert len(text) > 30_000

    calls = 0
    real = linking._is_word

    def counting(ch):
        nonlocal calls
        calls += 1
        return real(ch)

    monkeypatch.setattr(linking, "_is_word", counting)
    found = matcher.find(text)
    assert found == expected
    # Boundary checks happen per candidate match (at most two each), never per entity or per alias.
    assert calls <= 2 * 2 * len(expected)


def _reference(text: str, table: dict[str, str]) -> list[tuple[int, int, str]]:
    """Brute force: scan left to right, take the longest whole-word alias at each position."""
    def w(c):
        return c.isalnum() or c == "_"

    out, i, n = [], 0, len(text)
    while i < n:
        best = None
        for alias, slug in table.items():
            if not alias or not text.startswith(alias, i):
                continue
            e = i + len(alias)
            if w(alias[0]) and i > 0 and w(text[i - 1]):
                continue
            if w(alias[-1]) and e < n and w(text[e]):
                continue
            if best is None or len(alias) > best[1] - best[0]:
                best = (i, e, slug)
        if best:
            out.append(best)
            i = best[1]
        else:
            i += 1
    return out


@settings(max_examples=300, deadline=None)
@given(aliases=st.lists(st.text(alphabet="ab .'", min_size=1, max_size=5), min_size=1, max_size=6, unique=True),
       text=st.text(alphabet="ab .'", max_size=40))
def test_matches_brute_force_reference(aliases, text):
    table = {a: f"e{i}" for i, a in enumerate(aliases)}
    assert Matcher(table).find(text) == _reference(text, table)


# -- Unicode normalisation forms (issue 10) --------------------------------------------

NFC_NAME, NFD_NAME = unicodedata.normalize("NFC", "José Núñez"), unicodedata.normalize("NFD", "José Núñez")


@pytest.mark.parametrize("name,text_form", [(NFD_NAME, "NFC"), (NFC_NAME, "NFD"), (NFD_NAME, "NFD"), (NFC_NAME, "NFC")])
def test_names_match_across_normalisation_forms(name, text_form):
    text = unicodedata.normalize(text_form, "Zoë said that José Núñez, not Zoë, spoke. Then José Núñez left.")
    found = Matcher({name: "jose", unicodedata.normalize("NFD", "Zoë"): "zoe"}).find(text)
    assert [slug for _s, _e, slug in found] == ["zoe", "jose", "zoe", "jose"]
    # Offsets are into the text as written: the span holds the name in the text's own form.
    assert [text[s:e] for s, e, _slug in found] == [unicodedata.normalize(text_form, w) for w in
                                                    ("Zoë", "José Núñez", "Zoë", "José Núñez")]


def test_decomposed_text_keeps_whole_word_rule():
    # "Zoë" inside "Zoëlla" is not a mention, in either form.
    text = unicodedata.normalize("NFD", "Zoëlla and Zoë")
    assert [text[s:e] for s, e, _ in Matcher({"Zoë": "zoe"}).find(text)] == [unicodedata.normalize("NFD", "Zoë")]


# -- the two automata (leftmost-longest first, every match where a name is not a whole word) ----------

def test_whole_word_text_takes_only_the_leftmost_longest_automaton():
    matcher = Matcher(TABLE)
    assert spans("Sir Mark Rowley met Suella Braverman; the Met Police said.") == [
        ("Sir Mark Rowley", "mark-rowley"), ("Suella Braverman", "suella-braverman"),
        ("Met Police", "metropolitan-police")]
    assert matcher.find("Sir Mark Rowley met Suella Braverman; the Met Police said.") and matcher._auto is None
    # A longest match inside a longer word: the text goes to the overlapping automaton, made then.
    assert matcher.find("the Metropolitan Police Federations") == [(4, 23, "metropolitan-police")]
    assert matcher._auto is not None


@pytest.mark.parametrize("text", ["Rowley \ud800 Braverman", "\udcffRowley", "Rowley\udcff"])
def test_lone_surrogates_in_the_text(text):
    assert Matcher(TABLE).find(text) == _reference(text, TABLE)


def test_a_name_with_a_lone_surrogate():
    table = {"Ro\ud800w": "odd", "Rowley": "mark-rowley"}
    for text in ("Ro\ud800w and Rowley", "Rowley, Ro\ud800wley"):
        assert Matcher(table).find(text) == _reference(text, table)


def test_matcher_pickles_as_its_table():
    import pickle

    matcher = pickle.loads(pickle.dumps(Matcher(TABLE)))
    assert matcher.find("the Met Police and Rowley") == Matcher(TABLE).find("the Met Police and Rowley")


@settings(max_examples=300, deadline=None)
@given(aliases=st.lists(st.text(alphabet="aé_ .", min_size=1, max_size=6), min_size=1, max_size=8, unique=True),
       text=st.text(alphabet="aé_ .b", max_size=60))
def test_both_automata_agree(aliases, text):
    """Whichever automaton a text goes to, the spans are the overlapping one's (the one used alone before)."""
    table = {a: f"e{i}" for i, a in enumerate(aliases)}  # precomposed already: NFC is each text itself
    matcher = Matcher(table)
    assert matcher.find(text) == matcher._every(text) == _reference(text, table)
