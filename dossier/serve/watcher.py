"""Watch an archive's sources and hand out debounced change sets.

A watchdog observer pushes raw events into a queue; :meth:`Watcher.wait` blocks
until the first event arrives, then keeps reading until the queue has been quiet
for ``quiet`` seconds, and returns one :class:`ChangeSet` for the whole burst.

Only ``site.yaml``, ``content/`` and ``layouts/`` are watched (never the whole
root: an archive root is usually a repository with ``.git/``, ``.venv/`` and
``output/`` in it).  Editor temp, swap and backup files are dropped, and a move
counts as a delete of its source plus a create of its destination, so an atomic
save (write ``a.md.tmp``, rename it over ``a.md``) is reported as ``a.md``.
"""
from __future__ import annotations

import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

WATCHED_FILES = ("site.yaml",)
WATCHED_DIRS = ("content", "layouts")

CREATED = "created"
MODIFIED = "modified"
DELETED = "deleted"

# -- temp / swap / backup files ------------------------------------------------

_TEMP_SUFFIXES = (
    "~",                 # vim/emacs/gedit backups: a.md~
    ".tmp", ".temp",     # VS Code and many others
    ".swp", ".swx", ".swo", ".swn",  # vim swap files (.a.md.swp ...)
    ".kate-swp",         # Kate
    ".bak", ".orig", ".rej",
    ".part", ".crdownload",
    "___jb_tmp___", "___jb_old___",  # JetBrains safe write
)
_TEMP_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db", "desktop.ini"})
_TEMP_PATTERNS = (
    re.compile(r"^#.*#$"),              # emacs auto-save: #a.md#
    re.compile(r"^\.#"),                # emacs lock file: .#a.md
    re.compile(r"^\.~lock\..*#$"),      # LibreOffice lock
    re.compile(r"^\.goutputstream-"),   # GNOME gio atomic save
    re.compile(r"^sed[A-Za-z0-9]{6}$"), # sed -i scratch file
    re.compile(r"\.sw[a-p]$"),          # further vim swap names
    re.compile(r"^\d+$"),               # vim's write probe (4913, 4914, ...)
)


def is_temp_file(path: str | os.PathLike[str]) -> bool:
    """True for editor scratch files that must never trigger a rebuild."""
    name = os.path.basename(os.fspath(path))
    if not name or name in _TEMP_NAMES:
        return True
    if name.endswith(_TEMP_SUFFIXES):
        return True
    return any(p.search(name) for p in _TEMP_PATTERNS)


# -- change sets -----------------------------------------------------------------


@dataclass
class ChangeSet:
    """What changed during one burst of events.

    ``changes`` maps an absolute path to its net kind (created/modified/deleted).
    ``full`` is set when a whole directory was moved or deleted: the files under
    it are no longer known one by one, so the caller should do a full build.
    """

    changes: dict[Path, str] = field(default_factory=dict)
    full: bool = False

    @property
    def paths(self) -> frozenset[Path]:
        return frozenset(self.changes)

    def add(self, path: Path, kind: str) -> None:
        before = self.changes.get(path)
        if before == DELETED and kind == CREATED:
            kind = MODIFIED          # replaced in place: an atomic save
        elif before == CREATED and kind == MODIFIED:
            kind = CREATED           # still new
        self.changes[path] = kind

    def merge(self, other: ChangeSet) -> None:
        for path, kind in other.changes.items():
            self.add(path, kind)
        self.full = self.full or other.full

    def __bool__(self) -> bool:
        return bool(self.changes) or self.full

    def describe(self, root: Path | None = None) -> str:
        """A short human line: ``content/articles/a.md modified`` or ``3 files changed``."""
        if not self.changes:
            return "sources changed" if self.full else "nothing changed"
        if len(self.changes) == 1:
            (path, kind), = self.changes.items()
            return f"{_rel(path, root)} {kind}"
        names = sorted(_rel(p, root) for p in self.changes)
        shown = ", ".join(names[:3])
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return f"{shown}{more} changed"


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


# -- the watcher -----------------------------------------------------------------


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher._on_event(event)


class Watcher:
    """Watch ``site.yaml``, ``content/`` and ``layouts/`` under ``root``.

    Usage::

        w = Watcher(root).start()
        while (changes := w.wait()) is not None:   # None once stopped
            rebuild(changes)
        w.stop()
    """

    def __init__(self, root: Path, *, quiet: float = 0.08, max_settle: float = 2.0) -> None:
        self.root = Path(root).resolve()
        self.quiet = quiet
        self.max_settle = max_settle
        self._queue: queue.Queue[tuple[str, Path] | None] = queue.Queue()
        self._arrived = threading.Condition()  # notified on every item queued (see pending())
        self._observer = Observer()
        self._handler = _Handler(self)
        self._watched: set[str] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        # Files seen so far, so a rename over an existing file (an atomic save,
        # which inotify reports only as a move) reads as "modified".
        self._known: set[Path] = set()
        self._last = 0.0  # time.monotonic() of the last event queued (the quiet wait counts from it)

    # lifecycle
    def start(self) -> Watcher:
        # The root itself, not recursively: catches site.yaml and the creation
        # of content/ or layouts/ after the server started.
        self._observer.schedule(self._handler, str(self.root), recursive=False)
        self._known = {self.root / f for f in WATCHED_FILES if (self.root / f).is_file()}
        for name in WATCHED_DIRS:
            if (self.root / name).is_dir():
                self._known.update(p for p in (self.root / name).rglob("*") if p.is_file())
        for name in WATCHED_DIRS:
            self._watch_dir(name)
        self._observer.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        self._enqueue(None)  # wake wait()
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout)

    def known_files(self) -> set[Path]:
        with self._lock:
            return set(self._known)

    def note_modified(self, path: Path) -> None:
        """Report a change that happened before the watcher started (see PreviewServer.start)."""
        self._file_event(MODIFIED, Path(path))

    def _watch_dir(self, name: str) -> None:
        path = self.root / name
        with self._lock:
            if name in self._watched or not path.is_dir():
                return
            self._watched.add(name)
        self._observer.schedule(self._handler, str(path), recursive=True)

    # events
    def _relevant(self, path: Path) -> bool:
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        parts = rel.parts
        if not parts:
            return False
        if len(parts) == 1:
            return parts[0] in WATCHED_FILES or parts[0] in WATCHED_DIRS
        return parts[0] in WATCHED_DIRS

    def _put(self, kind: str, raw: bytes | str, is_dir: bool) -> None:
        path = Path(os.fsdecode(raw))
        if not self._relevant(path) or is_temp_file(path):
            return
        if is_dir:
            rel = path.relative_to(self.root)
            if len(rel.parts) == 1 and kind == CREATED:
                self._watch_dir(rel.parts[0])       # content/ or layouts/ appeared
            if kind == CREATED:
                # Files moved in with a directory produce no events of their own.
                for sub in sorted(path.rglob("*")) if path.is_dir() else ():
                    if sub.is_file() and not is_temp_file(sub):
                        self._file_event(CREATED, sub)
                return
            if kind == DELETED:
                self._enqueue(("full", path))
            return
        self._file_event(kind, path)

    def _file_event(self, kind: str, path: Path) -> None:
        with self._lock:
            if kind == DELETED:
                self._known.discard(path)
            else:
                if kind == CREATED and path in self._known:
                    kind = MODIFIED
                self._known.add(path)
        self._enqueue((kind, path))

    def _on_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind == "moved":
            self._put(DELETED, event.src_path, event.is_directory)
            self._put(CREATED, event.dest_path, event.is_directory)
        elif kind in (CREATED, DELETED):
            self._put(kind, event.src_path, event.is_directory)
        elif kind in (MODIFIED, "closed", "attrib") and not event.is_directory:
            self._put(MODIFIED, event.src_path, False)
        # opened / closed_no_write / directory modified: nothing changed

    def _enqueue(self, item: tuple[str, Path] | None) -> None:
        with self._arrived:
            self._last = time.monotonic()
            self._queue.put(item)
            self._arrived.notify_all()

    # consumer
    def pending(self, within: float = 0.0) -> bool:
        """Whether a change waits to be built, or one arrives within ``within`` seconds (nothing
        is taken from the queue)."""
        deadline = time.monotonic() + within
        with self._arrived:
            while self._queue.qsize() == 0:
                left = deadline - time.monotonic()
                if left <= 0 or self._stopped.is_set():
                    return False
                self._arrived.wait(left)
            return True

    def waiting(self) -> bool:
        """Whether a change waits to be built, or the watcher stopped (cheap: asked often while the
        preview's search index is made, see ``PreviewServer._finish``)."""
        return not self._queue.empty() or self._stopped.is_set()

    def wait(self, timeout: float | None = None) -> ChangeSet | None:
        """Block for the next burst of changes; None if stopped (or timeout).

        After the first event, keep collecting until no event has arrived for
        ``quiet`` seconds (or ``max_settle`` seconds have passed in total, so a
        process that writes without pause cannot starve the rebuilds). The quiet
        time counts from the last event's arrival, not from this call: events
        that came while the caller was busy (the preview's search index giving
        way) have waited part of it already.
        """
        changes = ChangeSet()
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        deadline = time.monotonic() + self.max_settle
        while True:
            if item is None or self._stopped.is_set():
                return None
            kind, path = item
            if kind == "full":
                changes.full = True
                changes.changes.setdefault(path, DELETED)
            else:
                changes.add(path, kind)
            now = time.monotonic()
            if deadline - now <= 0:
                return changes
            wait_for = min(self.quiet - (now - self._last), deadline - now)
            try:  # quiet already: take what came meanwhile, without waiting
                item = self._queue.get(timeout=wait_for) if wait_for > 0 else self._queue.get_nowait()
            except queue.Empty:
                return changes
