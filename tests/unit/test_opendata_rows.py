"""opendata.py: the text fragments and mention rows the render workers make for data/mentions.csv."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from hypothesis import given, settings, strategies as st

from dossier.opendata import MENTION_COLUMNS, _csv, _csv_field, mentions_csv, text_fragment


def _reference_fragment(sentence: str) -> str:
    """The fragment as first written: the words joined by one space, the whole quoted at once."""
    words = sentence.split()
    if len(words) <= 10:
        return ":~:text=" + quote(" ".join(words), safe="")
    return ":~:text=" + quote(" ".join(words[:5]), safe="") + "," + quote(" ".join(words[-5:]), safe="")


_TEXT = st.lists(st.sampled_from(list("ab ,-–é’%&#\n\t\u00a0\u2009") + ["Zoë", "O'Neil", "50%"]), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_a_fragment_is_the_sentence_words_quoted_as_one_string(sentence):
    assert text_fragment(sentence) == _reference_fragment(sentence)


def test_a_long_sentence_is_anchored_by_its_first_and_last_five_words():
    got = text_fragment("One, two - three four five six seven eight nine ten eleven twelve.")
    assert got == ":~:text=One%2C%20two%20-%20three%20four,eight%20nine%20ten%20eleven%20twelve."
    assert text_fragment("") == ":~:text=" and text_fragment("  ") == ":~:text="


def test_rows_read_back_as_the_csv_they_were_written_from():
    rows = [["a", "e", 'She said "no", twice', "no", 3, "https://x/a/#:~:text=She%20said"], ["b", "f", "é\nz", "z", "", "u"]]
    data = mentions_csv({"b": _csv(None, rows[1:]), "a": _csv(None, rows[:1]).decode("utf-8")}).data
    assert list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) == [MENTION_COLUMNS, *[[str(v) for v in r] for r in rows]]


_FIELD = st.one_of(st.none(), st.integers(-5, 10**6), _TEXT, st.text(max_size=20))


@settings(max_examples=300, deadline=None)
@given(st.lists(_FIELD, min_size=2, max_size=7))
def test_a_field_is_written_as_the_csv_module_writes_it(row):
    assert ",".join(map(_csv_field, row)) + "\r\n" == _csv(None, [row]).decode("utf-8")


def test_mentions_csv_is_staged_one_article_at_a_time(tmp_path):
    """The file is written as its pieces come: an article's rows are asked for only as they are written."""
    from dossier.write import Staging, digest

    taken = []

    class Rows(dict):
        def __getitem__(self, slug):
            taken.append(slug)
            return f"{slug},e,s,w,1,l\r\n"

    out = mentions_csv(Rows.fromkeys(["b", "a", "c"]))
    pieces = out.pieces()
    assert next(pieces).startswith(b"article,entity,") and taken == []
    assert next(pieces) == b"a,e,s,w,1,l\r\n" and taken == ["a"]
    staging = Staging(tmp_path / "out")
    staging.dir.mkdir(parents=True)
    got = staging.put_pieces(out.path, out.pieces())
    data = (staging.dir / "data" / "mentions.csv").read_bytes()
    assert got == (digest(data), len(data)) and data == out.data
    assert data.decode().splitlines()[1:] == ["a,e,s,w,1,l", "b,e,s,w,1,l", "c,e,s,w,1,l"]


_SENTENCES = st.one_of(_TEXT, st.text(max_size=40)).map(lambda s: s.strip() or "x")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["a", "b,c", 'q"r', "n\nm", "é"]), st.sampled_from(["https://x/", "https://x,y/", 'https://x"/']),
       st.lists(st.tuples(st.sampled_from(["e", "f,g", 'h"i']), _SENTENCES, st.integers(0, 3), st.booleans()),
                max_size=6))
def test_mention_rows_are_what_the_csv_module_writes_for_the_same_fields(slug, origin, picked):
    """Quoted once per article where the field is the article's, each field still as ``csv`` writes it:
    a slug, an address or a sentence with a comma, a quote or a line break, a sentence absent from the text."""
    from types import SimpleNamespace

    from dossier.opendata import mention_rows

    text = " ".join(s for _e, s, _n, present in picked if present)
    mentions = [SimpleNamespace(entity=e, sentence=s, start=min(n, len(s)), end=min(n + 2, len(s)))
                for e, s, n, _present in picked]
    urls = SimpleNamespace(absolute=lambda rel: origin + rel)
    rows, cursor = [], 0
    for m in mentions:  # the fields as mention_rows has always made them
        lead = 1 if m.sentence.startswith("…") else 0
        core = m.sentence[lead:].rstrip("…")
        at = text.find(core, cursor)
        at = text.find(core) if at < 0 else at
        cursor = at if at >= 0 else cursor
        rows.append([slug, m.entity, m.sentence, m.sentence[m.start:m.end], "" if at < 0 else at + m.start - lead,
                     f"{origin}articles/{slug}/#{text_fragment(core)}"])
    assert mention_rows(urls, slug, mentions, text) == (_csv(None, rows).decode("utf-8") if rows else "")
