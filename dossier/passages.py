"""Find passages that two or more articles print nearly word for word.

Each article's text is cut into sentences; a sentence's key is its words,
lower-cased, without punctuation, so "place, the public" and "place the public"
agree.  One dictionary from key to articles finds every shared sentence in one
pass over the archive: no sentence is compared with every other.  Runs of
adjacent shared sentences become one passage, shown as an automatic annotation
linking the other articles.

The keys are made with byte-level ``translate``/``split`` over the whole text
(all in C); sentences are cut at every ``.``, ``!`` and ``?``, which is crude
but the same in every article, so equal sentences still get equal keys.
"""
from __future__ import annotations

import re
import sys
import zlib
from array import array
from bisect import bisect_left
from itertools import accumulate

from .anchoring import _SIMPLE, normalize
from .model import ANCHOR_PREFIX, Annotation
from .site import Site

MIN_WORDS = 8  # shorter sentences are too often alike by chance
MAX_ARTICLES = 6  # a sentence in more articles than this is boilerplate
MIN_KEY = 30  # bytes of a key below which a sentence is not worth comparing
_TABLE = bytes(c if (97 <= c <= 122 or 48 <= c <= 57 or c >= 128) else 0 if c in b".!?" else 32 for c in range(256))
_WORD = re.compile(r"[a-z0-9]+")


def _keys(body: str) -> tuple[bytes, list[bytes]]:
    folded = body.translate(_SIMPLE).encode("utf-8")  # curly quotes and dashes made plain
    return folded, folded.lower().translate(_TABLE).split(b"\x00")


def _sentence(raw: bytes, ends: list[int], i: int) -> str:
    start = ends[i - 1] + 1 if i else 0
    end = ends[i]  # the terminator's index
    text = raw[start:end + 1].decode("utf-8", "replace")
    return normalize(text)[0].lstrip("'\" )]")


def sentence_keys(body: str) -> list[int]:
    """One key per sentence of ``body`` (0 for a sentence too short to compare).

    Keys are 64-bit checksums (CRC-32 and Adler-32 of the words), small to send between
    processes and the same in every process and run, so the build cache can keep them.
    """
    out = []
    for k in _keys(body)[1]:
        words = k.split() if len(k) >= MIN_KEY else ()
        if len(words) >= MIN_WORDS:
            joined = b" ".join(words)
            out.append(zlib.crc32(joined) | zlib.adler32(joined) << 32)
        else:
            out.append(0)
    return out


class SentenceKeys(array):
    """An article's sentence keys (``sentence_keys``) as one array of 64-bit numbers, as a scan keeps them
    (``Session.scan``): a list of them is an int object a key (480,000 at 10,000 articles), which the build
    cache read back one by one. Iterated and indexed as the list; not equal to it (an array is not a list).
    Pickled as its bytes, little-endian."""

    __slots__ = ()

    def __new__(cls, keys=()):
        made = super().__new__(cls, "Q", keys)  # bytes: taken as written (``__reduce__``)
        if isinstance(keys, bytes) and sys.byteorder == "big":
            made.byteswap()
        return made

    def __reduce_ex__(self, _protocol):  # (array's own names ``array._array_reconstructor``, not in a cache)
        mine = array("Q", self)
        if sys.byteorder == "big":
            mine.byteswap()
        return SentenceKeys, (mine.tobytes(),)


def shared_passages(site: Site, keys: dict[str, list[int]] | None = None) -> dict[str, tuple[Annotation, ...]]:
    """article slug -> automatic annotations of its shared passages.  ``keys`` are ``sentence_keys``
    of each article body when they were computed already (in parallel)."""
    if keys is None:
        keys = {slug: sentence_keys(a.body) for slug, a in site.articles.items()}
    return SharedPassages().update(site, keys)


def _add(where: dict, k: int, slug: str) -> bool:
    """Put ``slug`` under key ``k``: a sentence of one article only (most of them) holds the slug
    itself, a set only once a second article has it (a set per sentence was 9/10 of the index).
    True when another article has the sentence too. One look-up for a new sentence (most of them:
    on a large archive each look-up misses the processor's caches)."""
    have = where.setdefault(k, slug)
    if have is slug:
        return False
    if type(have) is str:
        if have == slug:
            return False
        where[k] = {have, slug}
    else:
        have.add(slug)
    return True


def _discard(where: dict, k: int, slug: str) -> None:
    have = where.get(k)
    if have is None:
        return
    if type(have) is str:
        if have == slug:
            del where[k]
        return
    have.discard(slug)
    if len(have) == 1:
        where[k] = next(iter(have))


_GONE = object()  # a key of the last build's taken out since (``Where``)


class Where:
    """``SharedPassages.where`` as the build cache gives it back: the last build's sentences of one article
    as two arrays (the keys, sorted, and each one's article), 6 MB where a dict of them is 50 (476,000
    sentences at 10,000 articles), with what a build changed since (and every shared sentence's set)
    in a dict beside them. A dict's methods, those the index uses."""

    __slots__ = ("known", "at", "slugs", "over")

    def __init__(self, keys: bytes, at: bytes, slugs: tuple, over: dict, gone: tuple = ()) -> None:
        self.known, self.at = array("Q"), array("I")
        self.known.frombytes(keys)
        self.at.frombytes(at)
        if len(self.known) != len(self.at) or not all(type(s) is str for s in slugs) \
                or (self.at and max(self.at) >= len(slugs)) or not isinstance(over, dict) \
                or not all(type(v) is str or type(v) is set for v in over.values()):
            raise ValueError("a shared-passage index not as written")
        self.slugs, self.over = slugs, dict(over)
        self.over.update(dict.fromkeys(gone, _GONE))

    @classmethod
    def of(cls, where: dict) -> "Where":
        """``where`` (a dict) made compact: its sentences of one article in the arrays, the rest beside."""
        if isinstance(where, Where):
            where = dict(where.items())
        keys = array("Q", sorted(k for k, v in where.items() if type(v) is str))
        slugs = tuple(sorted({v for v in where.values() if type(v) is str}))
        number = {s: i for i, s in enumerate(slugs)}
        at = array("I", [number[where[k]] for k in keys])
        return cls(keys.tobytes(), at.tobytes(), slugs, {k: v for k, v in where.items() if type(v) is not str})

    def __reduce__(self):
        if len(self.over) > len(self.known) // 8 + 1024:  # many changes since: made compact again
            return Where.of(self).__reduce__()
        gone = tuple(k for k, v in self.over.items() if v is _GONE)
        return Where, (self.known.tobytes(), self.at.tobytes(), self.slugs,
                       {k: v for k, v in self.over.items() if v is not _GONE}, gone)

    def _base(self, k):
        i = bisect_left(self.known, k)
        return self.slugs[self.at[i]] if i < len(self.known) and self.known[i] == k else _GONE

    def get(self, k, default=None):
        v = self.over.get(k, None)
        if v is None:
            v = self._base(k) if type(k) is int and k >= 0 else _GONE
        return default if v is _GONE else v

    def __getitem__(self, k):
        v = self.get(k, _GONE)
        if v is _GONE:
            raise KeyError(k)
        return v

    def __contains__(self, k) -> bool:
        return self.get(k, _GONE) is not _GONE

    def setdefault(self, k, value):
        v = self.get(k, _GONE)
        if v is _GONE:
            self.over[k] = v = value
        return v

    def __setitem__(self, k, value) -> None:
        self.over[k] = value

    def __delitem__(self, k) -> None:
        if k not in self:
            raise KeyError(k)
        self.over[k] = _GONE

    def items(self):
        for k, i in zip(self.known, self.at):
            if k not in self.over:
                yield k, self.slugs[i]
        yield from ((k, v) for k, v in self.over.items() if v is not _GONE)

    def keys(self):
        return (k for k, _v in self.items())

    def values(self):
        return (v for _k, v in self.items())

    def __iter__(self):
        return self.keys()

    def __len__(self) -> int:
        return sum(1 for _ in self.items())

    def __bool__(self) -> bool:
        return any(True for _ in self.items())

    def __eq__(self, other) -> bool:
        return dict(self.items()) == (dict(other.items()) if isinstance(other, Where) else other)

    __hash__ = None


def _articles(have) -> frozenset:
    """The articles of a ``where`` entry (a slug or a set of them)."""
    return frozenset((have,)) if type(have) is str else frozenset(have)


def _shared(have) -> bool:
    """The ``where`` entry is a sentence shared by 2 to MAX_ARTICLES articles."""
    return type(have) is set and 1 < len(have) <= MAX_ARTICLES


class SharedPassages:
    """The key -> articles index, kept between builds of the preview server: an edit updates
    the keys of the articles it touched, and only articles sharing a sentence with them are
    looked at again. ``where``: sentence key -> the slug of the one article that has it, or the
    set of the articles (two or more) that do."""

    def __init__(self) -> None:
        self.keys: dict[str, list[int]] = {}
        self.where: dict[int, str | set] = {}
        self.result: dict[str, tuple[Annotation, ...]] = {}

    def _drop(self, slug: str, touched: set) -> None:
        for k in self.keys.pop(slug):
            if k:
                touched.add(k)
                _discard(self.where, k, slug)

    def update(self, site: Site, keys: dict[str, list[int]], last: bool = False) -> dict[str, tuple[Annotation, ...]]:
        """``last``: no update follows (a one-off build): a first update indexes only the sentences two or
        more articles share (``_shared_only``), all its passages are made of, not every sentence."""
        # The articles to look at again are those sharing a key with a changed article; each
        # touched key's articles are added once, so a sentence in every article (boilerplate)
        # costs its number of articles, not that number squared.
        dirty: set = set()
        touched: set = set()
        sharing: set = set()  # articles with a sentence another one has: on the first build, the only ones looked at
        cold = not self.keys
        if cold and last:
            self.keys = dict(keys)
            self.where, sharing = _shared_only(keys)
            return self._passages(site, keys, sharing)
        where = self.where
        for slug in [s for s in self.keys if s not in keys]:
            self._drop(slug, touched)
            dirty.add(slug)
        for slug, ks in keys.items():
            if self.keys.get(slug) is ks:
                continue
            if slug in self.keys:
                self._drop(slug, touched)
            self.keys[slug] = ks
            dirty.add(slug)
            for k in ks:
                if k and _add(where, k, slug):
                    sharing.update(where[k])
            if not cold:
                touched.update(ks)
        touched.discard(0)
        for k in () if cold else touched:
            arts = where.get(k)
            if arts is not None:
                dirty |= _articles(arts)
        if not cold:  # a note links the other article's passage: an article sharing with a dirty one is too
            for slug in list(dirty):
                for k in self.keys.get(slug, ()):
                    arts = where.get(k) if k else None
                    if arts is not None and (type(arts) is str or len(arts) <= MAX_ARTICLES):
                        dirty |= _articles(arts)
        return self._passages(site, keys, sharing if cold else dirty)

    def _passages(self, site: Site, keys: dict, dirty: set) -> dict[str, tuple[Annotation, ...]]:
        """The passages of the articles in ``dirty`` made again; then every article's, in site order."""
        cache: dict = {}
        for slug in sorted(dirty):
            self.result.pop(slug, None)
            if slug in keys:
                anns = _passages_of(site, slug, self.keys, self.where, cache)
                if anns:
                    self.result[slug] = anns
        return {slug: self.result[slug] for slug in site.articles if slug in self.result}


def _shared_only(keys: dict[str, list[int]]) -> tuple[dict[int, set], set]:
    """(``where`` of the sentences two or more articles have, each with their set; the articles that
    have one): what a first update's index gives ``_passages_of``, a sentence of one article only
    left out (``where.get`` of it is None there, its slug in the whole index: neither is shared). Set
    operations over each article's keys, in C, instead of a look-up a sentence (480,000 at 10,000
    articles)."""
    seen: set = set()
    twice: set = set()
    for ks in keys.values():
        mine = set(ks)
        if not seen.isdisjoint(mine):  # most articles share no sentence: no set made for them
            twice |= seen & mine
        seen |= mine
    twice.discard(0)
    where: dict[int, set] = {}
    sharing: set = set()
    for slug, ks in keys.items():
        found = twice.intersection(ks)
        if found:
            sharing.add(slug)
            for k in found:
                have = where.get(k)
                if have is None:
                    where[k] = {slug}
                else:
                    have.add(slug)
    return where, sharing


def _runs(slug: str, clean: list[int], where: dict) -> list[tuple[list[int], frozenset]]:
    """Runs of adjacent sentences of one article shared with the same other articles."""
    runs: list[tuple[list[int], frozenset]] = []
    prev = None
    for i, k in enumerate(clean):
        arts = where.get(k) if k else None
        others = frozenset(arts - {slug}) if _shared(arts) else None
        if others and others == prev:
            runs[-1][0].append(i)
        elif others:
            runs.append(([i], others))
        prev = others
    return runs


def _named_runs(site: Site, slug: str, clean: list[int], where: dict) -> list[tuple[str, str, str, list[int], frozenset]]:
    """(id, first sentence, last sentence, sentence indexes, other articles) of each shared passage."""
    runs = _runs(slug, clean, where)
    if not runs:
        return []
    raw, parts = _keys(site.articles[slug].body)
    ends = [e - 1 for e in accumulate(len(k) + 1 for k in parts)]
    out, seen = [], set()
    for idx, others in runs:
        first = _sentence(raw, ends, idx[0])
        ident = "shared-" + "-".join(_WORD.findall(first.lower())[:6])
        if ident not in seen:
            seen.add(ident)
            out.append((ident, first, _sentence(raw, ends, idx[-1]), idx, others))
    return out


def _passage_ids(site: Site, slug: str, keys: dict, where: dict, cache: dict) -> dict[int, str]:
    """Sentence key -> the permalink of ``slug``'s shared passage holding that sentence."""
    if slug not in cache:
        clean = keys[slug]
        cache[slug] = {clean[i]: ANCHOR_PREFIX + ident for ident, _f, _l, idx, _o in _named_runs(site, slug, clean, where)
                       for i in idx}
    return cache[slug]


def _passages_of(site: Site, slug: str, keys: dict, where: dict, cache: dict) -> tuple[Annotation, ...]:
    """The automatic annotations of one article; each links the others' passage of the same words."""
    clean = keys[slug]
    anns: list[Annotation] = []
    for ident, first, last, idx, others in _named_runs(site, slug, clean, where):
        quote = first if len(idx) == 1 else f"{first} … {last}"
        named = []
        for o in sorted(others, key=lambda s: (site.articles[s].published, s)):
            outlet = site.entities.get(site.articles[o].outlet)
            there = _passage_ids(site, o, keys, where, cache).get(clean[idx[0]]) if o in keys else None
            named.append(f"[[{o}{'#' + there if there else ''}]] ({outlet.name if outlet else site.articles[o].outlet})")
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        anns.append(Annotation(article=slug, quote=quote, note=f"Nearly the same words appear in {listed}.",
                               note_line=1, line=1, source=site.articles[slug].source, id=ident, kind="shared",
                               auto=True))
    return tuple(anns)
