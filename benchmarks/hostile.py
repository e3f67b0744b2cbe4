"""Hostile and huge inputs: does the cost of a build grow linearly with the input?

    python benchmarks/hostile.py                 # every case at its default sizes
    python benchmarks/hostile.py --only brackets --only backticks
    python benchmarks/hostile.py --full          # the issue's sizes (5 MB paragraph, 50 MB archive)
    python benchmarks/hostile.py --list

Each case adds one file (an article, or an annotation file) to a copy of the seed
archive, built in a fresh process (one worker) for each size N, 2N (and 4N …).
The table prints the build's wall-clock and CPU time, the stage that took
longest, and the ratio of CPU times to the previous size (CPU time varies less
than wall time on a busy machine): about 2 per doubling is linear, about 4 is
quadratic.  A
build that fails with a located error (a size limit) is shown as such; a build
slower than ``--timeout`` is killed and shown as a timeout.  Nothing is
asserted: this measures.  The pathological shapes follow the kinds of input
cmark's and markdown-it's pathological tests use; the generators are our own.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

WORDS = ("the officers said that Chris Kaba was shot in Streatham Hill and Sir Mark Rowley wrote to the "
         "home secretary while the Met and the Home Office spoke of mutual aid for London").split()


def _prose(n_chars: int, sentence_words: int = 14) -> str:
    """Sentences of plain prose with entity names, about ``n_chars`` long, no paragraph break."""
    out, size, i = [], 0, 0
    while size < n_chars:
        words = [WORDS[(i * 7 + k) % len(WORDS)] for k in range(sentence_words)]
        s = " ".join(words) + ". "
        s = s[0].upper() + s[1:]
        out.append(s)
        size += len(s)
        i += 1
    return "".join(out)


def _paragraphs(n_chars: int) -> str:
    para = _prose(600)
    return "\n\n".join([para] * max(1, n_chars // (len(para) + 2)))


def _many_annotations(n: int) -> tuple[str, str]:
    """An article of n distinct numbered sentences, and an annotation file quoting each one."""
    body = "\n\n".join(f"Paragraph {i} says that the officers met on day {i}." for i in range(n))
    notes = "\n\n".join(f"> Paragraph {i} says\n\nNote {i} on [[chris-kaba]]." for i in range(n))
    return body, notes


def _nested_lists(n_chars: int) -> str:
    """A list nested one level deeper on each line, about ``n_chars`` long (depth about sqrt(N))."""
    out, size, i = [], 0, 0
    while size < n_chars:
        out.append("  " * i + "* a\n")
        size += 2 * i + 4
        i += 1
    return "".join(out)


def _backticks(n: int) -> str:
    # cmark's "backticks": e`e``e```… every run length once, none closed
    out, i, size = [], 1, 0
    while size < n:
        out.append("e" + "`" * i)
        size += i + 1
        i += 1
    return "".join(out)


def _shared(n: int) -> dict[str, str]:
    """N short articles: each prints one boilerplate sentence (in all of them) and one sentence
    it shares with the next article, so the shared-passage index has both kinds of work."""
    boiler = "Sign up to our newsletter for the latest news from the police and the courts every morning."
    files = {}
    for i in range(n):
        pair = " ".join(f"The officers of district {j} said their review of armed duties would end soon." for j in (i, i + 1))
        files[f"content/articles/shared-{i}.md"] = FRONT.replace("Hostile", f"Shared {i}") + f"{boiler} {pair}\n"
    return files


def _generated(n: int):
    """The benchmark's synthetic archive of N articles (about 5 KB each, one story in three)."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    return lambda root: generate(root, n, 1)


# name -> (unit of N, default N, generator N -> (article body, annotation file or None), or {path: text},
# or a function that writes a whole archive into a folder)
CASES = {
    "paragraph": ("bytes", 625_000, lambda n: (_prose(n), None)),
    "archive": ("bytes", 6_250_000, lambda n: (_paragraphs(n), None)),
    "annotations": ("annotations", 25_000, _many_annotations),
    "shared": ("articles", 1_000, _shared),
    "many-articles": ("articles", 2_500, _generated),
    "quotes-one-paragraph": ("annotations", 5_000, lambda n: (" ".join(f"Sentence {i} is here." for i in range(n)),
                                                               "\n\n".join(f"> Sentence {i} is\n\nN." for i in range(n)))),
    "wikilink-openers": ("x '[['", 50_000, lambda n: ("[[" * n, None)),
    "link-openers": ("x '['", 50_000, lambda n: ("[" * n, None)),
    "link-starts": ("x '[a]('", 50_000, lambda n: ("[a](" * n, None)),
    "brackets": ("nesting", 25_000, lambda n: ("[" * n + "chris-kaba" + "]" * n, None)),
    "link-closers": ("x 'a]'", 50_000, lambda n: ("a]" * n, None)),
    "link-openers-a": ("x '[a'", 50_000, lambda n: ("[a" * n, None)),
    "emph-nested": ("x '*a **a'", 25_000, lambda n: ("*a **a " * n + "b" + " a** a*" * n, None)),
    "emph-openers": ("x '_a '", 50_000, lambda n: ("_a " * n, None)),
    "emph-closers": ("x 'a_ '", 50_000, lambda n: ("a_ " * n, None)),
    "emph-mismatched": ("x '*a_ '", 50_000, lambda n: ("*a_ " * n, None)),
    "emph-mod3": ("x 'a**b c* '", 50_000, lambda n: ("a**b" + "c* " * n, None)),
    "link-emph": ("x '[ a_'", 50_000, lambda n: ("[ a_" * n, None)),
    "paren-brackets": ("x '[ (]('", 50_000, lambda n: ("[ (](" * n, None)),
    "unclosed-dest": ("x '[a](<b'", 50_000, lambda n: ("[a](<b" * n, None)),
    "unclosed-dest-b": ("x '[a](b'", 50_000, lambda n: ("[a](b" * n, None)),
    "blockquotes": ("nesting", 25_000, lambda n: ("> " * n + "a\n", None)),
    "lists": ("bytes", 1_000_000, lambda n: (_nested_lists(n), None)),
    "backticks": ("bytes", 50_000, lambda n: (_backticks(n), None)),
    "angle": ("x '<'", 50_000, lambda n: ("<" * n, None)),
    "autolinks": ("x '<a'", 50_000, lambda n: ("<a" * n, None)),
    "refdefs": ("definitions", 25_000, lambda n: ("".join(f"[r{i}]: /u{i}\n" for i in range(n)) + "\n[r0] [r1]", None)),
    "footnotes": ("x '[^a]'", 25_000, lambda n: ("[^a]" * n + "\n\n[^a]: note", None)),
    "entities": ("x '&amp;'", 50_000, lambda n: ("&amp;" * n, None)),
    "escapes": ("x '\\*'", 50_000, lambda n: ("\\*" * n, None)),
}

FRONT = "---\ntitle: Hostile\noutlet: sky-news\npublished: 2023-09-25\nstory: met-firearms-2023\n---\n"


def _child(root: str, result_file: str) -> None:
    sys.path.insert(0, str(REPO))
    from dossier.pipeline import build_site

    t0, c0 = time.perf_counter(), sum(os.times()[:4])  # this process and its finished children
    r = build_site(Path(root), out=Path(root) / "output", workers=1)
    total, cpu = time.perf_counter() - t0, sum(os.times()[:4]) - c0
    first = str(r.errors[0]) if r.errors else ""
    Path(result_file).write_text(json.dumps({"total": total, "cpu": cpu, "timings": r.timings, "ok": r.ok,
                                             "errors": len(r.errors), "first": first[:160]}))


def _archive(tmp: Path, made) -> Path:
    """The seed archive plus what a case made: (article body, annotation file or None) or {path: text}."""
    root = tmp / "archive"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    if callable(made):
        shutil.rmtree(root / "content")
        made(root)
        return root
    if isinstance(made, tuple):
        body, notes = made
        made = {"content/articles/hostile.md": FRONT + body + "\n"}
        if notes is not None:
            made["content/annotations/hostile.md"] = notes + "\n"
    for rel, text in made.items():
        (root / rel).write_text(text, encoding="utf-8")
    return root


def measure(name: str, n: int, timeout: float) -> dict:
    _unit, _n, gen = CASES[name]
    with tempfile.TemporaryDirectory(prefix="dossier-hostile-") as d:
        tmp = Path(d)
        root = _archive(tmp, gen(n))
        result = tmp / "result.json"
        cmd = [sys.executable, __file__, "--child", str(root), str(result)]
        try:
            subprocess.run(cmd, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            return {"timeout": True}
        except subprocess.CalledProcessError as e:
            return {"crash": e.returncode}
        return json.loads(result.read_text())


def _row(name: str, n: int, unit: str, r: dict, prev: float | None) -> tuple[str, float | None]:
    if r.get("timeout"):
        return f"{name:18} {n:>11,} {unit:15} {'timeout':>9} (over the --timeout)", None
    if "crash" in r:
        return f"{name:18} {n:>11,} {unit:15} {'crash':>9}  (exit {r['crash']}, traceback above)", None
    t = r["cpu"]
    stage = max(r["timings"].items(), key=lambda kv: kv[1]) if r["timings"] else ("-", 0.0)
    ratio = f"x{t / prev:4.2f}" if prev else "     "
    state = "ok" if r["ok"] else f"{r['errors']} error(s): {r['first']}"
    return (f"{name:18} {n:>11,} {unit:15} {r['total']:8.2f}s {t:8.2f}s {ratio}  {stage[0]:>9} {stage[1]:6.2f}s  "
            f"{state}"), t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", choices=sorted(CASES), help="run only this case (repeatable)")
    ap.add_argument("--steps", type=int, default=2, help="sizes per case: N, 2N, … (default 2)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every N")
    ap.add_argument("--full", action="store_true", help="the issue's sizes: 5 MB paragraph, 50 MB archive, 100k annotations")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds before a build is called a timeout")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(*a.child)
        return 0
    if a.list:
        for name, (unit, n, _g) in CASES.items():
            print(f"{name:18} N={n:,} {unit}")
        return 0
    steps = 4 if a.full else a.steps
    print(f"{'case':18} {'N':>11} {'unit':15} {'wall':>9} {'cpu':>9} {'ratio':5}  {'slowest stage':>17}  result")
    for name in a.only or CASES:
        unit, n0, _g = CASES[name]
        prev = None
        for k in range(steps):
            n = int(n0 * a.scale) << k
            line, prev = _row(name, n, unit, measure(name, n, a.timeout), prev)
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
