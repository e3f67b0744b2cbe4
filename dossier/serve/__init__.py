"""``python build.py serve``: build, watch, rebuild, serve with live reload.

The parts, each testable alone:

* :mod:`dossier.serve.watcher`: watchdog -> debounced :class:`ChangeSet`;
* :mod:`dossier.serve.server`: HTTP + reload channel around a ``builder`` callable;
* :class:`PreviewServer` (here): wires them to the pipeline's ``Builder``, owns
  the temporary output directory, prints one line per build.

``serve()`` is what the CLI calls; tests use :class:`PreviewServer` directly::

    with PreviewServer(root, port=0) as srv:
        urlopen(srv.url + "articles/a/")
"""
from __future__ import annotations

import errno
import shutil
import signal
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from ..giveway import GaveWay
from .annotate import Annotator
from .guard import exposure_warning
from .server import BuildStatus, DevServer, Outcome
from .watcher import ChangeSet, Watcher, is_temp_file

__all__ = ["serve", "PreviewServer", "PortInUse", "ChangeSet", "Watcher", "is_temp_file"]


class PortInUse(OSError):
    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} is in use (try --port {port + 1})")
        self.port = port


def _pipeline_builder(root: Path, out: Path, base_url: str | None) -> Callable[[Any], Any]:
    from dossier.pipeline import Builder  # imported late: the server core does not need it

    # The first build runs before any thread starts, so it may fork a render pool;
    # after that, one process: forking beside the HTTP and watcher threads is unsafe,
    # and incremental builds are small anyway.
    # A private folder: files move in one by one; a preview needs no origin.
    b = Builder(root, out, base_url=base_url, swap=False, preview=True)

    def build(changed: Any = None) -> Any:
        try:
            return b.build() if changed is None else b.build(changed=set(changed))
        finally:
            b.workers = 1

    return build


# A failed build is held back this long for a further save (seconds): an editor that
# truncates a file and writes it a moment later must not flash the error overlay.
SETTLE = 0.3
SETTLE_EMPTY = 2.0   # when a changed file is empty: most likely a save still under way
# After a rebuild's pages are served, its search index and data files wait this long (seconds)
# for a further save: one that comes starts a rebuild at once, which remakes them in turn, so an
# editor saving again and again never waits behind an index no one has searched yet.
EXPORT_IDLE = 1.0


def site_base_path(root: Path, base_url: str | None) -> str:
    """The path the site is served under: ``--base-url``, else site.yaml's ``base_url``."""
    from dossier.config import load_config
    from dossier.errors import ErrorList

    return load_config(root, ErrorList(root), base_url=base_url).base_path


def settle_time(changes: ChangeSet) -> float:
    """How long to hold back a failed build of ``changes`` for a further save."""
    for path in changes.paths:
        try:
            if path.stat().st_size == 0:
                return SETTLE_EMPTY
        except OSError:
            continue
    return SETTLE


class PreviewServer:
    """The whole preview: initial build, HTTP server, watcher, rebuild loop.

    ``builder`` defaults to the pipeline's ``Builder(root, out, base_url)``;
    pass any ``builder(changed) -> result`` callable to run without it.
    ``quiet`` is the debounce: a rebuild starts once no change arrived for
    that long.
    """

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
                 out: Path | None = None, builder: Callable[[Any], Any] | None = None, quiet: float = 0.05,
                 stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.root = Path(root).resolve()
        self.host, self.requested_port = host, port
        self.base_url = base_url
        self.base_path = "/"   # read from site.yaml (or --base-url) at start and before each build
        self._out_given = out is not None
        self.out: Path | None = Path(out) if out is not None else None
        self._builder = builder
        self.quiet = quiet
        self.stdout = stdout
        self.stderr = stderr
        self.dev: DevServer | None = None
        self.watcher: Watcher | None = None
        self._loop: threading.Thread | None = None
        self._pending: set[Path] = set()   # changes of failed builds, retried with the next one
        self._need_full = False
        self.builds: list[BuildStatus] = []
        self.exported = 0  # the last build whose search index and data files are in the output
        self._exported = threading.Condition()

    # -- output ------------------------------------------------------------
    def _print(self, text: str, err: bool = False) -> None:
        stream = (self.stderr or sys.stderr) if err else (self.stdout or sys.stdout)
        print(text, file=stream, flush=True)

    def _report(self, status: BuildStatus, result: Any, what: str) -> None:
        if status.ok:
            written = getattr(result, "written", None)
            pages = getattr(result, "pages", None)
            detail = []
            if pages is not None and what == "initial build":
                detail.append(f"{pages} pages")
            elif written is not None:
                removed = getattr(result, "removed", ()) or ()
                detail.append(f"{len(written)} written" + (f", {len(removed)} removed" if removed else ""))
            info = f" ({', '.join(detail)})" if detail else ""
            self._print(f"build {status.build}: {what}{info} in {status.ms:.0f} ms")
            for w in status.warnings:
                self._print(f"  {w}", err=True)
        else:
            n = len(status.errors)
            last_good = "still serving the last good build" if status.content else "nothing to serve yet"
            self._print(f"build {status.build} failed: {what}: {n} error{'s' if n != 1 else ''} "
                        f"in {status.ms:.0f} ms; {last_good}", err=True)
            for e in status.errors:
                self._print(e, err=True)
            tb = self.dev.state.last_traceback if self.dev else None
            if tb and status.errors and status.errors[0].startswith("internal error"):
                self._print(tb.rstrip(), err=True)
                self.dev.state.last_traceback = None

    # -- lifecycle -----------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.dev is not None, "not started"
        return self.dev.url

    @property
    def port(self) -> int:
        assert self.dev is not None, "not started"
        return self.dev.port

    def start(self) -> PreviewServer:
        if self.out is None:
            self.out = Path(tempfile.mkdtemp(prefix="dossier-serve-"))
        else:
            self.out.mkdir(parents=True, exist_ok=True)
        self.base_path = site_base_path(self.root, self.base_url)
        try:
            try:
                placeholder = DevServer(self.out, lambda changed: None, host=self.host,
                                        port=self.requested_port, base_path=self.base_path)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise PortInUse(self.requested_port) from None
                raise
            self.dev = placeholder
            self.dev.httpd.annotator = Annotator(self.root)
            if self._builder is None:
                self._builder = self._follow_base_path(_pipeline_builder(self.root, self.out, self.base_url))
            self.dev.builder = self._builder
            # The first build runs before the watcher thread starts (so it may use a process
            # pool); files saved while it ran are handed to the watcher right after.
            began = time.time_ns()
            result, status = self.dev.rebuild(None)
            self.watcher = Watcher(self.root, quiet=self.quiet).start()
            self._replay_edits_since(began)
            self.builds.append(status)
            self._need_full = not status.ok
            self._report(status, result, "initial build")
            if status.ok:
                self._finish(result, status.build)
            self.dev.start()
            self._loop = threading.Thread(target=self._rebuild_loop, name="dossier-rebuild", daemon=True)
            self._loop.start()
        except BaseException:
            self.stop()
            raise
        return self

    def _follow_base_path(self, build: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Serve under the base path site.yaml names now (it may change while the preview runs)."""
        def builder(changed: Any) -> Any:
            result = build(changed)
            if getattr(result, "ok", False) and self.dev is not None:
                self.base_path = self.dev.httpd.base_path = site_base_path(self.root, self.base_url)
            return result

        return builder

    def _replay_edits_since(self, began_ns: int) -> None:
        assert self.watcher is not None
        for path in sorted(self.watcher.known_files()):
            try:
                if path.stat().st_mtime_ns >= began_ns:
                    self.watcher.note_modified(path)
            except OSError:
                continue

    def _rebuild_loop(self) -> None:
        assert self.watcher is not None and self.dev is not None
        while True:
            changes = self.watcher.wait()
            if changes is None:
                return
            self.rebuild(changes)

    def rebuild(self, changes: ChangeSet) -> BuildStatus:
        """One incremental (or, when needed, full) build for ``changes``.

        A failed build is not shown at once: if another save arrives within
        :func:`settle_time`, it is merged in and built again, so a save in two
        steps (truncate, then write) never flashes an error.
        """
        assert self.dev is not None
        while True:
            outcome = self._attempt(changes)
            if outcome.ok or self.watcher is None:
                break
            more = self.watcher.wait(timeout=settle_time(changes))
            if more is None:
                break
            changes.merge(more)
        return self._publish(outcome, changes)

    def _attempt(self, changes: ChangeSet) -> Outcome:
        assert self.dev is not None
        full = changes.full or self._need_full
        return self.dev.attempt(None if full else set(changes.paths) | self._pending)

    def _publish(self, outcome: Outcome, changes: ChangeSet) -> BuildStatus:
        assert self.dev is not None
        status = self.dev.publish(outcome)
        self.builds.append(status)
        if status.ok:
            self._pending.clear()
            self._need_full = False
        elif outcome.result is None:          # the builder crashed: its state is unknown
            self._need_full = True
        else:
            self._pending |= set(changes.paths)
        self._report(status, outcome.result, changes.describe(self.root))
        if status.ok:
            self._finish(outcome.result, status.build)
        return status

    def _finish(self, result: Any, build: int) -> None:
        """The rebuild's pages are served: now its search index and data files (the last ones are
        served meanwhile; see ``BuildResult.later``). A save that comes while they are made stops them
        at their next check point (:mod:`dossier.giveway`): its rebuild starts at once and makes them in
        turn, so a save waits for them no more than for an idle server."""
        later = getattr(result, "later", None)
        if later is not None and self.watcher is not None and self.watcher.pending(EXPORT_IDLE):
            return  # more saves are coming: the rebuild they start makes the index (the last one is served)
        if later is not None and self.dev is not None:
            watcher, state = self.watcher, self.dev.state
            try:
                state.after(partial(later, give_way=watcher.waiting if watcher is not None else None,
                                    writing=state.writing))
            except GaveWay:
                return  # nothing of it reached the output folder; the save's rebuild makes them again
            except Exception as exc:  # the last index stays; the next rebuild makes it again
                self._print(f"search index and data not updated: {type(exc).__name__}: {exc}", err=True)
                return
        with self._exported:
            self.exported = build
            self._exported.notify_all()

    def wait_exported(self, build: int, timeout: float) -> bool:
        """Wait until build ``build`` (or a later one) has its search index and data in the output."""
        with self._exported:
            return self._exported.wait_for(lambda: self.exported >= build, timeout)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self._loop is not None:
            self._loop.join(5)
            self._loop = None
        if self.dev is not None:
            self.dev.stop()
        self.watcher = None
        if not self._out_given and self.out is not None:
            shutil.rmtree(self.out, ignore_errors=True)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- foreground ----------------------------------------------------------
    def run(self, open_browser: bool = False) -> int:
        """Start, print the URL, block until Ctrl-C or SIGTERM; return an exit code."""
        stop = threading.Event()
        previous: dict[int, Any] = {}

        def on_signal(signum: int, frame: Any) -> None:
            if stop.is_set():              # a second Ctrl-C while stopping: give up politely
                raise KeyboardInterrupt
            stop.set()

        if threading.current_thread() is threading.main_thread():
            # Installed explicitly: a process started in the background may
            # have inherited an ignored SIGINT, and Ctrl-C must still work.
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, on_signal)
        try:
            try:
                self.start()
            except PortInUse as exc:
                self._print(f"error: {exc}", err=True)
                return 1
            except OSError as exc:
                self._print(f"error: cannot listen on {self.host}:{self.requested_port}: "
                            f"{exc.strerror or exc}", err=True)
                return 1
            where = "" if self._out_given else " (preview build in a temporary directory)"
            self._print(f"Serving {self.url}{where}; press Ctrl-C to stop")
            warning = exposure_warning(self.host, self.url)
            if warning:
                self._print(warning, err=True)
            if open_browser:
                threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self._print("stopped")
        return 0


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
          open_browser: bool = False, out: Path | None = None) -> int:
    """Build ``root`` into a temporary directory (or ``out``), serve it with
    live reload until Ctrl-C, and return the exit code (1 if the port is taken)."""
    return PreviewServer(Path(root), host=host, port=port, base_url=base_url, out=out).run(open_browser)
