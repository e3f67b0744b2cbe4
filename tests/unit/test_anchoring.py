"""dossier/anchoring.py: normalisation with an offset map, quote search, closest passage.

The property tests take word-bounded passages of real article text (the seed
archive's bodies, plus generated text), rewrite their whitespace, quotes and
dashes the way a quote copied from elsewhere differs, and check that the
passage anchors back to exactly its original characters.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from dossier.anchoring import closest, find_all, find_many, norm, normalize, source_span
from dossier.frontmatter import split

REPO = Path(__file__).resolve().parents[2]


def anchor(text: str, quote: str) -> list[str]:
    hay, offs = normalize(text)
    return [text[a:b] for a, b in (source_span(text, offs, s, e) for s, e in find_all(hay, quote))]


# -- normalize ------------------------------------------------------------------------

@pytest.mark.parametrize("raw,want", [
    ("“quoted” and ‘single’", '"quoted" and \'single\''),
    ("it’s", "it's"),
    ("«guillemets» „low”", '"guillemets" "low"'),
    ("a—b – c ‒ d ― e − f ‐ g ‑ h", "a-b - c - d - e - f - g - h"),
    ("a\u00a0b\u202fc\u2009d", "a b c d"),
    ("a  b\t\tc   d", "a b c d"),
    ("line one\nline two\r\nthree", "line one line two three"),
    ("  leading and trailing \n", "leading and trailing"),
    ("a \n \n b", "a b"),
    (unicodedata.normalize("NFC", "café"), "cafe"),
    (unicodedata.normalize("NFD", "café"), "cafe"),
    ("ﬁne", "fine"),
    ("", ""),
    ("   ", ""),
])
def test_normalize(raw, want):
    assert norm(raw) == want


def test_nfc_and_nfd_agree():
    nfc, nfd = unicodedata.normalize("NFC", "Un café à Zürich"), unicodedata.normalize("NFD", "Un café à Zürich")
    assert nfc != nfd
    assert norm(nfc) == norm(nfd) == "Un cafe a Zurich"


@pytest.mark.parametrize("text", [
    "plain ascii text  with  runs\nand lines",
    "  lead “curly” — dash\u00a0nbsp\n\n end  ",
    unicodedata.normalize("NFD", "naïve café résumé, “quotes”"),
    "ﬁ ligature and … ellipsis",
])
def test_offset_map_points_at_source_chars(text):
    hay, offs = normalize(text)
    prev = -1
    for i, ch in enumerate(hay):
        src = offs[i]
        assert src >= prev  # monotonic
        prev = src
        original = text[src]
        if ch == " ":
            assert original.isspace()
        else:
            folded = "".join(c for c in unicodedata.normalize("NFKD", original) if not unicodedata.combining(c))
            assert ch in folded.translate({ord(c): "'" for c in "‘’"}).translate(
                {ord(c): '"' for c in "“”"}).translate({ord(c): "-" for c in "—–"}) or ch == folded


def test_offset_map_fast_path_exact():
    text = "  The  Met\nsaid —  no."
    hay, offs = normalize(text)
    assert hay == "The Met said - no."
    assert [text[offs[i]] for i in range(len(hay))] == ["T", "h", "e", " ", "M", "e", "t", "\n", "s", "a", "i",
                                                         "d", " ", "—", " ", "n", "o", "."]


# -- find_all -------------------------------------------------------------------------

TEXT = ("The Met said “many” of its armed officers were worried.\n"
        "Around 300 officers had stepped back — and the Army was on standby.\n"
        "Later, around 300 officers returned.")


def test_quote_with_other_quotes_dashes_and_spaces():
    assert anchor(TEXT, 'said "many" of   its armed') == ["said “many” of its armed"]
    assert anchor(TEXT, "stepped back - and the Army") == ["stepped back — and the Army"]
    assert anchor(TEXT, "officers were worried. Around 300") == ["officers were worried.\nAround 300"]


@pytest.mark.parametrize("ellipsis", ["...", "…", " ... ", ". . ."])
def test_ellipsis(ellipsis):
    got = anchor(TEXT, f"The Met said{ellipsis}were worried.")
    assert got == ["The Met said “many” of its armed officers were worried."]


def test_ellipsis_with_middle_part_and_nearest_end():
    got = anchor(TEXT, "Around 300 … Army … standby")
    assert got == ["Around 300 officers had stepped back — and the Army was on standby"]


def test_multiple_occurrences():
    assert anchor(TEXT, "around 300 officers") == ["around 300 officers"]  # case-sensitive
    hay = norm("a cat. a cat. a dog.")
    assert find_all(hay, "a cat") == [(0, 5), (7, 12)]


def test_not_found_and_empty():
    hay = norm(TEXT)
    assert find_all(hay, "nowhere to be seen") == []
    assert find_all(hay, "...") == []
    assert find_all(hay, "") == []


def test_nested_ellipsis_ranges_are_dropped():
    hay = norm("a x b a y b")
    # "a ... b" from the first a runs to the first b; the second a gives its own range.
    assert find_all(hay, "a ... b") == [(0, 5), (6, 11)]


def test_closest_gives_nearest_window_and_ratio():
    hay = norm(TEXT)
    near = closest(hay, "Around 300 officers have stepped back")
    assert near is not None
    assert near.text == hay[near.start:near.start + len(near.text)]
    assert near.text.startswith("Around 300 officers")
    assert 0.7 < near.ratio < 1.0
    exact = closest(hay, "the Army was on standby.")
    assert exact.text == "the Army was on standby." and exact.ratio == 1.0


def test_closest_on_empty():
    assert closest("", "anything") is None


def test_closest_longer_than_text():
    near = closest(norm("short text"), "a much longer quote than the text itself")
    assert near.text == "short text" and 0 <= near.ratio < 1


def test_span_end_keeps_trailing_combining_marks():
    text = unicodedata.normalize("NFD", "un café noir")
    assert anchor(text, "café") == [unicodedata.normalize("NFD", "café")]


def test_fast_and_slow_paths_fold_alike():
    assert norm("it`s") == "it's"  # fast path
    assert norm("it`s café") == "it's cafe"  # slow path


# Issue 10: quotes that should have anchored and did not.
@pytest.mark.parametrize("article,quote,marked", [
    ("officers -- armed ones -- stepped back", "officers — armed ones — stepped", "officers -- armed ones -- stepped"),
    ("officers — armed ones — stepped back", "officers -- armed ones -- stepped", "officers — armed ones — stepped"),
    ("the 2022–2023 figures", "2022--2023 figures", "2022–2023 figures"),
    ("the 2022--2023 figures", "2022–2023", "2022--2023"),
    ("said it was said --", "was said —", "was said --"),
    ("armed po\u00adlice officers", "armed police", "armed po\u00adlice"),
    ("armed police officers", "armed po\u00adlice", "armed police"),
    ("fire\u200barms duties", "firearms duties", "fire\u200barms duties"),
    ("firearms duties", "fire\u200barms duties", "firearms duties"),
    ("a joi\u200dned and non\u200cjoined word", "joined and nonjoined", "joi\u200dned and non\u200cjoined"),
    ("\ufeffAround 300 officers", "Around 300", "Around 300"),
    ("Around 300 officers", "\ufeffAround 300", "Around 300"),
])
def test_dashes_and_invisible_characters(article, quote, marked):
    assert anchor(article, quote) == [marked]


def test_many_quotes_find_what_one_at_a_time_finds():
    """The Aho-Corasick pass (more than a few quotes) agrees with str.find (a few)."""
    hay = norm("one two three two three four. One two -- three … two three five; two")
    quotes = ["two three", "one two", "two … five", "three … two", "two", "missing", "One two — three", "two three"]
    together = find_many(hay, quotes)
    assert together == [find_many(hay, [q])[0] for q in quotes]
    assert together[0] is together[-1]  # equal quotes share one result


# -- property tests -------------------------------------------------------------------

def _seed_bodies() -> list[str]:
    bodies = []
    for path in sorted((REPO / "content" / "articles").glob("*.md")):
        try:
            body = split(path.read_text(encoding="utf-8").replace("\r\n", "\n")).body
        except Exception:  # an article being written right now; the generated texts still run
            continue
        # Reader-visible-ish: drop Markdown emphasis, link targets and footnote markers.
        body = re.sub(r"\[\^[^\]]*\]:?", "", body)
        body = re.sub(r"\]\([^)]*\)", "", body).replace("[", "")
        body = body.replace("*", "").replace("_", "")
        if len(body.split()) > 20:
            bodies.append(body)
    return bodies


SEED_BODIES = _seed_bodies()
FALLBACK = ("Sir Mark Rowley, the Met’s commissioner, said “let the police police” — and the Home Secretary "
            "agreed. Around 300 officers had stepped back; by Monday, many had returned to armed duties.")

WORDS = ["police", "officers", "Met’s", "“armed”", "‘duties’", "army", "café", "naïve", "—", "–", "2,500",
         "O’Brien", "said:", "(NX121)", "well-known", "Zürich", "again.", "'plain'", '"dq"', "100%", "--",
         "long--dash", "po\u00adlice", "zero\u200bwidth", "join\u200der", "non\u200cjoiner",
         "bo\ufeffm"]  # invisible characters inside words: a mark starts and ends at a visible one

_SPACE_VARIANTS = [" ", "  ", "\n", " \n", "\u00a0", "\t", " \u00a0 "]
_QUOTE_SWAPS = {"“": ['"', "”", "„"], "”": ['"', "“"], "‘": ["'", "’"], "’": ["'", "‘", "`"],
                '"': ["“", "”"], "'": ["’", "‘"], "—": ["-", "–", "―", "--"], "–": ["-", "—", "--"],
                "-": ["‐", "–"]}
# Characters a pasted text holds unseen; a quote may have them where the article does not, and the reverse.
_INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"]
_ELLIPSIS = re.compile(r"\.\s*\.\s*\.|…")


def _rewrite(passage: str, draw) -> str:
    out = []
    for piece in re.split(r"(\s+)", passage):
        if not piece:
            continue
        if piece.isspace():
            out.append(draw(st.sampled_from(_SPACE_VARIANTS)))
            continue
        if "--" in piece and draw(st.booleans()):
            piece = piece.replace("--", draw(st.sampled_from(["—", "–"])))
        chars = []
        for ch in piece:
            if ch in _INVISIBLE and draw(st.booleans()):
                continue  # the article's invisible character left out of the quote
            if chars and draw(st.integers(0, 9)) == 0:
                chars.append(draw(st.sampled_from(_INVISIBLE)))  # one the article does not have
            if ch in _QUOTE_SWAPS and draw(st.booleans()):
                chars.append(draw(st.sampled_from(_QUOTE_SWAPS[ch])))
            else:
                chars.append(ch)
        out.append("".join(chars))
    return "".join(out)


def _check_passage(text: str, data) -> None:
    words = [m.span() for m in re.finditer(r"\S+", text)]
    assume(len(words) >= 2)
    i = data.draw(st.integers(0, len(words) - 1), label="first word")
    j = data.draw(st.integers(i, min(len(words) - 1, i + 25)), label="last word")
    start, end = words[i][0], words[j][1]
    passage = text[start:end]
    assume(not _ELLIPSIS.search(passage))
    hay, offs = normalize(text)
    assume(len(find_all(hay, passage)) == 1)  # the passage is unique in the text
    quote = _rewrite(passage, data.draw)
    assume(not _ELLIPSIS.search(quote))
    found = find_all(hay, quote)
    assert len(found) == 1, (passage, quote)
    s, e = found[0]
    assert source_span(text, offs, s, e) == (start, end), (passage, quote)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_seed_passages_anchor_back_exactly(data):
    text = data.draw(st.sampled_from(SEED_BODIES or [FALLBACK]), label="article")
    _check_passage(text, data)


_SEP = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\u00a0", " — ", ", "])


@st.composite
def _texts(draw):
    n = draw(st.integers(2, 30))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=n, max_size=n))
    words = [w + str(k) if k % 3 == 0 and w[-1].isalpha() else w for k, w in enumerate(words)]
    nfd = draw(st.booleans())
    text = words[0] + "".join(draw(_SEP) + w for w in words[1:])
    return unicodedata.normalize("NFD", text) if nfd else text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(text=_texts(), data=st.data())
def test_generated_passages_anchor_back_exactly(text, data):
    _check_passage(text, data)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" -a.\n\t", max_size=30))
def test_ascii_paths_agree_with_the_character_by_character_one(text):
    """The fast paths of ASCII text (no run to drop: the text itself; else the runs found by ``_RUNS``)
    give what ``_normalize_slow`` gives, the text and every offset."""
    from dossier.anchoring import _normalize_slow

    hay, offs = normalize(text)
    want, want_offs = _normalize_slow(text)
    assert hay == want
    assert [offs[i] for i in range(len(hay))] == [want_offs[i] for i in range(len(want))]


def test_text_without_runs_is_its_own_normal_form():
    text = "The Met said - no, officers were worried.\nLater they returned."
    hay, offs = normalize(text)
    assert hay == text.replace("\n", " ") and [offs[i] for i in range(len(hay))] == list(range(len(text)))
