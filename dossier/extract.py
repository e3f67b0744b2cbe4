"""Turn a saved web page into a report: its metadata and its text as Markdown.

Reading (bytes -> HTML text), page furniture removal and the Markdown writer
live here; the extractor itself is trafilatura (dates: htmldate).  The text is
kept verbatim: only Markdown's own syntax characters are escaped, so the built
page shows exactly the words of the original.
"""
from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass

import htmldate
import lxml.html
import trafilatura
from lxml import etree


class PageError(Exception):
    """A page that cannot be imported; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    body: str  # Markdown paragraphs
    published: str  # YYYY-MM-DD or ''
    byline: str
    url: str  # canonical URL or ''
    sitename: str
    host: str  # web host of the canonical URL, without 'www.'


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|p|div|h1)[\s>/]", re.I)
_SAVED_FROM = re.compile(r"<!--\s*(?:saved from url=\(\d+\)|Page saved with SingleFile\s*url:\s*)(https?://\S+?)\s*-->")


def decode(data: bytes, charset: str = "") -> str:
    """HTML bytes to text: BOM, then the declared charset, then UTF-8, then Windows-1252."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PageError("not an HTML page (a binary file)")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    if not charset:
        m = _META_CHARSET.search(data[:4096])
        charset = m.group(1).decode("ascii") if m else ""
    for codec in (charset, "utf-8"):
        try:
            return data.decode(codec) if codec else data.decode("utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def from_mhtml(data: bytes) -> tuple[bytes, str, str]:
    """The HTML part of a browser's single-file page (``.mhtml``): (bytes, charset, its address)."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() in ("text/html", "application/xhtml+xml"):
            payload = part.get_payload(decode=True) or b""
            return payload, part.get_content_charset() or "", part.get("Content-Location", "") or ""
    raise PageError("not an HTML page (a MIME archive without an HTML part)")


def html_text(data: bytes, charset: str = "") -> tuple[str, str]:
    """(HTML text, the page's own address if the saved file records it) or PageError."""
    where = ""
    head = data[:2048].lstrip()
    if head[:5].lower() == b"from:" or head[:13].lower() == b"mime-version:":
        data, charset, where = from_mhtml(data)
    text = decode(data, charset)
    if not _HTML_TAG.search(text):
        raise PageError("not an HTML page (no HTML tags found; give a saved .html page or a URL)")
    m = _SAVED_FROM.search(text[:8192])
    return text, where or (m.group(1) if m else "")


# Page furniture that the extractor may keep: elements by tag, role or class/id word.
_FURNITURE_TAGS = {"nav", "aside", "footer", "form", "button", "dialog", "noscript"}
_FURNITURE_ROLES = {"navigation", "complementary", "contentinfo", "banner", "dialog", "alertdialog"}
_FURNITURE_WORDS = {
    "cookie", "cookies", "consent", "gdpr", "share", "sharing", "sharebar", "social", "related", "newsletter",
    "signup", "subscribe", "subscription", "comment", "comments", "promo", "advert", "advertisement", "ad",
    "ads", "outbrain", "taboola", "recommended", "recommendations", "player", "paywall", "breadcrumb",
    "breadcrumbs", "popular", "trending", "more", "readmore", "byline", "dateline", "caption",
}
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
# Whole paragraphs that are furniture wherever they stand (matched case-insensitively, whitespace collapsed).
_FURNITURE_TEXT = re.compile(
    r"(?:read more|related(?: articles| stories| content)?|recommended(?: for you)?|articles you may like"
    r"|you may also like|more on .{1,60}|most read|advertisement|leave a (?:reply|comment)"
    r"|share (?:this|on|via)\b.{0,60}|(?:source: )?read (?:the )?full article(?: here)?"
    r"|please use .{0,40}browser for a more accessible video player"
    r"|this video can ?not be played|your browser does not support .{0,40}"
    r"|(?:sign up|subscribe)\b.{0,100}newsletter.{0,60}|receive free .{1,80} updates"
    r"|follow us on .{1,60}|click here to .{1,80}|we use cookies\b.{0,300}"
    r"|you must be logged in to post a comment)[.!:]?", re.I)
# A heading or line after which a page has only furniture: nothing after it is the report.
_END_OF_REPORT = re.compile(
    r"(?:articles you may like|you may also like|related (?:articles|stories|content|posts)|more (?:stories|from .{1,40})"
    r"|most (?:read|popular)|recommended(?: for you)?|leave a (?:reply|comment)|\d* ?comments?|join the conversation"
    r"|post navigation|share this(?: article| story)?)[.!:]?", re.I)


def _is_furniture(el) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _FURNITURE_TAGS or (el.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    words = set(_WORD_SPLIT.split(f"{el.get('class') or ''} {el.get('id') or ''}".lower()))
    return bool(words & _FURNITURE_WORDS)


def strip_furniture(tree) -> None:
    """Remove navigation, banners, share bars, related lists and comments from the page body.

    An element that holds at least half of the page's paragraph text is kept whatever its
    class says (some sites give the article body a class like ``article-related``).  Text
    lengths are summed bottom-up in one pass, so this is linear in the page's size.
    """
    body = tree.find(".//body")
    if body is None:
        return
    size: dict = {}
    for el in reversed(list(body.iter())):  # children before their parents
        size[el] = len(el.text_content()) if el.tag == "p" else sum(size[c] for c in el)
    total = size[body]
    doomed = [el for el in body.iter() if el is not body and _is_furniture(el) and size[el] * 2 < total + 1]
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()


def _one_line(text: str) -> str:
    return " ".join(text.split())


_INLINE = re.compile(r"([\\`*_\[\]<])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:([#>+=|~-])|(\d{1,9})([.)])(?=\s|$))")


def escape_markdown(text: str) -> str:
    """Escape what Markdown would read as syntax, so the text renders exactly as written."""
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def _blocks(main) -> list[str]:
    """Markdown blocks from trafilatura's XML: paragraphs, headings, lists and quotes."""
    out: list[str] = []
    for el in main:
        plain = _one_line("".join(el.itertext()))
        if el.tag in ("head", "p") and _END_OF_REPORT.fullmatch(plain):
            break
        text = escape_markdown(plain)
        if el.tag == "list":
            items = [escape_markdown(_one_line("".join(i.itertext()))) for i in el.iter("item")]
            items = [i for i in items if i and not _FURNITURE_TEXT.fullmatch(i)]
            if items:
                out.append("\n".join(f"- {i}" for i in items))
            continue
        if not text or _FURNITURE_TEXT.fullmatch(plain):
            continue
        if el.tag == "head":
            out.append(f"## {text}")
        elif el.tag == "quote":
            out.append(f"> {text}")
        elif el.tag in ("p", "table"):
            out.append(text)
    while out and out[-1].startswith("## "):  # a heading left with nothing under it
        out.pop()
    return out


def _byline(author: str) -> str:
    names = [a.strip() for a in (author or "").split(";") if a.strip()]
    if len(names) < 2:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + " and " + names[-1]


def _host(url: str) -> str:
    m = re.match(r"^https?://([^/:?#]+)", url or "", re.I)
    host = m.group(1).lower() if m else ""
    return host[4:] if host.startswith("www.") else host


def extract(html: str, url: str = "") -> Report:
    """The report in a page, or PageError when the page has no article text."""
    html = _XML_DECLARATION.sub("", html, count=1)  # lxml refuses a text that still declares its encoding
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"cannot read the HTML ({exc})") from None
    try:
        meta = trafilatura.extract_metadata(tree, default_url=url or None)
        published = htmldate.find_date(tree, extensive_search=False, original_date=True, url=url or None) or ""
        strip_furniture(tree)
        xml = trafilatura.extract(tree, url=url or None, output_format="xml", include_comments=False,
                                  include_tables=False, include_images=False, include_links=False,
                                  include_formatting=False, favor_precision=True, with_metadata=False)
        main = etree.fromstring(xml.encode("utf-8")).find("main") if xml else None
    except Exception as exc:  # noqa: BLE001 - third-party extractors on untrusted pages: one line, never a traceback
        raise PageError(f"cannot extract the page's text ({type(exc).__name__}: {exc})") from None
    body = _blocks(main) if main is not None else []
    if not body:
        raise PageError("no article text found in the page")
    canonical = (meta.url or "") if meta is not None else ""
    canonical = canonical if canonical.startswith(("http://", "https://")) else url
    return Report(title=_one_line(meta.title or "") if meta is not None else "", body="\n\n".join(body) + "\n",
                  published=published, byline=_byline(meta.author if meta is not None else ""),
                  url=canonical, sitename=_one_line(meta.sitename or "") if meta is not None else "",
                  host=_host(canonical))
