"""Helpers shared by the preview-server tests (imported by conftest.py and the tests).

Every wait here is bounded: the SSE reader hands events over a queue with a
timeout, and HTTP requests carry a socket timeout.
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from tests.helpers.files import write_files  # noqa: F401  (re-exported for the serve tests)

TINY_ARCHIVE = {
    "site.yaml": "title: T\n",
    "content/entities/outlets/x.md": "---\nname: X News\ntype: outlet\ndescription: An outlet.\n---\n",
    "content/articles/a.md": "---\ntitle: A\noutlet: x\npublished: 2023-09-25\n---\nHello from article A.\n",
}




def atomic_write(path: Path, text: str) -> None:
    """Save the way careful editors do: write a temp file, rename it over the target."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# -- HTTP --------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def http_get(base: str, raw_path: str, method: str = "GET", timeout: float = 10.0) -> Response:
    """Send ``raw_path`` exactly as given (no client-side normalisation of ``..``)."""
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.putrequest(method, raw_path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        body = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, body)
    finally:
        conn.close()


class SSEClient:
    """Reads ``/_dossier/events`` on a thread; ``next(timeout)`` returns one message dict."""

    def __init__(self, base: str, path: str = "/_dossier/events", timeout: float = 30.0) -> None:
        u = urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")
        self.events: queue.Queue[dict | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, name="test-sse-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        data: list[str] = []
        try:
            while True:
                line = self.response.fp.readline()
                if not line:
                    break
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data:
                        self.events.put(json.loads("\n".join(data)))
                    data = []
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
        except (OSError, ValueError):
            pass
        finally:
            self.events.put(None)

    def next(self, timeout: float = 10.0) -> dict:
        try:
            msg = self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no SSE event within {timeout} s") from None
        assert msg is not None, "SSE stream closed"
        return msg

    def until(self, pred, timeout: float = 10.0) -> dict:
        """Next message for which ``pred(msg)`` holds (bounded overall)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching SSE event within {timeout} s")
            msg = self.next(left)
            if pred(msg):
                return msg

    def close(self) -> None:
        try:
            self.conn.sock and self.conn.sock.shutdown(2)
        except OSError:
            pass
        self.conn.close()
