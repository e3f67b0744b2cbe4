"""CPU of the Markdown step of a report's page: its body to HTML, names linked, annotations marked.

    python benchmarks/markdown_cpu.py [--articles 1000] [--repeat 5]

Builds the benchmark archive (run.py's ``_work/<N>/``) once in this process (one render process)
to have its Site, then renders every report's body as ``Renderer.article`` does (the same ``env``:
mentions collected, annotations placed, their notes rendered) with two parsers in turn, round by
round: markdown-it's block and inline parsers for every text and names linked with tokens, as
before the fourth session of 2026-11-24 (``markdown-it``), and ``make_md()`` as the build uses it
(``build``: plain prose through ``dossier/markdown/plain.py``, a run of text with names as one
token of HTML when no annotation is placed in the text). Prints the
best of ``--repeat`` rounds of each: the CPU a report, split by core rule (``render`` is the HTML
renderer; a note's own Markdown is counted in ``marks``, which renders it), and how many texts took
the fast path. Checks that both give the same HTML, mentions and marks. Asserts nothing else.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

import dossier.emit as emit  # noqa: E402
import dossier.pipeline as pipeline  # noqa: E402
from dossier.markdown import make_md, mentions, new_env, note_renderer, plain  # noqa: E402
from markdown_it.rules_core import block, inline  # noqa: E402
from run import ensure_archive  # noqa: E402


def _renderer(root: Path):
    """The build's Renderer (one build of ``root`` in this process), and its reports as rendered
    (a one-off build lets go of their bodies afterwards)."""
    seen, reports = [], {}
    real = emit.Renderer.article

    def article(self, slug):
        seen.append(self)
        reports[slug] = self.site.articles[slug]
        return real(self, slug)
    emit.Renderer.article = article
    try:
        with tempfile.TemporaryDirectory() as tmp:
            assert pipeline.build_site(root, out=Path(tmp) / "out", workers=1).ok
    finally:
        emit.Renderer.article = real
    return seen[0], reports


def _timed(md, spent: dict) -> None:
    """Wrap ``md``'s core rules so that each adds its CPU time to ``spent`` (outermost render only)."""
    depth = [0]
    for rule in md.core.ruler.__rules__:
        def timed(state, fn=rule.fn, name=rule.name):
            if depth[0] > 1:
                return fn(state)
            t = time.process_time()
            fn(state)
            spent[name] = spent.get(name, 0.0) + time.process_time() - t
        rule.fn = timed
    md.core.ruler.__cache__ = None
    real = md.render

    def render(src, env=None):
        depth[0] += 1
        try:
            return real(src, env)
        finally:
            depth[0] -= 1
    md.render = render


def _one_round(r, md, reports: dict) -> tuple[float, list]:
    site, out = r.site, []
    t = time.process_time()
    for slug, art in reports.items():
        env = new_env(site, r.urls, source=art.source, line0=art.body_line - 1, collect=True,
                      annotations=site.annotations.get(slug, ()), link_first=r.link_first, block_ids=True,
                      link_per_block=r.link_per_block,
                      render_note=note_renderer(md, site, r.urls, link_first=r.link_first))
        html = md.render(art.body, env)
        out.append((html, env["mentions"], env.get("placed", []), env.get("verbatim"), env.get("note_mentions")))
    return time.process_time() - t, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="archive size (run.py's archive: _work/<N>/)")
    ap.add_argument("--repeat", type=int, default=5, help="rounds; the fastest of each is printed")
    args = ap.parse_args()
    r, reports = _renderer(ensure_archive(args.articles, 1))
    slow = make_md()
    slow.core.ruler.at("block", block)
    slow.core.ruler.at("inline", inline)
    slow.core.ruler.at("mentions", partial(mentions._rule, direct=False))
    parsers = {"markdown-it": slow, "build": make_md()}
    spent = {name: {} for name in parsers}
    best = {name: (float("inf"), {}) for name in parsers}
    for name, md in parsers.items():
        _timed(md, spent[name])
    results = {}
    for _ in range(args.repeat):
        for name, md in parsers.items():
            spent[name].clear()
            total, results[name] = _one_round(r, md, reports)
            if total < best[name][0]:
                best[name] = (total, {**spent[name], "render": total - sum(spent[name].values())})
    same = results["markdown-it"] == results["build"]
    plain_n = sum(plain.tokens(a.body) is not None for a in reports.values())
    n = len(reports)
    print(f"{n} reports, {plain_n} plain prose (the fast path); same HTML, mentions and marks: {same}")
    names = list(best["markdown-it"][1])
    print(f"{'µs a report':16s}" + "".join(f"{k:>13s}" for k in parsers))
    for part in names:
        print(f"{part:16s}" + "".join(f"{best[k][1].get(part, 0.0) * 1e6 / n:13.1f}" for k in parsers))
    print(f"{'all':16s}" + "".join(f"{best[k][0] * 1e6 / n:13.1f}" for k in parsers))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
