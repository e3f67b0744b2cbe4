"""``python -m dossier ...``: the same command line as the ``dossier`` script."""
from .cli import main

raise SystemExit(main())
