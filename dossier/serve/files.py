"""What the preview serves from its output folder: safe URL-to-file mapping and content types."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

# The longest file name most file systems allow; a longer URL segment names nothing.
MAX_SEGMENT = 255

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".jsonld": "application/ld+json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
}


def content_type(path: str | Path) -> str:
    return CONTENT_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


# -- URL path -> file ----------------------------------------------------------------

_BAD_RAW = re.compile(r"%(2f|5c|00)", re.IGNORECASE)


def resolve_path(root: Path, url_path: str) -> Path | None:
    """Map a URL path (already stripped of the base path, starting with '/')
    to a path under ``root``, or None if it is unsafe.

    The raw path is percent-decoded exactly once.  Rejected: encoded slashes and
    backslashes, backslashes, NUL, ``..`` segments, empty segments (``//etc``),
    drive-like segments, and anything whose real path (after symlinks) is not
    inside the real ``root``.  The result may not exist.
    """
    if not url_path.startswith("/") or "\\" in url_path or _BAD_RAW.search(url_path):
        return None
    try:
        decoded = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    segments = decoded[1:].split("/")
    trailing = segments and segments[-1] == ""
    if trailing:
        segments = segments[:-1]
    for seg in segments:
        if seg in ("", ".", "..") or ":" in seg or len(seg.encode("utf-8", "surrogatepass")) > MAX_SEGMENT:
            return None
    root_real = os.path.realpath(root)
    candidate = os.path.join(root_real, *segments) if segments else root_real
    real = os.path.realpath(candidate)
    if real != root_real and not real.startswith(root_real + os.sep):
        return None
    return Path(real)


def inject_client(html: bytes, tag: bytes) -> bytes:
    """Insert ``tag`` before the last ``</body>`` (or append it)."""
    idx = html.lower().rfind(b"</body>")
    if idx < 0:
        return html + tag
    return html[:idx] + tag + html[idx:]
