"""The benchmark's synthetic archive (``benchmarks/generate.py``), written small for a test."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.helpers import REPO_ROOT


def generate(root: Path, articles: int, seed: int) -> None:
    """Write ``benchmarks/generate.py``'s archive of ``articles`` reports into ``root``."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO_ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(root, articles, seed=seed)
