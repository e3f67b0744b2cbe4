"""dossier/markdown/plain.py: plain prose's tokens made directly are markdown-it's, byte for byte;
mentions.py's runs of text with names as one token of HTML render as their tokens do; and
``dossier.markdown.render`` (plain prose with no annotation written without markdown-it's other core
rules and renderer) gives ``md.render``'s HTML and leaves the same ``env``.

The fast path either declines a text or gives what markdown-it's block and inline parsers give:
the same tokens, the same HTML, the same mentions, marks and errors; names linked as HTML give the
HTML, mentions and marks of names linked with tokens. Held to that on texts made of
Markdown's special characters, line starts, blank and whitespace-only lines, indentation, entity
names and annotation quotes (a differential property test), and on every Markdown file of the
repository.
"""
from __future__ import annotations

import random
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.rules_core import block, inline

from dossier.markdown import make_md, mentions, plain, render
from dossier.pagetext import read_body, read_page

ROOT = Path(__file__).resolve().parents[2]

NAMES = ["Sir Mark Rowley", "Rowley", "Sir Mark", "Braverman", "Suella Braverman", "Met", "Met Police",
         "Metropolitan Police", "Metropolitan Police Federation", "Daily Example"]
QUOTE = "officers step back"
WORDS = ["the", "officers", "step", "back", "said", "police", "a", "Q", "2023", "3.5", "1.", "2)", "it's", "x!",
         "^", "?", "—", "é", "e\u0301", "\u200b"]
SPECIAL = list("\\`*_[]!^<>&#+-=~|:.()\"'{}$%@/0123456789") + ["  ", "\t", "\xa0", "\u2028", "\u3000", "\u2003",
                                                                "\r", "\0", "\v", "\f", "\x1c", "[[", "[^1]", "&amp;",
                                                                "<https://a.b>", "**", "__", "``", "\\\n", "  \n"]
STARTS = ["", "", "", " ", "    ", "\t", "# ", "> ", "- ", "* ", "+ ", "1. ", "12) ", "---", "===", "```", "~~~",
          "| ", "[^1]: ", "[a]: /x ", "\xa0", "<div>"]


def _slow():
    """``make_md()`` with markdown-it's own block and inline core rules (no fast path), and names linked
    with tokens in every text (never as one HTML token)."""
    md = make_md()
    md.core.ruler.at("block", block)
    md.core.ruler.at("inline", inline)
    md.core.ruler.at("mentions", partial(mentions._rule, direct=False))
    return md


FAST, SLOW = make_md(), _slow()


def _line(pieces: list[str], start: str) -> str:
    return start + " ".join(pieces)


prose_piece = st.sampled_from(WORDS + NAMES + [QUOTE, ",", ".", "!"])
rich_piece = st.one_of(prose_piece, st.sampled_from(SPECIAL),
                       st.lists(st.sampled_from(SPECIAL + WORDS), max_size=4).map("".join))
blank = st.sampled_from(["", "", "", " ", "\t", "\xa0"])


def _text(piece):
    line = st.builds(_line, st.lists(piece, min_size=1, max_size=8), st.sampled_from(STARTS))
    lines = st.lists(st.one_of(line, line, line, blank), min_size=0, max_size=8)
    return st.builds(lambda ls, end: "\n".join(ls) + end, lines, st.sampled_from(["", "\n", "\n\n", " ", "\n "]))


def _prose():
    """Mostly plain prose (the fast path's case), now and then one special character or line start."""
    line = st.builds(_line, st.lists(prose_piece, min_size=1, max_size=10),
                     st.sampled_from([""] * 12 + STARTS))
    lines = st.lists(st.one_of(line, line, line, st.just("")), min_size=1, max_size=8)
    return st.builds(lambda ls, end: "\n".join(ls) + end, lines, st.sampled_from(["", "\n", "\n\n"]))


def _insert(lines: list[str], end: str, what: list[str], where: list[tuple[int, int]]) -> str:
    """Prose with each of ``what`` put into line ``where[i][0]`` (modulo) at character ``where[i][1]``
    (clamped: 0 is the line's start, a large one its end)."""
    lines = list(lines)
    for piece, (n, at) in zip(what, where):
        n %= len(lines)
        at = min(at, len(lines[n]))
        lines[n] = lines[n][:at] + piece + lines[n][at:]
    return "\n".join(lines) + end


def _perturbed():
    """Plain prose with one or two pieces of syntax put anywhere: the fast path's edge."""
    prose_line = st.builds(_line, st.lists(prose_piece.filter(lambda p: p not in ("1.", "2)")), min_size=1,
                                           max_size=8), st.just(""))
    lines = st.lists(st.one_of(prose_line, prose_line, st.just("")), min_size=1, max_size=6)
    pieces = st.lists(st.sampled_from(SPECIAL + STARTS + ["1.", "2)", "3.5", "\n", "\n\n", " \n"]), min_size=1,
                      max_size=2)
    where = st.lists(st.tuples(st.integers(0, 10), st.sampled_from([0, 0, 1, 3, 8, 1000])), min_size=2, max_size=2)
    return st.builds(_insert, lines, st.sampled_from(["", "\n", "\n\n"]), pieces, where)


def _tokens(md, text):
    return [t.as_dict(as_upstream=False) for t in md.parse(text, {})]


def _rendered(harness, md, text, annotated, direct=False, **kw):
    """``direct``: through ``dossier.markdown.render`` (else ``md.render``); with the whole ``env`` after
    (but its callables, the site's records and marks.py's ``_breaks``, keyed by the tokens' ids)."""
    anns = harness.annotations(f"> {QUOTE}\n\nThe note names Braverman.\n") if annotated else ()
    env = harness.env(annotations=anns, **{"block_ids": True, **kw})
    html = render(md, text, env) if direct else md.render(text, env)
    return html, env["mentions"], [a.id for a in env.get("placed", [])], env.get("verbatim"), \
        env.get("note_mentions"), [repr(e) for e in env["errors"]], \
        repr({k: v for k, v in env.items() if k not in ("site", "urls", "render_note", "errors", "_breaks")})


def _head(outcome):
    """A ``_rendered`` outcome without the whole ``env``."""
    return outcome[:6] if isinstance(outcome, tuple) else outcome


def _outcome(fn, *args, **kw):
    """``fn``'s result, or the type of what it raised (markdown-it may fail on a text: then both must)."""
    try:
        return fn(*args, **kw)
    except Exception as exc:  # noqa: BLE001 - compared, not hidden
        return type(exc)


def _same(harness, text):
    assert _outcome(_tokens, FAST, text) == _outcome(_tokens, SLOW, text), repr(text)
    for annotated in (True, False):
        for kw in ({}, {"link_first": True}, {"link_first": True, "link_per_block": True}, {"block_ids": False},
                   {"self_slug": "mark-rowley", "link_first": True, "block_ids": False}, {"collect": False},
                   {"site": False}):
            slow = _outcome(_rendered, harness, SLOW, text, annotated, **kw)
            fast = _outcome(_rendered, harness, FAST, text, annotated, **kw)
            assert _head(fast) == _head(slow), (repr(text), annotated, kw)
            # markdown-it's inline parser leaves an empty ``env["footnotes"]`` the fast path does not: the
            # whole ``env`` is compared between the fast path and ``render``
            assert _outcome(_rendered, harness, FAST, text, annotated, direct=True, **kw) == fast, \
                (repr(text), annotated, kw)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_text(rich_piece))
def test_special_characters_decline_or_give_markdown_its_output(harness, text):
    _same(harness, text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_perturbed())
def test_prose_with_a_piece_of_syntax_anywhere_declines_or_gives_markdown_its_output(harness, text):
    _same(harness, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_prose())
def test_plain_prose_gives_markdown_its_output(harness, text):
    _same(harness, text)


def _known_text(harness, text, **kw):
    """``render``'s ``text`` of ``text`` (None when it gives none), held to what the HTML reads as."""
    known = []
    html = _outcome(render, FAST, text, harness.env(**kw), known)
    if not known:
        return None
    page = f'<main><div class="body">\n{html}\n</div></main>'
    assert read_body(page, html, known[0]) == read_body(page, html) == read_page(page).read(), (repr(text), kw)
    return known[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(_prose(), _perturbed()))
def test_the_text_render_knows_is_the_text_of_its_html(harness, text):
    """Where ``render`` hands over the text of the HTML it wrote (plain prose, no annotation), that text is
    what the HTML reads as (``pagetext``), names linked or not, the first or every one, with ids or not."""
    for kw in ({}, {"link_first": True}, {"link_first": True, "link_per_block": True}, {"block_ids": False},
               {"site": False}):
        _known_text(harness, text, **kw)


def test_render_knows_the_text_of_plain_prose_only(harness):
    text = 'Sir Mark Rowley said\nofficers step back.\n\n\nBraverman agreed "so" > 2.\n'
    assert _known_text(harness, text, block_ids=True) == 'Sir Mark Rowley said\nofficers step back.\n' \
        'Braverman agreed "so" > 2.\n'
    assert _known_text(harness, "") == ""
    assert _known_text(harness, text.replace("said", "said *so*")) is None  # not plain prose
    known = []
    render(harness.md, text, harness.env(annotations=harness.annotations(f"> {QUOTE}\n\nA note.\n")), known)
    # annotations placed (placed.py): the text and its passages' offsets, a pair (test_placed.py holds them)
    assert len(known) == 1 and type(known[0]) is tuple and known[0][1]


def test_prose_of_words_names_and_quotes_takes_the_fast_path(harness):
    """Paragraphs of the prose strategy's words, names and quote with no line start (a report from the web)
    all take the fast path, and give markdown-it's output."""
    rnd = random.Random(15)
    pieces = [w for w in WORDS if w not in ("1.", "2)")] + NAMES + [QUOTE, ",", ".", "!"]
    for _ in range(100):
        paragraphs = ["\n".join(" ".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
                                for _ in range(rnd.randint(1, 3))) for _ in range(rnd.randint(1, 5))]
        text = "\n" * rnd.randint(0, 2) + ("\n" * rnd.randint(2, 3)).join(paragraphs) + "\n" * rnd.randint(0, 2)
        assert plain.tokens(text) is not None, repr(text)
        _same(harness, text)


@pytest.mark.parametrize("text", ["One line.", "One.\nTwo lines.\n", "\n\nA.\n\n\nB 2023 was 3.5 x!\nC.\n\n",
                                  "1999 was a year.", "3.5 million", "Sir Mark Rowley said officers step back.",
                                  "a ^ b ! c ] d } e | f", "Café e\u0301 \u2028 in the middle", "", "\n\n"])
def test_plain_prose_takes_the_fast_path(harness, text):
    assert plain.tokens(text) is not None
    _same(harness, text)


@pytest.mark.parametrize("text", ["a \\ b", "a `b`", "a *b*", "a _b_", "[[x]]", "a [b](c)", "a <b>", "a &amp; b",
                                  "a\r\nb", "a\0b", " indented", "\tindented", "# heading", "> quote", "+ item",
                                  "- item", "-5 degrees", "=== ", "~~~", "| a |", "1. item", "12) item", "1.",
                                  "trailing  ", "trailing\xa0", "\xa0leading", "a\n \nb", "a\n=\n"])
def test_anything_unusual_declines(harness, text):
    assert plain.tokens(text) is None
    _same(harness, text)


def test_the_inline_parser_is_not_run_on_plain_prose(monkeypatch):
    calls = []
    real = FAST.inline.parse
    monkeypatch.setattr(FAST.inline, "parse", lambda *a: calls.append(a[0]) or real(*a))
    FAST.render("A report.\nIts second line.\n\nA paragraph.\n", {})
    assert calls == []
    FAST.render("A *report*.\n\nA paragraph.\n", {})
    assert calls == ["A *report*.", "A paragraph."]


def _renderer_calls(monkeypatch, md):
    calls = []
    real = md.renderer.render
    monkeypatch.setattr(md.renderer, "render", lambda *a: calls.append(a) or real(*a))
    return calls


def test_render_writes_plain_prose_without_markdown_its_renderer(harness, monkeypatch):
    calls = _renderer_calls(monkeypatch, harness.md)
    text = 'Sir Mark Rowley said\nofficers step back.\n\nBraverman agreed "so".\n'
    html = render(harness.md, text, harness.env(block_ids=True))
    assert calls == []
    assert html == ('<p id="par-1"><a id="m-1" class="m" href="/entities/mark-rowley/">Sir Mark Rowley</a> said\n'
                    'officers step back.</p>\n<p id="par-2"><a id="m-2" class="m" href="/entities/suella-braverman/">'
                    'Braverman</a> agreed &quot;so&quot;.</p>\n')
    assert html == harness.md.render(text, harness.env(block_ids=True))
    calls.clear()
    render(harness.md, text, harness.env(annotations=harness.annotations(f"> {QUOTE}\n\nA note.\n")))
    assert calls == []  # an annotation placed in plain prose: markdown-it's loop not run either (placed.py)
    render(harness.md, text.replace("said", "said &"), harness.env())
    assert len(calls) == 1  # not plain prose


def test_render_keeps_to_a_parser_as_make_md_makes_it(harness, monkeypatch):
    """Another parser (a rule added or left out, another renderer rule for paragraphs or text) renders
    plain prose with markdown-it's own loop and renderer, whatever it does."""
    text = "Braverman said so.\n"
    for change in (lambda md: md.enable("replacements"), lambda md: md.disable("root_links"),
                   lambda md: md.core.ruler.push("more", lambda state: None),
                   lambda md: md.core.ruler.at("root_links", lambda state: None),
                   lambda md: md.add_render_rule("paragraph_open", lambda *a: "<P>"),
                   lambda md: md.add_render_rule("text", lambda *a: "T"),
                   lambda md: md.core.ruler.at("sidenotes", lambda state: None)):
        md = make_md()
        change(md)
        calls = _renderer_calls(monkeypatch, md)
        assert render(md, text, harness.env()) == md.render(text, harness.env())
        assert len(calls) == 2
    md = make_md()
    calls = _renderer_calls(monkeypatch, md)
    render(md, text, harness.env())
    assert calls == []


def test_make_md_uses_the_fast_path():
    """markdown-it configured otherwise (another version's rules, another option) gets no fast path;
    ``make_md``'s does: a test that fails when an upgrade changes the rules, to prove the path again."""
    assert plain.applies(FAST)
    assert FAST.core.ruler.getRules("")[1] is plain.block
    assert not plain.applies(make_md().enable("table"))
    typographer = make_md()
    typographer.options["typographer"] = True
    assert not plain.applies(typographer)


def test_every_markdown_file_of_the_repository(harness):
    files = [p for p in sorted(ROOT.glob("content/**/*.md")) + sorted(ROOT.glob("tests/**/*.md"))
             + sorted(ROOT.glob("dossier/starter/**/*.md"))]
    assert files
    taken = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n") and "\n---\n" in text[4:]:
            text = text[4:].split("\n---\n", 1)[1]
        taken += plain.tokens(text) is not None
        _same(harness, text)
    assert taken
