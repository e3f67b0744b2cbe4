"""Run actionlint (pinned in requirements-dev.txt) on a workflow file."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import in_ci


def actionlint_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("actionlint")


def run_actionlint(path: Path) -> list[dict]:
    exe = actionlint_binary()
    if exe is None:
        message = "actionlint not installed (requirements-dev.txt pins it; run scripts/test)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    proc = subprocess.run(
        [exe, "-no-color", "-format", "{{json .}}", str(path)],
        capture_output=True, text=True, timeout=60, cwd=path.parent,
    )
    if proc.returncode not in (0, 1):
        raise AssertionError(f"actionlint failed to run (exit {proc.returncode}): {proc.stderr}")
    out = proc.stdout.strip()
    return json.loads(out) if out else []


def findings_report(findings: list[dict]) -> str:
    return "\n".join(f"{f['filepath']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)
