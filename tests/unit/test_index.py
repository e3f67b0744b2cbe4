"""dossier/index.py: the cross-archive index, built from what the article pass reported."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from hypothesis import given, settings, strategies as st

from dossier.config import SiteConfig
from dossier.errors import ErrorList
from dossier.index import COVERAGE_LIMIT, Memo, build_index, other_coverage
from dossier.model import Annotation, Article, Entity, Mention
from dossier.site import assemble


def article(slug, day, story="s", outlet="daily"):
    return Article(slug=slug, title=slug, outlet=outlet, published=dt.date(2023, 9, day), body="Body.",
                   body_line=5, source=f"content/articles/{slug}.md", story=story)


def site_of(*articles, entities=(), annotations=()):
    daily = Entity(slug="daily", name="Daily", type="outlet", source="content/entities/outlets/daily.md")
    errors = ErrorList()
    site = assemble(SiteConfig.for_test(), [daily, *entities, *articles, *annotations], errors)
    assert not errors, errors.items
    return site


def test_other_coverage_ranks_by_shared_entities_then_date_then_slug_and_fills_with_newest():
    site = site_of(article("a", 1), article("b", 2), article("c", 3), article("d", 4), article("e", 5),
                   article("f", 6), article("g", 7), article("h", 8), article("x", 9, story="other"))
    sets = {"a": {"p", "q", "r", "daily"}, "b": {"p", "q", "r"}, "c": {"p", "q"}, "d": {"q", "daily"},
            "e": {"p"}, "f": {"z"}, "g": set(), "h": set(), "x": {"p", "q", "r"}}
    got = other_coverage(site, {k: frozenset(v) for k, v in sets.items()})
    # b shares 3, c shares 2, then d and e share 1 each (d is earlier); the outlet counts for nothing;
    # x is of another story; the fifth place goes to the story's newest article sharing nothing.
    assert got["a"] == [("b", 3), ("c", 2), ("d", 1), ("e", 1), ("h", 0)]
    assert len(got["a"]) == COVERAGE_LIMIT
    assert got["x"] == []  # alone in its story
    assert got["f"] == [("h", 0), ("g", 0), ("e", 0), ("d", 0), ("c", 0)]  # newest first


def test_other_coverage_ties_break_on_slug():
    site = site_of(*(article(s, 1) for s in "fedcba"))
    got = other_coverage(site, {s: frozenset({"p"}) for s in "fedcba"})
    assert got["a"] == [("b", 1), ("c", 1), ("d", 1), ("e", 1), ("f", 1)]



def reference_coverage(site, entity_sets):
    """The ranking written the plain way: every candidate's (-shared, date, slug) sorted."""
    out = {}
    for slug, art in site.articles.items():
        lists = sorted(([s for s, a in site.articles.items() if a.story == art.story and e in entity_sets.get(s, ())]
                        for e in sorted(entity_sets.get(slug, ())) if e != art.outlet), key=len)
        shared = {}
        for posting in lists[:8]:
            if len(posting) > 400:
                break
            for s in posting:
                shared[s] = shared.get(s, 0) + 1
        shared.pop(slug, None)
        best = sorted((-n, site.articles[s].published, s) for s, n in shared.items())[:COVERAGE_LIMIT]
        ranked = [(s, -neg) for neg, _date, s in best]
        rest = [s for s in reversed(site.by_story.get(art.story, ())) if s != slug and s not in dict(ranked)]
        out[slug] = (ranked + [(s, 0) for s in rest])[:COVERAGE_LIMIT]
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from("st"), st.frozensets(st.sampled_from("pqrsdaily"))),
                min_size=1, max_size=14))
def test_other_coverage_equals_the_plain_ranking(rows):
    arts = [article(f"a{i:02d}", day, story) for i, (day, story, _ents) in enumerate(rows)]
    site = site_of(*arts)
    sets = {f"a{i:02d}": frozenset("daily" if e in "dily" else e for e in ents) for i, (_d, _s, ents) in enumerate(rows)}
    assert other_coverage(site, sets) == reference_coverage(site, sets)

def result(mentions=(), note_mentions=(), anchored=()):
    return SimpleNamespace(mentions=list(mentions), note_mentions=list(note_mentions), anchored=list(anchored),
                           verbatim={})


def mention(entity, slug):
    return Mention(entity, f"content/articles/{slug}.md", "A sentence.", 0, 1)


def test_build_index_mentions_articles_annotations_together_and_claims():
    ann = {i: Annotation(article=s, quote="Body", note="n", note_line=3, line=1, source=f"content/annotations/{s}.md",
                         id=i, kind=k, claim=c) for i, s, k, c in (("n1", "a", "note", ""),
                                                                   ("d1", "a", "discrepancy", "count"),
                                                                   ("d2", "b", "discrepancy", "count"),
                                                                   ("lost", "b", "note", ""))}
    site = site_of(article("a", 1), article("b", 2), article("c", 3), annotations=ann.values())
    results = {
        "a": result([mention("p", "a"), mention("q", "a"), mention("p", "a")], [("n1", "q"), ("n1", "q")], ["n1", "d1"]),
        "b": result([mention("q", "b"), mention("p", "b"), mention("r", "b")], [("lost", "r")], ["d2"]),
        "c": result([mention("r", "c")]),
    }
    index = build_index(site, results)
    assert [m.source for m in index.mentions["p"]] == ["content/articles/a.md"] * 2 + ["content/articles/b.md"]
    assert index.articles_of == {"p": ["a", "b"], "q": ["a", "b"], "r": ["b", "c"]}
    # Each (entity, annotation) once; a note counts even when its quote was not placed.
    assert index.annotations_of == {"q": [(ann["n1"], site.heads["a"])], "r": [(ann["lost"], site.heads["b"])]}
    assert index.together["p"] == (("q", 2), ("r", 1))
    assert index.together["r"] == (("p", 1), ("q", 1))
    # Placed annotations, newest article first; "lost" was not found in the text.
    assert [a.id for a, _ in index.placed] == ["d2", "n1", "d1"]
    assert list(index.claims) == ["count"]
    assert [a.id for a, _ in index.claims["count"]] == ["d2", "d1"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from("abcdefgh"), st.lists(st.sampled_from("pqrstuvw"), max_size=6),
                                max_size=8), min_size=1, max_size=6))
def test_the_index_memo_gives_what_a_fresh_index_gives_after_any_edits(builds):
    """Co-occurrence kept between builds (the preview's ``index.Memo``) equals co-occurrence counted from
    nothing, whatever articles were added, edited (a new result) or removed in between."""
    memo, last = Memo(), {}
    for named in builds:
        results = {}
        for slug, ents in named.items():
            res = result([mention(e, slug) for e in ents])
            old = last.get(slug)  # an unchanged article keeps its result object, as the preview does
            results[slug] = old if old is not None and old.mentions == res.mentions else res
        fresh = Memo()
        assert memo.together(results) == fresh.together(results)
        assert {e: dict(c) for e, c in memo.counts.items()} == {e: dict(c) for e, c in fresh.counts.items()}
        assert dict(memo.members) == dict(fresh.members)  # nothing left at zero
        last = results


ENTS = st.lists(st.sampled_from("pqrstuvw"), max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(ENTS, min_size=8, max_size=8), st.lists(st.tuples(st.integers(0, 7), ENTS), max_size=8))
def test_the_index_memo_redoes_only_the_edited_articles_part(first, edits):
    """The same articles in the same order, one edited at a time (the preview after a save): the mentions
    and articles of each entity equal what a fresh index gives, and an unedited entity keeps its lists."""
    slugs = "abcdefgh"
    results = {s: result([mention(e, s) for e in ents]) for s, ents in zip(slugs, first)}
    memo = Memo()
    memo.by_entity(results)
    for i, ents in edits:
        results = {**results, slugs[i]: result([mention(e, slugs[i]) for e in ents])}
        before = dict(memo.mentions)
        got = memo.by_entity(results)
        assert got == Memo().by_entity(results)
        named = {m.entity for m in results[slugs[i]].mentions}  # now, or before (a mention from its file):
        assert all(got[0][e] is before[e] for e in got[0] if e in before and e not in named and
                   all(m.source != f"content/articles/{slugs[i]}.md" for m in before[e]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from("pqrstuv"), max_size=6), min_size=1, max_size=12))
def test_together_from_nothing_equals_together_article_by_article(named):
    results = {f"a{i}": result([mention(e, f"a{i}") for e in sorted(ents)]) for i, ents in enumerate(named)}
    afresh = Memo().together(results)
    stepwise = Memo()
    first = dict(list(results.items())[:1])
    stepwise.together(first)  # one article counted: the rest go through the incremental path
    assert stepwise.seen and stepwise.together(results) == afresh
    assert {e: row for e, row in afresh.items() if row} == {
        e: tuple(sorted(((x, n) for x in "pqrstuv" if x != e
                         for n in [sum(1 for s in named if e in s and x in s)] if n), key=lambda kv: (-kv[1], kv[0])))
        for e in "pqrstuv" if any(e in s and len(s) > 1 for s in named)}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from("pqrstuvw"), max_size=7), max_size=12), st.integers(1, 8), st.integers(1, 8))
def test_together_counted_where_a_page_asks_equals_together_counted_at_once(named, crowded, limit):
    """A one-off build's ``Together`` (an entity's row counted when its page asks) gives every entity the
    row ``Memo.together`` gives (crowded articles left out, at most TOGETHER_LIMIT others), () for the rest."""
    from unittest.mock import patch

    from dossier import index as index_mod

    results = {f"a{i}": result([mention(e, f"a{i}") for e in ents]) for i, ents in enumerate(named)}
    site = site_of(*(article(slug, 1 + i % 28) for i, slug in enumerate(results)),
                   entities=[Entity(slug=e, name=e.upper() * 3, type="person", source=f"content/entities/{e}.md")
                             for e in "pqrstuvw"])
    with patch.object(index_mod, "CROWDED", crowded), patch.object(index_mod, "TOGETHER_LIMIT", limit):
        at_once = build_index(site, results).together
        lazy = build_index(site, results, lazy=True).together
        assert isinstance(lazy, index_mod.Together)
        assert {e: lazy.get(e, ()) for e in "pqrstuvwx"} == {e: at_once.get(e, ()) for e in "pqrstuvwx"}
        assert all((e in at_once) == (lazy.get(e, None) is not None) for e in "pqrstuvwx")


@settings(max_examples=60, deadline=None)
@given(st.lists(ENTS, min_size=6, max_size=6), st.lists(st.tuples(st.integers(0, 7), ENTS, ENTS), max_size=6))
def test_the_entities_a_build_may_change_are_those_its_new_results_name(first, edits):
    """``Index.changed``: after the last good build's results, every entity outside it has the mentions,
    co-occurrence and annotations a fresh index gives it the last time; unknown (None) until a build is kept."""
    slugs = "abcdefgh"
    results = {s: result([mention(e, s) for e in ents]) for s, ents in zip(slugs, first)}
    memo = Memo()
    assert memo.changed(results) is None  # a fresh memo knows no last build
    memo.by_entity(results)
    memo.together(results)
    memo.continuous = True  # as ``Session.committed`` says
    for i, ents, notes in edits:  # an edit, a report added (6, 7), or gone (an empty edit of 6 or 7)
        new = dict(results)
        if i >= 6 and not ents:
            new.pop(slugs[i], None)
        else:
            new[slugs[i]] = result([mention(e, slugs[i]) for e in ents], [(f"n{j}", e) for j, e in enumerate(notes)])
        changed = memo.changed(new)
        before, after = Memo(), Memo()
        was = (before.by_entity(results)[0], before.together(results), _notes(results))
        now = (after.by_entity(new)[0], after.together(new), _notes(new))
        for e in set("pqrstuvw") - changed:
            assert [part.get(e) for part in was] == [part.get(e) for part in now]
        memo.by_entity(new)
        memo.together(new)
        results = new


def _notes(results: dict) -> dict:
    found: dict = {}
    for slug, res in results.items():
        for ann_id, ent in res.note_mentions:
            found.setdefault(ent, []).append((slug, ann_id))
    return found


def _parts_site():
    ann = {i: Annotation(article=s, quote="Body", note="n", note_line=3, line=1, source=f"content/annotations/{s}.md",
                         id=i, kind=k, claim=c) for i, s, k, c in (("n1", "a", "note", ""),
                                                                   ("d1", "a", "discrepancy", "count"),
                                                                   ("d2", "b", "discrepancy", "count"))}
    return site_of(article("a", 1), article("b", 2), article("c", 3), annotations=ann.values())


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(("n1", "d1", "d2", "x")), st.sampled_from("pq"),
                          st.booleans()), max_size=6))
def test_the_index_parts_kept_between_builds_are_those_made_from_nothing(edits):
    """``Memo.parts`` after any edits of one result at a time (its placed annotations, note mentions or
    passages, or nothing but a new object as after an edit of the prose) equals a fresh index's."""
    site = _parts_site()
    results = {s: result([mention("p", s)]) for s in "abc"}
    memo = Memo()
    build_index(site, results, memo, "key")
    for slug, ann_id, ent, verbatim in edits:
        old = results[slug]
        new = result(old.mentions, [(ann_id, ent)] if ent == "q" else old.note_mentions,
                     sorted({*old.anchored, ann_id}) if ann_id != "x" else old.anchored)
        new.verbatim = {ann_id: "words"} if verbatim else dict(old.verbatim)
        results = {**results, slug: new}
        got, want = build_index(site, results, memo, "key"), build_index(site, results)
        for part in ("annotations_of", "placed", "claims", "verbatim", "wrote", "headlines"):
            assert getattr(got, part) == getattr(want, part), part


def test_the_index_parts_are_the_last_ones_after_an_edit_of_prose():
    site = _parts_site()
    results = {s: result([mention("p", s)], [("n1", "q")] if s == "a" else (), ["n1", "d1"] if s == "a" else [])
               for s in "abc"}
    memo = Memo()
    first = build_index(site, results, memo, "key")
    a = results["a"]
    again = build_index(site, {**results, "a": result(a.mentions + [mention("q", "a")], a.note_mentions, a.anchored)},
                        memo, "key")
    assert again.placed is first.placed and again.annotations_of is first.annotations_of
    assert build_index(site, results, memo, "another key").placed is not first.placed  # another names key


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text("pqrstuvwxyz", min_size=1, max_size=3), st.integers(1, 4), max_size=40),
       st.integers(1, 10))
def test_most_named_is_the_head_of_every_count_sorted(counts, limit):
    """``most_named`` sorts only the counts at or above the limit's: the same row as sorting them all,
    ties at the limit's count (few distinct counts here) broken by slug."""
    from collections import Counter
    from unittest.mock import patch

    from dossier import index as index_mod

    with patch.object(index_mod, "TOGETHER_LIMIT", limit):
        got = index_mod.most_named(Counter(counts))
    assert got == tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
