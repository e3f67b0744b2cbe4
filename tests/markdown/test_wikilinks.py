"""dossier/markdown/wikilinks.py: ``[[slug]]`` and ``[[slug|text]]``."""
from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("line,title,input,expected", read_fixture_file(FIXTURES / "wikilinks.md"))
def test_fixture(harness, line, title, input, expected):
    html, _env = harness.render(input)
    assert html == expected, f"fixtures/wikilinks.md:{line}: {title}"


def test_without_a_site_the_target_is_kept():
    from dossier.markdown import make_md, new_env

    env = new_env()
    html = make_md().render("[[some-slug]] and [[x|label]]", env)
    assert html == '<p><a class="wikilink" href="some-slug">some-slug</a> and <a class="wikilink" href="x">label</a></p>\n'
    assert env["errors"] == []


@pytest.mark.parametrize("text,line0,want", [
    ("Unknown [[nope]].\n", 0, [1]),
    ("Unknown [[nope]].\n", 9, [10]),
    ("Intro.\n\nSecond para line one\nand [[nope]] on line two.\n", 10, [14]),
    ("[[a-nope]] first\nthen [[b-nope]]\nand\n[[c-nope]]\n", 5, [6, 7, 9]),
    ("- item\n- another [[nope]]\n", 0, [2]),
    ("> quoted\n> and [[nope]]\n", 3, [5]),
    ("# Heading [[nope]]\n\ntext\n", 0, [1]),
    ("text with `code` and *em*\nthen [[nope]]\n", 0, [2]),
])
def test_unknown_target_reports_its_file_line(harness, text, line0, want):
    _html, env = harness.render(text, line0=line0)
    assert [e.line for e in env["errors"]] == want
    for msg in [e.message for e in env["errors"]]:
        assert msg.startswith("unknown wikilink target '[[") and "no article, entity or page has that slug" in msg


def test_unknown_target_message_names_the_slug(harness):
    _html, env = harness.render("see [[mark-rowly]]")
    [(line, msg)] = [(e.line, e.message) for e in env["errors"]]
    assert line == 1 and "'[[mark-rowly]]'" in msg


def test_known_targets_of_every_kind(harness):
    _html, env = harness.render("[[mark-rowley]] [[sky-army]] [[about]] [[daily]]")
    assert env["errors"] == []


@pytest.mark.parametrize("text,phrase", [
    ("[[sky-army#officers-stepback]]", "the report sky-army has no annotation with the permalink '#officers-stepback' "
                                       "(did you mean 'officers-step-back'?)"),
    ("[[sky-army#nothing-like-it]]", "(its annotations: officers-step-back)"),
    ("[[mark-rowley#x]]", "only a report's passages have permalinks ('#…'); link [[mark-rowley]] alone"),
    ("[[claim:officer-cont]]", "unknown claim in '[[claim:officer-cont]]': no annotation makes it (did you mean 'officer-count'?)"),
    ("[[claim:weather]]", "no annotation makes it (claims: officer-count)"),
])
def test_unknown_passages_and_claims_are_errors_with_a_suggestion(harness, text, phrase):
    html, env = harness.render("Intro.\n\nSee " + text + ".\n", line0=4)
    [err] = env["errors"]
    assert err.line == 7 and not err.warning and phrase in err.message, err
    assert '<span class="broken-link">' in html


@pytest.mark.parametrize("href,suggestion", [
    ("/claims/officer-count/", "write [[claim:officer-count]]"),
    ("/articles/sky-army/#ann-officers-step-back", "write [[sky-army#officers-step-back]]"),
    ("/entities/mark-rowley/", "write [[mark-rowley]]"),
    ("/about/", "write [[about]]"),
    ("/elsewhere/page.html", "or a full https:// address"),
])
def test_a_link_from_the_servers_root_is_a_warning_naming_the_wikilink(harness, href, suggestion):
    _html, env = harness.render(f"One.\n\nTwo\nsee [the page]({href}).\n", line0=2)
    [err] = env["errors"]
    assert err.warning and err.line == 6 and f"the link '{href}' starts at the web server's root" in err.message
    assert err.message.endswith(suggestion), err.message


def test_relative_and_absolute_links_are_left_alone(harness):
    _html, env = harness.render("[a](https://example.org/x) [b](../x/) [c](//cdn.example.org/) [d](#par-2)")
    assert env["errors"] == []


def test_wikilinked_entities_in_a_note_count_as_named(harness):
    from dossier.markdown import note_renderer

    [ann] = harness.annotations("> officers\n\nSee [[suella-braverman|the minister]] and Rowley.\n")
    _html, _errors, named = note_renderer(harness.md, harness.site, harness.urls)(ann)
    assert sorted(named) == ["mark-rowley", "suella-braverman"]
