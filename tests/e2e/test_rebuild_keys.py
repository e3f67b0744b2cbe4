"""What a cached rebuild keeps so as not to go over every report again: each report's keys for the open
data's fingerprints (``ArticleResult.data_keys``), made where its page is rendered."""
from __future__ import annotations

import dataclasses

import pytest

import dossier.exports
from dossier.exports import _articles_key, _packed_rows, report_data_keys, report_search_facts
from dossier.model import named
from dossier.pipeline import Builder, build_site
from tests.e2e.test_build_cache import EDITS, Archive


@pytest.fixture
def archive(tmp_path) -> Archive:
    a = Archive(tmp_path)
    a.cached()
    return a


OUTLET = lambda a: a.edit("content/entities/outlets/daily.md", "name: Daily Example", "name: Daily Renamed")  # noqa: E731
TITLE = lambda a: a.edit("content/articles/two.md", "title: ", "title: Retitled ")  # noqa: E731
KINDS = {**{k: EDITS[k] for k in ("article", "article-front-matter", "entity", "annotation", "add-article",
                                  "delete-article", "site.yaml", "nothing")}, "outlet": OUTLET, "title": TITLE}


@pytest.mark.parametrize("kind", KINDS)
def test_each_reports_data_keys_are_those_of_its_record_and_rows_after_an_edit(archive, kind):
    """Reused or made again, every report's keys are those of its record as loaded now, of the entities its
    mentions name and of its rows, and the output equals a cold build's."""
    KINDS[kind](archive)
    builder = Builder(archive.root, archive.out, workers=1, cache=True)
    assert builder.build().ok
    session = builder.session
    articles = {slug: hit[0] for slug, hit in session._heads.items()}
    reports = {path.split("/")[1]: hit[1] for path, hit in session._markdown.items() if path.startswith("articles/")}
    assert set(reports) == set(articles)
    for slug, res in reports.items():
        assert res.data_keys == report_data_keys(articles[slug], named(res.mentions), res.mention_rows), slug
    archive.expect_cold()


def _exports_of_a_cached_build(archive, monkeypatch, stage: str, kind: str):
    """What the exports' ``stage`` (a function of ``dossier.exports``) was given (``Built``) in a cached build
    after the edit ``kind``."""
    seen = []
    real = getattr(dossier.exports, stage)
    monkeypatch.setattr(dossier.exports, stage, lambda b, *rest: seen.append(b) or real(b, *rest))
    KINDS[kind](archive)
    archive.cached()
    (b,) = seen
    return b


@pytest.mark.parametrize("kind", ["article", "title", "outlet"])
def test_the_fingerprints_from_the_reports_keys_equal_those_made_from_their_inputs(archive, monkeypatch, kind):
    """``_articles_key`` and ``_packed_rows`` give the same digest from the reports' keys as from digesting each
    report's inputs in the build's process (a result without keys): the keys stand for those inputs."""
    b = _exports_of_a_cached_build(archive, monkeypatch, "opendata_files", kind)
    assert len(b.data_keys) == len(b.site.articles) > 1
    without = dataclasses.replace(b, data_keys={})
    names = {slug: set(ents) for slug, ents in b.mentions.items()}
    base = ("https://example.org/", "/")
    assert _articles_key(b, base, names) == _articles_key(without, base, names)
    assert _packed_rows(b) == _packed_rows(without)
    edited = dataclasses.replace(b, data_keys={**b.data_keys, "one": (b"x" * 16, b"y" * 16)})
    assert _articles_key(edited, base, names) != _articles_key(b, base, names)
    assert _packed_rows(edited) != _packed_rows(b)


def test_a_one_off_build_makes_no_data_keys(tmp_path, monkeypatch):
    """A build that keeps nothing for a next one (no cache) has no fingerprints to make: no keys either."""
    made = []
    real = dossier.exports.report_data_keys
    monkeypatch.setattr(dossier.exports, "report_data_keys", lambda *a: made.append(a) or real(*a))
    a = Archive(tmp_path)
    assert build_site(a.root, out=tmp_path / "cold", workers=1).ok
    assert made == []
    a.cached()
    assert len(made) == len(list((a.root / "content/articles").glob("*.md")))


@pytest.mark.parametrize("kind", KINDS)
def test_each_reports_search_facts_are_those_of_its_record_after_an_edit(archive, monkeypatch, kind):
    """Reused or made again, every report's search facts (entry key, size but its text's, filter values and
    check) are those of its record's head as the archive is now, and the output equals a cold build's."""
    b = _exports_of_a_cached_build(archive, monkeypatch, "search_files", kind)
    assert set(b.search_facts) == set(b.site.articles)
    for slug, facts in b.search_facts.items():
        head = dossier.exports.report_head(b.site, b.urls, slug)
        assert facts == report_search_facts(head, b.article_words[slug].key), slug
    archive.expect_cold()


def test_a_build_after_one_edit_checks_the_head_of_only_the_edited_report(archive, monkeypatch):
    """The reports' heads and checks are made where their pages are rendered: after one edit, the search index's
    update makes no report's head for its facts, and checks the edited report's only."""
    heads, checked = [], []
    real_heads, real_check = dossier.exports._heads, dossier.exports._check
    monkeypatch.setattr(dossier.exports, "_heads", lambda *a: heads.append(real_heads(*a)) or heads[-1])
    monkeypatch.setattr(dossier.exports, "_check", lambda head, key: checked.append(head.url) or real_check(head, key))
    EDITS["article"](archive)
    archive.cached()
    assert heads == [{}]
    assert set(checked) == {"/articles/one/"}
    archive.expect_cold()
