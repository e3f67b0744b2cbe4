"""The listing pages after a cached build: the build cache keeps what their views are made of as a digest
(``session.Digested``, ``Session.listing_inputs``), so that a cached build whose listings read what the last
one read makes none of their views; any other build makes them, and its output equals a cold build's."""
from __future__ import annotations

import pickle

import pytest

import dossier.index_pages
from dossier.session import Digested, Session
from tests.e2e.test_build_cache import EDITS, _damage, archive  # noqa: F401 - the fixture


@pytest.fixture
def made(monkeypatch) -> list:
    """One item for each time the listing pages' views are made."""
    calls: list = []
    real = dossier.index_pages.listing_views
    monkeypatch.setattr(dossier.index_pages, "listing_views", lambda *a: calls.append(1) or real(*a))
    return calls


@pytest.mark.parametrize("kind", ["nothing", "page"])  # (a free page is no listing's input)
def test_a_cached_build_that_changed_nothing_the_listings_read_makes_none_of_their_views(archive, made,  # noqa: F811
                                                                                           kind):
    archive.cached()  # the first cached build: it read a cache its cold build wrote
    assert made == []
    EDITS[kind](archive)
    archive.cached()
    assert made == []
    archive.expect_cold()


@pytest.mark.parametrize("kind", ["add-article", "delete-article", "annotation", "delete-annotations", "entity",
                                  "article-front-matter", "site.yaml"])
def test_a_cached_build_after_an_edit_the_listings_read_makes_their_views(archive, made, kind):  # noqa: F811
    EDITS[kind](archive)
    archive.cached()
    assert made == [1]
    archive.expect_cold()
    archive.cached()  # the next build may make them again (its index's lists in another order: unequal pickles)
    made.clear()
    archive.cached()  # but the one after, nothing edited, takes them as they are
    assert made == []
    archive.expect_cold()


TEXT_EDITS = {  # what the index reads of a report's text (no head, entity or annotation changes)
    "mention-added": lambda a: a.edit("content/articles/five.md", "names anyone", "names the Home Office"),
    "mention-removed": lambda a: a.edit("content/articles/two.md", "Rowley said", "He said"),
}


@pytest.mark.parametrize("kind", TEXT_EDITS)
def test_a_cached_build_after_a_text_edit_that_changes_the_index_makes_the_listings_views(archive, made,  # noqa: F811
                                                                                         kind):
    """The digest decides: nothing else (the heads, the entities, the annotations) changed."""
    archive.cached()
    made.clear()
    TEXT_EDITS[kind](archive)
    archive.cached()
    assert made == [1]
    archive.expect_cold()


def _forged_digest(kept: dict) -> dict:
    return {**kept, "listings": (Digested(None, "0" * 32), *kept["listings"][1:])}


def _no_such_pages(kept: dict) -> dict:
    return {**kept, "listing pages": (("no/such/page.html",), ())}


@pytest.mark.parametrize("forge", [_forged_digest, _no_such_pages])
def test_kept_listing_inputs_that_are_not_the_listings_make_their_views(archive, made, monkeypatch,  # noqa: F811
                                                                       forge):
    """What ``listings`` takes of the cache is compared, never trusted: a digest that is not the inputs' (as if
    forged, or left by another Dossier), paths that name no page."""
    real = Session.listing_inputs
    monkeypatch.setattr(Session, "listing_inputs", property(lambda self: forge(real.fget(self)), real.fset))
    archive.cached()  # writes what ``forge`` made of it
    monkeypatch.setattr(Session, "listing_inputs", real)
    made.clear()
    archive.cached()
    assert made == [1]
    archive.expect_cold()


@pytest.mark.parametrize("kind", ["truncated", "flipped"])
def test_a_damaged_cache_index_that_holds_the_listing_inputs_makes_their_views(archive, made, kind):  # noqa: F811
    """The listings' inputs are kept in the cache's index (``build.pickle``): damaged, it is not read at all."""
    archive.cached()
    made.clear()
    _damage(kind, archive.cache_file, archive.tmp)
    archive.cached()
    assert made == [1]
    archive.expect_cold()


def test_a_listing_page_deleted_from_the_output_is_made_again(archive, made):  # noqa: F811
    (archive.out / "index.html").unlink()
    archive.cached()
    assert made == [1] and (archive.out / "index.html").is_file()
    archive.expect_cold()


def test_digested_compares_values_or_their_digests():
    shared = "the-same-slug" * 3
    value = {"entity": [shared, shared], "other": (shared,)}
    copies = {"entity": ["".join(["the-same-slug"] * 3) for _ in range(2)], "other": ("".join(["the-same-slug"] * 3),)}
    assert copies["entity"][0] is not copies["entity"][1]
    kept = pickle.loads(pickle.dumps(Digested(value)))
    assert kept.value is None and kept.digest() == Digested(value).digest()
    # The digest is of the values, not of which of them are one object.
    assert Digested(copies).digest() == Digested(value).digest()
    assert kept == Digested(copies) and Digested(copies) == kept
    assert kept != Digested({"entity": [shared], "other": (shared,)})
    assert Digested([1, 2]) == Digested([1, 2]) and Digested([1, 2]) != Digested([2, 1])
    assert Digested([1]) != [1]


def test_digested_of_what_does_not_pickle_equals_nothing_but_its_own_digest():
    cyclic: list = []
    cyclic.append(cyclic)
    one = Digested(cyclic)
    kept = pickle.loads(pickle.dumps(one))
    assert kept == one  # (the same digest, kept)
    again: list = []
    again.append(again)
    assert Digested(None, Digested(again).digest()) != kept
    assert Digested(lambda: None) != Digested(None, Digested(lambda: None).digest())
