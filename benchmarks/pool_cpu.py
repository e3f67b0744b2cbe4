"""CPU of each pool worker of a cold build: its tasks, the time between them, its first tasks.

    .venv/bin/python benchmarks/pool_cpu.py --articles 1000 --repeat 3
    .venv/bin/python benchmarks/pool_cpu.py --articles 1000 --repeat 3 --repo OTHER_CHECKOUT   # its code

Each build runs in a fresh Python process (``build_site``, as ``run.py`` does), its output in a
temporary folder. In every worker the pool forks (``pool._init``, ``pool._call`` wrapped), it counts
the CPU (``time.process_time``) of each task, of the pool's own work between two tasks (a chunk's
items received, its results pickled and sent) and the page faults of the tasks; each worker writes
its totals to a file after every task (pool workers are terminated, not ended). Printed per pool
(article pages, entity pages and listings, loading, scanning): the tasks, the CPU a task, the CPU
between tasks, and the first tasks of each worker, best of ``--repeat`` builds by the pool's CPU a
task. A cost paid once per worker (what is built after the fork) shows as first tasks dearer than
the rest and as a CPU a task that falls with the archive's size; the CPU of the build's own
process is ``cpu_split.py``'s.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cpu_split import checkout_args  # noqa: E402
from run import compiled, ensure_archive  # noqa: E402

CHILD = r'''
import json, os, resource, shutil, sys, tempfile, time
from pathlib import Path
from dossier import pipeline, pool
root, log = Path(sys.argv[1]), sys.argv[2]
real_init, real_call = pool._init, pool._call
rec = {}


def _init(state):
    rec.update(start=time.process_time(), n=0, task=0.0, gap=0.0, faults=0, first=[])
    real_init(state)


def _call(job):
    a, f0 = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    try:
        return real_call(job)
    finally:
        b, f1 = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        rec["gap"] += a - rec.get("last", rec["start"])
        rec.update(kind=job[0].__name__, n=rec["n"] + 1, task=rec["task"] + b - a, faults=rec["faults"] + f1 - f0)
        if len(rec["first"]) < 5:
            rec["first"].append(round((b - a) * 1e3, 2))
        fd = os.open(f"{log}/{os.getpid()}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.write(fd, json.dumps(rec).encode())
        os.close(fd)
        rec["last"] = time.process_time()  # this file's writing is not the pool's


pool._init, pool._call = _init, _call
out = tempfile.mkdtemp(prefix="dossier-pool-")
try:
    assert pipeline.build_site(root, out=Path(out) / "output").ok
finally:
    shutil.rmtree(out)
'''


def _one(repo: Path, root: Path, log: Path) -> dict[str, list[dict]]:
    for f in log.iterdir():
        f.unlink()
    subprocess.run([sys.executable, "-c", CHILD, str(root), str(log)], cwd=repo, check=True, timeout=7200,
                   env={**os.environ, "PYTHONPATH": str(repo)})
    pools: dict[str, list[dict]] = {}
    for f in sorted(log.iterdir()):
        worker = json.loads(f.read_text())
        pools.setdefault(worker["kind"], []).append(worker)
    return pools


def main() -> None:
    import tempfile

    args = checkout_args(__doc__)
    root = ensure_archive(args.articles, args.seed)
    repo = args.repo.resolve()
    compiled(repo)
    best: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory(prefix="dossier-pool-log-") as log:
        for _ in range(args.repeat):
            for kind, workers in _one(repo, root, Path(log)).items():
                n = sum(w["n"] for w in workers)
                per = sum(w["task"] for w in workers) / n
                if kind not in best or per < best[kind][0]:
                    best[kind] = (per, n, workers)
    print(f"{args.articles:,} articles, pool workers of {repo.name}/dossier, best of {args.repeat}; CPU")
    for kind, (per, n, workers) in best.items():
        gap = sum(w["gap"] for w in workers)
        first = "; ".join(", ".join(f"{t:.2f}" for t in w["first"]) for w in workers)
        print(f"{kind:28} {len(workers)} workers, {n:6,} tasks: {per * 1e3:.3f} ms a task, between tasks "
              f"{gap / n * 1e3:.3f} ms a task, page faults {sum(w['faults'] for w in workers) / n:.1f} a task; "
              f"first tasks (ms) {first}")


if __name__ == "__main__":
    main()
