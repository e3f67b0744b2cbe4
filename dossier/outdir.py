"""The output folder is Dossier's: which folders a build may write, and how it swaps a new tree in.

A build writes its new tree into ``.<name>.staging`` beside the output folder and then swaps
the two folders in one step, so the output path always holds a whole tree, old or new.  The
output folder carries Dossier's manifest (:data:`MANIFEST`): the files the build wrote, with
their digests, and the files it found there and left alone.  A folder without it is not
Dossier's, and a build refuses to touch it.

When few files changed (see :mod:`dossier.write`), the build instead commits them in place
under a journal (:data:`JOURNAL`, in the staging folder): once the journal is there, the
files are moved into the output one by one and the manifest last.  A kill during those moves
leaves a tree mixed of old and new files until the next build, whose :func:`recover` rolls the
journal forward (a kill before the journal is complete leaves the old tree untouched).

``DOSSIER_FAULT_AT=<point>`` makes the process kill itself at one of :data:`FAULT_POINTS` or
:data:`JOURNAL_POINTS` (tests prove that a kill there loses nothing); ``DOSSIER_NO_EXCHANGE=1``
forces the fallback swap used where ``renameat2(RENAME_EXCHANGE)`` is missing;
``DOSSIER_COMMIT=swap`` or ``journal`` forces one way of committing (tests).
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import signal
try:
    import fcntl
except ImportError:  # not a Unix: no lock between builds
    fcntl = None
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".dossier-manifest.json"
FORMAT = "dossier-output/1"
FAULT_POINTS = ("begin", "staged", "linking", "linked", "manifest", "moved-aside", "swapped", "removing")
JOURNAL_POINTS = ("journaling", "journal", "moving", "moved")  # the in-place commit's steps
JOURNAL = ".dossier-journal.json"  # in the staging folder: what an in-place commit moves and removes
JOURNAL_FORMAT = "dossier-journal/1"


class OutputError(Exception):
    """The output folder cannot be used; ``str()`` is one line for the user."""


@dataclass(frozen=True, slots=True)
class Manifest:
    files: dict  # path -> digest of what Dossier wrote
    kept: tuple = ()  # files Dossier found in the folder and left alone


def fault(point: str) -> None:
    """Test hook: die here, as a power cut or ``kill -9`` would, when told to."""
    if os.environ.get("DOSSIER_FAULT_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def staging_path(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


def aside_path(out: Path) -> Path:
    return out.parent / f".{out.name}.previous"


def shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return path.as_posix()


# -- which folders are Dossier's ----------------------------------------------------------

def check(root: Path, out: Path, theme: Path | None = None) -> None:
    """Raise :class:`OutputError` when ``out`` is not a folder a build may replace."""
    name = shown(out)
    if out.is_symlink():
        raise OutputError(f"output folder {name} is a symbolic link; give the folder it points to (or another --out)")
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {name} is a file, not a folder; move it away or give another --out")
    real, archive = Path(os.path.realpath(out)), Path(os.path.realpath(root))
    if real == Path(real.anchor):
        raise OutputError(f"output folder {name} is the top of the file system; give a folder of its own")
    if real == _home():
        raise OutputError(f"output folder {name} is your home folder; give a folder of its own (the default is output/)")
    if real == archive:
        raise OutputError(f"output folder {name} is the archive folder itself; use its output/ folder instead")
    if archive.is_relative_to(real):
        raise OutputError(f"output folder {name} contains the archive {shown(root)}; give a folder of its own")
    for sub in ("content", "layouts", ".dossier-cache"):
        if real.is_relative_to(archive / sub):
            raise OutputError(f"output folder {name} lies inside the archive's {sub}/; give a folder outside it")
    if theme is not None and real.is_relative_to(Path(os.path.realpath(theme))):
        raise OutputError(f"output folder {name} lies inside Dossier's default theme; give a folder outside it")
    if real.is_dir() and not (real / MANIFEST).is_file() and _non_empty(real):
        raise OutputError(f"output folder {name} is not empty and has no {MANIFEST}, so Dossier did not make it "
                          f"(an earlier version leaves none): delete it if it holds only an old build, "
                          f"or give another --out")
    read_manifest(out)  # a damaged manifest is refused here, before anything is written
    for leftover in (staging_path(out), aside_path(out)):
        if (leftover.is_symlink() or leftover.exists()) and not _ours(leftover):
            raise OutputError(f"{shown(leftover)} is in the way of the build and was not made by Dossier; "
                              f"move it away")


def _home() -> Path | None:
    try:
        return Path(os.path.realpath(Path.home()))
    except (RuntimeError, KeyError):  # no HOME and no password entry
        return None


def _non_empty(folder: Path) -> bool:
    with os.scandir(folder) as it:
        return any(True for _ in it)


def _ours(path: Path) -> bool:
    """A leftover of an interrupted build: a real folder, empty or carrying the manifest."""
    return path.is_dir() and not path.is_symlink() and ((path / MANIFEST).is_file() or not _non_empty(path))


_KNOWN: dict[str, tuple] = {}  # manifest path -> (its stat stamp, the Manifest it holds): the last read or written


def _file_stamp(st: os.stat_result) -> tuple:
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def read_manifest(out: Path) -> Manifest | None:
    """The output folder's manifest; parsed again only when the file is not the one last read or written
    here (its inode, size, modification and change times). Callers do not change what it holds."""
    path = out / MANIFEST
    try:
        with open(path, "rb") as f:
            stamp = _file_stamp(os.fstat(f.fileno()))
            hit = _KNOWN.get(str(path))
            if hit is not None and hit[0] == stamp:
                return hit[1]
            data = json.loads(f.read())
        if data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
            raise ValueError("unknown format")
        found = _KNOWN[str(path)] = stamp, Manifest(data["files"], tuple(data.get("kept", ())))
        return found[1]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError) as exc:
        raise OutputError(f"{shown(path)} is damaged ({exc.__class__.__name__}); delete the output folder "
                          f"and build again") from None


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",\n", ": ")).encode  # compiled: no indent


def _lines(ordered: dict) -> list[str]:
    """The lines of ``ordered`` as ``json.dumps(..., indent=0)`` writes them inside its braces (an encoded
    string holds no newline, so the compiled encoder's ``,\\n`` separators end the items)."""
    return _ENCODE(ordered)[1:-1].split("\n") if ordered else []


def _manifest(lines: list[str], kept: list) -> bytes:
    files = "{\n" + "\n".join(lines) + "\n}" if lines else "{}"
    kept_text = "[\n" + _ENCODE(kept)[1:-1] + "\n]" if kept else "[]"
    return (f'{{\n"format": {_ENCODE(FORMAT)},\n"generator": "dossier",\n"files": {files},\n"kept": {kept_text}\n}}\n'
            .encode())


def manifest_bytes(files: dict, kept) -> bytes:
    """``json.dumps(manifest, indent=0, ensure_ascii=False)`` and a newline, made by the compiled encoder
    (``indent`` takes the pure-Python one: 15 ms for the 16,000 files of a 10,000-article archive)."""
    return _manifest(_lines(dict(sorted(files.items()))), sorted(kept))


def write_manifest(tmp: Path, out: Path, files: dict) -> None:
    """Write the manifest of ``files`` (nothing kept) to ``tmp``, then move it to ``out``'s; the next
    ``read_manifest`` of that very file takes what was written without parsing it. When the manifest
    there is the one last written here and lists the same files, only the lines of the changed ones
    are encoded again."""
    path = out / MANIFEST
    hit = _KNOWN.get(str(path))
    if hit is not None and len(hit) == 4 and hit[1].files.keys() == files.keys():
        ordered, lines, where = dict(hit[1].files), list(hit[2]), hit[3]
        last = len(lines) - 1
        for rel, d in [(rel, d) for rel, d in files.items() if ordered[rel] != d]:
            ordered[rel] = d
            i = where[rel]
            lines[i] = _ENCODE({rel: d})[1:-1] + ("," if i < last else "")
    else:
        ordered = dict(sorted(files.items()))
        lines, where = _lines(ordered), {rel: i for i, rel in enumerate(ordered)}
    tmp.write_bytes(_manifest(lines, []))
    os.replace(tmp, path)
    _KNOWN[str(path)] = _file_stamp(os.stat(path)), Manifest(ordered, ()), lines, where


# -- leftovers of an interrupted build ---------------------------------------------------

def recover(out: Path) -> None:
    """Put the last whole tree back at ``out`` and remove what an interrupted build left.

    Only the fallback swap has a moment without a tree at ``out`` (the old one set aside, the
    new one not yet moved in): the old tree goes back.  :func:`check` has made sure both
    leftovers are Dossier's.
    """
    aside, staging = aside_path(out), staging_path(out)
    if staging.is_dir() and _locked(staging):
        raise OutputError(f"another build is writing {shown(out)} right now; wait for it to finish")
    if aside.exists() and not out.exists() and not out.is_symlink():
        os.rename(aside, out)
    roll_forward(out)
    for leftover in (staging, aside):
        if leftover.exists():
            remove_tree(leftover)


def read_journal(staging: Path) -> dict | None:
    """The journal of an in-place commit in ``staging``, or None when it never got written whole."""
    try:
        data = json.loads((staging / JOURNAL).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise OutputError(f"{shown(staging / JOURNAL)} is damaged ({exc.__class__.__name__}); delete the output "
                          f"folder and build again") from None
    if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT:
        raise OutputError(f"{shown(staging / JOURNAL)} is not a journal of this Dossier; delete the output folder "
                          f"and build again")
    return data


def roll_forward(out: Path) -> bool:
    """Finish an in-place commit whose journal is in the staging folder (again, if it was cut short):
    the files it removes go, the staged files move in, the new manifest last.  Every step can be
    taken twice.  False when there is no journal."""
    staging = staging_path(out)
    if staging.is_symlink() or not staging.is_dir() or out.is_symlink() or not out.is_dir():
        return False
    journal = read_journal(staging)
    if journal is None:
        return False
    for rel in [*journal["remove"], *journal["write"]]:
        if not plain_parents(out, rel):
            raise OutputError(f"{shown(out / rel)}: a folder on the way is a link or a file now; delete the output "
                              f"folder and build again")
    for rel in journal["remove"]:  # first: a removed file may be where a new folder goes
        path = out / rel
        if path.is_symlink() or path.is_file():
            path.unlink()
            _prune(path.parent, out)
    for rel in journal["write"]:
        src = staging / rel
        if src.is_file() and not src.is_symlink():
            dst = out / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            fault("moving")
    fault("moved")
    (staging / JOURNAL).with_suffix(".manifest").write_bytes(journal["manifest"].encode("utf-8"))
    os.replace((staging / JOURNAL).with_suffix(".manifest"), out / MANIFEST)
    return True


def finish_interrupted(out: Path) -> None:
    """Roll forward the journal a killed build left, unless a build is running: done before the build
    cache reads the manifest, so that what it takes from the output is what the output holds.
    Whatever is wrong is left for the build's :func:`check` and :func:`recover` to say."""
    staging = staging_path(out)
    try:
        if (staging / JOURNAL).is_file() and not _locked(staging):
            roll_forward(out)
    except (OSError, OutputError):
        pass


def plain_parents(out: Path, rel: str) -> bool:
    """Every folder between ``out`` and ``out/rel`` is a real folder or not there (no link is followed)."""
    folder = out
    for part in rel.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return False
    return True


def _prune(folder: Path, top: Path) -> None:
    """Remove ``folder`` and its parents below ``top`` while they are empty."""
    while folder != top and folder.is_dir() and not folder.is_symlink() and not _non_empty(folder):
        folder.rmdir()
        folder = folder.parent


def lock(folder: Path) -> int | None:
    """Hold a lock on the staging folder while the build uses it (released when the fd is closed)."""
    if fcntl is None:
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise OutputError(f"another build is writing {shown(folder)} right now; wait for it to finish") from None
    return fd


def _locked(folder: Path) -> bool:
    try:
        fd = lock(folder)
    except OutputError:
        return True
    if fd is not None:
        os.close(fd)
    return False


def remove_tree(top: Path) -> None:
    """Remove one of Dossier's trees, its manifest last: a half-removed tree is still recognisably ours."""
    with os.scandir(top) as it:
        entries = [e for e in it if e.name != MANIFEST]
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
        fault("removing")
    try:
        os.unlink(top / MANIFEST)
    except FileNotFoundError:
        pass
    os.rmdir(top)


# -- the swap -----------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2():
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):  # not Linux, or a C library without it
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    fn.restype = ctypes.c_int
    return fn


_EXCHANGE = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step; False where the system cannot."""
    if _EXCHANGE is None or os.environ.get("DOSSIER_NO_EXCHANGE"):
        return False
    if _EXCHANGE(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system without the flag
    raise OSError(err, os.strerror(err), str(b))


def swap_in(new: Path, out: Path) -> None:
    """Make the tree at ``new`` the output; the old tree (if any) is then at ``new``'s path or set aside."""
    if not out.exists():
        os.rename(new, out)
    elif not exchange(new, out):
        aside = aside_path(out)
        os.rename(out, aside)
        fault("moved-aside")  # the one moment without a tree at ``out``: recover() puts the old one back
        os.rename(new, out)
        os.rename(aside, new)
    fault("swapped")
    if new.exists():
        remove_tree(new)
