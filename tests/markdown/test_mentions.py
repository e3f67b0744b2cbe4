"""dossier/markdown/mentions.py: entity names in running text become quiet links."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file
from selectolax.lexbor import LexborHTMLParser

from dossier.markdown import mentions

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("line,title,input,expected", read_fixture_file(FIXTURES / "mentions.md"))
def test_fixture(harness, line, title, input, expected):
    html, _env = harness.render(input)
    assert html == expected, f"fixtures/mentions.md:{line}: {title}"


def links(html):
    return [(a.text(), a.attributes["href"]) for a in LexborHTMLParser(html).css("a.m")]


def test_softbreak_inside_a_name_links_the_whole_name(harness):
    html, env = harness.render("the Metropolitan\nPolice Federation said")
    assert links(html) == [("Metropolitan\nPolice Federation", "/entities/metropolitan-police-federation/")]
    assert [m.entity for m in env["mentions"]] == ["metropolitan-police-federation"]


def test_softbreak_inside_a_name_is_one_mention(harness):
    html, env = harness.render("Sir Mark\nRowley spoke.")
    assert links(html) == [("Sir Mark\nRowley", "/entities/mark-rowley/")]
    assert len(env["mentions"]) == 1


def test_softbreak_between_names_keeps_the_line_break(harness):
    html, env = harness.render("Rowley\nBraverman")
    assert html.count("\n") == 2  # the soft break survives between the two links
    assert links(html) == [("Rowley", "/entities/mark-rowley/"), ("Braverman", "/entities/suella-braverman/")]


def test_link_first(harness):
    text = "Rowley spoke. Braverman listened.\n\nRowley again, and Sir Mark Rowley, and Braverman.\n"
    html, env = harness.render(text, link_first=True)
    assert links(html) == [("Rowley", "/entities/mark-rowley/"), ("Braverman", "/entities/suella-braverman/")]
    # Every mention is still recorded for the entity pages.
    assert [m.entity for m in env["mentions"]] == ["mark-rowley", "suella-braverman", "mark-rowley",
                                                   "mark-rowley", "suella-braverman"]
    html_all, _ = harness.render(text)
    assert len(links(html_all)) == 5


def test_an_entity_page_does_not_link_to_itself(harness):
    html, env = harness.render("Rowley met Braverman.", self_slug="mark-rowley")
    assert links(html) == [("Braverman", "/entities/suella-braverman/")]
    assert [m.entity for m in env["mentions"]] == ["suella-braverman"]


def test_mentions_carry_their_sentence(harness):
    text = "The review began. Later, Sir Mark Rowley wrote to *Braverman* about it! Nothing else."
    _html, env = harness.render(text)
    got = [(m.entity, m.sentence, m.sentence[m.start:m.end], m.source) for m in env["mentions"]]
    sentence = "Later, Sir Mark Rowley wrote to Braverman about it!"
    assert got == [("mark-rowley", sentence, "Sir Mark Rowley", "content/articles/sky-army.md"),
                   ("suella-braverman", sentence, "Braverman", "content/articles/sky-army.md")]


def test_sentence_spans_soft_breaks_as_spaces(harness):
    _html, env = harness.render("It was said\nthat Rowley wrote.")
    [m] = env["mentions"]
    assert m.sentence == "It was said that Rowley wrote." and m.sentence[m.start:m.end] == "Rowley"


def test_no_mentions_in_headings_links_code_images(harness):
    text = "# Rowley\n\n[Rowley](https://x.org) `Rowley` ![Rowley](r.png)\n\n```\nRowley\n```\n"
    html, env = harness.render(text)
    assert links(html) == [] and env["mentions"] == []


def test_no_site_no_links(harness):
    html, env = harness.render("Rowley spoke.", site=False)
    assert html == "<p>Rowley spoke.</p>\n"


def test_long_sentence_is_clipped_around_the_mention(harness):
    text = " ".join(["word"] * 200) + " Rowley " + " ".join(["more"] * 200) + "."
    _html, env = harness.render(text)
    [m] = env["mentions"]
    assert m.sentence[m.start:m.end] == "Rowley"
    assert len(m.sentence) <= 330 and m.sentence.startswith("…") and m.sentence.endswith("…")


@pytest.mark.parametrize("how,links", [({}, 3), ({"link_first": True}, 1),
                                       ({"link_first": True, "link_per_block": True}, 2)])
def test_mention_density(harness, how, links):
    html, env = harness.render("Rowley spoke. Rowley again.\n\nRowley later.", **how)
    assert html.count('class="m"') == links
    assert len(env["mentions"]) == 3  # every mention is listed on the entity page, linked or not


def test_blocks_get_ids_and_mentions_know_their_block(harness):
    html, env = harness.render("Rowley spoke.\n\n> quoted\n\n- Braverman", block_ids=True)
    assert '<p id="par-1">' in html and "<blockquote>" in html and '<ul id="par-3">' in html  # blocks with a name
    assert [(m.entity, m.block) for m in env["mentions"]] == [("mark-rowley", 1), ("suella-braverman", 3)]
    plain, _ = harness.render("Rowley spoke.")
    assert "id=" not in plain  # only an article's body gets them


def test_tokens_made_without_the_dataclass_constructor_equal_its_own():
    """``env.token`` (mentions.py's links, plain.py's paragraphs) sets the fields of markdown-it's Token
    directly (a third of the constructor's cost); the tokens equal the constructor's, field for field,
    and are independent of each other."""
    from dataclasses import fields

    from markdown_it.token import Token

    from dossier.markdown import env

    assert tuple(f.name for f in fields(Token)) == env._TOKEN_FIELDS  # else token is the constructor
    cases = [(("text", "", 0, 2, "Mirel Tash"), {}),
             (("softbreak", "br", 0, 1), {}),
             (("link_open", "a", 1, 1), {"attrs": {"id": "m-3", "class": "m", "href": "/e/x/"}, "meta": {"mention": "x"}}),
             (("mention_close", "span", -1, 0), {}),
             (("paragraph_open", "p", 1, 0), {"map_": [2, 4], "block": True}),
             (("inline", "", 0, 1, "a"), {"map_": [2, 4], "block": True, "children": [Token("text", "", 0)]})]
    for args, kw in cases:
        type_, tag, nesting, level, *content = args
        made = env.token(*args, **kw)
        own = {("map" if k == "map_" else k): v for k, v in kw.items()}
        assert made == Token(type_, tag, nesting, level=level, content=content[0] if content else "", **own)
        assert made.attrs == kw.get("attrs", {}) and made.meta == kw.get("meta", {})
    one, two = env.token("text", "", 0, 0), env.token("text", "", 0, 0)
    one.attrs["x"] = "y"
    one.meta["z"] = 1
    assert two.attrs == {} and two.meta == {}


# Sentence marks, the closers that may follow one, whitespace of several kinds, words.
_SENTENCE_TEXT = st.text(alphabet=st.sampled_from(".!?\"”’'») \n\t\u00a0\u2028xY…;"), max_size=40)


@settings(max_examples=500, deadline=None)
@given(_SENTENCE_TEXT)
def test_sentence_ends_are_the_regular_expressions_matches(text):
    """``sentence_ends`` (each mark found with ``str.find``, the rest matched after it) gives the ends of
    ``_SENTENCE_END``'s matches, in order, on any mix of marks, closers and whitespace."""
    assert mentions.sentence_ends(text) == [m.end() for m in mentions._SENTENCE_END.finditer(text)]


def test_sentence_ends_of_prose():
    text = "He said “no.” Then: why? St. Mary (left!) stayed.\nDone!  Over?"
    assert mentions.sentence_ends(text) == [m.end() for m in mentions._SENTENCE_END.finditer(text)] == [14, 25, 29, 42, 50, 57]


def test_a_names_link_is_its_entitys_url_under_each_base_path():
    """The entities' escaped URLs are kept by base path (``_entity_hrefs``): a build under another base URL
    (the preview's, a test's) links to its own; a base path with a mark to escape is escaped; what is kept stays small."""
    from dossier.urls import Urls

    marked = [(0, 3, "ann", "m-1", True), (8, 11, "bob", "", True), (13, 16, "ann", "m-3", False)]
    text = "Ann met Bob. Ann"
    for base in ("/", "/sub/", "/a&b\"c/", "/sub/", "/"):
        env = {"urls": Urls(base)}
        href = base.replace("&", "&amp;").replace('"', "&quot;")
        assert mentions._html(text, marked, env) == (f'<a id="m-1" class="m" href="{href}entities/ann/">Ann</a> met '
                                                      f'<a class="m" href="{href}entities/bob/">Bob</a>. '
                                                      '<span id="m-3">Ann</span>')
    assert mentions._html("A<b & \"c\"", [(0, 1, "ann", "", True)], {"urls": Urls("/")}) == \
        '<a class="m" href="/entities/ann/">A</a>&lt;b &amp; &quot;c&quot;'
    for n in range(20):
        mentions._html(text, marked, {"urls": Urls(f"/{n}/")})
    assert len(mentions._HREFS) <= 8


def test_a_names_link_under_urls_of_another_kind_is_not_kept():
    class Odd:
        base_path = "/"
        calls = 0

        def of(self, kind, slug):
            Odd.calls += 1
            return f"/{kind}/{slug}/{Odd.calls}"

    env = {"urls": Odd()}
    assert mentions._html("Ann", [(0, 3, "ann", "", True)], env) == '<a class="m" href="/entity/ann/1">Ann</a>'
    assert mentions._html("Ann", [(0, 3, "ann", "", True)], env) == '<a class="m" href="/entity/ann/2">Ann</a>'
