"""Which files a build reads: the content files and the layout files, vetted before anything is opened.

Nothing outside the archive is read.  A symbolic link under ``content/`` or the archive's
``layouts/`` that resolves outside the archive (for the default theme: outside the theme's
folder) is an error naming the link, and its target is never opened; links that stay inside
are followed.  Under ``content/``, every file or folder Dossier does not read gets a warning
naming it; hidden files and editor scratch files (``.#a.md``, ``a.md~``, ``.a.md.swp``) are
passed over silently.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

from .errors import ErrorList
from .load import KINDS

_SCRATCH_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig")


def is_scratch(name: str) -> bool:
    """Hidden files and the files editors leave beside the ones they save."""
    return name.startswith((".", "#")) or name.endswith(_SCRATCH_SUFFIXES)


def _escapes(path: Path, boundary: Path) -> str | None:
    """The message for a link at ``path`` that leaves ``boundary``; None when it stays inside."""
    target = Path(os.path.realpath(path))
    if target.is_relative_to(boundary):
        return None
    return (f"symbolic link to {target}, outside the archive: Dossier reads nothing outside the archive "
            f"(copy the file in instead)")


def _entries(folder: Path, boundary: Path, errs: ErrorList):
    """The entries of ``folder`` worth looking at, sorted; links that leave ``boundary`` reported and dropped.

    Links are checked before scratch names are passed over: a hidden link could still be
    included by a template.  (An editor's lock file is a dangling link that stays inside.)
    """
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        link = entry.is_symlink()
        problem = _escapes(Path(entry.path), boundary) if link else None
        if problem is None and is_scratch(entry.name):
            continue
        if problem is None and link and not os.path.exists(entry.path):
            problem = f"symbolic link to {os.readlink(entry.path)}, which does not exist"
        if problem:
            errs.add(entry.path, 0, problem)
            continue
        yield entry


def scan_content(root: Path) -> tuple[list[tuple[str, Path]], list]:
    """All content sources as (kind, path) in a stable order, and the problems found on the way."""
    errs = ErrorList(root)
    boundary = Path(os.path.realpath(root))
    base = root / "content"
    if base.is_symlink() and _escapes(base, boundary):
        errs.add(base, 0, _escapes(base, boundary))
        return [], errs.items
    if not base.is_dir():
        errs.add(base, 0, "no content/ folder: an archive keeps its sources in content/articles/, "
                          "content/entities/, content/pages/ and content/annotations/")
        return [], errs.items
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for entry in _entries(base, boundary, errs):
        path = Path(entry.path)
        if entry.name in KINDS and entry.is_dir():
            _scan_kind(entry.name, path, boundary, errs, found[entry.name], set())
        elif entry.is_dir():
            hint = difflib.get_close_matches(entry.name, KINDS, 1, 0.6)
            errs.add(path, 0, f"folder not read: Dossier reads content/{', content/'.join(KINDS)}"
                              + (f"; did you mean content/{hint[0]}/?" if hint else ""), warning=True)
        else:
            errs.add(path, 0, "file not read: files directly in content/ are not read; "
                              "articles go in content/articles/", warning=True)
    files = [(kind, p) for kind in KINDS for p in sorted(found[kind])]
    return files, errs.items


def _scan_kind(kind: str, folder: Path, boundary: Path, errs: ErrorList, out: list, seen: set) -> None:
    real = os.path.realpath(folder)
    if real in seen:  # a link back up the tree
        return
    seen.add(real)
    for entry in _entries(folder, boundary, errs):
        path = Path(entry.path)
        if entry.is_dir():
            if kind == "entities":
                _scan_kind(kind, path, boundary, errs, out, seen)
            else:
                errs.add(path, 0, f"folder not read: content/{kind}/ is read one level deep, "
                                  f"without subfolders", warning=True)
        elif entry.name.endswith(".md"):
            out.append(path)
        else:
            stem, ext = os.path.splitext(entry.name)
            hint = f"; rename it to {stem}.md if it is a source" if ext.lower() in (".markdown", ".mdown", ".txt") else ""
            errs.add(path, 0, f"file not read: Dossier reads only .md files in content/{kind}/{hint}", warning=True)


def scan_layouts(root: Path, dirs: list[Path], theme: Path) -> tuple[list[tuple[Path, str, Path]], list]:
    """Every layout file as (layouts folder, relative path, path), and the links that leave their bounds.

    The archive's own ``layouts/`` may link anywhere inside the archive; the default theme only
    inside its own folder.
    """
    errs = ErrorList(root)
    files = []
    for d in dirs:
        bound = Path(os.path.realpath(theme if d == theme else root))
        if d.is_symlink() and _escapes(d, bound):
            errs.add(d, 0, _escapes(d, bound))
            continue
        _scan_layout_dir(d, "", bound, errs, files, set())
    return files, errs.items


def _scan_layout_dir(top: Path, prefix: str, bound: Path, errs: ErrorList, files: list, seen: set) -> None:
    folder = top / prefix if prefix else top
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    for entry in _entries(folder, bound, errs):
        rel = prefix + entry.name
        if entry.is_dir() and entry.name.endswith(".html"):
            # Jinja would pass it over and take the default theme's template of that name, without a word.
            errs.add(entry.path, 0, f"a folder, not a template: a template is a file; rename the folder "
                                    f"or put the template {entry.name} in its place")
        elif entry.is_dir():
            _scan_layout_dir(top, rel + "/", bound, errs, files, seen)
        else:
            files.append((top, rel, Path(entry.path)))
