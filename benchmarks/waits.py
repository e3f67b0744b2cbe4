"""What the cores wait for, stage by stage, in one cold build (Linux only; printed, never asserted).

    .venv/bin/python benchmarks/waits.py --articles 10000
    .venv/bin/python benchmarks/waits.py --root ARCHIVE --out /tmp/out     # any archive, any output folder

The build runs in a fresh process (``build_site``, as ``run.py`` and ``timeline.py`` do). Every
``--every`` seconds this script reads, for the build's process and everything it forked (threads
included): CPU (user, system), page faults (minor, major), the state of each thread and where a
sleeping one sleeps (``/proc/<pid>/task/<tid>/wchan``); and for the whole machine: ``/proc/stat``
(busy, iowait, idle: what is busy outside the build is "others", the kernel's flusher threads among
them) and ``/proc/vmstat`` (dirty and writeback pages, pages written, the dirty thresholds).
One line per stage, then each stage's commonest waits (thread samples by wchan).
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import compiled, ensure_archive  # noqa: E402
from timeline import CHILD, stage_at  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2 ** 20
VMSTAT = ("nr_dirty", "nr_writeback", "nr_written", "nr_dirtied", "pgmajfault",
          "nr_dirty_threshold", "nr_dirty_background_threshold")


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def machine() -> dict:
    """Machine-wide CPU seconds (busy, iowait, idle) and the vmstat counters above."""
    cpu = [int(x) / TICK for x in _read("/proc/stat").splitlines()[0].split()[1:]]
    got = {"busy": sum(cpu) - cpu[3] - cpu[4], "iowait": cpu[4], "idle": cpu[3]}
    for line in _read("/proc/vmstat").splitlines():
        key, value = line.split()
        if key in VMSTAT:
            got[key] = int(value)
    return got


def processes() -> dict:
    """{pid: (ppid, name, CPU s, minor faults, major faults, system CPU s)} of every process, from one
    scan of /proc."""
    got = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _read(f"/proc/{entry.name}/stat")
            if stat is not None:
                f = stat[stat.rfind(")") + 2:].split()
                name = re.sub(r"\d+", "N", stat[stat.find("(") + 1:stat.rfind(")")])
                got[int(entry.name)] = (int(f[1]), name, (int(f[11]) + int(f[12])) / TICK, int(f[7]), int(f[9]),
                                         int(f[12]) / TICK)
    return got


def tree(pid: int, seen: dict) -> tuple[list, list]:
    """The build's processes (``pid`` first, then what it forked), and one (process role, state, wchan)
    per thread of theirs."""
    children: dict[int, list[int]] = {}
    for p, v in seen.items():
        children.setdefault(v[0], []).append(p)
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(children.get(p, ()))
    threads = []
    for i, p in enumerate(pids):
        role = "build" if i == 0 else "forked"
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tids:
            s = _read(f"/proc/{p}/task/{t}/stat")
            if s is not None:
                state = s[s.rfind(")") + 2]
                wchan = "" if state == "R" else (_read(f"/proc/{p}/task/{t}/wchan") or "?")
                threads.append((role, state, wchan or "?"))
    return pids, threads


def sample(proc: subprocess.Popen, every: float) -> list:
    """(time, build's (CPU, minflt, majflt, system CPU), forked's, machine(), threads, {name: CPU of the
    others})."""
    last: dict[int, tuple] = {}  # the last reading of every process seen (the dead stay counted)
    ours: set[int] = set()
    others: collections.Counter = collections.Counter()  # CPU s of the other processes, by name
    out = []
    while proc.poll() is None:
        now = time.time()
        m = machine()
        seen = processes()
        pids, threads = tree(proc.pid, seen)
        if proc.pid not in seen:
            break
        ours.update(pids)
        for p, v in seen.items():  # what each other process used since the last sample, under its name now
            if p not in ours and p in last and v[2] > last[p][2]:
                others[v[1]] += v[2] - last[p][2]
        last.update(seen)
        kids = tuple(sum(last[p][i] for p in ours if p != proc.pid) for i in (2, 3, 4, 5))
        out.append((now, seen[proc.pid][2:], kids, m, threads, others.copy()))
        time.sleep(every)
    return out


def report(samples: list, marks: list) -> None:
    rows: dict[str, list] = {}
    for s in samples:
        rows.setdefault(stage_at(marks, s[0]), []).append(s)
    print(f"{'stage':<15}{'wall':>7}{'build':>7}{'forked':>7}{'of it sys':>10}{'others':>7}{'iowait':>7}{'idle':>7}"
          f"{'minflt b/f (k)':>16}{'dirty MB max':>13}{'written MB':>11}")
    waits, tops = {}, {}
    prev = samples[0]
    for name, group in rows.items():
        last = group[-1]
        wall = last[0] - prev[0]
        build = last[1][0] - prev[1][0]
        forked = last[2][0] - prev[2][0]
        busy = last[3]["busy"] - prev[3]["busy"]
        print(f"{name:<15}{wall:7.2f}{build:7.2f}{forked:7.2f}"
              f"{last[1][3] - prev[1][3]:5.2f}/{last[2][3] - prev[2][3]:<5.2f}{busy - build - forked:6.2f}"
              f"{last[3]['iowait'] - prev[3]['iowait']:7.2f}{last[3]['idle'] - prev[3]['idle']:7.2f}"
              f"{(last[1][1] - prev[1][1]) / 1000:8.0f}/{(last[2][1] - prev[2][1]) / 1000:<7.0f}"
              f"{max(s[3]['nr_dirty'] for s in group) * PAGE_MB:13.0f}"
              f"{(last[3]['nr_written'] - prev[3]['nr_written']) * PAGE_MB:11.0f}")
        waits[name] = collections.Counter((role, st, w) for s in group for role, st, w in s[4])
        grew = last[5] - prev[5]
        tops[name] = ", ".join(f"{n} {c:.2f}" for n, c in grew.most_common(5) if c >= 0.05)
        prev = last
    m = samples[-1][3]
    print(f"dirty thresholds: background {m['nr_dirty_background_threshold'] * PAGE_MB:.0f} MB, "
          f"throttling {m['nr_dirty_threshold'] * PAGE_MB:.0f} MB")
    for name, counts in waits.items():
        total = sum(counts.values())
        top = ", ".join(f"{role} {st} {w} {n * 100 / total:.0f}%" for (role, st, w), n in counts.most_common(6))
        print(f"{name}: {top}")
        print(f"{'':<{len(name)}}  others' CPU s: {tops[name] or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--root", type=Path, help="an archive (default: benchmarks/_work/<articles>)")
    parser.add_argument("--out", type=Path, help="the output folder (default: a new one under /tmp); deleted after")
    parser.add_argument("--keep", action="store_true", help="keep the output (deleting 100,000 pages makes the next "
                        "build's files dearer to create for a minute or more: ext4 without a journal skips inodes freed lately)")
    parser.add_argument("--repo", type=Path, default=HERE.parent, help="the checkout whose dossier/ builds")
    parser.add_argument("--every", type=float, default=0.1, help="seconds between samples")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    root = args.root or ensure_archive(args.articles, args.seed)
    out = args.out or Path(f"/tmp/dossier-waits-{os.getpid()}/output")
    compiled(args.repo.resolve())
    shutil.rmtree(out, ignore_errors=True)
    os.sync()
    env = dict(os.environ, PYTHONPATH=str(args.repo.resolve()))
    started = time.time()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(out)], cwd=args.repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        samples = sample(proc, args.every)
        stdout, stderr = proc.communicate()
    finally:
        if not args.keep:
            shutil.rmtree(out if args.out else out.parent, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(stderr[-3000:])
    marks = json.loads(stdout.strip().splitlines()[-1])["marks"]
    print(f"{root}: process start to exit {samples[-1][0] - started:.2f} s; stages (wall s): "
          + ", ".join(f"{name} {when - prev:.2f}" for (_, prev), (name, when) in zip(marks, marks[1:])))
    report(samples, marks)


if __name__ == "__main__":
    main()
