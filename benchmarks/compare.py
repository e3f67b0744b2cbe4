"""Dossier beside Hugo and the Python floor: the figures ``run.py`` prints after each size and at the end.

Every time compared here is a process's wall-clock time (interpreter start, imports, build, exit),
the same measure for all three. Dossier's figure for the comparison leaves out the work Hugo does
not do (the search index, the open data): those stages are printed on their own. Their part of the
render workers' time (each report's page read back, its words counted, its mention rows made; each
entity page's first words) is the stage ``exports in workers``: the articles stage's wall-clock time,
and the entity pages' pool's, shared out in proportion to the seconds the workers spent on each
(``dossier.article_pages.split_exports``). Beside that estimate, a
build without them (``bare.py``, unless ``run.py --no-bare``) measures what they really cost: the
difference of the two builds' wall-clock, whichever stage or process their work ran in.
"""
from __future__ import annotations

EXTRA = ("search index", "open data", "exports in workers")  # Dossier's stages with no counterpart in Hugo
TARGETS = "targets: ratio <= 1.0 at 1,000, <= 0.75 at 10,000; <= 1.3x the floor at 10,000"


def extra_seconds(run: dict) -> float:
    return sum(s for name, s in (run.get("timings") or {}).items() if name in EXTRA)


def figures(best: dict) -> dict:
    """The numbers of one size: seconds, ratios, memory (None where a run is missing)."""
    n = best["articles"]
    d, h, f, b = best.get("dossier"), best.get("hugo"), best.get("floor"), best.get("bare")
    row: dict = {"articles": n}
    if d and d.get("ok"):
        row["dossier"] = d["process_wall"]
        row["extra"] = extra_seconds(d) if d.get("timings") else None
        row["same_work"] = d["process_wall"] - (row["extra"] or 0.0)
        row["ms_article"] = (d.get("wall") or d["process_wall"]) * 1000 / n
        row["largest_mb"] = d.get("tree_max_peak_kb", 0) / 1024
        row["tree_mb"] = d.get("tree_peak_total_kb", 0) / 1024
    if d and d.get("ok") and b and b.get("ok"):
        row["bare"] = b["process_wall"]
        row["saved"] = d["process_wall"] - b["process_wall"]
    if h and h.get("returncode") == 0:
        row["hugo"] = h["process_wall"]
        row["hugo_mb"] = h.get("tree_max_peak_kb", 0) / 1024
    if f and f.get("ok"):
        row["floor"] = f["process_wall"]
    if "same_work" in row and "hugo" in row:
        row["ratio"] = row["same_work"] / row["hugo"]
    if "same_work" in row and "floor" in row:
        row["x_floor"] = row["same_work"] / row["floor"]
    return row


def _s(v: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if v is None else fmt.format(v)


def print_size(best: dict) -> None:
    r = figures(best)
    print(f"\n== Comparison at {r['articles']:,} articles (process wall-clock, cold) ==")
    if "dossier" in r:
        extra = "" if r["extra"] is None else f", of which search index + open data {r['extra']:.2f} s" \
            f" ({100 * r['extra'] / r['dossier']:.0f} %, limit 20 %)"
        print(f"Dossier:                   {r['dossier']:.2f} s{extra}")
        print(f"Dossier without them:      {r['same_work']:.2f} s  (the stage timings' estimate)")
    if "bare" in r:
        print(f"a build without them:      {r['bare']:.2f} s  (measured, bare.py): they cost {r['saved']:.2f} s"
              f" ({100 * r['saved'] / r['dossier']:.0f} % of the build)")
    print(f"Hugo:                      {_s(r.get('hugo'))} s" + ("" if "hugo" in r else "  (not measured)"))
    print(f"Dossier / Hugo:            {_s(r.get('ratio'))}")
    print(f"Python floor:              {_s(r.get('floor'))} s")
    print(f"Dossier / floor:           {_s(r.get('x_floor'))}")
    print(TARGETS)


def print_summary(results: list[dict]) -> None:
    rows = [figures(b) for b in results]
    print("\n== Summary (seconds are process wall-clock; 'same work' leaves out search index and open data) ==")
    head = ("articles", "Dossier", "search+data", "same work", "without (measured)", "Hugo", "ratio", "floor", "x floor",
            "ms/article", "largest MB", "tree MB", "Hugo MB")
    print(" | ".join(head))
    for r in rows:
        cells = [f"{r['articles']:,}", _s(r.get("dossier")), _s(r.get("extra")), _s(r.get("same_work")),
                 _s(r.get("bare")) + ("" if "saved" not in r else f" ({100 * r['saved'] / r['dossier']:.0f} %)"),
                 _s(r.get("hugo")), _s(r.get("ratio")), _s(r.get("floor")), _s(r.get("x_floor")),
                 _s(r.get("ms_article")), _s(r.get("largest_mb"), "{:.0f}"), _s(r.get("tree_mb"), "{:.0f}"),
                 _s(r.get("hugo_mb"), "{:.0f}")]
        print(" | ".join(cells))
    for a, b in zip(rows, rows[1:]):
        if a.get("ms_article") and b.get("ms_article"):
            change = 100 * (b["ms_article"] / a["ms_article"] - 1)
            print(f"per-article cost at {b['articles']:,} vs {a['articles']:,}: {b['ms_article']:.2f} vs "
                  f"{a['ms_article']:.2f} ms ({change:+.0f} %; linear within 15 % is the target)")
