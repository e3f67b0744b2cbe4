"""quoting.py: from a selection in the preview to the shortest quote that anchors to it."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from dossier.anchoring import find_all, normalize
from dossier.quoting import LONG, choose_quote, selected_range, utf16_index, visible_text


def _range_of(text: str, words: str, nth: int = 0) -> tuple[int, int]:
    hay = normalize(text)[0]
    at = -1
    for _ in range(nth + 1):
        at = hay.find(words, at + 1)
    assert at >= 0
    return at, at + len(words)


def _anchors(text: str, quote: str, which: int) -> tuple[int, int]:
    found = find_all(normalize(text)[0], quote)
    if which == 0:
        assert len(found) == 1, (quote, found)
        return found[0]
    return found[which - 1]


def test_a_unique_passage_is_quoted_whole():
    text = "The head of the Metropolitan Police has demanded protections.\nSoldiers are on standby."
    assert choose_quote(text, *_range_of(text, "Metropolitan Police")) == ("Metropolitan Police", 0)


def test_a_repeated_passage_gets_which_counting_headings_too():
    text = "Officers stood down\nMore officers stood down today.\nThe officers stood down again."
    s, e = _range_of(text, "officers stood down", 1)
    assert choose_quote(text, s, e) == ("officers stood down", 2)


def test_the_quote_keeps_the_texts_own_characters():
    text = "He said \u201clet the police police\u201d \u2014 twice.\u00ad"
    quote, which = choose_quote(text, *_range_of(text, '"let the police police" - twice.'))
    assert quote == "\u201clet the police police\u201d \u2014 twice." and which == 0


def test_a_long_passage_is_shortened_around_an_ellipsis():
    words = [f"w{i}" for i in range(60)]
    text = " ".join(words)
    s, e = _range_of(text, " ".join(words[5:50]))
    quote, which = choose_quote(text, s, e)
    assert quote == "w5 w6 w7 w8 … w46 w47 w48 w49" and which == 0
    assert _anchors(text, quote, which) == (s, e)


def test_a_long_passage_with_repeated_edges_takes_more_words():
    text = " ".join(["a b c d"] * 3 + [f"x{i}" for i in range(30)] + ["a b c d"] * 2)
    s, e = _range_of(text, "a b c d x0")
    e = _range_of(text, "x29 a b c d")[1]
    quote, which = choose_quote(text, s, e)
    assert _anchors(text, quote, which) == (s, e)


def test_the_selection_widens_to_whole_words_and_maps_by_occurrence():
    text = "Police said. Police said again."
    shown = "Police said.\nPolice said again."   # the page's text: block breaks as newlines
    start = shown.index("olice", 5)
    assert selected_range(text, shown, start, start + 8) == _range_of(text, "Police said", 1)
    # a page a build behind: the same occurrence in the text as it is now
    assert selected_range("New first line. " + text, shown, start, start + 8) == \
        _range_of("New first line. " + text, "Police said", 1)
    assert selected_range(text, shown, 3, 3) is None
    assert selected_range("Other words.", shown, 0, 6) is None


def test_offsets_from_javascript_count_utf16_units():
    shown = "\U0001F600 Police"
    assert utf16_index(shown, 3) == 2
    assert selected_range("\U0001F600 Police", shown, 3, 9) == (2, 8)


def test_visible_text_is_what_quotes_anchor_in():
    body = "# Head\n\nA *styled* [link](https://example.org) and `code`.\n\n```\nfenced\n```\n"
    assert visible_text(body) == "Head\nA styled link and code."


WORDS = st.sampled_from(["police", "officers", "army", "the", "said", "Met", "—", "“quoted”", "re-view"])


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=2 * LONG + 10), st.data())
def test_the_chosen_quote_anchors_to_exactly_the_selected_words(words, data):
    text = " ".join(words)
    hay = normalize(text)[0]
    spans = [(m, m + len(w)) for m, w in _word_starts(hay)]
    i = data.draw(st.integers(0, len(spans) - 1))
    j = data.draw(st.integers(i, len(spans) - 1))
    target = (spans[i][0], spans[j][1])
    chosen = choose_quote(text, *target)
    assert chosen is not None
    assert _anchors(text, *chosen) == target


def _word_starts(hay: str):
    pos = 0
    for w in hay.split(" "):
        yield pos, w
        pos += len(w) + 1
