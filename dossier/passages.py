"""Find passages that two or more articles print nearly word for word.

Each article's text is cut into sentences; a sentence's key is its words,
lower-cased, without punctuation, so "place, the public" and "place the public"
agree.  One dictionary from key to articles finds every shared sentence in one
pass over the archive (no sentence is compared with every other).  Runs of
adjacent shared sentences become one passage, shown as an automatic annotation
that links the other articles.
"""
from __future__ import annotations

import re
from collections import defaultdict

from .anchoring import normalize
from .model import Annotation
from .site import Site

MIN_WORDS = 8  # shorter sentences are too often alike by chance
MAX_ARTICLES = 6  # a sentence in more articles than this is boilerplate
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+['\")\]]*|$)")
_WORD = re.compile(r"[a-z0-9]+")


def _sentences(body: str) -> list[tuple[str, tuple]]:
    hay, _ = normalize(body)
    out = []
    for m in _SENTENCE.finditer(hay):
        text = m.group().strip()
        words = tuple(_WORD.findall(text.lower()))
        if text:
            out.append((text, words))
    return out


def shared_passages(site: Site) -> dict[str, tuple[Annotation, ...]]:
    """article slug -> automatic annotations of its shared passages."""
    per_article = {slug: _sentences(a.body) for slug, a in site.articles.items()}
    where: dict[tuple, set] = defaultdict(set)
    for slug, sents in per_article.items():
        for _text, words in sents:
            if len(words) >= MIN_WORDS:
                where[words].add(slug)
    out: dict[str, list[Annotation]] = {}
    for slug, sents in per_article.items():
        runs: list[tuple[list[str], frozenset]] = []
        prev_others = None
        for text, words in sents:
            arts = where.get(words) if len(words) >= MIN_WORDS else None
            others = frozenset(arts - {slug}) if arts and 1 < len(arts) <= MAX_ARTICLES else None
            if others and others == prev_others:
                runs[-1][0].append(text)
            elif others:
                runs.append(([text], others))
            prev_others = others
        art = site.articles[slug]
        anns = []
        for texts, others in runs:
            quote = texts[0] if len(texts) == 1 else f"{texts[0]} ... {texts[-1]}"
            links = sorted(others, key=lambda s: (site.articles[s].published, s))
            named = [f"[[{o}]] ({site.entities[site.articles[o].outlet].name if site.articles[o].outlet in site.entities else site.articles[o].outlet})"
                     for o in links]
            note = ("Nearly the same words appear in " + (", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]) + ".")
            ident = "shared-" + "-".join(_WORD.findall(texts[0].lower())[:6])
            if any(a.id == ident for a in anns):
                continue
            anns.append(Annotation(article=slug, quote=quote, note=note, note_line=1, line=1, source=art.source,
                                   id=ident, kind="shared", auto=True))
        if anns:
            out[slug] = anns
    return {k: tuple(v) for k, v in out.items()}
