"""CPU seconds of cold builds, stage by stage, in the build's own process and in the processes it forks.

    .venv/bin/python benchmarks/cpu_split.py --articles 1000 --repeat 5
    .venv/bin/python benchmarks/cpu_split.py --articles 1000 --repeat 5 --repo OTHER_CHECKOUT   # its code

Each build runs in a fresh Python process (``build_site``, as ``run.py`` does). Printed, per stage
of ``BuildResult.timings``: the CPU seconds the build's own process spent in it (``time.process_time``
between the stages' laps), then the imports, the CPU of every forked process together (workers, the
process ``pool.shared`` and ``pool.aside`` fork) and the whole, best and median of the runs. On a
shared machine wall-clock times move by a factor of two; CPU seconds move much less. A stage where
the build's own process works and the forked ones do not (load and scan before
``pool.shared`` and ``pool.halves``, the listings before they went to the entity pages' pool, the imports) is time one
core of two waits: its CPU seconds here are wall-clock seconds on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import compiled, ensure_archive  # noqa: E402

CHILD = r'''
import json, os, resource, sys, time
from pathlib import Path
started = time.process_time()
from dossier import pipeline
imported = time.process_time() - started
laps, last = {}, [time.process_time()]
real_lap = pipeline.Clock.lap
def lap(self, name):
    real_lap(self, name)
    now = time.process_time()
    laps[name] = laps.get(name, 0.0) + now - last[0]
    last[0] = now
pipeline.Clock.lap = lap
result = pipeline.build_site(Path(sys.argv[1]), out=Path(sys.argv[2]))
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
own = resource.getrusage(resource.RUSAGE_SELF)
laps.update({"imports": imported, "forked": kids.ru_utime + kids.ru_stime,
             "all": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, "ok": result.ok})
print(json.dumps(laps))
sys.stdout.flush()
os._exit(0)
'''


def one_build(repo: Path, root: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(repo))
    done = subprocess.run([sys.executable, "-c", CHILD, str(root), str(out)], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    got = json.loads(done.stdout.strip().splitlines()[-1])
    if not got.pop("ok"):
        raise SystemExit("the build failed")
    return got


def checkout_args(doc: str) -> argparse.Namespace:
    """--articles, --repeat, --repo (the checkout whose dossier/ builds), --seed: this tool's and pages_cpu.py's."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repo", type=Path, default=HERE.parent, help="the checkout whose dossier/ builds")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def run_child(args: argparse.Namespace, child: str, what: str) -> None:
    """Run the script ``child`` (argv: the archive, ``--repeat``) in a fresh process with ``--repo``'s
    dossier/ (compiled first), on the ``--articles`` archive, after a heading naming ``what`` it times."""
    root = ensure_archive(args.articles, args.seed)
    repo = args.repo.resolve()
    compiled(repo)
    print(f"{args.articles:,} articles, {what} of {repo.name}/dossier, best of {args.repeat}; CPU")
    done = subprocess.run([sys.executable, "-c", child, str(root), str(args.repeat)], cwd=repo,
                          env={**os.environ, "PYTHONPATH": str(repo)}, timeout=7200)
    if done.returncode != 0:
        raise SystemExit(done.returncode)


def main() -> None:
    args = checkout_args(__doc__)
    root = ensure_archive(args.articles, args.seed)
    compiled(args.repo.resolve())
    runs = []
    with tempfile.TemporaryDirectory(prefix="dossier-cpu-") as tmp:
        for _ in range(args.repeat):
            runs.append(one_build(args.repo.resolve(), root, Path(tmp) / "output"))
    keys = list(dict.fromkeys(k for run in runs for k in run))
    print(f"{args.articles:,} articles, {args.repeat} cold builds of {args.repo.resolve().name}/dossier; CPU seconds")
    print(f"{'':8} " + " ".join(f"{k[:11]:>11}" for k in keys))
    for label, pick in (("best", lambda v: v[0]), ("median", lambda v: v[len(v) // 2])):
        print(f"{label:8} " + " ".join(f"{pick(sorted(r.get(k, 0.0) for r in runs)):11.3f}" for k in keys))
    print("(per stage: the build's own process; 'forked': every process it forked, together; 'all': both)")


if __name__ == "__main__":
    main()
