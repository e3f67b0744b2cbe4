"""dossier/site.py: the one index, and the checks that need the whole archive."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from dossier.config import SiteConfig
from dossier.errors import ErrorList
from dossier.model import Annotation, Article, Entity, Page
from dossier.site import assemble


def outlet(slug="daily", name="Daily Example"):
    return Entity(slug=slug, name=name, type="outlet", source=f"content/entities/outlets/{slug}.md",
                  lines={"name": 2, "type": 3})


def article(slug, outlet="daily", published=dt.date(2023, 9, 25), story="", tags=(), body="Body."):
    return Article(slug=slug, title=slug.title(), outlet=outlet, published=published, body=body, body_line=6,
                   source=f"content/articles/{slug}.md", story=story, tags=tags,
                   lines={"title": 2, "outlet": 3, "published": 4})


def person(slug, name, aliases=(), owns=(), source=None):
    return Entity(slug=slug, name=name, type="person", source=source or f"content/entities/people/{slug}.md",
                  aliases=tuple(aliases), owns=tuple(owns), lines={"name": 2, "type": 3, "aliases": 4, "owns": 5})


def run(records):
    errors = ErrorList()
    return assemble(SiteConfig.for_test(), records, errors), errors


def test_indexes():
    recs = [outlet(), outlet("other", "Other Paper"),
            article("b", published=dt.date(2023, 9, 25), story="s", tags=("army",)),
            article("a", published=dt.date(2023, 9, 24), story="s", tags=("army", "police")),
            article("c", outlet="other", published=dt.date(2023, 9, 25), tags=("police",)),
            person("mark-rowley", "Sir Mark Rowley", ["Rowley"]),
            Page(slug="about", title="About", body="", body_line=1, source="content/pages/about.md"),
            Annotation(article="a", quote="Body", note="n", note_line=3, line=1,
                       source="content/annotations/a.md", id="body")]
    site, errors = run(recs)
    assert not errors.items
    assert list(site.articles) == ["a", "b", "c"]  # oldest first, then slug
    assert site.by_outlet == {"daily": ("a", "b"), "other": ("c",)}
    assert site.by_tag == {"army": ("a", "b"), "police": ("a", "c")}
    assert site.by_story == {"": ("c",), "s": ("a", "b")}
    assert site.alias_table["Rowley"] == "mark-rowley"
    assert site.alias_table["Sir Mark Rowley"] == "mark-rowley"
    assert site.alias_table["Daily Example"] == "daily"
    assert [a.id for a in site.annotations["a"]] == ["body"]
    assert site.target("a")[0] == "article" and site.target("mark-rowley")[0] == "entity"
    assert site.target("about")[0] == "page" and site.target("nope") is None
    assert site.matcher.find("Rowley spoke") == [(0, 6, "mark-rowley")]
    assert [a.slug for a in site.chronological()] == ["a", "b", "c"]


def test_duplicate_slug_names_both_files():
    recs = [outlet(), article("same"), person("same", "Someone")]
    site, errors = run(recs)
    [err] = errors.items
    sources = {"content/articles/same.md", "content/entities/people/same.md"}
    assert err.path in sources
    assert (sources - {err.path}).pop() in err.message
    assert "duplicate slug 'same'" in err.message
    assert "same" in site.articles  # the first one stays


def test_unknown_outlet_points_at_outlet_line():
    site, errors = run([outlet(), article("a", outlet="nowhere")])
    [err] = errors.items
    assert (err.path, err.line) == ("content/articles/a.md", 3)
    assert "unknown outlet 'nowhere'" in err.message
    assert "content/entities/outlets/nowhere.md" in err.message


def test_outlet_must_be_an_outlet():
    _site, errors = run([outlet(), person("rowley", "Rowley"), article("a", outlet="rowley")])
    [err] = errors.items
    assert err.line == 3 and "'rowley' is a person, not an outlet" in err.message


def test_ambiguous_alias_names_both_files():
    recs = [outlet(), person("mark-rowley", "Sir Mark Rowley", ["the Commissioner"]),
            person("cressida-dick", "Dame Cressida Dick", ["the Commissioner"])]
    site, errors = run(recs)
    [err] = errors.items
    assert "'the Commissioner' names two entities" in err.message
    assert "content/entities/people/mark-rowley.md" in err.message
    assert "content/entities/people/cressida-dick.md" in err.message
    assert err.line == 4  # the aliases line of the file the error is filed against
    assert "the Commissioner" not in site.alias_table


def test_owns_resolves_an_ambiguous_alias():
    recs = [outlet(), person("mark-rowley", "Sir Mark Rowley", ["the Commissioner"], owns=["the Commissioner"]),
            person("cressida-dick", "Dame Cressida Dick", ["the Commissioner"])]
    site, errors = run(recs)
    assert not errors.items
    assert site.alias_table["the Commissioner"] == "mark-rowley"


def test_name_clash_between_entities():
    _site, errors = run([outlet(), person("a", "Jo Smith"), person("b", "Jo Smith")])
    [err] = errors.items
    assert err.line == 2 and "'Jo Smith' names two entities" in err.message


def test_annotations_for_unknown_article():
    ann = Annotation(article="ghost", quote="q", note="n", note_line=3, line=1,
                     source="content/annotations/ghost.md", id="q")
    site, errors = run([outlet(), article("a"), ann])
    [err] = errors.items
    assert (err.path, err.line) == ("content/annotations/ghost.md", 1)
    assert "unknown article 'ghost'" in err.message
    assert "ghost" not in site.annotations


def test_pages_ordered_by_order_then_slug():
    pages = [Page(slug=s, title=s, body="", body_line=1, source=f"content/pages/{s}.md", order=o)
             for s, o in [("zeta", None), ("method", 2), ("about", 1), ("alpha", None)]]
    site, _ = run([outlet(), *pages])
    assert list(site.pages) == ["about", "method", "alpha", "zeta"]


# -- reassemble: the Site of a few replaced records, from the last one --------------------------------
def _records():
    return [outlet(), outlet("other", "Other Paper"),
            article("b", published=dt.date(2023, 9, 25), story="s", tags=("army",), body="Rowley spoke."),
            article("a", published=dt.date(2023, 9, 24), story="s", tags=("army", "police")),
            article("c", outlet="other", published=dt.date(2023, 9, 25), tags=("police",)),
            person("mark-rowley", "Sir Mark Rowley", ["Rowley"]),
            Page(slug="about", title="About", body="", body_line=1, source="content/pages/about.md", order=1),
            Annotation(article="a", quote="Body", note="n", note_line=3, line=1,
                       source="content/annotations/a.md", id="body")]


def _fields(site) -> dict:
    return {f: getattr(site, f) for f in ("config", "articles", "entities", "pages", "annotations", "alias_table",
                                          "by_outlet", "by_tag", "by_story", "failed", "claims")}


def _again(records, changed: dict):
    """(reassemble's Site or None, assemble's Site) of ``records`` with ``changed`` (index -> field changes)."""
    from dataclasses import replace

    from dossier.site import reassemble
    last, errors = run(records)
    assert not errors.items
    now = [replace(r, **changed[i]) if i in changed else r for i, r in enumerate(records)]
    return reassemble(last, records, SiteConfig.for_test(), now, frozenset()), run(now)[0], last


def test_reassemble_equals_assemble_after_edits_the_rest_does_not_read():
    records = _records()
    for changed in ({2: {"body": "Rowley spoke again."}}, {3: {"title": "Retitled", "byline": "Someone"}},
                    {5: {"description": "Commissioner."}}, {6: {"title": "About us", "body": "More."}},
                    {2: {"body": "x"}, 5: {"notes": "Notes."}, 6: {"body": "y"}}):
        got, want, last = _again(records, changed)
        assert got is not None, changed
        assert _fields(got) == _fields(want), changed
        assert list(got.articles) == list(want.articles) and list(got.pages) == list(want.pages)
        assert got.matcher is last.matcher  # the alias table's automaton is not made again
        assert got.matcher.find("Rowley spoke") == want.matcher.find("Rowley spoke")
        assert all(got.articles[s] is want.articles[s] or got.articles[s] == want.articles[s] for s in want.articles)


def test_reassemble_declines_what_the_rest_of_the_site_reads():
    records = _records()
    for changed in ({2: {"published": dt.date(2020, 1, 1)}}, {2: {"outlet": "other"}}, {2: {"story": "t"}},
                    {2: {"tags": ("new",)}}, {2: {"slug": "bb"}}, {5: {"aliases": ("Mark",)}},
                    {5: {"type": "organisation"}}, {5: {"owns": ("Rowley",)}}, {6: {"order": 2}},
                    {7: {"note": "another note"}}):
        got, _want, _last = _again(records, changed)
        assert got is None, changed
    last, _ = run(records)
    from dossier.site import reassemble
    assert reassemble(last, records, SiteConfig.for_test(), records[:-1], frozenset()) is None  # a record gone
    assert reassemble(last, records, SiteConfig.for_test(), records, frozenset({"x"})) is None  # a file failed
    assert reassemble(last, records, replace_config(), records, frozenset()) is None


def replace_config():
    from dataclasses import replace
    return replace(SiteConfig.for_test(), title="Another")


def test_the_session_assembles_again_only_after_a_build_without_errors():
    from dataclasses import replace

    from dossier.session import Session
    session = Session(Path("."))
    records = _records()
    dup = records + [article("a", published=dt.date(2023, 9, 1))]  # a duplicate slug: an error
    errors = ErrorList()
    first = session.assemble(SiteConfig.for_test(), dup, errors, frozenset())
    assert errors.items and first is not None
    now = list(dup)
    now[2] = replace(now[2], body="Edited.")
    errors = ErrorList()
    session.assemble(SiteConfig.for_test(), now, errors, frozenset())
    assert any("duplicate slug" in e.message for e in errors.items)  # assembled again: the error is said again
    errors = ErrorList()
    site = session.assemble(SiteConfig.for_test(), records, errors, frozenset())
    assert not errors.items
    now = list(records)
    now[2] = replace(now[2], body="Edited.")
    again = session.assemble(SiteConfig.for_test(), now, ErrorList(), frozenset())
    assert again.matcher is site.matcher and again.articles["b"].body == "Edited."


def test_date_order_is_the_order_of_published_then_slug():
    """``date_order`` (two stable sorts, by slug then by the day's number) gives what sorting the records
    by (published, slug) gives: several reports a day, slugs out of order, a datetime compared as it is."""
    import random

    from dossier.site import date_order

    rng = random.Random(7)
    arts = {}
    for i in range(300):
        slug = f"r{rng.randrange(10**6):06d}-{i}"
        arts[slug] = article(slug, published=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(30)))
    want = [a.slug for a in sorted(arts.values(), key=lambda a: (a.published, a.slug))]
    assert date_order(arts) == want
    assert want != sorted(arts)  # the dates decide first
    timed = {"b": article("b", published=dt.datetime(2020, 1, 1, 10)),
             "a": article("a", published=dt.datetime(2020, 1, 1, 9))}
    assert date_order(timed) == ["a", "b"]  # the time counts: not only the day's number


def test_assembled_articles_chronological_and_the_feed_in_date_order():
    from dossier.emit import feed_xml
    from dossier.urls import Urls

    days = {"c": 3, "a": 3, "b": 1, "d": 2}
    site, errors = run([outlet(), *(article(s, published=dt.date(2021, 5, d)) for s, d in days.items())])
    assert not errors
    assert list(site.articles) == ["b", "d", "a", "c"]
    assert [a.slug for a in site.chronological()] == ["b", "d", "a", "c"]
    feed = feed_xml(site, Urls("/", "https://example.org"), limit=3).data.decode()
    where = [feed.index(f"/{s}/") for s in ("c", "a", "d")]  # newest first, then the later slug
    assert where == sorted(where) and "/b/" not in feed
