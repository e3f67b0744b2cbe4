"""Shared test helpers: a subpath static server, the Nu HTML checker, Playwright setup."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def in_ci() -> bool:
    """True when the CI environment variable is set to a truthy value."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
