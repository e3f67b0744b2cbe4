"""What a build keeps in memory between its stages is compact (sizes and counts, never timings)."""
from __future__ import annotations

from dossier.emit import ArticleResult, MentionRows
from dossier.pipeline import Builder
from tests.conftest import REPO_ROOT


def _results(tmp_path) -> dict[str, ArticleResult]:
    """The seed archive built once; article slug -> what rendering it reported (the session's memo)."""
    builder = Builder(REPO_ROOT, tmp_path / "out", workers=1)
    assert builder.build().ok
    memo = builder.session._markdown
    return {path.split("/")[1]: facts for path, (_key, facts) in memo.items()
            if path.startswith("articles/") and isinstance(facts, ArticleResult)}


def test_mention_rows_wait_for_the_exports_packed(tmp_path):
    results = _results(tmp_path)
    assert len(results) >= 4
    csv = (tmp_path / "out" / "data" / "mentions.csv").read_bytes().decode("utf-8")
    rows = MentionRows(results)
    assert set(rows) == set(results) and len(rows) == len(results)
    assert "".join(rows[slug] for slug in sorted(rows)) == csv.split("\r\n", 1)[1]  # the file, after its header
    packed = sum(len(r.mention_rows) for r in results.values())
    text = sum(len(rows[slug].encode("utf-8")) for slug in rows)
    assert all(isinstance(r.mention_rows, bytes) for r in results.values())
    assert packed * 2 < text


def test_a_one_off_build_lets_go_of_what_only_a_next_build_reuses(tmp_path, tree):
    kept = Builder(REPO_ROOT, tmp_path / "kept", workers=1)
    once = Builder(REPO_ROOT, tmp_path / "once", workers=1)
    once.session.remembers = False  # as build_site makes it
    assert kept.build().ok and once.build().ok
    assert tree(tmp_path / "once") == tree(tmp_path / "kept")
    assert kept.session._scans and kept.session._shared.where and kept.session._loaded
    s = once.session
    assert not s._scans and not s._shared.where and not s._shared.keys and not s._loaded and s._coverage is None
