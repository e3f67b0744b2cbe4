"""tests.helpers.vnu reports errors with file, line and message."""
from __future__ import annotations

import pytest

from tests.helpers import vnu


@pytest.fixture(autouse=True)
def _need_vnu():
    vnu.require()


def test_valid_document_has_no_errors(tmp_path):
    (tmp_path / "ok.html").write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>ok</title></head>'
        "<body><p>fine</p></body></html>\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("not html", encoding="utf-8")
    assert vnu.validate(tmp_path) == []


def test_errors_carry_location(tmp_path):
    bad = tmp_path / "sub" / "bad.html"
    bad.parent.mkdir()
    bad.write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>bad</title></head>\n'
        "<body>\n<p><div>block in p</div></p>\n<span id=x></span><span id=x></span>\n</body></html>\n",
        encoding="utf-8",
    )
    errors = vnu.validate([bad])
    assert errors, "expected the checker to find errors"
    assert all(e["url"] == str(bad) for e in errors)
    assert any(e["line"] == 5 and "x" in e["message"] for e in errors), errors
    line = vnu.format_error(errors[0], relative_to=tmp_path)
    assert line.startswith("sub/bad.html:")
