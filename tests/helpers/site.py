"""Building archives from tests through the generator's public entry point."""
from __future__ import annotations

from pathlib import Path

PAGES_BASE = "https://user.github.io/repo/"


def build(root: Path, out: Path, base_url: str | None = None):
    """Build ``root`` into ``out``; fail the test with the generator's errors if it fails."""
    from dossier.pipeline import build_site

    result = build_site(Path(root), out=Path(out), base_url=base_url)
    assert result.ok, "build failed:\n" + "\n".join(map(str, result.errors))
    return result
