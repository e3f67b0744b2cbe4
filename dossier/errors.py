"""One error type for every user mistake: ``path:line: message``.

Stages collect :class:`DossierError` values in an :class:`ErrorList` and the
build stops before anything is written if the list is not empty.  Only
``cli.py`` (and the preview server) turn them into text for people.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True, slots=True, order=True)
class DossierError:
    """A located user mistake.  ``path`` is relative to the archive root."""

    path: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.warning else ""
        return f"{where}: {prefix}{self.message}"


class ErrorList:
    """Collects errors and warnings from a stage; never raises by itself."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.items: list[DossierError] = []

    def rel(self, path: Path | str) -> str:
        root = self.root
        if isinstance(path, PurePosixPath) and isinstance(root, PurePosixPath):
            # a path under the root, both normalized (a Path): its string's tail, as ``relative_to`` gives it
            # without making two Paths (the loader asks once for each of 14,000 files at 10,000 reports)
            s, r = str(path), str(root)
            if s[len(r):len(r) + 1] == "/" and s.startswith(r) and r != "/":
                return s[len(r) + 1:]
        p = Path(path)
        if self.root is not None:
            try:  # the cheap way first: paths the loader makes are already under the root
                return p.relative_to(self.root).as_posix()
            except ValueError:
                pass
            try:
                return p.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return p.as_posix()

    def add(self, path: Path | str, line: int, message: str, *, warning: bool = False) -> None:
        self.items.append(DossierError(self.rel(path), line, message, warning))

    def extend(self, errors) -> None:
        self.items.extend(errors)

    @property
    def errors(self) -> list[DossierError]:
        return [e for e in self.items if not e.warning]

    @property
    def warnings(self) -> list[DossierError]:
        return [e for e in self.items if e.warning]

    def __bool__(self) -> bool:
        return bool(self.errors)

    def sorted(self) -> tuple[DossierError, ...]:
        # Deterministic: by file, then line, then text; duplicates dropped.
        return tuple(sorted(set(self.items)))
