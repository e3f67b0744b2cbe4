"""A reader of Dossier's search index in Python, as the browser's search-core.js reads it, and a
naive search over the records themselves to check it against.

``IndexReader(files)`` takes the ``search/`` files (``{"search/...": bytes}``) of one build.
"""
from __future__ import annotations

import json
import math

from dossier.search import shard_of, words

PREFIX_FACTOR = 0.6  # as in search-core.js


def undelta(ds: list[int]) -> list[int]:
    out, n = [], 0
    for d in ds:
        n += d
        out.append(n)
    return out


class IndexReader:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.man = json.loads(files["search/index.json"])
        self.split = frozenset(self.man["split"])
        self.starts = undelta(self.man["chunks"])
        self.fetched: list[str] = []

    def get(self, name: str):
        self.fetched.append(name)
        return json.loads(self.files["search/" + name])

    def shard(self, key: str) -> dict:
        """The terms of shard ``key`` (in its pack's file) as the browser reads them."""
        if key not in self.man["shards"]:
            return {}
        first = self.man["packs"][self.man["shards"][key]]
        return self.get(f"t/{first.encode('utf-8').hex()}.json")[key]

    def postings(self, term: str) -> tuple[list[int], list[int]]:
        """(doc numbers, weights) of a term; empty when it is in no record."""
        return self.decode(self.shard(shard_of(term, self.split)).get(term, []))

    def decode(self, deltas: list[int]) -> tuple[list[int], list[int]]:
        got, per = undelta(deltas), self.man["weights"]
        return [v // per for v in got], [v % per for v in got]

    def scores(self, word: str, prefix: bool) -> dict[int, float]:
        best: dict[int, float] = {}
        for term, deltas in self.shard(shard_of(word, self.split)).items():
            if term != word and not (prefix and term.startswith(word)):
                continue
            docs, weights = self.decode(deltas)
            n, df = self.man["docs"], len(docs)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) * (1 if term == word else PREFIX_FACTOR)
            for doc, w in zip(docs, weights):
                best[doc] = max(best.get(doc, 0.0), idf * w)
        return best

    def search(self, query: str, chosen: dict | None = None) -> list[int]:
        """Record numbers, best first: every query word (the last one as a prefix)."""
        ws = list(dict.fromkeys(words(query)))
        if not ws:
            return []
        typing = query[-1:].isalnum() and ws[-1] == words(query)[-1]
        maps = [self.scores(w, typing and w == ws[-1]) for w in ws]
        docs = set(maps[0]).intersection(*maps[1:])
        for name, value in (chosen or {}).items():
            hit = [v for v in self.man["filters"].get(name, []) if v[0] == value]
            docs &= set(undelta(self.get(f"f/{hit[0][2]}.json"))) if hit else set()
        total = {d: sum(m[d] for m in maps) for d in docs}
        return sorted(total, key=lambda d: (-total[d], d))

    def record(self, doc: int) -> list:
        n = max(i for i, s in enumerate(self.starts) if s <= doc)
        return self.get(f"x/{n}.json")[doc - self.starts[n]]


def naive(records, query: str, split=frozenset()) -> set[int]:
    """The records whose text or title has every word of ``query`` (the last one as a prefix of
    the words in its shard: ``split`` is the manifest's)."""
    ws = list(dict.fromkeys(words(query)))
    typing = query[-1:].isalnum()
    found = set()
    for i, r in enumerate(records):
        have = set(words(r.content)) | set(words(r.title))
        if all(w in have or (typing and w == ws[-1] and any(
                h.startswith(w) and shard_of(h, split) == shard_of(w, split) for h in have)) for w in ws):
            found.add(i)
    return found
