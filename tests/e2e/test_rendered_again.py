"""What a rebuild renders again, edit by edit: a page is made again only when what it shows changed.

Listings, entity pages and other coverage show an article's front matter (``ArticleHead``), never
its text, so an edit of the text alone renders the article's own page again, plus the entity pages
that quote an edited sentence. Each case runs in the preview (one ``Builder`` kept in memory) and
as ``dossier build`` with the build cache (a new ``Builder`` each time, reading the cache from
disk), counts ``BuildResult.rendered``, and checks the output against a cold build, byte for byte.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier.pipeline import Builder, build_site
from dossier.render import DEFAULT_LAYOUTS
from tests.e2e.test_incremental import FILES, touch_later
from tests.helpers.files import differences, tree, write_files

ARTICLES = ("one", "two", "three", "four", "five")


def page(kind: str, slug: str) -> str:
    return f"{kind}/{slug}/index.html"


class Archive:
    def __init__(self, tmp: Path, how: str) -> None:
        self.tmp, self.how, self.colds = tmp, how, 0
        self.root = write_files(tmp / "archive", FILES)
        self.out = tmp / "out"
        self.preview = Builder(self.root, self.out, workers=1, preview=True) if how == "preview" else None
        self.changed: set[Path] = set()
        self.build()

    def build(self) -> frozenset:
        """Build as the preview or as a cached ``dossier build`` does; what was rendered again."""
        if self.preview is not None:
            result = self.preview.build(changed=None if not self.changed else self.changed)
            if result.ok and result.later is not None:
                result.later()
        else:
            result = Builder(self.root, self.out, workers=1, cache=True).build()
        assert result.ok, [str(e) for e in result.errors]
        self.changed = set()
        return result.rendered

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        self.write(rel, text.replace(old, new, 1))

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        existed = path.exists()
        write_files(self.root, {rel: text})
        if existed:
            touch_later(path)
        self.changed.add(path)

    def rebuild(self) -> frozenset:
        """Rebuild after the edits; assert the output equals a cold build's; the pages rendered again."""
        rendered = self.build()
        self.colds += 1
        cold = self.tmp / f"cold-{self.colds}"
        result = build_site(self.root, out=cold, workers=1)
        assert result.ok, [str(e) for e in result.errors]
        got, want = tree(self.out), tree(cold)
        assert differences(got, want) == []
        return rendered


@pytest.fixture(params=["preview", "cache"])
def archive(request, tmp_path) -> Archive:
    return Archive(tmp_path, request.param)


def test_nothing_changed_renders_nothing(archive):
    assert archive.rebuild() == frozenset()


def test_a_body_edit_renders_only_the_article_page(archive):
    """A new paragraph naming no one: listings, coverage and entity pages show nothing of it."""
    archive.edit("content/articles/four.md", "the Met said.\n", "the Met said.\n\nNo one else spoke to us.\n")
    assert archive.rebuild() == {page("articles", "four")}


def test_a_body_edit_of_a_quoted_sentence_renders_the_entity_pages_quoting_it(archive):
    """The Met's page quotes the sentence that names it (``highlight``): it shows the edit."""
    archive.edit("content/articles/four.md", "on Monday, the Met", "on Tuesday, the Met")
    assert archive.rebuild() == {page("articles", "four"), page("entities", "metropolitan-police")}


def test_a_body_edit_that_names_someone_new(archive):
    """Braverman's page lists the report now; the counts and co-occurrences that show it change too."""
    archive.edit("content/articles/four.md", "the Met said.\n", "the Met said.\n\nBraverman agreed.\n")
    rendered = archive.rebuild()
    assert {page("articles", "four"), page("entities", "suella-braverman"), "entities/index.html"} <= rendered
    assert page("articles", "five") not in rendered and page("entities", "home-office") not in rendered


@pytest.mark.parametrize("field, old, new", [
    ("title", "title: Four", "title: Four, retitled"),
    ("date", "published: 2023-09-25\nstory: s\n---\nOfficers", "published: 2023-09-20\nstory: s\n---\nOfficers"),
    ("outlet", "outlet: weekly\npublished: 2023-09-25", "outlet: daily\npublished: 2023-09-25"),
])
def test_a_front_matter_edit_renders_the_pages_that_list_the_article(archive, field, old, new):
    archive.edit("content/articles/four.md", old, new)
    rendered = archive.rebuild()
    # The home page, the outlets page and the Met's page list the report; "one" shows it in other coverage.
    listing = {page("articles", "four"), "index.html", "outlets/index.html", page("entities", "metropolitan-police"),
               page("articles", "one")}
    assert listing <= rendered, (field, listing - rendered)


def test_a_tag_edit_renders_the_tag_pages_and_listings(archive):
    archive.edit("content/articles/two.md", "tags: [army, police]", "tags: [police]")
    rendered = archive.rebuild()
    assert {page("articles", "two"), page("tags", "army"), page("tags", "police"), "tags/index.html",
            "index.html"} <= rendered
    assert page("articles", "five") not in rendered


def test_an_entity_notes_edit_renders_the_pages_that_show_the_entity(archive):
    """(Its name, aliases or description are read by every article's Markdown: then all are rendered.)"""
    archive.edit("content/entities/people/mark-rowley.md", "Leads the", "Heads the")
    rendered = archive.rebuild()
    # Its page and the reports naming it (a page's view holds the entity's record).
    assert {page("entities", "mark-rowley"), page("articles", "one"), page("articles", "two")} <= rendered
    assert not {page("articles", s) for s in ("three", "four", "five")} & rendered


def test_a_template_edit_renders_the_pages_that_use_it(archive):
    text = (DEFAULT_LAYOUTS / "article.html").read_text(encoding="utf-8")
    archive.write("layouts/article.html", text.replace("</article>", "<p>Edited theme.</p></article>", 1))
    assert archive.rebuild() == {page("articles", s) for s in ARTICLES}
