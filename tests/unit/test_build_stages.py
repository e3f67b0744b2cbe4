"""Each stage's timing holds its own work: the exports' files are written inside their stages."""
from __future__ import annotations

from dossier import article_pages, pipeline, write
from dossier.pipeline import build_site
from tests.conftest import REPO_ROOT


def test_the_search_index_and_data_files_are_written_within_their_own_stages(monkeypatch, tmp_path):
    events = []
    real_lap, real_target = pipeline.Clock.lap, write.Staging._target
    monkeypatch.setattr(pipeline.Clock, "lap", lambda self, name: events.append(("lap", name)) or real_lap(self, name))
    # Every staged file's path goes through ``_target`` (put, write, put_pieces) as it is opened.
    monkeypatch.setattr(write.Staging, "_target", lambda self, path: events.append(("put", path))
                        or real_target(self, path))
    assert build_site(REPO_ROOT, out=tmp_path / "out", workers=1).ok
    next_lap = {}
    pending = []
    for kind, what in events:
        if kind == "put":
            pending.append(what)
        else:
            next_lap.update((path, what) for path in pending)
            pending = []
    search = {p: s for p, s in next_lap.items() if p.startswith("search/")}
    data = {p: s for p, s in next_lap.items() if p.startswith("data/")}
    assert len(search) > 10 and set(search.values()) == {"search index"}
    assert len(data) >= 3 and set(data.values()) == {"open data"}
    assert next_lap["articles/metro-army-stood-down/index.html"] == "articles"


def test_the_workers_share_for_search_and_data_is_its_own_stage(tmp_path):
    result = build_site(REPO_ROOT, out=tmp_path / "out", workers=1)
    assert result.ok
    share = result.timings[article_pages.EXPORTS_IN_WORKERS]
    assert 0 < share < result.timings["articles"] + share
    assert sum(result.timings.values()) <= result.seconds  # moved from 'articles', not counted twice


def test_split_exports_shares_the_articles_stage_in_proportion():
    clock = pipeline.Clock()
    clock.timings["articles"] = 10.0
    article_pages.split_exports(clock, [3.0, 1.0])
    assert clock.timings == {"articles": 7.5, article_pages.EXPORTS_IN_WORKERS: 2.5}
    article_pages.split_exports(clock, [1.0, 0.0])  # nothing rendered: nothing moved
    assert clock.timings == {"articles": 7.5, article_pages.EXPORTS_IN_WORKERS: 2.5}


def test_split_exports_shares_another_stage_by_its_tasks_wall_clock():
    """The entity pages' stage holds the index's and the listings' work too: only the pool's wall-clock is shared."""
    clock = pipeline.Clock()
    clock.timings["entities"] = 4.0
    article_pages.split_exports(clock, [3.0, 1.0, 2.0], "entities")
    assert clock.timings == {"entities": 3.5, article_pages.EXPORTS_IN_WORKERS: 0.5}


def test_the_entity_pages_first_words_are_the_exports_share_of_their_stage(monkeypatch, tmp_path):
    calls = []
    real = pipeline.split_exports

    def split_exports(clock, split, stage="articles"):
        calls.append((stage, list(split), clock.timings.get(stage)))
        real(clock, split, stage)

    monkeypatch.setattr(pipeline, "split_exports", split_exports)
    result = build_site(REPO_ROOT, out=tmp_path / "out", workers=1)
    assert result.ok
    (pages, words, wall), before = next((split, before) for stage, split, before in calls if stage == "entities")
    assert pages > 0 and words > 0 and 0 < wall <= before
    assert abs(result.timings["entities"] - (before - wall * words / (pages + words))) < 1e-9
    assert sum(result.timings.values()) <= result.seconds  # moved, not counted twice
