"""The whole preview: real watcher, real HTTP, real pipeline over a tiny archive.

Every wait is on a condition (an SSE message, a line of output, a process
exit) with a timeout.
"""
from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from serve_helpers import atomic_write, http_get

from dossier.serve import PreviewServer, serve
from dossier.serve.watcher import ChangeSet
from tests.helpers.process import wait_for_match

REPO = Path(__file__).resolve().parents[2]
ARTICLE = "content/articles/a.md"
A_TEXT = "---\ntitle: A\noutlet: x\npublished: 2023-09-25\n---\n{body}\n"


@pytest.fixture
def pipeline():
    import dossier.pipeline  # an import error is a failure, never a skip
    return dossier.pipeline


@pytest.fixture
def preview(pipeline, tiny_archive):
    srv = PreviewServer(tiny_archive, port=0, stdout=io.StringIO(), stderr=io.StringIO())
    srv.start()
    yield srv
    srv.stop()


def origin(srv: PreviewServer) -> str:
    return f"http://127.0.0.1:{srv.port}"


def page(srv: PreviewServer, path: str):
    return http_get(origin(srv), srv.base_path + path)


# -- edit / delete / break / fix ------------------------------------------------------------


def test_initial_build_is_served_from_a_temp_dir(preview, tiny_archive):
    assert preview.builds[0].ok, preview.builds[0].errors
    r = page(preview, "articles/a/")
    assert r.status == 200 and "Hello from article A." in r.text
    assert not (tiny_archive / "output").exists()           # output/ is the production build's
    assert preview.out is not None and not preview.out.is_relative_to(tiny_archive)


def test_edit_reaches_the_page(preview, tiny_archive, sse):
    events = sse(origin(preview))
    first = events.next()
    t0 = time.perf_counter()
    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(body="Edited text of A."))
    msg = events.until(lambda m: m["build"] > first["build"])
    t_event = time.perf_counter() - t0
    assert msg["ok"], msg["errors"]
    assert msg["content"] == msg["build"]
    r = page(preview, "articles/a/")
    t_page = time.perf_counter() - t0
    assert "Edited text of A." in r.text and "Hello from article A." not in r.text
    print(f"\nsave -> SSE event {t_event * 1000:.0f} ms (build {msg['ms']:.0f} ms); "
          f"save -> new HTML fetched {t_page * 1000:.0f} ms")


def test_new_article_appears(preview, tiny_archive, sse):
    events = sse(origin(preview))
    first = events.next()
    atomic_write(tiny_archive / "content/articles/b.md",
                 "---\ntitle: B\noutlet: x\npublished: 2023-09-26\n---\nHello from B.\n")
    msg = events.until(lambda m: m["build"] > first["build"])
    assert msg["ok"], msg["errors"]
    assert "Hello from B." in page(preview, "articles/b/").text


def test_delete_article_404s(preview, tiny_archive, sse):
    events = sse(origin(preview))
    first = events.next()
    (tiny_archive / ARTICLE).unlink()
    msg = events.until(lambda m: m["build"] > first["build"])
    assert msg["ok"], msg["errors"]
    r = page(preview, "articles/a/")
    assert r.status == 404
    assert "Hello from article A." not in r.text


def test_broken_yaml_keeps_last_good_page_then_fix_clears(preview, tiny_archive, sse):
    events = sse(origin(preview))
    first = events.next()
    atomic_write(tiny_archive / ARTICLE, "---\ntitle: [A\noutlet: x\npublished: 2023-09-25\n---\nBroken.\n")
    bad = events.until(lambda m: m["build"] > first["build"])
    assert bad["ok"] is False
    assert bad["errors"] and all(re.match(r"^content/articles/a\.md:\d+: \S", e) for e in bad["errors"]), bad
    assert bad["content"] == first["content"]               # clients keep the page they have
    r = page(preview, "articles/a/")
    assert r.status == 200 and "Hello from article A." in r.text
    err = preview.stderr.getvalue()
    assert bad["errors"][0] in err and "Traceback" not in err

    atomic_write(tiny_archive / ARTICLE, A_TEXT.format(body="Fixed text."))
    good = events.until(lambda m: m["build"] > bad["build"])
    assert good["ok"] is True and good["errors"] == []
    assert good["content"] == good["build"]
    assert "Fixed text." in page(preview, "articles/a/").text


def test_broken_site_yaml_then_fix(preview, tiny_archive, sse):
    events = sse(origin(preview))
    first = events.next()
    atomic_write(tiny_archive / "site.yaml", "title: T\nno_such_key: 1\n")
    bad = events.until(lambda m: m["build"] > first["build"])
    assert bad["ok"] is False
    assert any(e.startswith("site.yaml:2: ") for e in bad["errors"]), bad["errors"]
    atomic_write(tiny_archive / "site.yaml", "title: T2\n")
    good = events.until(lambda m: m["build"] > bad["build"])
    assert good["ok"], good["errors"]
    assert "T2" in page(preview, "articles/a/").text


def test_editor_temp_files_do_not_rebuild(preview, tiny_archive, sse):
    events = sse(origin(preview))
    first = events.next()
    d = tiny_archive / "content/articles"
    (d / ".a.md.swp").write_text("swap")
    (d / "a.md~").write_text("backup")
    atomic_write(d / "a.md", A_TEXT.format(body="After temp files."))
    msg = events.until(lambda m: m["build"] > first["build"])
    assert msg["ok"] and msg["build"] == first["build"] + 1
    assert "content/articles/a.md modified" in preview.stdout.getvalue()
    assert ".swp" not in preview.stdout.getvalue()


def test_sub_path_base_url(pipeline, tiny_archive):
    with PreviewServer(tiny_archive, port=0, base_url="https://x.github.io/repo/",
                       stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        assert srv.url.endswith("/repo/")
        root = http_get(origin(srv), "/")
        assert root.status == 302 and root.headers["location"] == "/repo/"
        r = http_get(origin(srv), "/repo/articles/a/")
        assert r.status == 200 and "Hello from article A." in r.text
        hrefs = re.findall(r'(?:href|src)="(/[^"]*)"', r.text)
        assert hrefs and all(h.startswith("/repo/") or h.startswith("/_dossier/") for h in hrefs), hrefs
        assert http_get(origin(srv), "/articles/a/").status == 404


def test_out_given_is_kept(pipeline, tiny_archive, tmp_path):
    out = tmp_path / "preview-out"
    with PreviewServer(tiny_archive, port=0, out=out, stdout=io.StringIO(), stderr=io.StringIO()):
        assert (out / "articles/a/index.html").is_file()
    assert (out / "articles/a/index.html").is_file()


# -- lifecycle ---------------------------------------------------------------------------------


def test_stop_leaves_no_threads_and_removes_temp_dir(pipeline, tiny_archive, sse):
    before = set(threading.enumerate())
    srv = PreviewServer(tiny_archive, port=0, stdout=io.StringIO(), stderr=io.StringIO()).start()
    out = srv.out
    events = sse(origin(srv))
    events.next()
    assert out.is_dir()
    srv.stop()
    assert events.events.get(timeout=5) is None             # the event stream was closed
    assert not out.exists()
    deadline = time.monotonic() + 5
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive()
                and not t.name.startswith("test-")]         # the test's own SSE reader threads
        if not left or time.monotonic() > deadline:
            break
        left[0].join(0.1)
    assert left == []
    assert all(t.daemon for t in threading.enumerate() if t is not threading.main_thread() and t not in before)


def test_port_in_use_programmatic(tiny_archive, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code = serve(tiny_archive, port=port)
    assert code == 1
    err = capsys.readouterr().err
    assert err.strip() == f"error: port {port} is in use (try --port {port + 1})"


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_port_in_use_cli(tiny_archive):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = _cli("serve", "--root", str(tiny_archive), "--port", str(port))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, (out, err)
    assert err.strip() == f"error: port {port} is in use (try --port {port + 1})"
    assert "Traceback" not in err


def test_sigint_stops_cleanly(pipeline, tiny_archive, tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1")
    proc = _cli("serve", "--root", str(tiny_archive), "--port", "0", env=env)
    try:
        url = wait_for_match(proc, r"Serving (http://\S+)", 30).group(1)
        assert list(tmpdir.iterdir()), "the preview builds into a temporary directory"
        r = http_get(url.rstrip("/"), "/articles/a/")
        assert r.status == 200 and "Hello from article A." in r.text
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    err = proc.stderr.read()
    assert code == 0, err
    assert "Traceback" not in err
    assert list(tmpdir.iterdir()) == [], "temp dir left behind"


# -- rebuild bookkeeping with a fake builder (no pipeline needed) ---------------------------------


class RecordingBuilder:
    def __init__(self, results):
        self.results = list(results)
        self.calls = []

    def __call__(self, changed):
        self.calls.append(None if changed is None else set(changed))
        r = self.results.pop(0) if self.results else SimpleNamespace(ok=True, errors=())
        if isinstance(r, Exception):
            raise r
        return r


def _changes(*paths: str) -> ChangeSet:
    cs = ChangeSet()
    for p in paths:
        cs.add(Path(p), "modified")
    return cs


def test_failed_changes_are_retried_and_crashes_force_full_build(tiny_archive):
    ok = SimpleNamespace(ok=True, errors=())
    bad = SimpleNamespace(ok=False, errors=("content/articles/a.md:2: bad",))
    fake = RecordingBuilder([ok, bad, ok, RuntimeError("bug"), ok, ok])
    with PreviewServer(tiny_archive, port=0, builder=fake, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        assert srv.rebuild(_changes("/r/a.md")).ok is False
        assert srv.rebuild(_changes("/r/b.md")).ok is True
        assert srv.rebuild(_changes("/r/c.md")).ok is False           # the builder crashed
        assert srv.rebuild(_changes("/r/d.md")).ok is True
        assert srv.rebuild(_changes("/r/e.md")).ok is True
        err = srv.stderr.getvalue()
    assert fake.calls == [None, {Path("/r/a.md")}, {Path("/r/a.md"), Path("/r/b.md")}, {Path("/r/c.md")},
                          None, {Path("/r/e.md")}]
    assert "content/articles/a.md:2: bad" in err
    assert "internal error: RuntimeError: bug" in err and "Traceback" in err


def test_watcher_drives_rebuilds_with_fake_builder(tiny_archive, sse):
    fake = RecordingBuilder([])
    with PreviewServer(tiny_archive, port=0, builder=fake, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        events = sse(origin(srv))
        first = events.next()
        target = (tiny_archive / ARTICLE).resolve()
        for i in range(20):
            atomic_write(tiny_archive / ARTICLE, A_TEXT.format(body=f"v{i}"))
        events.until(lambda m: m["build"] > first["build"])
        assert fake.calls[0] is None and fake.calls[1] == {target}


def test_edit_saved_during_the_first_build_is_rebuilt(tiny_archive, sse):
    """The first build runs before the watcher starts (so it may fork a pool): a file saved
    while it runs must still reach the next build."""
    target = (tiny_archive / ARTICLE).resolve()
    calls: list = []

    def builder(changed):
        calls.append(changed)
        if changed is None:  # the first build: the editor saves meanwhile
            atomic_write(tiny_archive / ARTICLE, A_TEXT.format(body="saved during the first build"))
        return SimpleNamespace(ok=True, errors=())

    with PreviewServer(tiny_archive, port=0, builder=builder, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        events = sse(origin(srv))
        first = events.next()
        if first["build"] == 1:
            events.until(lambda m: m["build"] > 1)
    assert calls[0] is None and target in calls[1]
