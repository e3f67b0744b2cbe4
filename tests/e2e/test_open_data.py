"""Open data under data/: W3C Web Annotations that re-anchor in the built pages, tables whose rows
match the pages of their kind, and the same bytes from two builds.

The page text the selectors point into is read here independently of Dossier's own reader
(dossier/pagetext.py): selectolax takes the article's ``div.body``, drops the margin notes
and note numbers, and takes the text.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pyld import jsonld
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dossier.pipeline import build_site
from tests.helpers import REPO_ROOT

CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
CONTEXT = json.loads((REPO_ROOT / "tests" / "fixtures" / "jsonld" / "anno.jsonld").read_text(encoding="utf-8"))
OA = "http://www.w3.org/ns/oa#"
BASE_URL = "https://example.github.io/story-archive/"


def offline_loader(url, options=None):
    if url != CONTEXT_URL:
        raise AssertionError(f"the test is offline: no document but the shipped context may load ({url})")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": CONTEXT}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("data") / "out"
    result = build_site(REPO_ROOT, out=out, base_url=BASE_URL)
    assert result.ok, result.errors
    return out


def page_text(out: Path, url: str) -> str:
    assert url.startswith(BASE_URL), url
    tree = HTMLParser((out / url[len(BASE_URL):] / "index.html").read_text(encoding="utf-8"))
    body = tree.css_first("main div.body")
    for node in body.css("aside.sidenote, sup.note-ref"):
        node.decompose()
    return body.text(deep=True, separator="")


def rows(out: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "data" / name).read_text(encoding="utf-8"), newline="")))


def values(node: dict, key: str) -> list:
    return [v.get("@value", v.get("@id")) for v in node.get(key, [])]


def test_annotations_expand_as_json_ld_and_reanchor_in_the_page_text(site):
    doc = json.loads((site / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == CONTEXT_URL
    expanded = jsonld.expand(doc, {"documentLoader": offline_loader})
    annotations = [n for n in jsonld.flatten(expanded, None, {"documentLoader": offline_loader})
                   if f"{OA}Annotation" in n.get("@type", [])]
    nodes = {n["@id"]: n for n in jsonld.flatten(expanded, None, {"documentLoader": offline_loader})}
    assert annotations and len(annotations) == doc["total"]
    texts = {}
    for ann in annotations:
        assert ann["@id"].startswith(BASE_URL + "articles/") and "#ann-" in ann["@id"]
        assert values(ann, f"{OA}motivatedBy")[0].startswith(OA)
        formats = sorted(values(nodes[b["@id"]], "http://purl.org/dc/elements/1.1/format") for b in ann[f"{OA}hasBody"])
        assert formats == [["text/html"], ["text/markdown"]]
        targets = [nodes[t["@id"]] for t in ann[f"{OA}hasTarget"]]
        page_targets = [t for t in targets if values(t, f"{OA}hasSource")[0] == ann["@id"].split("#")[0]]
        assert len(page_targets) == 1
        url = ann["@id"].split("#")[0]
        text = texts.setdefault(url, page_text(site, url))
        selectors = {nodes[s["@id"]]["@type"][0]: nodes[s["@id"]] for s in page_targets[0][f"{OA}hasSelector"]}
        quote, pos = selectors[f"{OA}TextQuoteSelector"], selectors[f"{OA}TextPositionSelector"]
        start, end = int(values(pos, f"{OA}start")[0]), int(values(pos, f"{OA}end")[0])
        exact = values(quote, f"{OA}exact")[0]
        assert text[start:end] == exact
        prefix = (values(quote, f"{OA}prefix") or [""])[0]
        suffix = (values(quote, f"{OA}suffix") or [""])[0]
        assert text[start - len(prefix):start] == prefix and text[end:end + len(suffix)] == suffix
        assert len(prefix) == min(32, start) and len(suffix) == min(32, len(text) - end)


def test_one_web_annotation_per_anchored_passage(site):
    doc = json.loads((site / "data" / "annotations.jsonld").read_text(encoding="utf-8"))
    anchored = set()
    for page in (site / "articles").glob("*/index.html"):
        url = BASE_URL + page.parent.relative_to(site).as_posix() + "/"
        for mark in HTMLParser(page.read_text(encoding="utf-8")).css("main div.body mark[id]"):
            anchored.add(f"{url}#{mark.attributes['id']}")
    ids = [a["id"] for a in doc["first"]["items"]]
    assert len(ids) == len(set(ids)) == doc["total"]
    assert set(ids) == anchored


def test_every_table_row_is_a_page_of_its_kind(site):
    def pages(kind: str) -> set[str]:
        return {p.parent.name for p in (site / kind).glob("*/index.html")}

    entities, articles = rows(site, "entities.csv"), rows(site, "articles.csv")
    assert {r["slug"] for r in entities} == pages("entities") and len(entities) == len(pages("entities"))
    assert {r["slug"] for r in articles} == pages("articles") and len(articles) == len(pages("articles"))
    assert json.loads((site / "data" / "entities.json").read_text(encoding="utf-8")) and \
        len(json.loads((site / "data" / "articles.json").read_text(encoding="utf-8"))) == len(articles)
    claims = json.loads((site / "data" / "claims.json").read_text(encoding="utf-8"))
    assert sorted(c["claim"] for c in claims) == sorted(pages("claims"))
    for row in entities + articles:
        assert row["url" if "url" in row and row["url"].startswith(BASE_URL) else "page"].startswith(BASE_URL)


def test_mentions_point_at_their_words(site):
    mentions = rows(site, "mentions.csv")
    linked = set()
    texts = {}
    for page in (site / "articles").glob("*/index.html"):
        body = HTMLParser(page.read_text(encoding="utf-8")).css_first("main div.body")
        for note in body.css("aside.sidenote"):
            note.decompose()  # a note's mentions are the editors', not the article's
        linked |= {(page.parent.name, a.attributes["href"].rstrip("/").rsplit("/", 1)[1]) for a in body.css("a.m")}
    # Every entity a report links is among its rows (the seed links only the first mention of each).
    assert linked and linked <= {(m["article"], m["entity"]) for m in mentions}
    assert len(mentions) >= len(linked)
    for m in mentions:
        url = BASE_URL + f"articles/{m['article']}/"
        text = texts.setdefault(url, page_text(site, url))
        assert m["offset"], m
        at = int(m["offset"])
        assert text[at:at + len(m["words"])] == m["words"]
        assert m["link"].startswith(url + "#:~:text=")


def test_exports_are_byte_identical_between_builds(site, tmp_path):
    again = tmp_path / "again"
    assert build_site(REPO_ROOT, out=again, base_url=BASE_URL).ok
    for folder in ("data", "search"):
        first = {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / folder).rglob("*"))
                 if p.is_file()}
        second = {p.relative_to(again).as_posix(): p.read_bytes() for p in sorted((again / folder).rglob("*"))
                  if p.is_file()}
        assert first and first == second, folder


def test_the_data_page_lists_every_file(site):
    tree = HTMLParser((site / "data" / "index.html").read_text(encoding="utf-8"))
    hrefs = {a.attributes["href"] for a in tree.css("main table a")}
    files = {"/story-archive/data/" + p.name for p in (site / "data").iterdir() if p.name != "index.html"}
    assert hrefs == files
    assert "/story-archive/data/" in {a.attributes["href"] for a in
                                      HTMLParser((site / "index.html").read_text(encoding="utf-8")).css("footer a")}
