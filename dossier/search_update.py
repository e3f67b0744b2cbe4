"""The search index of a build updated from the last build's own files, in proportion to what changed.

A build that changed a few records (an article edited) makes again only the files those changes
reach: the term shards where one of their postings changed, the chunks holding them, the filter
files and the manifest; every other file of ``search/`` is carried over as the output folder
holds it.  What the update needs of the last index is its :class:`State` (kept in the session,
and so in the build cache) and the shards it rewrites, read back from the output folder and
taken only when their bytes have the digest the output's manifest lists.  Whenever anything
does not fit (another number of records, many changes, a prefix that splits or joins, a file
that is not what the manifest says), :func:`update` answers None and the whole index is made
again: the files are the same bytes either way (``tests/unit/test_search_update.py``).

A record's postings hold weights that depend on the average record length, which moves with
every edit; a record keeps its weights while its length norm stays between the bounds
:func:`search.norm_bounds` gave it, and is looked at again otherwise.
"""
from __future__ import annotations

import json
import zlib
from array import array
from dataclasses import dataclass
from typing import Callable

from . import search
from .giveway import check, each
from .model import Output
from .search import FOLDER, Record, Words

MAX_SHARE = 16  # more than one record in MAX_SHARE changed: the whole index is made again
MIN_CHANGES = 64  # ... unless they are this few


def entry_key(r: Record) -> int:
    """What a record's chunk entry holds beside its words (whose key is ``Words.key``)."""
    return search.text_key(f"{r.url}\0{r.type}\0{r.meta!r}")


@dataclass
class State:
    """What the last build's index was made of: enough to update it without making it again."""

    index: str  # digest of the search/index.json it wrote: the output holds this index
    keys: bytes  # array("Q"): each record's Words.key
    entries: bytes  # array("Q"): each record's entry_key
    bounds: bytes  # array("d"): two per record, see search.norm_bounds
    total: int  # sum of the records' lengths
    df: dict  # term -> its number of postings
    split: frozenset
    packs: dict  # shard prefix -> the first prefix of its pack (search.pack_map)
    starts: tuple  # the chunks' first records
    sums: dict  # file name under search/ -> (crc32, length), the manifest excepted

    @classmethod
    def made(cls, keys: array, entries: array, words, bounds: array, df: dict, split: frozenset,
             packs: dict, starts: list, sums: dict, index: bytes) -> "State":
        """``words``: the records' Words, or the sum of their lengths."""
        from .write import digest  # noqa: PLC0415 - write imports the output folder's modules
        total = words if isinstance(words, int) else sum(w.length for w in words)
        return cls(digest(index), keys.tobytes(), entries.tobytes(), bounds.tobytes(), total,
                   df, split, dict(packs), tuple(starts), dict(sums))

    @classmethod
    def of(cls, records: list[Record], words, *rest) -> "State":
        """The State of an index made whole (see :func:`search.index_files`); ``words``: the records'
        Words, or (their keys as an array("Q"), the sum of their lengths)."""
        keys, total = words if isinstance(words, tuple) else (array("Q", (w.key for w in words)), words)
        return cls.made(keys, array("Q", map(entry_key, each(records))), total, *rest)


def update(state: State | None, records: list[Record], words: list[Words], memo: dict, previous: dict,
           read: Callable[[str], bytes], heads: dict | None = None,
           facts: dict | None = None) -> tuple[list[Output], dict, State] | None:
    """(files made again, files carried over: path -> digest, the new State), or None: make it all.

    ``memo``: the last build's words by key (the changed records' old words); ``previous``: path ->
    digest of what the output folder holds; ``read(path)``: its bytes there; ``heads``: record number ->
    the record but its text, for records whose ``words`` are known to be theirs (not made for their
    entry keys, chunk starts and filter values: see :func:`_record_facts`); ``facts``: record number -> what
    ``report_facts`` takes of such a record's head, made before (its head need not be made either)."""
    n = len(records)
    if state is None or previous.get(f"{FOLDER}/index.json") != state.index or len(state.keys) != 8 * n:
        return None
    old_keys, old_entries = array("Q"), array("Q")
    old_keys.frombytes(state.keys)
    old_entries.frombytes(state.entries)
    keys = array("Q", (w.key for w in words))
    entries, starts, docs = _record_facts(records, words, heads or {}, facts or {})
    changed = [i for i in range(n) if keys[i] != old_keys[i]]
    if len(changed) > max(MIN_CHANGES, n // MAX_SHARE) or any(old_keys[i] not in memo for i in changed):
        return None
    total = state.total + sum(words[i].length - memo[old_keys[i]].length for i in changed)
    old_avg, avg = state.total / max(n, 1) or 1.0, total / max(n, 1) or 1.0
    bounds = array("d")
    bounds.frombytes(state.bounds)
    moved = _reweighed(words, bounds, avg, set(changed)) if avg != old_avg else []
    if len(changed) + len(moved) > max(MIN_CHANGES, n // MAX_SHARE):
        return None
    diffs: dict[str, dict] = {}  # term -> {doc: its new posting, or None}
    df = dict(state.df)
    for i in [*changed, *moved]:
        before = search.doc_postings(i, memo[old_keys[i]], old_avg)
        after = search.doc_postings(i, words[i], avg)
        for t in before.keys() | after.keys():
            p = after.get(t)
            if before.get(t) != p:
                term = t.decode("utf-8")
                diffs.setdefault(term, {})[i] = p
                df[term] = df.get(term, 0) + (p is not None) - (t in before)
                if not df[term]:
                    del df[term]
        table, _norm, counts = search.weight_table(words[i], avg, 0)
        bounds[2 * i:2 * i + 2] = array("d", search.norm_bounds(table, 0, counts))
    check()
    if search.split_of(df) != state.split:
        return None
    check()
    sums = dict(state.sums)
    got = _packs(diffs, state, search.pack_every(n), sums, Packs(previous, read))
    if got is None:
        return None
    made, packs = got
    check()
    made.update(_chunks(records, starts, state.starts, keys, old_keys, entries, old_entries, sums))
    for name in [k for k in sums if k.startswith("f/")]:
        del sums[name]
    check()
    made.update(search.filter_files(records, sums, docs))
    check()
    made["index.json"] = search.index_json(n, state.split, packs, starts, made.pop("filters"), sums)
    carried = {f"{FOLDER}/{name}": previous.get(f"{FOLDER}/{name}") for name in sums if name not in made}
    if None in carried.values():
        return None
    check()
    new = State.made(keys, entries, words, bounds, df, state.split, packs, starts, sums, made["index.json"])
    return [Output(f"{FOLDER}/{name}", data) for name, data in sorted(made.items())], carried, new


def report_facts(head: Record) -> tuple[int, int, tuple]:
    """What the update takes of a record whose words are known to be its own, from its head (the record but
    its text, see :func:`_record_facts`): its size in its chunk but its text's (which its words' length
    gives), its entry key and its filter values."""
    return search._record_size(head) - len(head.content), entry_key(head), search.filter_pairs(head)


def _record_facts(records, words: list[Words], heads: dict, facts: dict | None = None) -> tuple[array, list[int],
                                                                                                  dict]:
    """Each record's entry key, the chunks' first records and each filter value's records
    (``search._filter_docs``), in one pass over ``records``, whose reports may be made each time they are
    read; a record in ``heads`` is not made: its head (the record but its text) holds all but the text,
    whose length is its words' (``Words.length``); a record in ``facts`` (``report_facts`` of its head) is not
    made, nor its head."""
    entries, starts, docs = array("Q"), [], {}
    size = 0
    facts = facts or {}
    for i in each(range(len(records))):
        known = facts.get(i)
        if known is None:
            head = heads.get(i)
            r = records[i] if head is None else head
            n = search._record_size(r) + (0 if head is None else words[i].length - len(head.content))
            key, pairs = entry_key(r), None
        else:
            r, n, key, pairs = None, known[0] + words[i].length, known[1], known[2]
        if not starts or search.begins_chunk(size, n):
            starts.append(i)
            size = 0
        size += n
        entries.append(key)
        search._filter_docs(docs, i, r, pairs)
    return entries, starts, docs


def _reweighed(words: list[Words], bounds: array, avg: float, changed: set) -> list[int]:
    """Records not changed whose length norm left its bounds (their weights may have moved)."""
    out = []
    for i, w in each(enumerate(words)):
        if i in changed:
            continue
        norm = search.K1 * (1 - search.B + search.B * w.length / avg)
        if not bounds[2 * i] < norm < bounds[2 * i + 1]:
            out.append(i)
    return out


class Packs:
    """The last build's pack files, read from the output folder when first needed and taken only when
    their bytes are what the manifest lists (else ``get`` answers None)."""

    def __init__(self, previous: dict, read) -> None:
        self.previous, self.read, self.got = previous, read, {}

    def get(self, first: str) -> dict | None:
        if first not in self.got:
            data = _verified(f"{FOLDER}/{search.pack_name(first)}", self.previous, self.read)
            self.got[first] = None if data is None else json.loads(data)
        return self.got[first]


def _packs(diffs: dict, state: State, every: int, sums: dict, old: Packs) -> tuple[dict, dict] | None:
    """The pack files the changed postings reach (name -> bytes; a shard that appears or goes moves
    the pack boundaries around it only), and the new shard -> pack map; None: a pack is not as listed."""
    groups = _groups(diffs, state, old)
    if groups is None:
        return None
    keys = (state.packs.keys() | {k for k, g in groups.items() if g}) - {k for k, g in groups.items() if not g}
    packs = search.pack_map(sorted(keys), every)
    members, old_members = _members(packs), _members(state.packs)
    made = {}
    for first, ks in members.items():
        if old_members.get(first) == ks and not any(k in groups for k in ks):
            continue
        pack = {}
        for k in ks:
            group = groups.get(k)
            if group is None:
                got = old.get(state.packs[k])
                if got is None or k not in got:
                    return None
                group = got[k]
            pack[k] = group
        made[search.pack_name(first)] = search._dump(pack)
    for first in old_members.keys() - members.keys():
        sums.pop(search.pack_name(first), None)
    sums.update((name, (zlib.crc32(data), len(data))) for name, data in made.items())
    return made, packs


def _groups(diffs: dict, state: State, old: Packs) -> dict | None:
    """shard prefix -> its terms' new deltas (sorted; empty: the shard goes), for the shards changed."""
    by_shard: dict[str, dict] = {}
    for t, docs in diffs.items():
        by_shard.setdefault(search.shard_of(t, state.split), {})[t] = docs
    groups = {}
    for key, changes in sorted(by_shard.items()):
        group = {}
        if key in state.packs:
            pack = old.get(state.packs[key])
            if pack is None or key not in pack:
                return None
            group = pack[key]
        for t, docs in changes.items():
            postings = [p for p in _undelta(group.get(t, ())) if p // search.WEIGHTS not in docs]
            postings += [p for p in docs.values() if p is not None]
            postings.sort()
            group[t] = search._deltas(postings) if postings else None
        groups[key] = {t: group[t] for t in sorted(group) if group[t] is not None}
    return groups


def _members(packs: dict) -> dict[str, list]:
    """first prefix of a pack -> its shards' prefixes, in order."""
    out: dict[str, list] = {}
    for key in sorted(packs):
        out.setdefault(packs[key], []).append(key)
    return out


def _chunks(records, starts, old_starts, keys, old_keys, entries, old_entries, sums: dict) -> dict:
    """The chunk files holding a changed record, or whose records are not those of the same chunk before."""
    n = len(records)
    ends, old_ends = [*starts[1:], n], [*old_starts[1:], n]
    made = {}
    for j, (a, b) in enumerate(zip(starts, ends)):
        same = j < len(old_starts) and (old_starts[j], old_ends[j]) == (a, b) and f"x/{j}.json" in sums
        if same and keys[a:b] == old_keys[a:b] and entries[a:b] == old_entries[a:b]:
            continue
        made[f"x/{j}.json"] = search.chunk_file(records[a:b])
        sums[f"x/{j}.json"] = (zlib.crc32(made[f"x/{j}.json"]), len(made[f"x/{j}.json"]))
    for j in range(len(starts), len(old_starts)):
        sums.pop(f"x/{j}.json", None)
    return made


def _verified(path: str, previous: dict, read) -> bytes | None:
    from .write import digest  # noqa: PLC0415
    try:
        data = read(path)
    except OSError:
        return None
    return data if digest(data) == previous.get(path) else None


def _undelta(deltas) -> list[int]:
    out, at = [], 0
    for d in deltas:
        at += d
        out.append(at)
    return out
