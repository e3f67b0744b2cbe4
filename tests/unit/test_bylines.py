"""dossier/bylines.py: a byline's names linked to person entities."""
from __future__ import annotations

import unicodedata

import pytest

from dossier.bylines import byline_parts, people_table
from dossier.model import Entity


def _ent(slug, name, type_="person", aliases=()):
    return Entity(slug=slug, name=name, type=type_, source=f"content/entities/{slug}.md", aliases=tuple(aliases))


ENTITIES = {e.slug: e for e in [
    _ent("sam-plover", "Sam Plover", aliases=["S. Plover"]),
    _ent("jose-diaz", unicodedata.normalize("NFD", "José Díaz")),
    _ent("jo-1", "Jo Bloggs"), _ent("jo-2", "Jo Bloggs Senior", aliases=["Jo  Bloggs "]),
    _ent("courier", "Courier", "outlet"),
]}
ALIASES = {"Sam Plover": "sam-plover", "S. Plover": "sam-plover", ENTITIES["jose-diaz"].name: "jose-diaz",
           "Jo Bloggs": "jo-1", "Jo Bloggs Senior": "jo-2", " Jo Bloggs": "jo-2", "Courier": "courier"}
PEOPLE = people_table(ALIASES, ENTITIES)


@pytest.mark.parametrize("byline,want", [
    ("Sam Plover", [("Sam Plover", "sam-plover")]),
    ("By S. Plover", [("By ", ""), ("S. Plover", "sam-plover")]),
    ("Sam Plover and Ann Other", [("Sam Plover", "sam-plover"), (" and ", ""), ("Ann Other", "")]),
    ("Ann Other, Sam Plover & José Díaz", [("Ann Other", ""), (", ", ""), ("Sam Plover", "sam-plover"), (" & ", ""),
                                           ("José Díaz", "jose-diaz")]),  # NFC here, NFD in the entity
    ("sam plover", [("sam plover", "")]),  # names are case-sensitive
    ("Jo Bloggs", [("Jo Bloggs", "")]),  # two people answer to it: neither is linked
    ("Courier", [("Courier", "")]),  # not a person
    ("News Room (Sam Plover's desk)", [("News Room ", ""), ("(Sam Plover's desk)", "")]),
])
def test_byline_parts(byline, want):
    got = byline_parts(byline, PEOPLE)
    assert [(unicodedata.normalize("NFC", t), s) for t, s in got] == [(unicodedata.normalize("NFC", t), s) for t, s in want]
    assert "".join(t for t, _s in got) == byline  # the byline as written
