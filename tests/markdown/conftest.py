"""A tiny in-memory Site and helpers for the Markdown plugin tests."""
from __future__ import annotations

import datetime as dt

import pytest

from dossier.config import SiteConfig
from dossier.errors import ErrorList
from dossier.markdown import make_md, new_env, note_renderer
from dossier.markdown.annotations import parse_annotations
from dossier.model import Annotation, Article, Entity, Page
from dossier.site import assemble
from dossier.urls import Urls

ANNOTATIONS_SEPARATOR = "@@ annotations\n"


def _entity(slug, name, type_="person", aliases=(), description=""):
    return Entity(slug=slug, name=name, type=type_, source=f"content/entities/{slug}.md", aliases=tuple(aliases),
                  description=description)


def tiny_site(**config):
    records = [
        _entity("daily", "Daily Example", "outlet"),
        _entity("mark-rowley", "Sir Mark Rowley", aliases=["Rowley", "Sir Mark"]),
        _entity("metropolitan-police", "Metropolitan Police", "organisation", aliases=["Met", "Met Police"]),
        _entity("metropolitan-police-federation", "Metropolitan Police Federation", "organisation"),
        _entity("suella-braverman", "Suella Braverman", aliases=["Braverman"], description="Home Secretary"),
        Article(slug="sky-army", title="Army on standby", outlet="daily", published=dt.date(2023, 9, 24),
                body="", body_line=6, source="content/articles/sky-army.md"),
        Annotation(article="sky-army", quote="officers step back", note="N.", note_line=3, line=1,
                   source="content/annotations/sky-army.md", id="officers-step-back", claim="officer-count"),
        Page(slug="about", title="About this archive", body="", body_line=4, source="content/pages/about.md"),
    ]
    errors = ErrorList()
    site = assemble(SiteConfig.for_test(**config), records, errors)
    assert not errors.items, errors.items
    return site


class Harness:
    def __init__(self):
        self.md = make_md()
        self.site = tiny_site()
        self.urls = Urls("/", "")

    def env(self, *, site=True, line0=0, annotations=(), collect=True, renderer=True, **kw):
        """``renderer=False``: notes are not rendered (marks.py gets no ``render_note``)."""
        return new_env(self.site if site else None, self.urls, source="content/articles/sky-army.md", line0=line0,
                       collect=collect, annotations=annotations,
                       render_note=note_renderer(self.md, self.site, self.urls) if renderer else None, **kw)

    def render(self, text, **kw):
        env = self.env(**kw)
        return self.md.render(text, env), env

    def annotations(self, text, source="content/annotations/sky-army.md"):
        errors = ErrorList()
        anns = parse_annotations(text, source, "sky-army", errors)
        assert not errors.items, errors.items
        return anns

    def render_with_annotations(self, text, **kw):
        """``body`` alone, or ``body + '@@ annotations' line + annotation file``."""
        body, _, ann_text = text.partition(ANNOTATIONS_SEPARATOR)
        anns = self.annotations(ann_text) if ann_text.strip() else ()
        return self.render(body, annotations=anns, **kw)


@pytest.fixture(scope="module")
def harness():
    return Harness()
