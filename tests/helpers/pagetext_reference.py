"""The first reader of built pages (dossier/pagetext.py before it read by whole-string passes).

It walks every tag with a stack of roles. It was the production reader until it turned out
to cost more than rendering the pages; it stays here as the reference the faster reader is
compared with, page by page (tests/unit/test_pagetext.py).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>", re.S)
_ATTR = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*"([^"]*)")?')
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_DROP = frozenset(("script", "style", "template", "noscript"))  # no reader-visible text
# Where words never run on: the search text gets a space at each edge of these.
_BREAK = frozenset("address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
                   "header hr li main nav ol p pre section table td th tr ul".split())


@dataclass(frozen=True, slots=True)
class PageText:
    main: str
    body: str
    passages: dict  # data-note value ("ann-<id>") -> (start, end) in ``body``


def _attrs(raw: str) -> dict:
    return {k: html.unescape(v or "") for k, v in _ATTR.findall(raw)}


def _skips_body(tag: str, attrs: dict) -> bool:
    classes = attrs.get("class", "").split()
    return (tag == "aside" and "sidenote" in classes) or (tag == "sup" and "note-ref" in classes)


def read_page(page: str) -> PageText:
    """Extract :class:`PageText` from one page's HTML (linear in its length)."""
    main: list[str] = []
    body: list[str] = []
    body_len = 0
    passages: dict[str, list[int]] = {}
    stack: list[tuple[str, str]] = []  # (tag, role): role is "main", "body", "skip", "drop", "mark:<id>" or ""
    in_main = in_body = skip = drop = 0
    pos = 0
    for m in _TAG.finditer(page):
        if m.start() > pos and not drop:
            text = html.unescape(page[pos:m.start()])
            if in_main:
                main.append(text)
            if in_body and not skip:
                body.append(text)
                body_len += len(text)
        pos = m.end()
        closing, tag = m.group(1), (m.group(2) or "").lower()
        if not tag:
            continue  # a comment
        if in_main and tag in _BREAK:
            main.append(" ")
        if closing:
            while stack:  # well nested: pop to the matching opener
                name, role = stack.pop()
                in_main -= role == "main"
                in_body -= role == "body"
                skip -= role == "skip"
                drop -= role == "drop"
                if role.startswith("mark:"):
                    passages[role[5:]][1] = body_len
                if name == tag:
                    break
            continue
        if tag in _VOID or m.group(3).rstrip().endswith("/"):
            continue
        attrs = _attrs(m.group(3))
        role = ""
        if tag in _DROP:
            role = "drop"
        elif tag == "main":
            role = "main"
        elif tag == "div" and "body" in attrs.get("class", "").split() and in_main and not in_body:
            role = "body"
        elif in_body and _skips_body(tag, attrs):
            role = "skip"
        elif tag == "mark" and in_body and not skip and attrs.get("data-note"):
            note = attrs["data-note"]
            passages.setdefault(note, [body_len, body_len])
            role = "mark:" + note
        in_main += role == "main"
        in_body += role == "body"
        skip += role == "skip"
        drop += role == "drop"
        stack.append((tag, role))
    return PageText(_squash("".join(main)), "".join(body), {k: (s, e) for k, (s, e) in passages.items()})


def _squash(text: str) -> str:
    return " ".join(text.split())
