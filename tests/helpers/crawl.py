"""Follow every link of a built site served by tests.helpers.http.

    with serve_directory(out, prefix="/repo/") as base:
        crawl = Crawl(base, public_base="https://user.github.io/repo/")
        crawl.run(crawl.default_starts())
    assert crawl.clean(), crawl.report()

Pages are HTML (a, link, script, img, source, iframe, video, audio, form),
``sitemap.xml`` (every <loc>), Atom ``feed.xml`` (link/icon/logo and links
inside entry HTML) and ``robots.txt`` (Sitemap: lines). Absolute URLs under
``public_base`` map onto the local server; other hosts are left alone; a
local URL outside the served prefix, or a URL on the public host outside
``public_base``, counts as escaped.
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
URL_ATTRS = {
    "a": ("href",), "link": ("href",), "script": ("src",), "img": ("src",),
    "source": ("src",), "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",),
    "form": ("action",),
}
IGNORED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:")


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body); HTTP errors are answers, not exceptions."""
    req = urllib.request.Request(url, headers={"User-Agent": "dossier-tests"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers.get_content_type(), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read()


def html_urls(body: bytes | str) -> list[str]:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    tree = LexborHTMLParser(text)
    found = []
    for tag, attrs in URL_ATTRS.items():
        for node in tree.css(tag):
            for attr in attrs:
                value = node.attributes.get(attr)
                if value is not None:
                    found.append(value.strip())
    for node in tree.css("img[srcset], source[srcset]"):
        for part in (node.attributes.get("srcset") or "").split(","):
            if part.strip():
                found.append(part.strip().split()[0])
    return found


def sitemap_urls(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    return [loc.text.strip() for loc in root.iter(f"{SITEMAP}loc") if loc.text]


def feed_urls(body: bytes) -> tuple[list[str], list[str]]:
    """(link/icon/logo URLs, URLs inside entry content/summary HTML)."""
    root = ET.fromstring(body)
    links = [el.get("href", "").strip() for el in root.iter(f"{ATOM}link")]
    links += [el.text.strip() for tag in ("icon", "logo") for el in root.iter(f"{ATOM}{tag}") if el.text]
    inner = []
    for tag in ("content", "summary"):
        for el in root.iter(f"{ATOM}{tag}"):
            if el.get("type") == "html" and el.text:
                inner += html_urls(el.text)
            elif el.get("type") == "xhtml":
                inner += html_urls(ET.tostring(el))
    return links, inner


def is_relative_path(raw: str) -> bool:
    """``foo/``, ``../x`` - URLs whose meaning depends on the page's own path."""
    return bool(raw) and not raw.startswith(("/", "#", "?")) and "://" not in raw \
        and not raw.lower().startswith(IGNORED_SCHEMES)


@dataclass
class Crawl:
    base: str            # local, e.g. http://127.0.0.1:PORT/repo/
    public_base: str     # published address, e.g. https://user.github.io/repo/
    ok: set = field(default_factory=set)
    broken: list = field(default_factory=list)    # (url, status, referrer)
    escaped: list = field(default_factory=list)   # (raw, resolved, referrer)
    problems: list = field(default_factory=list)  # (url, message)

    @property
    def prefix(self) -> str:
        return urllib.parse.urlsplit(self.base).path

    @property
    def origin(self) -> str:
        parts = urllib.parse.urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"

    def default_starts(self) -> list[str]:
        return [self.base] + [self.base + name for name in ("sitemap.xml", "feed.xml", "robots.txt")]

    def resolve(self, raw: str, page_url: str, referrer: str) -> str | None:
        """The local URL to fetch for a link, or None when it isn't ours to follow."""
        if not raw or raw.startswith("#") or raw.lower().startswith(IGNORED_SCHEMES):
            return None
        url, _ = urllib.parse.urldefrag(urllib.parse.urljoin(page_url, raw))
        if url.startswith(self.public_base):
            url = self.base + url[len(self.public_base):]
        parts = urllib.parse.urlsplit(url)
        if parts.netloc == urllib.parse.urlsplit(self.public_base).netloc:
            self.escaped.append((raw, url, referrer))  # right host, outside the site
            return None
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None  # another site: fine, not followed
        if not (parts.path + "/").startswith(self.prefix):
            self.escaped.append((raw, url, referrer))
            return None
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))

    def _targets(self, url: str, ctype: str, body: bytes) -> list[str]:
        path = urllib.parse.urlsplit(url).path
        if ctype == "text/html":
            return html_urls(body)
        if path.endswith("sitemap.xml"):
            locs = sitemap_urls(body)
            for loc in locs:
                if not loc.startswith(self.public_base):
                    self.problems.append((url, f"<loc> must be an absolute URL under {self.public_base}: {loc}"))
            return locs
        if path.endswith("feed.xml"):
            links, inner = feed_urls(body)
            return links + inner
        if path.endswith("robots.txt"):
            return [line.split(":", 1)[1].strip() for line in body.decode("utf-8", "replace").splitlines()
                    if line.lower().startswith("sitemap:")]
        return []

    def run(self, starts: list[str]) -> "Crawl":
        queue = deque((u, "(start)") for u in starts)
        seen = set(starts)
        while queue:
            url, referrer = queue.popleft()
            status, ctype, body = fetch(url)
            if status != 200:
                self.broken.append((url, status, referrer))
                continue
            self.ok.add(url)
            for raw in self._targets(url, ctype, body):
                nxt = self.resolve(raw, url, url)
                if nxt and nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, url))
        return self

    def clean(self) -> bool:
        return not (self.broken or self.escaped or self.problems)

    def report(self) -> str:
        lines = [f"BROKEN {status} {url}  (linked from {ref})" for url, status, ref in self.broken]
        lines += [f"OUTSIDE {self.prefix}: {raw!r} -> {res}  (on {ref})" for raw, res, ref in self.escaped]
        lines += [f"{url}: {msg}" for url, msg in self.problems]
        return "\n" + "\n".join(lines)


def page_urls(out, base: str) -> set[str]:
    """Local URL of every ``index.html`` the build wrote (pretty URLs)."""
    urls = set()
    for page in out.rglob("index.html"):
        rel = page.parent.relative_to(out).as_posix()
        urls.add(base if rel == "." else f"{base}{rel}/")
    return urls
