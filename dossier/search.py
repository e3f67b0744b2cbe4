"""Search: Dossier's own static index of the built archive, read by ``assets/search.js``.

:func:`index_files` takes one :class:`Record` per thing a reader may look for (a report, an
entity, an annotated passage, a claim, a page) and returns the files of the index, under
``search/``, as ``Output`` records (staged, listed in the manifest and swapped in with the
rest of the build).  One pass over the records, then one over the terms: linear in the text,
and the same records give the same bytes.

Words are folded as the browser folds the reader's query (:func:`fold`: compatibility
decomposition, combining marks dropped, lower case) and cut into runs of letters and digits.

The files (all JSON, all numbers small integers):

- ``search/index.json``, read when the reader first uses the field: the number of records,
  which term shards exist, where each text chunk starts, the filters with their values, and
  ``v``, a checksum of the other files (of each one's name, CRC-32 and length) that the
  browser adds to their addresses so that a cached old file is never mixed with a new index;
- ``search/t/<hex>.json``, a pack of neighbouring shards of the inverted index: ``{prefix: {term:
  [deltas]}}``, where the running sum of a term's deltas is ``doc * 64 + weight`` for each record
  having the term, in record order (one small number per posting).  A term's shard is its first
  two characters; a prefix with more than ``SHARD_POSTINGS`` postings is split by one more
  character (the terms as long as the prefix stay in its shard), again where needed.  The shards,
  in sorted order, are packed so that a small archive writes few files: a pack begins at the first
  shard and at each shard whose prefix's CRC-32 is a multiple of :func:`pack_every` (which depends
  only on the number of records, so an edit moves pack boundaries only where it adds or removes a
  shard); the pack's file is named by the hex of its first prefix's UTF-8 (safe on every file
  system).  The manifest's ``shards`` maps each prefix to its pack's number in ``packs`` (the first
  prefixes).  A query downloads one pack per word;
- ``search/x/<n>.json``, the records themselves, in chunks of about ``CHUNK_CHARS``
  characters: ``[[url, title, type, meta, text], ...]``, fetched for the results shown;
- ``search/f/<n>.json``, the records having one filter value (doc deltas), fetched when the
  reader chooses that value.

A weight is BM25's term-frequency part for that record (``k1`` 1.2, ``b`` 0.75, the length
measured in characters), plus ``TITLE_BONUS`` when the term is in the title, times ``SCALE``,
rounded (at most 37).  The browser multiplies it by the term's IDF, which it computes from the
length of the postings.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
import zlib
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from functools import cache, partial
from typing import Callable, Iterator
from itertools import islice

from .giveway import check, each
from .model import Output
from .search_marks import MARKS

FOLDER = "search"  # the index's folder in the output
SHARD_POSTINGS = 12_000  # a two-character shard with more postings is split by three characters
PACK_RECORDS = 24_000  # shards are packed about PACK_RECORDS / records to a file (see pack_every)
CHUNK_CHARS = 16_000  # text per record chunk (a record longer than this has a chunk of its own)
K1, B = 1.2, 0.75
TITLE_BONUS = 1.5
SCALE = 10
WEIGHTS = 64  # a posting is doc * WEIGHTS + weight: weights stay below (SCALE * (K1 + 1 + TITLE_BONUS))
TITLE_BONUS_POINTS = round(SCALE * TITLE_BONUS)

_WORD = re.compile(r"[^\W_]+")
_MARK = re.compile(f"[{MARKS}]+")
_KEEP = b"abcdefghijklmnopqrstuvwxyz0123456789"
_SPACES = bytes(c if c in _KEEP or c >= 128 else 32 for c in range(256))  # ASCII punctuation -> space
_FOLD = bytes(c + 32 if 65 <= c <= 90 else _SPACES[c] for c in range(256))  # and A-Z -> a-z: an ASCII text's lower()
# Marks no word holds (not letters or digits, no letter or digit in their compatibility decomposition) that
# text pasted from the web is full of: curly quotes, dashes, the ellipsis, the middle dot, a no-break space.
_PUNCTUATION = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7\u00a0"
# A word with a non-ASCII character. Tried only where a word begins (the look-behind), so a long
# ASCII word costs its length once, not once per character.
_WIDE = re.compile(rb"(?<!\S)\S*[\x80-\xff]\S*")


@dataclass(frozen=True, slots=True)
class Record:
    url: str  # the result's link, base path included (and the passage's fragment for an annotation)
    title: str
    content: str
    type: str  # Report, Entity, Annotation, Claim, Page
    filters: tuple = ()  # ((filter name, value), ...)
    meta: tuple = ()  # ((key, value), ...) shown with the result


def fold(text: str) -> str:
    """Compatibility-decomposed, without combining marks, in lower case (as the browser folds)."""
    if text.isascii():
        return text.lower()
    return _MARK.sub("", unicodedata.normalize("NFKD", text)).lower()


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits."""
    return _WORD.findall(fold(text))


def term_counts(text: str) -> Counter:
    """How often each word of ``text`` occurs, as UTF-8 bytes: the words of :func:`words`.

    Fast where the text is mostly ASCII: ASCII punctuation becomes a space in one
    ``bytes.translate`` and the split words are counted in C; only the few words with other
    characters (a curly quote, an accent) go through :func:`words`."""
    return _counts(_folded(text))


def _counts(raw: bytes) -> Counter:
    """:func:`term_counts` of a text :func:`_folded`."""
    counts = Counter(raw.split())
    if not raw.isascii():
        for token in _WIDE.findall(b" ".join(counts)):
            n = counts.pop(token)
            for w in words(token.decode("utf-8")):
                counts[w.encode("utf-8")] += n
    return counts


def _folded(text: str) -> bytes:
    """``text`` in lower case, as UTF-8, ASCII punctuation as spaces: an ASCII text in one
    ``bytes.translate`` (``_FOLD`` lowers it too)."""
    if text.isascii():
        return text.encode("ascii").translate(_FOLD)
    text = text.lower()
    for mark in _PUNCTUATION:  # common marks between words: a space, not a word of their own to read
        if mark in text:  # one character sought in the text: quicker than its UTF-8 in the bytes
            text = text.replace(mark, " ")
    return text.encode("utf-8").translate(_SPACES)


def _title_terms(title: str) -> dict:
    """The terms of ``title`` (:func:`term_counts`' keys, in its order; how often each occurs is never read)."""
    raw = _folded(title)
    return dict.fromkeys(raw.split()) if raw.isascii() else _counts(raw)


def shard_of(term: str, split: frozenset) -> str:
    """The prefix naming the shard that holds ``term``: its first two characters, one more for
    each of its prefixes that is split."""
    k = 2
    while len(term) > k and term[:k] in split:
        k += 1
    return term[:k]


def split_of(df: dict[str, int]) -> frozenset:
    """The prefixes whose terms have more than ``SHARD_POSTINGS`` postings (``df``: term -> its
    number of postings), level by level (the terms as long as a split prefix stay in its shard)."""
    split: set[str] = set()
    level, k = list(df), 2
    while level:
        sizes: Counter = Counter()
        for t in level:
            sizes[t[:k]] += df[t]
        big = {p for p, n in sizes.items() if n > SHARD_POSTINGS}
        big &= {t[:k] for t in level if len(t) > k}  # a prefix no longer term has stays whole
        split |= big
        level = [t for t in level if len(t) > k and t[:k] in big]
        k += 1
    return frozenset(split)


def _hex(key: str) -> str:
    return key.encode("utf-8").hex()


@dataclass(frozen=True, slots=True)
class Words:
    """A record's words, counted where its text is (a render worker, for a report): compact to
    send between processes and to keep."""

    key: int  # _key() of the record counted (title and text): its words are used only for that record
    length: int  # characters of the text: BM25's record length
    terms: bytes  # each word once, space-separated (UTF-8)
    counts: bytes  # array("I") of how often each occurs
    title: bytes  # the title's words, space-separated


def text_key(text: str) -> int:
    """A checksum of ``text``, the same in every process and run (the build cache keeps Words)."""
    data = text.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) | zlib.adler32(data) << 32


def _key(rec: Record) -> int:
    return text_key(f"{rec.title}\n{rec.content}")


@dataclass(frozen=True, slots=True)
class Counted:
    """A record's words counted where the index is made from them (in a one-off build, every record but
    the reports, whose words come from the render workers): :class:`Words` before they are packed to be
    sent or kept, and read as they are made, never all held."""

    length: int  # characters of the text
    counts: Counter  # term (UTF-8) -> how often it occurs (0: a title's term the text lacks)
    title: dict  # the title's terms (its keys)


def _count(rec: Record) -> tuple[Counter, dict]:
    counts = term_counts(rec.content)
    title = _title_terms(rec.title)
    for t in title:
        if t not in counts:  # a title word is a term of the record even where the text lacks it
            counts[t] = 0
    return counts, title


def count_words(rec: Record) -> Words:
    counts, title = _count(rec)
    return Words(_key(rec), len(rec.content), b" ".join(counts), array("I", list(counts.values())).tobytes(),
                 b" ".join(title))


def counted(rec: Record) -> Counted:
    return Counted(len(rec.content), *_count(rec))


def _terms(c: Words | Counted) -> tuple:
    """A record's terms, how often each occurs (in the same order), its title's terms."""
    if isinstance(c, Counted):
        return c.counts.keys(), c.counts.values(), c.title
    counts = array("I")
    counts.frombytes(c.counts)
    return c.terms.split(), counts, c.title.split()


def _weights(length: int, counts, avglen: float, at: int) -> tuple[dict, float]:
    norm = K1 * (1 - B + B * length / avglen)
    return {n: at + (round(SCALE * n * (K1 + 1) / (n + norm)) or 1) for n in set(counts)}, norm


def weight_table(c: Words, avglen: float, at: int) -> tuple[dict, float, array]:
    """n -> ``at`` plus the weight of a term occurring n times in record ``c``, for each n one of its
    terms occurs (a few distinct counts: not every n up to the most frequent term's); ``c``'s BM25
    length norm; and how often each of its terms occurs."""
    _terms_of, counts, _title = _terms(c)
    return *_weights(c.length, counts, avglen, at), counts


def doc_postings(doc: int, c: Words, avglen: float) -> dict[bytes, int]:
    """term -> posting (``doc * 64 + weight``) of one record."""
    table, _norm, counts = weight_table(c, avglen, doc * WEIGHTS)
    got = dict(zip(c.terms.split(), map(table.__getitem__, counts)))
    for t in c.title.split():
        got[t] += TITLE_BONUS_POINTS
    return got


def norm_bounds(table: dict, at: int, counts) -> tuple[float, float]:
    """Length norms (strictly) between which the weights ``table`` (made at ``at``) gives the counts
    ``counts`` stay what they are, with a margin for rounding: outside them the weights are computed
    again to be sure.  (A weight of 1 that rounds from 0 gets bounds its norm is outside: always
    computed again.)"""
    ns = [n for n in set(counts) if n]
    if not ns:
        return 0.0, float("inf")
    c = SCALE * (K1 + 1)
    ws = [table[n] - at for n in ns]
    lo = max([c * n / (w + 0.5) - n for n, w in zip(ns, ws)])
    hi = min([c * n / (w - 0.5) - n for n, w in zip(ns, ws)])
    return lo + abs(lo) * 1e-9 + 1e-12, hi - abs(hi) * 1e-9


def _postings(counted: list, bounds: array | None = None, total: int | None = None) -> dict[bytes, array]:
    """term -> [doc * 64 + weight, ...] in record order: one pass over the records (:class:`Words` or
    :class:`Counted`; ``total``: the sum of their lengths, when known without reading them).  ``bounds``
    gets each record's :func:`norm_bounds`."""
    total = sum(c.length for c in counted) if total is None else total
    avglen = total / max(len(counted), 1) or 1.0
    bonus = TITLE_BONUS_POINTS
    terms: defaultdict[bytes, array] = defaultdict(partial(array, "I"))
    append, postings = array.append, terms.__getitem__
    for doc, c in each(enumerate(counted)):
        at = doc * WEIGHTS
        terms_of, counts, title = _terms(c)
        table, _norm = _weights(c.length, counts, avglen, at)
        if bounds is not None:
            bounds.extend(norm_bounds(table, at, counts))
        # Each posting appended to its term's array in C (map; a deque of length 0 takes the Nones).
        deque(map(append, map(postings, terms_of), map(table.__getitem__, counts)), 0)
        for t in title:
            terms[t][-1] += bonus
    terms.default_factory = None  # a dict from here: a missing term is a KeyError
    return terms


def _deltas(docs: list) -> list:
    out = [b - a for a, b in zip(docs, islice(docs, 1, None))]
    out.insert(0, docs[0])
    return out


_FIELD = 32  # bits of the array("I") item _at_once reads (another size goes the plain way)
_NUMBERS = 1 << 16  # deltas below this are written from a table (94 % of the postings at 10,000 articles)


def _at_once(postings: array) -> tuple[list, bool] | None:
    """:func:`_deltas` of a term's postings (an array("I"), increasing), all at once in C, and whether
    each is below ``_NUMBERS``; None where that does not apply.  The array is read as one integer of
    32-bit fields (the first item lowest), less itself shifted up a field (the top one dropped).  No
    field borrows from the next while each item is at least the one before; a borrow would add
    2**32 - 1 to the fields' sum, so the sum is checked against the last item (what the deltas add up
    to), and None where it differs."""
    n = len(postings)
    if n < 8 or postings.itemsize * 8 != _FIELD:
        return None
    items = postings
    if sys.byteorder == "big":
        items = array("I", postings)
        items.byteswap()
    whole = int.from_bytes(items, "little")
    diff = whole - ((whole << _FIELD) & ((1 << (_FIELD * n)) - 1))
    if diff < 0:
        return None
    raw = diff.to_bytes(4 * n, "little")
    out = array("I")
    out.frombytes(raw)
    if sys.byteorder == "big":
        out.byteswap()
    deltas = out.tolist()
    if sum(deltas) != postings[-1]:
        return None
    zero = bytes(n)
    return deltas, raw[2::4] == zero and raw[3::4] == zero  # each field's two high bytes (little-endian)


@cache
def _number() -> Callable[[int], str]:
    """``str(n)`` for ``0 <= n < _NUMBERS``, by its index in a table made once per process (4 MB)."""
    return [str(n) for n in range(_NUMBERS)].__getitem__


def _postings_json(postings: array) -> str:
    """``json.dumps`` (compact) of :func:`_deltas` of a term's postings: where each is below
    ``_NUMBERS``, each taken from a table (the encoder makes a new string of each number: 0.25 -> 0.16 s
    for the 3.8 million postings of 10,000 articles)."""
    got = _at_once(postings)
    if got is not None and got[1]:
        return "[" + ",".join(map(_number(), got[0])) + "]"
    return json.dumps(_deltas(postings) if got is None else got[0], separators=(",", ":"))


def _dump(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")  # escaped: faster to write than UTF-8


def _pack_json(pack: dict) -> bytes:
    """:func:`_dump` of a pack of shards (``{prefix: {term: [deltas]}}``) whose deltas are JSON already
    (:func:`_postings_json`): the same bytes, the keys escaped as the encoder escapes them."""
    key = json.encoder.encode_basestring_ascii
    return ("{" + ",".join([key(k) + ":{" + ",".join([key(t) + ":" + d for t, d in group.items()]) + "}"
                            for k, group in pack.items()]) + "}").encode("ascii")


def pack_every(records: int) -> int:
    """About how many shards go to a pack (file) for an index of ``records`` records: a shard's size
    grows with the archive, so a pack holds fewer of them as the archive grows (one from about
    ``PACK_RECORDS`` records)."""
    return max(1, round(PACK_RECORDS / max(records, 1)))


def starts_pack(key: str, every: int) -> bool:
    """Whether shard ``key`` begins a pack (the first shard always does): its prefix alone decides."""
    return every <= 1 or zlib.crc32(key.encode("utf-8")) % every == 0


def pack_map(keys: list[str], every: int) -> dict[str, str]:
    """Shard prefix -> the first prefix of its pack, for the sorted ``keys``."""
    out, first = {}, ""
    for key in keys:
        if not out or starts_pack(key, every):
            first = key
        out[key] = first
    return out


def pack_name(first: str) -> str:
    return f"t/{_hex(first)}.json"


def _shards(postings: dict[bytes, array], df: dict, every: int) -> tuple[Iterator[tuple[str, bytes]], frozenset, dict]:
    """The pack files, one at a time, the prefixes that are split and the shards' packs (shard prefix ->
    first prefix of its pack; filled as the files are made); ``df`` gets each term's number of
    postings.  A shard's terms are neighbours in sorted order (a prefix's own terms, or the prefix
    alone where it is split), and so are a pack's shards, so one pack is held in memory at a time,
    and each term's postings are let go once written."""
    terms = {t.decode("utf-8"): p for t, p in postings.items()}
    postings.clear()
    df.update((t, len(p)) for t, p in terms.items())
    split = split_of(df)
    packs: dict[str, str] = {}

    def files() -> Iterator[tuple[str, bytes]]:
        first, pack, group = "", {}, {}
        for t in each(sorted(terms)):
            k = shard_of(t, split)
            if k not in packs:
                if pack and starts_pack(k, every):
                    yield first, _pack_json(pack)
                    pack = {}
                if not pack:
                    first = k
                packs[k], group = first, {}
                pack[k] = group
            group[t] = _postings_json(terms.pop(t))
        if pack:
            yield first, _pack_json(pack)
    return files(), split, packs


def _record_size(r: Record) -> int:
    """About what a record takes in its chunk."""
    return len(r.content) + len(r.title) + len(r.url) + 80  # and the type, the meta, the brackets


def begins_chunk(size: int, n: int) -> bool:
    """Whether a record of size ``n`` (``_record_size``) begins a chunk after one of ``size`` so far (0: none)."""
    return size > 0 and size + n > CHUNK_CHARS


def _chunks(records) -> Iterator[tuple[int, list[Record]]]:
    """Each chunk of about ``CHUNK_CHARS`` characters: (the number of its first record, its records),
    in one pass over ``records`` (a one-off build's reports are made again each time they are read)."""
    chunk: list[Record] = []
    start = size = 0
    for i, r in enumerate(records):
        n = _record_size(r)
        if begins_chunk(size, n):
            yield start, chunk
            start, chunk, size = i, [], 0
        size += n
        chunk.append(r)
    if chunk:
        yield start, chunk


def chunk_starts(records: list[Record]) -> list[int]:
    """The number of the first record of each chunk of about ``CHUNK_CHARS`` characters."""
    return [start for start, _chunk in _chunks(records)]


def chunk_file(records: list[Record]) -> bytes:
    return _dump([[r.url, r.title, r.type, dict(r.meta), r.content] for r in records])


def filter_pairs(r: Record) -> tuple:
    """A record's filter values, (name, value) each, once each."""
    return tuple(dict.fromkeys((("Type", r.type), *r.filters)))


def _filter_docs(docs: dict, i: int, r: Record, pairs: tuple | None = None) -> None:
    """Add record ``i`` to the records of each of its filter values (``docs``: (name, value) -> numbers);
    ``pairs``: ``filter_pairs(r)``, when known."""
    for pair in filter_pairs(r) if pairs is None else pairs:
        docs.setdefault(pair, []).append(i)


def _filters(records: list[Record], docs: dict | None = None) -> tuple[dict, list[bytes]]:
    """``{name: [[value, count, file number], ...]}`` (values sorted) and the filter files (of
    ``docs`` when given: ``_filter_docs`` of every record, already made)."""
    if docs is None:
        docs = {}
        for i, r in enumerate(records):
            _filter_docs(docs, i, r)
    table: dict[str, list] = {}
    files = []
    for (name, value), ds in sorted(docs.items()):
        table.setdefault(name, []).append([value, len(ds), len(files)])
        files.append(_dump(_deltas(ds)))
    return table, files


def record_words(records: list[Record], counted: dict | None, memo: dict | None,
                 trusted: frozenset = frozenset()) -> list[Words]:
    """Each record's :class:`Words`: ``counted`` maps a record's number to them where they were
    counted already; ``memo`` (kept between builds: the preview's, the build cache's) has words by
    key, and is left with those of ``records``. The counted words of a record in ``trusted`` are taken
    without reading the record (they are known to be its own: ``exports._check``)."""
    counted, last = counted or {}, dict(memo or {})
    words = []
    for i in each(range(len(records))):
        w = counted.get(i)
        if i not in trusted or w is None:
            r = records[i]
            key = _key(r)
            if w is None or w.key != key:
                w = last.get(key) or count_words(r)
        words.append(w)
    if memo is not None:
        memo.clear()
        memo.update((w.key, w) for w in words)
    return words


def index_files(records: list[Record], counted: dict | None = None, memo: dict | None = None,
                state: list | None = None) -> list[Output]:
    """The search index for ``records`` (record numbers in this order): ``search/`` files.
    ``counted`` and ``memo`` as in :func:`record_words`; ``state`` (a list) gets the
    :class:`dossier.search_update.State` the next build updates the index from."""
    return sorted(index_of(records, record_words(records, counted, memo), state), key=lambda o: o.path)


def index_of(records: list[Record], words: list, state: list | None = None, total: int | None = None) -> Iterator[Output]:
    """:func:`index_files` of records whose words are ``words``, one file at a time (the manifest
    last, then ``state`` gets the State): made as they are taken, so few are held at once.  ``total``:
    as :func:`_postings`'s."""
    terms: dict = {}
    yield from term_files(words, len(records), terms, state is not None, total)
    rest: dict = {}
    yield from record_files(records, rest)
    check()
    yield manifest(records, words, terms, rest, state)


def term_files(words: list, records: int, made: dict, bounds: bool = True, total: int | None = None) -> Iterator[Output]:
    """The index's term packs for records whose words are ``words``, one at a time; once all are
    taken, ``made`` holds what the manifest takes of them (``sums``: each file's checksum and size;
    ``bounds``: the records' norm bounds, only a State's, so made only when ``bounds`` is true;
    ``total``: as :func:`_postings`'s)."""
    norms, df = array("d") if bounds else None, {}
    shards, split, packs = _shards(_postings(words, norms, total), df, pack_every(records))
    sums: dict[str, tuple[int, int]] = {}
    for first, data in shards:
        name = pack_name(first)
        sums[name] = (zlib.crc32(data), len(data))
        yield Output(f"{FOLDER}/{name}", data)
    made.update(bounds=norms, df=df, split=split, packs=packs, sums=sums)


def record_files(records: list[Record], made: dict) -> Iterator[Output]:
    """The index's record chunks and filter files, one at a time; once all are taken, ``made`` holds
    what the manifest takes of them (independent of the words: see :func:`term_files`)."""
    sums: dict[str, tuple[int, int]] = {}
    starts: list[int] = []
    docs: dict = {}
    for n, (start, chunk) in each(enumerate(_chunks(records)), 1):  # one pass over the records
        starts.append(start)
        for i, r in enumerate(chunk, start):
            _filter_docs(docs, i, r)
        data = chunk_file(chunk)
        sums[f"x/{n}.json"] = (zlib.crc32(data), len(data))
        yield Output(f"{FOLDER}/x/{n}.json", data)
    check()
    files = filter_files(records, sums, docs)
    made.update(starts=starts, filters=files.pop("filters"), sums=sums)
    for name, data in files.items():
        yield Output(f"{FOLDER}/{name}", data)


def manifest(records: list[Record], words, terms: dict, rest: dict, state: list | None = None) -> Output:
    """``index.json`` from what :func:`term_files` and :func:`record_files` left; ``state`` gets the
    State.  ``words``: the records' Words, or (their keys as an array("Q"), the sum of their lengths), or
    None when no State is made."""
    sums = {**terms["sums"], **rest["sums"]}
    index = index_json(len(records), terms["split"], terms["packs"], rest["starts"], rest["filters"], sums)
    if state is not None:
        from .search_update import State  # noqa: PLC0415 - it imports this module
        state.append(State.of(records, words, terms["bounds"], terms["df"], terms["split"], terms["packs"],
                              rest["starts"], sums, index))
    return Output(f"{FOLDER}/index.json", index)


def filter_files(records: list[Record], sums: dict, docs: dict | None = None) -> dict:
    """``f/<n>.json`` files and ``filters``: the manifest's table of them; ``sums`` gets their checksums.
    ``docs``: as :func:`_filters`'s."""
    table, data = _filters(records, docs)
    files = {f"f/{n}.json": d for n, d in enumerate(data)}
    sums.update((name, (zlib.crc32(d), len(d))) for name, d in files.items())
    return {**files, "filters": table}


def index_json(docs: int, split: frozenset, packs: dict, starts: list, filters: dict, sums: dict) -> bytes:
    """The manifest; its ``v`` is a checksum of every other file's name, checksum and length.
    ``packs``: shard prefix -> the first prefix of its pack (:func:`pack_map`)."""
    check = 0
    for name in sorted(sums):
        crc, length = sums[name]
        check = zlib.crc32(f"{name} {crc:08x} {length}\n".encode("utf-8"), check)
    firsts = sorted(set(packs.values()))
    number = {first: n for n, first in enumerate(firsts)}
    return _dump({"version": 2, "v": f"{check:08x}", "docs": docs, "scale": SCALE, "weights": WEIGHTS,
                  "packs": firsts, "shards": {k: number[packs[k]] for k in sorted(packs)}, "split": sorted(split),
                  "chunks": _deltas(starts) if starts else [], "filters": filters})


def chunk_of(doc: int, starts: list[int]) -> int:
    """The number of the chunk holding record ``doc`` (``starts`` as in the manifest, undeltaed)."""
    return bisect_right(starts, doc) - 1
