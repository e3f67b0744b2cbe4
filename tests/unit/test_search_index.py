"""The search index writer (dossier/search.py): folding and words, the files it writes, and that
reading them back (as the browser does) finds what a naive search over the records finds."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from array import array
from collections import Counter

import pytest

from dossier import search
from dossier.search import Record, count_words, index_files, shard_of, term_counts, words
from tests.helpers import REPO_ROOT
from tests.helpers.search_reference import IndexReader, naive, undelta

TRICKY = ["Café Déjà-vu", "ﬁnal", "İstanbul", "“Quoted,” she said—twice", "non\u00a0breaking", "snake_case",
          "naïve CO₂ ½", "Ærø straße", "東京 tokyo", "हिन्दी", "don’t", "e\u0301cole", "x" * 40, "A1 b2-C3", ""]


def files_of(records, **kw) -> dict[str, bytes]:
    return {o.path: o.data for o in index_files(records, **kw)}


def corpus(n: int, seed: int = 7) -> list[Record]:
    rnd = random.Random(seed)
    vocab = [f"w{i}" for i in range(300)] + ["the", "then", "there", "thaw", "Ångström", "café", "t", "th"]
    recs = []
    for i in range(n):
        text = " ".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 60)))
        title = " ".join(rnd.choice(vocab) for _ in range(rnd.randint(1, 4)))
        typ = rnd.choice(["Report", "Entity", "Annotation"])
        filters = (("Outlet", rnd.choice(["Alpha", "Beta"])),) if typ != "Entity" else ()
        recs.append(Record(f"/x/{i}/", title, text, typ, filters, (("detail", f"d{i}"),)))
    return recs


# -- words ------------------------------------------------------------------------------
def test_folding_drops_case_and_marks_and_decomposes():
    assert words("Café Déjà-vu") == ["cafe", "deja", "vu"]
    assert words("ﬁnal İstanbul e\u0301cole") == ["final", "istanbul", "ecole"]
    assert words("“Quoted,” she said—twice") == ["quoted", "she", "said", "twice"]
    assert words("snake_case A1 b2-C3") == ["snake", "case", "a1", "b2", "c3"]
    assert words("東京 tokyo") == ["東京", "tokyo"]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_counts_equal_the_plain_words(text):
    assert term_counts(text) == Counter(w.encode() for w in words(text))


def test_fast_counts_equal_the_plain_words_on_random_text():
    rnd = random.Random(3)
    alphabet = "ab Z9_-,.’“”\u00a0\u0301éİßﬁ½東\u093f\t\n"
    for _ in range(300):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        assert term_counts(text) == Counter(w.encode() for w in words(text)), repr(text)


def test_an_ascii_text_is_lowered_and_split_in_one_translation():
    """Every ASCII character, upper case included: the one-table fold counts what the plain words count."""
    rnd = random.Random(5)
    ascii_chars = "".join(map(chr, range(128)))
    for _ in range(300):
        text = "".join(rnd.choice(ascii_chars) for _ in range(rnd.randint(0, 40)))
        assert term_counts(text) == Counter(w.encode() for w in words(text)), repr(text)


@pytest.mark.parametrize("title", ["Mayor Tash, Again: the MAYOR", "Café “Déjà” vu — K\u212a", "", "a A a"])
def test_a_title_s_terms_are_its_counted_words_in_their_order(title):
    assert list(search._title_terms(title)) == list(term_counts(title))
    record = Record("/r/", title, "text without them", "Report")
    assert count_words(record).title == b" ".join(term_counts(title))


def node_core(tmp_path, body: str, data) -> object:
    """Run ``body`` (an ES module body that may use ``core`` and ``input``) in Node; its JSON output."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")  # the browser tests check the same through Chromium
    core = tmp_path / "core.mjs"
    core.write_bytes((REPO_ROOT / "layouts/assets/search-core.js").read_bytes())
    script = (f"import * as core from {json.dumps(core.as_uri())};\nimport {{readFileSync}} from 'node:fs';\n"
              f"const input = JSON.parse(readFileSync(0, 'utf8'));\n{body}")
    out = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(data), text=True,
                         capture_output=True, timeout=60, check=True).stdout
    return json.loads(out)


def test_the_browser_folds_as_the_build_does(tmp_path):
    """search-core.js's words() gives the same words as dossier.search.words()."""
    got = node_core(tmp_path, "process.stdout.write(JSON.stringify(input.map(core.words)));", TRICKY)
    assert got == [words(t) for t in TRICKY]


QUERIES = ["the", "w1 w2", "caf", "ther", "th", "w12 w1", "Ångström", "the w3 "]


@pytest.mark.parametrize("every", [1, 3, 1000])
def test_the_browser_ranks_as_the_reference_does(tmp_path, monkeypatch, every):
    """search-core.js over the files, fetched from memory: the same records in the same order,
    whether each shard has a file of its own, or packs hold several."""
    monkeypatch.setattr(search, "SHARD_POSTINGS", 40)
    monkeypatch.setattr(search, "pack_every", lambda records: every)
    files = files_of(corpus(300))
    reader = IndexReader(files)
    body = """const files = input.files;
const fetchJson = (url) => Promise.resolve(JSON.parse(files[url.split("?")[0]]));
const ix = await core.open("search/", fetchJson);
const out = [];
for (const q of input.queries) out.push((await ix.search(q, {})).hits.map((h) => h.doc));
out.push((await ix.search("the", {Type: "Entity"})).hits.map((h) => h.doc));
out.push((await ix.records([0, 299])).map((r) => r.url));
process.stdout.write(JSON.stringify(out));"""
    got = node_core(tmp_path, body, {"files": {k: v.decode() for k, v in files.items()}, "queries": QUERIES})
    want = [reader.search(q) for q in QUERIES] + [reader.search("the", {"Type": "Entity"}), ["/x/0/", "/x/299/"]]
    assert got == want


# -- the files --------------------------------------------------------------------------
def test_the_same_records_give_the_same_bytes_whatever_the_hash_seed():
    code = ("import sys, hashlib; sys.path.insert(0, '.'); from tests.unit.test_search_index import corpus, files_of;"
            "f = files_of(corpus(200)); print(hashlib.sha256(repr(sorted(f.items())).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120).stdout for seed in ("1", "2")}
    assert len(digests) == 1


def test_words_counted_elsewhere_give_the_same_bytes():
    recs = corpus(120)
    assert files_of(recs, counted={i: count_words(r) for i, r in enumerate(recs) if i % 2}) == files_of(recs)
    stale = {0: count_words(recs[1])}  # words of another text are not used
    assert files_of(recs, counted=stale) == files_of(recs)


def test_manifest_lists_the_files():
    recs = corpus(300)
    files = files_of(recs)
    man = json.loads(files["search/index.json"])
    assert man["docs"] == len(recs)
    shards = {f"search/t/{k.encode().hex()}.json" for k in man["packs"]}
    chunks = {f"search/x/{n}.json" for n in range(len(man["chunks"]))}
    filters = {f"search/f/{v[2]}.json" for vals in man["filters"].values() for v in vals}
    assert set(files) == shards | chunks | filters | {"search/index.json"}
    assert all(len(name) < 60 and name.isascii() for name in files)


def test_every_term_is_in_its_own_shard_and_large_prefixes_are_split(monkeypatch):
    monkeypatch.setattr(search, "SHARD_POSTINGS", 40)
    recs = corpus(300)
    files = files_of(recs)
    reader = IndexReader(files)
    split = reader.split
    assert {"th", "the"} <= split  # the, then, there, thaw, th: many postings; "the" alone too
    seen = set()
    for key in reader.man["shards"]:
        for term in reader.shard(key):
            assert shard_of(term, split) == key
            seen.add(term)
    assert seen == {w for r in recs for w in words(r.content) + words(r.title)}


def test_a_small_archive_writes_few_packs_and_a_query_fetches_one_per_word():
    recs = corpus(300)
    files = files_of(recs)
    reader = IndexReader(files)
    assert search.pack_every(len(recs)) > 1 and search.pack_every(search.PACK_RECORDS * 2) == 1
    assert len(reader.man["packs"]) < len(reader.man["shards"])
    assert sum(p.startswith("search/t/") for p in files) == len(reader.man["packs"])
    reader.search("w1 th")
    assert len([f for f in reader.fetched if f.startswith("t/")]) == 2


def test_packs_are_neighbouring_shards_and_begin_where_the_prefix_says(monkeypatch):
    monkeypatch.setattr(search, "pack_every", lambda records: 3)
    reader = IndexReader(files_of(corpus(300)))
    keys, firsts = sorted(reader.man["shards"]), reader.man["packs"]
    assert [reader.man["shards"][k] for k in keys] == sorted(reader.man["shards"][k] for k in keys)
    assert [k for k in keys if k == keys[0] or search.starts_pack(k, 3)] == firsts


def test_postings_round_trip():
    recs = corpus(250)
    reader = IndexReader(files_of(recs))
    for term in ("the", "w7", "cafe", "angstrom", "t", "nothing"):
        docs, weights = reader.postings(term)
        assert docs == [i for i, r in enumerate(recs) if term in words(r.content) + words(r.title)], term
        assert all(w > 0 for w in weights)


def test_postings_written_at_once_are_the_plain_deltas_json():
    """Made all at once (one integer of fields) and written from a table of numbers, a term's postings
    read as the encoder writes their plain deltas: increasing postings, and any other array (a borrow
    between fields goes the plain way), of every length, deltas below and past the table."""
    rnd = random.Random(5)
    for _ in range(400):
        n = rnd.choice([1, 2, 7, 8, 9, 30, 500])
        if rnd.random() < 0.6:  # as postings are: increasing (equal neighbours too), up to the largest item
            items = sorted(rnd.choice([rnd.randrange(64), rnd.randrange(4 * search._NUMBERS), rnd.randrange(2**32)])
                           for _ in range(n))
        else:
            items = [rnd.choice([0, 1, 2**32 - 1, rnd.randrange(2**32)]) for _ in range(n)]
        postings = array("I", items)
        assert search._postings_json(postings) == json.dumps(search._deltas(postings), separators=(",", ":")), items


def test_a_pack_written_by_hand_is_the_encoder_s():
    """A pack of shards joined by hand from its terms' JSON has the JSON encoder's bytes: keys to
    escape (quotes, backslashes, line breaks, non-ASCII)."""
    rnd = random.Random(11)
    letters = 'ab\u00e9\u6771"\\\n\u2028'
    for _ in range(500):
        pack = {}
        for k in range(rnd.randint(0, 4)):
            pack["".join(rnd.choice(letters) for _ in range(2)) + str(k)] = {
                "".join(rnd.choice(letters) for _ in range(rnd.randint(1, 4))):
                    sorted(rnd.randrange(2**32) for _ in range(rnd.randint(1, 12)))
                for _ in range(rnd.randint(0, 4))}
        written = {k: {t: search._postings_json(array("I", p)) for t, p in group.items()} for k, group in pack.items()}
        plain = {k: {t: search._deltas(p) for t, p in group.items()} for k, group in pack.items()}
        assert search._pack_json(written) == search._dump(plain), pack


def test_chunks_hold_every_record_in_order():
    recs = corpus(400) + [Record("/long/", "Long", "word " * 10_000, "Page")]
    reader = IndexReader(files_of(recs))
    for i, r in enumerate(recs):
        assert reader.record(i) == [r.url, r.title, r.type, dict(r.meta), r.content]
    sizes = [len(reader.get(f"x/{n}.json")) for n in range(len(reader.starts))]
    assert max(sizes) <= search.CHUNK_CHARS // 2  # records of at most 60 words: many to a chunk


def test_filters_list_their_records():
    recs = corpus(200)
    reader = IndexReader(files_of(recs))
    for name, values in reader.man["filters"].items():
        for value, count, n in values:
            docs = undelta(reader.get(f"f/{n}.json"))
            want = [i for i, r in enumerate(recs) if (name, value) in (("Type", r.type), *r.filters)]
            assert docs == want and count == len(want)


@pytest.mark.parametrize("every", [1, 2, 1000])
@pytest.mark.parametrize("shard_postings", [search.SHARD_POSTINGS, 40])
@pytest.mark.parametrize("query", ["the", "w1 w2", "w3 the", "caf", "Café", "ther", "th", "t", "w12 w1",
                                   "angström", "zzz", "the the"])
def test_the_index_finds_what_a_naive_search_finds(query, shard_postings, every, monkeypatch):
    monkeypatch.setattr(search, "SHARD_POSTINGS", shard_postings)
    monkeypatch.setattr(search, "pack_every", lambda records: every)
    recs = corpus(300)
    reader = IndexReader(files_of(recs))
    assert bool(reader.split) == (shard_postings == 40)
    assert set(reader.search(query)) == naive(recs, query, reader.split)


def test_a_title_word_ranks_above_the_same_word_in_the_text():
    recs = [Record(f"/{i}/", "Other", "plain words about nothing " * 3, "Report") for i in range(20)]
    recs.append(Record("/body/", "Something", "quokka " + "filler " * 20, "Report"))
    recs.append(Record("/title/", "Quokka", "filler " * 21, "Report"))
    reader = IndexReader(files_of(recs))
    assert reader.search("quokka") == [21, 20]


def test_filters_narrow_the_results():
    recs = corpus(200)
    reader = IndexReader(files_of(recs))
    hits = reader.search("the", {"Type": "Entity"})
    assert hits and all(recs[d].type == "Entity" for d in hits)
    assert set(hits) == {d for d in reader.search("the") if recs[d].type == "Entity"}


def test_each_text_is_read_once(monkeypatch):
    """Bounded work: the writer reads each record's text and title once, and downloads stay small:
    a query of one word fetches the manifest and one shard."""
    read = []
    real = search._folded  # each text is folded once, then split and counted
    monkeypatch.setattr(search, "_folded", lambda text: read.append(len(text)) or real(text))
    recs = corpus(500)
    files = files_of(recs)
    assert sum(read) == sum(len(r.content) + len(r.title) for r in recs) and len(read) == 2 * len(recs)
    reader = IndexReader(files)
    reader.search("w5")
    assert len(reader.fetched) == 1


def test_words_kept_between_builds_are_used_only_for_the_same_record(monkeypatch):
    """The preview keeps every record's words: the next index counts only records that changed."""
    recs = corpus(100)
    memo: dict = {}
    first = files_of(recs, memo=memo)
    assert len(memo) == len({(r.title, r.content) for r in recs})
    counted = []
    real = search.count_words
    monkeypatch.setattr(search, "count_words", lambda r: counted.append(r) or real(r))
    changed = [*recs[:10], Record(recs[10].url, "New title", recs[10].content, "Report"), *recs[11:]]
    assert files_of(recs, memo=dict(memo)) == first and counted == []
    assert files_of(changed, memo=memo) == files_of(changed) and counted[0] == changed[10]


@pytest.mark.timeout(30)  # generous: the words of one long word take milliseconds; a quadratic scan, hours
def test_a_long_word_beside_non_ascii_text_is_read_in_linear_time():
    text = "“Quoted” " + "a" * 300_000 + " café " + "b" * 300_000
    assert term_counts(text) == Counter({b"quoted": 1, b"a" * 300_000: 1, b"cafe": 1, b"b" * 300_000: 1})


def test_fast_counts_equal_the_plain_words_around_the_marks_read_as_spaces():
    """Curly quotes, dashes, the ellipsis, the middle dot and the no-break space are spaces before the
    words are split (``search._PUNCTUATION``): the same words, next to letters, accents and marks."""
    rnd = random.Random(5)
    alphabet = "aZé9 _\u0301\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7\u00a0ﬁİ東"
    for _ in range(500):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24)))
        assert term_counts(text) == Counter(w.encode() for w in words(text)), repr(text)
