"""CPU of an article page, step by step, in one process: what a render worker does for each report.

    .venv/bin/python benchmarks/article_cpu.py --articles 1000 --repeat 5
    .venv/bin/python benchmarks/article_cpu.py --articles 1000 --repeat 5 --repo OTHER_CHECKOUT   # its code

Builds the archive once (``build_site(workers=1)``, in a fresh process, the bodies kept) and keeps the
state the article pages were rendered with (the Renderer, its Markdown parser, templates and ``memo``
warm, as in a render worker); then makes every article's page again ``--repeat`` times, each step of
``Renderer.article`` and ``Staging.put`` timed apart (``time.process_time``, the collector off, the
page staged in a temporary folder, on tmpfs when ``TMPDIR=/dev/shm``) and prints each step's best
round: µs an article. ``markdown`` is ``dossier.markdown.render`` where the checkout has it, else
``md.render``; ``coverage`` the article's other coverage, worked out afresh each round (``Coverage``);
``head`` is ``pagemeta.head_meta``; ``template`` the page's ``render_template``; then the markdown step of
the annotated reports and of the others apart, µs a report. Not counted: the
exports' part of a task (the page read back, its words and mention rows) and the pool's own work.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cpu_split import checkout_args, run_child  # noqa: E402

CHILD = r'''
import gc, shutil, sys, tempfile, time
from pathlib import Path
from markupsafe import Markup
from dossier import article_pages, pipeline
from dossier.index import Coverage
from dossier.markdown import new_env, note_renderer
from dossier.model import Output
from dossier.pagemeta import head_meta
from dossier.pipeline import build_site
from dossier.render import render_template
from dossier.urls import output_path
from dossier.views import article_view, helpers
from dossier.write import Staging, digest
try:
    from dossier.markdown import render as md_render
except ImportError:  # a checkout from before it
    def md_render(md, text, env):
        return md.render(text, env)

root, rounds = Path(sys.argv[1]), int(sys.argv[2])
got = {}
real = article_pages._render_articles_task


def task(state, slugs):
    got.setdefault("state", state)
    got.setdefault("slugs", []).extend(slugs)
    return real(state, slugs)


article_pages._render_articles_task = task
pipeline.bodies_unread = lambda layouts: False  # the bodies stay, to be rendered again
with tempfile.TemporaryDirectory(prefix="dossier-article-") as tmp:
    if not build_site(root, out=Path(tmp) / "output", workers=1).ok:
        raise SystemExit("the build failed")
    r, slugs = got["state"].renderer, got["slugs"]
    site, clock = r.site, time.process_time
    steps = ["markdown", "coverage", "view", "context", "head", "template", "encode", "write", "digest"]
    best = dict.fromkeys(steps + ["all", "annotated", "plain"], float("inf"))
    annotated = {slug for slug in slugs if site.annotations.get(slug)}
    gc.disable()
    for n in range(rounds):
        staging = Staging(Path(tmp) / f"out{n}")
        staging.dir = Path(tmp) / f"staged{n}"
        staging.dir.mkdir()
        if isinstance(r.coverage, Coverage):
            r.coverage.done.clear()
        spent = dict.fromkeys(steps + ["annotated", "plain"], 0.0)
        for slug in slugs:
            t0 = clock()
            art = site.articles[slug]
            env = new_env(site, r.urls, source=art.source, line0=art.body_line - 1, collect=True,
                          annotations=site.annotations.get(slug, ()), link_first=r.link_first, block_ids=True,
                          link_per_block=r.link_per_block,
                          render_note=note_renderer(r.md, site, r.urls, link_first=r.link_first, keep={}))
            body = Markup(md_render(r.md, art.body, env))
            t1 = clock()
            coverage = r.coverage.get(slug, ())
            t2 = clock()
            view = article_view(r.frame, site, slug, body, env["mentions"], env.get("placed", []), coverage)
            t3 = clock()
            tmpl = r._template(view.page.template)
            ctx = {**view.context(), **helpers(r.urls, view, r.memo), "memo": r.memo.__call__}
            page = view.page
            t4 = clock()
            ctx["head"] = head_meta(page.template, page.title, page.description, page.path, ctx, r.urls)
            t5 = clock()
            text = render_template(tmpl, ctx)
            t6 = clock()
            data = text.encode("utf-8")
            out = Output(output_path(page.path), data, frozenset((art.source,)))
            t7 = clock()
            staging.write(out)
            t8 = clock()
            digest(data)
            t9 = clock()
            spent["annotated" if slug in annotated else "plain"] += t1 - t0
            for step, a, b in zip(steps, (t0, t1, t2, t3, t4, t5, t6, t7, t8), (t1, t2, t3, t4, t5, t6, t7, t8, t9)):
                spent[step] += b - a
        spent["all"] = sum(spent[step] for step in steps)
        for step, seconds in spent.items():
            best[step] = min(best[step], seconds)
        gc.collect()
for step, seconds in best.items():
    if step not in ("annotated", "plain"):
        print(f"  {step:10} {seconds / len(slugs) * 1e6:8.1f} µs an article")
for kind in ("annotated", "plain"):  # the markdown step of the reports with annotations to place, of the others
    many = len(annotated) if kind == "annotated" else len(slugs) - len(annotated)
    if many:
        print(f"  markdown of a report {kind:9} ({many}) {best[kind] / many * 1e6:8.1f} µs")
'''


def main() -> None:
    run_child(checkout_args(__doc__), CHILD, "an article page step by step")


if __name__ == "__main__":
    main()
