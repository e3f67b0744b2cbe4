"""The text a reader reads on a built page, read back from the page's HTML.

Search and the open data both work from what Dossier wrote, not from the sources, so what
they say is what the page shows:

- ``main``: the text of ``<main>``, without scripts and the margin notes' controls, for the
  search index;
- ``body``: the article's text (the ``<div class="body">`` of an article page) without its
  margin notes (``aside.sidenote``) and note numbers (``sup.note-ref``); this is the text the
  W3C Web Annotation selectors in ``data/annotations.jsonld`` point into;
- ``passages``: for each annotated passage (the ``<mark>`` elements sharing one
  ``data-note``), its (start, end) in ``body``.

The pages are Dossier's own (Markdown is rendered without raw HTML, attribute values are
escaped), so a tag is ``<...>`` with no ``>`` inside and elements are well nested. That lets
almost all the work be whole-string regular-expression passes: Python walks tag by tag only
over the few elements whose end must be matched (``<main>``, the body ``<div>``, margin notes)
and over the body of a page that has marks, where offsets are counted. The first version
walked every tag of every page and cost more than rendering the pages
(``tests/helpers/pagetext_reference.py`` keeps it as the reference the tests compare with).
"""
from __future__ import annotations

import html
import re

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DROP = re.compile(r"<(script|style|template|noscript)\b[^>]*>.*?</\1\s*>", re.S | re.I)
# The block elements' tags: address article aside blockquote br dd div dl dt figcaption figure footer h1-h6
# header hr li main nav ol p pre section table td th tr ul, their names grouped by first letter (a tag
# matches from its "<" to the first ">" whichever name matched; a choice among 30 names tried one by one
# was a third of an entity page's first words).
_BLOCKS = (r"</?(?:a(?:ddress|rticle|side)|b(?:lockquote|r)|d(?:[dlt]|iv)|f(?:igcaption|igure|ooter)|"
           r"h(?:[1-6r]|eader)|li|main|nav|ol|p(?:re)?|section|t(?:able|[dhr])|ul)\b[^>]*>")
_BREAK = re.compile(_BLOCKS, re.I)
_BREAK_LOWER = re.compile(_BLOCKS)  # the same where every tag name is lower-case ASCII: 2.5 times quicker
_NOT_LOWER_TAG = re.compile(r"</?[a-z0-9]*[^a-z0-9\s/>]")  # a "<" not followed by such a name (or a comment)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*[^>]*>")
_SPLIT = re.compile(r"(</?[a-zA-Z][a-zA-Z0-9]*[^>]*>)")
_MAIN = re.compile(r"<main\b[^>]*>", re.I)
_BODY = re.compile(r'<div\b[^>]*\sclass="(?:[^"]*\s)?body(?:\s[^"]*)?"[^>]*>')
_SKIP = re.compile(r'<(aside)\b[^>]*\sclass="(?:[^"]*\s)?sidenote(?:\s[^"]*)?"[^>]*>'
                   r'|<(sup)\b[^>]*\sclass="(?:[^"]*\s)?note-ref(?:\s[^"]*)?"[^>]*>')
_NOTE = re.compile(r'\bdata-note="([^"]*)"')


class PageText:
    """``body`` and ``passages`` are read at once; ``main`` when first asked for (articles never are)."""

    __slots__ = ("body", "passages", "_inner", "_main")

    def __init__(self, inner: str, body: str, passages: dict) -> None:
        self._inner, self._main = inner, None  # ``<main>``'s HTML until ``main`` is read
        self.body = body
        self.passages = passages  # data-note value ("ann-<id>") -> (start, end) in ``body``

    @property
    def main(self) -> str:
        if self._main is None:
            self._main, self._inner = " ".join(_text(_breaks(self._inner)).split()), ""
        return self._main

    def read(self) -> tuple[str, dict]:
        """``(body, passages)``, as :func:`read_body` gives them."""
        return self.body, self.passages

    def first_words(self, n: int) -> list[str]:
        """``main.split()[:n]``, reading only as much of the page as those words need."""
        size = 20 * n + 1024  # about what an entity page takes for n words; then more
        while self._main is None and size < len(self._inner):
            cut = max(self._inner.rfind("<", 0, size), 0)  # never inside a tag or a character reference
            found = _text(_breaks(self._inner[:cut])).split(None, n)
            if len(found) > n:  # the n-th word is followed by a space in the page too: it is whole
                return found[:n]
            size *= 2
        return self.main.split()[:n]


_TAGS = {name: re.compile(rf"<(/?){name}\b[^>]*>", re.I) for name in ("main", "div", "aside", "sup")}


def _end_of(page: str, tag: str, start: int) -> int:
    """Where the element whose opening tag ends at ``start`` is closed: after its ``</tag>``."""
    depth = 1
    for m in _TAGS[tag].finditer(page, start):
        depth += -1 if m.group(1) else (0 if m.group(0).endswith("/>") else 1)
        if depth == 0:
            return m.end()
    return len(page)


def _element(page: str, opener: re.Pattern, tag: str, start: int = 0) -> tuple[int, int, int] | None:
    """(start of the opening tag, end of it, end of the element) of the first match of ``opener``."""
    m = opener.search(page, start)
    if m is None:
        return None
    return m.start(), m.end(), _end_of(page, tag, m.end())


def _breaks(html_text: str) -> str:
    """``html_text`` with each block element's tags (which end a line of text) replaced by a space."""
    return (_BREAK if _NOT_LOWER_TAG.search(html_text) else _BREAK_LOWER).sub(" ", html_text)


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment))


def read_page(page: str) -> PageText:
    """Extract :class:`PageText` from one page's HTML (linear in its length)."""
    main = _element(page, _MAIN, "main")
    if main is None:
        return PageText("", "", {})
    inner = _DROP.sub("", _COMMENT.sub("", page[main[1]:main[2]]))
    body = _element(inner, _BODY, "div")
    text, passages = ("", {}) if body is None else _body(_without_skips(inner[body[1]:body[2]]))
    return PageText(inner, text, passages)


_HIDING = re.compile(r"<!--|<(?:script|style|template|noscript)\b|</main\b", re.I)
_DIV = re.compile(r"</?div\b", re.I)


def read_body(page: str, body_html: str, body_text: str | tuple[str, dict] | None = None) -> tuple[str, dict] | None:
    """``(body, passages)`` of :func:`read_page`, read from ``body_html`` (the article's HTML the page
    was rendered with) instead of the whole page, when the page's body ``<div>`` holds exactly it
    (``\n{body_html}\n</div>``, as the default theme writes it, its own ``<div>``s closed within it),
    and nothing before it in ``<main>`` or in it hides or ends elements (a comment, a script, a
    closing ``</main>``); else None (then read the page). ``body_text``: the text of ``body_html`` where
    its renderer knew it (``markdown.render``'s ``text``: paragraphs of plain prose, their names linked;
    no margin note, note number, passage, comment, script or ``<div>`` in it), then taken as it is
    instead of read from the HTML: only the page around the body is checked. Or a pair: the text of
    plain prose with annotations placed and its passages' (start, end) by note key, counted from the
    text's start (``placed.paragraphs_text``); then the body is checked as when it is read (its margin
    notes hold ``<div>``s) and the text and the passages taken as they are."""
    main = _MAIN.search(page)
    div = main and _BODY.search(page, main.end())
    held = f"\n{body_html}\n</div>"
    if div is None or _HIDING.search(page, main.end(), div.start()) or not page.startswith(held, div.end()):
        return None
    if type(body_text) is str:  # paragraphs of text and links: nothing in them hides or ends elements, no <div>
        return f"\n{body_text}\n", {}
    if _HIDING.search(body_html) or _DIV.search(body_html) and _end_of(held + "<div>", "div", 0) != len(held):
        return None  # (a <div> it holds closed there)
    if body_text is not None:  # the text held (after the line break that opens it) as the renderer counted it
        text, passages = body_text
        return f"\n{text}\n", {k: (s + 1, e + 1) for k, (s, e) in passages.items()}
    return _body(_without_skips(held))


def first_words(page: bytes, n: int) -> list[str]:
    """``read_page(page.decode()).first_words(n)`` (``main.split()[:n]``) from a page's bytes, decoding
    and reading only its head while nothing in ``<main>`` before those words hides or ends elements (a
    comment, a script, ``</main>``): an entity page's first words, of a page of up to a few hundred kB."""
    size = 20 * n + 4096  # the page's head and about what n words take; then more
    while size < len(page):
        cut = page.rfind(b"<", 0, size)  # never inside a tag, a character reference or a UTF-8 sequence
        head = page[:max(cut, 0)].decode("utf-8")
        main = _MAIN.search(head)
        if main is not None:
            if _HIDING.search(head, main.end()):
                break
            found = _text(_breaks(head[main.end():])).split(None, n)  # (the rest of the text: one item)
            if len(found) > n:  # the n-th word is followed by a space in the page too: it is whole
                return found[:n]
        size *= 2
    return read_page(page.decode("utf-8")).first_words(n)


def _without_skips(body: str) -> str:
    """The body's HTML without margin notes and note numbers."""
    kept, pos = [], 0
    while (m := _SKIP.search(body, pos)) is not None:
        kept.append(body[pos:m.start()])
        pos = _end_of(body, m.group(1) or m.group(2), m.end())
    kept.append(body[pos:])
    return "".join(kept)


def _body(body: str) -> tuple[str, dict]:
    if "data-note=" not in body:
        return _text(body), {}
    parts = _SPLIT.split(body)  # text, tag, text, tag, ...
    out: list[str] = []
    length = 0
    passages: dict[str, list[int]] = {}
    open_marks: list[str | None] = []  # per open <mark>: its note, or None
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                part = html.unescape(part)
                out.append(part)
                length += len(part)
        elif part.startswith("<mark") or part.startswith("<MARK"):
            note = _NOTE.search(part)
            open_marks.append(note and html.unescape(note.group(1)))
            if note:
                passages.setdefault(open_marks[-1], [length, length])
        elif part[:6].lower() == "</mark" and open_marks:
            note = open_marks.pop()
            if note:
                passages[note][1] = length
    return "".join(out), {k: (s, e) for k, (s, e) in passages.items()}
