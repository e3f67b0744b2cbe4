"""Plain prose with annotations to place, written without markdown-it's loop over its core rules.

An annotated report (a fifth of a large archive's) is plain prose too (``plain.paragraphs``), but
``dossier.markdown.render`` sent it to ``md.render`` because marks.py reads the tokens the mentions
rule leaves: about 480 µs a report, three to four times a report with no annotation. Here the
passages are found first, in the text a reader sees (for plain prose: its paragraphs' lines joined
by line breaks, which is what marks.py's ``_visible`` reads from the tokens); then only the
paragraphs a passage covers are made into tokens (the mentions rule's, ``mentions._as_tokens``),
marked by marks.py's own ``place`` and ``_fill_notes``, numbered by sidenotes.py's ``numbered`` and
rendered by markdown-it's renderer; every other paragraph is written as ``mentions.paragraphs_html``
writes plain prose. The same HTML and the same ``env`` after as ``md.render``: a differential property
test (tests/markdown/test_placed.py).

What declines (before anything is written into ``env``): a passage that marks.py would report (a
quote not found, found more than once, ``which`` past its occurrences) or leave out (too deeply
nested); a parser whose renderer writes margin notes, marks or blocks of HTML otherwise than
``make_md``'s. Those texts go to ``md.render``.
"""
from __future__ import annotations

import bisect
import html as _html
import re

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML

from ..anchoring import find_many, normalize, source_span
from . import marks, mentions, sidenotes
from .env import token


def renders_notes(md: MarkdownIt) -> bool:
    """Whether ``md`` writes margin notes and the blocks that hold them as ``make_md``'s renderer does."""
    rules = md.renderer.rules
    return (getattr(rules.get("note_ref"), "__func__", None) is sidenotes._render_ref
            and getattr(rules.get("html_block"), "__func__", None) is RendererHTML.html_block)


def placeable(text: str, annotations) -> list | None:
    """(start, end, annotation) of each passage marks.py would place in ``text`` (the visible text), in
    its order; None when it would report one of them or leave one out (see the module's docstring)."""
    hay, offs = normalize(text)
    wanted = []
    for ann, found in zip(annotations, find_many(hay, [a.quote for a in annotations])):
        if not found:
            if ann.auto:
                continue
            return None
        if ann.which:
            if ann.which > len(found):
                return None
            found = [found[ann.which - 1]]
        elif len(found) > 1:
            if ann.auto:
                continue
            return None
        wanted.append((*source_span(text, offs, *found[0]), ann))
    wanted.sort(key=lambda w: (w[0], w[1]))
    if len(marks._shallow(wanted, {"errors": []})) != len(wanted):
        return None
    return wanted


def paragraphs_html(md: MarkdownIt, lines: list[str], paragraphs: list[tuple[int, int]], env,
                    known: list | None = None) -> str | None:
    """The HTML of plain prose (``plain.paragraphs``) with ``env["annotations"]`` placed, as ``md.render``
    makes it, ``env`` left as it leaves it; None (``env`` untouched) when it declines. ``known`` (if given)
    gets :func:`paragraphs_text` of that HTML."""
    texts = [lines[first] if end - first == 1 else "\n".join(lines[first:end]) for first, end in paragraphs]
    visible = "\n".join(texts)  # marks.py's: a line break between two blocks, and for a soft break
    wanted = placeable(visible, env["annotations"])
    if wanted is None:
        return None
    linked = mentions.linked_paragraphs(texts, env)  # the mentions rule: names found, numbered, collected
    starts = []  # each paragraph's offset in ``visible``
    at = 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    touched = set()
    for s, e, _ann in wanted:
        first = max(0, bisect.bisect_right(starts, s) - 1)
        last = bisect.bisect_left(starts, e) - 1
        touched.update(range(first, last + 1))
    inline = {}  # paragraph -> its inline token, as the mentions rule leaves it
    segs = []  # marks.py's: (inline token, child index, visible offset) of each text child
    for n in sorted(touched):
        text, marked, _found = linked[n]
        children: list = []
        mentions._as_tokens(children, text, marked, 0, env)
        tok = inline[n] = token("inline", "", 0, 1, text, children=children, block=True)
        pos = starts[n]
        for ci, child in enumerate(children):
            if child.type == "text":
                segs.append((tok, ci, pos))
            pos += len(child.content) if child.type == "text" else 1 if child.type == "softbreak" else 0
    marks.place(wanted, visible, segs, [start for _tok, _ci, start in segs], env)
    tokens = [inline[n] for n in sorted(touched)]
    marks._fill_notes(tokens, env, env.setdefault("note_mentions", []))
    asides = _number(tokens, env)
    out = []
    for n, (text, marked, found) in enumerate(linked):
        tok = inline.get(n)
        if tok is None:
            out.append(mentions.paragraph_html(n + 1, text, marked, found, env))
            continue
        opener = f'<p id="par-{n + 1}">' if found and env.get("block_ids") else "<p>"
        out += (opener, md.renderer.renderInline(tok.children, md.options, env), "</p>\n", asides.get(id(tok), ""))
    if known is not None:
        known.append(paragraphs_text(texts, inline, {n: asides[id(tok)].count("</aside>\n") for n, tok in inline.items()
                                                     if id(tok) in asides}))
    return "".join(out)


_NOTE = re.compile(r'\bdata-note="([^"]*)"')


def paragraphs_text(texts: list[str], inline: dict, asides: dict) -> tuple[str, dict]:
    """What ``pagetext`` reads from ``paragraphs_html``'s HTML (its margin notes and note numbers out, its
    tags out, its characters unescaped): the text, and each passage's (start, end) in it by its note's
    key, as ``pagetext._body`` counts them. ``texts``: the paragraphs' visible text; ``inline``: paragraph
    -> its inline token, marked, for the paragraphs a passage touches (the others are text alone);
    ``asides``: paragraph -> how many margin notes follow it (each leaves the line break after its
    ``</aside>``). Plain prose holds no ``&``, so unescaping gives back exactly what was escaped."""
    out: list[str] = []
    at = 0
    passages: dict[str, list[int]] = {}
    for n, visible in enumerate(texts):
        tok = inline.get(n)
        if tok is not None:
            open_marks: list[str | None] = []  # per open <mark>: its note, or None
            for child in tok.children:
                kind = child.type
                if kind == "text":
                    at += len(child.content)
                elif kind == "softbreak":
                    at += 1
                elif kind == "html_inline":
                    content = child.content
                    if content.startswith("<mark"):
                        note = _NOTE.search(content)
                        open_marks.append(note and _html.unescape(note.group(1)))
                        if note:
                            passages.setdefault(open_marks[-1], [at, at])
                    elif content.startswith("</mark") and open_marks:
                        note = open_marks.pop()
                        if note:
                            passages[note][1] = at
        else:
            at += len(visible)
        extra = 1 + asides.get(n, 0)  # the line break after </p>, and after each margin note
        out += (visible, "\n" * extra)
        at += extra
    return "".join(out), {k: (s, e) for k, (s, e) in passages.items()}


def _number(tokens: list, env) -> dict:
    """sidenotes.py's ``_rule`` on plain prose (no footnotes): each note reference numbered in reading
    order; id(inline token) -> the asides that follow its paragraph."""
    number = env.setdefault("note_number", 0)
    numbers = env.setdefault("note_numbers", {})
    asides = {}
    for tok in tokens:
        pending = []
        for child in tok.children:
            if child.type == "note_ref":
                number = sidenotes.numbered(child.meta, number, numbers, pending)
        if pending:
            asides[id(tok)] = "".join(pending)
    env["note_number"] = number
    return asides
