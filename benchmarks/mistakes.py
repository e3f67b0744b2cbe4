"""What a run with a mistake in every article costs, next to a clean run of the same archive.

    python benchmarks/mistakes.py [--articles 500 1000 2000]

For each size, a synthetic archive (``generate.py``) is checked as it is, then with every
article's outlet misspelt and an unknown wikilink appended (two errors per article, each
asking for a "did you mean"). Prints seconds and the ratio per doubling; asserts nothing.
Suggestions have a fixed budget of comparisons per build, so the second column should grow
like the first.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from dossier.pipeline import Builder  # noqa: E402


def spoil(root: Path) -> None:
    for path in sorted((root / "content" / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^outlet: (\S+)$", lambda m: f"outlet: {m.group(1)[:-1]}x", text, count=1, flags=re.M)
        path.write_text(text + f"\nSee [[{path.stem[:-2]}]].\n", encoding="utf-8")


def timed_check(root: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = Builder(root, Path(tmp) / "out", workers=1).build()
    return time.perf_counter() - t0, len(result.errors)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, nargs="+", default=[500, 1000, 2000])
    args = ap.parse_args()
    print(f"{'articles':>8} {'clean s':>8} {'errors':>7} {'spoilt s':>9} {'errors':>7} {'x/doubling':>11}")
    last = None
    for n in args.articles:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "archive"
            generate(root, n)
            clean, e0 = timed_check(root)
            spoil(root)
            spoilt, e1 = timed_check(root)
        ratio = f"{spoilt / last:.2f}" if last else "-"
        print(f"{n:>8} {clean:>8.2f} {e0:>7} {spoilt:>9.2f} {e1:>7} {ratio:>11}", flush=True)
        last = spoilt


if __name__ == "__main__":
    main()
