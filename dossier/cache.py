"""The build cache: what ``dossier build`` remembers between runs, in ``.dossier-cache/`` at the archive root.

It is the preview's :class:`~dossier.session.Session` memory written to one file after a good
build and read back before the next: each content file's bytes digest and what loading it gave,
the scan of each article body, the shared-passage index, the Markdown facts of each page, and
the page memo (view, templates' digests, output digest). Nothing in it is taken on trust:

- the whole file is for one Dossier: its key digests the cache format, Dossier's version, the
  Python and library versions that shape the output, and Dossier's own source files; another
  key and the file is passed over;
- a content file is parsed again when its bytes changed, a page is rendered again when its
  view (which holds the configuration) or the digest of a template it uses changed, and a page
  is taken from the output folder only when the output's manifest names the same digest;
- a damaged or truncated file (its payload digest does not match) or one that cannot be read
  back is ignored, and the build runs as if there were none.

The file is written to a temporary name and renamed into place, so a reader sees an old file
or a new one, never half of one. Deleting the folder costs time, nothing else.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from . import __version__
from .outdir import OutputError, finish_interrupted, read_manifest

FOLDER = ".dossier-cache"
FILE = "build.pickle"
FORMAT = b"dossier-cache/1"
STALE_SECONDS = 3600  # a temporary file this old was left by a killed build
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "jinja2", "markupsafe", "pyyaml", "pyahocorasick", "mdurl")
_SAFE_BUILTINS = frozenset({"set", "frozenset", "dict", "list", "tuple", "str", "bytes", "int", "float", "bool",
                            "complex", "bytearray", "slice", "range"})
_SAFE = {"datetime": frozenset({"date", "datetime", "time", "timedelta", "timezone"}),
         "collections": frozenset({"defaultdict", "OrderedDict", "Counter"}),
         "markupsafe": frozenset({"Markup"}), "copyreg": frozenset({"_reconstructor"})}


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).hexdigest().encode()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def source_digest() -> str:
    """Digest of Dossier's own Python files: a changed Dossier never reads an older one's cache."""
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cache_key() -> bytes:
    parts = [FORMAT.decode(), __version__, sys.version, *(f"{n}={_version(n)}" for n in LIBRARIES), source_digest()]
    return _digest("\n".join(parts).encode())


class _Unpickler(pickle.Unpickler):
    """Only the classes a cache holds: Dossier's records and a few plain containers, never a function."""

    def find_class(self, module: str, name: str):
        if module == "builtins" and name in _SAFE_BUILTINS or name in _SAFE.get(module, ()):
            return super().find_class(module, name)
        if module == "dossier" or module.startswith("dossier."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the build cache")


class Cache:
    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER
        self.path = self.folder / FILE
        self.key = cache_key()

    def load(self):
        """What the last good build kept, or None (no cache, another key, damaged: all the same)."""
        try:
            data = self.path.read_bytes()
            magic, key, check, payload = data.split(b"\n", 3)
            if magic != FORMAT or key != self.key or check != _digest(payload):
                return None
            return _Unpickler(io.BytesIO(payload)).load()
        except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is only not used
            return None

    def restore(self, session, out: Path) -> bool:
        """Give ``session`` what the last good build kept, and the digests the output folder's manifest
        lists (a page is taken from the output only when both agree); False when there was nothing to take."""
        state = self.load()
        if state is None:
            return False
        finish_interrupted(out)  # a journal left by a killed build: the output as that build made it
        try:
            manifest = read_manifest(out) if out.is_dir() and not out.is_symlink() else None
        except OutputError:
            manifest = None  # the build says what is wrong with it
        # Only what is there: a page deleted from the output by hand is made again.
        there = {rel: d for rel, d in (manifest.files if manifest else {}).items() if os.path.isfile(out / rel)}
        return session.restore(state, there)

    def save(self, state) -> None:
        """Write ``state`` atomically; a cache that cannot be written is only a slower next build."""
        try:
            payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
            self.folder.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(b"\n".join((FORMAT, self.key, _digest(payload), payload)))
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
            self._sweep()
        except (OSError, pickle.PicklingError, RecursionError):
            pass

    def _sweep(self) -> None:
        """Remove what a build killed while writing the cache left (an hour old: not another build's)."""
        for path in self.folder.glob(".build-*.tmp"):
            try:
                if time.time() - path.stat().st_mtime > STALE_SECONDS:
                    path.unlink()
            except OSError:
                pass
