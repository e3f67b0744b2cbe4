"""Save-to-served latency of the preview server on a generated archive.

    python benchmarks/serve_latency.py [--articles 10000] [--edits 5] [--into 0.1]
    python benchmarks/serve_latency.py --seed-archive [--edits 5] [--into 0]

Starts the preview server (the same object `python build.py serve` runs) on the
benchmark archive (or on a copy of the seed archive, ``content/`` and ``site.yaml``, with
``--seed-archive``), listens on its reload channel, then saves one article several
times by atomic rename and prints, for each save, the time until the server
announced the finished build and until the page it serves holds the new text.
The browser's own reload (about 0.1-0.15 s more, see tests/browser/test_live_reload.py)
comes on top.

Two kinds of save: while the server is idle (each 0.3 s after the last page was served, so the
search index and data, which wait for a quiet second, never run), then, ``--edits`` more, each
landing ``--into`` seconds after the server began the search index and data of the save before
(``PreviewServer._finish``, ``state.after``). Each "during" save is counted as such only when
that update was still running as the file was written (its count is printed).

Wall-clock figures move with the machine's load; beside them, two CPU figures of the thread that
rebuilds (its own clock, ``pthread_getcpuclockid``), which do not: what it spent from the moment the
watcher queued the save until the save's build began (the rest of an update, or what giving way
took; 0 when idle), and that build's own CPU. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import statistics
import tempfile
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from dossier.serve import PreviewServer  # noqa: E402
from generate import generate  # noqa: E402


def archive_args(ap: argparse.ArgumentParser) -> argparse.Namespace:
    """The archive options of this script and of ``preview_rebuild.py``, parsed."""
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--seed-archive", action="store_true", help="the seed archive (content/, site.yaml), copied")
    return ap.parse_args()


def edit_archive(args: argparse.Namespace, tmp: Path) -> tuple[Path, str]:
    """The archive whose article is saved, and what to call it: a copy of the seed archive in
    ``tmp``, or the generated ``_work/serve-N`` (written when missing)."""
    if args.seed_archive:
        work = tmp / "seed"
        shutil.copytree(HERE.parent / "content", work / "content")
        shutil.copy2(HERE.parent / "site.yaml", work / "site.yaml")
        return work, "the seed archive"
    work = HERE / "_work" / f"serve-{args.articles}"
    if not (work / "content" / "articles").is_dir():
        shutil.rmtree(work, ignore_errors=True)
        generate(work, args.articles)
    return work, f"{args.articles} articles"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--into", type=float, default=None,
                    help="seconds into the search index's update that a 'during' save lands (default: "
                         "0.1 with a generated archive, 0 with the seed archive)")
    args = archive_args(ap)
    with tempfile.TemporaryDirectory(prefix="dossier-latency-") as tmp:
        work, what = edit_archive(args, Path(tmp))
        into = args.into if args.into is not None else 0.0 if args.seed_archive else 0.1
        return measure(work, what, args.edits, into)


def measure(work: Path, what: str, edits: int, into: float = 0.1) -> int:
    t0 = time.perf_counter()
    srv = PreviewServer(work, port=0, stdout=io.StringIO(), stderr=io.StringIO()).start()
    print(f"initial build of {what}: {time.perf_counter() - t0:.1f} s")
    builds: list[tuple[float, dict]] = []
    ready = threading.Event()

    def listen() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
        conn.request("GET", "/_dossier/events")
        resp = conn.getresponse()
        ready.set()
        for raw in resp.fp:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("data:"):
                builds.append((time.perf_counter(), json.loads(line[5:])))

    threading.Thread(target=listen, daemon=True).start()
    ready.wait(10)
    time.sleep(0.2)  # let the greeting event arrive before the first save
    articles = sorted((work / "content" / "articles").glob("*.md"))
    article = articles[len(articles) // 2]
    original = article.read_text(encoding="utf-8")
    updates = Updates(srv)
    idle: list[tuple] = []
    during: list[tuple] = []
    missed = 0
    try:
        for i in range(edits):  # idle: the search index waits for a quiet second, and never gets one
            got = save_and_serve(srv, builds, article, original, f"Latency probe {i}.", updates)
            if got is None:
                return 1
            idle.append(got)
            time.sleep(0.3)
        for i in range(edits):  # each landing ``into`` seconds into the update the save before began
            if not updates.began.wait(30):
                print("no search index update began within 30 s")
                return 1
            time.sleep(into)
            got = save_and_serve(srv, builds, article, original, f"Latency probe during {i}.", updates)
            if got is None:
                return 1
            if updates.landed:
                during.append(got)
            else:
                missed += 1
    finally:
        article.write_text(original, encoding="utf-8")
        srv.stop()
    ms = lambda xs: ", ".join(f"{x * 1000:.0f}" for x in xs)  # noqa: E731
    for name, got in (("idle", idle), (f"during the search index's update ({into:g} s into it)", during)):
        if not got:
            print(f"saves {name}: none")
            continue
        print(f"saves {name}, {len(got)}:")
        for n, what in enumerate(("save -> build announced", "save -> new page served",
                                  "rebuild thread's CPU from the save's arrival to its build",
                                  "the save's build, CPU")):
            xs = [g[n] for g in got]
            print(f"  {what}: median {statistics.median(xs) * 1000:.0f} ms ({ms(xs)})")
    if missed:
        print(f"  ({missed} of the {edits} 'during' saves came after the update had ended: not counted)")
    if updates.spent:
        print(f"search index updates: {len(updates.spent)}, each {ms(updates.spent)} ms (wall-clock; "
              "one that gave way to a save ends early)")
    return 0


class Updates:
    """Watches the server's search index updates (``state.after``): ``began`` is set as one begins;
    ``landed`` says whether the last update was still running when ``saving()`` was called. Also the
    CPU clock of the thread that rebuilds (``cpu()``) as the watcher queued the first event after
    ``saving()`` (``arrived``) and as the next build began and ended (``built``)."""

    def __init__(self, srv: PreviewServer) -> None:
        self.began = threading.Event()
        self.running = False
        self.landed = False
        self.spent: list[float] = []
        self.thread = srv._loop
        self.arrived: float | None = None
        self.built: tuple[float, float] | None = None
        real = srv.dev.state.after
        enqueue, attempt = srv.watcher._enqueue, srv.dev.attempt

        def queued(item):
            if self.arrived is None:
                self.arrived = self.cpu()
            return enqueue(item)

        def build(changed=None):
            start = time.thread_time()
            try:
                return attempt(changed)
            finally:
                self.built = (start, time.thread_time())

        srv.watcher._enqueue = queued
        srv.dev.attempt = build

        def after(fn, *args, **kwargs):
            self.running = True
            self.began.set()
            start = time.perf_counter()
            try:
                return real(fn, *args, **kwargs)
            finally:
                self.running = False
                self.spent.append(time.perf_counter() - start)

        srv.dev.state.after = after

    def cpu(self) -> float:
        return time.clock_gettime(time.pthread_getcpuclockid(self.thread.ident))

    def saving(self) -> None:
        self.landed = self.running
        self.began.clear()
        self.arrived = self.built = None


def save_and_serve(srv: PreviewServer, builds: list, article: Path, original: str, marker: str,
                   updates: Updates) -> tuple | None:
    """Save ``article`` with ``marker`` appended; (save -> build announced, save -> page served, the rebuild
    thread's CPU from the save's arrival to its build, that build's CPU), seconds."""
    seen = len(builds)
    tmp = article.with_name(f".{article.name}.tmp")
    tmp.write_text(original.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
    updates.saving()
    saved = time.perf_counter()
    os.replace(tmp, article)
    deadline = saved + 30
    while len(builds) == seen and time.perf_counter() < deadline:
        time.sleep(0.002)
    if len(builds) == seen:
        print("no build announced within 30 s")
        return None
    announced = builds[-1][0] - saved
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    conn.request("GET", f"/articles/{article.stem}/")
    body = conn.getresponse().read().decode()
    served = time.perf_counter() - saved
    if marker not in body:
        print("the served page lacks the new text")
        return None
    (start, end), arrived = updates.built, updates.arrived
    return announced, served, start - arrived, end - start


if __name__ == "__main__":
    raise SystemExit(main())
