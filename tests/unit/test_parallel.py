"""Work spread over the pool gives what the same work in one process gives (counts, not timings)."""
from __future__ import annotations

from dossier import pool, session as session_mod
from dossier.session import Session
from tests.conftest import REPO_ROOT


def test_loading_in_workers_equals_loading_here(monkeypatch):
    here = Session(REPO_ROOT).load(None, 1)
    monkeypatch.setattr(session_mod, "LOAD_MIN", 1)
    minimums = []
    real_run = pool.run

    def run(task, items, state, workers, minimum=pool.PARALLEL_MIN):
        minimums.append(minimum)
        return real_run(task, items, state, workers, minimum)

    monkeypatch.setattr(pool, "run", run)
    spread = Session(REPO_ROOT).load(None, 2)
    assert minimums[0] == 1  # the files went to the pool, which forks from one file on
    assert spread == here
    assert len(here[0]) > 50 and not [e for e in here[1] if not e.warning]
