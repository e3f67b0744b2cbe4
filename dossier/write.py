"""Write outputs: stage a whole new tree beside the output folder, then swap it in.

Nothing touches the output folder until the build has no errors.  The staging folder
receives every file this build rendered; at commit, the files that did not change and
the files in the output folder that Dossier did not write come over as hard links, the
manifest is written, and :func:`outdir.swap_in` exchanges the two folders in one step.
A failed or killed build leaves the previous output as it was.

A link per file of the archive is the cost of that swap even when one page changed.  So when
at most :data:`JOURNAL_SHARE` of the files changed (written or removed), the changed files are
committed in place instead, under a journal (:func:`outdir.roll_forward`): a kill during
those moves leaves old and new files mixed until the next build rolls the journal forward.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import outdir
from .model import Output
from .outdir import JOURNAL, JOURNAL_FORMAT, MANIFEST, OutputError, fault

JOURNAL_SHARE = 0.25  # at most this share of the files changed: committed in place under a journal
# A relative path of plain names, none starting with a dot, no empty part, no backslash: safe as it is.
_PLAIN_REL = re.compile(r"[^/.\\][^/\\]*(?:/[^/.\\][^/\\]*)*")


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def safe_rel(path: str) -> str:
    if _PLAIN_REL.fullmatch(path):  # most paths (``articles/x/index.html``): already as ``as_posix()`` gives them
        return path
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or "\\" in path or p.parts[0].startswith(".dossier-"):
        raise ValueError(f"output path escapes the output folder: {path!r}")
    return p.as_posix()


@dataclass(frozen=True, slots=True)
class Commit:
    written: tuple = ()  # files this build wrote (new or changed)
    removed: tuple = ()  # files an earlier build wrote that no source makes any more
    kept: tuple = ()  # files in the output folder Dossier did not write, left where they are
    kept_changed: bool = False  # ``kept`` differs from what the last build found
    missing: tuple = ()  # unchanged files that were no longer in the output folder


class Staging:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.dir = outdir.staging_path(out)
        self._journaled = False  # a journal is in the staging folder: it must be rolled forward, not removed
        self._folders: set[str] = set()  # folders under ``dir`` made by this process (``_target``)

    def begin(self) -> None:
        """Create the staging folder, the manifest first: a leftover is always recognisably Dossier's."""
        self.dir.mkdir(parents=True)
        self._lock = outdir.lock(self.dir)
        fault("begin")
        (self.dir / MANIFEST).write_bytes(outdir.manifest_bytes({}, ()))
        try:
            os.chmod(self.dir, os.stat(self.out).st_mode & 0o7777)  # the new tree keeps the folder's mode
        except FileNotFoundError:
            pass

    def put(self, output: Output) -> str:
        """Stage one file; returns the digest of its bytes."""
        self.write(output)
        return digest(output.data)

    def write(self, output: Output) -> None:
        """Stage one file (``put`` without the digest, for a caller that has it): ``os.open`` and
        ``os.write``, without the buffered file's two more system calls (a build writes thousands)."""
        fd = os.open(self._target(output.path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            data = memoryview(output.data)
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)

    def _target(self, path: str) -> str:
        """Where ``path`` is staged, its folder made (each folder once per process: a build stages
        thousands of files in a few hundred folders, and nothing removes a folder while it stages)."""
        rel = safe_rel(path)
        folder = os.path.dirname(rel)
        if folder not in self._folders:
            try:
                os.mkdir(f"{self.dir}/{folder}")
            except FileNotFoundError:  # its parent first
                os.makedirs(f"{self.dir}/{folder}", exist_ok=True)
            except FileExistsError:  # another process made it, or it is ``dir`` itself
                if not os.path.isdir(f"{self.dir}/{folder}"):
                    raise
            self._folders.add(folder)
        return f"{self.dir}/{rel}"

    def put_pieces(self, path: str, pieces) -> tuple[str, int]:
        """Stage one file written piece by piece, never held whole: (the digest of its bytes, its size)."""
        target = self._target(path)
        h, size = hashlib.blake2b(digest_size=16), 0
        with open(target, "wb") as f:
            for piece in pieces:
                h.update(piece)
                f.write(piece)
                size += len(piece)
        return h.hexdigest(), size

    def discard(self) -> None:
        if self.dir.exists() and not self._journaled:
            outdir.remove_tree(self.dir)
        self.release()

    def release(self) -> None:
        if getattr(self, "_lock", None) is not None:
            os.close(self._lock)
            self._lock = None

    def commit(self, outputs: dict[str, str], *, swap: bool = True) -> Commit:
        """Make the staged tree plus the unchanged files the output; ``outputs`` maps path -> digest.

        ``swap=False`` moves the staged files in one by one instead (the preview server's private
        folder, where a whole new tree per keystroke would cost a folder operation per page).
        """
        try:
            return self._commit(outputs, swap)
        except OSError as exc:  # a full disk, a read-only or foreign file system: one line, not a traceback
            where = outdir.shown(Path(exc.filename)) if exc.filename else outdir.shown(self.out)
            raise OutputError(f"cannot write the output folder: {exc.strerror or exc} ({where})") from None
        finally:
            self.release()

    def _commit(self, outputs: dict[str, str], swap: bool) -> Commit:
        fault("staged")
        old = outdir.read_manifest(self.out) if self.out.is_dir() else None
        if old is None:  # a first build: everything was staged
            written, missing = sorted(outputs), []
        elif not swap:
            return self._commit_in_place(old, outputs)
        else:
            plan = self._journal_plan(old, outputs)
            if plan is not None:
                return self._commit_journal(old, outputs, *plan)
            written, missing = self._link_unchanged(outputs)
        ours = old.files if old else {}
        kept = self._carry_others(ours, outputs) if self.out.is_dir() else []
        fault("linked")
        manifest = outdir.manifest_bytes(outputs, kept)
        removed = sorted(p for p in ours if p not in outputs)
        if not written and not removed and old is not None and manifest == (self.out / MANIFEST).read_bytes():
            self.discard()  # nothing changed: the output folder is not touched
            return Commit(kept=tuple(kept), missing=tuple(missing))
        (self.dir / MANIFEST).write_bytes(manifest)
        fault("manifest")
        outdir.swap_in(self.dir, self.out)
        return Commit(tuple(written), tuple(removed), tuple(kept), bool(kept) and tuple(kept) != (old.kept if old else ()),
                      tuple(missing))

    def _journal_plan(self, old: outdir.Manifest, outputs: dict[str, str]) -> tuple | None:
        """(staged, removed, kept, missing) when few files changed and none of them meets a file or a
        link of the user's (the swap then says what is in the way); else None: swap the whole tree."""
        mode = os.environ.get("DOSSIER_COMMIT")
        if mode == "swap":
            return None
        staged = sorted(rel for rel, is_dir in _walk(self.dir) if not is_dir and rel in outputs)
        removed = sorted(p for p in old.files if p not in outputs)
        if mode != "journal" and len(staged) + len(removed) > JOURNAL_SHARE * len(outputs):
            return None
        top = str(self.out) + os.sep
        for rel in staged:
            there = os.path.lexists(top + rel)
            if not outdir.plain_parents(self.out, rel) or there and (rel not in old.files or os.path.isdir(top + rel)):
                return None
        if not all(outdir.plain_parents(self.out, rel) for rel in removed):
            return None
        kept = [rel for rel in old.kept if os.path.lexists(top + rel)]
        if any(rel in outputs for rel in kept):
            return None
        done = set(staged)
        missing = [rel for rel in outputs if rel not in done and not os.path.lexists(top + rel)]
        return staged, removed, kept, missing

    def _commit_journal(self, old: outdir.Manifest, outputs: dict[str, str], staged: list, removed: list,
                        kept: list, missing: list) -> Commit:
        """Write the journal (the commit point), then move the staged files in and the manifest last."""
        manifest = outdir.manifest_bytes(outputs, kept)
        if not staged and not removed and manifest == (self.out / MANIFEST).read_bytes():
            self.discard()
            return Commit(kept=tuple(kept), missing=tuple(missing))
        tmp = self.dir / (JOURNAL + ".part")
        tmp.write_text(json.dumps({"format": JOURNAL_FORMAT, "write": staged, "remove": removed,
                                   "manifest": manifest.decode("utf-8")}), encoding="utf-8")
        fault("journaling")
        os.replace(tmp, self.dir / JOURNAL)
        self._journaled = True
        fault("journal")
        outdir.roll_forward(self.out)
        self._journaled = False
        self.discard()
        return Commit(tuple(staged), tuple(removed), tuple(kept), bool(kept) and tuple(kept) != old.kept,
                      tuple(missing))

    def _commit_in_place(self, old: outdir.Manifest, outputs: dict[str, str]) -> Commit:
        written = []
        for rel, is_dir in _walk(self.dir):
            if rel != MANIFEST and not is_dir:
                dst = self.out / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.dir / rel, dst)
                written.append(rel)
        removed = sorted(p for p in old.files if p not in outputs)
        for rel in removed:
            path = self.out / safe_rel(rel)
            if path.is_file() or path.is_symlink():
                path.unlink()
            parent = path.parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        if written or removed:
            outdir.write_manifest(self.dir / MANIFEST, self.out, outputs)
        self.discard()
        return Commit(tuple(written), tuple(removed))

    def _link(self, rel: str) -> bool:
        """Hard-link ``out/rel`` into the staging tree; False when the staging tree has it already."""
        src, dst = self.out / rel, self.dir / rel
        try:
            os.link(src, dst, follow_symlinks=False)
        except FileNotFoundError:
            if os.path.lexists(dst):
                return False  # a new file of this build, staged
            if not os.path.lexists(src):
                raise
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.link(src, dst, follow_symlinks=False)
        except FileExistsError:
            return False
        fault("linking")
        return True

    def _link_unchanged(self, outputs: dict[str, str]) -> tuple[list[str], list[str]]:
        """Files of this build that were not staged are unchanged: they come over from the output."""
        written, missing = [], []
        for rel in sorted(outputs):
            try:
                if not self._link(rel):
                    written.append(rel)
            except FileNotFoundError:
                missing.append(rel)
        return written, missing

    def _carry_others(self, ours: dict, outputs: dict) -> list[str]:
        """Files Dossier did not write come over unchanged; one the new build also makes is an error."""
        kept = []
        for rel, is_dir in _walk(self.out):
            if rel == MANIFEST or rel in ours:
                continue
            try:
                if is_dir:  # a folder of the user's, empty
                    (self.dir / rel).mkdir(parents=True, exist_ok=True)
                elif rel in outputs or not self._link(rel):
                    raise FileExistsError(rel)
                else:
                    kept.append(rel)
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                self.discard()
                raise OutputError(f"{outdir.shown(self.out / rel)} was not written by Dossier and this build makes "
                                  f"a file there; move it away and build again") from None
        return kept


def _walk(top: Path, prefix: str = ""):
    """(relative path, is an empty folder) for every file, link and empty folder under ``top``; links are not followed."""
    with os.scandir(top) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        rel = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            inner = list(_walk(Path(entry.path), rel + "/"))
            yield from inner or [(rel, True)]
        else:
            yield rel, False
