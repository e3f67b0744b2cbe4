"""What changes of what the search index holds would save: CPU of each candidate, beside today's index.

    python benchmarks/search_candidates.py [--articles 1000] [--repeat 3] [--site OUT]

Builds the benchmark archive (``_work/<N>/``, run.py's; written when missing) into a temporary folder
(or reads ``--site``, a built output folder), takes the search records back from its record chunks
(``search/x/``: url, title, type, meta and text, as the build made them; their filters are left out),
and times in this process, best of ``--repeat`` (CPU seconds, the candidates alternated each round):

- **stop list**: the term files (``search.term_files``) of every record's words, all of them and without
  the common English function words of ``STOP`` (a stop list as Lunr or MkDocs' search keep), with the
  postings, files and bytes of each;
- **presence only**: counting a report's words (``search.count_words``) as today, and the split and
  ``dict.fromkeys`` a weight without the term's frequency would need instead of a ``Counter``;
- **record chunks**: making the record chunk and filter files (``search.record_files``) with chunks of
  16,000 to 64,000 characters and writing them to new files under ``_work/`` (creating a file is most of
  their cost), with the number of chunk files and their median size (what a result's fetch costs a reader).

Changes nothing in Dossier and asserts nothing: each candidate is patched in for its own timing only.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from dossier import pipeline, search  # noqa: E402
from run import ensure_archive  # noqa: E402

WORK = Path(__file__).resolve().parent / "_work"
# Words of grammar, not of subject: articles, pronouns, prepositions, conjunctions and auxiliary verbs.
# Left out on purpose: words that are also names or subjects in news ("may", "will", "us", "can", "said").
STOP = frozenset(w.encode("ascii") for w in """
a an and are as at be been but by could did do does for from had has have he her hers him his i if in into
is it its me my not of on or our she should so than that the their them then there these they this those
to was we were what when where which while who whom why with would you your""".split())
CHUNKS = (16_000, 32_000, 48_000, 64_000)


def records_of(site: Path) -> list[search.Record]:
    """The search records of a built site, from its record chunks."""
    manifest = json.loads((site / "search" / "index.json").read_text("utf-8"))
    out = []
    for n in range(len(manifest["chunks"])):
        for url, title, kind, meta, text in json.loads((site / "search" / "x" / f"{n}.json").read_text("utf-8")):
            out.append(search.Record(url, title, text, kind, (), tuple(meta.items())))
    return out


def cpu(fn) -> float:
    """The CPU seconds of one call of ``fn``."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def without_stop_words(count):
    def counted(rec):
        counts, title = count(rec)
        for word in STOP:
            counts.pop(word, None)
        return counts, {t: None for t in title if t not in STOP}
    return counted


def stop_list(records: list[search.Record], repeat: int) -> None:
    real = search._count
    words = {"all words": [search.count_words(r) for r in records]}
    search._count = without_stop_words(real)
    try:
        words["stop list"] = [search.count_words(r) for r in records]
    finally:
        search._count = real
    got = {name: [] for name in words}
    for _ in range(repeat):
        for name, ws in words.items():
            got[name].append(cpu(lambda ws=ws: list(search.term_files(ws, len(records), {}, False))))
    for name, ws in words.items():
        made: dict = {}
        files = list(search.term_files(ws, len(records), made, False))
        print(f"  term files, {name:9}: {min(got[name]):.3f} s CPU (best of {repeat}), {len(files)} files, "
              f"{sum(len(o.data) for o in files) / 1e6:.2f} MB, {sum(made['df'].values()):,} postings")


def presence_only(records: list[search.Record], repeat: int) -> None:
    reports = [r for r in records if r.type == "Report"]
    raw = [search._folded(r.content) for r in reports]
    timings = {"count_words (today)": lambda: [search.count_words(r) for r in reports],
               "  of which Counter(split)": lambda: [Counter(x.split()) for x in raw],
               "dict.fromkeys(split) instead": lambda: [dict.fromkeys(x.split()) for x in raw]}
    got = {name: [] for name in timings}
    for _ in range(repeat):
        for name, fn in timings.items():
            got[name].append(cpu(fn))
    for name, ts in got.items():
        print(f"  {name:30}: {min(ts) / len(reports) * 1e6:6.1f} µs a report (best of {repeat})")


def record_chunks(records: list[search.Record], repeat: int) -> None:
    got: dict = {size: [] for size in CHUNKS}
    files: dict = {}
    real = search.CHUNK_CHARS
    WORK.mkdir(exist_ok=True)
    try:
        for _ in range(repeat):
            for size in CHUNKS:
                search.CHUNK_CHARS = size
                folder = Path(tempfile.mkdtemp(prefix="chunks-", dir=WORK))
                try:
                    (folder / "x").mkdir()
                    (folder / "f").mkdir()
                    start = time.process_time()
                    for out in search.record_files(records, {}):
                        (folder / out.path[len("search/"):]).write_bytes(out.data)
                    got[size].append(time.process_time() - start)
                    files[size] = sorted(p.stat().st_size for p in (folder / "x").iterdir())
                finally:
                    shutil.rmtree(folder)
    finally:
        search.CHUNK_CHARS = real
    for size in CHUNKS:
        sizes = files[size]
        print(f"  chunks of {size:,} characters: {min(got[size]):.3f} s CPU (best of {repeat}), {len(sizes):,} files, "
              f"median {sizes[len(sizes) // 2] / 1e3:.0f} kB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="archive size (run.py's archive: _work/<N>/)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds, the best of each candidate printed")
    ap.add_argument("--site", type=Path, help="a built output folder to read instead of building")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        site = args.site
        if site is None:
            root = ensure_archive(args.articles, 1)
            site = Path(tmp) / "site"
            if not pipeline.build_site(root, out=site).ok:
                print("the build failed", file=sys.stderr)
                return 1
        records = records_of(site)
        print(f"{len(records):,} records ({sum(r.type == 'Report' for r in records):,} reports)")
        print("stop list:")
        stop_list(records, args.repeat)
        print("presence only:")
        presence_only(records, args.repeat)
        print("record chunks:")
        record_chunks(records, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
