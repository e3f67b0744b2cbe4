"""Command line: ``dossier [new|build|check|serve|import|names] ...`` (``python build.py ...`` in this repository).

The only place that turns user mistakes into ``path:line: message`` lines on
stderr and exit code 1. Each subcommand is one ``_add_<name>`` function that
declares its arguments and one ``_<name>`` function that runs it.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from . import __version__
from .suggest import brief


class _Parser(argparse.ArgumentParser):
    """A mistake on the command line is one line on stderr and exit code 1, like any other."""

    def error(self, message: str):
        self.exit(1, f"{self.prog}: error: {message}\n")


def _bounded(low: int, high: int | None = None):
    """An argparse type: a whole number from ``low`` (to ``high``), else one line and exit code 1."""
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {brief(text)}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {span}, not {brief(text.strip())[1:-1]}")
        return value
    return parse


def _common(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--root", type=Path, default=Path("."), help="the archive folder (default: current folder)")
    sp.add_argument("--base-url", default=None, help="override site.yaml's base_url, e.g. https://user.github.io/repo/")


def _add_build(sub) -> None:
    b = sub.add_parser("build", help="build the site into output/ (the default command)")
    _common(b)
    b.add_argument("--out", type=Path, default=None, help="output folder (default: ROOT/output)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--workers", type=_bounded(1, 256), default=None, help="processes for rendering (default: CPU count)")
    b.add_argument("--no-cache", action="store_true",
                   help="render everything afresh; neither read nor write ROOT/.dossier-cache/")
    b.set_defaults(run=_build)


def _add_check(sub) -> None:
    c = sub.add_parser("check", help="validate everything, write nothing")
    _common(c)
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.set_defaults(run=_check)


def _add_serve(sub) -> None:
    s = sub.add_parser("serve", help="preview server with live reload")
    _common(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=_bounded(0, 65535), default=8000,
                   help="port to serve on (default: 8000; 0: any free port)")
    s.add_argument("--open", action="store_true", help="open the site in a browser")
    s.set_defaults(run=_serve)


def _add_new(sub) -> None:
    n = sub.add_parser("new", help="start a new archive in an empty folder")
    n.add_argument("dir", type=Path, metavar="DIR", help="the folder to create (it must not exist or be empty)")
    n.set_defaults(run=_new)


def _add_import(sub) -> None:
    i = sub.add_parser("import", help="write content/articles/<slug>.md from saved web pages or URLs")
    i.add_argument("pages", nargs="+", metavar="PAGE", help="a saved web page (.html, .htm, .mhtml) or an http(s) URL")
    i.add_argument("--root", type=Path, default=Path("."), help="the archive folder (default: current folder)")
    i.add_argument("--outlet", default="", help="the outlet's entity slug (default: matched from the page)")
    i.add_argument("--story", default="", help="the story slug to file the article under")
    i.add_argument("--slug", default="", help="the article's slug (default: from its title)")
    i.set_defaults(run=_import)


def _add_names(sub) -> None:
    n = sub.add_parser("names", help="list names in the reports that no entity covers yet")
    n.add_argument("--root", type=Path, default=Path("."), help="the archive folder (default: current folder)")
    n.add_argument("--write", action="store_true", help="create the suggested entity files (never overwrites)")
    n.set_defaults(run=_names)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="dossier", description="Dossier: build an annotated story archive.")
    p.add_argument("--version", action="version", version=f"dossier {__version__}")
    sub = p.add_subparsers(dest="command")
    for add in (_add_new, _add_build, _add_check, _add_serve, _add_import, _add_names):
        add(sub)
    return p


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def _report(result, what: str = "build") -> int:
    """Every error and warning, one ``path:line: message`` line each, in file order, then a summary."""
    for item in sorted((*result.errors, *result.warnings)):
        print(str(item), file=sys.stderr)
    if not result.ok:
        print(f"{what} failed: {_count(len(result.errors), 'error')}, {_count(len(result.warnings), 'warning')}; "
              "nothing was written", file=sys.stderr)
        return 1
    return 0


def _kept_note(result) -> str:
    names = ", ".join(result.kept[:3]) + (f" and {len(result.kept) - 3} more" if len(result.kept) > 3 else "")
    n = len(result.kept)
    return f"note: left {n} file{'s' if n != 1 else ''} in the output folder that Dossier did not write: {names}"


def _archive_root(args) -> Path | None:
    """The archive folder, or None (after saying why) when there is none."""
    root = args.root.resolve()
    if not root.is_dir():
        print(f"error: archive folder {args.root} does not exist", file=sys.stderr)
        return None
    return root


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _build(args) -> int:
    root = _archive_root(args)
    if root is None:
        return 1
    from .outdir import OutputError
    from .pipeline import Builder

    try:
        # Kept on ``args`` until the program ends (``exit_now``): the builder holds what the build
        # read and made, millions of objects whose release one by one would come before the exit.
        args.builder = Builder(root, args.out, args.base_url, strict=args.strict, workers=args.workers,
                               progress=_progress, cache=not args.no_cache, once=args.no_cache)
        result = args.builder.build()
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    code = _report(result)
    if code == 0 and result.kept_changed:
        print(_kept_note(result), file=sys.stderr)
    if code == 0:
        out = result.out
        try:
            shown = out.relative_to(Path.cwd())
        except ValueError:
            shown = out
        print(f"built {result.pages} pages into {shown}/ in {result.seconds:.2f} s "
              f"({len(result.written)} files written, {len(result.removed)} removed, {_count(len(result.warnings), 'warning')})")
    return code


def _check(args) -> int:
    root = _archive_root(args)
    if root is None:
        return 1
    from .pipeline import Builder

    with tempfile.TemporaryDirectory(prefix="dossier-check-") as tmp:
        args.builder = Builder(root, Path(tmp) / "out", args.base_url, strict=args.strict, workers=1, once=True)
        result = args.builder.build()  # the builder kept until the program ends, as in ``_build``
    code = _report(result, "check")
    if code == 0:
        print(f"ok: {result.pages} pages would be built, {_count(len(result.warnings), 'warning')}")
    return code


def _serve(args) -> int:
    root = _archive_root(args)
    if root is None:
        return 1
    from .serve import serve

    return serve(root, host=args.host, port=args.port, base_url=args.base_url, open_browser=args.open)


def _new(args) -> int:
    from .starter import create_archive

    return create_archive(args.dir)


def _import(args) -> int:
    root = _archive_root(args)
    if root is None:
        return 1
    from .importer import Options, run

    return run(root, args.pages, Options(outlet=args.outlet, story=args.story, slug=args.slug))


def _names(args) -> int:
    root = _archive_root(args)
    if root is None:
        return 1
    from .names import run

    return run(root, write=args.write)


def main(argv: list[str] | None = None) -> int:
    program = argv is None  # the program itself (build.py, ``dossier``, ``python -m dossier``), not a caller
    argv = list(sys.argv[1:] if program else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")  # `dossier [--root DIR]` means build
    args = _parser().parse_args(argv)
    code = args.run(args)
    if program and args.run in (_build, _check):  # its work done
        exit_now(code)
    return code


def exit_now(code: int):
    """End the process at once, skipping the interpreter's teardown: a build leaves millions of
    objects whose release one by one at exit takes seconds on a large archive and gives nothing
    (the output is committed, the lock released, the pool closed)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more to say
            pass
    os._exit(code)
