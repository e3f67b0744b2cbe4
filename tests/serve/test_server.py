"""The HTTP core with an injected fake builder over a hand-made output directory."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from dossier.serve.server import DevServer, content_type, inject_client, normalize_base_path, resolve_path

from serve_helpers import http_get

SECRET = "TOPSECRET-do-not-serve"

OUTPUT = {
    "index.html": "<!doctype html><html><body><h1>Home</h1></body></html>",
    "404.html": "<!doctype html><html><body><h1>No such page here</h1></body></html>",
    "articles/a/index.html": "<!doctype html><html><body><p>Hello from article A.</p></body></html>",
    "assets/style.css": "body{color:#111}",
    "assets/app.js": "console.log('</body>')",
    "feed.xml": "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'></feed>",
    "sitemap.xml": "<?xml version='1.0'?><urlset></urlset>",
    "assets/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    "search.json": "{}",
    "robots.txt": "User-agent: *",
}
BINARY = {"assets/img.png": b"\x89PNG\r\n\x1a\n", "assets/font.woff2": b"wOF2\x00"}


class FakeBuilder:
    """Returns scripted results; records what it was asked to rebuild."""

    def __init__(self) -> None:
        self.calls: list[object] = []
        self.next_results: list[object] = []
        self.gate: threading.Event | None = None   # when set, the build blocks on it
        self.started = threading.Event()
        self.during = None                          # callable run while "writing"

    def __call__(self, changed):
        self.calls.append(changed)
        self.started.set()
        if self.during:
            self.during()
        if self.gate is not None:
            assert self.gate.wait(10), "test never released the build"
        if self.next_results:
            r = self.next_results.pop(0)
            if isinstance(r, Exception):
                raise r
            return r
        return SimpleNamespace(ok=True, errors=(), written=("x",), removed=())


def result(ok=True, errors=(), written=("x",)):
    return SimpleNamespace(ok=ok, errors=tuple(errors), written=written, removed=())


@pytest.fixture
def site(tmp_path: Path):
    out = tmp_path / "out"
    for rel, text in OUTPUT.items():
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for rel, data in BINARY.items():
        (out / rel).write_bytes(data)
    (tmp_path / "secret").write_text(SECRET)
    (tmp_path / "secretdir").mkdir()
    (tmp_path / "secretdir" / "index.html").write_text(SECRET)
    (out / "assets" / "link").symlink_to(tmp_path / "secret")
    (out / "linkdir").symlink_to(tmp_path / "secretdir", target_is_directory=True)
    (out / "alias.css").symlink_to(out / "assets" / "style.css")   # inside: fine
    return out


@pytest.fixture
def fake():
    return FakeBuilder()


@pytest.fixture
def server(site, fake):
    srv = DevServer(site, fake, port=0)
    srv.rebuild(None)
    srv.start()
    yield srv
    srv.stop()


def base(srv: DevServer) -> str:
    return f"http://{srv.host}:{srv.port}"


# -- safe path mapping --------------------------------------------------------------

TRAVERSALS = [
    "/../secret",
    "/%2e%2e/secret",
    "/%2e%2e%2fsecret",
    "/%2E%2E%2Fsecret",
    "/..%5csecret",
    "/%5c..%5csecret",
    "/..\\secret",
    "//etc/passwd",
    "/assets/%2e%2e/%2e%2e/secret",
    "/assets/../../secret",
    "/%252e%252e/secret",          # double-encoded: decoded once, stays a literal name
    "/articles/a/../../../secret",
    "/%00/secret",
    "/secret%00.html",
    "/C:/Windows/win.ini",
    "/assets/link",                # symlink inside output -> file outside
    "/linkdir/",                   # symlink inside output -> directory outside
    "/linkdir/index.html",
    "/linkdir",
]


@pytest.mark.parametrize("raw", TRAVERSALS)
def test_traversal_is_404_and_never_leaks(server, raw):
    r = http_get(base(server), raw)
    assert r.status == 404, (raw, r.status, r.headers.get("location"))
    assert SECRET not in r.text
    assert "No such page here" in r.text


@pytest.mark.parametrize("raw", ["/etc/passwd", "/proc/self/environ"])
def test_absolute_looking_paths_stay_inside_output(server, raw):
    r = http_get(base(server), raw)
    assert r.status == 404
    assert "root:" not in r.text


def test_symlink_inside_output_to_inside_is_served(server):
    r = http_get(base(server), "/alias.css")
    assert r.status == 200 and r.body == b"body{color:#111}"


def test_resolve_path_unit(tmp_path):
    root = tmp_path / "o"
    (root / "d").mkdir(parents=True)
    real = Path(str(root)).resolve()
    assert resolve_path(root, "/") == real
    assert resolve_path(root, "/d/") == real / "d"
    assert resolve_path(root, "/caf%C3%A9.html") == real / "café.html"
    for bad in ["", "x", "/../x", "/a/%2e%2e/%2e%2e/x", "/a%2fb", "/a%5cb", "/a\\b", "/a//b", "/%ff"]:
        assert resolve_path(root, bad) is None, bad


# -- responses ------------------------------------------------------------------------

CONTENT_TYPES = [
    ("/", "text/html; charset=utf-8"),
    ("/articles/a/", "text/html; charset=utf-8"),
    ("/articles/a/index.html", "text/html; charset=utf-8"),
    ("/assets/style.css", "text/css; charset=utf-8"),
    ("/assets/app.js", "text/javascript; charset=utf-8"),
    ("/feed.xml", "application/xml; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/assets/logo.svg", "image/svg+xml; charset=utf-8"),
    ("/search.json", "application/json; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/assets/img.png", "image/png"),
    ("/assets/font.woff2", "font/woff2"),
    ("/_dossier/client.js", "text/javascript; charset=utf-8"),
]


@pytest.mark.parametrize("path,ctype", CONTENT_TYPES)
def test_content_types_and_no_store(server, path, ctype):
    r = http_get(base(server), path)
    assert r.status == 200
    assert r.headers["content-type"] == ctype
    assert r.headers["cache-control"] == "no-store"
    assert int(r.headers["content-length"]) == len(r.body)


def test_404_page_status_and_body(server):
    r = http_get(base(server), "/articles/nope/")
    assert r.status == 404
    assert "No such page here" in r.text
    assert "/_dossier/client.js" in r.text          # the 404 page reloads too
    h = http_get(base(server), "/articles/nope/", method="HEAD")
    assert h.status == 404 and h.body == b""


def test_404_without_site_404_page(server, site):
    (site / "404.html").unlink()
    r = http_get(base(server), "/missing")
    assert r.status == 404 and "Not found" in r.text


def test_directory_without_slash_redirects(server):
    r = http_get(base(server), "/articles/a?x=1")
    assert r.status == 301
    assert r.headers["location"] == "/articles/a/?x=1"
    r = http_get(base(server), "/articles/a/?x=1")
    assert r.status == 200 and "Hello from article A." in r.text


def test_file_with_trailing_slash_is_404(server):
    assert http_get(base(server), "/robots.txt/").status == 404


def test_directory_without_index_is_404(server):
    assert http_get(base(server), "/assets/").status == 404


def test_script_injected_into_html_only(server, site):
    page = http_get(base(server), "/articles/a/")
    assert page.text.count("/_dossier/client.js") == 1
    assert page.text.index("/_dossier/client.js") < page.text.rindex("</body>")
    assert 'data-build="1"' in page.text
    for path in ["/assets/style.css", "/assets/app.js", "/feed.xml", "/sitemap.xml", "/assets/logo.svg",
                 "/search.json", "/robots.txt"]:
        r = http_get(base(server), path)
        assert b"_dossier" not in r.body, path
        assert r.body == (site / path.lstrip("/")).read_bytes()
    # never on disk
    assert "_dossier" not in (site / "articles/a/index.html").read_text()


def test_inject_client_without_body_tag():
    assert inject_client(b"<p>x", b"<s>") == b"<p>x<s>"
    assert inject_client(b"<body>a</BODY>", b"<s>") == b"<body>a<s></BODY>"


def test_head_has_no_body(server):
    r = http_get(base(server), "/articles/a/", method="HEAD")
    assert r.status == 200 and r.body == b"" and int(r.headers["content-length"]) > 0


def test_unknown_dossier_route_404(server):
    assert http_get(base(server), "/_dossier/nope").status == 404


def test_many_concurrent_clients(server):
    paths = ["/", "/articles/a/", "/assets/style.css", "/missing", "/../secret", "/assets/img.png"]
    expected = {"/": 200, "/articles/a/": 200, "/assets/style.css": 200, "/missing": 404, "/../secret": 404,
                "/assets/img.png": 200}

    def worker(i: int) -> list[tuple[str, int, bool]]:
        out = []
        for j in range(15):
            p = paths[(i + j) % len(paths)]
            r = http_get(base(server), p)
            out.append((p, r.status, SECRET in r.text))
        return out

    with ThreadPoolExecutor(20) as pool:
        results = [x for chunk in pool.map(worker, range(20), timeout=60) for x in chunk]
    assert len(results) == 300
    for p, status, leaked in results:
        assert status == expected[p] and not leaked


# -- base path -------------------------------------------------------------------------


def test_normalize_base_path():
    assert normalize_base_path(None) == "/"
    assert normalize_base_path("/") == "/"
    assert normalize_base_path("repo") == "/repo/"
    assert normalize_base_path("/repo") == "/repo/"
    assert normalize_base_path("https://x.github.io/repo/") == "/repo/"
    assert normalize_base_path("https://x.github.io") == "/"


def test_sub_path_base(site, fake):
    srv = DevServer(site, fake, port=0, base_path="https://x.github.io/repo/")
    srv.rebuild(None)
    with srv:
        assert srv.url.endswith("/repo/")
        r = http_get(base(srv), "/")
        assert r.status == 302 and r.headers["location"] == "/repo/"
        r = http_get(base(srv), "/repo")
        assert r.status == 301 and r.headers["location"] == "/repo/"
        assert "Home" in http_get(base(srv), "/repo/").text
        assert "Hello from article A." in http_get(base(srv), "/repo/articles/a/").text
        r = http_get(base(srv), "/repo/articles/a")
        assert r.status == 301 and r.headers["location"] == "/repo/articles/a/"
        assert http_get(base(srv), "/articles/a/").status == 404
        assert http_get(base(srv), "/repo/../secret").status == 404
        assert http_get(base(srv), "/_dossier/client.js").status == 200


# -- builds and the reload channel --------------------------------------------------------


def test_sse_reports_builds_and_errors(server, fake, sse):
    events = sse(base(server))
    first = events.next()
    assert first["build"] == 1 and first["ok"] is True and first["errors"] == []
    assert first["server"]

    fake.next_results.append(result(ok=False, errors=["content/articles/a.md:3: bad thing"], written=()))
    server.rebuild({Path("/x/content/articles/a.md")})
    msg = events.next()
    assert msg["build"] == 2 and msg["ok"] is False
    assert msg["errors"] == ["content/articles/a.md:3: bad thing"]
    assert msg["content"] == 1                      # the last good output is still build 1

    # the last good page is still served
    assert "Hello from article A." in http_get(base(server), "/articles/a/").text

    fake.next_results.append(result(ok=True))
    server.rebuild({Path("/x/content/articles/a.md")})
    msg = events.next()
    assert msg["build"] == 3 and msg["ok"] is True and msg["errors"] == [] and msg["content"] == 3
    assert fake.calls == [None, {Path("/x/content/articles/a.md")}, {Path("/x/content/articles/a.md")}]


def test_sse_new_client_gets_current_state(server, fake, sse):
    fake.next_results.append(result(ok=False, errors=["site.yaml:1: nope"], written=()))
    server.rebuild(None)
    msg = sse(base(server)).next()
    assert msg["build"] == 2 and msg["ok"] is False and msg["errors"] == ["site.yaml:1: nope"]


def test_build_without_output_changes_keeps_content_number(server, fake, sse):
    events = sse(base(server))
    events.next()
    fake.next_results.append(result(ok=True, written=()))
    server.rebuild(set())
    msg = events.next()
    assert msg["build"] == 2 and msg["content"] == 1   # clients need not reload


def test_builder_crash_is_an_error_not_a_dead_server(server, fake, sse):
    events = sse(base(server))
    events.next()
    fake.next_results.append(RuntimeError("boom"))
    server.rebuild(None)
    msg = events.next()
    assert msg["ok"] is False and "internal error: RuntimeError: boom" in msg["errors"][0]
    assert http_get(base(server), "/articles/a/").status == 200


def test_many_sse_clients_each_get_every_build(server, fake, sse):
    clients = [sse(base(server)) for _ in range(10)]
    for c in clients:
        assert c.next()["build"] == 1
    server.rebuild(None)
    for c in clients:
        assert c.next()["build"] == 2


def test_page_requests_wait_for_running_build(server, fake, site):
    page = site / "articles/a/index.html"
    fake.gate = threading.Event()
    fake.started.clear()

    def half_written():
        page.write_text("<html><body>HALF")

    fake.during = half_written
    builder = threading.Thread(target=server.rebuild, args=({page},), daemon=True)
    builder.start()
    assert fake.started.wait(5)

    got: dict = {}
    done = threading.Event()

    def fetch():
        got["r"] = http_get(base(server), "/articles/a/")
        done.set()

    threading.Thread(target=fetch, daemon=True).start()
    # While the build runs, the request must not be answered (bounded check).
    assert not done.wait(0.3)
    page.write_text("<html><body><p>Hello again.</p></body></html>")
    fake.gate.set()
    assert done.wait(10)
    builder.join(10)
    assert "Hello again." in got["r"].text and "HALF" not in got["r"].text
    assert 'data-build="2"' in got["r"].text


def test_page_requests_wait_while_the_search_index_moves_in(server, site):
    """``BuildState.writing`` (held while ``after``'s files move into the output folder): a request
    made meanwhile is answered once they all have, with what they hold then."""
    page = site / "articles/a/index.html"
    got: dict = {}
    done = threading.Event()

    def fetch():
        got["r"] = http_get(base(server), "/articles/a/")
        done.set()

    with server.state.writing():
        page.write_text("<html><body>HALF")
        threading.Thread(target=fetch, daemon=True).start()
        assert not server.state.wait_idle(0.3)  # bounded: requests wait while it is held
        assert not done.wait(0.3)
        page.write_text("<html><body><p>Moved in.</p></body></html>")
    assert server.state.wait_idle(5)
    assert done.wait(10)
    assert "Moved in." in got["r"].text and "HALF" not in got["r"].text


def test_status_endpoint(server):
    r = http_get(base(server), "/_dossier/status")
    assert r.status == 200 and r.headers["content-type"].startswith("application/json")
    assert '"build": 1' in r.text


def test_stop_ends_open_event_streams(site, fake, sse):
    srv = DevServer(site, fake, port=0)
    srv.rebuild(None)
    srv.start()
    events = sse(base(srv))
    events.next()
    srv.stop()
    assert events.events.get(timeout=5) is None     # stream closed by the server


def test_open_data_files_have_their_own_types():
    """The preview serves data/ as Pages does: JSON-LD as JSON-LD, CSV as text (not octet-stream)."""
    assert content_type("data/annotations.jsonld") == "application/ld+json; charset=utf-8"
    assert content_type("data/mentions.csv") == "text/csv; charset=utf-8"
    assert content_type("data/unknown.bin") == "application/octet-stream"
