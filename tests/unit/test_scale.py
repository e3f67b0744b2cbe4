"""Cost stays linear: what an article page's task sends back to the build process does not grow with the
archive (counts and sizes, never timings)."""
from __future__ import annotations

import cProfile
import pickle
import pstats

from dossier import article_pages, pipeline
from tests.helpers.bench_archive import generate


def _sent_back(root, out, monkeypatch) -> list[int]:
    """The pickled size of every report's part of the article tasks' results of a one-off build of ``root``
    (what a render worker sends the build process through the pool's pipe)."""
    real, sizes = article_pages.pool.run, []

    def run(task, items, state, workers, *args, **kwargs):
        got = real(task, items, state, workers, *args, **kwargs)
        if task is article_pages._render_articles_task:  # a batch of reports a task: each report's part
            sizes.extend(len(pickle.dumps(r, pickle.HIGHEST_PROTOCOL)) for batch in got for r in batch)
        return got

    monkeypatch.setattr(article_pages.pool, "run", run)
    assert pipeline.build_site(root, out=out, workers=1).ok
    return sizes


def test_an_article_tasks_result_is_as_large_in_a_large_archive_as_in_a_small_one(tmp_path, monkeypatch):
    mean = {}
    for n in (100, 400):
        generate(tmp_path / str(n), n, seed=3)
        sizes = _sent_back(tmp_path / str(n), tmp_path / f"out{n}", monkeypatch)
        assert len(sizes) == n
        mean[n] = sum(sizes) / n
    # a few kB a report (its mentions with their sentences, where its text waits in the spool), whatever
    # the archive holds besides: a result that carried anything of the archive's size would be 4 times larger
    assert mean[400] < 1.2 * mean[100]
    assert mean[400] < 4000


def _calls_by_stage(root, out, monkeypatch) -> dict[str, int]:
    """Python function calls of a one-off build of ``root`` in one process, stage by stage
    (``BuildResult.timings``' names; a stage named twice adds up)."""
    calls: dict[str, int] = {}
    prof = [cProfile.Profile()]
    real = pipeline.Clock.lap

    def lap(clock, name):
        prof[0].disable()
        calls[name] = calls.get(name, 0) + sum(v[1] for v in pstats.Stats(prof[0]).stats.values())
        real(clock, name)
        prof[0] = cProfile.Profile()
        prof[0].enable()

    monkeypatch.setattr(pipeline.Clock, "lap", lap)
    prof[0].enable()
    try:
        assert pipeline.build_site(root, out=out, workers=1).ok
    finally:
        prof[0].disable()
    return calls


def test_every_stage_costs_as_many_calls_an_article_added_in_a_larger_archive(tmp_path, monkeypatch):
    """What each further article costs a stage (calls, not time) is the same from 400 to 800 articles as
    from 200 to 400: work an article that grew with the archive (a loop over every entity, every article
    or every mention of a popular entity, for each report or each entity) would double it."""
    calls = {}
    for n in (200, 400, 800):
        generate(tmp_path / str(n), n, seed=3)
        if n == 200:  # what a process does once (patterns compiled, modules imported) paid before counting
            _calls_by_stage(tmp_path / str(n), tmp_path / "warm", monkeypatch)
        calls[n] = _calls_by_stage(tmp_path / str(n), tmp_path / f"out{n}", monkeypatch)
    assert {"load", "index", "passages", "articles", "entities", "open data", "search index"} <= set(calls[800])
    for stage in calls[800]:
        before = (calls[400][stage] - calls[200][stage]) / 200
        after = (calls[800][stage] - calls[400][stage]) / 400
        # A stage at under one call for 20 articles does no per-article work in Python (the write: its
        # manifest is encoded in C); a few calls more or less there are not growth.
        assert after < 1.1 * before or abs(after) < 0.05, (stage, before, after)
