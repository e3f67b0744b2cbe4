"""A wall-clock timeline of one cold build: which stage runs when, and how busy each core is.

    .venv/bin/python benchmarks/timeline.py --articles 1000             # this checkout
    .venv/bin/python benchmarks/timeline.py --articles 1000 --repo OTHER # another checkout's dossier/

The build runs in a fresh Python process (``build_site``, as ``run.py`` does). This script reads
``/proc/<pid>/stat`` of that process and of every process it forks every ``--every`` seconds, and
prints one line per slice of time: the stage the build was in (``BuildResult.timings``' laps, the
imports first), the CPU the build's own process used in the slice, the CPU of everything it forked,
and a bar of both (one ``#`` per tenth of a core; two cores are 20). A slice where the sum is near one
core on a 2-core machine is a slice where a core waited. Linux only. Printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import _proc_tree, compiled, ensure_archive  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

CHILD = r'''
import json, os, sys, time
marks = [("start", time.time())]
from dossier import pipeline
marks.append(("imports", time.time()))
real_lap = pipeline.Clock.lap
def lap(self, name):
    real_lap(self, name)
    marks.append((name, time.time()))
pipeline.Clock.lap = lap
result = pipeline.build_site(__import__("pathlib").Path(sys.argv[1]), out=__import__("pathlib").Path(sys.argv[2]))
marks.append(("end", time.time()))
print(json.dumps({"ok": result.ok, "marks": marks}))
sys.stdout.flush()
os._exit(0)
'''


def _cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of one process so far, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def sample(proc: subprocess.Popen, every: float) -> list[tuple[float, float, float]]:
    """(wall time, CPU of the build's process, CPU of all its descendants together, dead ones counted)."""
    seen: dict[int, float] = {}
    out = []
    while proc.poll() is None:
        now = time.time()
        own = _cpu(proc.pid)
        for pid in _proc_tree(proc.pid)[1:]:
            c = _cpu(pid)
            if c is not None:
                seen[pid] = c
        if own is not None:
            out.append((now, own, sum(seen.values())))
        time.sleep(every)
    return out


def stage_at(marks: list, t: float) -> str:
    for name, when in marks[1:]:
        if t < when:
            return name
    return "exit"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repo", type=Path, default=HERE.parent, help="the checkout whose dossier/ builds")
    parser.add_argument("--every", type=float, default=0.02, help="seconds between samples")
    parser.add_argument("--slice", type=float, default=0.05, help="seconds a printed line covers")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    root = ensure_archive(args.articles, args.seed)
    compiled(args.repo.resolve())
    with tempfile.TemporaryDirectory(prefix="dossier-timeline-") as tmp:
        out = Path(tmp) / "output"
        env = dict(os.environ, PYTHONPATH=str(args.repo.resolve()))
        started = time.time()
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(out)], cwd=args.repo, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        samples = sample(proc, args.every)
        stdout, stderr = proc.communicate()
        shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(stderr[-3000:])
    got = json.loads(stdout.strip().splitlines()[-1])
    marks = got["marks"]
    print(f"{args.articles:,} articles; process start to exit {samples[-1][0] - started:.2f} s; "
          f"stages (wall s): " + ", ".join(f"{name} {when - prev:.2f}"
                                            for (_, prev), (name, when) in zip(marks, marks[1:])))
    print(f"{'t (s)':>6} {'stage':<14} {'own':>5} {'forked':>6}  cores busy (# = 0.1 core)")
    edge, prev = started, (started, 0.0, 0.0)
    for t, own, kids in samples:
        if t - edge < args.slice:
            continue
        span = t - prev[0]
        o, k = (own - prev[1]) / span, (kids - prev[2]) / span
        print(f"{t - started:6.2f} {stage_at(marks, t):<14} {o:5.2f} {k:6.2f}  "
              + "#" * round(o * 10) + "+" * max(0, round(k * 10)))
        edge, prev = t, (t, own, kids)
    total = samples[-1]
    print(f"CPU: build process {total[1]:.2f} s, forked {total[2]:.2f} s")


if __name__ == "__main__":
    main()
