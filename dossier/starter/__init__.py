"""``dossier new DIR``: write a small starter archive into a new or empty folder.

The archive's files live in ``archive/`` beside this module; a path part
starting with ``dot-`` is written with a leading ``.`` instead (``dot-gitignore``
becomes ``.gitignore``), so that this repository's git and build tools never
take them for their own. ``requirements.txt`` is written here: it names the
Dossier this command belongs to, so the archive's GitHub Pages workflow installs
the same one.
"""
from __future__ import annotations

import json
import shlex
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .. import __version__

ARCHIVE = Path(__file__).resolve().parent / "archive"
DISTRIBUTION = "dossier-ssg"


def starter_files() -> dict[str, bytes]:
    """Relative posix path in the new archive -> its bytes."""
    files = {}
    for path in sorted(ARCHIVE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(ARCHIVE).parts
            name = "/".join("." + p[4:] if p.startswith("dot-") else p for p in rel)
            files[name] = path.read_bytes()
    files["requirements.txt"] = requirements_text().encode("utf-8")
    return files


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=host))


def install_requirement() -> str | None:
    """How pip can install this Dossier again elsewhere (a Git URL at the installed
    commit, or a downloaded archive's URL); None when it came from PyPI, a local
    folder or a source checkout, where only the version is known."""
    try:
        raw = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        direct = json.loads(raw) if raw else {}
    except ValueError:
        return None
    url = str(direct.get("url", ""))
    if not url.startswith(("https://", "http://")):
        return None
    url = _without_credentials(url)
    vcs = direct.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return f"{DISTRIBUTION} @ git+{url}@{vcs['commit_id']}"
    if "archive_info" in direct:
        return f"{DISTRIBUTION} @ {url}"
    return None


def requirements_text() -> str:
    found = install_requirement()
    head = ("# The Dossier this archive is built with; the GitHub Pages workflow\n"
            "# (.github/workflows/pages.yml) installs it with `pip install -r requirements.txt`.\n")
    if found:
        return head + found + "\n"
    return (head + "# If this version is not on PyPI, install Dossier from its Git repository instead:\n"
            f"# {DISTRIBUTION} @ git+https://github.com/OWNER/REPO@v{__version__}\n"
            f"{DISTRIBUTION}=={__version__}\n")


def refusal(target: Path) -> str | None:
    """Why ``target`` cannot take a new archive, or None."""
    if target.is_symlink() and not target.exists():
        return f"{target} is a broken symbolic link"
    if target.exists() and not target.is_dir():
        return f"{target} exists and is not a folder"
    if target.is_dir() and any(target.iterdir()):
        return f"{target} is not empty; dossier new writes only into a new or empty folder"
    return None


def _write_all(target: Path, files: dict[str, bytes], made: list[Path]) -> None:
    """Write ``files`` under ``target``, recording in ``made`` each folder and file created."""
    for folder in [target, *sorted({(target / rel).parent for rel in files})]:
        missing = [p for p in [folder, *folder.parents] if not p.exists()]
        for p in reversed(missing):
            p.mkdir()
            made.append(p)
    for rel, data in files.items():
        with open(target / rel, "xb") as f:  # never replace a file that appeared meanwhile
            made.append(target / rel)
            f.write(data)


def _undo(made: list[Path]) -> None:
    """Remove what a failed ``new`` created, newest first; folders only when empty."""
    for path in reversed(made):
        try:
            path.rmdir() if path.is_dir() else path.unlink()
        except OSError:
            pass


def create_archive(target: Path) -> int:
    why = refusal(target)
    if why:
        print(f"error: {why}", file=sys.stderr)
        return 1
    files = starter_files()
    made: list[Path] = []
    try:
        _write_all(target, files, made)
    except OSError as exc:
        _undo(made)
        print(f"error: cannot write the new archive: {exc.filename or target}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    print(f"created a new archive in {target}/ ({len(files)} files)")
    if install_requirement() is None:
        print(f"note: its requirements.txt (for the GitHub Pages workflow) installs {DISTRIBUTION}=={__version__} "
              "from PyPI; if Dossier is not there, put the Git URL in (see the comment in the file)")
    print(f"next: cd {shlex.quote(str(target))} && dossier serve    (then open http://127.0.0.1:8000/)")
    return 0
