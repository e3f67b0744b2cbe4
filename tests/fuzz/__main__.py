"""``python -m tests.fuzz [--cases N] [--seed S] [--only SEED]``: run the mutation fuzzer."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.fuzz.fuzzer import fuzz


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz")
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0, help="first seed; cases use SEED, SEED+1, ...")
    p.add_argument("--only", type=int, default=None, help="replay one case and keep its archive")
    args = p.parse_args()
    seeds = [args.only] if args.only is not None else range(args.seed, args.seed + args.cases)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="dossier-fuzz-") as tmp:
        workdir = Path(tmp) if args.only is None else Path(tempfile.mkdtemp(prefix="dossier-fuzz-case-"))
        for n, outcome in enumerate(fuzz(seeds, workdir, keep=args.only is not None), 1):
            if outcome.problems:
                failed += 1
                print(f"seed {outcome.seed}: {'; '.join(outcome.log)}")
                for problem in outcome.problems:
                    print("   ", problem.replace("\n", "\n    "))
            if n % 100 == 0:
                print(f"{n} cases, {failed} failed", file=sys.stderr)
        if args.only is not None:
            print(f"case kept in {workdir}/case-{args.only}")
    print(f"{len(seeds)} cases, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
