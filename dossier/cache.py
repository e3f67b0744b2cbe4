"""The build cache: what ``dossier build`` remembers between runs, in ``.dossier-cache/`` at the archive root.

It is the preview's :class:`~dossier.session.Session` memory written after a good build and read
back before the next: each content file's bytes digest and what loading it gave, the scan of each
article body, the shared-passage index, the Markdown facts of each page, the page memo (view,
templates' digests, output digest), the exports' memory. It is written in parts, so that a build
after a small edit writes little:

- ``parts/<name>.pickle``: the maps kept by key, a group of keys to a part (about 128 keys): what
  loading each content file gave (family ``files``); each article's scan and head (``articles``:
  the shared-passage index's sentence keys are its scan's arrays, ``passages.SentenceKeys``); the Markdown
  facts, the page memo and the exports' text of each output path (``pages``: the three of one path sit in one part); the
  search records' words but a report's, which its Markdown facts hold (``words``); the index's memo
  (``index.Memo``: each report's entities as co-occurrence counted them, each entity's counts and row,
  each report's bylines and headlines; ``index``), which refers to each report's Markdown facts
  (``"result:<path>"``), all or nothing. A build writes only the parts whose entries changed.
- each page memo's view is a pickle of its own in its part file, after the part's pickle
  (``cache_pickle.Deferred``, ``Blobs``): not read with the part (a part file is read up to the end of its
  pickle), but read from the file (and checked) only when a build compares it; one never read is written
  back as it was read. So are each report's mentions (``cache_pickle.Mentions``, the entities they name read
  at once): read when first used, by the index for the entity pages a build makes again
  (``index.ByEntity``) and for the reports an edit touched; each report's text (``cache_pickle.Text``, the
  windows of its passages read at once, for the data files): read for a search record made again; and its
  search words' terms (``cache_pickle.LazyWords``, their key and length read at once): read when its
  postings are made again.
- ``build.pickle``, the index: the names of the parts, and the rest of the session's memory (the
  shared passages but their sentence keys, coverage, the Markdown key, the exports' memo of the search
  index and data files, what each template names by the digest of its bytes, what the listing pages'
  views were made of, the index's part of it as a digest: ``Session.listing_inputs``).

A record (what loading a file gave) is written once, in its file's part; the other parts and the
index refer to it by its file and place, ``_ref((file, i))``, and so does a page's Markdown key to the
archive's (``"md_key"``), a view to an article's head (``"head:<slug>"``, in its part of articles) and to
the outlets of the last build's frame (``"outlets"``), so that what a build compares by identity is the
same object once read.
Each part lists the files it refers to; a part that refers to a file loaded again (or to a Markdown
key that changed) is written again, so that a reference never comes to stand for another record.

Nothing in it is taken on trust:

- the whole cache is for one Dossier: its key digests the cache format, Dossier's version, the
  Python and library versions that shape the output, and Dossier's own source files; another
  key and the file is passed over;
- a content file is parsed again when its bytes changed, a page is rendered again when its
  view (which holds the configuration) or the digest of a template it uses changed, and a page
  is taken from the output folder only when the output's manifest names the same digest;
- a damaged or truncated file (the length and CRC-32 of its pickle do not match, or what follows it is not
  as long as the pickles of their own it lists) or one that cannot be read back is ignored (a part's views,
  mentions, texts and words, read from it later, are each taken only when their own length and CRC-32 are
  those the part lists): the index, or a part of the loaded files (the records everything
  refers to), and the build runs as if there were none; a part of pages that is missing, damaged, refers to a record
  there is not, or is not the one the index names only has its pages rendered again; without a
  part of words the search index is made whole; without a part of articles, the shared passages
  are found again in every article; without a part of the index's memo (or a report's facts it refers
  to), the index is made from nothing; a view that cannot be read back equals no view; a report's
  mentions, text or words that cannot be read back make the build again without the cache;
- only Dossier's records and plain containers are read back, never a function (``_Unpickler``).

Each file is written to a temporary name and renamed into place, so a reader sees an old file
or a new one, never half of one; parts get a new name for new contents and are written before the index
that names them, and the parts no index names are removed after it. Deleting the folder costs
time, nothing else.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

from . import __version__
from .cache_blobs import Blobs, Box, _offsets
from .cache_pickle import (FORMAT, Deferred, _check, _deferring, _dumps, _loads,  # noqa: F401
                           _pack, _read_head, _ref, _refs, _unpack, _write)
from .emit import ArticleResult
from .exports import Memory
from .index import Memo
from .load import Loaded
from .model import ArticleHead, Unreadable
from .passages import SentenceKeys, SharedPassages, Where
from .outdir import OutputError, finish_interrupted, read_manifest
from .search import Words
from .session import KEPT
from .views import FrozenMap

FOLDER = ".dossier-cache"
FILE = "build.pickle"
PARTS = "parts"  # the maps kept by key, a group of keys to a file
HEAD = "head:"  # the persistent id of an article's head: "head:<slug>" (a file's are its path under the root)
PER_PART = 128  # reports per part, about (their number is a power of two)
STALE_SECONDS = 3600  # a temporary file this old was left by a killed build
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "jinja2", "markupsafe", "pyyaml", "pyahocorasick", "ahocorasick-rs", "mdurl")
def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).hexdigest().encode()


def _version(name: str) -> str:
    from importlib import metadata  # noqa: PLC0415 - only when ``_versions`` cannot tell (it imports email, zipfile...)
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _normal(name: str) -> str:
    """A distribution's name as its ``.dist-info`` folder spells it (``markdown-it-py``: ``markdown_it_py``)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _versions(names) -> dict[str, str]:
    """name -> the installed version of each distribution: the version its ``.dist-info`` folder's name holds,
    in the first folder of ``sys.path`` that has one, where ``importlib.metadata`` looks first too, without
    importing it and what it imports (email, zipfile: 40 ms of every cached build's start). A name found
    otherwise (an ``.egg-info``, two folders of one name, a zip on the path, none) is asked of
    ``importlib.metadata``."""
    want = {_normal(n): n for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        left = {k: n for k, n in want.items() if n not in found}
        try:
            listing = os.listdir(entry or ".") if left else ()
        except NotADirectoryError:  # a zip: what is in it is for importlib to say
            break
        except OSError:
            continue
        here: dict[str, list] = {}
        for item in listing:  # "markdown_it_py-4.3.0.dist-info": the name holds no "-", the version none either
            stem, _dot, kind = item.rpartition(".")
            name, _dash, version = stem.partition("-")
            if kind in ("dist-info", "egg-info", "egg") and (n := left.get(_normal(name))):
                here.setdefault(n, []).append(version if kind == "dist-info" else "")
        for n, got in here.items():
            found[n] = got[0] if len(got) == 1 and got[0] else _version(n)
    return {n: found[n] if n in found else _version(n) for n in names}


def source_digest() -> str:
    """Digest of Dossier's own Python files: a changed Dossier never reads an older one's cache."""
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cache_key() -> bytes:
    versions = _versions(LIBRARIES)
    parts = [FORMAT.decode(), __version__, sys.version, *(f"{n}={versions[n]}" for n in LIBRARIES), source_digest()]
    return _digest("\n".join(parts).encode())


def part_of(key, count: int) -> int:
    return zlib.crc32(str(key).encode("utf-8")) % count


# The maps kept in parts, by family: the maps of a family share its keys' groups (the Markdown facts, the
# page memo and the exports' text of an output path sit in one part), and a part holds a dict of them.
# Each article's scan and head (by slug) are read after the index and before the pages (views refer to heads).
FAMILIES = {"files": ("_loaded",), "articles": ("_scans", "_heads"), "pages": ("_markdown", "_pages", "texts"),
            "words": ("words",), "index": ("seen", "bylines", "counts", "ranked")}
KEY_TYPES = {"files": str, "articles": str, "pages": str, "words": int, "index": str}
MEMO = "index_memo"  # the index's memo (``index.Memo``): its maps in the parts of family "index", read last
RESULT = "result:"  # the persistent id of a report's Markdown facts: "result:<output path>"
SPLIT = ("_loaded", "_scans", "_heads", "_markdown", "_pages")  # the session's maps in parts; "texts" and
# "words": the exports memo's
GOOD = {"_loaded": lambda v: isinstance(v, tuple) and len(v) == 3 and isinstance(v[2], Loaded),
        "_scans": lambda v: isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], tuple) and len(v[1]) == 2,
        "_heads": lambda v: isinstance(v, tuple) and len(v) == 3,
        "_markdown": lambda v: isinstance(v, tuple) and len(v) == 2,
        "_pages": lambda v: isinstance(v, tuple) and len(v) == 3,
        "texts": lambda v: isinstance(v, tuple),
        "words": lambda v: isinstance(v, Words),
        "seen": lambda v: isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], ArticleResult)
        and isinstance(v[1], tuple),
        "bylines": lambda v: isinstance(v, tuple) and len(v) == 4 and isinstance(v[0], ArticleHead),
        "counts": lambda v: isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], Counter)
        and isinstance(v[1], int),
        "ranked": lambda v: isinstance(v, tuple)}


def _maps(state: dict) -> dict:
    """The maps kept in parts: the session's, the exports memo's texts, and the search records' words
    but a report's (its Markdown facts hold them: see ``_reports_words``)."""
    memory, memo = state["exports"], state[MEMO]
    held = {w.key: w for w in _reports_words(state["_markdown"])}  # equal, or the same object
    return {**{m: state[m] for m in SPLIT}, "texts": memory.texts,
            "words": {k: w for k, w in memory.words.items() if (h := held.get(k)) is not w and not _equal(h, w)},
            "seen": memo.seen, "bylines": memo.heads, "ranked": memo.ranked,
            "counts": {e: (c, memo.members[e]) for e, c in memo.counts.items()}}


def _index_memo(maps: dict, whole: bool) -> Memo:
    """The index's memo put back from its parts; a fresh one (the index made from nothing) when a part
    was not read: its counts are sums over every report, never taken in part."""
    memo = Memo()
    if whole:
        memo.seen, memo.heads, memo.ranked = maps["seen"], maps["bylines"], maps["ranked"]
        memo.counts = {e: c for e, (c, _n) in maps["counts"].items()}
        memo.members = Counter({e: n for e, (_c, n) in maps["counts"].items()})
        memo.continuous = True  # kept after a build that reached the output folder
    return memo


def _results(markdown: dict) -> dict:
    """``"result:<path>"`` -> each report's Markdown facts (what the index's memo refers to)."""
    return {RESULT + path: hit[1] for path, hit in markdown.items()
            if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[1], ArticleResult)}


def _reports_words(markdown: dict):
    """The search words of each report, as its Markdown facts hold them (``ArticleResult.words``, counted
    where it was rendered): what the exports memo holds of reports (the same objects, or, when the search
    index was made in a forked process, equal ones), written once, in the facts."""
    for hit in markdown.values():
        words = getattr(hit[1], "words", None)
        if isinstance(words, Words):
            yield words


def _passage_slugs(state: dict):
    """What the index holds of the shared-passage index's sentence keys: the slugs, when each article's
    keys are the very list its scan holds (the scans are in parts: ``_passage_keys`` puts them back), else
    the keys themselves."""
    keys, scans = state["_shared"].keys, state["_scans"]
    same = all(isinstance(hit := scans.get(slug), tuple) and hit[1][1] is ks for slug, ks in keys.items())
    return tuple(keys) if same else keys


def _passage_keys(state: dict, whole: bool) -> None:
    """The shared-passage index's sentence keys given back from the scans read (the same arrays: it tells
    a changed article by identity); a fresh index when a scan it needs was not read (``whole`` False)."""
    shared, scans = state["_shared"], state["_scans"]
    if isinstance(shared.keys, tuple):
        keys = {slug: scans[slug][1][1] for slug in shared.keys if isinstance(slug, str) and slug in scans}
        if not whole or len(keys) != len(shared.keys) or not all(isinstance(ks, (list, SentenceKeys)) for ks in keys.values()):
            state["_shared"] = SharedPassages()  # made again from every article's keys
            return
        shared.keys = keys


def _records_of(loaded: dict) -> dict:
    """(file, index) -> each record loading gave: the objects the other parts refer to."""
    return {(path, i): rec for path, entry in loaded.items() for i, rec in enumerate(entry[2].records)}


def _heads(state: dict) -> dict:
    """``"head:<slug>"`` -> each article's head as the last build showed it on other pages (``Session.heads``)."""
    return {HEAD + slug: hit[1] for slug, hit in state["_heads"].items()
            if isinstance(slug, str) and isinstance(hit, tuple) and len(hit) == 3 and isinstance(hit[1], ArticleHead)}


def _site_wide(state: dict, records: dict, heads: dict) -> dict:
    """The persistent ids of the objects the parts of pages refer to: every record, the Markdown key
    (each page's Markdown key holds it: it is compared by identity first, in constant time) and each
    article's head (the views of listings, entity pages and other coverage hold them: written once, in
    the index, and the same objects as the session's once read, so that views compare in constant time)."""
    shared = dict(records)
    if state["_md_key"] is not None:
        shared["md_key"] = state["_md_key"]
    shared.update(heads)
    shared.update(_frame(state))
    return shared


def _frame(state: dict) -> dict:
    """``"outlets"`` -> the outlets every view shows (``Frame.outlet_index``, fifty records and more, in each
    view's own pickle otherwise), of the frame the last build's pages read (``Session.steady``)."""
    around = state["_around"]
    frame = around[0] if isinstance(around, tuple) and around else None
    return {"outlets": frame.outlet_index} if isinstance(getattr(frame, "outlet_index", None), FrozenMap) else {}


def _meanings(state: dict, loaded: dict, heads: dict, results: dict) -> dict:
    """What a reference in a part stands for, by what it names: each file's Loaded (its records; ``loaded``,
    keyed as the cache keys it), the Markdown key, each article's head. A part that refers to one that is no
    longer the same object is written again."""
    meanings = {path: entry[2] for path, entry in loaded.items()}
    meanings["md_key"] = state["_md_key"]
    meanings.update(heads)  # (``_heads(state)``, ``_results(state["_markdown"])``: made once a read or write)
    meanings.update(_frame(state))
    meanings.update(results)
    return meanings


def _equal(held, words) -> bool:
    """Whether a report's words (``held``) stand for the exports memo's of the same key: equal, or (two reports of
    the same text, the terms of one read back from the cache no longer readable) the same key, which is all
    the memo looks them up by; the words kept are then the report's."""
    try:
        return held == words
    except Unreadable:
        return True


def _same(old: dict, group: dict) -> bool:
    """Whether a part's maps as read (or last written) hold what ``group`` holds; not when what was read
    cannot be read back to be compared (its part is written afresh)."""
    try:
        for m, entries in group.items():
            was = old.get(m, {})
            if was.keys() != entries.keys() or not all(was[k] is v or was[k] == v for k, v in entries.items()):
                return False
    except Unreadable:
        return False
    return True


def _sizes(sizes, total: int) -> bool:
    """Whether ``sizes`` are (length, CRC-32) of pickles filling the ``total`` bytes after a part's pickle."""
    return isinstance(sizes, list) and all(type(s) is tuple and len(s) == 2 and type(s[0]) is int
                                           and type(s[1]) is int and s[0] >= 0 for s in sizes) \
        and sum(s[0] for s in sizes) == total


def _relative(loaded: dict, prefix: str) -> dict:
    """The session's loaded files (by absolute path) keyed as the cache keys them: by their path under the
    archive's root (``prefix``: the root and a separator), so that an archive moved, or its cache copied to
    another folder, finds its files' memory (their records then the same objects, and every page's Markdown
    key with them). A path not under the root keeps its absolute form."""
    n = len(prefix)
    return {k[n:] if k.startswith(prefix) else k: v for k, v in loaded.items()}


def _absolute(loaded: dict, prefix: str) -> dict:
    """The cache's loaded files keyed as the session keys them: by absolute path, under this root."""
    return {k if os.path.isabs(k) else prefix + k: v for k, v in loaded.items()}


class Cache:
    def __init__(self, root: Path) -> None:
        self.prefix = os.path.join(str(root), "")  # a loaded file's key in the cache: its path after this
        self.folder = root / FOLDER
        self.path = self.folder / FILE
        self.parts = self.folder / PARTS
        self.key = cache_key()
        # family -> {group: (its file's name, its maps or None, the files (and names) it refers to)}
        self._known: dict[str, dict] = {}
        self._shared: dict = {}  # what the references of the parts read meant: file -> its Loaded, name -> object
        self._slots: dict[str, tuple] = {}  # family -> (its number of parts, key -> its part): ``part_of`` once a key

    def load(self):
        """What the last good build kept, the parts put back, or None (no cache, another key, damaged:
        all the same). The entries of a part that cannot be read are left out (their pages are rendered
        again); a part of the loaded files missing leaves the whole cache unused."""
        try:
            index = _unpack(self.path.read_bytes(), self.key)
        except OSError:
            return None
        if not isinstance(index, dict) or set(index) != {"site", "parts"} or not isinstance(index["site"], bytes) \
                or not isinstance(index["parts"], dict) or set(index["parts"]) != set(FAMILIES) \
                or not all(isinstance(n, tuple) for n in index["parts"].values()):
            return None
        self._known = {}
        maps = self._read_family("files", index["parts"]["files"], {})
        if any(part is None for _name, part, _refs in self._known["files"].values()):
            return None  # the records the rest refers to
        records = _records_of(maps["_loaded"])
        state = _loads(index["site"], records)
        if not isinstance(state, dict) or set(state) != set(KEPT) - set(SPLIT) - {MEMO} \
                or not isinstance(state.get("exports"), Memory) or not isinstance(state.get("_shared"), SharedPassages):
            return None
        maps.update(self._read_family("articles", index["parts"]["articles"], records))
        state.update({m: maps[m] for m in FAMILIES["articles"]})
        _passage_keys(state, all(part is not None for _name, part, _refs in self._known["articles"].values()))
        heads = _heads(state)
        shared = _site_wide(state, records, heads)
        maps.update(self._read_family("pages", index["parts"]["pages"], shared))
        maps.update(self._read_family("words", index["parts"]["words"], shared))
        state.update({m: maps[m] for m in SPLIT})
        state["_loaded"] = _absolute(maps["_loaded"], self.prefix)
        memory = state["exports"]
        memory.words = {w.key: w for w in _reports_words(maps["_markdown"])}
        memory.words.update(maps["words"])
        memory.texts = maps["texts"]
        if any(part is None for _name, part, _refs in self._known["words"].values()):
            memory.search = None  # the index is updated from the last one's words: without them, made whole
        results = _results(maps["_markdown"])
        maps.update(self._read_family("index", index["parts"]["index"], {**shared, **results}))
        state[MEMO] = _index_memo(maps, all(part is not None for _name, part, _refs in self._known["index"].values()))
        self._shared = _meanings(state, maps["_loaded"], heads, results)
        return state

    def _read_family(self, family: str, names: tuple, shared: dict) -> dict:
        """map -> its entries in the parts ``names`` of ``family`` (those that can be read)."""
        known = self._known[family] = {}
        maps: dict = {m: {} for m in FAMILIES[family]}
        slots: dict = {}
        for i, name in enumerate(names):
            part = self._read_part(name, family, shared)
            known[i] = (name, *(part or (None, None)))
            for m, entries in (part[0] if part else {}).items():
                maps[m].update(entries)
                slots.update(dict.fromkeys(entries, i))
        self._slots[family] = (len(names), slots)
        return maps

    def _read_part(self, name, family: str, shared: dict) -> tuple | None:
        """(the maps of the part file ``name``, what it refers to); None when it is missing or damaged."""
        if not isinstance(name, str):
            return None
        blobs = Blobs(self.parts / name)
        try:  # a part's checksum covers its name: one swapped for another is not taken
            data, size = _read_head(blobs.path, self.key)  # its pickles of their own stay in the file
        except OSError:
            return None
        part = _unpack(data, self.key, name.encode(), shared, blobs)
        if not isinstance(part, tuple) or len(part) != 3 or not isinstance(part[0], dict) \
                or set(part[0]) != set(FAMILIES[family]) or not isinstance(part[1], set) \
                or not all(isinstance(e, dict) for e in part[0].values()) or not _sizes(part[2], size - blobs.base):
            return None
        blobs.table = _offsets(part[2])
        key_type, refs = KEY_TYPES[family], frozenset(part[1])
        for entry in part[0].get("_pages", {}).values():
            if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[1], Deferred):
                entry[1].refs = refs
        return {m: {k: v for k, v in entries.items() if isinstance(k, key_type) and GOOD[m](v)}
                for m, entries in part[0].items()}, refs

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
        folder = os.path.join(out, "")
        there = {rel: d for rel, d in (manifest.files if manifest else {}).items() if os.path.isfile(folder + rel)}
        return session.restore(state, there)

    def save(self, state) -> None:
        """Write ``state`` atomically; a cache that cannot be written is only a slower next build."""
        maps = _maps(state)
        maps["_loaded"] = loaded = _relative(state["_loaded"], self.prefix)
        records = _records_of(loaded)
        heads, results = _heads(state), _results(state["_markdown"])
        now = _meanings(state, loaded, heads, results)
        changed = {ref for ref, obj in self._shared.items() if now.get(ref) is not obj}
        memory = state["exports"]
        words = memory.words
        try:
            self.folder.mkdir(exist_ok=True)
            self.parts.mkdir(exist_ok=True)
            names = {"files": self._save_family("files", maps, None, changed)}
            names["articles"] = self._save_family("articles", maps, records, changed)
            passages, keys = state["_shared"], state["_shared"].keys
            memory.words, memory.texts, passages.keys = {}, {}, _passage_slugs(state)  # what the parts hold: not here
            if not isinstance(passages.where, Where):
                passages.where = Where.of(passages.where)  # compact from now on (and when read back)
            try:
                site = _dumps({n: v for n, v in state.items() if n not in SPLIT and n != MEMO}, _refs(records, [set()]))
            finally:
                memory.words, memory.texts, passages.keys = words, maps["texts"], keys
            shared = _site_wide(state, records, heads)
            names["pages"] = self._save_family("pages", maps, shared, changed)
            names["words"] = self._save_family("words", maps, None, changed)
            names["index"] = self._save_family("index", maps, {**shared, **results}, changed)
            _write(self.folder, FILE, _pack(_dumps({"site": site, "parts": names}), self.key))
            self._shared = now
            self._sweep({name for group in names.values() for name in group})
        except (OSError, pickle.PicklingError, RecursionError):
            self._known = {}

    def _save_family(self, family: str, maps: dict, shared: dict | None, changed: set) -> tuple:
        """The file names of the parts of ``family``, writing those whose entries changed since they were
        read, or that refer to a file loaded again (or to a new Markdown key): ``changed``."""
        keys = set().union(*(maps[m] for m in FAMILIES[family]))
        count = 1 << max(0, (len(keys) // PER_PART).bit_length())
        groups: list[dict] = [{m: {} for m in FAMILIES[family]} for _ in range(count)]
        # Each key goes to the part it was read from or last written to (``part_of`` the first time): a
        # look-up, not a checksum of the key, for each of 100,000 keys a build.
        had, slots = self._slots.get(family, (0, {}))
        slots = slots if had == count else {}
        slot = slots.get
        for m in FAMILIES[family]:
            for key, value in maps[m].items():
                i = slot(key)
                if i is None:
                    i = slots[key] = part_of(key, count)
                groups[i][m][key] = value
        self._slots[family] = (count, slots)
        known = self._known.get(family, {})
        now = self._known[family] = {}
        box: list = [Box()]
        table = None if shared is None else _refs(shared, box)
        if family == "pages":
            table = _deferring(table, box, changed)
        for i, group in enumerate(groups):
            name, old, refs = known.get(i, (None, None, None)) if len(known) == count else (None, None, None)
            if old is None or refs & changed or not _same(old, group):
                name, box[0] = os.urandom(16).hex() + ".pickle", Box()  # a new name for new contents
                part = box[0]
                payload = _dumps((group, part.refs, part.sizes), table)  # both filled before they are written
                pieces = _pack(payload, self.key, name.encode(), *part.blobs)
                _write(self.parts, name, pieces)
                part.written(self.parts / name, len(pieces[0]) + len(payload))
                refs = frozenset(part.refs)
            now[i] = (name, group, refs)
        return tuple(now[i][0] for i in range(count))

    def forget(self) -> None:
        """What was read is not to be compared with: the next ``save`` writes every part afresh."""
        self._known, self._slots, self._shared = {}, {}, {}

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
