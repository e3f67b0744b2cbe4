"""dossier/urls.py: every URL in one place, under any base path."""
from __future__ import annotations

import pytest

from dossier.urls import RESERVED, SLUG_RE, Urls, output_path, page_dir, slugify


@pytest.mark.parametrize("kind,slug,want", [
    ("home", "", ""),
    ("article", "sky-army", "articles/sky-army/"),
    ("entity", "mark-rowley", "entities/mark-rowley/"),
    ("tag", "army", "tags/army/"),
    ("claim", "officer-count", "claims/officer-count/"),
    ("page", "about", "about/"),
    ("index", "entities", "entities/"),
])
def test_page_dir(kind, slug, want):
    assert page_dir(kind, slug) == want


def test_page_dir_unknown_kind():
    with pytest.raises(ValueError):
        page_dir("banana", "x")


@pytest.mark.parametrize("site_path,want", [
    ("", "index.html"), ("articles/x/", "articles/x/index.html"), ("feed.xml", "feed.xml"), ("404.html", "404.html"),
])
def test_output_path(site_path, want):
    assert output_path(site_path) == want


@pytest.mark.parametrize("base,origin,kind,slug,url,absolute", [
    ("/", "", "home", "", "/", "/"),
    ("/", "", "article", "a", "/articles/a/", "/articles/a/"),
    ("/repo/", "https://u.github.io", "entity", "e", "/repo/entities/e/", "https://u.github.io/repo/entities/e/"),
    ("/repo/", "https://u.github.io", "home", "", "/repo/", "https://u.github.io/repo/"),
])
def test_urls(base, origin, kind, slug, url, absolute):
    urls = Urls(base, origin)
    assert urls.of(kind, slug) == url
    assert urls.absolute(page_dir(kind, slug)) == absolute


def test_url_strips_leading_slash():
    urls = Urls("/repo/")
    assert urls.url("/assets/style.css") == "/repo/assets/style.css"
    assert urls.url("feed.xml") == "/repo/feed.xml"


def test_urls_requires_slashes():
    with pytest.raises(AssertionError):
        Urls("repo")


@pytest.mark.parametrize("text,want", [
    ("Around 300 officers have stepped back", "around-300-officers-have-stepped-back"),
    ("The Met’s officers", "the-mets-officers"),
    ("it's", "its"),
    ("one two three four five six seven eight nine", "one-two-three-four-five-six-seven-eight"),
    ("!!!", "x"),
])
def test_slugify(text, want):
    assert slugify(text) == want
    assert SLUG_RE.match(slugify(text))


@pytest.mark.parametrize("slug,ok", [("a", True), ("a-b-1", True), ("A", False), ("a--b", False), ("-a", False),
                                     ("a/b", False), ("..", False), ("a_b", False), ("", False)])
def test_slug_re(slug, ok):
    assert bool(SLUG_RE.match(slug)) is ok


def test_reserved_covers_generated_top_level_names():
    for name in ("articles", "entities", "outlets", "tags", "assets", "annotations", "claims", "feed.xml",
                 "sitemap.xml", "404.html", "robots.txt", "search", "data"):
        assert name in RESERVED
