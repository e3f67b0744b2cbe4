"""The output folder is Dossier's: which folders a build may write, and how it swaps a new tree in.

A build writes its new tree into ``.<name>.staging`` beside the output folder and then swaps
the two folders in one step, so the output path always holds a whole tree, old or new.  The
output folder carries Dossier's manifest (:data:`MANIFEST`): the files the build wrote, with
their digests, and the files it found there and left alone.  A folder without it is not
Dossier's, and a build refuses to touch it.

``DOSSIER_FAULT_AT=<point>`` makes the process kill itself at one of :data:`FAULT_POINTS`
(tests prove that a kill there loses nothing); ``DOSSIER_NO_EXCHANGE=1`` forces the fallback
swap used where ``renameat2(RENAME_EXCHANGE)`` is missing.
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


def read_manifest(out: Path) -> Manifest | None:
    path = out / MANIFEST
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
            raise ValueError("unknown format")
        return Manifest(data["files"], tuple(data.get("kept", ())))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError) as exc:
        raise OutputError(f"{shown(path)} is damaged ({exc.__class__.__name__}); delete the output folder "
                          f"and build again") from None


def manifest_bytes(files: dict, kept) -> bytes:
    data = {"format": FORMAT, "generator": "dossier", "files": dict(sorted(files.items())), "kept": sorted(kept)}
    return (json.dumps(data, indent=0, ensure_ascii=False) + "\n").encode()


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
    for leftover in (staging, aside):
        if leftover.exists():
            remove_tree(leftover)


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
