"""Run the W3C Nu HTML checker (``vnu.jar`` from the npm package ``vnu-jar``).

``scripts/test`` installs it into ``node_modules/``; ``DOSSIER_VNU_JAR`` may
point elsewhere.

    errors = validate(out_dir)          # every .html file under out_dir
    errors = validate([page_a, page_b])
    for e in errors: print(format_error(e))
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterable

import pytest

from . import REPO_ROOT, in_ci

DEFAULT_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def jar_path() -> Path:
    return Path(os.environ.get("DOSSIER_VNU_JAR") or DEFAULT_JAR)


def java_path() -> str | None:
    return shutil.which("java")


def missing() -> str | None:
    """Why the checker cannot run here, or None when it can."""
    if java_path() is None:
        return "java is not installed (scripts/test installs default-jre-headless)"
    if not jar_path().is_file():
        return f"vnu.jar not found at {jar_path()} (scripts/test installs the npm package vnu-jar)"
    return None


def require() -> None:
    """Skip the calling test when the checker is absent; under CI that is a failure."""
    reason = missing()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"Nu HTML checker unavailable under CI: {reason}")
    pytest.skip(f"Nu HTML checker unavailable: {reason}; run scripts/test to install it")


def _targets(paths_or_dir: Path | str | Iterable[Path | str]) -> list[str]:
    if isinstance(paths_or_dir, (str, os.PathLike)):
        items = [paths_or_dir]
    else:
        items = list(paths_or_dir)
    return [str(Path(p)) for p in items]


def _location(url: str) -> str:
    """``file:/tmp/x/a.html`` -> ``/tmp/x/a.html``; other URLs unchanged."""
    if url.startswith("file:"):
        return urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
    return url


def validate(paths_or_dir: Path | str | Iterable[Path | str], *, timeout: float = 90) -> list[dict]:
    """Check HTML files (a directory is walked; non-HTML files are skipped).

    Returns one dict per error: ``url`` (a file path for local files), ``line``
    (int or None) and ``message``; ``extract`` holds the offending markup when
    the checker gives it. An empty list means valid. Raises RuntimeError when
    the checker itself could not run.
    """
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    targets = _targets(paths_or_dir)
    if not targets:
        return []
    cmd = [
        java_path(), "-Xss8m", "-jar", str(jar_path()),
        "--errors-only", "--format", "json", "--skip-non-html", *targets,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    # vnu writes its report to stderr; exit status 1 just means "errors found".
    report = None
    for stream in (proc.stderr, proc.stdout):
        stream = stream.strip()
        start = stream.find("{")
        if start < 0:
            continue
        try:
            report = json.loads(stream[start:])
            break
        except json.JSONDecodeError:
            continue
    if report is None:
        raise RuntimeError(
            f"vnu produced no JSON report (exit {proc.returncode}):\n{proc.stderr[-2000:]}{proc.stdout[-2000:]}"
        )
    errors = []
    for msg in report.get("messages", []):
        if msg.get("type") not in ("error", "non-document-error"):
            continue
        errors.append({
            "url": _location(msg.get("url", "")),
            "line": msg.get("lastLine") or msg.get("firstLine"),
            "message": msg.get("message", "").strip(),
            "extract": msg.get("extract", ""),
        })
    return errors


def format_error(error: dict, relative_to: Path | None = None) -> str:
    where = error["url"]
    if relative_to is not None:
        try:
            where = str(Path(where).relative_to(relative_to))
        except ValueError:
            pass
    line = error["line"] if error["line"] is not None else "?"
    return f"{where}:{line}: {error['message']}"
