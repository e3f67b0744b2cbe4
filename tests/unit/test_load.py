"""dossier/load.py: one source file -> records or located errors."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from dossier.load import content_files, kind_of, load_file
from tests.helpers.files import write_files
from dossier.model import Annotation, Article, Entity, Page

ARTICLE = """---
title: "Army on standby"
outlet: sky-news
published: 2023-09-24
date_note: Dated by its dateline.
url: https://news.example.org/a
byline: A. Reporter
story: met-2023
tags: [army, firearms, army]
---
First paragraph.

Second paragraph.
"""


def put(root: Path, rel: str, data: str | bytes) -> Path:
    return write_files(root, {rel: data}) / rel


def load(root: Path, kind: str, rel: str, data: str | bytes):
    return load_file(root, kind, put(root, rel, data))


def one_error(loaded):
    assert loaded.records == ()
    assert len(loaded.errors) == 1, loaded.errors
    return loaded.errors[0]


def test_article(tmp_path):
    got = load(tmp_path, "articles", "content/articles/sky-standby.md", ARTICLE)
    assert got.errors == () and got.source == "content/articles/sky-standby.md"
    [art] = got.records
    assert isinstance(art, Article)
    assert art.slug == "sky-standby" and art.title == "Army on standby" and art.outlet == "sky-news"
    assert art.published == dt.date(2023, 9, 24)
    assert art.date_note == "Dated by its dateline." and art.url == "https://news.example.org/a"
    assert art.byline == "A. Reporter" and art.story == "met-2023"
    assert art.tags == ("army", "firearms")  # duplicates dropped, order kept
    assert art.body == "First paragraph.\n\nSecond paragraph.\n"
    assert art.body_line == 11
    assert art.lines["outlet"] == 3 and art.lines["tags"] == 9
    assert art.source == "content/articles/sky-standby.md"


def test_article_slug_key_overrides_file_name(tmp_path):
    got = load(tmp_path, "articles", "content/articles/Some File.md",
               "---\ntitle: A\noutlet: o\npublished: 2023-01-01\nslug: good-slug\n---\n")
    assert got.records[0].slug == "good-slug"


def test_crlf_and_bom_are_accepted(tmp_path):
    text = "\ufeff---\r\ntitle: A\r\noutlet: o\r\npublished: 2023-01-01\r\n---\r\nBody\r\n"
    [art] = load(tmp_path, "articles", "content/articles/a.md", text).records
    assert art.body == "Body\n" and art.title == "A"


def test_entity(tmp_path):
    text = ('---\nname: Sir Mark Rowley\ntype: person\naliases: ["Rowley", "Sir Mark Rowley", "Sir Mark"]\n'
            'owns: [Rowley]\ndescription: Commissioner.\nsame_as: https://en.wikipedia.org/wiki/Mark_Rowley\n'
            'date: 2022-09-12\n---\nNotes here.\n')
    got = load(tmp_path, "entities", "content/entities/people/mark-rowley.md", text)
    assert got.errors == ()
    [ent] = got.records
    assert isinstance(ent, Entity)
    assert ent.slug == "mark-rowley" and ent.type == "person"
    assert ent.aliases == ("Rowley", "Sir Mark")  # the name itself is not an alias
    assert ent.names == ("Sir Mark Rowley", "Rowley", "Sir Mark")
    assert ent.owns == ("Rowley",)
    assert ent.same_as == ("https://en.wikipedia.org/wiki/Mark_Rowley",)
    assert ent.date == dt.date(2022, 9, 12)
    assert ent.notes == "Notes here.\n" and ent.notes_line == 10


def test_entity_unknown_type(tmp_path):
    err = one_error(load(tmp_path, "entities", "content/entities/x.md", "---\nname: X\n\ntype: band\n---\n"))
    assert err.line == 4 and "unknown entity type 'band'" in err.message


def test_entity_owns_must_be_an_alias(tmp_path):
    err = one_error(load(tmp_path, "entities", "content/entities/x.md",
                         "---\nname: X\ntype: person\naliases: [Y]\nowns: [Z]\n---\n"))
    assert err.line == 5 and "'owns' lists 'Z'" in err.message


def test_page(tmp_path):
    [page] = load(tmp_path, "pages", "content/pages/about.md", "---\ntitle: About\norder: 2\n---\nHi\n").records
    assert isinstance(page, Page)
    assert (page.slug, page.title, page.order, page.body, page.body_line) == ("about", "About", 2, "Hi\n", 5)


def test_annotations(tmp_path):
    text = ("> Around 300 officers\n\nA note on the count.\n\n"
            '{.discrepancy #count claim="officer-count" value="around 300" which=2}\n'
            "> stepped back\n\nSecond note.\n")
    got = load(tmp_path, "annotations", "content/annotations/sky-standby.md", text)
    assert got.errors == ()
    first, second = got.records
    assert isinstance(first, Annotation)
    assert (first.article, first.quote, first.kind, first.line) == ("sky-standby", "Around 300 officers", "note", 1)
    assert first.note == "A note on the count." and first.note_line == 3
    assert first.id == "around-300-officers"
    assert (second.kind, second.id, second.claim, second.value, second.which) == \
        ("discrepancy", "count", "officer-count", "around 300", 2)
    assert second.line == 6 and second.note_line == 8


@pytest.mark.parametrize("attrs,line,phrase", [
    ("{.gossip}", 3, "unknown annotation kind '.gossip'"),
    ("{which=0}", 3, "'which' must be a number from 1"),
    ('{claim="Not A Slug"}', 3, "'claim' must be a slug"),
    ("{colour=red}", 3, "unknown annotation attribute 'colour'"),
])
def test_annotation_attribute_errors(tmp_path, attrs, line, phrase):
    text = f"> fine quote\n\nnote\n{attrs}\n> other\n\nnote\n".replace("\n{", "\n\n{", 1)
    # attribute line is on line 5 after the blank line we inserted
    got = load(tmp_path, "annotations", "content/annotations/a.md", text)
    errs = [e for e in got.errors]
    assert len(errs) == 1, errs
    assert errs[0].line == 5 and phrase in errs[0].message
    assert [a.quote for a in got.records] == ["fine quote"]


def test_two_annotations_on_one_passage_get_distinct_permalinks(tmp_path):
    got = load(tmp_path, "annotations", "content/annotations/a.md", "> same words\n\none\n\n{.correction}\n> same words\n\ntwo\n")
    assert not got.errors
    assert [a.id for a in got.records] == ["same-words", "same-words-correction"]


def test_explicit_annotation_ids_must_be_unique(tmp_path):
    got = load(tmp_path, "annotations", "content/annotations/a.md", "{#x}\n> same words\n\none\n\n{#x}\n> other\n\ntwo\n")
    [err] = got.errors
    assert err.line == 6 and "two annotations have the id '#x'" in err.message and "line 2" in err.message


def test_annotation_file_without_quotes(tmp_path):
    err = one_error(load(tmp_path, "annotations", "content/annotations/a.md", "Just a note\n"))
    assert err.line == 1 and "no annotation found" in err.message


@pytest.mark.parametrize("key", ["title", "outlet", "published"])
def test_missing_required_key(tmp_path, key):
    fields = {"title": "title: A", "outlet": "outlet: o", "published": "published: 2023-01-01"}
    del fields[key]
    err = one_error(load(tmp_path, "articles", "content/articles/a.md", "---\n" + "\n".join(fields.values()) + "\n---\n"))
    assert err.path == "content/articles/a.md"
    assert f"missing required key '{key}'" in err.message


def test_unknown_key_with_line(tmp_path):
    err = one_error(load(tmp_path, "articles", "content/articles/a.md",
                         "---\ntitle: A\noutlet: o\npublished: 2023-01-01\nauthor: Someone\n---\n"))
    assert (err.line, str(err)) == (5, err.path + ":5: " + err.message)
    assert "unknown key 'author' in article front matter" in err.message
    assert "byline" in err.message  # known keys are listed


@pytest.mark.parametrize("value", [
    "2023-13-01", "2023-02-30",
    "yesterday", "25/09/2023", "2023", "September 25, 2023"])
def test_bad_date(tmp_path, value):
    err = one_error(load(tmp_path, "articles", "content/articles/a.md",
                         f"---\ntitle: A\noutlet: o\npublished: {value}\n---\n"))
    assert err.line == 4 and "'published' must be a date written YYYY-MM-DD" in err.message


def test_datetime_becomes_date(tmp_path):
    [art] = load(tmp_path, "articles", "content/articles/a.md",
                 "---\ntitle: A\noutlet: o\npublished: 2023-09-25 10:30:00\n---\n").records
    assert art.published == dt.date(2023, 9, 25)


@pytest.mark.parametrize("line,value,phrase", [
    ("url: not-a-url", None, "'url' must be an http(s) URL"),
    ("tags: [ok, Not OK]", None, "every item of 'tags' must be a slug"),
    ("tags: {a: 1}", None, "'tags' must be a list"),
    ('title: ""', None, "'title' is empty"),
])
def test_wrong_value_types(tmp_path, line, value, phrase):
    key = line.split(":")[0]
    base = {"title": "title: A", "outlet": "outlet: o", "published": "published: 2023-01-01"}
    base[key] = line
    text = "---\n" + "\n".join(base.values()) + "\n---\n"
    err = one_error(load(tmp_path, "articles", "content/articles/a.md", text))
    assert phrase in err.message
    assert err.line == list(base).index(key) + 2


def test_non_utf8_file(tmp_path):
    err = one_error(load(tmp_path, "articles", "content/articles/a.md",
                         b"---\ntitle: Caf\xe9\noutlet: o\npublished: 2023-01-01\n---\n"))
    assert str(err).startswith("content/articles/a.md:1: not valid UTF-8")


def test_slug_escaping_the_folder(tmp_path):
    err = one_error(load(tmp_path, "articles", "content/articles/a.md",
                         '---\ntitle: A\noutlet: o\npublished: 2023-01-01\nslug: "../x"\n---\n'))
    assert err.line == 5
    assert "would write outside" in err.message


@pytest.mark.parametrize("name", ["Bad Name.md", "UPPER.md", "under_score.md", "-lead.md"])
def test_invalid_file_name(tmp_path, name):
    err = one_error(load(tmp_path, "articles", f"content/articles/{name}",
                         "---\ntitle: A\noutlet: o\npublished: 2023-01-01\n---\n"))
    assert err.line == 1 and f"file name '{name}' does not make a slug" in err.message


@pytest.mark.parametrize("slug", ["articles", "entities", "assets", "claims", "search", "data"])
def test_page_slug_reserved(tmp_path, slug):
    err = one_error(load(tmp_path, "pages", f"content/pages/{slug}.md", "---\ntitle: X\n---\n"))
    assert f"page slug '{slug}' is taken" in err.message


def test_annotation_file_name_must_be_a_slug(tmp_path):
    err = one_error(load(tmp_path, "annotations", "content/annotations/Bad Name.md", "> q\n\nn\n"))
    assert "must be an article slug" in err.message


def test_front_matter_error_is_located(tmp_path):
    err = one_error(load(tmp_path, "articles", "content/articles/a.md", "---\ntitle: A\ntitle: B\n---\n"))
    assert (err.line, err.path) == (3, "content/articles/a.md")


def test_content_files_order_and_kind_of(tmp_path):
    for rel in ["content/articles/b.md", "content/articles/a.md", "content/entities/people/p.md",
                "content/entities/o.md", "content/pages/about.md", "content/annotations/a.md",
                "content/articles/.hidden.md", "content/articles/notes.txt", "content/articles/sub/x.md"]:
        put(tmp_path, rel, "x")
    got = [(k, p.relative_to(tmp_path).as_posix()) for k, p in content_files(tmp_path)]
    assert got == [("articles", "content/articles/a.md"), ("articles", "content/articles/b.md"),
                   ("entities", "content/entities/o.md"), ("entities", "content/entities/people/p.md"),
                   ("pages", "content/pages/about.md"), ("annotations", "content/annotations/a.md")]
    assert kind_of(tmp_path, tmp_path / "content/entities/people/p.md") == "entities"
    assert kind_of(tmp_path, tmp_path / "content/articles/sub/x.md") is None
    assert kind_of(tmp_path, tmp_path / "content/articles/.a.md.swp") is None
    assert kind_of(tmp_path, tmp_path / "layouts/base.html") is None


_CHARS = st.sampled_from(["a", " ", "\n", "\t", "\r", "\r\n", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\xa0",
                          "£", "é", "’", "—", "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\ufeff", "\uf8ff", "\U0001f600",
                          "\U0001fffe", "\U0010ffff", "\u202e"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_CHARS, max_size=12).map("".join))
def test_a_body_is_refused_for_a_control_character_exactly_when_the_search_finds_one(tmp_path_factory, body):
    """The byte-level check that lets most files skip CONTROL's search never lets one through."""
    from dossier.frontmatter import CONTROL, bad_character, normalize_newlines

    root = tmp_path_factory.mktemp("a")
    data = ("---\ntitle: T\noutlet: daily\npublished: 2023-09-25\n---\n" + body).encode("utf-8")
    loaded = load_file(root, "articles", put(root, "content/articles/report.md", data), data)
    text = normalize_newlines(data.decode("utf-8").lstrip("\ufeff"))
    bad = CONTROL.search(text)
    want = [] if bad is None else [(text.count("\n", 0, bad.start()) + 1, f"{bad_character(bad.group())} in the text; remove it")]
    assert [(e.line, e.message) for e in loaded.errors if "in the text" in e.message] == want


@pytest.mark.parametrize("size", [0, 1, 4095, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, 3 * (1 << 16) + 7])
def test_read_file_gives_the_bytes_read_bytes_gives(tmp_path, size):
    from dossier.session import read_file

    path = tmp_path / "f.md"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    assert read_file(path) == read_file(str(path)) == path.read_bytes() and len(read_file(path)) == size
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "gone.md")


@pytest.mark.parametrize("root, path", [
    ("/a/archive", "/a/archive/content/articles/x.md"), ("/a/archive", "/a/archive"),
    ("/a/archive", "/a/archive-2/content/x.md"), ("/a/archive", "/a/arch/x.md"), ("/a/archive", "/b/x.md"),
    ("/", "/a/x.md"), ("archive", "archive/content/x.md"), (".", "content/x.md"), ("/a/archive", "/a/archive/x"),
])
def test_error_paths_are_the_paths_relative_to_the_root(root, path):
    """``ErrorList.rel`` of a path under the root is its string's tail, as ``relative_to`` gives it."""
    from dossier.errors import ErrorList

    errors = ErrorList(Path(root))
    try:
        want = Path(path).relative_to(Path(root)).as_posix()
    except ValueError:
        want = None
    got = errors.rel(Path(path))
    assert got == errors.rel(path)
    if want is not None:
        assert got == want
