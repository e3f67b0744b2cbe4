#!/usr/bin/env python3
"""Dossier's entry point: ``python build.py [build|check|serve] [--root DIR] ...``."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dossier.cli import main  # noqa: E402

raise SystemExit(main())
