"""dossier/site.py: the one index, and the checks that need the whole archive."""
from __future__ import annotations

import datetime as dt

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
