#!/usr/bin/env python3
"""This repository's entry point: ``python3 build.py ARGS`` is ``dossier ARGS`` without
installing the package (``bash scripts/run ARGS`` runs it with the repository's .venv)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dossier.cli import main  # noqa: E402

raise SystemExit(main())
