"""Annotate from the preview: the page data and the endpoint that writes annotation files.

An article page served by the preview carries, after the reload client, the
annotate script with this session's token and a JSON record of the article's
annotation file (its version, a hash of its bytes; its annotations as the
loader reads them).  ``dossier build`` never sees any of it: it is added to the
response, never written to the output folder.

``POST /_dossier/annotations`` (JSON, see :meth:`Annotator.handle`) adds,
edits or deletes one annotation.  The HTTP handler (``server.py``) has already
checked the client's address (loopback only), ``Host``, ``Origin``, the token and the
body's size; here the article
must exist, the file must be ``content/annotations/<article>.md`` itself (no
link, nothing outside the archive) and unchanged since the page was served, and
the result must read back as a clean annotation before it replaces the file
atomically.
"""
from __future__ import annotations

import hmac
import json
import os
import re
import secrets
import threading
from pathlib import Path
from typing import Any

from ..annotate_write import EditError, Fields, add, annotations, check_block, check_fields, count, delete, edit, \
    version
from ..load import content_files, load_file
from ..model import ANNOTATION_KINDS, Article
from ..quoting import choose_quote, selected_range, visible_text
from ..urls import SLUG_RE
from .guard import is_local_client

ENDPOINT = "/_dossier/annotations"
SCRIPT = "/_dossier/annotate.js"
TOKEN_HEADER = "X-Dossier-Token"
MAX_BODY = 4 * 1024 * 1024   # the page's text comes along with a new annotation
ANNOTATE_JS = Path(__file__).with_name("annotate.js")
_ARTICLE_PAGE = re.compile(r"^/articles/([^/]+)/(?:index\.html)?$")


def _json_in_html(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Annotator:
    """Reads and writes the annotation files of the archive at ``root`` for the preview."""

    def __init__(self, root: Path, token: str | None = None) -> None:
        self.root = Path(os.path.realpath(root))
        self.token = token or secrets.token_urlsafe(32)
        self._lock = threading.Lock()   # one write at a time: check the version, then replace

    def token_ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.token.encode())

    # -- where things are -------------------------------------------------------------------
    def article(self, slug: str) -> Article | None:
        """The article with ``slug`` (its file named so, or any article file that sets it)."""
        if not SLUG_RE.match(slug):
            return None
        guess = self.root / "content" / "articles" / f"{slug}.md"
        if guess.is_file() and not guess.is_symlink():
            found = self._slug_in(guess, slug)
            if found is not None:
                return found
        for kind, path in content_files(self.root):   # an article whose front matter sets another slug
            if kind == "articles" and path != guess:
                found = self._slug_in(path, slug)
                if found is not None:
                    return found
        return None

    def _slug_in(self, path: Path, slug: str) -> Article | None:
        return next((r for r in load_file(self.root, "articles", path).records
                     if isinstance(r, Article) and r.slug == slug), None)

    def file_of(self, slug: str) -> Path:
        """``content/annotations/<slug>.md``, or an EditError when writing it would leave the archive."""
        folder = self.root / "content" / "annotations"
        if folder.is_symlink() and not Path(os.path.realpath(folder)).is_relative_to(self.root):
            raise EditError("content/annotations is a link that leaves the archive; Dossier writes nothing "
                            "outside the archive", 403)
        path = folder / f"{slug}.md"
        if path.is_symlink():
            raise EditError(f"content/annotations/{slug}.md is a symbolic link; edit it in an editor", 403)
        if path.exists() and not path.is_file():
            raise EditError(f"content/annotations/{slug}.md is not a file", 403)
        if not Path(os.path.realpath(path)).is_relative_to(self.root):
            raise EditError("the annotation file would be outside the archive", 403)
        return path

    @staticmethod
    def read(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    # -- the page's data ------------------------------------------------------------------------
    def page_tag(self, url_path: str, client: str) -> bytes:
        """The annotate script and data for an article page (``/articles/<slug>/``) shown on this
        machine (address ``client``), else nothing: the token never leaves the machine."""
        m = _ARTICLE_PAGE.match(url_path) if is_local_client(client) else None
        art = self.article(m.group(1)) if m else None
        if art is None:
            return b""
        try:
            path = self.file_of(art.slug)
        except EditError:
            return b""
        data = self.read(path)
        found, _errors = annotations(data, art.slug)
        record = {
            "article": art.slug, "version": version(data), "file": f"content/annotations/{art.slug}.md",
            "kinds": list(ANNOTATION_KINDS),
            "annotations": [{"anchor": a.anchor, "line": a.line, "kind": a.kind, "note": a.note, "claim": a.claim,
                             "value": a.value, "quote": a.quote} for a in found],
        }
        return (f'<script type="application/json" id="_dossier-annotate-data">{_json_in_html(record)}</script>'
                f'<script src="{SCRIPT}" data-token="{self.token}" data-endpoint="{ENDPOINT}"></script>').encode()

    # -- the endpoint ---------------------------------------------------------------------------
    def post(self, headers: Any, rfile: Any, guard: Any, client: str) -> tuple[int, dict]:
        """(HTTP status, JSON answer) for a POST to the endpoint from address ``client``: who may
        write, then :meth:`handle`.  The body is read only once the request passed every check."""
        if not is_local_client(client):
            return 403, {"ok": False, "error": "annotations are written only for a browser on this machine"}
        host = headers.get("Host")
        if not guard.host_ok(host):
            return 403, {"ok": False, "error": "this preview answers only requests addressed to localhost"}
        if not guard.origin_ok(headers.get("Origin"), host) or \
                headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return 403, {"ok": False, "error": "cross-origin request"}
        if not self.token_ok(headers.get(TOKEN_HEADER)):
            return 403, {"ok": False, "error": f"missing or wrong {TOKEN_HEADER}: reload the page"}
        if (headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            return 415, {"ok": False, "error": "send the request as application/json"}
        length = headers.get("Content-Length") or ""
        if not length.isdigit():
            return 411, {"ok": False, "error": "the request needs a Content-Length"}
        if int(length) > MAX_BODY:
            return 413, {"ok": False, "error": f"the request is larger than {MAX_BODY // 1024 // 1024} MB"}
        return self.handle(rfile.read(int(length)))

    def handle(self, body: bytes) -> tuple[int, dict]:
        """(HTTP status, JSON answer) for one request whose token was accepted."""
        try:
            return 200, self._handle(body)
        except EditError as exc:
            return exc.status, {"ok": False, "error": exc.message}
        except OSError as exc:   # the folder or file cannot be written: nothing was replaced
            return 500, {"ok": False, "error": f"cannot write the annotation file: {exc.strerror or exc}"}

    def _handle(self, body: bytes) -> dict:
        try:
            req = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise EditError("the request body is not JSON") from None
        if not isinstance(req, dict):
            raise EditError("the request body must be a JSON object")
        action, slug = req.get("action"), req.get("article")
        if action not in ("add", "edit", "delete"):
            raise EditError("'action' must be add, edit or delete")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise EditError("'article' must be the slug of an article")
        art = self.article(slug)
        if art is None:
            raise EditError(f"no article has the slug {slug!r}", 404)
        path = self.file_of(slug)
        with self._lock:
            data = self.read(path)
            if req.get("version") != version(data):
                raise EditError(f"{path.relative_to(self.root).as_posix()} changed since this page was served; "
                                "reload the page and try again", 409)
            new, line, quote = self._change(req, action, art, data)
            if line:
                check_block(new, slug, line, count(data) + (action == "add"))
            write_atomic(path, new)
        return {"ok": True, "version": version(new), "file": path.relative_to(self.root).as_posix(),
                "line": line, "quote": quote}

    def _change(self, req: dict, action: str, art: Article, data: bytes | None) -> tuple[bytes, int, str]:
        if action == "delete":
            return delete(data, _int(req, "line")), 0, ""
        fields = check_fields(Fields(_str(req, "kind", "note"), _str(req, "note"), _str(req, "claim"),
                                     _str(req, "value")))
        if action == "edit":
            new, line = edit(data, _int(req, "line"), fields)
            return new, line, ""
        text = visible_text(art.body)
        span = selected_range(text, _str(req, "text"), _int(req, "start"), _int(req, "end"))
        chosen = choose_quote(text, *span) if span else None
        if chosen is None:
            raise EditError("the selection is not a passage of the report's text; select words of the report "
                            "itself (not a note or the title)", 422)
        quote, which = chosen
        new, line = add(data, quote, which, fields)
        return new, line, quote


def _str(req: dict, key: str, default: str = "") -> str:
    value = req.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise EditError(f"'{key}' must be text")
    return value


def _int(req: dict, key: str) -> int:
    value = req.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise EditError(f"'{key}' must be a whole number")
    return value


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once: a temporary file beside it, synced, then renamed over it."""
    folder = path.parent
    folder.mkdir(exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
