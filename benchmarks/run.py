"""Benchmark a cold build of a synthetic archive.

    python benchmarks/run.py [--articles N] [--workers K] [--repeat R] [--keep] [--baseline] [--cli]

Generates the archive into ``benchmarks/_work/<N>/`` (only when it is missing or
was made by another seed or another version of ``generate.py``), moves
``_work/<N>/output`` aside (deleted when the script ends) and builds it in a fresh
Python process, then prints the figures.  Nothing is asserted: this measures, it does not judge.  See
``benchmarks/README.md`` for how to read the output.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import compare  # noqa: E402
import floor  # noqa: E402
import hugo_site  # noqa: E402

REPO = HERE.parent
WORK = HERE / "_work"
STAMP = ".benchmark-stamp.json"


# ----------------------------------------------------------------------------- archive

def _stamp(n: int, seed: int) -> dict:
    src = (HERE / "generate.py").read_bytes()
    return {"articles": n, "seed": seed, "generator": hashlib.sha256(src).hexdigest()[:16]}


def ensure_archive(n: int, seed: int, force: bool = False) -> Path:
    root = WORK / str(n)
    stamp_file = root / STAMP
    want = _stamp(n, seed)
    try:
        have = json.loads(stamp_file.read_text())
    except (OSError, ValueError):
        have = None
    if have == want and not force and (root / "content").is_dir():
        print(f"archive: {_display(root)} (reused)")
        return root
    sys.path.insert(0, str(HERE))
    from generate import generate  # noqa: E402

    t0 = time.perf_counter()
    generate(root, n, seed)
    stamp_file.write_text(json.dumps(want) + "\n")
    print(f"archive: {_display(root)} (generated in {time.perf_counter() - t0:.2f} s)")
    return root


def _display(p: Path) -> str:
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.as_posix()


# ----------------------------------------------------------------------------- memory sampling

def _proc_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc (Linux only)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(rest[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _status_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) in KiB, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except OSError:
        return None
    rss = hwm = 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    return rss, hwm


class TreeSampler(threading.Thread):
    """Samples the RSS of a process tree every ``interval`` seconds.

    ``peak_total`` is the largest sum of RSS seen at one instant (shared
    copy-on-write pages of forked workers count once per process, so it
    overstates real use); ``hwm`` maps each pid seen to its own peak RSS
    (the last VmHWM read before it exited, so a peak reached in the final
    ``interval`` may be missed).
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.stop = threading.Event()
        self.peak_total = 0
        self.peak_procs = 0
        self.hwm: dict[int, int] = {}
        self.available = Path("/proc/self/status").exists()

    def run(self) -> None:
        if not self.available:
            return
        while not self.stop.is_set():
            total = 0
            pids = _proc_tree(self.pid)
            for pid in pids:
                st = _status_kb(pid)
                if st is None:
                    continue
                total += st[0]
                self.hwm[pid] = max(self.hwm.get(pid, 0), st[1])
            self.peak_total = max(self.peak_total, total)
            self.peak_procs = max(self.peak_procs, len(pids))
            self.stop.wait(self.interval)


# ----------------------------------------------------------------------------- the same start for every tool

PACKAGES = ("dossier", "jinja2", "markupsafe", "markdown_it", "yaml", "ahocorasick", "ahocorasick_rs", "mdurl")


def _read_all(path: Path) -> int:
    """Read every file under ``path`` (or ``path`` itself) once, so that it is in the page cache; bytes read."""
    total = 0
    paths = [path] if path.is_file() else [Path(d) / f for d, _dirs, files in os.walk(path) for f in files]
    for p in paths:
        try:
            with open(p, "rb") as f:
                while chunk := f.read(1 << 20):
                    total += len(chunk)
        except OSError:
            pass
    return total


def warm_inputs(mode: str, root: Path, hugo: str | None) -> list[Path]:
    """What a run of ``mode`` reads, made to be in the page cache before it is timed: the archive (the
    Hugo copy for Hugo), the program (Python and the packages the build imports, or Hugo's binary)."""
    import importlib.util

    if mode == "hugo":
        paths = [root, Path(shutil.which(hugo) or hugo)]
    else:
        paths = [root / "content", root / "site.yaml", Path(sys.executable).resolve(), REPO / "layouts"]
        for name in PACKAGES:
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin:
                origin = Path(spec.origin)
                paths.append(origin.parent if spec.submodule_search_locations else origin)
    for p in paths:
        _read_all(p)
    return paths


def compiled(repo: Path = REPO) -> None:
    """Dossier's modules compiled to bytecode (``__pycache__``, git-ignored) before any run is timed, as
    an installed Dossier is (pip compiles a wheel's modules) and as the floor's and Dossier's libraries
    in the virtual environment are. Where ``PYTHONDONTWRITEBYTECODE`` is set (this project's sessions)
    no run writes them, and every run compiled Dossier's 40-odd modules again: about 0.04 s of CPU, a
    cost of the checkout, not of the program (until 2026-11-24's third session)."""
    import compileall

    compileall.compile_dir(str(repo / "dossier"), quiet=1)


ASIDE = WORK / ".aside"  # earlier runs' outputs, moved here and deleted when run.py ends (see ``set_aside``)


def set_aside(path: Path) -> None:
    """Move ``path`` (an earlier run's output) out of the way, to be deleted only when run.py ends
    (``clear_aside``). Deleting it here would tax the next run: on ext4 without a journal (this
    machine's disk) a new inode skips every inode of its group freed in the last minute or so
    (``recently_deleted``), one look-up each, so a build right after 20,000 pages were deleted paid
    about 0.5 ms of kernel time a page more (2026-11-24, sixth session: see benchmarks/README.md)."""
    if path.exists():
        ASIDE.mkdir(parents=True, exist_ok=True)
        path.rename(Path(tempfile.mkdtemp(dir=ASIDE)) / path.name)


def clear_aside() -> None:
    """Delete what ``set_aside`` kept, a cut-short run's too (the last thing run.py does)."""
    shutil.rmtree(ASIDE, ignore_errors=True)


def same_start(mode: str, root: Path, out: Path, hugo: str | None) -> None:
    """Every tool starts the same way: its output folder gone (set aside, not deleted: ``set_aside``),
    its inputs and program in the page cache, and nothing of an earlier run (or of deleting its output)
    left to write back to the disk (``sync``), so that no run pays for another's writes. Until 2026-11-24's
    third session only the output folder was deleted, and the page cache held whatever the last run had
    left (see benchmarks/README.md); until its sixth, the output folder was deleted right before the run."""
    set_aside(out)
    set_aside(out.parent / "hugo_cache")
    warm_inputs(mode, root, hugo)
    if hasattr(os, "sync"):
        os.sync()


def measure(mode: str, root: Path, out: Path, workers: int | None, hugo: str | None = None) -> dict:
    """One cold run in a fresh process; returns the child's report plus what the parent saw.
    ``mode``: build (``build_site``), cli (``build.py build``), baseline (the floor) or hugo."""
    same_start(mode, root, out, hugo)
    fd, tmp = tempfile.mkstemp(prefix="dossier-bench-", suffix=".json")
    os.close(fd)
    result_file = Path(tmp)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if mode == "hugo":
        cmd = hugo_site.command(hugo, root, out)
    elif mode == "cli":
        cmd = [sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--out", str(out)]
        if workers is not None:
            cmd += ["--workers", str(workers)]
    else:
        cmd = [sys.executable, str(HERE / "child.py"), mode, str(root), str(out), str(result_file)]
        if workers is not None:
            cmd.append(str(workers))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    process_wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        data = json.loads(result_file.read_text()) if mode in ("build", "bare", "baseline") else {}
    except ValueError:
        data = {}
    finally:
        result_file.unlink(missing_ok=True)
    if mode in ("cli", "hugo"):
        data = {"ok": proc.returncode == 0, "errors": [], "warnings": [], "pages": None, "written": None,
                "seconds": None, "timings": {}, "wall": None, "import": None}
        if proc.returncode != 0:
            data["errors"] = [line for line in (stdout + stderr).splitlines() if line.strip()][:50]
    data["returncode"] = proc.returncode
    data["process_wall"] = process_wall
    data["stdout_tail"] = stdout[-2000:]
    data["stderr_tail"] = stderr[-4000:]
    # RUSAGE_CHILDREN is cumulative over every child this process has waited for, so it
    # only shows this run's peak when it is the largest so far (first run, or a new high).
    data["parent_children_maxrss_kb"] = after
    data["parent_children_maxrss_new_high"] = after > before
    data["tree_peak_total_kb"] = sampler.peak_total
    data["tree_sum_of_peaks_kb"] = sum(sampler.hwm.values())
    data["tree_max_peak_kb"] = max(sampler.hwm.values(), default=0)
    data["tree_processes"] = len(sampler.hwm)
    data["files"], data["bytes"] = _count_files(out)
    data["search_files"], data["search_bytes"] = _count_files(out / "search")
    data["data_files"], data["data_bytes"] = _count_files(out / "data")
    return data


def _count_files(out: Path) -> tuple[int, int]:
    n = size = 0
    if out.is_dir():
        for dirpath, _dirs, files in os.walk(out):
            for name in files:
                n += 1
                try:
                    size += os.lstat(os.path.join(dirpath, name)).st_size
                except OSError:
                    pass
    return n, size


# ----------------------------------------------------------------------------- report

def _print_capped(title: str, lines: list[str], cap: int) -> None:
    if not lines:
        return
    print(f"{title} ({len(lines)}):")
    for line in lines[:cap]:
        print("  " + line)
    if len(lines) > cap:
        print(f"  ... and {len(lines) - cap} more")


def _mb(kb: int | None) -> str:
    return "-" if not kb else f"{kb / 1024:.0f} MB"


def report(title: str, runs: list[dict], n: int) -> dict | None:
    print(f"\n== {title} ==")
    ok_runs = [r for r in runs if r.get("returncode") == 0 and r.get("ok")]
    times = [r.get("wall") or r["process_wall"] for r in runs]
    if len(runs) > 1:
        print("runs (s):        " + ", ".join(f"{t:.2f}" for t in times))
    best = min(ok_runs or runs, key=lambda r: r.get("wall") or r["process_wall"])
    if best.get("returncode") != 0 and not best.get("errors"):
        print(f"process failed (exit {best.get('returncode')}):")
        print(best.get("stderr_tail", "").rstrip() or best.get("stdout_tail", "").rstrip())
        return None
    secs = best.get("wall") or best["process_wall"]
    print(f"articles:        {n}")
    print(f"ok:              {best.get('ok')}")
    print(f"total seconds:   {secs:.2f}" + ("  (build call)" if best.get("wall") else "  (process)"))
    print(f"process seconds: {best['process_wall']:.2f}  (interpreter start, imports, build, exit)")
    if best.get("seconds") is not None and best.get("wall"):
        print(f"result.seconds:  {best['seconds']:.2f}")
    print(f"ms per article:  {secs * 1000 / max(n, 1):.2f}")
    if best.get("pages") is not None:
        print(f"pages (html):    {best['pages']}")
    print(f"files in output: {best['files']}  ({best['bytes'] / 1e6:.1f} MB)")
    if best.get("written") is not None and best.get("wall") and not title.startswith("Python floor"):
        print(f"files written:   {best['written']}  (BuildResult.written)")
    timings = best.get("timings") or {}
    if best.get("search_files"):
        took = timings.get("search index")
        print(f"search index:    {best['search_bytes'] / 1e6:.2f} MB in {best['search_files']} files (search/)"
              + (f", indexed in {took:.2f} s ({took * 1000 / max(n, 1):.2f} ms/article)" if took is not None else ""))
    if best.get("data_files"):
        took = timings.get("open data")
        print(f"open data:       {best['data_bytes'] / 1e6:.2f} MB in {best['data_files']} files (data/)"
              + (f", made in {took:.2f} s" if took is not None else ""))
    if timings:
        total = sum(timings.values()) or 1.0
        width = max(len(k) for k in timings)
        print("stage timings:")
        for name, s in timings.items():
            print(f"  {name:<{width}}  {s:8.3f} s  {100 * s / total:5.1f} %  {s * 1000 / max(n, 1):7.3f} ms/article")
        print(f"  {'(sum)':<{width}}  {sum(timings.values()):8.3f} s")
    print("peak memory:")
    if best.get("self_maxrss_kb") is not None:
        print(f"  build process (its own ru_maxrss):             {_mb(best.get('self_maxrss_kb'))}")
        print(f"  largest worker (ru_maxrss of its children):    {_mb(best.get('children_maxrss_kb'))}")
    note = "" if best.get("parent_children_maxrss_new_high") else "  (an earlier run's high: cumulative)"
    print(f"  RUSAGE_CHILDREN from this script (max of all): {_mb(best.get('parent_children_maxrss_kb'))}{note}")
    if best.get("tree_processes"):
        print(f"  sum of per-process peaks (/proc VmHWM, {best['tree_processes']} procs): "
              f"{_mb(best.get('tree_sum_of_peaks_kb'))}")
        print(f"  peak simultaneous RSS of the tree (sampled):   {_mb(best.get('tree_peak_total_kb'))}"
              "  (shared fork pages counted per process)")
    errors = best.get("errors") or []
    warnings = best.get("warnings") or []
    _print_capped("errors", errors, 40)
    _print_capped("warnings", warnings, 15)
    if best.get("returncode") not in (0, None) and best.get("stderr_tail"):
        print("stderr (tail):")
        print(best["stderr_tail"].rstrip())
    return best


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def run_size(n: int, args: argparse.Namespace, hugo: str | None) -> dict:
    """Dossier, Hugo and the floor, cold, on the archive of ``n`` articles; the best run of each. The
    runs alternate (Dossier, Hugo, the floor, then again), so that a busy moment of the machine or of
    its disk falls on all three alike, and each starts as :func:`same_start` says."""
    root = ensure_archive(n, args.seed, args.regenerate)
    tools = []  # (key, title, mode, input, output folder, hugo)
    if not args.no_build:
        tools.append(("dossier", f"Dossier cold build ({'build.py' if args.cli else 'build_site'})",
                      "cli" if args.cli else "build", root, root / "output", None))
        if not args.cli and not args.no_bare:
            tools.append(("bare", "Dossier without the search index and the open data (benchmark only: bare.py)",
                          "bare", root, root / "bare_output", None))
    if hugo:
        site = hugo_site.export(root, json.dumps(_stamp(n, args.seed)) + hugo_site.__doc__)
        tools.append(("hugo", "Hugo cold build (hugo --source hugo/)", "hugo", site, root / "hugo_output", hugo))
    if not args.no_floor:
        tools.append(("floor", f"Python floor: markdown-it commonmark + trivial Jinja2 + write, {floor.PROCESSES} "
                      "processes (articles only)", "baseline", root, root / "baseline_output", None))
    runs: dict = {key: [] for key, *_ in tools}
    for _ in range(max(1, args.repeat)):
        for key, _title, mode, src, out, exe in tools:
            runs[key].append(measure(mode, src, out, args.workers if key == "dossier" else None, exe))
    best: dict = {"articles": n}
    for key, title, _mode, _src, out, _exe in tools:
        best[key] = report(title, runs[key], n)
        if not args.keep:
            set_aside(out)
    compare.print_size(best)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark a cold Dossier build of a synthetic archive, beside Hugo.")
    ap.add_argument("--articles", "-n", type=_sizes, default=[1000],
                    help="articles in the archive, or several sizes: 1000,10000 (default 1000)")
    ap.add_argument("--workers", type=int, default=None, help="render processes (default: the generator's own)")
    ap.add_argument("--repeat", type=int, default=1, help="cold builds of each kind; the fastest is reported")
    ap.add_argument("--keep", action="store_true", help="keep the output folders under _work/<N>/ afterwards")
    ap.add_argument("--no-hugo", action="store_true", help="do not build the archive with Hugo")
    ap.add_argument("--no-floor", action="store_true", help="do not measure the Python floor")
    ap.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)  # the floor is measured by default
    ap.add_argument("--no-build", action="store_true", help="skip the Dossier build (only Hugo and the floor)")
    ap.add_argument("--no-bare", action="store_true",
                    help="do not measure a build without the search index and the open data (bare.py)")
    ap.add_argument("--cli", action="store_true",
                    help="build through 'python build.py build' instead of build_site() (no stage timings)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--regenerate", action="store_true", help="write the archive again even if it is current")
    args = ap.parse_args(argv)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, workers={args.workers or 'default'}")
    hugo = None
    if not args.no_hugo:
        hugo, line = hugo_site.ensure_hugo()
        print(line)
    compiled()
    try:
        results = [run_size(n, args, hugo) for n in args.articles]
    finally:
        clear_aside()
    compare.print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
