"""Command line: ``python build.py [build|check|serve] ...``.

The only place that turns user mistakes into ``path:line: message`` lines on
stderr and exit code 1.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Dossier: build an annotated story archive.")
    sub = p.add_subparsers(dest="command")

    def common(sp):
        sp.add_argument("--root", type=Path, default=Path("."), help="the archive folder (default: current folder)")
        sp.add_argument("--base-url", default=None, help="override site.yaml's base_url, e.g. https://user.github.io/repo/")

    b = sub.add_parser("build", help="build the site into output/ (the default command)")
    common(b)
    b.add_argument("--out", type=Path, default=None, help="output folder (default: ROOT/output)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--workers", type=int, default=None, help="processes for rendering (default: CPU count)")
    c = sub.add_parser("check", help="validate everything, write nothing")
    common(c)
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    s = sub.add_parser("serve", help="preview server with live reload")
    common(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--open", action="store_true", help="open the site in a browser")
    return p


def _report(result, what: str = "build") -> int:
    for w in result.warnings:
        print(str(w), file=sys.stderr)
    for e in result.errors:
        print(str(e), file=sys.stderr)
    if not result.ok:
        n = len(result.errors)
        print(f"{what} failed: {n} error{'s' if n != 1 else ''}; nothing was written", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")  # `python build.py [--root DIR]` means build
    args = _parser().parse_args(argv)
    command = args.command
    root = args.root.resolve()
    if not root.is_dir():
        print(f"error: archive folder {args.root} does not exist", file=sys.stderr)
        return 1
    from .pipeline import Builder

    if command == "serve":
        from .serve import serve

        return serve(root, host=args.host, port=args.port, base_url=args.base_url, open_browser=args.open)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if command == "check":
        with tempfile.TemporaryDirectory(prefix="dossier-check-") as tmp:
            result = Builder(root, Path(tmp) / "out", args.base_url, strict=args.strict, workers=1).build()
        code = _report(result, "check")
        if code == 0:
            print(f"ok: {result.pages} pages would be built, {len(result.warnings)} warnings")
        return code
    result = Builder(root, args.out, args.base_url, strict=args.strict, workers=args.workers, progress=progress).build()
    code = _report(result)
    if code == 0:
        out = result.out
        try:
            shown = out.relative_to(Path.cwd())
        except ValueError:
            shown = out
        print(f"built {result.pages} pages into {shown}/ in {result.seconds:.2f} s "
              f"({len(result.written)} files written, {len(result.removed)} removed, {len(result.warnings)} warnings)")
    return code
