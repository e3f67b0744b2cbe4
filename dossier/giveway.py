"""Work that gives way: the preview's search index and data files, dropped when a save comes.

The preview serves a rebuild's pages first and makes its search index and data files afterwards
(``BuildResult.later``), in the thread that rebuilds.  That update is proportional to the archive
(about a second of CPU at 10,000 articles), so a save arriving while it ran used to wait for it.
Now the update runs inside :func:`giving_way` with a predicate that says whether a save waits; it
asks at its check points (:func:`check`, and every few items of its long loops: :func:`each`) and,
when a save waits, raises :class:`GaveWay`.  Nothing of the update has reached the output folder by
then (it is staged, and the staging is dropped), and what it changed of the session's
``exports.Memory`` is put back (``pipeline.finish_exports``): the rebuild the save starts makes the
index and the data again, from the same state as if the update had never begun.

Outside :func:`giving_way` (a one-off build, ``dossier build``, a test calling ``later()``), the
check points cost nothing and never raise.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

EVERY = 32  # items of a loop between two questions (a report's record or passage: about 10-30 us each)

_local = threading.local()  # .wanted: the predicate of this thread's update, or None


class GaveWay(Exception):
    """The update stopped at a check point: a save waits (nothing of it reached the output folder)."""


@contextmanager
def giving_way(wanted: Callable[[], bool] | None) -> Iterator[None]:
    """Check points in this thread raise :class:`GaveWay` once ``wanted()`` is true (None: never)."""
    before = getattr(_local, "wanted", None)
    _local.wanted = wanted
    try:
        yield
    finally:
        _local.wanted = before


def check() -> None:
    """A check point: raise :class:`GaveWay` if this thread's update is to give way."""
    wanted = getattr(_local, "wanted", None)
    if wanted is not None and wanted():
        raise GaveWay


def each(items: Iterable[T], every: int | None = None) -> Iterable[T]:
    """``items``, with a check point every ``every`` of them (default ``EVERY``; ``items`` itself outside
    :func:`giving_way`)."""
    wanted = getattr(_local, "wanted", None)
    if wanted is None:
        return items
    return _each(items, wanted, EVERY if every is None else every)


def _each(items: Iterable[T], wanted: Callable[[], bool], every: int) -> Iterator[T]:
    n = 0
    for item in items:
        n += 1
        if n >= every:
            n = 0
            if wanted():
                raise GaveWay
        yield item
