"""The build cache's files: each a header (the format, the cache's key, a checksum) and a pickle that
only Dossier's records and plain containers are read back from; references to shared objects
(``_ref``); atomic writes. See :mod:`dossier.cache` for what the files hold."""
from __future__ import annotations

import dataclasses
import io
import os
import pickle
import sys
import tempfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from . import opendata
from .cache_blobs import Blob, Blobs, Box, _bytes
from .emit import ArticleResult
from .model import Mention, Unreadable, named, reducer
from .search import Words
from .views import ArticleView, View

FORMAT = b"dossier-cache/5"
_SAFE_BUILTINS = frozenset({"set", "frozenset", "dict", "list", "tuple", "str", "bytes", "int", "float", "bool",
                            "complex", "bytearray", "slice", "range"})
_SAFE = {"datetime": frozenset({"date", "datetime", "time", "timedelta", "timezone"}),
         "collections": frozenset({"defaultdict", "OrderedDict", "Counter"}),
         "markupsafe": frozenset({"Markup"}), "copyreg": frozenset({"_reconstructor"})}



def _check(data: bytes, name: bytes = b"") -> bytes:
    """What finds a damaged or truncated file (and, with ``name``, a part under another part's name): its
    length and a CRC-32, thirty times faster than a digest over the 300 MB of a large archive's cache."""
    return b"%08x%x" % (zlib.crc32(data, zlib.crc32(name)), len(data))


def _ref(pid):
    """What a reference to a shared object is written as a call of (see ``_refs``); the unpickler
    looks ``pid`` up in its ``shared`` instead."""
    raise pickle.UnpicklingError(f"{pid!r}: a reference read without its records")


def _deferred(page, data, *eager):
    """What a view kept for later is written as a call of (see ``Deferred``); the unpickler makes the
    ``Deferred`` instead."""
    raise pickle.UnpicklingError("a deferred view read without its records")


class Deferred:
    """A page memo's view read back as its own pickle, unpickled only when a build compares it (most
    pages of a build after an edit are reused without their view: see ``Session.reuse_if``). ``page``
    (its ``PageMeta``) is read at once, and an article page's ``article`` and ``coverage`` (``eager``: what
    ``Session.steady`` compares); ``refs``: what the part it came from refers to (``dossier.cache``).
    ``blob``: the pickle, or where it lies in its part file (``Blob``), read from there when asked for."""

    __slots__ = ("page", "blob", "shared", "refs", "eager", "_view")
    EAGER = ("article", "coverage")

    def __init__(self, page, data, shared: dict, *eager) -> None:
        self.page, self.blob, self.shared, self.refs, self._view = page, data, shared, frozenset(), None
        self.eager = eager

    @property
    def data(self) -> bytes | None:
        return _bytes(self.blob)

    @property
    def read(self) -> bool:
        return self._view is not None

    def get(self):
        """The view (None when it cannot be read back: then it equals no view, and the page is made again)."""
        if self._view is None:
            data = self.data
            self._view = (None if data is None else _loads(data, self.shared),)
        return self._view[0]

    def __eq__(self, other) -> bool:
        return self.get() == (other.get() if isinstance(other, Deferred) else other)

    def __hash__(self) -> int:
        return hash(self.get())

    def __getattr__(self, name: str):
        if name in Deferred.EAGER and self.eager:
            return self.eager[Deferred.EAGER.index(name)]
        return getattr(self.get(), name)


def _mentions(entities, data):
    """What a report's mentions are written as a call of in a part (see ``Mentions``); the unpickler
    makes the ``Mentions`` instead."""
    raise pickle.UnpicklingError("mentions read outside the build cache")


class _OwnPickle:
    """What the build cache reads back as a pickle of its own in its part file (``blob``: the pickle, or where
    it lies, a ``Blob``), unpickled on first use and kept (``_got``); ``_good(got)`` says whether it read back
    as what was written: if not, ``Unreadable`` (the build is made again without the cache). ``_WHAT``: what
    it is, for the message."""

    __slots__ = ()
    _WHAT = ""

    @property
    def data(self) -> bytes | None:
        """The pickle, held or read from its part file (``Blob``); None when it cannot be read."""
        return _bytes(self.blob)

    @property
    def read(self) -> bool:
        return self._got is not None

    def get(self):
        if self._got is None:
            data = self.data
            got = None if data is None else _loads(data, {})
            if got is None or not self._good(got):
                raise Unreadable(f"{self._WHAT} in the build cache")
            object.__setattr__(self, "_got", got)
        return self._got

    def _same_pickle(self, other) -> bool:
        """Whether ``other`` is read from the same pickle, or from the same bytes (neither read)."""
        return type(other) is type(self) and (other.blob is self.blob or other.data == self.data is not None)


class _OwnSequence(_OwnPickle, Sequence):
    """A sequence read back as a pickle of its own (``_OwnPickle``): equal to the sequence it was made from."""

    __slots__ = ()

    def __getitem__(self, i):
        return self.get()[i]

    def __len__(self) -> int:
        return len(self.get())

    def __iter__(self):
        return iter(self.get())

    def __eq__(self, other) -> bool:
        if self._same_pickle(other):
            return True
        return self.get() == (other.get() if type(other) is type(self) else other)

    __hash__ = None  # as a list's

    def __reduce__(self):  # anywhere but a part of the cache: the sequence itself
        got = self.get()
        return type(got), (got,)


class Mentions(_OwnSequence):
    """A report's mentions (``ArticleResult.mentions``) read back from the build cache: a pickle of their
    own, unpickled on first use. A build after an edit reads the mentions of the reports the edit touched
    and of the entity pages it makes again, not the 100,000 of a large archive. ``entities``: the entities
    they name, in first-seen order (``model.named``), read at once. The pickle holds Mention records only
    (no reference to anything else) and lies in its part file, its length and CRC-32 listed by the part;
    one that does not read back as such raises ``Unreadable`` (the build is made again without the cache)."""

    __slots__ = ("entities", "blob", "_got")
    _WHAT = "a report's mentions"

    def __init__(self, entities: tuple, data) -> None:
        self.entities, self.blob, self._got = entities, data, None

    @staticmethod
    def _good(got) -> bool:
        return isinstance(got, list) and all(type(m) is Mention for m in got)

    def __repr__(self) -> str:
        return f"Mentions({self.entities!r}, {'read' if self.read else 'unread'})"


def _text(data, windows):
    """What a report's text is written as a call of in a part (see ``Text``); the unpickler makes the
    ``Text`` instead."""
    raise pickle.UnpicklingError("a report's text read outside the build cache")


class Text(_OwnSequence):
    """A report's text as its page shows it (``ArticleResult.text``: ``(body, passages)``) read back from
    the build cache: a pickle of its own in its part file, read and unpickled on first use. A build after
    an edit reads the texts of the reports whose search records it makes again, not the 46 MB of every
    report's at 10,000 articles; an annotated report's passages come from ``windows``, read with the part.
    One that cannot be read back as such raises ``Unreadable`` (the build is made again without the cache)."""

    __slots__ = ("blob", "_got", "windows")
    _WHAT = "a report's text"

    def __init__(self, data, windows: dict | None = None) -> None:
        self.blob, self._got, self.windows = data, None, windows

    @classmethod
    def of(cls, text: tuple) -> "Text":
        """``windows``: anchor -> its passage's (start, end) in the body and ``opendata.window``, read at once
        (the data files' passages need no more of the text)."""
        body, passages = text
        return cls(pickle.dumps(text, pickle.HIGHEST_PROTOCOL),
                   {a: (*span, *opendata.window(body, *span)) for a, span in passages.items()})

    @staticmethod
    def _good(got) -> bool:
        return type(got) is tuple and len(got) == 2 and type(got[0]) is str and type(got[1]) is dict

    def __repr__(self) -> str:
        return f"Text({'read' if self.read else 'unread'})"


def _words(key, length, data):
    """What a report's search words are written as a call of in a part (see ``LazyWords``); the unpickler
    makes the ``LazyWords`` instead."""
    raise pickle.UnpicklingError("a report's words read outside the build cache")


class LazyWords(_OwnPickle, Words):
    """A report's search words (``ArticleResult.words``) read back from the build cache: their key and
    length at once (all the update of the search index reads of a report an edit did not change), their
    terms, counts and title a pickle of their own in the part file, read on first use. Equal to the
    ``Words`` they were made from, and pickled as those anywhere but a part of the cache. Terms that
    cannot be read back raise ``Unreadable`` (the build is made again without the cache)."""

    __slots__ = ("blob", "_got")
    _WHAT = "a report's search words"

    def __init__(self, key: int, length: int, data) -> None:  # (the fields are Words' frozen slots)
        for name, value in (("key", key), ("length", length), ("blob", data), ("_got", None)):
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, words: Words) -> "LazyWords":
        return cls(words.key, words.length,
                   pickle.dumps((words.terms, words.counts, words.title), pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def _good(got) -> bool:  # (terms, counts, title)
        return type(got) is tuple and len(got) == 3 and all(type(b) is bytes for b in got)

    def __setattr__(self, name: str, value) -> None:  # (Words' own fails in a subclass of a slotted dataclass)
        if name != "blob":  # where its terms lie, moved with its part (``Box.written``); the rest is frozen
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    terms = property(lambda self: self.get()[0])
    counts = property(lambda self: self.get()[1])
    title = property(lambda self: self.get()[2])

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, Words):
            return NotImplemented
        if self.key != other.key or self.length != other.length:
            return False
        return self._same_pickle(other) or (self.terms, self.counts, self.title) == (other.terms, other.counts,
                                                                                     other.title)

    def __hash__(self) -> int:  # as the Words it equals
        return hash((self.key, self.length, self.terms, self.counts, self.title))

    def __reduce__(self):  # anywhere but a part of the cache: the Words themselves
        return Words, (self.key, self.length, self.terms, self.counts, self.title)

    def __repr__(self) -> str:
        return f"LazyWords({self.key}, {self.length}, {'read' if self.read else 'unread'})"


class _Unpickler(pickle.Unpickler):
    """Only the classes a cache holds: Dossier's records and a few plain containers, never a function.
    A reference to a shared object (``_ref``) is looked up in ``shared``: one not there fails."""

    def __init__(self, f, shared: dict | None = None, blobs: Blobs | None = None) -> None:
        super().__init__(f)
        self.shared = shared or {}
        self.blobs = blobs  # a part's pickles of their own: views and mentions refer to them by number

    def find_class(self, module: str, name: str):
        if module == "builtins" and name in _SAFE_BUILTINS or name in _SAFE.get(module, ()):
            return super().find_class(module, name)
        if module == __name__ and name == _ref.__name__:
            return self.shared.__getitem__
        if module == __name__ and name == _deferred.__name__ and self.blobs is not None:
            shared, blobs = self.shared, self.blobs  # not ``self``: the unpickler's memo holds this function, and a
            # cycle through the unpickler would keep its file (the part's bytes) alive until a collection, which a
            # build does not run
            return lambda page, i, *eager: Deferred(page, _blob(blobs, i), shared, *eager)
        if module == __name__ and name == _mentions.__name__ and self.blobs is not None:
            blobs = self.blobs
            return lambda entities, i: _read_mentions(entities, _blob(blobs, i))
        if module == __name__ and name == _text.__name__ and self.blobs is not None:
            blobs = self.blobs
            return lambda i, windows: Text(_blob(blobs, i), _windows(windows))
        if module == __name__ and name == _words.__name__ and self.blobs is not None:
            blobs = self.blobs
            return lambda key, length, i: _read_words(key, length, _blob(blobs, i))
        if module == "dossier" or module.startswith("dossier."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the build cache")


def _dumps(obj, table: dict | None = None) -> bytes:
    """``pickle.dumps``, Dossier's slotted records as (class, fields): a dataclass's own ``__getstate__``
    and ``__setstate__`` look its fields up for every record, a third of the cache's time. ``table``:
    another dispatch table (``_refs``)."""
    f = io.BytesIO()
    pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _records() if table is None else table
    pickler.dump(obj)
    return f.getvalue()


def _refs(shared: dict, refs: list) -> dict:
    """A dispatch table that writes each object of ``shared`` (persistent id -> object) as a reference
    to it, ``_ref(pid)``, and adds the file (or the name) it refers to to the set ``refs[0]``: a part
    holds its own entries only, and what a build compares by identity (a record, the Markdown key)
    is the same object once read. Only the classes of these objects pay for it."""
    ids = {id(obj): pid for pid, obj in shared.items()}
    table = dict(_records())
    for cls in {type(obj) for obj in shared.values()}:
        own = table.get(cls) or (lambda obj: obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL))

        def reduce(obj, own=own):
            pid = ids.get(id(obj))
            if pid is None:
                return own(obj)
            refs[0].add(pid[0] if isinstance(pid, tuple) else pid)
            return _ref, (pid,)
        table[cls] = reduce
    return table


_TABLE: list = [None, {}]  # (the Dossier modules it was made from, the table)


def _records() -> dict:
    """class -> reducer, for every slotted dataclass of Dossier's modules (each takes its fields in ``__init__``)."""
    names = tuple(n for n in sys.modules if n == "dossier" or n.startswith("dossier."))
    if _TABLE[0] == names:
        return _TABLE[1]
    table = {}
    for name, module in list(sys.modules.items()):
        if name != "dossier" and not name.startswith("dossier."):
            continue
        for cls in list(vars(module).values()):
            if isinstance(cls, type) and cls.__module__ == name and "__slots__" in vars(cls) \
                    and "__reduce__" not in vars(cls) and dataclasses.is_dataclass(cls):  # (model's have their own)
                table[cls] = reducer(cls, tuple(f.name for f in dataclasses.fields(cls)))
    _TABLE[:] = [names, table]
    return table


HEADER_MAX = 512  # bytes: the format, the key and the checksum, each on its line, come before the payload


def _pack(payload: bytes, key: bytes, name: bytes = b"", *more: bytes) -> tuple[bytes, ...]:
    """The file's header, its payload and ``more`` (a part's pickles of their own: see ``Blobs``), written one
    after the other: joined, the payload (150 MB at 10,000 articles) would be held twice while it is written.
    The checksum covers the payload, which lists the length and CRC-32 of each of ``more``: a part is read
    without them (they are read, and checked, one at a time when asked for)."""
    return b"\n".join((FORMAT, key, _check(payload, name), b"")), payload, *more


def _payload(data: bytes, key: bytes) -> tuple[int, int, bytes] | None:
    """Where the payload of a file whose first bytes are ``data`` begins and ends (it may lie beyond
    ``data``), and its checksum (``_check``); None: not ours, or another key."""
    try:
        magic, found, check, _rest = data[:HEADER_MAX].split(b"\n", 3)
    except ValueError:
        return None
    if magic != FORMAT or found != key or not 9 <= len(check) <= 8 + 16:
        return None
    try:
        size = int(check[8:], 16)
    except ValueError:
        return None
    start = len(magic) + len(found) + len(check) + 3
    return start, start + size, check


def _read_head(path, key: bytes) -> tuple[bytes, int]:
    """A part file's header and payload, without the pickles of their own after it, and the file's size;
    of a file that is not ours, its first bytes (``_unpack`` passes them over)."""
    with open(path, "rb") as f:
        data = f.read(HEADER_MAX)
        where = _payload(data, key)
        if where is not None and where[1] > len(data):
            data += f.read(where[1] - len(data))
        return data, os.fstat(f.fileno()).st_size


def _unpack(data: bytes, key: bytes, name: bytes = b"", shared: dict | None = None, blobs: Blobs | None = None):
    """The object ``data`` holds, or None (not ours, another key, damaged, written under another ``name``,
    a reference to an object not in ``shared``). The payload is checked and read where it lies in
    ``data``, not copied out of it; ``data`` ends with it (a part's pickles of their own, which lie after
    its payload, are not read with it: ``blobs.base`` is set to where they begin)."""
    try:
        where = _payload(data, key)
        if where is None:
            return None
        start, end, check = where
        if len(data) != end or _check(memoryview(data)[start:end], name) != check:
            return None
        f = io.BytesIO(data)  # shares the bytes
        f.seek(start)
        got = _Unpickler(f, shared, blobs).load()
        if f.tell() != end:
            return None
        if blobs is not None:
            blobs.base = end
        return got
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


def _loads(blob: bytes, shared: dict):
    """The object of a pickle in a file already checked, its references looked up in ``shared``; None when
    it cannot be read back."""
    try:
        return _Unpickler(io.BytesIO(blob), shared).load()
    except Exception:  # noqa: BLE001 - as a damaged file
        return None


def _view_classes(cls: type = View) -> set:
    """Every class of Dossier's views."""
    found = set()
    for sub in cls.__subclasses__():
        found |= _view_classes(sub)
        if sub.__module__.startswith("dossier."):
            found.add(sub)
    return found


def _blob(blobs: Blobs, i) -> Blob:
    if type(i) is not int:
        raise pickle.UnpicklingError("a pickle of its own in the build cache is not as written")
    return Blob(blobs, i)


def _read_mentions(entities, blob: Blob) -> Mentions:
    if not isinstance(entities, tuple):
        raise pickle.UnpicklingError("a report's mentions in the build cache are not as written")
    return Mentions(entities, blob)


def _windows(windows) -> dict | None:
    if windows is not None and type(windows) is not dict:
        raise pickle.UnpicklingError("a report's text in the build cache is not as written")
    return windows


def _read_words(key, length, blob: Blob) -> LazyWords:
    if type(key) is not int or type(length) is not int:
        raise pickle.UnpicklingError("a report's search words in the build cache are not as written")
    return LazyWords(key, length, blob)


def _result(res: ArticleResult):
    """A report's Markdown facts, its mentions, its text and its search words' terms each as a pickle of
    their own (``Mentions``, ``Text``, ``LazyWords``)."""
    fields = [getattr(res, name) for name in _RESULT_FIELDS]
    mentions = res.mentions
    if not isinstance(mentions, Mentions):
        mentions = Mentions(named(mentions), pickle.dumps(mentions, pickle.HIGHEST_PROTOCOL))
    fields[_MENTIONS] = mentions
    if type(res.text) is tuple and res.text:  # (an article page that failed has none)
        fields[_TEXT] = Text.of(res.text)
    if type(res.words) is Words:
        fields[_WORDS] = LazyWords.of(res.words)
    return ArticleResult, tuple(fields)


_RESULT_FIELDS = tuple(f.name for f in dataclasses.fields(ArticleResult))
_MENTIONS, _TEXT, _WORDS = (_RESULT_FIELDS.index(name) for name in ("mentions", "text", "words"))


def _deferring(table: dict, box: list, changed: set) -> dict:
    """``table`` with the page memo's views each written as a pickle of its own after the part's pickle, read
    back only when a build compares it (``Deferred``; an article page's article and coverage at once), and
    each report's mentions too (``Mentions``); ``box[0]``: the part's ``Box``. A Deferred never read is
    written again as it was read, unless something its part referred to changed meaning: then it is read
    (holding what it was read with) and written afresh. One whose pickle cannot be read any more (its part
    file changed or gone since) is written as one that does not read back: its page is made again."""
    deferring = dict(table)

    def view(v):  # its references go to the part's, as its other entries'
        eager = (v.article, v.coverage) if isinstance(v, ArticleView) else ()
        return _deferred, (v.page, box[0].blob(_dumps(v, table)), *eager)

    def kept(d: Deferred):
        if (d.read or d.refs & changed) and d.get() is not None:
            return view(d.get())
        box[0].refs.update(d.refs)
        return _deferred, (d.page, box[0].blob(d.data or b"", d), *d.eager)

    deferring.update(dict.fromkeys(_view_classes(), view))
    deferring[Deferred] = kept
    deferring[ArticleResult] = _result
    deferring[Mentions] = lambda m: (_mentions, (m.entities, box[0].blob(m.data or b"", m)))
    deferring[Text] = lambda t: (_text, (box[0].blob(t.data or b"", t), t.windows))
    deferring[LazyWords] = lambda w: (_words, (w.key, w.length, box[0].blob(w.data or b"", w)))
    return deferring
