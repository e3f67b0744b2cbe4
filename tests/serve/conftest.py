"""Fixtures for the preview-server tests: a tiny archive and an SSE reader."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for p in (REPO, HERE):  # the package and serve_helpers, whatever pytest's import mode
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from serve_helpers import TINY_ARCHIVE, SSEClient, write_files  # noqa: E402


@pytest.fixture
def tiny_archive(tmp_path: Path) -> Path:
    return write_files(tmp_path / "archive", TINY_ARCHIVE)


@pytest.fixture
def sse():
    """``sse(base_url)`` opens an event stream; all are closed after the test."""
    clients: list[SSEClient] = []

    def open_(base: str) -> SSEClient:
        c = SSEClient(base)
        clients.append(c)
        return c

    yield open_
    for c in clients:
        c.close()
