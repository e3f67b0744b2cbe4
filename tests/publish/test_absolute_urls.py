"""Sitemap and feed carry absolute URLs only; without an origin the build warns and writes neither."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dossier.pipeline import Builder, build_site
from tests.helpers.files import write_files

REPO = Path(__file__).resolve().parents[2]
ATOM = {"a": "http://www.w3.org/2005/Atom"}
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

ARCHIVE = {
    "content/entities/outlets/x.md": "---\nname: X News\ntype: outlet\ndescription: An outlet.\n---\n",
    "content/articles/a.md": "---\ntitle: A\noutlet: x\npublished: 2023-09-25\n---\nHello from article A.\n",
}


def archive(tmp_path: Path, site_yaml: str) -> Path:
    return write_files(tmp_path / "archive", {"site.yaml": site_yaml, **ARCHIVE})


def all_urls(out: Path) -> list[str]:
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    feed = ET.parse(out / "feed.xml").getroot()
    urls = [loc.text for loc in sitemap.findall("s:url/s:loc", SITEMAP)]
    urls += [link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")]
    urls += [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}id")]
    return urls


@pytest.mark.parametrize("site_yaml,override,prefix", [
    ("title: T\nbase_url: https://u.github.io/repo/\n", None, "https://u.github.io/repo/"),
    ("title: T\nbase_url: /\n", "https://u.github.io/repo/", "https://u.github.io/repo/"),
    ("title: T\ndomain: archive.example.org\n", None, "https://archive.example.org/"),
], ids=["site-yaml", "base-url-option", "domain"])
def test_sitemap_and_feed_urls_are_absolute(tmp_path, site_yaml, override, prefix):
    out = tmp_path / "out"
    result = build_site(archive(tmp_path, site_yaml), out=out, base_url=override)
    assert result.ok and result.warnings == (), [str(w) for w in result.warnings]
    urls = all_urls(out)
    assert len(urls) >= 5 and all(u.startswith(prefix) for u in urls), urls
    assert f"Sitemap: {prefix}sitemap.xml" in (out / "robots.txt").read_text()
    assert f'href="{urlsplit(prefix).path}feed.xml"' in (out / "index.html").read_text()


@pytest.mark.parametrize("site_yaml,line,what", [
    ("title: T\nbase_url: /\n", 2, "base_url '/' has no origin"),
    ("title: T\nlanguage: en\nbase_url: /repo/\n", 3, "base_url '/repo/' has no origin"),
    ("title: T\n", 1, "no base_url is set"),
])
def test_no_origin_warns_at_base_url_and_writes_no_sitemap_or_feed(tmp_path, site_yaml, line, what):
    out = tmp_path / "out"
    result = build_site(archive(tmp_path, site_yaml), out=out)
    assert result.ok and len(result.warnings) == 1
    text = str(result.warnings[0])
    assert text.startswith(f"site.yaml:{line}: warning: {what}")
    assert "--base-url https://" in text and "absolute base_url" in text
    assert not (out / "sitemap.xml").exists() and not (out / "feed.xml").exists()
    assert "Sitemap:" not in (out / "robots.txt").read_text()
    assert "feed.xml" not in (out / "index.html").read_text()   # no link to a feed that is not there


def test_relative_base_url_option_warns_too(tmp_path):
    result = build_site(archive(tmp_path, "title: T\nbase_url: https://u.github.io/repo/\n"),
                        out=tmp_path / "out", base_url="/preview/")
    assert len(result.warnings) == 1
    assert str(result.warnings[0]).startswith("site.yaml:2: warning: --base-url '/preview/' has no origin")


def test_preview_builds_need_no_origin(tmp_path):
    out = tmp_path / "out"
    result = Builder(archive(tmp_path, "title: T\nbase_url: /\n"), out, preview=True).build()
    assert result.ok and result.warnings == ()


def test_strict_check_fails_without_origin_and_passes_with_one(tmp_path):
    root = archive(tmp_path, "title: T\nbase_url: /\n")

    def check(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--strict", "--root", str(root), *extra],
                              capture_output=True, text=True, timeout=120)

    bad = check()
    assert bad.returncode == 1 and bad.stderr.startswith("site.yaml:2: base_url '/' has no origin")
    good = check("--base-url", "https://u.github.io/repo/")
    assert good.returncode == 0, good.stderr


def test_seed_checks_clean_under_strict():
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--strict", "--root", str(REPO)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
