"""Headless Chromium for tests: Debian's package, driven by Playwright for Python.

Playwright's own browser download is never used (``playwright install`` is
not run anywhere); we point it at ``/usr/bin/chromium`` instead, or at
``DOSSIER_CHROMIUM`` when set.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from . import REPO_ROOT

CHROMIUM = Path(os.environ.get("DOSSIER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
SCREENSHOT_DIR = REPO_ROOT / "tests" / "browser" / "screenshots"


def chromium_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (scripts/test installs Debian's chromium package)"
    return None


def launch(playwright):
    """Launch Debian's Chromium through a started Playwright instance."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        timeout=30_000,
    )


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as tests/browser/screenshots/<name>.png and return its path."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
