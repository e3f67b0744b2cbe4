"""What the render workers spend on the exports beside each report's page: CPU time of each part.

    python benchmarks/exports_tasks.py [--articles 1000] [--repeat 3]

Builds the benchmark archive (run.py's ``_work/<N>/``) cold into a temporary folder, in this
process with one render process, with the article task replaced by one that does the same work
in the same order and times each part in CPU seconds: the page (Markdown and template), staging
it, and the parts of the exports (the page's text read back, its ``mentions.csv`` rows made, its
search words counted, the three spooled: ``dossier.spool``, a one-off build's). Prints the best of ``--repeat`` builds, per part and per
report. Asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

import dossier.article_pages as article_pages  # noqa: E402
import dossier.pipeline as pipeline  # noqa: E402
from dossier import exports, opendata  # noqa: E402
from dossier.pagetext import read_body, read_page  # noqa: E402
from dossier.search import count_words  # noqa: E402
from run import ensure_archive  # noqa: E402

PARTS = ("page", "staged", "text read back", "mention rows", "words counted", "spooled")


def _timed_task(spent: dict):
    """``article_pages._render_article_task``'s work, each part's CPU time added to ``spent``."""
    def task(state, slug):
        r = state.renderer
        marks = [time.process_time()]
        res = r.article(slug)
        marks.append(time.process_time())
        d = state.staging.put(res.output)
        marks.append(time.process_time())
        page, body_html, res.html = res.output.data.decode("utf-8"), res.html, ""
        res.text = read_body(page, body_html) or read_page(page).read()
        body = res.text[0]
        marks.append(time.process_time())
        rows = opendata.mention_rows(r.urls, slug, res.mentions, body)
        marks.append(time.process_time())
        res.words = count_words(exports.report_record(r.site, r.urls, slug, body))
        marks.append(time.process_time())
        if state.spool is not None:
            res.spooled = state.spool.put(res.text, res.words, rows.encode("utf-8"))
            res.text, res.words = (), None
        else:
            res.mention_rows = article_pages.pack_rows(rows)
        marks.append(time.process_time())
        res.output = None
        for part, a, b in zip(PARTS, marks, marks[1:]):
            spent[part] += b - a
        return res, d, marks[2] - marks[0], marks[-1] - marks[2]
    return task


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="archive size (run.py's archive: _work/<N>/)")
    ap.add_argument("--repeat", type=int, default=3, help="builds; the fastest of each part is printed")
    args = ap.parse_args()
    root = ensure_archive(args.articles, 1)
    best = dict.fromkeys(PARTS, float("inf"))
    for _ in range(args.repeat):
        spent = dict.fromkeys(PARTS, 0.0)
        article_pages._render_article_task = _timed_task(spent)
        with tempfile.TemporaryDirectory() as tmp:
            assert pipeline.build_site(root, out=Path(tmp) / "out", workers=1).ok
        best = {k: min(best[k], spent[k]) for k in PARTS}
    n = args.articles
    for part in PARTS:
        print(f"{part:16s} {best[part]:7.3f} s CPU  {best[part] * 1e6 / n:6.0f} µs a report")
    extra = sum(best[p] for p in PARTS[2:])
    print(f"exports' part    {extra:7.3f} s CPU  {extra * 1e6 / n:6.0f} µs a report"
          f" ({extra / sum(best.values()):.0%} of the task)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
