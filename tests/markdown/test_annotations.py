"""dossier/markdown/annotations.py: an annotation file -> Annotation records or located errors.

Fixture cases: the input is an annotation file; the expected block lists one
line per record (``line:kind#id which claim=value | quote | note_line: note``)
and one per error (``error LINE: message``).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from dossier.errors import ErrorList
from dossier.markdown.annotations import parse_annotations, parse_attrs

FIXTURES = Path(__file__).parent / "fixtures"


def dump(text: str) -> str:
    errors = ErrorList()
    anns = parse_annotations(text, "content/annotations/a.md", "a", errors)
    out = []
    for a in anns:
        extra = (f" which={a.which}" if a.which else "") + (f" claim={a.claim}" if a.claim else "") \
            + (f" value={a.value}" if a.value else "")
        out.append(f"{a.line}:{a.kind}#{a.id}{extra} | {a.quote} | {a.note_line}: {a.note!r}")
        assert a.article == "a" and a.source == "content/annotations/a.md"
    out += [f"error {e.line}: {e.message}" for e in errors.items]
    return "".join(line + "\n" for line in out)


@pytest.mark.parametrize("line,title,input,expected", read_fixture_file(FIXTURES / "annotations.md"))
def test_fixture(line, title, input, expected):
    assert dump(input) == expected, f"fixtures/annotations.md:{line}: {title}"


@pytest.mark.parametrize("text,want", [
    ("#id .note", {"id": "id", "kind": "note"}),
    ('claim="a-b" value="around 300" which=2', {"claim": "a-b", "value": "around 300", "which": "2"}),
    ("", {}),
])
def test_parse_attrs(text, want):
    assert parse_attrs(text) == (want, None)


@pytest.mark.parametrize("text,phrase", [
    (".note .context", "an annotation has one kind"),
    ("bogus=1", "unknown annotation attribute 'bogus'"),
    ("!!", "cannot read the attribute list at '!!'"),
])
def test_parse_attrs_errors(text, phrase):
    _attrs, msg = parse_attrs(text)
    assert phrase in msg
