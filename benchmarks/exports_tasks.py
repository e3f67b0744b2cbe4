"""What the render workers spend on the exports beside each report's page: CPU time of each part.

    python benchmarks/exports_tasks.py [--articles 1000] [--repeat 3]

Builds the benchmark archive (run.py's ``_work/<N>/``) cold into a temporary folder, in this
process with one render process, with the article task's two halves (``article_pages._article_page``
and ``_exports_part``, called in turn on batches of ``--batch`` reports: ``EXPORTS_BATCH``) replaced by
ones that do the same work in the same order and time each part in CPU seconds: the page (Markdown and template), staging
it, and the parts of the exports (the page's text read back, its ``mentions.csv`` rows made, its
search words counted, the three spooled: ``dossier.spool``, a one-off build's). Prints the best of ``--repeat`` builds, per part and per
report, with the minor page faults of each part in the task. ``--alone``: then each part of the exports
(but the spool) is run again alone, over every report's inputs kept from the last build, one part
after the other in a tight loop (best of ``--repeat`` loops): what the same work costs without a page
rendered between two reports' parts. Asserts nothing.
"""
from __future__ import annotations

import argparse
import resource
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


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _timed_parts(spent: dict, faults: dict, kept: list | None) -> tuple:
    """``article_pages._article_page`` and ``_exports_part`` doing their work, each part's CPU time added
    to ``spent`` and its minor page faults to ``faults``; each report's inputs of the exports' part
    appended to ``kept`` (unless None: what is kept takes memory, and the parts after it new pages)."""
    def add(marks: list, flts: list, parts: tuple) -> None:
        for part, a, b in zip(parts, marks, marks[1:]):
            spent[part] += b - a
        for part, a, b in zip(parts, flts, flts[1:]):
            faults[part] += b - a

    def page_part(state, slug):
        marks, flts = [time.process_time()], [_faults()]
        res = state.renderer.article(slug)
        marks.append(time.process_time())
        flts.append(_faults())
        d = state.staging.put(res.output)
        marks.append(time.process_time())
        flts.append(_faults())
        add(marks, flts, PARTS[:2])
        return res, d, marks[-1] - marks[0]

    def exports_part(state, res, d, page_s):
        r, slug = state.renderer, res.slug
        marks, flts = [time.process_time()], [_faults()]
        page = res.page or res.output.data.decode("utf-8")
        body_html, body_text, res.html, res.page, res.body_text = res.html, res.body_text, "", "", None
        res.text = read_body(page, body_html, body_text) or read_page(page).read()
        body = res.text[0]
        marks.append(time.process_time())
        flts.append(_faults())
        rows = opendata.mention_rows(r.urls, slug, res.mentions, body)
        marks.append(time.process_time())
        flts.append(_faults())
        res.words = count_words(exports.report_record(r.site, r.urls, slug, body))
        marks.append(time.process_time())
        flts.append(_faults())
        if kept is not None:
            kept.append((r, slug, page, body_html, list(res.mentions), body, body_text))
        if state.spool is not None:
            res.spooled = state.spool.put(res.text, res.words, rows.encode("utf-8"))
            res.text, res.words = (), None
        else:
            res.mention_rows = article_pages.pack_rows(rows)
        marks.append(time.process_time())
        flts.append(_faults())
        res.output = None
        add(marks, flts, PARTS[2:])
        return res, d, page_s, marks[-1] - marks[0]
    return page_part, exports_part


def _alone(kept: list, repeat: int) -> dict:
    """Seconds of CPU of each part of the exports (but the spool) over every report of ``kept``, each
    part alone in a loop (best of ``repeat``)."""
    def text(r, slug, page, body_html, mentions, body, body_text):
        return read_body(page, body_html, body_text) or read_page(page).read()

    def rows(r, slug, page, body_html, mentions, body, body_text):
        return opendata.mention_rows(r.urls, slug, mentions, body)

    def words(r, slug, page, body_html, mentions, body, body_text):
        return count_words(exports.report_record(r.site, r.urls, slug, body))

    best = {}
    for part, fn in (("text read back", text), ("mention rows", rows), ("words counted", words)):
        for _ in range(repeat):
            start = time.process_time()
            for item in kept:
                fn(*item)
            best[part] = min(best.get(part, float("inf")), time.process_time() - start)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="archive size (run.py's archive: _work/<N>/)")
    ap.add_argument("--repeat", type=int, default=3, help="builds; the fastest of each part is printed")
    ap.add_argument("--alone", action="store_true", help="then each part of the exports alone, in a loop")
    ap.add_argument("--batch", type=int, default=article_pages.EXPORTS_BATCH,
                    help="reports whose pages, then exports' parts, are made in turn (1: each report's at once)")
    args = ap.parse_args()
    article_pages.EXPORTS_BATCH = args.batch
    root = ensure_archive(args.articles, 1)
    best = dict.fromkeys(PARTS, float("inf"))
    for run in range(args.repeat + args.alone):
        spent, faults, kept = dict.fromkeys(PARTS, 0.0), dict.fromkeys(PARTS, 0), [] if run == args.repeat else None
        article_pages._article_page, article_pages._exports_part = _timed_parts(spent, faults, kept)
        with tempfile.TemporaryDirectory() as tmp:
            assert pipeline.build_site(root, out=Path(tmp) / "out", workers=1).ok
        if kept is None:
            best, faulted = {k: min(best[k], spent[k]) for k in PARTS}, faults
    n = args.articles
    alone = _alone(kept, args.repeat) if args.alone else {}
    for part in PARTS:
        line = f"{part:16s} {best[part]:7.3f} s CPU  {best[part] * 1e6 / n:6.0f} µs a report"
        line += f"  {faulted[part] / n:5.2f} page faults a report (last timed build)"
        if part in alone:
            line += f"  alone: {alone[part] * 1e6 / n:6.1f} µs"
        print(line)
    extra = sum(best[p] for p in PARTS[2:])
    print(f"exports' part    {extra:7.3f} s CPU  {extra * 1e6 / n:6.0f} µs a report"
          f" ({extra / sum(best.values()):.0%} of the task)")
    if alone:
        print(f"the same parts alone (the spool left out): {sum(alone.values()) * 1e6 / n:.0f} µs a report,"
              f" against {sum(best[p] for p in alone) * 1e6 / n:.0f} µs in the task")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
