"""The preview's annotation endpoint: who may write, where, and what a write keeps.

Every refusal is checked with the file's bytes unchanged (or the file still
absent).  Requests go through a real server over loopback; builds are not
needed here (``DevServer`` with a stand-in builder and an ``Annotator``), except
in the last test, which runs the pipeline to see the saved annotation in the page.
"""
from __future__ import annotations

import http.client
import io
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from dossier.annotate_write import ABSENT, annotations, version
from dossier.pipeline import build_site
from dossier.serve import PreviewServer
from dossier.serve.annotate import ENDPOINT, MAX_BODY, TOKEN_HEADER, Annotator
from dossier.serve.server import DevServer

from serve_helpers import write_files
from tests.helpers.annotate import ARCHIVE, BODY, FILE

SHOWN = BODY.replace("\n\n", "\n")   # the page's text, as annotate.js measures it


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_files(tmp_path / "archive", ARCHIVE)


@pytest.fixture
def server(tmp_path: Path, archive: Path):
    out = tmp_path / "out"
    (out / "articles" / "a").mkdir(parents=True)
    (out / "articles" / "a" / "index.html").write_text("<!doctype html><html><body><p>A</p></body></html>")
    (out / "index.html").write_text("<!doctype html><html><body><p>Home</p></body></html>")
    srv = DevServer(out, lambda changed: SimpleNamespace(ok=True, errors=()), port=0)
    srv.httpd.annotator = Annotator(archive)
    srv.rebuild(None)
    srv.start()
    yield srv
    srv.stop()


def post(srv, payload, *, token: str | None = "default", host: str | None = "default",
         headers: dict | None = None, raw: bytes | None = None) -> tuple[int, dict]:
    body = raw if raw is not None else json.dumps(payload).encode()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.putrequest("POST", ENDPOINT, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"127.0.0.1:{srv.port}" if host == "default" else host)
        if "Content-Type" not in (headers or {}):
            conn.putheader("Content-Type", "application/json")
        if token is not None:
            conn.putheader(TOKEN_HEADER, srv.httpd.annotator.token if token == "default" else token)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if "Content-Length" not in (headers or {}):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        text = r.read()
        assert text.endswith(b"\n") and text.count(b"\n") == 1, text   # one line of JSON
        return r.status, json.loads(text)
    finally:
        conn.close()


def adding(archive: Path, words: str = "Metropolitan Police", nth: int = 0, **extra) -> dict:
    data = (archive / FILE).read_bytes() if (archive / FILE).exists() else None
    start = -1
    for _ in range(nth + 1):
        start = SHOWN.index(words, start + 1)
    return {"action": "add", "article": "a", "version": version(data), "text": SHOWN, "start": start,
            "end": start + len(words), "kind": "note", "note": "A note.", **extra}


def state(archive: Path) -> bytes | None:
    path = archive / FILE
    return path.read_bytes() if path.exists() else None


# -- refusals: nothing written ---------------------------------------------------------------

REFUSALS = {
    "wrong token": ({"token": "x" * 43}, 403),
    "missing token": ({"token": None}, 403),
    "foreign Host": ({"host": "attacker.example"}, 403),
    "foreign Host, right port": ({"host": "evil.example:{port}"}, 403),
    "foreign Origin": ({"headers": {"Origin": "http://attacker.example"}}, 403),
    "cross-site fetch": ({"headers": {"Sec-Fetch-Site": "cross-site"}}, 403),
    "not JSON": ({"raw": b"kind=note"}, 400),
    "JSON nested too deep": ({"raw": b"[" * 100_000}, 400),
    "not an object": ({"raw": b"[1, 2]"}, 400),
    "wrong content type": ({"headers": {"Content-Type": "text/plain"}}, 415),
}


@pytest.mark.parametrize("name", list(REFUSALS))
@pytest.mark.parametrize("existing", [None, b"> Officers\n\nKept.\n"], ids=["absent", "existing"])
def test_refused_requests_write_nothing(server, archive, name, existing):
    if existing is not None:
        write_files(archive, {FILE: existing.decode()})
    kwargs, status = REFUSALS[name]
    kwargs = {k: ({kk: vv for kk, vv in v.items()} if isinstance(v, dict) else v) for k, v in kwargs.items()}
    if isinstance(kwargs.get("host"), str):
        kwargs["host"] = kwargs["host"].format(port=server.port)
    got, answer = post(server, adding(archive), **kwargs)
    assert (got, answer["ok"]) == (status, False), answer
    assert state(archive) == existing
    assert sorted(p.name for p in (archive / "content").rglob("*") if "annotations" in p.parts) == \
        (["a.md", "annotations"] if existing else [])


@pytest.mark.parametrize("article,status", [("../site.yaml", 400), ("/etc/passwd", 400), ("a/../../x", 400),
                                            ("no-such-article", 404), ("", 400), (7, 400)])
def test_only_an_existing_articles_file_is_written(server, archive, article, status):
    site = (archive / "site.yaml").read_bytes()
    got, answer = post(server, {**adding(archive), "article": article})
    assert got == status and not answer["ok"]
    assert state(archive) is None and (archive / "site.yaml").read_bytes() == site


def test_a_link_that_leaves_the_archive_is_refused(server, archive, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"> Officers\n\nOutside.\n")
    (archive / "content" / "annotations").mkdir()
    (archive / FILE).symlink_to(outside)
    got, answer = post(server, {**adding(archive), "version": version(outside.read_bytes())})
    assert got == 403 and "link" in answer["error"]
    assert outside.read_bytes() == b"> Officers\n\nOutside.\n" and (archive / FILE).is_symlink()


def test_an_annotations_folder_that_leaves_the_archive_is_refused(server, archive, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (archive / "content" / "annotations").symlink_to(elsewhere)
    got, _answer = post(server, adding(archive))
    assert got == 403 and list(elsewhere.iterdir()) == []


def test_a_file_changed_since_the_page_was_served_is_a_conflict(server, archive):
    write_files(archive, {FILE: "> Officers\n\nKept.\n"})
    request = adding(archive)
    write_files(archive, {FILE: "> Officers\n\nChanged in an editor.\n"})
    got, answer = post(server, request)
    assert got == 409 and "changed since" in answer["error"]
    assert state(archive) == b"> Officers\n\nChanged in an editor.\n"
    got, _ = post(server, {**adding(archive), "version": ABSENT})   # it exists now
    assert got == 409


def test_an_oversize_body_is_refused_unread(server, archive):
    got, answer = post(server, adding(archive), headers={"Content-Length": str(MAX_BODY + 1)}, raw=b"{}")
    assert got == 413 and state(archive) is None


@pytest.mark.parametrize("client,allowed", [("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
                                            ("192.168.1.5", False), ("::ffff:10.0.0.2", False), ("fe80::1", False)])
def test_only_this_machine_gets_the_token_and_may_write(server, archive, client, allowed):
    annotator = server.httpd.annotator
    guard = server.httpd.guard
    page = annotator.page_tag("/articles/a/", client)
    assert (annotator.token.encode() in page) is allowed and (b"annotate.js" in page) is allowed
    payload = json.dumps(adding(archive)).encode()
    headers = {"Host": f"127.0.0.1:{server.port}", TOKEN_HEADER: annotator.token,
               "Content-Type": "application/json", "Content-Length": str(len(payload))}
    status, answer = annotator.post(headers, io.BytesIO(payload), guard, client)
    assert (status == 200) is allowed, answer
    assert (state(archive) is not None) is allowed


def test_other_methods_and_paths(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", ENDPOINT)
    assert conn.getresponse().status == 404
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", "/_dossier/status", b"{}", {"Content-Type": "application/json"})
    assert conn.getresponse().status == 405
    conn.close()


def test_a_selection_outside_the_text_is_refused(server, archive):
    got, answer = post(server, {**adding(archive), "text": "Headline only", "start": 0, "end": 8})
    assert got == 422 and state(archive) is None


# -- writes ------------------------------------------------------------------------------------

def test_add_edit_delete_keep_every_other_byte(server, archive):
    original = ("\ufeff{.context}\r\n> The head  of the\r\n\r\nFirst note\r\n<!-- keep me -->\r\n\r\n\r\n"
                "> More officers stood down today\r\n\r\nSecond.").encode()
    (archive / "content" / "annotations").mkdir()
    (archive / FILE).write_bytes(original)
    got, answer = post(server, adding(archive, "stood down", nth=1, note="New\nnote",
                                      claim="stood-down", value="scores"))
    assert got == 200 and answer["quote"] == "stood down" and answer["version"] == version(state(archive))
    added = state(archive)
    assert added == original + (b'\r\n\r\n{.note claim="stood-down" value="scores" which=2}\r\n'
                                b"> stood down\r\n\r\nNew\r\nnote\r\n")
    got, answer = post(server, {"action": "edit", "article": "a", "version": version(added), "line": answer["line"],
                                "kind": "correction", "note": "Edited."})
    assert got == 200
    edited = state(archive)
    assert edited == original + b"\r\n\r\n{.correction which=2}\r\n> stood down\r\n\r\nEdited.\r\n"
    got, _ = post(server, {"action": "delete", "article": "a", "version": version(edited), "line": answer["line"]})
    assert got == 200 and state(archive) == original + b"\r\n"
    assert not [p for p in (archive / "content" / "annotations").iterdir() if p.name != "a.md"]   # no temp file left


def test_a_note_that_would_break_the_file_is_refused(server, archive):
    got, answer = post(server, adding(archive, note="Fine.\n\n> a second quote"))
    assert got == 422 and state(archive) is None


def test_the_page_carries_token_and_version_and_the_build_none(archive, tmp_path):
    write_files(archive, {FILE: "> Officers stood down.\n\nKept.\n"})
    with PreviewServer(archive, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        token = srv.dev.httpd.annotator.token
        page = _get(srv, "articles/a/")
        assert token in page and version(state(archive)) in page and '"line":1' in page
        assert token not in _get(srv, "") and "annotate.js" not in _get(srv, "")
        before = srv.dev.state.snapshot().build
        got, answer = post(srv.dev, adding(archive, "demanded protections"))
        assert got == 200
        status = srv.dev.state.wait_newer(before, 10)
        assert status is not None and status.ok
        page = _get(srv, "articles/a/")
        assert 'class="k-note"' in page and "A note." in page
    out = tmp_path / "built"
    assert build_site(archive, out=out, workers=1).ok
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert token.encode() not in data and b"_dossier" not in data and b"annotate.js" not in data, path


def _get(srv, path: str) -> str:
    import urllib.request
    with urllib.request.urlopen(srv.url + path, timeout=10) as r:
        return r.read().decode()


def test_a_file_system_refusal_is_one_json_line(server, archive):
    (archive / "content" / "annotations").write_bytes(b"not a folder")
    got, answer = post(server, adding(archive))
    assert got == 500 and "cannot write" in answer["error"]
    assert (archive / "content" / "annotations").read_bytes() == b"not a folder"


def test_writes_are_atomic_and_keep_the_files_mode(server, archive):
    (archive / "content" / "annotations").mkdir()
    (archive / FILE).write_bytes(b"> Officers\n\nKept.\n")
    os.chmod(archive / FILE, 0o600)
    got, _ = post(server, adding(archive))
    assert got == 200 and (os.stat(archive / FILE).st_mode & 0o777) == 0o600


def test_two_notes_on_one_passage_get_distinct_permalinks(server, archive):
    assert post(server, adding(archive, note="First."))[0] == 200
    assert post(server, adding(archive, note="Second.", kind="context"))[0] == 200
    found, errors = annotations(state(archive), "a")
    assert not errors and [a.quote for a in found] == ["Metropolitan Police"] * 2
    page = server.httpd.annotator.page_tag("/articles/a/", "127.0.0.1").decode()
    assert all(f'"anchor":"{a.anchor}"' in page for a in found) and found[0].anchor != found[1].anchor
