"""Waiting, with a bound, for a line a child process prints."""
from __future__ import annotations

import queue
import re
import subprocess
import threading
import time


def wait_for_match(proc: subprocess.Popen, pattern: str, seconds: float) -> re.Match:
    """The first match of ``pattern`` in a line of ``proc``'s stdout (a text pipe).

    A thread pumps the lines, so the wait is bounded even when the process prints
    nothing; a process that ends first fails the test with its stderr."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name="test-stdout-pump", daemon=True).start()
    deadline = time.monotonic() + seconds
    while True:
        line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        assert line is not None, "the process ended: " + proc.stderr.read()
        found = re.search(pattern, line)
        if found:
            return found
