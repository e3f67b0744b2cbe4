"""Cost stays linear: what an article page's task sends back to the build process does not grow with the
archive (counts and sizes, never timings)."""
from __future__ import annotations

import pickle

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
