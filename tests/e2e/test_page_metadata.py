"""Machine-readable pages: schema.org JSON-LD on every page, Open Graph and Twitter card tags, a
canonical link; text like ``</script>`` in a title cannot break out of the JSON-LD script."""
from __future__ import annotations

import json

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from tests.conftest import OUTLET


def jsonld_of(html: str) -> tuple[dict, str]:
    """The page's one JSON-LD object and the script's raw text as written."""
    scripts = HTMLParser(html).css('script[type="application/ld+json"]')
    assert len(scripts) == 1
    start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    raw = html[start:html.index("</script>", start)]
    return json.loads(raw), raw


def test_every_page_carries_json_ld_that_parses(seed_build):
    _result, out = seed_build
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        data, raw = jsonld_of(page.read_text(encoding="utf-8"))
        assert data["@context"] == "https://schema.org" and data["@type"], page
        assert "<" not in raw, page  # so no "</script" and no "<!--" can stand in it


def test_reports_are_news_articles_with_publisher_date_and_original(seed_build):
    _result, out = seed_build
    for page in sorted((out / "articles").glob("*/index.html")):
        html = page.read_text(encoding="utf-8")
        data, _raw = jsonld_of(html)
        assert data["@type"] == "NewsArticle"
        assert data["publisher"]["name"] and data["datePublished"]
        tree = HTMLParser(html)
        canonical = tree.css_first('link[rel="canonical"]').attributes["href"]
        assert data["url"] == canonical == tree.css_first('meta[property="og:url"]').attributes["content"]
        assert tree.css_first('meta[property="og:type"]').attributes["content"] == "article"
        assert tree.css_first('meta[name="twitter:card"]').attributes["content"] == "summary"
        original = tree.css_first("header .meta a[rel~=nofollow]")
        if original is not None:
            assert data["isBasedOn"] == original.attributes["href"]


def test_entities_have_their_schema_type_and_same_as(seed_build):
    _result, out = seed_build
    types = {}
    for page in sorted((out / "entities").glob("*/index.html")):
        data, _raw = jsonld_of(page.read_text(encoding="utf-8"))
        types[data["@type"]] = data
    assert {"Person", "Organization", "Place"} <= set(types)
    assert any(d.get("sameAs") for d in types.values())


def test_a_title_cannot_close_the_script(tmp_site, build):
    evil = "</script><script>alert(1)</script><!-- & </SCRIPT"
    root = tmp_site({
        "content/entities/daily.md": OUTLET,
        "content/articles/a.md": f"---\ntitle: '{evil}'\noutlet: daily\npublished: 2023-09-26\n---\nText.\n",
    })
    result = build(root)
    assert result.ok, result.errors
    html = (root / "output" / "articles" / "a" / "index.html").read_text(encoding="utf-8")
    data, raw = jsonld_of(html)
    assert data["headline"] == evil
    assert "</script" not in raw.lower() and "<!--" not in raw
    assert len(HTMLParser(html).css("script")) == 3  # JSON-LD, dossier.js, search.js: nothing injected
