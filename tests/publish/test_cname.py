"""A custom domain (``domain:`` in site.yaml) publishes at the root with a CNAME file."""
from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from tests.helpers.crawl import Crawl, page_urls
from tests.helpers.http import serve_directory
from tests.helpers.site import build

ARTICLE = """\
---
title: A
outlet: x
published: 2023-09-25
---
Text mentioning X News.
"""

OUTLET = """\
---
name: X News
type: outlet
description: An outlet.
---
"""


def tiny_archive(root: Path, *, domain: str | None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    lines = ["title: T"]
    if domain:
        lines.append(f"domain: {domain}")
    (root / "site.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "entities" / "outlets").mkdir(parents=True)
    (root / "content" / "articles" / "a.md").write_text(ARTICLE, encoding="utf-8")
    (root / "content" / "entities" / "outlets" / "x.md").write_text(OUTLET, encoding="utf-8")
    return root


def local_urls(html: str) -> list[str]:
    tree = LexborHTMLParser(html)
    urls = [n.attributes.get("href") or "" for n in tree.css("a[href], link[href]")]
    urls += [n.attributes.get("src") or "" for n in tree.css("script[src], img[src]")]
    return [u for u in urls if u and not u.startswith(("#", "mailto:", "tel:", "data:"))]


@pytest.fixture(scope="module")
def custom_domain_site(tmp_path_factory):
    root = tiny_archive(tmp_path_factory.mktemp("cname"), domain="archive.example.org")
    out = root / "output"
    build(root, out)
    return out


def test_cname_written(custom_domain_site):
    assert (custom_domain_site / "CNAME").read_bytes() == b"archive.example.org\n"


def test_nojekyll_written(custom_domain_site):
    assert (custom_domain_site / ".nojekyll").is_file()


def test_pages_exist(custom_domain_site):
    for rel in ("index.html", "404.html", "articles/a/index.html", "entities/x/index.html",
                "sitemap.xml", "feed.xml", "robots.txt"):
        assert (custom_domain_site / rel).is_file(), rel


def test_links_are_root_based(custom_domain_site):
    bad = {}
    for page in ("index.html", "404.html", "articles/a/index.html", "entities/x/index.html"):
        html = (custom_domain_site / page).read_text(encoding="utf-8")
        urls = local_urls(html)
        assert any(u.startswith("/") for u in urls), f"{page}: no root-based links at all"
        wrong = [
            u for u in urls
            if not (u.startswith("/") and not u.startswith("//"))
            and not u.startswith(("https://archive.example.org/", "http://", "https://"))
        ]
        # a sub-path prefix would be a mistake with a custom domain
        wrong += [u for u in urls if u.startswith("/repo/")]
        if wrong:
            bad[page] = wrong
    assert not bad, f"links should be root-based (href=\"/...\") on a custom domain: {bad}"
    article = (custom_domain_site / "articles" / "a" / "index.html").read_text(encoding="utf-8")
    assert 'href="/entities/x/"' in article or "https://archive.example.org/entities/x/" in article


def test_every_link_resolves_at_the_root(custom_domain_site):
    with serve_directory(custom_domain_site, prefix="/") as base:
        crawl = Crawl(base, "https://archive.example.org/")
        crawl.run(crawl.default_starts())
        written = page_urls(custom_domain_site, base)
    assert crawl.clean(), crawl.report()
    assert not written - crawl.ok, sorted(written - crawl.ok)


def test_absolute_urls_use_the_domain(custom_domain_site):
    sitemap = (custom_domain_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://archive.example.org/" in sitemap


def test_no_cname_without_domain(tmp_path):
    root = tiny_archive(tmp_path / "site", domain=None)
    out = root / "output"
    build(root, out)
    assert (out / "index.html").is_file()
    assert not (out / "CNAME").exists()
    assert (out / ".nojekyll").is_file()
