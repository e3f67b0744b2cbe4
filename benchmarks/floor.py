"""The Python floor: what any Python generator pays for the article pages alone.

Read each article, split its front matter and parse it with PyYAML's libyaml loader, render the
body with ``MarkdownIt("commonmark")``, fill a one-line Jinja2 template, write
``articles/<slug>/index.html``: in two forked processes, each taking every other article (as
Dossier's pool uses two workers on a 2-core machine). No entities, mentions, annotations,
listings or feed: a floor, not a competitor.
"""
from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

PROCESSES = 2
TEMPLATE = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head>\n"
            "<body><main><h1>{{ title }}</h1><p>{{ outlet }}, {{ published }}</p>\n{{ body | safe }}</main>"
            "</body></html>\n")


def _part(job: tuple[list[Path], Path]) -> dict:
    """Build the pages of ``paths`` into ``out``; seconds per step."""
    import jinja2
    import yaml
    from markdown_it import MarkdownIt

    paths, out = job
    md = MarkdownIt("commonmark")
    tpl = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    fm_stage = "front matter (yaml, C)" if loader is not yaml.SafeLoader else "front matter (yaml)"
    stages = {"read": 0.0, fm_stage: 0.0, "markdown": 0.0, "template": 0.0, "write": 0.0}
    perf = time.perf_counter
    for path in paths:
        a = perf()
        text = path.read_text(encoding="utf-8")
        b = perf()
        _, fm_text, body = text.split("---\n", 2)
        fm = yaml.load(fm_text, Loader=loader)
        c = perf()
        html = md.render(body)
        d = perf()
        page = tpl.render(title=fm["title"], outlet=fm["outlet"], published=fm["published"], body=html)
        e = perf()
        target = out / "articles" / path.stem
        target.mkdir(parents=True, exist_ok=True)
        (target / "index.html").write_text(page, encoding="utf-8")
        f = perf()
        stages["read"] += b - a
        stages[fm_stage] += c - b
        stages["markdown"] += d - c
        stages["template"] += e - d
        stages["write"] += f - e
    return stages


def build(root: Path, out: Path) -> tuple[int, dict]:
    """(pages written, step -> seconds summed over the processes)."""
    paths = sorted((root / "content" / "articles").glob("*.md"))
    jobs = [(paths[i::PROCESSES], out) for i in range(PROCESSES)]
    if "fork" in mp.get_all_start_methods():
        with mp.get_context("fork").Pool(PROCESSES) as pool:
            parts = pool.map(_part, jobs)
    else:
        parts = [_part(job) for job in jobs]
    stages: dict[str, float] = {}
    for part in parts:
        for name, s in part.items():
            stages[name] = stages.get(name, 0.0) + s
    return len(paths), stages
