"""Claims: the optional content/claims/<key>.md, the numbers behind the scale, claim rows."""
from __future__ import annotations

import datetime as dt

import pytest

from dossier.claimviews import claim_infos, number_in
from dossier.config import SiteConfig
from dossier.errors import ErrorList
from dossier.load import load_file
from dossier.model import Annotation, Article, Claim
from dossier.site import assemble


@pytest.mark.parametrize("value,number", [("Around 300", 300), ("2,595", 2595), ("Hundreds (of 2,500)", None),
                                          ("More than 100", 100), ("On standby", None), ("", None), ("1.5 m", 1.5)])
def test_number_in(value, number):
    assert number_in(value) == number


def _ann(slug, value, ident):
    return Annotation(article=slug, quote="q", note="n", note_line=2, line=1, source=f"content/annotations/{slug}.md",
                      id=ident, kind="discrepancy", claim="count", value=value)


def _art(slug, day):
    return Article(slug=slug, title=slug, outlet="daily", published=dt.date(2023, 9, day), body="", body_line=1,
                   source=f"content/articles/{slug}.md")


def test_rows_oldest_first_with_the_articles_words_and_a_scale_when_values_are_numbers():
    a, b = _art("a", 2), _art("b", 1)
    pairs = [(_ann("a", "around 300", "x"), a), (_ann("b", "2,500", "y"), b)]
    info, = claim_infos({"count": pairs}, {}, {("a", "x"): "about 300 officers"})
    assert [r.article.slug for r in info.rows] == ["b", "a"]
    assert [r.passage for r in info.rows] == ["q", "about 300 officers"]  # the typed quote only when unplaced
    assert info.scale == 2500 and [r.number for r in info.rows] == [2500, 300]
    assert info.title == "Count" and info.question == ""
    words, = claim_infos({"count": [(_ann("a", "on standby", "x"), a), (_ann("b", "2,500", "y"), b)]}, {}, {})
    assert words.scale == 0 and all(r.number is None for r in words.rows)  # one number is no scale


def test_a_claim_file_gives_title_question_and_summary(tmp_path):
    path = tmp_path / "content" / "claims" / "count.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: How many stepped back\nquestion: How many officers?\n---\nThey differ.\n",
                    encoding="utf-8")
    loaded = load_file(tmp_path, "claims", path)
    assert not loaded.errors
    claim, = loaded.records
    assert (claim.key, claim.title, claim.question, claim.summary, claim.summary_line) == (
        "count", "How many stepped back", "How many officers?", "They differ.\n", 5)
    info, = claim_infos({"count": [(_ann("a", "3", "x"), _art("a", 1))]}, {"count": claim}, {})
    assert (info.title, info.question) == ("How many stepped back", "How many officers?")


def test_claim_file_mistakes_are_located(tmp_path):
    path = tmp_path / "content" / "claims" / "count.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitel: x\n---\n", encoding="utf-8")
    loaded = load_file(tmp_path, "claims", path)
    assert [(e.path, e.line) for e in loaded.errors] == [("content/claims/count.md", 2)]
    assert "did you mean 'title'" in loaded.errors[0].message

    errors = ErrorList()
    assemble(SiteConfig.for_test(), [Claim(key="cuont", source="content/claims/cuont.md"), _ann("a", "3", "x")], errors)
    (err,) = [e for e in errors.items if e.path.startswith("content/claims/")]
    assert (err.path, err.line) == ("content/claims/cuont.md", 1)
    assert "no annotation makes the claim 'cuont'" in err.message and "count" in err.message
