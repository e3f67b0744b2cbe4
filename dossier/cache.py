"""The build cache: what ``dossier build`` remembers between runs, in ``.dossier-cache/`` at the archive root.

It is the preview's :class:`~dossier.session.Session` memory written to one file after a good
build and read back before the next: each content file's bytes digest and what loading it gave,
the scan of each article body, the shared-passage index, the Markdown facts of each page, and
the page memo (view, templates' digests, output digest), the exports' memory. It is written in
parts, so that a build after a small edit writes little: ``build.pickle`` holds the session's
memory except three maps of plain values (what each report gives the search index and the open
data: its page text, ``mentions.csv`` rows, counted words; the exports' words of each search
record; the exports' text of each page), which sit in ``parts/<name>.pickle``, about 128 entries
to a part; the index names the parts, and a build writes only the parts whose entries changed.
Nothing in it is taken on trust:

- the whole file is for one Dossier: its key digests the cache format, Dossier's version, the
  Python and library versions that shape the output, and Dossier's own source files; another
  key and the file is passed over;
- a content file is parsed again when its bytes changed, a page is rendered again when its
  view (which holds the configuration) or the digest of a template it uses changed, and a page
  is taken from the output folder only when the output's manifest names the same digest;
- a damaged or truncated file (its checksums do not match) or one that cannot be read back is
  ignored, and the build runs as if there were none; a part that is missing, damaged or not the
  one the index names only has its reports rendered again, or its exports' entries made again
  (the search index as a whole, when words are missing).

Each file is written to a temporary name and renamed into place, so a reader sees an old file
or a new one, never half of one; parts get a new name for new contents and are written before the index
that names them, and the parts no index names are removed after it. Deleting the folder costs
time, nothing else.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sys
import tempfile
import time
import zlib
from importlib import metadata
from pathlib import Path

from . import __version__
from .emit import ArticleResult
from .exports import Memory
from .model import reducer
from .outdir import OutputError, finish_interrupted, read_manifest
from .search import Words

FOLDER = ".dossier-cache"
FILE = "build.pickle"
PARTS = "parts"  # the reports' export payloads, a group to a file
FORMAT = b"dossier-cache/2"
PER_PART = 128  # reports per part, about (their number is a power of two)
PAYLOAD = ("text", "mention_rows", "words")  # ArticleResult's fields kept in the parts
STALE_SECONDS = 3600  # a temporary file this old was left by a killed build
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "jinja2", "markupsafe", "pyyaml", "pyahocorasick", "mdurl")
_SAFE_BUILTINS = frozenset({"set", "frozenset", "dict", "list", "tuple", "str", "bytes", "int", "float", "bool",
                            "complex", "bytearray", "slice", "range"})
_SAFE = {"datetime": frozenset({"date", "datetime", "time", "timedelta", "timezone"}),
         "collections": frozenset({"defaultdict", "OrderedDict", "Counter"}),
         "markupsafe": frozenset({"Markup"}), "copyreg": frozenset({"_reconstructor"})}


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).hexdigest().encode()


def _check(data: bytes, name: bytes = b"") -> bytes:
    """What finds a damaged or truncated file (and, with ``name``, a part under another part's name):
    two checksums, ten times faster than a digest over the 100 MB of a large archive's cache."""
    return b"%08x%08x" % (zlib.crc32(data, zlib.crc32(name)), zlib.adler32(data, zlib.adler32(name)))


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


def _dumps(obj) -> bytes:
    """``pickle.dumps``, Dossier's slotted records as (class, fields): a dataclass's own ``__getstate__``
    and ``__setstate__`` look its fields up for every record, a third of the cache's time."""
    f = io.BytesIO()
    pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _records()
    pickler.dump(obj)
    return f.getvalue()


def _records() -> dict:
    """class -> reducer, for every slotted dataclass of Dossier's modules (each takes its fields in ``__init__``)."""
    table = {}
    for name, module in list(sys.modules.items()):
        if name != "dossier" and not name.startswith("dossier."):
            continue
        for cls in list(vars(module).values()):
            if isinstance(cls, type) and cls.__module__ == name and "__slots__" in vars(cls) \
                    and "__reduce__" not in vars(cls) and dataclasses.is_dataclass(cls):  # (model's have their own)
                table[cls] = reducer(cls, tuple(f.name for f in dataclasses.fields(cls)))
    return table


HEADER_MAX = 512  # bytes: the format, the key and the checksum, each on its line, come before the payload


def _pack(payload: bytes, key: bytes, name: bytes = b"") -> tuple[bytes, bytes]:
    """The file's header and its payload, written one after the other: joined, the payload (150 MB
    at 10,000 articles) would be held twice while it is written."""
    return b"\n".join((FORMAT, key, _check(payload, name), b"")), payload


def _unpack(data: bytes, key: bytes, name: bytes = b""):
    """The object ``data`` holds, or None (not ours, another key, damaged, written under another ``name``).
    The payload is checked and read where it lies in ``data``, not copied out of it."""
    try:
        magic, found, check, _rest = data[:HEADER_MAX].split(b"\n", 3)
        start = len(magic) + len(found) + len(check) + 3
        if magic != FORMAT or found != key or check != _check(memoryview(data)[start:], name):
            return None
        f = io.BytesIO(data)  # shares the bytes
        f.seek(start)
        return _Unpickler(f).load()
    except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is only not used
        return None


def _write(folder: Path, name: str, pieces: tuple[bytes, ...]) -> None:
    """``pieces`` to ``folder/name``, one after the other, atomically (a temporary file renamed into place)."""
    fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            for piece in pieces:
                f.write(piece)
        os.replace(tmp, folder / name)
    except BaseException:
        os.unlink(tmp)
        raise


def _reports(state: dict) -> dict:
    """Output path -> ArticleResult of each report the session remembers."""
    return {p: facts for p, (_key, facts) in state["_markdown"].items() if isinstance(facts, ArticleResult)}


def part_of(key, count: int) -> int:
    return zlib.crc32(str(key).encode("utf-8")) % count


# What the parts hold: name -> (type of a key, test of a value). Each is a map of plain values whose
# entries a build may lack (a report's payload: it is rendered again; the exports' memo: made again).
MAPS = {"reports": (str, lambda v: isinstance(v, tuple) and len(v) == len(PAYLOAD)),
        "words": (int, lambda v: isinstance(v, Words)),
        "texts": (str, lambda v: isinstance(v, tuple))}


class Cache:
    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER
        self.path = self.folder / FILE
        self.parts = self.folder / PARTS
        self.key = cache_key()
        self._known: dict[str, dict] = {}  # map -> {group: (its file's name, its entries or None)} as read

    def load(self):
        """What the last good build kept, the parts put back, or None (no cache, another key, damaged:
        all the same). A report whose part cannot be read is left out (it is rendered again)."""
        try:
            index = _unpack(self.path.read_bytes(), self.key)
        except OSError:
            return None
        if not isinstance(index, dict) or set(index) != {"state", "parts"} or not isinstance(index["state"], dict) \
                or not isinstance(index["state"].get("_markdown"), dict) \
                or not isinstance(index["state"].get("exports"), Memory) or not isinstance(index["parts"], dict) \
                or set(index["parts"]) != set(MAPS) or not all(isinstance(n, tuple) for n in index["parts"].values()):
            return None
        state = index["state"]
        self._known = {m: {i: (name, self._read_part(name, m)) for i, name in enumerate(names)}
                       for m, names in index["parts"].items()}
        got = {m: {k: v for _name, part in known.values() for k, v in (part or {}).items()}
               for m, known in self._known.items()}
        memo = state["_markdown"]
        for path, res in _reports(state).items():
            if res.slug in got["reports"]:
                res.text, res.mention_rows, res.words = got["reports"][res.slug]
            else:
                del memo[path]
        memory = state["exports"]
        memory.words, memory.texts = got["words"], got["texts"]
        if any(part is None for part in self._known["words"].values()):
            memory.search = None  # the index is updated from the last one's words: without them, made whole
        return state

    def _read_part(self, name, kind: str) -> dict | None:
        """The entries of the part file ``name``; None when it is missing or damaged."""
        try:  # a part's checksum covers its name: one swapped for another is not taken
            part = _unpack((self.parts / name).read_bytes(), self.key, name.encode()) if isinstance(name, str) else None
        except OSError:
            return None
        if not isinstance(part, dict):
            return None
        key_type, good = MAPS[kind]
        return {k: v for k, v in part.items() if isinstance(k, key_type) and good(v)}

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
        reports, memory = _reports(state), state["exports"]
        kept = {path: tuple(getattr(res, f) for f in PAYLOAD) for path, res in reports.items()}
        maps = {"reports": {res.slug: kept[path] for path, res in reports.items()}, "words": memory.words,
                "texts": memory.texts}
        try:
            self.folder.mkdir(exist_ok=True)
            self.parts.mkdir(exist_ok=True)
            names = {m: self._save_parts(m, entries) for m, entries in maps.items()}
            for res in reports.values():  # the index holds none of what the parts hold
                for f in PAYLOAD:
                    setattr(res, f, ArticleResult.__dataclass_fields__[f].default)
            memory.words, memory.texts = {}, {}
            try:
                payload = _dumps({"state": state, "parts": names})
            finally:
                for path, res in reports.items():
                    res.text, res.mention_rows, res.words = kept[path]
                memory.words, memory.texts = maps["words"], maps["texts"]
            _write(self.folder, FILE, _pack(payload, self.key))
            self._sweep({name for group in names.values() for name in group})
        except (OSError, pickle.PicklingError, RecursionError):
            pass

    def _save_parts(self, kind: str, entries: dict) -> tuple:
        """The file names of the parts of ``entries``, writing the parts that changed since they were read."""
        count = 1 << max(0, (len(entries) // PER_PART).bit_length())
        groups: list[dict] = [{} for _ in range(count)]
        for key in sorted(entries):
            groups[part_of(key, count)][key] = entries[key]
        known = self._known.get(kind, {})
        names = []
        for i, group in enumerate(groups):
            name, old = known.get(i, (None, None)) if len(known) == count else (None, None)
            if old is None or old.keys() != group.keys() or \
                    not all(old[key] is got or old[key] == got for key, got in group.items()):
                name = os.urandom(16).hex() + ".pickle"  # a new name for new contents: never one an index names
                _write(self.parts, name, _pack(_dumps(group), self.key, name.encode()))
            names.append(name)
        return tuple(names)

    def _sweep(self, names: set) -> None:
        """Remove the parts the index no longer names, and what a build killed while writing the cache
        left (an hour old: not another build's)."""
        for path in [*self.folder.glob(".build-*.tmp"), *self.parts.glob(".build-*.tmp")]:
            try:
                if time.time() - path.stat().st_mtime > STALE_SECONDS:
                    path.unlink()
            except OSError:
                pass
        for path in self.parts.glob("*.pickle"):
            if path.name not in names:
                try:
                    path.unlink()
                except OSError:
                    pass
