"""Editors that save in two steps (truncate, pause, write) never flash a failed build."""
from __future__ import annotations

import io
import time

from serve_helpers import http_get

from dossier.serve import SETTLE_EMPTY, PreviewServer

ARTICLE = "content/articles/a.md"
A_TEXT = "---\ntitle: A\noutlet: x\npublished: 2023-09-25\n---\n{body}\n"
PAUSE = 0.2   # the editor's pause between truncating and writing (the scenario, not a wait)


def origin(srv: PreviewServer) -> str:
    return f"http://127.0.0.1:{srv.port}"


def truncate_pause_write(path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:   # O_TRUNC: the file is empty now
        f.flush()
        time.sleep(PAUSE)
        f.write(text)


def test_truncate_pause_write_never_shows_a_failed_build(tiny_archive, sse):
    with PreviewServer(tiny_archive, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        events = sse(origin(srv))
        seen = [events.next()]
        for i in range(3):
            truncate_pause_write(tiny_archive / ARTICLE, A_TEXT.format(body=f"Saved in two steps {i}."))
            seen.append(events.until(lambda m: m["ok"] and m["build"] > seen[-1]["build"]
                                     and f"steps {i}." in http_get(origin(srv), "/articles/a/").text,
                                     timeout=SETTLE_EMPTY + 10))
        assert all(s.ok for s in srv.builds), [s.errors for s in srv.builds if not s.ok]
        assert all(m["ok"] for m in seen)
        assert "failed" not in srv.stderr.getvalue()


def test_a_file_left_empty_is_reported_after_the_settle_time(tiny_archive, sse):
    with PreviewServer(tiny_archive, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        events = sse(origin(srv))
        first = events.next()
        (tiny_archive / ARTICLE).write_text("")
        msg = events.until(lambda m: m["build"] > first["build"], timeout=SETTLE_EMPTY + 10)
        assert not msg["ok"] and any("a.md" in e for e in msg["errors"])
