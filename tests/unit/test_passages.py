"""dossier/passages.py: passages several articles print nearly word for word."""
from __future__ import annotations

import datetime as dt
import re

from selectolax.lexbor import LexborHTMLParser

from dossier.config import SiteConfig
from dossier.errors import ErrorList
from dossier.model import Article, Entity
from dossier.passages import MAX_ARTICLES, MIN_WORDS, shared_passages
from dossier.site import assemble

SHARED_A = "The decision comes after an officer, known as NX121, was charged with the murder of Chris Kaba."
SHARED_B = "The decision comes after an officer known as NX121 was charged with the murder of Chris Kaba!"
BOILER = "Sign up to our free newsletter to get the latest news delivered to your inbox every morning."
SHORT = "Trust has never been lower."


def outlets():
    return [Entity(slug="alpha", name="Alpha News", type="outlet", source="content/entities/outlets/alpha.md"),
            Entity(slug="beta", name="Beta Times", type="outlet", source="content/entities/outlets/beta.md")]


def art(slug, body, outlet="alpha", day=1):
    return Article(slug=slug, title=slug, outlet=outlet, published=dt.date(2023, 9, day), body=body, body_line=5,
                   source=f"content/articles/{slug}.md")


def site_of(*articles):
    errors = ErrorList()
    site = assemble(SiteConfig.for_test(), [*outlets(), *articles], errors)
    assert not errors.items
    return site


def test_shared_sentence_with_punctuation_difference_links_both_ways():
    site = site_of(art("a", f"Opening line of the first report here. {SHARED_A} {SHORT}", day=1),
                   art("b", f"Quite another opening for the second one. {SHARED_B} {SHORT}", outlet="beta", day=2))
    got = shared_passages(site)
    assert set(got) == {"a", "b"}
    [ann_a] = got["a"]
    [ann_b] = got["b"]
    assert ann_a.kind == ann_b.kind == "shared" and ann_a.auto and ann_b.auto
    assert ann_a.quote == SHARED_A and ann_b.quote == SHARED_B  # each quotes its own wording
    # each links the other's passage of the same words
    assert f"[[b#ann-{ann_b.id}]]" in ann_a.note and "Beta Times" in ann_a.note
    assert f"[[a#ann-{ann_a.id}]]" in ann_b.note and "Alpha News" in ann_b.note
    assert ann_a.id == "shared-the-decision-comes-after-an-officer"
    assert ann_a.source == "content/articles/a.md"


def test_boilerplate_in_more_than_max_articles_is_ignored():
    arts = [art(f"a{i}", f"Unique opening number {i} of this report, written in its own words. {BOILER}", day=i + 1)
            for i in range(MAX_ARTICLES + 1)]
    assert shared_passages(site_of(*arts)) == {}
    # ...but in exactly MAX_ARTICLES articles it is still shared.
    got = shared_passages(site_of(*arts[:MAX_ARTICLES]))
    assert len(got) == MAX_ARTICLES
    assert all(len(v) == 1 and v[0].quote == BOILER for v in got.values())


def test_short_sentences_are_ignored():
    assert len(SHORT.split()) < MIN_WORDS
    site = site_of(art("a", f"{SHORT} The first body goes on in its own way."),
                   art("b", f"{SHORT} And the second body says something else.", outlet="beta"))
    assert shared_passages(site) == {}


def test_adjacent_shared_sentences_make_one_passage():
    second = "Senior officers have been meeting with armed staff who are considering their position."
    site = site_of(art("a", f"Alpha begins with words of its own today. {SHARED_A} {second} Alpha ends."),
                   art("b", f"{SHARED_A} {second} Beta closes with different words again.", outlet="beta"))
    [ann] = shared_passages(site)["a"]
    assert re.fullmatch(r"(.*) (?:\.\.\.|…) (.*)", ann.quote).groups() == (SHARED_A, second)


def test_three_articles_one_note_names_the_other_two():
    site = site_of(art("a", SHARED_A, day=1), art("b", SHARED_A, outlet="beta", day=3), art("c", SHARED_A, day=2))
    [ann] = shared_passages(site)["a"]
    assert ann.note.index("[[c#") < ann.note.index("[[b#")  # oldest first
    assert " and " in ann.note


def test_shared_passage_renders_as_marks_linking_each_other(tmp_site, build):
    root = tmp_site({
        "content/entities/outlets/alpha.md": "---\nname: Alpha News\ntype: outlet\n---\n",
        "content/entities/outlets/beta.md": "---\nname: Beta Times\ntype: outlet\n---\n",
        "content/articles/a.md": f"---\ntitle: A\noutlet: alpha\npublished: 2023-09-01\n---\nIntro of A here.\n\n{SHARED_A}\n",
        "content/articles/b.md": f"---\ntitle: B\noutlet: beta\npublished: 2023-09-02\n---\n{SHARED_B}\n\nOutro of B.\n",
    })
    result = build(root)
    assert result.ok, result.errors
    for me, other in (("a", "b"), ("b", "a")):
        doc = LexborHTMLParser((root / "output" / "articles" / me / "index.html").read_text())
        mark = doc.css_first("mark.k-shared")
        assert mark is not None and mark.attributes["id"].startswith("ann-shared-")
        note = doc.css_first(f"aside#note-{mark.attributes['id']}")
        assert note is not None
        [link] = [a.attributes["href"] for a in note.css("a.wikilink")]
        page, _, frag = link.partition("#")
        assert page == f"/articles/{other}/" and frag.startswith("ann-shared-")
        there = LexborHTMLParser((root / "output" / "articles" / other / "index.html").read_text())
        assert there.css_first(f'mark[id="{frag}"]') is not None  # lands on the other report's passage


def test_kept_index_relinks_a_note_when_the_other_passage_moves():
    """a links b's passage; an edit of c makes b's passage start one sentence earlier (a sentence
    no longer shared with c), so a's note must link b's new permalink, as a fresh computation does."""
    from dossier.passages import SharedPassages, sentence_keys

    lead = "Officers across the capital handed back their permits over the weekend in protest."
    a, b = art("a", f"Opening. {lead} {SHARED_A} {SHORT}"), art("b", f"{lead} {SHARED_B} {SHORT}", day=2)
    site = site_of(a, b, art("c", f"{lead} Nothing alike here.", outlet="beta", day=3))
    kept = SharedPassages()
    before = kept.update(site, {s: sentence_keys(x.body) for s, x in site.articles.items()})
    assert "[[b#ann-shared-the-decision" in before["a"][-1].note
    edited = site_of(a, b, art("c", "Nothing alike here.", outlet="beta", day=3))
    got = kept.update(edited, {s: sentence_keys(x.body) for s, x in edited.articles.items()})
    assert got == shared_passages(edited)
    assert "[[b#ann-shared-officers-across" in got["a"][0].note


def test_kept_index_holds_a_set_only_for_sentences_two_articles_share():
    """Most sentences are in one article: the index keeps that article's slug, not a set per
    sentence (which was nine tenths of its memory); a sentence no longer shared goes back to a slug,
    and one no article has any more leaves the index."""
    from dossier.passages import SharedPassages, sentence_keys

    own = "Nothing else in the archive reads like this sentence about the harbour cranes at dawn."
    site = site_of(art("a", f"{own} {SHARED_A}"), art("b", f"{SHARED_B} {SHORT}", day=2),
                   art("c", "Opening line of a third report that shares nothing with the others.", day=3))
    kept = SharedPassages()
    kept.update(site, {s: sentence_keys(x.body) for s, x in site.articles.items()})
    [shared] = [k for k, v in kept.where.items() if type(v) is set]
    assert kept.where[shared] == {"a", "b"}
    assert all(type(v) is str for k, v in kept.where.items() if k != shared)
    assert len(kept.where) == len({k for s in "abc" for k in sentence_keys(site.articles[s].body) if k})
    edited = site_of(art("a", f"{own} {SHARED_A}"), art("c", "Opening line of a third report that shares nothing.", day=3))
    got = kept.update(edited, {s: sentence_keys(x.body) for s, x in edited.articles.items()})
    assert got == shared_passages(edited) == {}
    assert kept.where[shared] == "a"
    assert set(kept.where.values()) == {"a", "c"}


def test_first_build_looks_again_only_at_articles_that_share_a_sentence(monkeypatch):
    """Every sentence goes into the index once; only the articles with a sentence another one has
    are read for their passages (on a large archive most share nothing)."""
    import dossier.passages as passages

    looked = []
    real = passages._passages_of

    def counting(site, slug, *rest):
        looked.append(slug)
        return real(site, slug, *rest)

    monkeypatch.setattr(passages, "_passages_of", counting)
    lone = [art(f"lone-{i}", f"Report number {i} of the series says nothing that any other report says at all.",
                day=3 + i) for i in range(20)]
    site = site_of(art("a", f"Opening line of the first report here. {SHARED_A}"), art("b", SHARED_B, day=2), *lone)
    got = passages.SharedPassages().update(site, {s: passages.sentence_keys(x.body) for s, x in site.articles.items()})
    assert sorted(looked) == ["a", "b"]
    assert set(got) == {"a", "b"} and got == shared_passages(site)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(1, 40), st.sampled_from(["a", "b", "c"]), max_size=30),
       st.lists(st.tuples(st.booleans(), st.integers(1, 45), st.sampled_from(["a", "b", "c", "d"])), max_size=60))
def test_the_compact_shared_passage_index_behaves_as_the_dict_it_was_made_from(start, ops):
    """``Where`` (how the build cache gives the sentence index back: arrays and a dict of changes) gives
    what the dict gives under the index's own changes (``_add``, ``_discard``), and reads back equal
    from a pickle, before and after them."""
    import pickle

    from dossier.passages import Where, _add, _discard

    plain = dict(start)
    _add(plain, 7, "a") or _add(plain, 7, "b")  # a shared sentence: a set
    compact = Where.of(plain)
    assert compact == plain and pickle.loads(pickle.dumps(compact)) == plain
    for add, k, slug in ops:
        assert (_add(plain, k, slug) if add else _discard(plain, k, slug)) == \
            (_add(compact, k, slug) if add else _discard(compact, k, slug))
        assert compact.get(k) == plain.get(k) and (k in compact) == (k in plain)
    assert compact == plain and len(compact) == len(plain) and bool(compact) == bool(plain)
    assert sorted(compact.items(), key=repr) == sorted(plain.items(), key=repr)
    assert pickle.loads(pickle.dumps(compact)) == plain
    assert compact.get(-1) is None and compact.get("x") is None


def test_a_cached_build_holds_the_shared_passage_index_compact(tmp_path):
    """The build cache writes the sentence index compact and gives it back so (``Where``): its shared
    passages after an edit equal those of a fresh index."""
    from dossier.cache import Cache
    from dossier.passages import Where, _add
    from dossier.pipeline import Builder, build_site
    from tests.e2e.test_incremental import FILES
    from tests.helpers.files import differences, tree, write_files

    root = write_files(tmp_path / "archive", FILES)
    assert Builder(root, root / "output", workers=1, cache=True).build().ok
    where = Cache(root).load()["_shared"].where
    assert isinstance(where, Where) and where
    article = next((root / "content" / "articles").glob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nA sentence of its own added here today.\n",
                       encoding="utf-8")
    builder = Builder(root, root / "output", workers=1, cache=True)
    assert builder.build().ok
    where = builder.session._shared.where
    assert isinstance(where, Where)
    plain: dict = {}
    for slug, scan in builder.session._scans.items():
        for k in scan[1][1]:
            if k:
                _add(plain, k, slug)
    assert where == plain
    cold = build_site(root, out=tmp_path / "cold", workers=1)
    assert cold.ok and differences(tree(root / "output"), tree(tmp_path / "cold")) == []


SENTENCES = [SHARED_A, BOILER, "Police said the officer would appear in court on Monday morning at ten o'clock.",
             "The family of the victim welcomed the decision and thanked their supporters for patience.",
             "Critics of the decision argued that it had taken far too long to reach a conclusion here.", SHORT]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(range(len(SENTENCES) + 3)), max_size=6), min_size=1, max_size=10))
def test_a_last_update_indexes_only_the_shared_sentences_and_finds_the_same_passages(bodies):
    """``update(..., last=True)`` (a one-off build: no update follows) indexes only the sentences two or more
    articles have; its passages are those of the whole index, article by article, boilerplate and
    repeated sentences included (a sentence index past ``SENTENCES`` is one only that article has)."""
    from dossier.passages import SharedPassages, sentence_keys

    site = site_of(*(art(f"r{i}", " ".join(SENTENCES[j] if j < len(SENTENCES) else
                                            f"Only report {i} says sentence {j} in this whole archive of reports."
                                            for j in body), day=1 + i) for i, body in enumerate(bodies)))
    keys = {s: sentence_keys(a.body) for s, a in site.articles.items()}
    whole, last = SharedPassages(), SharedPassages()
    assert last.update(site, keys, last=True) == whole.update(site, keys) == shared_passages(site)
    assert last.where == {k: arts for k, arts in whole.where.items() if type(arts) is set}


def test_sentence_keys_as_an_array_read_and_pickle_as_the_list():
    """``SentenceKeys``: what a scan keeps, the keys of ``sentence_keys`` in one array; iterated and indexed as
    the list, pickled as its little-endian bytes, and read back by the build cache's unpickler only as such."""
    import pickle
    import struct

    from dossier.cache_pickle import _dumps, _loads
    from dossier.passages import SentenceKeys, sentence_keys

    body = f"{SHARED_A} {SHORT} {BOILER}"
    listed = sentence_keys(body)
    keys = SentenceKeys(listed)
    assert list(keys) == listed and keys[0] == listed[0] and len(keys) == len(listed) and max(listed) >= 2 ** 32
    assert keys != listed  # an array is not a list: a scan's keys are compared by identity, not by value
    for back in (pickle.loads(pickle.dumps(keys)), _loads(_dumps(keys), {})):
        assert type(back) is SentenceKeys and back == keys
    assert SentenceKeys(struct.pack(f"<{len(listed)}Q", *listed)) == keys  # the bytes written, on any machine
    assert SentenceKeys.__reduce_ex__(keys, 5) == (SentenceKeys, (struct.pack(f"<{len(listed)}Q", *listed),))
    assert _loads(_dumps(_Junk()), {}) is None  # the unpickler raises: as a damaged file


class _Junk:
    """Pickled as sentence keys of seven bytes: no whole key."""

    def __reduce__(self):
        from dossier.passages import SentenceKeys

        return SentenceKeys, (b"1234567",)
