"""CPU of the pages' views and templates, in one process: per article page, per entity page, per template.

    .venv/bin/python benchmarks/pages_cpu.py --articles 1000 --repeat 5
    .venv/bin/python benchmarks/pages_cpu.py --articles 1000 --repeat 5 --repo OTHER_CHECKOUT   # its code

Builds the archive once (``build_site(workers=1)``, in a fresh process, into a temporary folder) and
keeps every view the build rendered and the arguments of every article's and entity's view; then makes
those views again and renders them again ``--repeat`` times, with the build's own renderer (its
templates compiled, its ``memo`` warm, as in a render worker), and prints the best of the rounds
(``time.process_time``, the collector off): microseconds a page for the view (``article_view``,
``entity_view``) and for ``Renderer.render`` (the context, ``head_meta`` and the template), then
the seconds of every kind of page. Nothing is written: the figures are the CPU of views and templates
alone, without the Markdown before them or the page's writing after.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cpu_split import checkout_args, run_child  # noqa: E402

CHILD = r'''
import collections, gc, shutil, sys, tempfile, time
from pathlib import Path
from dossier import emit
from dossier.pipeline import build_site

root, rounds = Path(sys.argv[1]), int(sys.argv[2])
made = {"article": [], "entity": []}
rendered, renderers = [], []
real = {"article": emit.article_view, "entity": emit.entity_view}
real_render, real_init = emit.Renderer.render, emit.Renderer.__init__


def keeping(kind):
    def make(*args, **kwargs):
        made[kind].append((args, kwargs))
        return real[kind](*args, **kwargs)
    return make


def render(self, view, sources=()):
    rendered.append(view)
    return real_render(self, view, sources)


def init(self, *args, **kwargs):
    real_init(self, *args, **kwargs)
    renderers.append(self)


emit.article_view, emit.entity_view = keeping("article"), keeping("entity")
emit.Renderer.render, emit.Renderer.__init__ = render, init
with tempfile.TemporaryDirectory(prefix="dossier-pages-") as tmp:
    if not build_site(root, out=Path(tmp) / "output", workers=1).ok:
        raise SystemExit("the build failed")
emit.Renderer.render, emit.Renderer.__init__ = real_render, real_init
renderer = renderers[-1]
gc.disable()


def best(work) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


for kind, calls in made.items():
    views = [real[kind](*a, **kw) for a, kw in calls]
    view_s = best(lambda: [real[kind](*a, **kw) for a, kw in calls])
    page_s = best(lambda: [renderer.render(v) for v in views])
    n = len(views)
    print(f"{kind} pages: {n:,}; view {view_s / n * 1e6:.0f} µs, render {page_s / n * 1e6:.0f} µs, "
          f"both {(view_s + page_s) / n * 1e6:.0f} µs a page")
by_template = collections.defaultdict(list)
for view in rendered:
    by_template[view.page.template].append(view)
total = 0.0
for name, views in sorted(by_template.items()):
    seconds = best(lambda: [renderer.render(v) for v in views])
    total += seconds
    print(f"  {name:18} {len(views):7,} pages {seconds:8.3f} s {seconds / len(views) * 1e6:9.0f} µs a page")
print(f"  every page: {total:.3f} s of render")
'''


def main() -> None:
    run_child(checkout_args(__doc__), CHILD, "views and templates")


if __name__ == "__main__":
    main()
