"""Where the build's own process works alone: each stretch between two marks of a cold build, best of N.

    .venv/bin/python benchmarks/stretches.py --articles 1000 --repeat 5              # this checkout
    .venv/bin/python benchmarks/stretches.py --articles 1000 --repeat 5 --repo OTHER # another checkout's dossier/

Each build runs in a fresh process (``build_site``, as ``run.py`` measures it). Marks: the process's
first line (after the interpreter's start), the imports, every stage's lap (``Clock.lap``), and around
each forking helper: ``pool.shared`` (loading, the scan) and each render pool (forked, its results all
in, its end: since 2026-11-25's eleventh session its workers are told to stop there and left to end,
``pool.let_end``). A stretch is the time from one mark to the next; for each stretch the line gives
its best wall-clock and best CPU seconds of the build's process over the runs. Stretches marked ``*``
are those where nothing the build forked works (one core of two waits, on a quiet 2-core machine);
the others are shared with forked processes; ``e``: the exports (the open data here, the search index in a
forked process), which ``run.py`` leaves out of the "same work". Printed, never asserted. The marks are finer than
``timeline.py``'s 20 ms samples: a pool's start or end takes a few milliseconds. The last line is the
CPU of the whole build, its process and every process it forked (user + sys, from ``getrusage`` once
``build_site`` returned): a figure that moves less with the machine's load than any wall-clock one.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import compiled, ensure_archive  # noqa: E402

CHILD = r'''
import json, os, sys, time
marks = [("interpreter start", time.time(), time.process_time())]
def mark(name):
    marks.append((name, time.time(), time.process_time()))
from pathlib import Path
from dossier import pipeline, pool
mark("imports")
real_lap = pipeline.Clock.lap
def lap(self, name):
    real_lap(self, name)
    mark("stage " + name)
pipeline.Clock.lap = lap
class Pool(pool._Pool):
    def __init__(self, *args, **kwargs):
        mark("before a pool")
        super().__init__(*args, **kwargs)
        mark("pool: fork")
    def __exit__(self, *exc):
        mark("pool: its tasks")
        done = super().__exit__(*exc)
        mark("pool: workers end")
        return done
pool._Pool = Pool
real_shared = pool.shared
def shared(*args, **kwargs):
    mark("before pool.shared")
    try:
        return real_shared(*args, **kwargs)
    finally:
        mark("pool.shared")
pool.shared = shared
result = pipeline.build_site(Path(sys.argv[1]), out=Path(sys.argv[2]))
mark("build_site returned")
import resource
used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"ok": result.ok, "marks": marks, "cpu": sum(u.ru_utime + u.ru_stime for u in used)}))
sys.stdout.flush()
os._exit(0)
'''

SHARED = ("pool.shared", "pool: its tasks")  # stretches ending here: forked processes work too
EXPORTS = ("stage open data", "stage search index")  # no part of the "same work" (run.py); a forked process too


def one_build(repo: Path, root: Path) -> tuple[list[tuple[str, float, float]], float]:
    """(stretch, wall seconds, CPU seconds of the build's process) from process start to return, and the CPU
    seconds of the whole build: its process and every process it forked (all of them waited for by then)."""
    with tempfile.TemporaryDirectory(prefix="dossier-stretches-") as tmp:
        env = dict(os.environ, PYTHONPATH=str(repo))
        started = time.time()
        out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(Path(tmp) / "out")], cwd=repo, env=env,
                             capture_output=True, text=True, check=True).stdout
    report = json.loads(out.splitlines()[-1])
    if not report["ok"]:
        raise SystemExit("the build failed")
    stretches, wall, cpu = [], started, 0.0
    for name, at, cpu_at in report["marks"]:
        stretches.append((name, at - wall, cpu_at - cpu))
        wall, cpu = at, cpu_at
    return stretches, report["cpu"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--repo", type=Path, default=HERE.parent, help="the checkout whose dossier/ builds")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    root = ensure_archive(args.articles, args.seed)
    repo = args.repo.resolve()
    compiled(repo)
    best: dict[tuple[str, int], list[float]] = {}
    whole = []
    for _ in range(args.repeat):
        seen: dict[str, int] = {}
        stretches, build_cpu = one_build(repo, root)
        whole.append(build_cpu)
        for name, wall, cpu in stretches:
            key = (name, seen.get(name, 0))
            seen[name] = key[1] + 1
            got = best.setdefault(key, [wall, cpu])
            got[0], got[1] = min(got[0], wall), min(got[1], cpu)
    print(f"{args.articles:,} articles, {args.repeat} cold builds of {repo.name}/dossier; best of each stretch, ms")
    print(f"  {'stretch (up to this mark)':32s} {'wall':>8s} {'CPU':>8s}")
    alone = [0.0, 0.0]
    for (name, _n), (wall, cpu) in best.items():
        flag = "e" if name in EXPORTS else " " if name.endswith(SHARED) else "*"
        if flag == "*":
            alone[0], alone[1] = alone[0] + wall, alone[1] + cpu
        print(f"{flag} {name:32s} {wall * 1000:8.1f} {cpu * 1000:8.1f}")
    print(f"* the build's process alone: {alone[0] * 1000:.1f} ms wall, {alone[1] * 1000:.1f} ms CPU "
          f"(the interpreter's start included; its wall from before the process was started)")
    whole.sort()
    print(f"the whole build's CPU (its process and every process it forked, user + sys): best {whole[0] * 1000:.0f} ms, "
          f"median {whole[len(whole) // 2] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
