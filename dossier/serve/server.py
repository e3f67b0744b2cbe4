"""The preview HTTP server: safe static files, a 404 page, a reload channel.

The server knows two things only: an output directory to serve and a
``builder`` callable (``builder(changed) -> result`` with ``.ok`` and
``.errors``).  :class:`DevServer` runs builds through :class:`BuildState`, which
numbers them, keeps the last status for the reload channel and makes page
requests wait while a build is writing, so a reload never sees a half-written
site.

Routes:

* ``/_dossier/client.js``: the reload/overlay script (never written to disk);
* ``/_dossier/events``: Server-Sent Events, one JSON message per finished build;
* ``/_dossier/status``: the same JSON, once (handy for scripts and tests);
* everything else: a file under the output root, under the base path.
"""
from __future__ import annotations

import html
import json
import os
import re
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CLIENT_JS = Path(__file__).with_name("client.js")
PREFIX = "/_dossier/"
EVENTS_PATH = PREFIX + "events"

# Page requests wait at most this long for a running build to finish.
BUILD_WAIT = 10.0
# Idle SSE connections get a comment this often, so dead clients are noticed.
KEEPALIVE = 15.0

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
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


# -- build state -----------------------------------------------------------------


def _error_text(e: Any) -> str:
    return str(e)


@dataclass
class BuildStatus:
    """What the reload channel says about the latest finished build."""

    build: int = 0           # finished builds so far (good or bad)
    ok: bool = True
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    ms: float = 0.0          # how long the build took
    content: int = 0         # number of the last good build that changed the output
    building: bool = False
    server: str = field(default_factory=lambda: secrets.token_hex(4))

    def message(self) -> dict[str, Any]:
        return {
            "build": self.build, "ok": self.ok, "errors": list(self.errors),
            "warnings": list(self.warnings), "ms": round(self.ms, 1), "content": self.content,
            "building": self.building, "server": self.server,
        }


class BuildState:
    """Build numbers and status behind one condition variable."""

    def __init__(self) -> None:
        self.status = BuildStatus()
        self._cond = threading.Condition()
        self._build_lock = threading.Lock()   # one build at a time
        self.closed = False
        self.last_traceback: str | None = None

    def snapshot(self) -> BuildStatus:
        with self._cond:
            return BuildStatus(**vars(self.status))

    def run(self, builder: Callable[[Any], Any], changed: Any = None) -> tuple[Any, BuildStatus]:
        """Run one build; never raises for builder failures (they become errors)."""
        with self._build_lock:
            with self._cond:
                self.status.building = True
                self._cond.notify_all()
            start = time.perf_counter()
            try:
                result = builder(changed)
                ok = bool(getattr(result, "ok", True))
                errors = tuple(_error_text(e) for e in getattr(result, "errors", ()) or ())
                warnings = tuple(_error_text(e) for e in getattr(result, "warnings", ()) or ())
                # A build that reports what it wrote lets clients skip a reload
                # when nothing changed; a builder that does not say, changed.
                written = getattr(result, "written", None)
                removed = getattr(result, "removed", None)
                changed_output = written is None or bool(written) or bool(removed)
            except Exception as exc:  # a bug in the pipeline must not stop the server
                result = None
                ok = False
                tb = traceback.format_exception(exc)
                errors = (f"internal error: {type(exc).__name__}: {exc}",)
                warnings = ()
                changed_output = False
                self.last_traceback = "".join(tb)
            ms = (time.perf_counter() - start) * 1000
            with self._cond:
                s = self.status
                s.build += 1
                s.ok = ok and not errors
                s.errors = errors
                s.warnings = warnings
                s.ms = ms
                if s.ok and (changed_output or s.content == 0):
                    s.content = s.build
                s.building = False
                self._cond.notify_all()
                return result, BuildStatus(**vars(s))

    def wait_idle(self, timeout: float = BUILD_WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self.status.building or self.closed, timeout)

    def wait_newer(self, build: int, timeout: float) -> BuildStatus | None:
        """Wait until a build newer than ``build`` finished; None on timeout/close."""
        with self._cond:
            if self._cond.wait_for(lambda: self.status.build > build or self.closed, timeout):
                if self.closed:
                    return None
                return BuildStatus(**vars(self.status))
            return None

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


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
        if seg in ("", ".", "..") or ":" in seg:
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


# -- HTTP ------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
    server_version = "dossier-serve"
    protocol_version = "HTTP/1.1"
    timeout = 60   # idle keep-alive connections end eventually
    disable_nagle_algorithm = True   # headers and body go out at once (no 40 ms delayed-ACK stall)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # the terminal shows builds, not every request

    def do_HEAD(self) -> None:
        self._get(head=True)

    def do_GET(self) -> None:
        self._get(head=False)

    # routing
    def _get(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        srv = self.server
        if path.startswith(PREFIX):
            if path == PREFIX + "client.js":
                return self._send(200, srv.client_js(), content_type("client.js"), head)
            if path == EVENTS_PATH:
                return self._events(head)
            if path == PREFIX + "status":
                body = json.dumps(srv.state.snapshot().message()).encode()
                return self._send(200, body, content_type("status.json"), head)
            return self._not_found(head)

        base = srv.base_path
        if base != "/":
            if path in ("/", base.rstrip("/")):
                return self._redirect(base + (f"?{query}" if query else ""), head, 302 if path == "/" else 301)
            if not path.startswith(base):
                return self._not_found(head)
            path = path[len(base) - 1:]

        srv.state.wait_idle()
        # The build number goes into the page before the file is read: if a
        # build finishes in between, the page claims to be older than it is
        # and reloads once more, never the other way round.
        status = srv.state.snapshot()
        target = resolve_path(srv.output_dir, path)
        if target is None:
            return self._not_found(head)
        if target.is_dir():
            if not path.endswith("/"):
                location = urlsplit(self.path).path + "/" + (f"?{query}" if query else "")
                return self._redirect(location, head, 301)
            index = resolve_path(srv.output_dir, path + "index.html")
            if index is None or not index.is_file():
                return self._not_found(head)
            target = index
        elif path.endswith("/") or not target.is_file():
            return self._not_found(head)
        try:
            data = target.read_bytes()
        except OSError:
            return self._not_found(head)
        self._send(200, data, content_type(target), head, build=status)

    # responses
    def _send(self, status: int, body: bytes, ctype: str, head: bool,
              headers: Iterable[tuple[str, str]] = (), *, build: BuildStatus | None = None) -> None:
        if ctype.startswith("text/html"):
            body = inject_client(body, self.server.client_tag(build))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str, head: bool, status: int = 301) -> None:
        body = f'<a href="{html.escape(location)}">moved</a>\n'.encode()
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_found(self, head: bool) -> None:
        page = self.server.output_dir / "404.html"
        status = self.server.state.snapshot()
        try:
            body = page.read_bytes()
        except OSError:
            body = b"<!doctype html><title>Not found</title><h1>Not found</h1>\n<body></body>"
        self._send(404, body, content_type("404.html"), head, build=status)

    def _events(self, head: bool) -> None:
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.send_header("Connection", "close")   # the stream ends when the connection does
        self.end_headers()
        self.close_connection = True
        if head:
            return
        try:
            status = state.snapshot()
            self._event(status)
            seen = status.build
            while not state.closed and not self.server.stopping.is_set():
                status = state.wait_newer(seen, KEEPALIVE)
                if status is None:
                    if state.closed:
                        return
                    self.wfile.write(b": keepalive\n\n")
                    self.wfile.flush()
                    continue
                seen = status.build
                self._event(status)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            return
        finally:
            self.close_connection = True

    def _event(self, status: BuildStatus) -> None:
        data = json.dumps(status.message())
        self.wfile.write(f"retry: 500\nid: {status.build}\ndata: {data}\n\n".encode())
        self.wfile.flush()


class PreviewHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128   # a browser opens many connections at once

    def __init__(self, address: tuple[str, int], output_dir: Path, state: BuildState,
                 base_path: str = "/") -> None:
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.output_dir = Path(output_dir)
        self.state = state
        self.base_path = normalize_base_path(base_path)
        self.stopping = threading.Event()
        self._client_js: bytes | None = None
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup that can
        # take seconds; the name is not needed.
        import socketserver
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def client_js(self) -> bytes:
        if self._client_js is None:
            self._client_js = CLIENT_JS.read_bytes()
        return self._client_js

    def client_tag(self, status: BuildStatus | None = None) -> bytes:
        s = status or self.state.snapshot()
        return (f'<script src="{PREFIX}client.js" data-build="{s.build}" '
                f'data-content="{s.content}" data-server="{s.server}" '
                f'data-events="{EVENTS_PATH}"></script>').encode()

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # a browser went away mid-response
        super().handle_error(request, client_address)


def normalize_base_path(base: str | None) -> str:
    """``None``, ``""`` -> ``/``; ``repo`` or ``/repo`` -> ``/repo/``; full URLs keep their path."""
    if not base:
        return "/"
    path = urlsplit(base).path if "://" in base else base
    path = "/" + path.strip("/")
    return path if path == "/" else path + "/"


# -- the server core -------------------------------------------------------------------


class DevServer:
    """HTTP server + build state around a ``builder`` callable.

    ``builder(changed)`` is called with ``None`` (full build) or a set of
    absolute paths; it must return an object with ``.ok`` and ``.errors``.
    """

    def __init__(self, output_dir: Path, builder: Callable[[Any], Any], *, host: str = "127.0.0.1",
                 port: int = 8000, base_path: str = "/") -> None:
        self.output_dir = Path(output_dir)
        self.builder = builder
        self.state = BuildState()
        # Binding happens here, so a port in use fails before anything is built.
        self.httpd = PreviewHTTPServer((host, port), self.output_dir, self.state, base_path)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.httpd.base_path}"

    def rebuild(self, changed: Any = None) -> tuple[Any, BuildStatus]:
        return self.state.run(self.builder, changed)

    def start(self) -> DevServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="dossier-http", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self.httpd.stopping.set()
        self.state.close()              # wakes SSE handlers so they return
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
