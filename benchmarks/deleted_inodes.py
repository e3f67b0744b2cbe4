"""What creating a page costs the kernel right after many files were deleted nearby, and on a quiet disk.

    .venv/bin/python benchmarks/deleted_inodes.py                    # 20,000 pages, in a folder under /tmp
    .venv/bin/python benchmarks/deleted_inodes.py --pages 5000 --dir benchmarks/_work

Writes ``--pages`` pages as a build writes its article pages (a folder each, ``index.html`` of 20 kB in
it) and prints the user, system and wall-clock time a page; then writes as many again, deletes them
(and ``sync``), and at once writes the same number of new pages, and prints the same. On ext4 without a
journal (this machine's disk) a new inode skips every free inode of its group freed in the last minute
or so (``recently_deleted`` in ``fs/ext4/ialloc.c``, one buffer look-up each), so the second figure is
what a build pays that starts right after an earlier output was deleted. Printed, never asserted.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

PAGE = b"x" * 20_000


def write_pages(folder: Path, pages: int) -> tuple[float, float, float]:
    """(user, system, wall) microseconds a page to write ``pages`` pages into ``folder`` (a new folder)."""
    folder.mkdir()
    t0, w0 = os.times(), time.perf_counter()
    for i in range(pages):
        os.mkdir(folder / f"a{i}")
        fd = os.open(folder / f"a{i}" / "index.html", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            os.write(fd, PAGE)
        finally:
            os.close(fd)
    t1, w1 = os.times(), time.perf_counter()
    return tuple(x * 1e6 / pages for x in (t1.user - t0.user, t1.system - t0.system, w1 - w0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to make the scratch folder (default: /tmp)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="dossier-inodes-", dir=args.dir))
    try:
        fresh = write_pages(scratch / "fresh", args.pages)
        write_pages(scratch / "old", args.pages)
        shutil.rmtree(scratch / "old")
        os.sync()
        after = write_pages(scratch / "new", args.pages)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for name, (user, system, wall) in (("quiet disk", fresh), (f"right after {args.pages:,} deleted", after)):
        print(f"{name:<28} user {user:6.1f} µs, system {system:6.1f} µs, wall {wall:7.1f} µs a page")


if __name__ == "__main__":
    main()
