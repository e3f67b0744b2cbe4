"""dossier/markdown/placed.py and ``mentions.wikilinked_html``: plain prose with annotations to place, and
plain prose with wikilinks to a slug (a note's "See [[slug]]."), written by ``dossier.markdown.render``
without markdown-it's loop, give ``md.render``'s HTML and leave the same ``env``.

A differential property test: prose of words, names (one wrapping over a line break), quotes (found
once, twice, never; over a name, a line break, two paragraphs; nested and overlapping), annotations of
every kind with ``which``, automatic ones, a claim, a note naming names and linking slugs (known and
unknown), the same permalink twice; each text rendered by markdown-it's own rules (its block and inline
parsers, names linked with tokens, notes through ``md.render`` too) and by ``render``.
"""
from __future__ import annotations

from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.rules_core import block, inline

from dossier.markdown import make_md, mentions, new_env, placed, plain, render
from dossier.model import Annotation
from dossier.pagetext import read_body, read_page

WORDS = ["the", "officers", "step", "back", "said", "police", "a", "2023", "it's", "x!", "—", "é", '"so"', "'",
         ">", "3 < 4", "of", "Met"]
NAMES = ["Sir Mark Rowley", "Rowley", "Sir\nMark Rowley", "Braverman", "Suella Braverman", "Met Police",
         "Metropolitan Police", "Metropolitan Police Federation", "Daily Example"]
QUOTES = ["officers step back", "step back", "said", "Rowley said", "back said the", "Braverman", "police a",
          "the officers", "nowhere to be found", "Metropolitan Police Federation said", "officers … said",
          "step back\nsaid", "x! —"]
NOTES = ["A note.", "The note names Braverman.", "See [[mark-rowley]].", "See [[about]] and [[sky-army]].",
         "Braverman, see [[suella-braverman]].\nRowley [[mark-rowley]] too.", "See [[nobody]].", "A *note*.",
         "Two.\n\nParagraphs, Rowley.", "[[mark-rowley]] said so."]
KINDS = ["note", "context", "correction", "discrepancy", "shared"]
SLOW = make_md()
SLOW.core.ruler.at("block", block)
SLOW.core.ruler.at("inline", inline)
SLOW.core.ruler.at("mentions", partial(mentions._rule, direct=False))


def _slow_note(harness, link_first: bool):
    """``note_renderer`` with markdown-it's own way for every note (``md.render`` of ``SLOW``)."""
    def render_note(ann):
        env = new_env(harness.site, harness.urls, source=ann.source, line0=ann.note_line - 1, collect=True,
                      link_first=link_first)
        html = SLOW.render(ann.note, env)
        return html, env["errors"], [m.entity for m in env["mentions"]] + env.get("wikilinked", [])
    return render_note


def _outcome(md, text, env):
    try:
        html = render(md, text, env) if md is not SLOW else SLOW.render(text, env)
    except Exception as exc:  # noqa: BLE001 - compared, not hidden
        return type(exc)
    # markdown-it's inline parser leaves an empty ``footnotes`` where the fast paths run none (test_plain.py)
    empty = env.get("footnotes") == {"refs": {}, "list": {}}
    return html, repr({k: v for k, v in env.items() if k not in ("site", "urls", "render_note", "_breaks")
                       and not (k == "footnotes" and empty)})


def _compare(harness, text, anns=(), **kw):
    outcomes = []
    for md in (SLOW, harness.md):
        link_first = kw.get("link_first", False)
        render_note = _slow_note(harness, link_first) if md is SLOW and kw.get("renderer", True) else None
        env = harness.env(annotations=anns, **kw)
        if render_note is not None:
            env["render_note"] = render_note
        outcomes.append(_outcome(md, text, env))
    assert outcomes[1] == outcomes[0], (text, anns, kw)


def _line(pieces):
    return " ".join(pieces)


piece = st.sampled_from(WORDS + NAMES + QUOTES + [",", "."])
prose = st.builds(lambda paragraphs, end: "\n\n".join("\n".join(p) for p in paragraphs) + end,
                  st.lists(st.lists(st.builds(_line, st.lists(piece, min_size=1, max_size=9)), min_size=1, max_size=3),
                           min_size=1, max_size=4),
                  st.sampled_from(["", "\n"]))
annotation = st.builds(lambda quote, note, kind, which, auto, claim, n: Annotation(
    article="sky-army", quote=quote, note=note, note_line=3 + n, line=1 + n, source="content/annotations/sky-army.md",
    id=f"a{n % 4}", kind=kind, claim=claim, value="about 300" if claim else "", which=which, auto=auto),
    st.sampled_from(QUOTES), st.sampled_from(NOTES), st.sampled_from(KINDS), st.sampled_from([0, 0, 0, 1, 2, 3]),
    st.sampled_from([False, False, True]), st.sampled_from(["", "", "officer-count"]), st.integers(0, 7))
ENVS = [{}, {"link_first": True}, {"link_first": True, "link_per_block": True}, {"block_ids": False},
        {"collect": False}, {"renderer": False}, {"self_slug": "mark-rowley", "link_first": True}]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prose, st.lists(annotation, min_size=1, max_size=5), st.sampled_from(ENVS))
def test_annotated_plain_prose_gives_markdown_its_output(harness, text, anns, kw):
    _compare(harness, text, tuple(anns), **{"block_ids": True, **kw})


link = st.sampled_from(["[[mark-rowley]]", "[[about]]", "[[sky-army]]", "[[suella-braverman]]", "[[nobody]]",
                        "[[mark-rowley|Sir]]", "[[sky-army#officers-step-back]]", "[[claim:officer-count]]",
                        "![[about]]", "^[[about]]", "[[about]]]", "[[[about]]", "[ [about]]", "[[ about ]]",
                        "[[about]](x)", "[x]", "[[]]"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prose, st.lists(st.tuples(link, st.integers(0, 400)), min_size=1, max_size=4), st.sampled_from(ENVS))
def test_plain_prose_with_wikilinks_gives_markdown_its_output(harness, text, links, kw):
    for what, at in links:
        at = min(at, len(text))
        text = text[:at] + what + text[at:]
    _compare(harness, text, **kw)


def test_a_note_with_wikilinks_and_a_report_with_annotations_take_the_fast_paths(harness, monkeypatch):
    """Neither runs markdown-it's core rules; what declines does (an unknown target, a quote not found)."""
    calls = []
    monkeypatch.setattr(harness.md.core, "process", lambda state: calls.append(state.src))
    note = "Braverman said so.\nSee [[mark-rowley]] and [[about]]."
    assert plain.wikilinked(note) is not None
    env = harness.env()
    assert render(harness.md, note, env) == (
        '<p><a class="m" href="/entities/suella-braverman/">Braverman</a> said so.\nSee <a class="wikilink" '
        'href="/entities/mark-rowley/">Sir Mark Rowley</a> and <a class="wikilink" href="/about/">About this archive'
        '</a>.</p>\n')
    assert env["wikilinked"] == ["mark-rowley"] and [m.entity for m in env["mentions"]] == ["suella-braverman"]
    anns = (Annotation(article="sky-army", quote="officers step back", note=note, note_line=3, line=1,
                       source="content/annotations/sky-army.md", id="a"),)
    text = "Sir Mark Rowley said officers step back.\n\nBraverman agreed.\n"
    html = render(harness.md, text, harness.env(annotations=anns, block_ids=True))
    assert calls == []
    assert '<mark class="k-note" id="ann-a" aria-details="note-ann-a" data-note="ann-a">officers step back</mark>' \
           in html and html.count('<aside class="sidenote k-note"') == 1
    for declined in ("See [[nobody]].", "See [[about]] *now*."):
        render(harness.md, declined, harness.env())
        assert calls[-1] == declined
    missing = (Annotation(article="sky-army", quote="not in the text", note="N.", note_line=3, line=1,
                          source="content/annotations/sky-army.md", id="b"),)
    env = harness.env(annotations=missing)
    render(harness.md, text, env)
    assert calls[-1] == text and env["errors"] == []  # markdown-it's core rules (here none) report it


def test_a_quote_reported_declines_before_env_is_touched():
    """``placeable``: None for a quote marks.py reports (missing, ambiguous, ``which`` past its places), a
    missing or ambiguous automatic one left out; the passages in text order."""
    def ann(quote, which=0, auto=False, n=0):
        return Annotation(article="a", quote=quote, note="", note_line=1, line=1, source="s", id=f"i{n}", which=which,
                          auto=auto)
    text = "one two three two four"
    assert placed.placeable(text, [ann("missing")]) is None
    assert placed.placeable(text, [ann("two")]) is None
    assert placed.placeable(text, [ann("two", which=3)]) is None
    got = placed.placeable(text, [ann("four", n=1), ann("two", which=2, n=2), ann("missing", auto=True), ann("two", auto=True)])
    assert [(s, e, a.id) for s, e, a in got] == [(14, 17, "i2"), (18, 22, "i1")]


def _handed_over(harness, text, anns, kw):
    """``render``'s ``text`` of annotated prose (None when it gives none), held to what the HTML reads as."""
    known: list = []
    try:
        html = render(harness.md, text, harness.env(annotations=anns, **kw), known)
    except Exception:  # noqa: BLE001 - the differential test above holds the outcome itself
        return None
    if not known:
        return None
    page = f'<main><div class="body">\n{html}\n</div></main>'
    assert read_body(page, html, known[0]) == read_body(page, html) == read_page(page).read(), (text, anns, kw)
    return known[0]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prose, st.lists(annotation, min_size=1, max_size=5), st.sampled_from(ENVS))
def test_the_text_of_annotated_prose_render_knows_is_the_text_of_its_html(harness, text, anns, kw):
    """Where ``render`` places annotations in plain prose, the text and passages it hands over are what the
    HTML reads as (``pagetext``: margin notes and note numbers out, each passage's offsets by its key):
    passages over a name, a line break, two paragraphs, nested and overlapping, the same key twice."""
    _handed_over(harness, text, tuple(anns), {"block_ids": True, **kw})


def test_annotated_prose_hands_over_its_text_and_passages(harness):
    anns = (Annotation(article="sky-army", quote="officers step back", note="A note.", note_line=3, line=1,
                       source="content/annotations/sky-army.md", id="a"),
            Annotation(article="sky-army", quote="Braverman agreed", note="Two.\n\nParagraphs.", note_line=5,
                       line=2, source="content/annotations/sky-army.md", id="b", kind="context"))
    text = "Sir Mark Rowley said\nofficers step back.\n\nBraverman agreed.\n\nThe end.\n"
    got = _handed_over(harness, text, anns, {"block_ids": True})
    assert got is not None
    body, passages = got
    # each margin note leaves the line break after its </aside>: one after each annotated paragraph
    assert body == "Sir Mark Rowley said\nofficers step back.\n\nBraverman agreed.\n\nThe end.\n"
    assert {k: body[s:e] for k, (s, e) in passages.items()} == {"ann-a": "officers step back",
                                                                "ann-b": "Braverman agreed"}
