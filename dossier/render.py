"""Jinja2 environment (layouts/ of the archive, falling back file by file to the
repository's own layouts/) and the small view helpers templates get."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2


def default_layouts() -> Path:
    """The default theme: the copy an installed wheel carries inside the package
    (``dossier/layouts``), else the source checkout's top-level ``layouts/``."""
    package = Path(__file__).resolve().parent
    packaged = package / "layouts"
    return packaged if packaged.is_dir() else package.parent / "layouts"


DEFAULT_LAYOUTS = default_layouts()


def layout_dirs(root: Path) -> list[Path]:
    dirs = []
    for d in (root / "layouts", DEFAULT_LAYOUTS):
        if d.is_dir() and d.resolve() not in [x.resolve() for x in dirs]:
            dirs.append(d)
    return dirs


def human_date(value) -> str:
    if not isinstance(value, dt.date):
        return ""
    return f"{value.day} {value:%B %Y}"


def make_env(root: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in layout_dirs(root)]),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, auto_reload=False)
    env.filters["date"] = human_date
    env.filters["isodate"] = lambda d: d.isoformat() if isinstance(d, dt.date) else ""
    return env


def template_error(exc: Exception, root: Path) -> tuple[str, int, str]:
    """(path, line, message) for a Jinja error, the path relative to the archive root when it can be."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "layouts"
    line = getattr(exc, "lineno", 0) or 0
    if line == 0 and exc.__traceback__ is not None:
        tb = exc.__traceback__
        while tb is not None:  # the innermost frame of a compiled template holds its line
            code = tb.tb_frame.f_code
            if code.co_filename.endswith(".html"):
                name = code.co_filename
                try:
                    tmpl = tb.tb_frame.f_globals.get("__jinja_template__")
                    line = tmpl.get_corresponding_lineno(tb.tb_lineno) if tmpl else 0
                except Exception:  # pragma: no cover - best effort only
                    line = 0
            tb = tb.tb_next
    try:
        name = Path(name).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        name = Path(name).as_posix()
        if DEFAULT_LAYOUTS.as_posix() in name:
            name = "layouts/" + name.split(DEFAULT_LAYOUTS.as_posix() + "/", 1)[1]
    return name, line, f"template error: {getattr(exc, 'message', None) or exc}"
