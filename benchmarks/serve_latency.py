"""Save-to-served latency of the preview server on a generated archive.

    python benchmarks/serve_latency.py [--articles 10000] [--edits 5]
    python benchmarks/serve_latency.py --seed-archive [--edits 5]

Starts the preview server (the same object `python build.py serve` runs) on the
benchmark archive (or on a copy of the seed archive, ``content/`` and ``site.yaml``, with
``--seed-archive``), listens on its reload channel, then saves one article several
times by atomic rename and prints, for each save, the time until the server
announced the finished build and until the page it serves holds the new text.
The browser's own reload (about 0.1-0.15 s more, see tests/browser/test_live_reload.py)
comes on top. Prints figures; asserts nothing.
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
    args = archive_args(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    with tempfile.TemporaryDirectory(prefix="dossier-latency-") as tmp:
        work, what = edit_archive(args, Path(tmp))
        return measure(work, what, args.edits)


def measure(work: Path, what: str, edits: int) -> int:
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
    to_build, to_page = [], []
    try:
        for i in range(edits):
            marker = f"Latency probe {i}."
            seen = len(builds)
            tmp = article.with_name(f".{article.name}.tmp")
            tmp.write_text(original.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
            saved = time.perf_counter()
            os.replace(tmp, article)
            deadline = saved + 30
            while len(builds) == seen and time.perf_counter() < deadline:
                time.sleep(0.002)
            if len(builds) == seen:
                print("no build announced within 30 s")
                return 1
            to_build.append(builds[-1][0] - saved)
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
            conn.request("GET", f"/articles/{article.stem}/")
            body = conn.getresponse().read().decode()
            to_page.append(time.perf_counter() - saved)
            if marker not in body:
                print("the served page lacks the new text")
                return 1
            time.sleep(0.3)
    finally:
        article.write_text(original, encoding="utf-8")
        srv.stop()
    ms = lambda xs: ", ".join(f"{x * 1000:.0f}" for x in xs)  # noqa: E731
    print(f"save -> build announced: median {statistics.median(to_build) * 1000:.0f} ms ({ms(to_build)})")
    print(f"save -> new page served: median {statistics.median(to_page) * 1000:.0f} ms ({ms(to_page)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
