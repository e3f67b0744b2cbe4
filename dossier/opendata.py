"""Open data: the archive's knowledge in standard formats under ``data/``.

- ``annotations.jsonld``: every placed annotation as a W3C Web Annotation, in one
  ``AnnotationCollection``; selectors point into the article's text as the built page shows it
  (:mod:`dossier.pagetext`), so they re-anchor there by construction;
- ``entities.json`` / ``.csv``, ``articles.json`` / ``.csv``, ``mentions.csv``, ``claims.json``.

Everything is sorted and written with fixed separators: two builds give the same bytes.
URLs are absolute when the base URL has an origin, else they start with its path.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import quote

from .giveway import each
from .model import Output

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_LEN = 32  # characters of prefix and suffix in a TextQuoteSelector
MOTIVATIONS = {"note": "commenting", "context": "describing", "correction": "editing",
               "discrepancy": "questioning", "shared": "linking"}
FILES = {  # data file -> what it holds (the Data page says this)
    "annotations.jsonld": "Every annotated passage as a W3C Web Annotation (JSON-LD): the note as Markdown and HTML, "
                          "the kind as its motivation, and selectors into the article's text.",
    "articles.json": "Every report: slug, title, outlet, date, original URL, byline, story, tags, the entities it "
                     "names, and its page.",
    "articles.csv": "The same reports as a table (lists joined with “;”).",
    "entities.json": "Every person, organisation, place, event and outlet: slug, name, type, aliases, description, "
                     "same-as links, number of reports that name it, and its page.",
    "entities.csv": "The same entities as a table (lists joined with “;”).",
    "mentions.csv": "Every mention of an entity in a report: the sentence, the character offset in the article's "
                    "text, and a link to the sentence.",
    "claims.json": "Every compared claim: its title and question, and each outlet's value with its verbatim passage.",
}


@dataclass(frozen=True, slots=True)
class Passage:
    """One placed annotation with the text it anchors in."""

    annotation: object  # model.Annotation
    article: object  # model.Article
    text: str  # the article's text as the page shows it, around the passage (see ``passage``)
    start: int  # where the passage is in ``text``
    end: int
    note_html: str
    at: int = 0  # where ``text`` begins in the article's text


def passage(annotation, article, body: str, start: int, end: int, note_html: str) -> Passage:
    """The passage ``body[start:end]`` with what the data files show around it (``CONTEXT_LEN``
    characters either side), not the whole text: the passages wait together for the exports."""
    return passage_in(annotation, article, (start, end, *window(body, start, end)), note_html)


def window(body: str, start: int, end: int) -> tuple[int, str]:
    """Where what the data files show of the passage ``body[start:end]`` begins in ``body``, and it."""
    at = max(0, start - CONTEXT_LEN)
    return at, body[at:end + CONTEXT_LEN]


def passage_in(annotation, article, where: tuple, note_html: str) -> Passage:
    """:func:`passage`, of ``where``: the passage's (start, end) in the body, and its :func:`window`."""
    start, end, at, text = where
    return Passage(annotation, article, text, start - at, end - at, note_html, at)


_ONE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode  # the C encoder (no indent)


def _json(data) -> bytes:
    """JSON with one record per line: readable, diffable, and written by the C encoder.

    A list is written an item a line; a dict whose last value is a list of records (an
    ``AnnotationCollection``'s ``first.items``) puts each of those on a line of its own too.
    """
    return (_lines(data) + "\n").encode("utf-8")


def _lines(data) -> str:
    if isinstance(data, list):
        return "[\n" + ",\n".join(map(_ONE, data)) + "\n]" if data else "[]"
    if isinstance(data, dict) and data:
        *head, (key, last) = data.items()
        fields = [f"{_ONE(k)}: {_ONE(v)}" for k, v in head]
        if isinstance(last, (dict, list)) and last:
            return "{" + ", ".join(fields + [f"{_ONE(key)}: {_lines(last)}"]) + "}"
    return _ONE(data)


def _csv(header: list[str] | None, rows: list[list]) -> bytes:
    return _csv_text(header, rows).encode("utf-8")


def _csv_field(value) -> str:
    """One field as ``_csv`` writes it (``csv.writer``'s excel dialect: quoted, its quotes doubled, when
    it holds a comma, a quote or a line break; None empty): for the rows made once per report, where
    csv.writer took as long as the rest of the rows' making."""
    text = "" if value is None else str(value)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return '"' + text + '"' if "," in text or "\n" in text or "\r" in text else text  # `in`: quicker than a regex


def _csv_text(header: list[str] | None, rows: list[list]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def annotation(p: Passage, page_url: str, creator: dict, language: str) -> dict:
    ann, art = p.annotation, p.article
    exact = p.text[p.start:p.end]
    quote_sel = {"type": "TextQuoteSelector", "exact": exact,
                 "prefix": p.text[max(0, p.start - CONTEXT_LEN):p.start], "suffix": p.text[p.end:p.end + CONTEXT_LEN]}
    targets = [{"type": "SpecificResource", "source": page_url,
                "selector": [quote_sel, {"type": "TextPositionSelector", "start": p.at + p.start,
                                         "end": p.at + p.end}]}]
    if art.url:
        targets.append({"type": "SpecificResource", "source": art.url, "selector": dict(quote_sel)})
    return {
        "id": f"{page_url}#{ann.anchor}", "type": "Annotation",
        "motivation": MOTIVATIONS.get(ann.kind, "commenting"), "creator": creator,
        "body": [{"type": "TextualBody", "format": "text/markdown", "language": language, "value": ann.note},
                 {"type": "TextualBody", "format": "text/html", "language": language, "value": p.note_html}],
        "target": targets if len(targets) > 1 else targets[0],
    }


def annotations_jsonld(passages: list[Passage], urls, config) -> Output | Streamed:
    creator = {"type": "Organization", "name": config.author or config.title}

    def items() -> Iterator[dict]:
        for p in each(passages):
            yield annotation(p, urls.absolute(f"articles/{p.article.slug}/"), creator, config.language)

    data = {"@context": ANNO_CONTEXT, "id": urls.absolute("data/annotations.jsonld"), "type": "AnnotationCollection",
            "label": f"Annotations of {config.title}", "total": len(passages),
            "first": {"type": "AnnotationPage", "items": [_ITEMS] if passages else []}}
    if not passages:
        return Output("data/annotations.jsonld", _json(data))
    return Streamed("data/annotations.jsonld", functools.partial(_around, _json(data), items))


_ITEMS = "\0items\0"  # where a streamed file's records go (see ``_around``)
_CHUNK = 1 << 16  # characters of records written at once
_ROWS = 1000  # rows of a table written at once


def _around(frame: bytes, items: Callable[[], Iterator]) -> Iterator[bytes]:
    """The pieces of ``frame`` (``_json`` of data whose last list is ``[_ITEMS]``) with the records
    of ``items()`` in that list, as ``_json`` writes them (one a line), made and written a few at a time."""
    head, tail = frame.rsplit(_ONE(_ITEMS).encode("utf-8"), 1)  # the list is the last thing written
    yield head
    sep, chunk, size = b"", [], 0
    for item in items():
        chunk.append(_ONE(item))
        size += len(chunk[-1])
        if size >= _CHUNK:
            yield sep + ",\n".join(chunk).encode("utf-8")
            sep, chunk, size = b",\n", [], 0
    yield (sep if chunk else b"") + ",\n".join(chunk).encode("utf-8") + tail


def entities(site, urls, report_counts: dict) -> list[Output]:
    rows = []
    for e in each(sorted(site.entities.values(), key=lambda e: e.slug)):
        rows.append({"slug": e.slug, "name": e.name, "type": e.type, "aliases": list(e.aliases),
                     "description": e.description, "same_as": list(e.same_as),
                     "reports": report_counts.get(e.slug, 0), "url": urls.absolute(f"entities/{e.slug}/")})
    return [Output("data/entities.json", _json(rows)), Output("data/entities.csv", _table(rows))]


def articles(site, urls, named: dict) -> list[Output | Streamed]:
    """``articles.json`` and ``.csv``, made one report at a time as they are written (a row is a report)."""
    def rows() -> Iterator[dict]:
        for a in each(sorted(site.articles.values(), key=lambda a: a.slug)):
            yield {"slug": a.slug, "title": a.title, "outlet": a.outlet, "published": a.published.isoformat(),
                   "url": a.url, "byline": a.byline, "story": a.story, "tags": list(a.tags),
                   "entities": sorted(named.get(a.slug, ())), "page": urls.absolute(f"articles/{a.slug}/")}

    if not site.articles:
        return [Output("data/articles.json", _json([])), Output("data/articles.csv", _table([]))]
    return [Streamed("data/articles.json", functools.partial(_around, _json([_ITEMS]), rows)),
            Streamed("data/articles.csv", functools.partial(_table_pieces, rows))]


def _table_pieces(rows: Callable[[], Iterator[dict]]) -> Iterator[bytes]:
    """``_table`` of ``rows()`` (at least one), a few rows at a time."""
    chunk: list = []
    header = None
    for row in rows():
        if header is None:
            header = list(row)
            yield _csv(header, [])
        chunk.append([";".join(v) if isinstance(v, list) else v for v in row.values()])
        if len(chunk) >= _ROWS:
            yield _csv(None, chunk)
            chunk = []
    yield _csv(None, chunk)


def _table(rows: list[dict]) -> bytes:
    if not rows:
        return b""
    header = list(rows[0])
    return _csv(header, [[";".join(v) if isinstance(v, list) else v for v in r.values()] for r in rows])


@functools.lru_cache(maxsize=1 << 16)
def _quoted(word: str) -> str:
    return quote(word, safe="")  # everything escaped: a comma or dash would end the directive


def _enc(words: list[str]) -> str:
    return "%20".join(map(_quoted, words))  # words repeat: each is quoted once


def text_fragment(sentence: str) -> str:
    """A URL text fragment (``#:~:text=``) for a sentence; long ones by their first and last words
    (the words joined by one space, quoted: each word quoted apart, joined by ``%20``)."""
    words = sentence.split()
    if len(words) <= 10:
        return ":~:text=" + _enc(words)
    return ":~:text=" + _enc(words[:5]) + "," + _enc(words[-5:])


MENTION_COLUMNS = ["article", "entity", "sentence", "words", "offset", "link"]


def mention_rows(urls, slug: str, mentions: list, text: str) -> str:
    """The CSV rows (no header) of one article's mentions: run where the page is rendered.  The fields
    alike on every row (the article, its page's address) are read for quoting once, not once a row."""
    rows = []
    cursor = 0
    page = urls.absolute(f"articles/{slug}/")
    first = _csv_field(slug) + ","
    plain = _csv_field(page) == page  # then a link needs quoting only where its fragment has a comma
    for m in mentions:
        lead = 1 if m.sentence.startswith("…") else 0  # a long sentence is shortened around the mention
        core = m.sentence[lead:].rstrip("…")
        at = text.find(core, cursor)
        if at < 0:
            at = text.find(core)
        offset = "" if at < 0 else str(at + m.start - lead)
        if at >= 0:
            cursor = at
        link = f"{page}#{text_fragment(core)}"  # a fragment is quoted: no quote, line break, only its own comma
        link = (f'"{link}"' if "," in link else link) if plain else _csv_field(link)
        rows.append(f"{first}{_csv_field(m.entity)},{_csv_field(m.sentence)},"
                    f"{_csv_field(m.sentence[m.start:m.end])},{offset},{link}\r\n")
    return "".join(rows)


@dataclass(frozen=True)
class Streamed:
    """A file made piece by piece as it is written, never held whole: ``pieces()`` gives its bytes in order."""

    path: str
    pieces: Callable[[], Iterator[bytes]]

    @property
    def data(self) -> bytes:
        return b"".join(self.pieces())


def mentions_csv(chunks) -> Streamed:
    """``chunks``: article slug -> :func:`mention_rows` of it (text, or UTF-8 bytes: a mapping that makes
    them as asked holds one article's at a time); the rows come in slug order, one article's at a time."""
    def pieces() -> Iterator[bytes]:
        yield _csv(MENTION_COLUMNS, [])
        for slug in each(sorted(chunks)):
            rows = chunks[slug]
            yield rows if isinstance(rows, bytes) else rows.encode("utf-8")
    return Streamed("data/mentions.csv", pieces)


def claims_json(passages: list[Passage], site, urls) -> Output:
    claims: dict[str, list] = {}
    for p in each(sorted(passages, key=lambda p: (p.annotation.claim, p.article.published, p.article.slug))):
        ann, art = p.annotation, p.article
        if not ann.claim:
            continue
        outlet = site.entities.get(art.outlet)
        claims.setdefault(ann.claim, []).append({
            "outlet": art.outlet, "outlet_name": outlet.name if outlet else art.outlet, "article": art.slug,
            "published": art.published.isoformat(), "value": ann.value, "passage": p.text[p.start:p.end],
            "url": urls.absolute(f"articles/{art.slug}/") + "#" + ann.anchor})
    data = []
    for c, rows in sorted(claims.items()):
        written = getattr(site, "claims", {}).get(c)  # the editors' words (content/claims/<key>.md), if any
        data.append({"claim": c, "title": (written and written.title) or c.replace("-", " ").capitalize(),
                     "question": (written and written.question) or "", "page": urls.absolute(f"claims/{c}/"),
                     "values": rows})
    return Output("data/claims.json", _json(data))


def absolute_links(fragment: str, urls) -> str:
    """Links of a note's HTML made absolute, so the note means the same outside the site."""
    if not urls.origin:
        return fragment
    return re.sub(r'href="(/[^"]*)"', lambda m: f'href="{urls.origin}{m.group(1)}"', fragment)
