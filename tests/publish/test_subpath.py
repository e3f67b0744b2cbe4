"""A project site lives under a sub-path (https://user.github.io/repo/).

Build the seed archive for that address, serve it under /repo/ the way Pages
does, and follow every link, asset, sitemap and feed entry: nothing may be
broken and nothing may escape the /repo/ prefix.
"""
from __future__ import annotations

from tests.helpers.crawl import Crawl, feed_urls, fetch, html_urls, is_relative_path, page_urls, sitemap_urls
from tests.helpers.http import serve_directory
from tests.helpers.site import PAGES_BASE

PREFIX = "/repo/"


def test_every_link_resolves_under_the_prefix(seed_site_for_pages):
    out = seed_site_for_pages
    with serve_directory(out, prefix=PREFIX) as base:
        crawl = Crawl(base, PAGES_BASE)
        crawl.run(crawl.default_starts())
    assert crawl.clean(), crawl.report()

    written = page_urls(out, base)
    unreached = sorted(written - crawl.ok)
    assert not unreached, "pages no link leads to:\n" + "\n".join(unreached)
    assert len(written) >= 5


def test_sitemap_and_feed_use_the_public_address(seed_site_for_pages):
    locs = sitemap_urls((seed_site_for_pages / "sitemap.xml").read_bytes())
    assert PAGES_BASE in locs
    assert all(loc.startswith(PAGES_BASE) for loc in locs), locs
    links, _ = feed_urls((seed_site_for_pages / "feed.xml").read_bytes())
    assert links and all(link.startswith(PAGES_BASE) for link in links), links


def test_404_page_works_at_any_depth(seed_site_for_pages):
    out = seed_site_for_pages
    expected = (out / "404.html").read_bytes()
    with serve_directory(out, prefix=PREFIX) as base:
        deep = base + "no/such/page/"
        status, _, body = fetch(deep)
        assert status == 404
        assert body == expected, "the server should answer a missing path with output/404.html"

        raws = html_urls(body)
        relative = [r for r in raws if is_relative_path(r)]
        assert not relative, f"404.html is served at every depth; these relative URLs break there: {relative}"

        crawl = Crawl(base, PAGES_BASE)
        targets = list(dict.fromkeys(t for t in (crawl.resolve(r, deep, deep) for r in raws) if t))
        assert base in targets, "404.html should link to the archive's home"
        for url in targets:
            status, _, _ = fetch(url)
            if status != 200:
                crawl.broken.append((url, status, deep))
    assert crawl.clean(), crawl.report()
