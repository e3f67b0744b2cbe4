"""Which stages' work grows faster than the archive, and in which functions: cProfile, stage by stage.

    .venv/bin/python benchmarks/linearity.py profile --articles 10000 --save /tmp/p10k.pickle
    .venv/bin/python benchmarks/linearity.py profile --root ARCHIVE --out /tmp/o --save /tmp/p100k.pickle
    .venv/bin/python benchmarks/linearity.py compare /tmp/p10k.pickle /tmp/p100k.pickle
    .venv/bin/python benchmarks/linearity.py machine      # the same Python work on structures 10 times larger
    .venv/bin/python benchmarks/linearity.py cachesim --articles 10000 --save /tmp/cg10k.out   # valgrind
    .venv/bin/python benchmarks/linearity.py rankings --articles 10000   # other coverage and co-occurrence

``profile`` builds an archive in a fresh process with ``workers=1`` (every task in that process, so
one profiler sees all the work) under cProfile, a new profiler per stage of ``BuildResult.timings``
(``Clock.lap`` wrapped; a stage named twice adds up), and saves each stage's function statistics,
its CPU seconds (``time.process_time``, the profiler's own cost included) and the number of
articles. The output folder is deleted at the end (wait a minute before timing anything else: see
README.md, "deleted-inode tax").

``compare`` prints, per stage, the CPU an article of both builds and their ratio, then the functions
whose calls an article grow by more than ``--calls`` (default 2 %), and the functions whose own time
an article grows the most. Calls are exact and do not depend on the machine's load: a function
called more often an article in the larger archive is work that grows faster than the archive; the
same calls costing more time is the machine (caches, memory) or longer inputs (sorting, larger
pages). The functions' own times are cProfile's clock (wall-clock: noisy on a shared machine); the
stages' CPU is ``time.process_time``.

``machine`` times (CPU, best of 3, sizes alternated) two operations a build makes on structures as
large as the archive, at the sizes of 10,000 and 100,000 articles: a dictionary look-up of a random
64-bit key among 48 an article (the shared-passage index's sentence keys) and a read of an attribute
of one object among 10 an article, in random order. The same operation costs more when its structure
no longer fits in the processor's caches: that part of a stage's growth is the machine's. Printed,
never asserted.

``cachesim`` runs a ``workers=1`` build under valgrind's callgrind with its cache simulation (a 32 KiB
L1i, a 48 KiB L1d and a 32 MiB last level, as this machine's processor has; the instrumentation off
until then) for the article pages' tasks ``--skip`` to ``--skip + --tasks`` (batches of
``EXPORTS_BATCH`` reports: their pages and their exports' parts), then ends the build: instructions
and simulated cache misses of the same work at two sizes, whatever else the machine runs (the
simulation is of this process alone; ``--last-level 2097152`` simulates the 2 MiB second level as the
last instead). Read the result with ``callgrind_annotate``. Needs valgrind;
about 2 minutes at 10,000 articles, 6 at 100,000.

``rankings`` builds (two workers) up to the article pages, then, in this one process, times (CPU, two
rounds) other coverage for every report (``index.Coverage``: its postings made, then every report
ranked) and co-occurrence for every entity (``index.Together``, from the entities each body names, as
scanned), prints them an article and ends the build: the two rankings whose candidates grow with the
archive (a story's reports, an entity's co-named entities). Nothing is written but the staging folder,
deleted at the end.
"""
from __future__ import annotations

import argparse
import pickle
import random
import re
import shutil
import subprocess
import tempfile
import time
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

CHILD = r'''
import cProfile, pickle, pstats, sys, time
from pathlib import Path
from dossier import pipeline
root, out, save = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
stages, cpu = {}, {}
state = {"prof": cProfile.Profile(), "t": time.process_time()}
real_lap = pipeline.Clock.lap
def lap(self, name):
    state["prof"].disable()
    now = time.process_time()
    cpu[name] = cpu.get(name, 0.0) + now - state["t"]
    stats = pstats.Stats(state["prof"])
    if name in stages:
        stages[name].add(stats)
    else:
        stages[name] = stats
    real_lap(self, name)
    state["prof"] = cProfile.Profile()
    state["t"] = time.process_time()
    state["prof"].enable()
pipeline.Clock.lap = lap
state["prof"].enable()
result = pipeline.build_site(root, out=out, workers=1)
state["prof"].disable()
n = len(list((root / "content" / "articles").glob("*.md")))
with open(save, "wb") as f:
    pickle.dump({"articles": n, "ok": result.ok, "cpu": cpu,
                 "stats": {k: s.stats for k, s in stages.items()}}, f)
'''


PROBE = r'''
import os, subprocess, sys
from pathlib import Path
from dossier import article_pages, pipeline
root, out, skip, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
real, seen = article_pages._render_articles_task, [0]
def instrument(on):
    subprocess.run(["callgrind_control", "-i", on, str(os.getpid())], check=True, capture_output=True)
def task(state, slugs):
    seen[0] += 1
    if seen[0] == skip + 1:
        instrument("on")
    got = real(state, slugs)
    if seen[0] == skip + count:
        instrument("off")
        os._exit(0)
    return got
article_pages._render_articles_task = task
pipeline.build_site(root, out=out, workers=1)
'''

RANKINGS = r'''
import json, os, sys, time
from pathlib import Path
from dossier import index, pipeline
root, out = Path(sys.argv[1]), Path(sys.argv[2])
def rankings(site, renderer, session, *args, **kwargs):
    n, sets, of = len(site.articles), renderer.coverage.entity_sets, {}
    for slug in site.articles:
        for e in sets.get(slug, ()):
            of.setdefault(e, []).append(slug)
    got = {"articles": n}
    for rnd in (1, 2):
        t0 = time.process_time()
        coverage = index.Coverage(site, sets)
        t1 = time.process_time()
        for slug in site.articles:
            coverage.get(slug)
        t2 = time.process_time()
        together = index.Together(sets, of)
        for e in site.entities:
            together.get(e, ())
        t3 = time.process_time()
        got[f"round {rnd}"] = {"coverage postings": (t1 - t0) / n * 1e6, "coverage ranked": (t2 - t1) / n * 1e6,
                               "together": (t3 - t2) / n * 1e6}
    print(json.dumps(got, indent=1), "(µs an article)", flush=True)
    os._exit(0)
pipeline.render_articles = rankings
pipeline.build_site(root, out=out, workers=2)
'''

CACHES = ["--I1=32768,8,64", "--D1=49152,12,64"]


def cachesim(root: Path, out: Path, save: Path, skip: int, tasks: int, last_level: int) -> None:
    from run import compiled
    compiled()
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--cache-sim=yes", *CACHES, f"--LL={last_level},16,64",
           f"--callgrind-out-file={save}", sys.executable, "-c", PROBE, str(root), str(out), str(skip), str(tasks)]
    from dossier.outdir import staging_path
    try:
        subprocess.run(cmd, cwd=REPO, check=True)
    finally:  # the build ends in the article pages: its staging folder is left, never its output
        shutil.rmtree(staging_path(out), ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)


def profile(root: Path, out: Path, save: Path) -> None:
    from run import compiled
    compiled()
    try:
        subprocess.run([sys.executable, "-c", CHILD, str(root), str(out), str(save)], cwd=REPO, check=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _name(func: tuple) -> str:
    path, line, name = func
    short = path.rsplit("/site-packages/", 1)[-1].rsplit("/dossier/", 1)[-1]
    return f"{short}:{line}({name})" if line else name


def _per_article(stats: dict, n: int) -> dict:
    """function -> (calls, own seconds) an article (a built-in's address left out of its name)."""
    got: dict = {}
    for (path, line, name), v in stats.items():
        key = (path, line, re.sub(r" at 0x[0-9a-f]+", "", name))
        calls, own = got.get(key, (0.0, 0.0))
        got[key] = (calls + v[1] / n, own + v[2] / n)
    return got


def compare(small: dict, large: dict, calls_growth: float, top: int) -> None:
    ns, nl = small["articles"], large["articles"]
    print(f"CPU an article, µs (under cProfile): {ns:,} -> {nl:,} articles")
    for stage in large["cpu"]:
        a = small["cpu"].get(stage, 0.0) / ns * 1e6
        b = large["cpu"][stage] / nl * 1e6
        print(f"  {stage:14s} {a:9.1f} {b:9.1f}  x{b / a if a else float('nan'):.2f}")
    a, b = sum(small["cpu"].values()) / ns * 1e6, sum(large["cpu"].values()) / nl * 1e6
    print(f"  {'all':14s} {a:9.1f} {b:9.1f}  x{b / a:.2f}")
    for stage in large["stats"]:
        s = _per_article(small["stats"].get(stage, {}), ns)
        lg = _per_article(large["stats"][stage], nl)
        grown = []
        for f, (calls, own) in lg.items():
            c0, t0 = s.get(f, (0.0, 0.0))
            grown.append((f, c0, calls, t0, own))
        more_calls = [g for g in grown if g[2] > g[1] * (1 + calls_growth) and g[2] * nl > 100]
        more_calls.sort(key=lambda g: -(g[4] - g[3]))
        more_time = sorted(grown, key=lambda g: -(g[4] - g[3]))
        print(f"\n{stage}: calls an article grown by more than {calls_growth:.0%} (by own time gained)")
        for f, c0, c1, t0, t1 in more_calls[:top]:
            print(f"  {c0:10.2f} -> {c1:10.2f} calls  {t0 * 1e6:8.2f} -> {t1 * 1e6:8.2f} µs  {_name(f)}")
        print(f"{stage}: own time an article grown the most")
        for f, c0, c1, t0, t1 in more_time[:top]:
            print(f"  {c0:10.2f} -> {c1:10.2f} calls  {t0 * 1e6:8.2f} -> {t1 * 1e6:8.2f} µs  {_name(f)}")


class _Rec:
    __slots__ = ("slug", "n")

    def __init__(self, i: int) -> None:
        self.slug, self.n = f"article-{i}", i


def _dict_setdefault(n: int) -> float:
    """ns a ``setdefault`` of 48 random keys an article into one dictionary."""
    rng = random.Random(1)
    keys = [rng.getrandbits(64) for _ in range(n * 48)]
    slugs = [f"a{i}" for i in range(n)]
    start, where = time.process_time(), {}
    for i, slug in enumerate(slugs):
        for k in keys[i * 48:(i + 1) * 48]:
            where.setdefault(k, slug)
    return (time.process_time() - start) / len(keys) * 1e9


def _random_reads(n: int) -> float:
    """ns a read of an attribute of one of 10 objects an article, in random order."""
    recs = [_Rec(i) for i in range(n * 10)]
    order = list(range(len(recs)))
    random.Random(2).shuffle(order)
    start, total = time.process_time(), 0
    for i in order:
        total += recs[i].n
    return (time.process_time() - start) / len(order) * 1e9


def machine() -> None:
    for fn in (_dict_setdefault, _random_reads):
        best: dict[int, float] = {}
        for _ in range(3):
            for n in (10_000, 100_000):
                best[n] = min(best.get(n, float("inf")), fn(n))
        print(f"{fn.__name__.strip('_'):15s} ns an operation: {best[10_000]:6.1f} at 10,000 articles, "
              f"{best[100_000]:6.1f} at 100,000: x{best[100_000] / best[10_000]:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("profile")
    p.add_argument("--articles", type=int, help="the benchmark archive _work/<N> (written when missing)")
    p.add_argument("--root", type=Path, help="any archive instead")
    p.add_argument("--out", type=Path, help="output folder (deleted at the end); default: a temporary one")
    p.add_argument("--save", type=Path, required=True)
    c = sub.add_parser("compare")
    c.add_argument("small", type=Path)
    c.add_argument("large", type=Path)
    c.add_argument("--calls", type=float, default=0.02)
    c.add_argument("--top", type=int, default=12)
    sub.add_parser("machine")
    v = sub.add_parser("cachesim")
    v.add_argument("--articles", type=int)
    v.add_argument("--root", type=Path)
    v.add_argument("--out", type=Path)
    v.add_argument("--save", type=Path, required=True)
    v.add_argument("--skip", type=int, default=8, help="article tasks run before the instrumentation starts")
    v.add_argument("--tasks", type=int, default=50, help="article tasks measured")
    v.add_argument("--last-level", type=int, default=32 << 20,
                   help="bytes of the simulated last-level cache (default the 32 MiB third level; 2097152: the second)")
    r = sub.add_parser("rankings")
    r.add_argument("--articles", type=int)
    r.add_argument("--root", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "machine":
        machine()
        return 0
    if args.cmd in ("profile", "cachesim", "rankings"):
        from run import ensure_archive
        root = args.root or ensure_archive(args.articles, 1)
        out = getattr(args, "out", None) or Path(tempfile.gettempdir()) / f"linearity-{root.name}-output"
        if args.cmd == "rankings":
            from dossier.outdir import staging_path
            try:
                subprocess.run([sys.executable, "-c", RANKINGS, str(root), str(out)], cwd=REPO, check=True)
            finally:  # the build ends before its pages: only its staging folder was made
                shutil.rmtree(staging_path(out), ignore_errors=True)
        elif args.cmd == "profile":
            profile(root, out, args.save)
        else:
            cachesim(root, out, args.save, args.skip, args.tasks, args.last_level)
        return 0
    with open(args.small, "rb") as f:
        small = pickle.load(f)
    with open(args.large, "rb") as f:
        large = pickle.load(f)
    compare(small, large, args.calls, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
