"""dossier/search_update.py: the search index updated from the last build's files is the index made
whole, byte for byte, after any edit; it makes again only the files an edit reaches; and it never
takes a file of the output folder that is not what the manifest says."""
from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

from dossier import search, search_update
from dossier.search import Record, index_files, index_of, record_words, shard_of
from dossier.write import digest
from tests.unit.test_search_index import corpus


class Builds:
    """Successive builds of an index as the exports make them: the output folder is ``files``."""

    def __init__(self, records: list[Record]) -> None:
        self.memo: dict = {}
        self.state = None
        self.files: dict[str, bytes] = {}
        self.manifest: dict[str, str] = {}  # what the output's manifest lists: a hand edit does not change it
        self.made: list[str] = []
        self.whole = False
        self.build(records)

    def build(self, records: list[Record]) -> dict[str, bytes]:
        last = dict(self.memo)
        words = record_words(records, None, self.memo)
        previous = self.manifest
        got = search_update.update(self.state, records, words, last, previous, self.files.__getitem__)
        self.whole = got is None
        if got is None:
            box = []
            outs, carried = list(index_of(records, words, box)), {}
            self.state = box[0]
        else:
            outs, carried, self.state = got
        assert all(previous[p] == d for p, d in carried.items())
        self.files = {**{p: self.files[p] for p in carried}, **{o.path: o.data for o in outs}}
        self.made = sorted(o.path for o in outs)
        self.manifest = {p: digest(d) for p, d in self.files.items()}
        return self.files


def whole(records: list[Record]) -> dict[str, bytes]:
    return {o.path: o.data for o in index_files(records)}


EDITS = ("append", "replace", "title", "url", "filter", "shrink", "grow")


def edit(rnd: random.Random, r: Record, kind: str) -> Record:
    vocab = ["w1", "w2", "then", "new", "zebra", "café", "Ångström", "the", "t"]
    if kind == "append":
        return replace(r, content=r.content + " " + " ".join(rnd.choice(vocab) for _ in range(rnd.randint(1, 6))))
    if kind == "replace":
        return replace(r, content=" ".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 40))))
    if kind == "title":
        return replace(r, title=rnd.choice(vocab) + " " + r.title)
    if kind == "url":
        return replace(r, url=r.url + "v2/", meta=(("detail", "changed"),))
    if kind == "filter":
        return replace(r, filters=(("Outlet", rnd.choice(["Alpha", "Gamma"])),))
    if kind == "shrink":
        return replace(r, content="")
    return replace(r, content=(r.content + " ") * 40)  # grow: moves the average length, and so many weights


@pytest.fixture(params=[1, 3, 1000], ids=["one-shard-a-pack", "three-a-pack", "one-pack"])
def every(request, monkeypatch):
    """About how many shards a pack holds (search.pack_every): several packs, or one."""
    monkeypatch.setattr(search, "pack_every", lambda records: request.param)
    return request.param


@pytest.mark.parametrize("seed", range(12))
def test_updated_index_equals_the_index_made_whole_after_any_edits(seed, every):
    rnd = random.Random(seed)
    records = corpus(rnd.randint(40, 160), seed=seed)
    builds = Builds(records)
    updated = 0
    for _ in range(6):
        for _ in range(rnd.randint(0, 4)):
            i = rnd.randrange(len(records))
            records[i] = edit(rnd, records[i], rnd.choice(EDITS))
        assert builds.build(records) == whole(records)
        updated += not builds.whole
    assert updated  # the update was taken, not only the whole index


def test_one_edit_makes_again_only_the_files_it_reaches(every):
    records = corpus(400, seed=5)
    builds = Builds(records)
    total = len(builds.files)
    records[123] = replace(records[123], content=records[123].content + " zebra zebra")
    assert builds.build(records) == whole(records)
    assert not builds.whole
    made = builds.made
    assert "search/index.json" in made and sum(p.startswith("search/x/") for p in made) == 1
    assert sum(p.startswith("search/t/") for p in made) <= 3  # zebra's shard, and the weights that moved
    assert len([p for p in made if not p.startswith("search/f/")]) <= 5 < total, made


def test_nothing_changed_makes_only_the_small_files():
    records = corpus(200, seed=2)
    builds = Builds(records)
    assert builds.build(records) == whole(records)
    assert not builds.whole and all(p.startswith(("search/f/", "search/index.json")) for p in builds.made)


def test_a_new_shard_or_a_shard_gone_rewrites_only_the_packs_around_it(monkeypatch):
    monkeypatch.setattr(search, "pack_every", lambda records: 3)
    rnd = random.Random(8)
    vocab = ["".join(rnd.choice("abcdefghijklmnoprstuvwy") for _ in range(5)) for _ in range(400)]  # no q
    records = [Record(f"/{i}/", vocab[i], " ".join(rnd.choices(vocab, k=30)), "Report") for i in range(300)]
    builds = Builds(records)
    assert sum(p.startswith("search/t/") for p in builds.files) > 20
    text = records[5].content
    for added in ("quixotic", ""):  # a shard "qu" appears, then goes
        records[5] = replace(records[5], content=f"{text} {added}")
        assert builds.build(records) == whole(records)
        assert not builds.whole and 1 <= sum(p.startswith("search/t/") for p in builds.made) <= 3, builds.made


def test_a_hand_edited_shard_is_not_trusted():
    records = corpus(200, seed=3)
    builds = Builds(records)
    records[7] = replace(records[7], content=records[7].content + " then then then")
    man = json.loads(builds.files["search/index.json"])
    first = man["packs"][man["shards"][shard_of("then", frozenset(man["split"]))]]
    shard = "search/t/" + first.encode().hex() + ".json"
    builds.files = {**builds.files, shard: builds.files[shard].replace(b"}", b',"zz":[1]}', 1)}
    assert builds.build(records) == whole(records) and builds.whole


def test_an_index_the_output_does_not_hold_is_not_updated():
    records = corpus(100, seed=4)
    builds = Builds(records)
    builds.manifest = {**builds.manifest, "search/index.json": digest(b"{}")}  # a build whose commit failed, say
    records[1] = replace(records[1], content="changed")
    assert builds.build(records) == whole(records) and builds.whole


def test_added_or_removed_records_make_the_index_whole():
    records = corpus(100, seed=6)
    builds = Builds(records)
    assert builds.build(records[:-1]) == whole(records[:-1]) and builds.whole
    assert builds.build(records) == whole(records) and builds.whole


class _Unread(list):
    """Records of which those numbered in ``unread`` must not be read."""

    def __init__(self, records, unread) -> None:
        super().__init__(records)
        self.unread = set(unread)

    def __getitem__(self, i):
        assert i not in self.unread, f"record {i} was read"
        return super().__getitem__(i)


@pytest.mark.parametrize("seed", range(6))
def test_record_facts_from_heads_equal_those_of_the_records(seed):
    """A record given by its head (the record but its text, whose length its words give) has the entry key,
    chunk place and filter values of the record itself, and the record is not read for them."""
    rnd = random.Random(seed)
    records = corpus(rnd.randint(1, 120), seed)
    records = [replace(r, content=(r.content + " ") * rnd.randint(1, 60)) if rnd.random() < 0.3 else r for r in records]
    words = record_words(records, None, None)
    heads = {i: replace(r, content=r.content[:rnd.randint(0, len(r.content))]) for i, r in enumerate(records)
             if rnd.random() < 0.7}
    want = search_update._record_facts(records, words, {})
    assert want[1] == search.chunk_starts(records)
    assert search_update._record_facts(_Unread(records, heads), words, heads) == want


def test_trusted_counted_words_are_taken_without_reading_the_record_others_are_checked():
    records = corpus(6)
    stale = record_words([replace(records[1], content="other words")], None, None)[0]
    counted = {0: record_words(records[:1], None, None)[0], 1: stale}
    words = record_words(_Unread(records, {0}), counted, None, frozenset({0}))
    assert words[0] is counted[0]
    assert words[1] != stale and words == record_words(records, None, None)


@pytest.mark.parametrize("seed", range(6))
def test_record_facts_from_report_facts_equal_those_of_the_records(seed):
    """A record given by ``report_facts`` of its head has the entry key, chunk place and filter values of the
    record itself, and neither the record nor its head is read for them."""
    rnd = random.Random(seed)
    records = corpus(rnd.randint(1, 120), seed)
    records = [replace(r, content=(r.content + " ") * rnd.randint(1, 60)) if rnd.random() < 0.3 else r for r in records]
    words = record_words(records, None, None)
    facts = {i: search_update.report_facts(replace(r, content=r.content[:rnd.randint(0, len(r.content))]))
             for i, r in enumerate(records) if rnd.random() < 0.7}
    want = search_update._record_facts(records, words, {})
    asked = []
    heads = type("Heads", (dict,), {"get": lambda self, i, default=None: asked.append(i)})()
    assert search_update._record_facts(_Unread(records, facts), words, heads, facts) == want
    assert not set(asked) & set(facts)
