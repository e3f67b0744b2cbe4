"""What the search index and the open data cost in a cold build: CPU seconds and Python's memory.

    python benchmarks/exports_memory.py [--articles 10000] [--workers 2] [--no-trace] [--repeat R]

Builds the benchmark archive (``_work/<N>/``, run.py's; written when missing) cold into a
temporary folder, in this process, and measures the one call that makes the exports
(``exports.exports``): its CPU time (the forked process making the search index beside the open
data included) and, under ``tracemalloc`` (which slows it down several times: ``--no-trace`` for
the time alone), the peak of Python's allocations during the call and what is still held once it
returns (what the session keeps for the next build included).  Under ``tracemalloc`` the search
index is made in this process, after the open data (``tracemalloc`` does not see a forked process's
allocations); ``--no-trace`` makes it as a build does.  ``--repeat R`` (with ``--no-trace``) calls the
exports R more times once the build's own call is done, each with an ``exports.Memory`` holding what a
cold build's holds there (the entity pages' first words, handed over by their workers; its files are
staged again over the first call's), and prints each call's CPU, in this
process and in the fork apart, and the best: on a shared machine a steadier figure than one build.
Prints; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

import dossier.pipeline as pipeline  # noqa: E402
from dossier import exports, pool  # noqa: E402
from run import ensure_archive  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10000, help="archive size (run.py's archive: _work/<N>/)")
    ap.add_argument("--workers", type=int, default=2, help="render processes")
    ap.add_argument("--no-trace", action="store_true", help="CPU time alone, without tracemalloc")
    ap.add_argument("--repeat", type=int, default=0, help="with --no-trace: R more calls after the build's, best printed")
    args = ap.parse_args()
    root = ensure_archive(args.articles, 1)
    made, got = exports.exports, {}

    def measured(*a, **kw):
        if not args.no_trace:
            tracemalloc.start()
        cpu, wall = time.process_time() + _children_cpu(), time.perf_counter()
        out = made(*a, **kw)
        got["cpu"], got["wall"] = time.process_time() + _children_cpu() - cpu, time.perf_counter() - wall
        if not args.no_trace:
            got["held"], got["peak"] = (n / 2**20 for n in tracemalloc.get_traced_memory())
            tracemalloc.stop()
        else:
            got["again"] = [_again(made, a[0], a[1]) for _ in range(args.repeat)]
        return out

    pipeline.exports.exports = measured
    term_part, real_result, here = exports._term_part, pool.Aside.result, os.getpid()

    def timed_terms(*a):  # runs in the forked process (as a build does; not under tracemalloc): prints its CPU
        cpu = time.process_time()
        out = term_part(*a)
        where = "in the forked process" if os.getpid() != here else "in this process"
        print(f"  (the search index's term files: {time.process_time() - cpu:.2f} s CPU {where})", flush=True)
        return out

    def waited(self):
        start = time.perf_counter()
        out = real_result(self)
        got["wait"] = got.get("wait", 0.0) + time.perf_counter() - start
        return out

    exports._term_part, pool.Aside.result = timed_terms, waited
    if not args.no_trace:
        aside = pool.Aside
        pool.Aside = lambda fn, fork: aside(fn, False)
    with tempfile.TemporaryDirectory() as tmp:
        result = pipeline.build_site(root, out=Path(tmp) / "out", workers=args.workers)
    stages = ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
    print(f"{args.articles} articles: build ok={result.ok}; stages: {stages}")
    print(f"exports: {got['cpu']:.2f} s CPU, {got['wall']:.2f} s wall-clock of which waiting for the term files "
          f"{got.get('wait', 0.0):.2f} s" + ("" if args.no_trace else
          f" (under tracemalloc); Python peak {got['peak']:.0f} MB during the call, {got['held']:.0f} MB held after"))
    for n, (own, fork) in enumerate(got.get("again", ()), 1):
        print(f"  call {n} again: {own + fork:.3f} s CPU ({own:.3f} in this process, {fork:.3f} in the fork)")
    if got.get("again"):
        own, fork = min(got["again"], key=sum)
        print(f"exports, best of {len(got['again'])} calls again: {own + fork:.3f} s CPU "
              f"({own:.3f} in this process, {fork:.3f} in the fork)")
    return 0


def _again(made, built, memory) -> tuple[float, float]:
    """The exports made once more as a cold build makes them (a Memory holding only what the entity
    pages' workers handed over: each entity page's first words, see ``index_pages``): (CPU seconds of
    this process, of the fork)."""
    handed = exports.Memory(texts={p: t for p, t in memory.texts.items() if p.startswith("entities/")})
    own, fork = time.process_time(), _children_cpu()
    made(built, handed, lambda name: None)
    return time.process_time() - own, _children_cpu() - fork


def _children_cpu() -> float:
    """CPU seconds of the child processes waited for so far (the exports' forked one among them)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


if __name__ == "__main__":
    raise SystemExit(main())
