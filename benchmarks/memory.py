"""Where a cold build's memory goes: resident memory after each stage, and what the big structures hold.

    python benchmarks/memory.py [--articles N] [--workers K] [--sizes] [--cli]

Builds the benchmark archive ``_work/<N>/`` (written by ``run.py``'s generator when missing) in this
process through ``build_site`` and prints, after each stage the pipeline times, the process's
resident memory (VmRSS), its peak so far (VmHWM) and the stage's CPU seconds (this process and the
workers it waited for, user + sys: comparable on a busy machine where wall-clock time is not), then
the peak of the largest worker and the build's CPU per article. With
``--sizes`` it also walks the structures alive when the exports begin (the Site, the per-article
results field by field, the index, the session's state) and prints their deep sizes: slower, and
the walk itself costs memory, so the peak printed with it is not the build's own. With ``--cli``
it runs ``build.py build`` (the build cache on, as a user runs it) in a child process instead and
prints that process's peak. Nothing is asserted: see ``README.md``, "Memory".
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def status_mb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in MiB."""
    got = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                got[line[:5]] = int(line.split()[1]) // 1024
    return got["VmRSS"], got["VmHWM"]


def deep_size(obj, seen: set) -> int:
    """Bytes of ``obj`` and everything it reaches that ``seen`` does not hold yet (then added to it)."""
    total, stack = 0, [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        total += sys.getsizeof(o)
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif isinstance(o, (str, bytes, int, float, bool, type(None), type)) or callable(o):
            continue
        elif hasattr(o, "__dict__"):
            stack.append(o.__dict__)
        else:
            stack.extend(getattr(o, s) for c in type(o).__mro__ for s in getattr(c, "__slots__", ()) if hasattr(o, s))
    return total


def print_sizes(site, results: dict, index, session) -> None:
    seen: set = set()
    mb = 2 ** 20
    print("  sizes when the exports begin (each counts only what the ones above it do not reach):")
    print(f"    site (records, maps)        {deep_size(site, seen) / mb:8.1f} MB")
    fields: dict[str, int] = defaultdict(int)
    for res in results.values():
        for name in res.__dataclass_fields__:
            fields[name] += deep_size(getattr(res, name), seen)
    for name, size in sorted(fields.items(), key=lambda kv: -kv[1]):
        if size >= mb // 10:
            print(f"    result.{name:20s} {size / mb:8.1f} MB")
    print(f"    index                       {deep_size(index, seen) / mb:8.1f} MB")
    for name in ("_loaded", "_scans", "_shared", "_coverage", "_new", "_markdown", "_pages", "exports"):
        print(f"    session.{name:19s} {deep_size(getattr(session, name, None), seen) / mb:8.1f} MB")


def in_process(root: Path, out: Path, workers: int | None, sizes: bool) -> None:
    import dossier.pipeline as pipeline

    lap = pipeline.Clock.lap
    last = [cpu_seconds()]
    n = len(list((root / "content" / "articles").glob("*.md")))

    def measured(clock, name: str) -> None:
        lap(clock, name)
        rss, hwm = status_mb()
        now = cpu_seconds()
        spent, last[0] = now - last[0], now
        print(f"  after {name:14s} RSS {rss:6d} MB   peak so far {hwm:6d} MB   CPU {spent:7.2f} s"
              f" ({spent / max(n, 1) * 1e6:6.0f} µs an article)", flush=True)

    pipeline.Clock.lap = measured
    if sizes:
        export_files = pipeline.export_files

        def walked(*args, **kwargs):
            site, _renderer, results, index, session = args[:5]
            print_sizes(site, results, index, session)
            return export_files(*args, **kwargs)

        pipeline.export_files = walked
    start = cpu_seconds()
    result = pipeline.build_site(root, out=out, workers=workers)
    spent = cpu_seconds() - start
    rss, hwm = status_mb()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"ok: {result.ok}; build process peak {hwm} MB (RSS at the end {rss} MB); largest worker {kids} MB")
    print(f"CPU of the build (this process and its workers, user + sys): {spent:.1f} s, "
          f"{spent / max(n, 1) * 1e3:.3f} ms an article ({n} articles)")


def cpu_seconds() -> float:
    """User + system seconds of this process and of the children it has waited for (the pools' workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def cli(root: Path, out: Path, workers: int | None) -> None:
    cmd = [sys.executable, str(HERE.parent / "build.py"), "build", "--root", str(root), "--out", str(out)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    with tempfile.TemporaryDirectory() as tmp:  # a fresh archive copy: no cache from an earlier run
        copy = Path(tmp) / "archive"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("output", ".dossier-cache"))
        cmd[cmd.index(str(root))] = str(copy)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run(cmd, check=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"build.py build (cache on): largest process peak {peak // 1024} MB"
          + (" (an earlier child's peak may show)" if before >= peak else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Resident memory of a cold build, stage by stage.")
    ap.add_argument("--articles", "-n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", action="store_true", help="deep sizes of the structures alive at the exports")
    ap.add_argument("--cli", action="store_true", help="measure build.py build (with its cache) instead")
    args = ap.parse_args(argv)
    import run

    root = run.ensure_archive(args.articles, args.seed)
    out = root / "output"
    shutil.rmtree(out, ignore_errors=True)
    if args.cli:
        cli(root, out, args.workers)
    else:
        in_process(root, out, args.workers, args.sizes)
    shutil.rmtree(out, ignore_errors=True)
    sys.stdout.flush()
    os._exit(0)  # as `dossier build` ends: no teardown of the heap


if __name__ == "__main__":
    sys.exit(main())
