"""The seed archive (content/ at the repository root), built once, read as HTML.

Targeted assertions (Zola's ``file_contains!`` idea), not golden files: what
the reader must find on each kind of page, and that every internal link and
asset resolves inside the output.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from dossier.load import content_files, load_file
from dossier.model import Annotation, Article, Entity


@pytest.fixture(scope="module")
def seed(repo_root):
    articles, entities, annotations = {}, {}, []
    for kind, path in content_files(repo_root):
        loaded = load_file(repo_root, kind, path)
        assert not loaded.errors, loaded.errors
        for rec in loaded.records:
            if isinstance(rec, Article):
                articles[rec.slug] = rec
            elif isinstance(rec, Entity):
                entities[rec.slug] = rec
            elif isinstance(rec, Annotation):
                annotations.append(rec)
    return {"articles": articles, "entities": entities, "annotations": annotations}


@pytest.fixture(scope="module")
def out(seed_build) -> Path:
    return seed_build[1]


@pytest.fixture(scope="module")
def html_files(out) -> list[Path]:
    return sorted(out.rglob("*.html"))


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def reader_text(body) -> str:
    """The article text as read: without note numbers and the margin notes between paragraphs."""
    copy = LexborHTMLParser(body.html)
    for node in copy.css("sup.note-ref, aside"):
        node.decompose()
    return words(copy.body.text())


def target_file(out: Path, url_path: str) -> Path:
    rel = unquote(url_path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        return out / rel / "index.html"
    return out / rel


def test_build_is_clean(seed_build):
    result, out = seed_build
    assert result.ok and result.errors == ()
    assert result.warnings == (), [str(w) for w in result.warnings]
    assert result.pages >= 10 and result.out == out.resolve()


def test_home_lists_every_article(seed, seed_html):
    doc = seed_html("")
    hrefs = {a.attributes["href"] for a in doc.css("a[href]")}
    listed = {h for h in hrefs if re.fullmatch(r"/articles/[a-z0-9-]+/", h)}
    assert listed == {f"/articles/{s}/" for s in seed["articles"]}
    assert len(listed) == 4


def test_article_pages(seed, seed_html):
    entities = seed["entities"]
    for slug, art in seed["articles"].items():
        doc = seed_html(f"articles/{slug}/")
        assert words(doc.css_first("h1").text()) == words(art.title)
        outlet = entities[art.outlet]
        outlet_links = [a for a in doc.css("main a") if a.attributes.get("href") == f"/entities/{art.outlet}/"]
        assert any(words(a.text()) == outlet.name for a in outlet_links), f"{slug}: no link to its outlet"
        assert art.published.isoformat() in [t.attributes.get("datetime") for t in doc.css("time")]
        body = doc.css_first("div.body")
        assert body is not None
        visible = words(body.text())
        first_line = next(ln for ln in art.body.splitlines() if ln.strip())
        first_words = words(re.sub(r"[*_\[\]]|\[\^[^\]]+\]", "", first_line)).split()[:10]
        assert " ".join(first_words) in visible, f"{slug}: body text missing"
        mentions = body.css("a.m")
        assert mentions, f"{slug}: no entity links"
        for a in mentions:
            m = re.fullmatch(r"/entities/([a-z0-9-]+)/", a.attributes["href"])
            assert m and m.group(1) in entities, a.attributes["href"]


def test_other_coverage_links_the_other_articles(seed, seed_html):
    slugs = set(seed["articles"])
    for slug in slugs:
        doc = seed_html(f"articles/{slug}/")
        heads = [h for h in doc.css("h2") if words(h.text()) == "Other coverage"]
        assert len(heads) == 1, slug
        section = heads[0].parent
        linked = {a.attributes["href"] for a in section.css("a[href]")
                  if re.fullmatch(r"/articles/[a-z0-9-]+/", a.attributes["href"])}
        assert linked == {f"/articles/{s}/" for s in slugs - {slug}}


def test_entity_pages_group_mentions_with_sentences(seed, seed_html):
    articles, entities = seed["articles"], seed["entities"]
    visible = {s: reader_text(seed_html(f"articles/{s}/").css_first("div.body")) for s in articles}
    checked = 0
    for slug, ent in entities.items():
        doc = seed_html(f"entities/{slug}/")
        assert words(doc.css_first("h1").text()) == ent.name
        for group in doc.css("section.mention-group"):
            link = group.css_first("h3 a")
            m = re.fullmatch(r"/articles/([a-z0-9-]+)/", link.attributes["href"])
            assert m and m.group(1) in articles
            items = group.css("ul.mentions li")
            assert items
            for li in items:
                strong = li.css_first("strong")
                assert strong is not None and strong.text() in ent.names, (slug, li.html)
                for piece in words(li.text()).split("…"):
                    assert piece.strip() in visible[m.group(1)], (slug, piece)
                checked += 1
    assert checked > 20
    # The best-known entity: discovered from the content, not hard-coded.
    top = "mark-rowley" if "mark-rowley" in entities else sorted(entities)[0]
    groups = seed_html(f"entities/{top}/").css("section.mention-group")
    assert len(groups) >= 2
    dates = [g.css_first("time").attributes["datetime"] for g in groups]
    assert dates == sorted(dates)  # grouped by article, oldest first


def test_every_annotation_is_marked_with_its_note(seed, seed_html):
    by_article: dict[str, list[Annotation]] = {}
    for ann in seed["annotations"]:
        by_article.setdefault(ann.article, []).append(ann)
    assert by_article
    for slug in seed["articles"]:
        doc = seed_html(f"articles/{slug}/")
        ids = [m.attributes["id"] for m in doc.css("mark[id]")]
        assert len(ids) == len(set(ids))
        assert all(i.startswith("ann-") for i in ids), ids  # no content id can take a template's id
        for ident in ids:
            aside = doc.css_first(f"aside#note-{ident}")
            assert aside is not None, f"{slug}: mark #{ident} has no note"
            assert doc.css_first(f'sup.note-ref a[href="#note-{ident}"]') is not None
        for ann in by_article.get(slug, ()):
            assert ann.anchor in ids, f"{ann.source}:{ann.line}: annotation #{ann.anchor} not placed"
            mark = doc.css_first(f"mark#{ann.anchor}")
            assert f"k-{ann.kind}" in mark.attributes["class"]


def test_claim_pages(seed, seed_html):
    claims: dict[str, list[Annotation]] = {}
    for ann in seed["annotations"]:
        if ann.claim:
            claims.setdefault(ann.claim, []).append(ann)
    assert claims
    for claim, anns in claims.items():
        doc = seed_html(f"claims/{claim}/")
        hrefs = {a.attributes["href"] for a in doc.css("main a[href]")}
        for ann in anns:
            assert f"/articles/{ann.article}/#{ann.anchor}" in hrefs, (claim, ann.anchor)
            if ann.value:
                assert ann.value in words(doc.body.text())


def test_every_internal_link_resolves(out, html_files):
    checked = 0
    for path in html_files:
        doc = LexborHTMLParser(path.read_text(encoding="utf-8"))
        page_ids = {n.attributes["id"] for n in doc.css("[id]")}
        for node in doc.css("[href], [src]"):
            for attr in ("href", "src"):
                url = node.attributes.get(attr)
                if url is None:
                    continue
                parts = urlsplit(url)
                if parts.scheme or url.startswith("//"):
                    continue
                where = f"{path.relative_to(out)}: {attr}={url!r}"
                if not parts.path:  # same-page fragment
                    assert parts.fragment in page_ids, where
                    continue
                assert parts.path.startswith("/"), where  # every internal URL carries the base path
                assert target_file(out, parts.path).is_file(), where
                checked += 1
    assert checked > 500


def test_fragment_links_to_other_pages_resolve(out, html_files):
    ids_cache: dict[Path, set] = {}
    for path in html_files:
        doc = LexborHTMLParser(path.read_text(encoding="utf-8"))
        for a in doc.css("a[href]"):
            parts = urlsplit(a.attributes["href"])
            if parts.scheme or not parts.path or not parts.fragment:
                continue
            target = target_file(out, parts.path)
            if target not in ids_cache:
                ids_cache[target] = {n.attributes["id"] for n in
                                     LexborHTMLParser(target.read_text(encoding="utf-8")).css("[id]")}
            assert parts.fragment in ids_cache[target], f"{path.relative_to(out)}: {a.attributes['href']}"


def test_feed_and_sitemap_are_xml(seed, out):
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in sitemap.findall("s:url/s:loc", ns)]
    assert f"https://dossier.example.org/articles/{next(iter(seed['articles']))}/" in locs
    for loc in locs:
        assert target_file(out, urlsplit(loc).path).is_file(), loc
    feed = ET.parse(out / "feed.xml").getroot()
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    titles = {e.findtext("a:title", namespaces=atom) for e in feed.findall("a:entry", atom)}
    assert titles == {a.title for a in seed["articles"].values()}


def test_site_files(out):
    assert (out / ".nojekyll").is_file()
    assert "User-agent" in (out / "robots.txt").read_text()
    doc = LexborHTMLParser((out / "404.html").read_text(encoding="utf-8"))
    assert doc.css_first("h1") is not None
    assert (out / "assets").is_dir()


def test_no_script_from_article_text(seed, out, seed_html):
    for slug in seed["articles"]:
        body = seed_html(f"articles/{slug}/").css_first("div.body")
        assert body.css("script, iframe, object, embed, style") == []
        assert not any(k.startswith("on") for n in body.css("*") for k in n.attributes)
    for path in out.rglob("*.html"):
        doc = LexborHTMLParser(path.read_text(encoding="utf-8"))
        for script in doc.css("script"):
            if script.attributes.get("type") == "application/ld+json":
                continue  # data, never run (tests/e2e/test_page_metadata.py: nothing can close it early)
            assert script.attributes.get("src", "").startswith("/assets/"), (path, script.html)


def test_no_machine_paths_in_output(repo_root, out):
    needles = {str(repo_root), str(out), str(Path.home()), "/tmp/", "file://"}
    needles = {n.encode() for n in needles if n not in ("", "/")}
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{path.relative_to(out)} contains {needle!r}"
