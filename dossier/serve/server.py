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

The trust boundary: a request whose ``Host`` is not this server's (see
:mod:`.guard`) gets 403, and so does a request to ``/_dossier/...`` from a
foreign ``Origin``; methods other than GET and HEAD get 405; every request path
gets a status (400 or 404 for what names no file).  Connection threads are
bounded (see :mod:`.connections`), and an event stream whose client went away
ends within ``EVENTS_POLL`` seconds.
"""
from __future__ import annotations

import html
import json
import select
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..urls import base_path_of
from .annotate import ENDPOINT as ANNOTATIONS_PATH, SCRIPT as ANNOTATE_SCRIPT, ANNOTATE_JS, Annotator
from .connections import ConnectionSlots
from .files import content_type, inject_client, resolve_path
from .guard import HostGuard, is_wildcard
from .state import BuildState, BuildStatus, Outcome

__all__ = ["DevServer", "PreviewHTTPServer", "BuildState", "BuildStatus", "Outcome", "resolve_path",
           "inject_client", "normalize_base_path", "content_type"]

CLIENT_JS = Path(__file__).with_name("client.js")
PREFIX = "/_dossier/"
EVENTS_PATH = PREFIX + "events"

# Idle SSE connections get a comment this often (proxies drop silent streams); a
# client that went away is noticed within EVENTS_POLL seconds.
KEEPALIVE = 15.0
EVENTS_POLL = 1.0
ALLOWED_METHODS = "GET, HEAD"


# -- HTTP ------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
    server_version = "dossier-serve"
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"   # even a malformed request line gets a status line
    timeout = 30   # a connection that sends nothing for this long is closed
    disable_nagle_algorithm = True   # headers and body go out at once (no 40 ms delayed-ACK stall)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # the terminal shows builds, not every request

    # connection bookkeeping: a connection waiting for its next request is idle
    def handle_one_request(self) -> None:
        self.server.slots.idle(self.connection)
        try:
            super().handle_one_request()
        finally:
            self.server.slots.busy(self.connection)

    def parse_request(self) -> bool:
        self.server.slots.busy(self.connection)
        return super().parse_request()

    # methods
    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_POST(self) -> None:
        """Only the preview's annotation endpoint takes a POST (see :mod:`.annotate`)."""
        srv = self.server
        if srv.annotator is None or urlsplit(self.path).path != ANNOTATIONS_PATH:
            return self._not_allowed()
        self.close_connection = True   # a refused request's body is never read
        status, answer = srv.annotator.post(self.headers, self.rfile, srv.guard, self.client_address[0])
        self._send(status, (json.dumps(answer) + "\n").encode(), content_type("a.json"), False)

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler looks up do_<METHOD>; every other method gets a 405.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.close_connection = True   # a request body may follow; it is not read
        self._plain(405, "method not allowed: only GET and HEAD\n", False, [("Allow", ALLOWED_METHODS)])

    # routing
    def _dispatch(self, head: bool) -> None:
        host = self.headers.get("Host")
        if not self.server.guard.host_ok(host):
            return self._plain(403, "forbidden: this preview answers only requests addressed to "
                                    f"{self.server.guard_hint()}\n", head)
        try:
            parts = urlsplit(self.path)
        except ValueError:
            return self._plain(400, "bad request: malformed URL\n", head)
        if parts.path.startswith(PREFIX):
            if not HostGuard.origin_ok(self.headers.get("Origin"), host):
                return self._plain(403, "forbidden: cross-origin request\n", head)
            return self._endpoint(parts.path, head)
        try:
            self._get(parts.path, parts.query, head)
        except ConnectionError:
            raise
        except (OSError, ValueError):   # a name the file system refuses names no file
            self._not_found(head)
        except Exception as exc:   # a bug: one line in the terminal, a status for the browser
            print(f"preview server: internal error on {self.path[:200]!r}: {type(exc).__name__}: {exc}",
                  file=sys.stderr, flush=True)
            self._plain(500, "internal error in the preview server\n", head)

    def _endpoint(self, path: str, head: bool) -> None:
        srv = self.server
        if path == PREFIX + "client.js":
            return self._send(200, srv.client_js(), content_type("client.js"), head)
        if path == EVENTS_PATH:
            return self._events(head)
        if path == ANNOTATE_SCRIPT and srv.annotator is not None:
            return self._send(200, ANNOTATE_JS.read_bytes(), content_type("a.js"), head)
        if path == PREFIX + "status":
            body = json.dumps(srv.state.snapshot().message()).encode()
            return self._send(200, body, content_type("status.json"), head)
        return self._not_found(head)

    def _get(self, path: str, query: str, head: bool) -> None:
        srv = self.server
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
        extra = b""
        if srv.annotator is not None and target.suffix == ".html":
            extra = srv.annotator.page_tag(path, self.client_address[0])
        self._send(200, target.read_bytes(), content_type(target), head, build=status, extra=extra)

    # responses
    def _send(self, status: int, body: bytes, ctype: str, head: bool,
              headers: Iterable[tuple[str, str]] = (), *, build: BuildStatus | None = None,
              extra: bytes = b"") -> None:
        if ctype.startswith("text/html"):
            body = inject_client(body, self.server.client_tag(build) + extra)
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

    def _plain(self, status: int, text: str, head: bool, headers: Iterable[tuple[str, str]] = ()) -> None:
        self._send(status, text.encode(), "text/plain; charset=utf-8", head, headers)

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
            self._stream(state)
        except OSError:   # the client went away
            return

    def _stream(self, state: BuildState) -> None:
        status = state.snapshot()
        self._event(status)
        seen, quiet = status.build, 0.0
        while not state.closed and not self.server.stopping.is_set():
            status = state.wait_newer(seen, EVENTS_POLL)
            if status is not None:
                seen, quiet = status.build, 0.0
                self._event(status)
                continue
            if state.closed or self._client_gone():
                return
            quiet += EVENTS_POLL
            if quiet >= KEEPALIVE:
                quiet = 0.0
                self.wfile.write(b": keepalive\n\n")
                self.wfile.flush()

    def _client_gone(self) -> bool:
        """An event-stream client sends nothing after its request: readable means closed or reset."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

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
        self.slots = ConnectionSlots()
        self._client_js: bytes | None = None
        self.annotator: Annotator | None = None   # set by the preview of an archive (writes annotations)
        super().__init__(address, _Handler)
        self.guard = HostGuard(host, str(self.server_address[0]), int(self.server_address[1]))

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a DNS lookup that can
        # take seconds; the name is not needed.
        import socketserver
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def guard_hint(self) -> str:
        return f"localhost:{self.server_port} or 127.0.0.1:{self.server_port}"

    # at most ``slots.limit`` connection threads (see connections.py)
    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(self.stopping.is_set):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release(request)

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
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return  # a browser went away mid-response, or an evicted idle connection
        print(f"preview server: internal error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


def normalize_base_path(base: str | None) -> str:
    """``None``, ``""`` -> ``/``; ``repo`` or ``/repo`` -> ``/repo/``; full URLs keep their path."""
    return base_path_of(base)


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
        """The address to open: on every address (``0.0.0.0``, ``::``) that is this machine's loopback one."""
        host = self.host
        if is_wildcard(host):
            host = "::1" if ":" in host else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}{self.httpd.base_path}"

    def rebuild(self, changed: Any = None) -> tuple[Any, BuildStatus]:
        return self.state.run(self.builder, changed)

    def attempt(self, changed: Any = None) -> Outcome:
        """Run a build without telling clients yet (see :meth:`publish`)."""
        return self.state.attempt(self.builder, changed)

    def publish(self, outcome: Outcome) -> BuildStatus:
        return self.state.publish(outcome)

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
