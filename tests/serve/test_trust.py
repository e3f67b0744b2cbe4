"""The preview server's trust boundary and its behaviour under raw HTTP abuse.

Host and Origin checks, methods, hostile request paths, and the number of
threads and file descriptors that idle or reset connections may hold.  Every
wait is a bounded poll on a count.
"""
from __future__ import annotations

import http.client
import os
import socket
import struct
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from dossier.serve.connections import MAX_CONNECTIONS
from dossier.serve.guard import HostGuard, exposure_warning, split_host
from dossier.serve.server import DevServer

from serve_helpers import http_get


@pytest.fixture
def server(tmp_path: Path):
    out = tmp_path / "out"
    (out / "assets").mkdir(parents=True)
    (out / "index.html").write_text("<!doctype html><html><body><h1>Home</h1></body></html>")
    (out / "assets" / "style.css").write_text("body{}")
    srv = DevServer(out, lambda changed: SimpleNamespace(ok=True, errors=()), port=0)
    srv.rebuild(None)
    srv.start()
    yield srv
    srv.stop()


def request(srv: DevServer, path: str = "/", *, method: str = "GET", host: str | None = "default",
            headers: dict[str, str] | None = None, body: bytes | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host == "default":
            host = f"127.0.0.1:{srv.port}"
        if host is not None:
            conn.putheader("Host", host)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


# -- Host ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}",
                                  "[::1]:{port}", "preview.localhost:{port}"])
def test_own_host_names_are_served(server, host):
    status, _, body = request(server, "/", host=host.format(port=server.port))
    assert status == 200 and b"Home" in body


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example:{port}", "127.0.0.1:1", "127.0.0.1:{port}0",
                                  "127.0.0.1:{port}@evil", "", "[::1", None])
def test_foreign_host_is_403(server, host):
    """DNS rebinding: a page served from evil.example, rebound to 127.0.0.1, sends its own name."""
    for path in ("/", "/assets/style.css", "/_dossier/status", "/_dossier/events", "/nothing"):
        status, _, body = request(server, path, host=None if host is None else host.format(port=server.port))
        assert status == 403, (host, path)
        assert b"Home" not in body and b'"build"' not in body


def test_host_guard_for_a_wildcard_bind_accepts_ip_addresses_only():
    guard = HostGuard("0.0.0.0", "0.0.0.0", 8000)
    assert guard.host_ok("192.168.1.5:8000") and guard.host_ok("localhost:8000")
    assert guard.host_ok("[fe80::1]:8000")
    assert not guard.host_ok("evil.example:8000") and not guard.host_ok("192.168.1.5:8001")


def test_host_guard_accepts_the_name_given_and_port_80():
    guard = HostGuard("mybox.lan", "192.168.1.5", 80)
    assert guard.host_ok("mybox.lan") and guard.host_ok("mybox.lan:80") and guard.host_ok("192.168.1.5")
    assert not guard.host_ok("10.0.0.1") and not guard.host_ok("evil.example")


def test_split_host():
    assert split_host("Example.org:8000") == ("example.org", 8000)
    assert split_host("[::1]:80") == ("::1", 80)
    assert split_host("[::1]") == ("::1", None)
    assert split_host("a:b") is None and split_host("[zz]:1") is None and split_host("a:123456") is None


# -- Origin ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_dossier/status", "/_dossier/events", "/_dossier/client.js",
                                  "/_dossier/anything"])
@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1",
                                    "https://127.0.0.1:{port}", "http://localhost:{port}"])
def test_cross_origin_requests_to_own_endpoints_are_403(server, path, origin):
    status, _, body = request(server, path, headers={"Origin": origin.format(port=server.port)})
    assert status == 403 and b'"build"' not in body


def test_same_origin_endpoint_requests_are_served(server):
    own = f"http://127.0.0.1:{server.port}"
    status, _, body = request(server, "/_dossier/status", headers={"Origin": own})
    assert status == 200 and b'"build"' in body
    status, _, body = request(server, "/_dossier/status")   # no Origin: a same-origin GET
    assert status == 200 and b'"build"' in body


def test_pages_do_not_depend_on_origin(server):
    """A cross-origin page may embed the preview's pages; it cannot read them (no CORS headers)."""
    status, headers, _ = request(server, "/", headers={"Origin": "http://evil.example"})
    assert status == 200 and "access-control-allow-origin" not in headers


# -- methods -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO"])
def test_other_methods_are_405_with_allow(server, method):
    for path in ("/", "/_dossier/status", "/missing"):
        status, headers, _ = request(server, path, method=method, body=b"x=1" if method != "TRACE" else None)
        assert status == 405, (method, path)
        assert headers["allow"] == "GET, HEAD"


def test_get_and_head_are_allowed(server):
    assert request(server, "/")[0] == 200
    status, headers, body = request(server, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


# -- hostile paths -------------------------------------------------------------------------------

HOSTILE = ["/" + "a" * 256, "/" + "a" * 5000, "/assets/" + "b" * 300 + "/x.css", "/" + "%C3%A9" * 200,
           "/%zz", "/%", "/%ff%fe", "/%C3", "/a%00b", "/%u0041", "/.%2e/.%2e/x",
           "/" + "a/" * 2000, "*", "http://[bad/"]


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p[:24])
def test_every_request_path_gets_a_status(server, path, capfd):
    status, _, _ = request(server, path)
    assert status in (400, 404), (path[:40], status)
    assert "Traceback" not in capfd.readouterr().err
    assert request(server, "/")[0] == 200   # and the server still answers


@pytest.mark.parametrize("path", ["//", "///index.html", "/?" + "q" * 5000, "/index.html#frag"], ids=lambda p: p[:12])
def test_odd_but_harmless_paths_are_served(server, path):
    assert request(server, path)[0] == 200


def raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("line", [b"GET /a\x00b HTTP/1.1", b"GET /\xff\xfe HTTP/1.1", b"GET /" + "é".encode() * 200 + b" HTTP/1.1", b"GET /" + b"x" * 70000 + b" HTTP/1.1",
                                  b"GET", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"])
def test_raw_request_lines_get_a_status(server, line, capfd):
    reply = raw_exchange(server.port, line + f"\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    assert reply.startswith(b"HTTP/1."), reply[:80]
    assert int(reply.split()[1]) in (400, 404, 414)
    assert "Traceback" not in capfd.readouterr().err


# -- threads and file descriptors ---------------------------------------------------------------


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def poll(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def reset(sockets: list[socket.socket]) -> None:
    for s in sockets:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # close sends RST
        s.close()


def test_300_idle_sockets_do_not_mean_300_threads(server):
    threads0, fds0 = threading.active_count(), open_fds()
    bound = threads0 + MAX_CONNECTIONS + 2
    idle: list[socket.socket] = []
    peak = 0
    try:
        for _ in range(6):
            for _ in range(50):
                idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
            peak = max(peak, threading.active_count())
        # The server accepts them all (evicting the oldest idle ones) and still serves a page.
        assert request(server, "/")[0] == 200
        assert poll(lambda: server.httpd.slots.idle_count() >= MAX_CONNECTIONS // 2, 10)
        peak = max(peak, threading.active_count())
        assert peak <= bound, f"{peak} threads for 300 idle sockets (baseline {threads0})"
    finally:
        reset(idle)
    # Back to the baseline within seconds of the clients resetting.
    assert poll(lambda: threading.active_count() <= threads0 + 1, 10), threading.active_count()
    assert poll(lambda: open_fds() <= fds0 + 2, 10), (open_fds(), fds0)


def test_reset_event_streams_release_their_threads(server):
    threads0, fds0 = threading.active_count(), open_fds()
    streams = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(f"GET /_dossier/events HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        streams.append(s)
    for s in streams:
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
    assert threading.active_count() >= threads0 + 20
    reset(streams)
    assert poll(lambda: threading.active_count() <= threads0 + 1, 10), threading.active_count()
    assert poll(lambda: open_fds() <= fds0 + 2, 10), (open_fds(), fds0)


# -- the warning for a preview others can reach ------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "mybox.lan"])
def test_non_loopback_host_warns(host):
    line = exposure_warning(host, "http://x:8000/")
    assert line is not None and "anyone on your network can read the preview" in line
    assert "\n" not in line


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_host_does_not_warn(host):
    assert exposure_warning(host, "http://x:8000/") is None
