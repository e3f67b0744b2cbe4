"""What the exports take of each report, spooled to disk from rendering until the exports read it.

A render worker reads each report's text back from its page (its body as the page shows it and
where the annotated passages lie), makes its rows of ``data/mentions.csv`` and counts the words of
its search record (``search.Words``).
Held in the build process from the article pages until the exports, they were about 9 kB a report:
870 MB at 100,000 articles, and every process forked meanwhile (the entity pages' pool, the search
index's) counted them as its own.  In a one-off build (``build_site``, ``dossier check``,
``build --no-cache``: nothing is kept for a next build) each process that renders reports appends
them to its own file in a folder of the staging folder instead, and what comes back is where they
lie (a :class:`Piece`, a few numbers); the exports read them back one report at a time, as they
need them (:class:`Texts`, :class:`WordsOf`).  The folder goes before the staging folder becomes the
output (:meth:`Spool.close`), and with it when a build fails (``Staging.discard``).
"""
from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from .search import Words

_PREAD = hasattr(os, "pread")  # not on every system; where it is not, nothing forks either
FOLDER = ".dossier-spool"  # in the staging folder; never an output's name (outputs are listed, this is not)


class Piece(NamedTuple):
    """Where one report's part lies: the file of the process that wrote it, the offset, the length of
    its body (UTF-8), of what follows it (the pickled passages and words) and of its ``mentions.csv``
    rows (UTF-8, as the file holds them: on disk, nothing is gained by packing them); and the length of
    its search record's text (the index's average length is taken before any report's words are read)."""

    pid: int
    at: int
    body: int
    rest: int
    rows: int
    chars: int


class Spool:
    """One folder of per-process files, appended to by whichever process renders (each opens its own
    file, named by its pid, the first time it writes: a forked worker inherits this object unopened
    for itself), read back in the build process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pid = 0  # the process whose file ``_fd`` is
        self._fd = -1
        self._at = 0  # the length of this process's file
        self._readers: dict = {}  # pid -> that process's file, open to read in ``self._reading``
        self._reading = 0  # the process whose ``_readers`` they are (a forked one opens its own)

    @classmethod
    def make(cls, staging_dir: Path) -> "Spool":
        folder = staging_dir / FOLDER
        folder.mkdir()
        return cls(folder)

    def put(self, text: tuple[str, dict], words: Words, rows: bytes) -> Piece:
        """Append a report's ``(body, passages)``, its ``search.Words`` and its ``mentions.csv`` rows;
        where they lie."""
        pid = os.getpid()
        if self._pid != pid:  # unbuffered and appended: what a killed worker wrote before its result stays whole
            self._fd = os.open(self.folder / str(pid), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            self._pid, self._at = pid, 0
        body = text[0].encode("utf-8", "surrogatepass")
        rest = pickle.dumps((text[1], (words.key, words.length, words.terms, words.counts, words.title)),
                            pickle.HIGHEST_PROTOCOL)
        data = memoryview(b"".join((body, rows, rest)))
        while data:
            data = data[os.write(self._fd, data):]
        piece = Piece(pid, self._at, len(body), len(rest), len(rows), words.length)
        self._at += len(body) + len(rows) + len(rest)
        return piece

    def _read(self, piece: Piece, start: int, size: int) -> bytes:
        if self._reading != os.getpid():  # never the descriptors of the process this one was forked from
            self._readers, self._reading = {}, os.getpid()
        f = self._readers.get(piece.pid)
        if f is None:
            f = self._readers[piece.pid] = open(self.folder / str(piece.pid), "rb", buffering=0)
        if _PREAD:  # at an offset without moving the file's position, which a forked process shares
            data = os.pread(f.fileno(), size, piece.at + start)
        else:
            f.seek(piece.at + start)
            data = f.read(size)
        if len(data) != size:
            raise OSError(f"{self.folder / str(piece.pid)}: spooled report cut short")
        return data

    def body(self, piece: Piece) -> str:
        return self._read(piece, 0, piece.body).decode("utf-8", "surrogatepass")

    def text(self, piece: Piece) -> tuple[str, dict]:
        """``(body, passages)`` as the worker read them from the page."""
        data = self._read(piece, 0, piece.body + piece.rows + piece.rest)
        passages, _words = pickle.loads(data[piece.body + piece.rows:])
        return data[:piece.body].decode("utf-8", "surrogatepass"), passages

    def words(self, piece: Piece) -> Words:
        return Words(*pickle.loads(self._read(piece, piece.body + piece.rows, piece.rest))[1])

    def rows(self, piece: Piece) -> bytes:
        return self._read(piece, piece.body, piece.rows)

    def close(self) -> None:
        """Close every file and remove the folder (before the staging folder is committed)."""
        for f in self._readers.values() if self._reading == os.getpid() else ():
            f.close()
        if self._pid == os.getpid():
            os.close(self._fd)
        self._readers, self._pid, self._fd = {}, 0, -1
        shutil.rmtree(self.folder, ignore_errors=True)


class _Spooled(Mapping):
    """article slug -> what its worker spooled, read when asked for (never held)."""

    def __init__(self, spool: Spool, results: dict) -> None:
        self._spool, self._results = spool, results

    def __contains__(self, slug) -> bool:
        return slug in self._results

    def __iter__(self):
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)


class Texts(_Spooled):
    """article slug -> ``(body, passages)`` of its page; ``body(slug)`` reads the body alone;
    ``chars()`` is the sum of the lengths of the reports' search records' texts (read from none)."""

    def __getitem__(self, slug: str) -> tuple[str, dict]:
        return self._spool.text(self._results[slug].spooled)

    def body(self, slug: str) -> str:
        return self._spool.body(self._results[slug].spooled)

    def chars(self) -> int:
        return sum(res.spooled.chars for res in self._results.values())


class WordsOf(_Spooled):
    """article slug -> the ``search.Words`` of its search record, as its worker counted them."""

    def __getitem__(self, slug: str):
        return self._spool.words(self._results[slug].spooled)


class Rows(_Spooled):
    """article slug -> its rows of ``data/mentions.csv`` (UTF-8), as its worker made them."""

    def __getitem__(self, slug: str) -> bytes:
        return self._spool.rows(self._results[slug].spooled)
