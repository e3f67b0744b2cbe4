"""Every URL of the site, in one place, honouring the base URL's path.

Output paths are POSIX paths inside the output folder (``articles/x/index.html``);
URLs are what pages link to (``/repo/articles/x/``).
"""
from __future__ import annotations

import re

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Top-level folders the generator writes; a free page may not take these names.
RESERVED = frozenset({"articles", "entities", "outlets", "tags", "assets", "annotations", "claims", "feed.xml",
                      "sitemap.xml", "404.html", "robots.txt", "index.html", "_dossier", "data", "search"})

KIND_DIRS = {"article": "articles", "entity": "entities", "tag": "tags", "claim": "claims"}


_ORIGIN = re.compile(r"^([a-z][a-z0-9+.-]*://[^/?#]*)(.*)$", re.IGNORECASE)


def split_base_url(base: str | None) -> tuple[str, str]:
    """``base_url`` -> (origin, base path); the one parser for config, build and preview.

    ``https://u.github.io/repo`` -> (``https://u.github.io``, ``/repo/``);
    ``/repo/`` or ``repo`` -> ('', ``/repo/``); ``None``, '' or ``/`` -> ('', ``/``).
    The path always starts and ends with ``/``; query and fragment are dropped.
    """
    m = _ORIGIN.match(base or "")
    origin, path = (m.group(1), m.group(2)) if m else ("", base or "")
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    path = "/" + path.strip("/")
    return origin, (path if path == "/" else path + "/")


def base_path_of(base: str | None) -> str:
    return split_base_url(base)[1]


def slugify(text: str, max_words: int = 8) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))
    return "-".join(words[:max_words]) or "x"


def page_dir(kind: str, slug: str) -> str:
    """The site-relative directory (``articles/x/``) of a page; '' for the home page."""
    if kind == "home":
        return ""
    if kind == "page":
        return f"{slug}/"
    if kind in KIND_DIRS:  # slugs are validated: lowercase letters, digits, hyphens
        return f"{KIND_DIRS[kind]}/{slug}/"
    if kind == "index":  # entities/, outlets/, tags/, annotations/
        return f"{slug}/"
    raise ValueError(kind)


def output_path(site_path: str) -> str:
    """``articles/x/`` -> ``articles/x/index.html``; files stay as they are."""
    if site_path == "" or site_path.endswith("/"):
        return site_path + "index.html"
    return site_path


class Urls:
    """Builds URLs for one base URL.  ``path`` arguments are site-relative (no leading slash)."""

    def __init__(self, base_path: str, origin: str = "") -> None:
        assert base_path.startswith("/") and base_path.endswith("/")
        self.base_path = base_path
        self.origin = origin

    def url(self, path: str = "") -> str:
        return self.base_path + path.lstrip("/")

    def absolute(self, path: str = "") -> str:
        return self.origin + self.url(path)

    def of(self, kind: str, slug: str = "") -> str:
        return self.url(page_dir(kind, slug))
