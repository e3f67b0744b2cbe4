"""Write outputs atomically: stage every file, then move them into place.

Nothing touches the output folder until the build has no errors; then staged
files replace their targets one ``os.replace`` each, and files no source makes
any more are pruned.  A failed build leaves the previous output as it was.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path, PurePosixPath

from .model import Output


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def safe_rel(path: str) -> str:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or "\\" in path:
        raise ValueError(f"output path escapes the output folder: {path!r}")
    return p.as_posix()


class Staging:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.dir = out.parent / f".{out.name}.staging"

    def begin(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)

    def put(self, output: Output) -> str:
        """Stage one file; returns the digest of its bytes."""
        target = self.dir / safe_rel(output.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(output.data)
        return digest(output.data)

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def commit(self, keep: set[str], previous: set[str] | None = None) -> tuple[list[str], list[str]]:
        """Move staged files into the output; remove output files not in ``keep``.

        ``previous``, when known, is what the last build of this process wrote: stale files are
        then found without walking the whole output folder.
        """
        written: list[str] = []
        if not self.out.exists() or (self.out.is_dir() and not any(self.out.iterdir())):
            # A first build: the staged tree becomes the output in one rename.
            if self.out.exists():
                self.out.rmdir()
            for dirpath, _dirs, files in os.walk(self.dir):
                written += [(Path(dirpath) / f).relative_to(self.dir).as_posix() for f in files]
            os.rename(self.dir, self.out)
            return sorted(written), []
        self.out.mkdir(parents=True, exist_ok=True)
        for dirpath, _dirs, files in os.walk(self.dir):
            for name in files:
                src = Path(dirpath) / name
                rel = src.relative_to(self.dir).as_posix()
                dst = self.out / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
                written.append(rel)
        removed: list[str] = []
        if previous is not None:
            for rel in sorted(previous - keep):
                path = self.out / safe_rel(rel)
                if path.is_file() or path.is_symlink():
                    path.unlink()
                    removed.append(rel)
                parent = path.parent
                while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                    parent.rmdir()
                    parent = parent.parent
            shutil.rmtree(self.dir, ignore_errors=True)
            return sorted(written), removed
        for dirpath, dirs, files in os.walk(self.out, topdown=False):
            for name in files:
                path = Path(dirpath) / name
                rel = path.relative_to(self.out).as_posix()
                if rel not in keep:
                    path.unlink()
                    removed.append(rel)
            for name in dirs:
                d = Path(dirpath) / name
                if not d.is_symlink() and not any(d.iterdir()):
                    d.rmdir()
        shutil.rmtree(self.dir, ignore_errors=True)
        return sorted(written), sorted(removed)
