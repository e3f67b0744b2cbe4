"""The preview serves the site under the path of site.yaml's base_url, and every asset loads."""
from __future__ import annotations

import io
import re

import pytest
from serve_helpers import TINY_ARCHIVE, http_get, write_files

from dossier.serve import PreviewServer

SUB = {**TINY_ARCHIVE, "site.yaml": "title: T\nbase_url: https://u.github.io/repo/\n"}


@pytest.fixture
def archive(tmp_path):
    return write_files(tmp_path / "archive", SUB)


def origin(srv: PreviewServer) -> str:
    return f"http://127.0.0.1:{srv.port}"


def assets_of(page: str) -> list[str]:
    """Root-relative stylesheets, icons and scripts (the canonical link names the public address)."""
    return re.findall(r'<(?:link|script)[^>]*?(?:href|src)="(/[^"]*)"', page)


def test_base_url_path_in_site_yaml_is_served_with_every_asset(archive):
    out, err = io.StringIO(), io.StringIO()
    with PreviewServer(archive, port=0, stdout=out, stderr=err) as srv:
        assert srv.url == f"{origin(srv)}/repo/"
        root = http_get(origin(srv), "/")
        assert root.status == 302 and root.headers["location"] == "/repo/"
        page = http_get(origin(srv), "/repo/articles/a/")
        assert page.status == 200 and "Hello from article A." in page.text
        assets = assets_of(page.text)
        css = [a for a in assets if a.endswith(".css")]
        assert css and all(a.startswith("/repo/") for a in css), assets
        for href in assets:
            r = http_get(origin(srv), href)
            assert r.status == 200, href
        style = http_get(origin(srv), css[0])
        assert style.headers["content-type"].startswith("text/css") and b"{" in style.body
        links = re.findall(r'<a [^>]*href="(/[^"#]*)"', page.text)
        assert links and all(http_get(origin(srv), h).status == 200 for h in links), links
    # A preview needs no origin: no warning about sitemap or feed.
    assert "sitemap" not in err.getvalue()


def test_cli_base_url_wins_over_site_yaml(archive):
    with PreviewServer(archive, port=0, base_url="/other/", stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        assert srv.url.endswith("/other/")
        assert http_get(origin(srv), "/other/articles/a/").status == 200
        assert http_get(origin(srv), "/repo/articles/a/").status == 404


def test_preview_of_an_archive_without_origin_does_not_warn(tmp_path):
    archive = write_files(tmp_path / "archive", TINY_ARCHIVE)   # no base_url at all
    err = io.StringIO()
    with PreviewServer(archive, port=0, stdout=io.StringIO(), stderr=err) as srv:
        assert srv.builds[0].ok and srv.builds[0].warnings == ()
        assert http_get(origin(srv), "/articles/a/").status == 200
    assert err.getvalue() == ""
