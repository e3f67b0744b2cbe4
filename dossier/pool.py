"""The worker pool: map a task over many items, in forked worker processes when it pays.

State reaches the workers through the pool's initializer (``initargs`` travel with the
forked process, never pickled), so each task is a plain function ``task(state, item)``.
Where ``fork`` is not available (the default start method on macOS and Windows would
pickle the whole state), the same tasks run one after another in this process: the
output is the same bytes, only slower.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import multiprocessing.connection
import multiprocessing.pool
import pickle
from contextlib import contextmanager
from functools import partial
from typing import Any, Callable, Iterable

PARALLEL_MIN = 150  # below this many tasks, one process is faster than forking
YOUNG_LIMIT = 100_000  # objects a worker made and still holds before it collects the cycles among them (see _call)

_state: Any = None  # set once per worker process, by _init, and read only by _call
_ending: list = []  # forked processes done with their work, left to end on their own (see ``let_end``)


def fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


def _init(state: Any) -> None:
    global _state
    _state = state
    gc.freeze()  # what the worker was forked with is never looked at by its collections (see _call)


def _call(job: tuple[Callable, Any]) -> Any:
    """``fn(state, item)``; once the worker holds ``YOUNG_LIMIT`` objects made since its last collection,
    the reference cycles among them are freed.

    The cyclic collector is off for the whole build (``no_cyclic_gc``). A page's macros hold its
    contexts, which hold them and the page's whole view; ``render.Template.render`` undoes those
    cycles once the page is made (until 2026-11-25 each page left one, 130 objects and about 20 kB:
    a worker rendering 50,000 reports grew by 1 GB). A task may still leave some (a layout's own
    Python objects, an error's traceback), and these are what the collections here free.  A collection of the youngest
    generation looks only at what was made since the last one (``_init`` froze what the worker was
    forked with); what it costs is freeing those objects. Counted in objects held (the collector's
    own count of the youngest generation: made, less those already freed), not in tasks: a worker of
    a small archive (500 reports at 1,000 articles, about 65,000 objects) never collects, and the
    process's end frees it all at once; a larger one collects every 700 reports or so (about 15 MB).
    Until 2026-11-25 it collected every 32 tasks, 256 reports: 3 collections a worker at 1,000."""
    fn, item = job
    try:
        return fn(_state, item)
    finally:
        if gc.get_count()[0] >= YOUNG_LIMIT:
            gc.collect(0)


def spreads(items: int, workers: int, minimum: int | None = None) -> bool:
    """Whether ``run`` spreads this many items over forked processes (``minimum``: PARALLEL_MIN)."""
    return workers >= 2 and items >= (PARALLEL_MIN if minimum is None else minimum) and fork_available()


def run(task: Callable[[Any, Any], Any], items: Iterable, state: Any, workers: int,
        minimum: int | None = None, forked: Callable[[], None] | None = None, per_item: int = 1) -> list:
    """``[task(state, item) for item in items]``, spread over ``workers`` forked processes when
    there are at least ``minimum`` items (the order of the results is the order of the items).
    ``forked()`` is called here once the pool's workers are forked (only then), while they work.
    ``per_item``: each item is a batch of about that many tasks (the chunks handed out stay as long).
    For a short stage whose items the build's process holds already, see ``shared``."""
    items = list(items)
    minimum = PARALLEL_MIN if minimum is None else minimum
    if not spreads(len(items), workers, minimum):
        return [task(state, item) for item in items]
    # Chunks small enough that the workers finish together (the last chunk of one worker is time the
    # other core idles: 256 articles were 0.4 s), large enough that handing them out costs nothing.
    chunk = max(1, min(64, len(items) * per_item // (workers * 16)) // per_item)
    with _Pool(workers, initializer=_init, initargs=(state,), context=mp.get_context("fork")) as pool:
        done = pool.imap(_call, [(task, item) for item in items], chunksize=chunk)
        if forked is not None:
            forked()
        return list(done)


class _Pool(multiprocessing.pool.Pool):
    """The standard pool, but its worker-handler thread wakes only when a worker ends or the pool changes
    (closed, ended, its cache emptied). CPython's (3.8 on) also wakes whenever a result waits in the
    results' pipe, and finding nothing to do it waits again at once: it spins while the result-handler
    thread reads, 0.4 s of CPU at 10,000 articles on a core the workers need.

    And its end does not wait for its workers to be gone: they are told to stop as the standard pool
    tells them, then left to end (``let_end``) while this process goes on."""

    def _get_sentinels(self):
        return [self._change_notifier._reader]

    @classmethod
    def _terminate_pool(cls, taskqueue, inqueue, outqueue, pool, *rest):
        super()._terminate_pool(taskqueue, inqueue, outqueue, [_LeftToEnd(p) for p in pool], *rest)


class _LeftToEnd:
    """A pool's worker as its pool's end sees it: the same process, whose ``join`` leaves it to end
    (``let_end``) instead of waiting for it."""

    def __init__(self, process) -> None:
        self._process = process

    def __getattr__(self, name: str):
        return getattr(self._process, name)

    def join(self, timeout: float | None = None) -> None:
        let_end(self._process)


def let_end(process) -> None:
    """A forked process that is done with its work (or was told to stop) ends on its own while this one
    goes on; ``ended()`` waits for it. Its end is the kernel freeing all the memory it made its own
    (a render worker's tens of megabytes at 1,000 articles, over a gigabyte at 100,000): waited for
    where the process stops, that was 4 to 8 ms of a 1,000-article build, with one core idle, at each
    pool's end and each ``shared`` call's."""
    _ending.append(process)


def ended() -> None:
    """Wait for every process left to end (``let_end``), so that none outlives the build. Most are
    gone by then (``multiprocessing`` also reaps them as it starts another)."""
    while _ending:
        _ending.pop().join()


class Aside:
    """``fn()`` started in a forked process beside what this one does next (see :func:`aside`)."""

    def __init__(self, fn: Callable[[], Any], fork: bool) -> None:
        self._fn, self._child = fn, None
        if fork and fork_available():
            ctx = mp.get_context("fork")
            self._receive, send = ctx.Pipe(duplex=False)
            self._child = ctx.Process(target=_aside_child, args=(fn, send))
            self._child.start()
            send.close()

    def result(self) -> Any:
        """Wait for the value (or raise the exception) of ``fn()``.  A child that ended without one
        (killed, or its result would not pickle) is made up for by running ``fn`` here."""
        if self._child is None:
            return self._fn()
        try:
            ok, value = self._receive.recv()
        except (EOFError, OSError):
            ok, value = None, None
        finally:
            self._receive.close()
            let_end(self._child)  # it sent its value (or died): nothing of it is waited for here
            self._child = None
        if ok is None:
            return self._fn()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child (if it still runs) and wait for it: nothing it does outlives this call."""
        if self._child is not None:
            self._receive.close()
            if self._child.exitcode is None:
                self._child.terminate()
            self._child.join()
            self._child = None


def aside(fn: Callable[[], Any], fork: bool = True) -> Aside:
    """Start ``fn()`` now in a forked process (when ``fork`` and where fork is available; else it runs
    here when its result is asked for): ``.result()`` waits for it, ``.cancel()`` stops it."""
    return Aside(fn, fork)


def _aside_child(fn: Callable[[], Any], send) -> None:
    try:
        got = (True, fn())
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        got = (False, exc)
    try:
        send.send(got)
    except Exception:  # noqa: BLE001 - does not pickle: the parent runs fn itself
        pass
    send.close()


def _each(task: Callable[[Any, Any], Any], state: Any, items: list) -> list:
    return [task(state, item) for item in items]


CLAIM = 32  # items a process of ``shared`` takes at a time
PIPE_BYTES = 1 << 20  # a child's pipe holds this much (where the system lets it): it rarely waits for this one


def shared(task: Callable[[Any, Any], Any], items: Iterable, state: Any, workers: int, minimum: int,
           forked: Callable[[], None] | None = None, claim: int = CLAIM) -> list:
    """``[task(state, item) for item in items]``: with two or more workers and at least ``minimum``
    items, in this process and ``workers - 1`` forked ones, each taking the next ``claim`` items from a
    counter they share until none are left, so they finish together however busy each core is. The
    items reach the children with the fork (nothing is pickled for them); a claim's results come back
    as one pickle through the child's pipe, read here between this process's own claims. Unlike a
    pool, this process works too: no core waits while it feeds workers and reads what they send.
    ``forked()``: called here once the children are forked (only then), before this process's claims."""
    items = list(items)
    if not (workers >= 2 and len(items) >= minimum and fork_available()):
        return _each(task, state, items)
    ctx = mp.get_context("fork")
    counter = ctx.Value("q", 0)
    children = []
    for _ in range(workers - 1):
        receive, send = ctx.Pipe(duplex=False)
        _widen(send.fileno())
        child = ctx.Process(target=_claimer, args=(task, state, items, counter, claim, send))
        child.start()
        send.close()
        children.append((child, receive))
    done: dict[int, list] = {}  # first item of a claim -> its results
    waiting = {receive for _child, receive in children}
    try:
        if forked is not None:
            forked()
        while (start := _claim(counter, claim)) < len(items):
            done[start] = _each(task, state, items[start:start + claim])
            _receive(waiting, done, 0)
        while waiting:
            _receive(waiting, done, None)
    finally:
        for child, receive in children:
            receive.close()
            if child.exitcode is None and waiting:  # leaving on an exception: stop it, and wait for it
                child.terminate()
                child.join()
            else:  # it sent all it had and closed its pipe
                let_end(child)
    # a claim a child took and never sent (it was killed) is done here
    return [r for start in range(0, len(items), claim)
            for r in (done[start] if start in done else _each(task, state, items[start:start + claim]))]


def _claim(counter, claim: int) -> int:
    with counter.get_lock():
        start = counter.value
        counter.value = start + claim
    return start


def _claimer(task: Callable[[Any, Any], Any], state: Any, items: list, counter, claim: int, send) -> None:
    """A forked process of ``shared``: claims until none are left, each claim's results sent as one pickle."""
    start = 0
    try:
        while (start := _claim(counter, claim)) < len(items):
            send.send_bytes(pickle.dumps((start, True, _each(task, state, items[start:start + claim])), -1))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            send.send_bytes(pickle.dumps((start, False, exc), -1))
        except Exception:  # noqa: BLE001 - does not pickle: the parent does the claim itself
            pass
    send.close()


def _receive(waiting: set, done: dict, timeout: float | None) -> None:
    """What the children in ``waiting`` sent (waiting ``timeout`` seconds, None: until one sends or ends)."""
    for receive in mp.connection.wait(list(waiting), timeout):
        try:
            start, ok, value = pickle.loads(receive.recv_bytes())
        except EOFError:  # it sent everything and ended (or was killed)
            waiting.discard(receive)
            continue
        if not ok:
            raise value
        done[start] = value


def _widen(fd: int) -> None:
    """Let the pipe hold ``PIPE_BYTES`` (Linux), so that a child seldom waits while this process works."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


@contextmanager
def no_cyclic_gc():
    """For one build: it allocates millions of short-lived objects and few cycles, so the cyclic
    collector would walk the loaded archive again and again for nothing. Scoped to the build's
    own call (the preview server's threads collect between its builds). What the build made and kept
    is moved to the oldest generation as it is: re-enabled, the collector would otherwise walk all of
    it (millions of objects, 0.7 s after a cached build of 10,000 articles) at the next allocation."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _age()
            gc.enable()


def _age() -> None:
    """Every object the collector tracks into its oldest generation, unwalked (``gc.freeze`` then
    ``gc.unfreeze``); left alone when something else froze objects (they would be thawed)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def trim() -> None:
    """Give the memory freed since the last call back to the system where the C library can
    (glibc's ``malloc_trim``): freed text lies in holes between live objects, which the allocator keeps
    resident, and which a forked worker would count as its own. Nothing elsewhere."""
    global _libc
    if _libc is None:
        _libc = _load_libc()
    if _libc:
        _libc.malloc_trim(0)


def _load_libc():
    """glibc, or False (another C library, or none found)."""
    import ctypes  # here: a build that never trims does not import it

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return libc if hasattr(libc, "malloc_trim") else False


_libc = None  # not looked for yet
