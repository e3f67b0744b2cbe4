"""The seeded mutation fuzzer, a few hundred cases per run (``python -m tests.fuzz`` runs more)."""
from __future__ import annotations

import os

import pytest

from tests.fuzz.fuzzer import check_lines, fuzz

CASES = int(os.environ.get("DOSSIER_FUZZ_CASES", "300"))


def test_line_forms_are_judged():
    """The judge itself: a traceback line or a bare message is not a located error."""
    bad, errors = check_lines("content/a.md:3: unknown outlet 'x'\nbuild failed: 1 error; nothing was written\n")
    assert (bad, errors) == ([], 1)
    bad, _ = check_lines('Traceback (most recent call last):\n  File "x.py", line 1\nKeyError: 1\n')
    assert len(bad) == 3
    bad, errors = check_lines("site.yaml: site.yaml not found: every archive needs one\n")
    assert (bad, errors) == ([], 1)
    bad, errors = check_lines("site.yaml:2: warning: something\n")
    assert (bad, errors) == ([], 0)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_mutated_seed_archives(tmp_path):
    outcomes = list(fuzz(range(CASES), tmp_path))
    failures = [o for o in outcomes if o.problems]
    report = "\n".join(f"seed {o.seed} ({'; '.join(o.log)}): {o.problems[0][:600]}" for o in failures[:10])
    assert not failures, f"{len(failures)} of {CASES} cases failed; replay with python -m tests.fuzz --only SEED\n{report}"
    # The mutations must really exercise both paths: many broken archives, and many that still build.
    failed_builds = sum(o.code == 1 for o in outcomes)
    assert CASES * 0.2 < failed_builds < CASES * 0.9, f"{failed_builds} of {CASES} mutated archives failed to build"


def test_cases_in_two_processes_come_back_in_order_as_in_one(tmp_path):
    """The cases run in two processes give each seed the outcome one process gives it, in the seeds' order."""
    seeds = [7, 3, 11, 5, 2, 13]
    one = [(o.seed, o.code, o.stderr, o.problems) for o in fuzz(seeds, tmp_path / "one", processes=1)]
    two = [(o.seed, o.code, o.stderr, o.problems) for o in fuzz(seeds, tmp_path / "two", processes=2)]
    assert [o[0] for o in two] == seeds
    assert two == [(s, c, e.replace(str(tmp_path / "one"), str(tmp_path / "two")), p) for s, c, e, p in one]
