"""A one-off build (``build_site``, ``dossier check``, ``build --no-cache``) makes no state for a next
build in its exports (no search State, no norm bounds, no fingerprints of the data files' inputs), and
its search index and data files are byte for byte a remembering build's, made in one process or with
the term files in a forked process."""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier import pool
from dossier.pipeline import Builder
from tests.helpers.bench_archive import generate
from tests.helpers.files import differences, tree


def _built(root: Path, out: Path, once: bool, workers: int) -> Builder:
    builder = Builder(root, out, workers=workers, once=once)
    assert builder.build().ok
    return builder


@pytest.mark.parametrize("workers", [1, 2])
def test_a_one_off_build_keeps_no_exports_state_and_writes_the_same_bytes(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(pool, "PARALLEL_MIN", 8)  # 40 reports: rendered in workers, the term files forked
    generate(tmp_path / "archive", 40, seed=11)
    once = _built(tmp_path / "archive", tmp_path / "once", True, workers)
    kept = _built(tmp_path / "archive", tmp_path / "kept", False, workers)
    assert once.session.exports.search is None
    assert all(fp is None for fp, _sizes in once.session.exports.data.values())
    assert kept.session.exports.search is not None and len(kept.session.exports.search.bounds) > 0
    assert all(isinstance(fp, str) for fp, _sizes in kept.session.exports.data.values())
    assert set(once.session.exports.data) == set(kept.session.exports.data) == {"passages", "entities", "articles",
                                                                                "mentions"}
    got, want = tree(tmp_path / "once"), tree(tmp_path / "kept")
    assert any(p.startswith("search/t/") for p in got) and "data/mentions.csv" in got
    assert differences(got, want) == []


def test_a_one_off_build_reads_each_reports_spooled_words_once_and_counts_each_other_record_once(tmp_path,
                                                                                                 monkeypatch):
    """The search index of a one-off build reads each report's words from the spool once (the average
    length is the spool's sum of the reports' lengths, not a first pass over them) and counts every other
    record once, as the postings are made; the same words a remembering build keeps, the same index."""
    from dossier import search, spool

    monkeypatch.setattr(pool, "PARALLEL_MIN", 8)
    generate(tmp_path / "archive", 40, seed=11)
    counted: list[str] = []
    read: list = []
    real_count, real_words = search._count, spool.Spool.words

    def count(rec):
        counted.append(rec.type)
        return real_count(rec)

    def words(self, piece):
        read.append(piece)
        return real_words(self, piece)

    monkeypatch.setattr(search, "_count", count)
    monkeypatch.setattr(spool.Spool, "words", words)
    _built(tmp_path / "archive", tmp_path / "once", True, 1)  # one process: every count and read is seen here
    once, counted[:] = list(counted), []
    kept = _built(tmp_path / "archive", tmp_path / "kept", False, 1)
    records = len(kept.session.exports.words)  # the remembering build keeps each record's words once
    assert len(read) == len(set(read)) == 40
    assert len(once) == records == len(counted) and once.count("Report") == counted.count("Report") == 40
    assert differences(tree(tmp_path / "once"), tree(tmp_path / "kept")) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_the_exports_read_no_entity_page_back_its_words_come_from_where_it_was_rendered(tmp_path, monkeypatch,
                                                                                        workers):
    """An entity page's first words (its search record) are taken where the page was rendered, from the
    page in hand: the exports never read its file back; they are the words of the page written."""
    from dossier import exports
    from dossier.pagetext import first_words

    monkeypatch.setattr(pool, "PARALLEL_MIN", 8)
    generate(tmp_path / "archive", 40, seed=11)
    read_back: list = []
    monkeypatch.setattr(exports, "first_words", lambda page, n: read_back.append(n) or first_words(page, n))
    builder = _built(tmp_path / "archive", tmp_path / "out", True, workers)
    assert read_back == []
    entity_pages = sorted((tmp_path / "out" / "entities").glob("*/index.html"))
    assert len(entity_pages) >= 8
    texts = builder.session.exports.texts
    for page in entity_pages:
        path = page.relative_to(tmp_path / "out").as_posix()
        assert texts[path][1] == " ".join(first_words(page.read_bytes(), exports.ENTITY_WORDS)) != ""
