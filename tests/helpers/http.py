"""A small static file server for tests that mimics a GitHub Pages project site.

The output directory is served under a path prefix (``/repo/``) the way Pages
serves ``https://user.github.io/repo/``:

* anything outside the prefix is a 404;
* a directory with ``index.html`` serves it, a directory without one is a 404
  (no listings), ``/repo`` redirects to ``/repo/``;
* a missing path answers 404 with the site's own ``404.html`` as the body, when
  the output has one.

    with serve_directory(out, prefix="/repo/") as base:
        urllib.request.urlopen(base + "articles/x/")
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import urllib.parse
from pathlib import Path
from typing import Iterator


def _normalize_prefix(prefix: str) -> str:
    prefix = "/" + prefix.strip("/")
    return prefix if prefix == "/" else prefix + "/"


class _SubpathHandler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    not_found_page: Path | None = None

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def _url_path(self) -> str:
        return urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)

    def send_head(self):
        path = self._url_path()
        if self.prefix != "/" and path == self.prefix.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(self.prefix):
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        url_path = urllib.parse.urlsplit(path).path
        rest = url_path[len(self.prefix) - 1:] if url_path.startswith(self.prefix) else "/"
        return super().translate_path(rest)

    def list_directory(self, path):
        # Pages never lists directories; neither do we.
        self.send_error(404)
        return None

    def send_error(self, code, message=None, explain=None):
        page = self.not_found_page
        if code != 404 or page is None or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextlib.contextmanager
def serve_directory(root: Path | str, prefix: str = "/", *, not_found: str | None = "404.html") -> Iterator[str]:
    """Serve ``root`` at ``http://127.0.0.1:<free port><prefix>`` in a thread.

    Yields the base URL (ending with ``/``). ``not_found`` names the file under
    ``root`` used as the body of 404 answers (``None`` for a plain error page).
    """
    root = Path(root).resolve()
    prefix = _normalize_prefix(prefix)
    handler = type(
        "Handler",
        (_SubpathHandler,),
        {"prefix": prefix, "not_found_page": (root / not_found) if not_found else None},
    )
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="test-static-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

