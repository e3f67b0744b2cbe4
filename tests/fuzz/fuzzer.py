"""A seeded mutation fuzzer over the seed archive.

Each case copies the seed archive (``site.yaml``, ``content/``; the default theme
comes from the package), applies a few mutations to its text files, and builds it
through the real command line (in process, so a stray exception is caught and
shown) into an output folder that already holds a good build. A case passes when:

- no exception escapes ``dossier.cli.main`` (no traceback for any input);
- the exit code is 0 when no error line was printed and 1 otherwise;
- every line printed on stderr is ``path:line: message`` (a warning, or the one
  summary line of a failed build);
- after a failed build the output folder is byte for byte what it was.

Run more cases than the test suite does::

    python -m tests.fuzz --cases 5000 --seed 7

A failing case prints its seed; ``--only SEED`` replays one case and keeps its
archive for a look. Every failure found this way becomes a named regression test
in ``tests/fuzz/test_regressions.py``.
"""
from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import random
import re
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# ``path:line: message``; a mistake about a whole file (one that is missing) may name no line.
ERROR_LINE = re.compile(r"^[^\s:]*[./][^\s:]*:(?:[1-9]\d*:)? \S.*$")
SUMMARY_LINE = re.compile(r"^(build|check) failed: \d+ errors?(, \d+ warnings?)?; nothing was written$")
# Lines the command may print that are not about one source line.
OTHER_LINES = (re.compile(r"^note: left \d+ files? in the output folder that Dossier did not write: .*$"),)

# Fragments an editor (or the web page they pasted from) can bring into a file.
HOSTILE = [
    ":", ": ", " : ", "---", "---\n", "\n---\n", "{", "}", "[", "]", "[[", "]]", "[[x]]", "[[the-met]]",
    "[[#]]", "[[|]]", "{.", "{.claim", "{.discrepancy #x claim=\"c\"}", "{#}", "{#__proto__}", "{#main}",
    "claim=\"", "value=\"1\"", "which=0", "which=99", "> ", ">", "\n> ", "\n\n", "\r", "\r\n", "\t",
    "\x00", "\x07", "\x1b", "\x7f", "\u0085", "\u200b", "\u00ad", "\u202e", "\u2028", "\ufeff", "\ud7ff",
    "&a", "*a", "&a [1]", "*a *a", "!!python/object:os.system", "!!binary", "? ", "- ", "-", "|", ">-",
    "'", "\"", "“", "”", "—", "--", "...", "…", "#", "# ", "`", "```", "~~~", "<script>alert(1)</script>",
    "</script>", "<!--", "]]>", "&amp;", "&#0;", "\\", "\\n", "*", "**", "_", "[a](", "[a](b)", "![a](b)",
    "[^1]", "[^1]: note", "<", ">", "null", "~", "true", "2023-02-30", "2023-09-25", "9999-12-31",
    "0000-00-00", "1e999", "-1", "0", "01", "0x10", ".inf", ".nan", "\u00e9", "e\u0301", "Met", "the Met",
    "Metropolitan Police", "MoD", "Mark Rowley", "Sir Mark Rowley", "NX121", "Chris Kaba",
    "\n\n{.context}\n\n", "\n> Officers\n\nA note.\n", "title:", "name:", "published:", "outlet:",
    "aliases: A, B", "type: alien", "type: outlet", "slug: ../x", "slug: articles", "tags: [a, a]",
    "\u2066", "\U0001d518", "yes", "9" * 30, "x" * 300, "\x85",
]

TEXT_SUFFIXES = {".md", ".yaml", ".yml"}


def seed_files() -> dict[str, bytes]:
    """The seed archive's source files: ``site.yaml`` and everything under ``content/``."""
    files = {"site.yaml": (REPO / "site.yaml").read_bytes()}
    for path in sorted((REPO / "content").rglob("*")):
        if path.is_file():
            files[path.relative_to(REPO).as_posix()] = path.read_bytes()
    return files


def _pick_line_span(rng: random.Random, text: str) -> tuple[int, int]:
    """Offsets of one random line (without its newline)."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    start = sum(len(x) + 1 for x in lines[:i])
    return start, start + len(lines[i])


def _mutate_text(rng: random.Random, text: str) -> str:
    """One mutation of one file's text."""
    op = rng.randrange(12)
    pos = rng.randrange(len(text) + 1)
    if op == 0:  # insert a hostile fragment
        return text[:pos] + rng.choice(HOSTILE) + text[pos:]
    if op == 1:  # delete a span
        end = min(len(text), pos + rng.choice((1, 2, 5, 20, 200)))
        return text[:pos] + text[end:]
    if op == 2:  # delete a line
        start, end = _pick_line_span(rng, text)
        return text[:start] + text[end + 1:]
    if op == 3:  # duplicate a line
        start, end = _pick_line_span(rng, text)
        return text[:end + 1] + text[start:end] + "\n" + text[end + 1:]
    if op == 4:  # swap two lines
        lines = text.split("\n")
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if op == 5:  # truncate
        return text[:pos]
    if op == 6:  # replace one character with a random code point
        if not text:
            return text
        i = min(pos, len(text) - 1)
        cp = rng.choice((rng.randrange(0x20), rng.randrange(0x20, 0x7f), rng.randrange(0x80, 0x3000),
                         rng.randrange(0xE000, 0x110000)))
        ch = chr(cp) if not 0xD800 <= cp <= 0xDFFF else "\ufffd"
        return text[:i] + ch + text[i + 1:]
    if op == 7:  # change line endings
        return text.replace("\n", rng.choice(("\r\n", "\r", "\n\n", "\n \n")))
    if op == 8:  # repeat a fragment many times (huge or pathological input, kept small enough to be quick)
        frag = rng.choice(("[[", "[", "[a](", "*a **a ", "> ", "- ", "`", "{.note}\n", "Met ", "&a "))
        return text[:pos] + frag * rng.choice((10, 100, 2000)) + text[pos:]
    if op == 9:  # indent or dedent a line (YAML structure)
        start, _end = _pick_line_span(rng, text)
        if rng.random() < 0.5:
            return text[:start] + rng.choice(("  ", "\t", " ")) + text[start:]
        return text[:start] + text[start:].lstrip(" ")
    if op == 10:  # empty the value after a YAML key
        m = list(re.finditer(r"^([a-z_]+):[^\n]*$", text, re.M))
        if not m:
            return text
        k = rng.choice(m)
        return text[:k.start()] + k.group(1) + ":" + text[k.end():]
    # op == 11: splice a line from elsewhere in the file
    start, end = _pick_line_span(rng, text)
    s2, e2 = _pick_line_span(rng, text)
    return text[:start] + text[s2:e2] + text[end:]


def _mutate_files(rng: random.Random, files: dict[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    """A few mutations on a copy of ``files``; returns it with a log of what was done."""
    files = dict(files)
    log = []
    names = sorted(n for n in files if Path(n).suffix in TEXT_SUFFIXES)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        r = rng.random()
        name = rng.choice(names)
        if r < 0.04:  # delete a whole file
            files.pop(name, None)
            log.append(f"delete {name}")
            continue
        if r < 0.07:  # copy a file under another kind's folder or name
            other = rng.choice(("content/articles/copy.md", "content/entities/people/copy.md",
                                "content/pages/copy.md", "content/annotations/copy.md", "content/article/x.md",
                                "content/articles/x.markdown", "content/articles/x.html"))
            files[other] = files.get(name, b"")
            log.append(f"copy {name} -> {other}")
            continue
        if r < 0.10:  # bytes that are not UTF-8
            data = files.get(name, b"")
            i = rng.randrange(len(data) + 1)
            files[name] = data[:i] + rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00")) + data[i:]
            log.append(f"bytes {name}@{i}")
            continue
        text = files.get(name, b"").decode("utf-8", "replace")
        files[name] = _mutate_text(rng, text).encode("utf-8", "surrogatepass")
        log.append(f"mutate {name}")
    return files, log


def write_archive(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def read_tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Outcome:
    seed: int
    code: int | None
    stderr: str
    problems: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def run_cli(argv: list[str]) -> tuple[int | None, str, str | None]:
    """(exit code, stderr, traceback text if an exception escaped)."""
    from dossier.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - the point is to catch everything
            return None, err.getvalue(), traceback.format_exc()
    return code, err.getvalue(), None


def check_lines(stderr: str) -> tuple[list[str], int]:
    """Lines of ``stderr`` that are in no allowed form, and how many error lines there were."""
    bad, errors = [], 0
    for line in stderr.splitlines():
        if SUMMARY_LINE.match(line) or any(p.match(line) for p in OTHER_LINES):
            continue
        if ERROR_LINE.match(line):
            errors += ": warning: " not in line
            continue
        bad.append(line)
    return bad, errors


def run_case(seed: int, workdir: Path, good_output: dict[str, bytes], base: dict[str, bytes]) -> Outcome:
    """Mutate, build over a copy of a good output, and judge the result."""
    rng = random.Random(seed)
    files, log = _mutate_files(rng, base)
    root = workdir / f"case-{seed}"
    shutil.rmtree(root, ignore_errors=True)
    write_archive(root, files)
    write_archive(root / "output", good_output)
    code, stderr, tb = run_cli(["build", "--root", str(root), "--workers", "1"])
    out = Outcome(seed, code, stderr, log=log)
    if tb is not None:
        out.problems.append("exception escaped:\n" + tb)
        return out
    bad, errors = check_lines(stderr)
    out.problems += [f"line not in path:line: form: {line[:300]!r}" for line in bad]
    want = 1 if errors else 0
    if code != want:
        out.problems.append(f"exit code {code}, expected {want} ({errors} error lines)")
    if code != 0 and read_tree(root / "output") != good_output:
        out.problems.append("a failed build changed the output folder")
    return out


def good_build(workdir: Path, base: dict[str, bytes]) -> dict[str, bytes]:
    root = workdir / "good"
    shutil.rmtree(root, ignore_errors=True)
    write_archive(root, base)
    code, stderr, tb = run_cli(["build", "--root", str(root), "--workers", "1"])
    assert tb is None and code == 0, f"the unmutated seed archive must build:\n{stderr}\n{tb or ''}"
    tree = read_tree(root / "output")
    shutil.rmtree(root)
    return tree


def fuzz(seeds, workdir: Path, keep: bool = False, processes: int | None = None):
    """Yield an :class:`Outcome` for every seed, in the seeds' order; case folders are removed unless
    ``keep``. The cases run in ``processes`` processes (default: one a core, at most two), each case
    in one of them from start to end, as it would alone: a case's outcome depends on its seed only."""
    base = seed_files()
    good = good_build(workdir, base)
    seeds = list(seeds)
    processes = min(processes or min(os.cpu_count() or 1, 2), len(seeds))
    if processes <= 1:
        for seed in seeds:
            yield _case(seed, (workdir, good, base, keep))
        return
    # spawn, not fork: the test run that calls this may hold threads (a browser's driver, a server)
    with multiprocessing.get_context("spawn").Pool(processes, _start_worker, ((workdir, good, base, keep),)) as pool:
        yield from pool.imap(_case, seeds, chunksize=4)


_WORKER: tuple = ()  # in a worker process: (workdir, good output, base files, keep)


def _start_worker(args: tuple) -> None:
    global _WORKER
    _WORKER = args


def _case(seed: int, args: tuple = ()) -> Outcome:
    workdir, good, base, keep = args or _WORKER
    outcome = run_case(seed, workdir, good, base)
    if not keep:
        shutil.rmtree(workdir / f"case-{seed}", ignore_errors=True)
    return outcome
