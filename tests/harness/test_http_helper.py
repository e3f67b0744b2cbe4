"""tests.helpers.http serves like a GitHub Pages project site under /repo/."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.helpers.http import serve_directory


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text("home", encoding="utf-8")
    (tmp_path / "404.html").write_text("not here", encoding="utf-8")
    (tmp_path / "articles" / "a").mkdir(parents=True)
    (tmp_path / "articles" / "a" / "index.html").write_text("article a", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "feed.xml").write_text("<feed/>", encoding="utf-8")
    return tmp_path


def test_serves_under_prefix(site):
    with serve_directory(site, prefix="/repo/") as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/repo/")
        assert fetch(base) == (200, b"home")
        assert fetch(base + "articles/a/") == (200, b"article a")
        assert fetch(base + "feed.xml") == (200, b"<feed/>")
        # a directory without trailing slash redirects (urllib follows it)
        assert fetch(base + "articles/a") == (200, b"article a")
        assert fetch(base[: -len("/")]) == (200, b"home")


def test_outside_prefix_and_missing_are_404_with_404_page(site):
    with serve_directory(site, prefix="/repo/") as base:
        root = base[: -len("repo/")]
        assert fetch(root) == (404, b"not here")
        assert fetch(root + "index.html") == (404, b"not here")
        assert fetch(root + "articles/a/") == (404, b"not here")
        assert fetch(base + "no/such/page/") == (404, b"not here")
        assert fetch(base + "empty/") == (404, b"not here")  # no directory listings
        assert fetch(base + "../index.html")[0] in (200, 404)  # never escapes the directory


def test_root_prefix_and_no_404_page(tmp_path):
    (tmp_path / "index.html").write_text("home", encoding="utf-8")
    with serve_directory(tmp_path) as base:
        assert base.endswith("/") and base.count("/") == 3
        assert fetch(base) == (200, b"home")
        status, _ = fetch(base + "missing")
        assert status == 404
