"""A build after editing one article, with the build cache, against the cold build.

    python benchmarks/cache_rebuild.py [--articles 10000] [--repeat 3] [--workers K]

On the benchmark archive (benchmarks/generate.py): a cold build that fills the cache
(``.dossier-cache/``), then, ``--repeat`` times, one article edited (a sentence appended,
a different one each time) and a cached build, each in a fresh Python process as
``dossier build`` runs (the builder kept to the end, which is ``os._exit``). Last, a cold
build (``--no-cache``, into another folder) of the edited archive, and the two outputs compared
byte for byte. Prints wall and CPU seconds, the build's own stage timings, the time (wall and CPU,
in the build's process) of its imports, of reading and writing the cache and of what the build
call did after writing it, the build process's peak resident memory, system time and minor page
faults, and the cache folder's size; asserts nothing but the equality.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import compiled  # noqa: E402

CHILD = """
import json, sys, time
start = time.perf_counter(), time.process_time()
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import dossier.cache
from dossier.pipeline import Builder
root, out, cache, workers = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
spent = {"imports": (time.perf_counter() - start[0], time.process_time() - start[1])}

ended = {}

def timed(name, method):
    def run(*args):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return method(*args)
        finally:
            ended[name] = time.perf_counter(), time.process_time()
            spent[name] = (ended[name][0] - wall, ended[name][1] - cpu)
    return run

dossier.cache.Cache.restore = timed("cache read", dossier.cache.Cache.restore)
dossier.cache.Cache.save = timed("cache write", dossier.cache.Cache.save)
t = time.perf_counter()
builder = Builder(root, out, workers=workers, cache=cache)  # kept to the end, as `dossier build` keeps it
r = builder.build()
if "cache write" in ended:  # what the build call did once the cache was written (the collector, once)
    spent["after the cache write"] = tuple(now - then for now, then in zip((time.perf_counter(), time.process_time()),
                                                                          ended["cache write"]))
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"ok": r.ok, "seconds": time.perf_counter() - t, "timings": r.timings, "written": len(r.written),
                  "spent": spent, "peak": usage.ru_maxrss / 1024, "faults": usage.ru_minflt, "sys": usage.ru_stime}))
try:
    from dossier.cli import exit_now
except ImportError:  # an older Dossier: the interpreter's own exit
    sys.exit(0)
exit_now(0)  # as `dossier build` ends: no teardown of the heap
"""


def run(root: Path, out: Path, cache: bool, workers: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(HERE.parent), str(root), str(out), "1" if cache else "0",
                           str(workers)], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = json.loads(done.stdout.strip().splitlines()[-1])
    res["wall"], res["cpu"] = wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return res


def show(label: str, res: dict) -> None:
    stages = ", ".join(f"{k} {v:.2f}" for k, v in res["timings"].items())
    spent = ", ".join(f"{k} {wall:.2f} s ({cpu:.2f} s CPU)" for k, (wall, cpu) in res["spent"].items())
    print(f"{label}: process {res['wall']:.2f} s wall, {res['cpu']:.2f} s CPU (user+sys, workers included); "
          f"build {res['seconds']:.2f} s; {res['written']} files written\n    stages: {stages}\n"
          f"    in this process: {spent}")
    if "peak" in res:  # the build's own process: its peak resident memory, its system time, its page faults
        print(f"    the build's process: peak {res['peak']:.0f} MB, {res['sys']:.2f} s system time, "
              f"{res['faults']:,} minor page faults")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 8))
    args = ap.parse_args()
    compiled()  # every build runs in a fresh process: Dossier's modules as an installed copy has them (see run.py)
    work = HERE / "_work" / f"cache-{args.articles}"
    shutil.rmtree(work, ignore_errors=True)
    generate(work, args.articles)
    out = work / "output"
    show("cold build, filling the cache", run(work, out, True, args.workers))
    cache = work / ".dossier-cache"
    print(f"cache: {sum(p.stat().st_size for p in cache.rglob('*') if p.is_file()) / 2**20:.0f} MiB in {cache.name}/")
    articles = sorted((work / "content" / "articles").glob("*.md"))
    best = None
    for i in range(args.repeat):
        path = articles[(i + 1) * len(articles) // (args.repeat + 1)]
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\nAn edit, number {i}.\n", encoding="utf-8")
        res = run(work, out, True, args.workers)
        show(f"cached build after editing {path.name}", res)
        best = res if best is None or res["wall"] < best["wall"] else best
    print(f"best cached rebuild of {args.repeat}: {best['wall']:.2f} s wall, {best['cpu']:.2f} s CPU")
    cold = work / "cold-output"
    show("cold build of the edited archive, no cache", run(work, cold, False, args.workers))
    same = tree(out) == tree(cold)
    print("cached output equals the cold build byte for byte:", "yes" if same else "NO")
    shutil.rmtree(cold)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
