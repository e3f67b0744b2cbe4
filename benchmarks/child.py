"""The measured process of ``run.py``: one cold build (``build``) or the floor (``baseline``).

    python benchmarks/child.py build|bare|baseline ROOT OUT RESULT_JSON [WORKERS]

Kept apart from ``run.py`` so that the measured process imports what it measures and little else:
run as ``run.py --child``, it also imported ``run.py``'s own modules (PyYAML for the Hugo copy,
argparse, subprocess, the floor's and the summary's modules: about 150 M instructions, 15-20 ms
of a 1,000-article build's process time that no ``dossier build`` spends). The floor is measured
the same way. ``bare`` is a build without the search index and the open data (``bare.py``). The
report goes to RESULT_JSON; nothing is printed.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _peaks() -> dict:
    return {"self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def build(root: Path, out: Path, workers: int | None, result_file: Path, bare: bool = False) -> None:
    """One cold build through ``build_site``, ended as ``dossier build`` ends (``bare``: without the
    search index and the open data, ``bare.without_exports``)."""
    t_import = time.perf_counter()
    from dossier.pipeline import build_site

    if bare:
        import bare as exports_left_out  # this script's folder is the first on sys.path

        exports_left_out.without_exports()
    import_s = time.perf_counter() - t_import
    kwargs = {"out": out}
    if workers is not None:
        import inspect

        if "workers" in inspect.signature(build_site).parameters:
            kwargs["workers"] = workers
        else:
            print("build_site() takes no 'workers' argument: ignored", file=sys.stderr)
    t0 = time.perf_counter()
    result = build_site(root, **kwargs)
    wall = time.perf_counter() - t0
    data = {
        "ok": bool(getattr(result, "ok", False)),
        "errors": [str(e) for e in getattr(result, "errors", ())],
        "warnings": [str(e) for e in getattr(result, "warnings", ())],
        "pages": getattr(result, "pages", None),
        "written": len(getattr(result, "written", ()) or ()),
        "seconds": getattr(result, "seconds", None),
        "timings": dict(getattr(result, "timings", {}) or {}),
        "wall": wall,
        "import": import_s,
        **_peaks(),
    }
    result_file.write_text(json.dumps(data))
    try:
        from dossier.cli import exit_now
    except ImportError:  # an older Dossier: the interpreter's own exit
        return
    exit_now(0)  # as `dossier build` ends: no teardown of the heap


def baseline(root: Path, out: Path, result_file: Path) -> None:
    """The floor (``floor.py``): read + front matter + bare CommonMark + a trivial Jinja2 template + write."""
    import floor  # this script's folder is the first on sys.path

    t0 = time.perf_counter()
    written, stages = floor.build(root, out)
    wall = time.perf_counter() - t0
    data = {"ok": True, "errors": [], "warnings": [], "pages": written, "written": written, "seconds": wall,
            "timings": stages, "wall": wall, "import": 0.0, **_peaks()}
    result_file.write_text(json.dumps(data))


def main(argv: list[str]) -> int:
    mode, root, out, result = argv[0], Path(argv[1]), Path(argv[2]), Path(argv[3])
    if mode in ("build", "bare"):
        build(root, out, int(argv[4]) if len(argv) > 4 else None, result, mode == "bare")
    elif mode == "baseline":
        baseline(root, out, result)
    else:
        print(f"child.py: unknown mode {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
