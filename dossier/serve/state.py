"""Build numbers and the status the reload channel reports, behind one condition variable.

A build runs in two steps: :meth:`BuildState.attempt` runs the builder (page
requests wait while it writes) and :meth:`BuildState.publish` makes its outcome
the status clients see.  Between the two, the preview may hold back a failure
that an editor's half-finished save caused (see ``PreviewServer.rebuild``).
"""
from __future__ import annotations

import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# Page requests wait at most this long for a running build to finish.
BUILD_WAIT = 10.0


@dataclass
class BuildStatus:
    """What the reload channel says about the latest finished build."""

    build: int = 0           # finished builds so far (good or bad)
    ok: bool = True
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    ms: float = 0.0          # how long the build took
    content: int = 0         # number of the last good build that changed the output
    building: bool = False
    server: str = field(default_factory=lambda: secrets.token_hex(4))

    def message(self) -> dict[str, Any]:
        return {
            "build": self.build, "ok": self.ok, "errors": list(self.errors),
            "warnings": list(self.warnings), "ms": round(self.ms, 1), "content": self.content,
            "building": self.building, "server": self.server,
        }


@dataclass(frozen=True)
class Outcome:
    """One finished builder call, not yet published."""

    result: Any
    ok: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    changed_output: bool
    ms: float
    traceback: str | None = None


def _call(builder: Callable[[Any], Any], changed: Any) -> Outcome:
    start = time.perf_counter()
    try:
        result = builder(changed)
    except Exception as exc:  # a bug in the pipeline must not stop the server
        return Outcome(None, False, (f"internal error: {type(exc).__name__}: {exc}",), (), False,
                       (time.perf_counter() - start) * 1000, "".join(traceback.format_exception(exc)))
    errors = tuple(str(e) for e in getattr(result, "errors", ()) or ())
    warnings = tuple(str(e) for e in getattr(result, "warnings", ()) or ())
    # A build that reports what it wrote lets clients skip a reload when
    # nothing changed; a builder that does not say, changed.
    written = getattr(result, "written", None)
    changed_output = written is None or bool(written) or bool(getattr(result, "removed", None))
    ok = bool(getattr(result, "ok", True)) and not errors
    return Outcome(result, ok, errors, warnings, changed_output, (time.perf_counter() - start) * 1000)


class BuildState:
    def __init__(self) -> None:
        self.status = BuildStatus()
        self._cond = threading.Condition()
        self._build_lock = threading.Lock()   # one build at a time
        self.closed = False
        self.last_traceback: str | None = None
        self._writing = 0  # ``writing`` held (page requests wait)

    def snapshot(self) -> BuildStatus:
        with self._cond:
            return BuildStatus(**vars(self.status))

    def _set_building(self, value: bool) -> None:
        with self._cond:
            self.status.building = value
            self._cond.notify_all()

    def attempt(self, builder: Callable[[Any], Any], changed: Any = None) -> Outcome:
        """Run one build; never raises for builder failures (they become errors)."""
        with self._build_lock:
            self._set_building(True)
            try:
                return _call(builder, changed)
            finally:
                self._set_building(False)

    def after(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` one at a time with the builds, but without making page requests wait: it
        writes only files that a rebuild's pages do not need (the search index, the data)."""
        with self._build_lock:
            return fn()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Page requests wait meanwhile, as during a build (``wait_idle``): ``after``'s work holds this
        while its files move into the output folder, so no request sees some of them moved and some not."""
        with self._cond:
            self._writing += 1
        try:
            yield
        finally:
            with self._cond:
                self._writing -= 1
                self._cond.notify_all()

    def publish(self, outcome: Outcome) -> BuildStatus:
        with self._cond:
            s = self.status
            s.build += 1
            s.ok, s.errors, s.warnings, s.ms = outcome.ok, outcome.errors, outcome.warnings, outcome.ms
            if s.ok and (outcome.changed_output or s.content == 0):
                s.content = s.build
            if outcome.traceback:
                self.last_traceback = outcome.traceback
            self._cond.notify_all()
            return BuildStatus(**vars(s))

    def run(self, builder: Callable[[Any], Any], changed: Any = None) -> tuple[Any, BuildStatus]:
        outcome = self.attempt(builder, changed)
        return outcome.result, self.publish(outcome)

    def wait_idle(self, timeout: float = BUILD_WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not (self.status.building or self._writing) or self.closed, timeout)

    def wait_newer(self, build: int, timeout: float) -> BuildStatus | None:
        """Wait until a build newer than ``build`` finished; None on timeout/close."""
        with self._cond:
            if self._cond.wait_for(lambda: self.status.build > build or self.closed, timeout):
                if self.closed:
                    return None
                return BuildStatus(**vars(self.status))
            return None

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()
