"""Where the build cache keeps a part's views and reports' mentions, texts and search words (see
:mod:`dossier.cache`): each a pickle of its own in the part file, after the part's pickle, read from the file
only when a build asks for it (a build after one edit reads a few of the 150 MB at 10,000 articles: the
mentions of the reports naming what the edited one names, the views it compares), never read nor held in
memory with the part."""
from __future__ import annotations

import os
import zlib


class Blobs:
    """The pickles of their own a part file holds after its pickle (views, a report's mentions, text and
    words): not read with the part (150 MB at 10,000 articles, of which a build after an edit reads a
    few), but each read from the file when asked for, and taken only when its length and CRC-32 are
    those the part lists (the part's checksum covers its pickle, which lists them; a file cut short is not
    taken). ``path``: the part file; ``base``: where the first begins; ``table``: (offset, length, CRC-32)
    of each."""

    __slots__ = ("path", "base", "table")

    def __init__(self, path, base: int = 0, sizes=()) -> None:
        self.path, self.base = path, base
        self.table = _offsets(sizes)

    def read(self, i: int) -> bytes | None:
        try:
            at, length, crc = self.table[i]
            fd = os.open(self.path, os.O_RDONLY)
            try:
                data = os.pread(fd, length, self.base + at)
            finally:
                os.close(fd)
        except (OSError, IndexError, TypeError):
            return None
        return data if len(data) == length and zlib.crc32(data) == crc else None


def _offsets(sizes) -> tuple:
    """((offset, length, CRC-32), ...) of pickles of ``sizes`` ((length, CRC-32), ...) one after the other."""
    table, at = [], 0
    for length, crc in sizes:
        table.append((at, length, crc))
        at += length
    return tuple(table)


class Blob:
    """One pickle of its own in a part file (see ``Blobs``)."""

    __slots__ = ("part", "i")

    def __init__(self, part: Blobs, i: int) -> None:
        self.part, self.i = part, i

    def bytes(self) -> bytes | None:
        return self.part.read(self.i)


def _bytes(data) -> bytes | None:
    """A pickle of its own: held (``bytes``) or read from its part file (``Blob``: None when it cannot be)."""
    return data.bytes() if isinstance(data, Blob) else data


class Box:
    """What pickling one part collects as it goes: the files (and names) it refers to, its pickles of their
    own (``Blobs``: their bytes and (length, CRC-32) each), and the Deferred views and Mentions read from
    the cache whose pickles it holds (``moved``: pointed at it once it is written)."""

    def __init__(self) -> None:
        self.refs: set = set()
        self.blobs: list[bytes] = []
        self.sizes: list[tuple[int, int]] = []
        self.moved: list = []

    def add(self, ref) -> None:  # (as the set ``_refs`` fills)
        self.refs.add(ref)

    def blob(self, data: bytes, owner=None) -> int:
        self.blobs.append(data)
        self.sizes.append((len(data), zlib.crc32(data)))
        if owner is not None:
            self.moved.append((owner, len(self.blobs) - 1))
        return len(self.blobs) - 1

    def written(self, path, base: int) -> None:
        """The part is written at ``path``, its pickles of their own from ``base`` on."""
        blobs = Blobs(path, base, self.sizes)
        for owner, i in self.moved:
            owner.blob = Blob(blobs, i)
