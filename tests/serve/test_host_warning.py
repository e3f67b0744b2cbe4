"""``serve --host`` beyond loopback prints one warning line; the default prints none."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def serve_and_stop(archive: Path, *args: str) -> tuple[str, str]:
    """Start ``build.py serve``, wait for its URL line, stop it with SIGINT; (stdout, stderr)."""
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(archive),
                             "--port", "0", *args], cwd=REPO, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    out = []
    try:
        while not any(line.startswith("Serving ") for line in out):
            line = lines.get(timeout=30)
            assert line is not None, proc.stderr.read()
            out.append(line)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    return "".join(out), proc.stderr.read()


@pytest.mark.parametrize("host", ["0.0.0.0"])
def test_wildcard_host_warns_once(tiny_archive, host):
    out, err = serve_and_stop(tiny_archive, "--host", host)
    warnings = [line for line in err.splitlines() if "anyone on your network" in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: listening on {host}")
    # The address to open is this machine's own; the warning names the one listened on.
    assert re.search(r"Serving http://127\.0\.0\.1:\d+/", out) and "0.0.0.0:" not in out
    assert "at this machine's address, port" in warnings[0]
    assert "Traceback" not in err


def test_default_host_does_not_warn(tiny_archive):
    _out, err = serve_and_stop(tiny_archive)
    assert "warning" not in err and "Traceback" not in err
