"""What the preview's rebuild after a save costs, in one process, without the server.

    python benchmarks/preview_rebuild.py [--articles 10000] [--edits 5]
    python benchmarks/preview_rebuild.py --seed-archive

Builds the archive of ``serve_latency.py`` (``_work/serve-N``, written when missing) the way
the preview does (``Builder(..., preview=True, swap=False)``, one process after the first build),
then appends a sentence to one article several times and, for each save, prints the rebuild's
CPU seconds and wall-clock seconds until its pages are committed (what the reload waits for), the
pages it rendered again (``BuildResult.rendered``), its stages, and the CPU of the search index
and data files that follow (``BuildResult.later``). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from dossier.pipeline import Builder  # noqa: E402
from serve_latency import archive_args, edit_archive  # noqa: E402


def main() -> int:
    args = archive_args(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    with tempfile.TemporaryDirectory(prefix="dossier-rebuild-") as tmp:
        work, _ = edit_archive(args, Path(tmp))
        return measure(work, Path(tmp) / "out", args.edits)


def measure(work: Path, out: Path, edits: int) -> int:
    builder = Builder(work, out, preview=True, swap=False)
    start = time.perf_counter()
    first = builder.build()
    if first.later is not None:
        first.later()
    builder.workers = 1  # as the preview does after its first build
    print(f"first build: {time.perf_counter() - start:.1f} s, {first.pages} pages")
    articles = sorted((work / "content" / "articles").glob("*.md"))
    article = articles[len(articles) // 2]
    original = article.read_text(encoding="utf-8")
    cpus = []
    try:
        for i in range(edits):
            article.write_text(original.rstrip("\n") + f"\n\nRebuild probe {i}.\n", encoding="utf-8")
            cpu, wall = time.process_time(), time.perf_counter()
            result = builder.build({article})
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if not result.ok:
                print("the rebuild failed:", *[str(e) for e in result.errors[:3]])
                return 1
            later = time.process_time()
            if result.later is not None:
                result.later()
            cpus.append(cpu)
            stages = ", ".join(f"{k} {v * 1000:.0f}" for k, v in result.timings.items())
            print(f"save {i}: {cpu * 1000:.0f} ms CPU, {wall * 1000:.0f} ms wall, {len(result.rendered)} pages rendered "
                  f"again; stages (ms, wall): {stages}; then search index and data {(time.process_time() - later) * 1000:.0f} ms CPU")
    finally:
        article.write_text(original, encoding="utf-8")
    print(f"rebuild after a save: median {statistics.median(cpus) * 1000:.0f} ms CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
