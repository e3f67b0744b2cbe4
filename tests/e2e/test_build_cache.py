"""The build cache (``.dossier-cache/``): a cached build equals a cold build byte for byte after every
kind of edit, a damaged cache is ignored and rebuilt, and deleting it changes nothing but the time.

Each cached build is a new ``Builder`` (as a new ``dossier build`` run is): it reads the cache from
disk, never from memory.
"""
from __future__ import annotations

import dataclasses
import pickle
import shutil
from pathlib import Path

import pytest

import dossier.cache
import dossier.emit
import dossier.article_pages
import dossier.render
from dossier.cache import FOLDER, Cache
from dossier.pipeline import Builder, build_site
from dossier.render import DEFAULT_LAYOUTS
from tests.e2e.test_incremental import FILES
from tests.helpers.files import differences, tree, write_files


class Archive:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.root = tmp, write_files(tmp / "archive", FILES)
        self.out = self.root / "output"
        self.colds = 0

    def cached(self):
        result = Builder(self.root, self.out, workers=1, cache=True).build()
        assert result.ok, [str(e) for e in result.errors]
        return result

    def expect_cold(self) -> None:
        """The cached build's output equals a cold build of the archive as it is now."""
        self.colds += 1
        dest = self.tmp / f"cold-{self.colds}"
        result = build_site(self.root, out=dest, workers=1)
        assert result.ok, [str(e) for e in result.errors]
        got, want = tree(self.out), tree(dest)
        assert differences(got, want) == []

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    @property
    def cache_file(self) -> Path:
        return self.root / FOLDER / dossier.cache.FILE


@pytest.fixture
def archive(tmp_path) -> Archive:
    a = Archive(tmp_path)
    a.cached()
    assert a.cache_file.is_file() and Cache(a.root).load() is not None
    return a


def _theme(rel: str) -> str:
    return (DEFAULT_LAYOUTS / rel).read_text(encoding="utf-8")


EDITS = {
    "article": lambda a: a.edit("content/articles/one.md", "armed officers", "armed police officers"),
    "article-front-matter": lambda a: a.edit("content/articles/two.md", "tags: [army, police]", "tags: [police]"),
    "annotation": lambda a: a.edit("content/annotations/two.md", "From the Ministry", "From the Cabinet"),
    "entity": lambda a: a.edit("content/entities/people/mark-rowley.md", "aliases: [Rowley]", "aliases: [Rowley, Mark]"),
    "entity-notes": lambda a: a.edit("content/entities/people/mark-rowley.md", "Leads the", "Heads the"),
    "page": lambda a: a.edit("content/pages/about.md", "About [[one]].", "About [[two]], mostly."),
    "add-article": lambda a: write_files(a.root, {"content/articles/six.md": (
        "---\ntitle: Six\noutlet: weekly\npublished: 2023-09-27\nstory: s\n---\nBraverman met Rowley.\n")}),
    "delete-article": lambda a: (a.root / "content/articles/four.md").unlink(),
    "delete-annotations": lambda a: (a.root / "content/annotations/one.md").unlink(),
    "template": lambda a: write_files(a.root, {"layouts/article.html": _theme("article.html").replace(
        "</article>", "<p>Edited theme.</p></article>", 1)}),
    "asset": lambda a: write_files(a.root, {"layouts/assets/extra.css": "p { color: red }\n"}),
    "site.yaml": lambda a: a.edit("site.yaml", "title: Incremental", "title: Incremental, retitled"),
    "nothing": lambda a: None,
}


@pytest.mark.parametrize("kind", EDITS)
def test_cached_build_equals_cold_build_after_each_kind_of_edit(archive, kind):
    EDITS[kind](archive)
    archive.cached()
    archive.expect_cold()


def test_template_edit_after_edit_and_back(archive):
    EDITS["template"](archive)
    archive.cached()
    (archive.root / "layouts" / "article.html").unlink()  # back to the theme's own
    archive.cached()
    archive.expect_cold()


def test_an_article_edit_renders_only_the_pages_that_show_it(archive, monkeypatch):
    rendered = []
    real = dossier.emit.Renderer.article
    monkeypatch.setattr(dossier.emit.Renderer, "article", lambda self, slug: rendered.append(slug) or real(self, slug))
    EDITS["article"](archive)
    archive.cached()
    # "one" alone: the articles whose "other coverage" lists it show its title, date and outlet, not its text.
    assert sorted(rendered) == ["one"]
    archive.expect_cold()


@pytest.mark.parametrize("kind", ["article", "nothing", "page", "entity"])
def test_views_are_made_only_for_the_article_pages_that_may_have_changed(archive, monkeypatch, kind):
    """While no entity, annotation or site-wide setting changed, an article page whose record, Markdown
    and other coverage are as they were is reused without its view being made to be compared."""
    made = []
    real = dossier.article_pages.article_key
    monkeypatch.setattr(dossier.article_pages, "article_key", lambda r, res: made.append(res.slug) or real(r, res))
    EDITS[kind](archive)
    result = archive.cached()
    rendered = {p.split("/")[1] for p in result.rendered if p.startswith("articles/")}
    if kind == "entity":  # every page reads every entity: each view is made and compared
        assert set(made) == {"one", "two", "three", "four", "five"}
    else:  # views made: the pages whose record or coverage changed (then rendered again, if they differ)
        assert set(made) == rendered and len(made) <= 2 * len(rendered)
        assert rendered == ({"one"} if kind == "article" else set())
    archive.expect_cold()


def test_a_build_says_which_pages_it_rendered_again(archive, monkeypatch):
    """``BuildResult.rendered`` (what the exports may update from): the pages rendered in this build."""
    rendered = []
    real = dossier.emit.Renderer.article
    monkeypatch.setattr(dossier.emit.Renderer, "article", lambda self, slug: rendered.append(slug) or real(self, slug))
    assert archive.cached().rendered == frozenset()  # nothing changed: every page reused
    EDITS["article"](archive)
    result = archive.cached()
    articles = {p.split("/")[1] for p in result.rendered if p.startswith("articles/")}
    assert articles == set(rendered) == {"one"}
    assert "entities/mark-rowley/index.html" in result.rendered  # it quotes the sentence edited
    assert archive.cached().rendered == frozenset()


def test_a_dossier_version_change_is_never_served_from_the_cache(archive, monkeypatch):
    """A new Dossier that writes dates another way: the old cache must not lend its pages."""
    monkeypatch.setattr(dossier.cache, "__version__", "99.0.0")
    monkeypatch.setattr(dossier.render, "human_date", lambda value: f"on {value.isoformat()}")
    assert Cache(archive.root).load() is None
    archive.cached()
    archive.expect_cold()
    assert b"on 2023-09-23" in (archive.out / "articles" / "one" / "index.html").read_bytes()


def _damage(kind: str, path: Path, tmp: Path) -> None:
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif kind == "flipped":  # a byte of its pickle (a part's pickles of their own after it: see _blobs_damaged)
        header = data.split(b"\n", 3)
        at = len(b"\n".join(header[:3])) + 1 + int(header[2][8:], 16) // 2
        path.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b"\x80\x04not a cache at all\n\n\n")
    elif kind == "wrong-shape":
        _forge(path, {"_loaded": 1})
    elif kind == "hostile":  # the right key and digest, a payload that would call a function
        class Evil:
            def __reduce__(self):
                return shutil.rmtree, (str(tmp / "canary"),)
        _forge(path, Evil())


def _forge(path: Path, state, name: bytes = b"") -> None:
    payload = pickle.dumps(state)
    key = Cache(path.parents[1]).key
    path.write_bytes(b"\n".join((dossier.cache.FORMAT, key, dossier.cache._check(payload, name), payload)))


@pytest.mark.parametrize("kind", ["truncated", "flipped", "empty", "garbage", "wrong-shape", "hostile"])
def test_a_damaged_cache_is_ignored_and_rebuilt(archive, tmp_path, kind):
    (tmp_path / "canary").mkdir()
    EDITS["article"](archive)
    _damage(kind, archive.cache_file, tmp_path)
    assert Cache(archive.root).load() is None or kind == "wrong-shape"
    archive.cached()
    archive.expect_cold()
    assert (tmp_path / "canary").is_dir()
    assert Cache(archive.root).load() is not None  # written afresh


def _parts(archive) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (archive.root / FOLDER / dossier.cache.PARTS).glob("*.pickle")}


def _harm(archive, family: str, kind: str) -> None:
    """The first part of ``family`` deleted, or damaged as ``_damage`` does."""
    victim = archive.root / FOLDER / dossier.cache.PARTS / _index(archive, family)[0]
    if kind == "deleted":
        victim.unlink()
    else:
        _damage(kind, victim, archive.tmp)


def _index(archive, family: str = "pages") -> list[str]:
    """The part file of each group of a family of maps in parts, as the cache's index names them."""
    cache = Cache(archive.root)
    assert cache.load() is not None
    return [cache._known[family][i][0] for i in range(len(cache._known[family]))]


def _named(archive) -> set[str]:
    return {name for family in dossier.cache.FAMILIES for name in _index(archive, family)}


@pytest.fixture
def parted(tmp_path, monkeypatch) -> Archive:
    """The archive with one page (or file) to a part, about."""
    monkeypatch.setattr(dossier.cache, "PER_PART", 1)
    a = Archive(tmp_path)
    a.cached()
    assert len(_index(a)) > 8 and set(_parts(a)) == _named(a)
    return a


def test_a_build_writes_only_the_parts_of_the_pages_it_rendered_again(parted):
    before, files = _index(parted), _parts(parted)
    assert parted.cached().rendered == frozenset() and _parts(parted) == files  # nothing rewritten
    known = Cache(parted.root)
    known.load()
    edited = str(parted.root / "content/articles/one.md")
    EDITS["article"](parted)
    result = parted.cached()
    after = _index(parted)
    assert len(after) == len(before)
    groups = {dossier.cache.part_of(path, len(before)) for path in result.rendered}
    referring = {i for i, (_name, _maps, refs) in known._known["pages"].items() if edited in refs}
    assert {i for i in range(len(after)) if after[i] != before[i]} <= groups | referring  # the others keep theirs
    assert any(after[i] != before[i] for i in groups)  # the edited report's facts changed
    assert set(_parts(parted)) == _named(parted)  # the replaced files are gone
    assert all(_parts(parted)[name] == files[name] for name in set(after) & set(before))
    parted.expect_cold()


def _memo(state: dict) -> dict:
    return {name: state[name] for name in ("_loaded", "_markdown", "_pages", "_scans", "_md_key", "_around", "_heads")}


@pytest.mark.parametrize("kind", ["article", "article-front-matter", "entity", "annotation", "add-article",
                                  "delete-article", "nothing"])
def test_what_the_cache_gives_back_equals_what_the_build_kept(parted, kind):
    """The session's memory read back from the parts equals the session's memory after the build (each
    part refers to the records it holds by their file: a file loaded again leaves no part saying otherwise)."""
    EDITS[kind](parted)
    builder = Builder(parted.root, parted.out, workers=1, cache=True)
    assert builder.build().ok
    kept = _memo(builder.session.state())
    assert _memo(Cache(parted.root).load()) == kept


@pytest.mark.parametrize("kind", ["article", "add-article", "delete-article", "nothing"])
def test_the_shared_passage_index_read_back_equals_the_builds_its_keys_those_of_the_scans(parted, kind):
    """The scans are in parts (by article): the shared-passage index the cache gives back has the keys the
    build kept, each the very list the article's scan read back holds (an article's keys that are not the
    last build's object are taken for an edit)."""
    EDITS[kind](parted)
    builder = Builder(parted.root, parted.out, workers=1, cache=True)
    assert builder.build().ok
    kept = builder.session.state()["_shared"]
    back = Cache(parted.root).load()
    assert kept.keys and vars(back["_shared"]) == vars(kept)
    assert all(keys is back["_scans"][slug][1][1] for slug, keys in back["_shared"].keys.items())


@pytest.mark.parametrize("kind", ["deleted", "flipped"])
def test_a_damaged_part_of_the_scans_makes_the_shared_passages_again(parted, kind):
    _harm(parted, "articles", kind)
    state = Cache(parted.root).load()
    assert state is not None and not state["_shared"].keys  # made again from every article's keys
    EDITS["article"](parted)
    parted.cached()
    parted.expect_cold()
    assert parted.cached().rendered == frozenset()  # written afresh


def test_the_scans_read_back_hold_each_articles_keys_as_one_array(parted):
    from dossier.passages import SentenceKeys, sentence_keys

    state = Cache(parted.root).load()
    scans = state["_scans"]
    assert scans and all(type(hit[1][1]) is SentenceKeys and list(hit[1][1]) == sentence_keys(hit[0].body)
                         for hit in scans.values())


class _JunkKeys:
    """Pickled as an article's sentence keys of seven bytes: no whole key."""

    def __reduce__(self):
        from dossier.passages import SentenceKeys

        return SentenceKeys, (b"1234567",)


def test_a_scan_whose_keys_cannot_be_read_back_is_not_trusted(parted):
    """A part of articles forged under a right checksum, an article's keys not whole 64-bit numbers: the part
    is passed over (the shared passages found again in every article), and the output equals a cold build's."""
    cache = Cache(parted.root)
    state = cache.load()
    art, (entities, _keys) = state["_scans"]["one"]
    state["_scans"]["one"] = (art, (entities, junk := _JunkKeys()))
    state["_shared"].keys["one"] = junk  # the index's keys are its scans': written as their slugs
    cache.forget()
    cache.save(state)  # every part written again, the junk under its part's checksum
    back = Cache(parted.root).load()
    assert back is not None and "one" not in back["_scans"] and not back["_shared"].keys
    EDITS["article"](parted)
    parted.cached()
    parted.expect_cold()


SHARED = "The decision comes after an officer, known as NX121, was charged with the murder of Chris Kaba."
REPRINT = {"content/articles/six.md": ("---\ntitle: Six\noutlet: weekly\npublished: 2023-09-27\n---\n"
                                      f"Quite another opening for this report here. {SHARED}\n"),
           "content/articles/seven.md": ("---\ntitle: Seven\noutlet: daily\npublished: 2023-09-28\n---\n"
                                        f"Opening line of the first report here. {SHARED}\n")}


@pytest.mark.parametrize("slugs", [("one", "nowhere"), ("one", ["not", "a", "slug"]), ("bad-scan",)])
def test_shared_passage_keys_not_all_in_the_scans_read_give_a_fresh_index(slugs):
    """What the index names of the sentence keys must each be an article's scan read back, holding a list;
    else (a part missing, a forged file) the shared passages are found again, nothing is trusted."""
    from dossier.passages import SharedPassages

    passages = SharedPassages()
    passages.keys, passages.where = slugs, {1: "one"}
    state = {"_shared": passages, "_scans": {"one": (None, (frozenset(), [1])), "bad-scan": (None, (frozenset(), 1))}}
    dossier.cache._passage_keys(state, True)
    assert state["_shared"] is not passages and state["_shared"].keys == {} and state["_shared"].where == {}
    passages.keys = ("one",)
    state["_shared"] = passages
    dossier.cache._passage_keys(state, False)  # a part of articles was not read
    assert state["_shared"] is not passages
    state["_shared"] = passages
    dossier.cache._passage_keys(state, True)
    assert state["_shared"] is passages and passages.keys["one"] is state["_scans"]["one"][1][1]


def test_shared_passages_after_edits_from_the_cache_equal_a_cold_builds(parted):
    """Two reports print one sentence: edited away, back, the archive's scans part damaged in between, each
    cached build (its scans and shared passages read back from the cache) equals a cold build."""
    write_files(parted.root, REPRINT)
    parted.cached()
    parted.expect_cold()
    assert b"ann-shared-" in tree(parted.out)["articles/six/index.html"]  # the passage is marked
    parted.edit("content/articles/six.md", SHARED, "A sentence of its own now, nothing like the other report's.")
    parted.cached()
    parted.expect_cold()
    assert b"ann-shared-" not in tree(parted.out)["articles/six/index.html"]
    _harm(parted, "articles", "flipped")
    parted.edit("content/articles/six.md", "A sentence of its own now, nothing like the other report's.", SHARED)
    parted.cached()
    parted.expect_cold()
    assert b"ann-shared-" in tree(parted.out)["articles/six/index.html"]
    parted.edit("content/articles/seven.md", "Opening line", "First line")
    parted.cached()
    parted.expect_cold()


def test_a_part_referring_to_a_record_loaded_again_is_written_again(parted):
    """A memo entry kept through a build holds the record it was made from; when that record's file is
    loaded again, the part is written again, holding the old record itself, not a reference that would
    now read as the new one."""
    cache = Cache(parted.root)
    state = cache.load()
    path = str(parted.root / "content/articles/one.md")
    stamp, d, loaded = state["_loaded"][path]
    old = loaded.records[0]
    state["_loaded"][path] = (stamp, d, dataclasses.replace(loaded, records=(dataclasses.replace(old, title="New"),)))
    cache.save(state)
    back = Cache(parted.root).load()
    assert back["_markdown"] == state["_markdown"] and back["_pages"] == state["_pages"]
    assert back["_markdown"]["articles/one/index.html"][0][0] == old  # not the record loaded now
    assert back["_loaded"][path][2].records[0].title == "New"


@pytest.mark.parametrize("kind", ["article", "article-front-matter", "annotation", "delete-article", "nothing"])
def test_the_search_words_read_back_are_those_the_build_kept_a_reports_written_once(parted, kind):
    """A report's search words are written once, in its Markdown facts (``ArticleResult.words``), not again in
    the parts of words; read back, the exports' memory has every record's words the build kept."""
    EDITS[kind](parted)
    builder = Builder(parted.root, parted.out, workers=1, cache=True)
    assert builder.build().ok
    kept = builder.session.state()["exports"].words
    cache = Cache(parted.root)
    back = cache.load()["exports"].words
    assert kept and all(back.get(key) == words for key, words in kept.items())
    reports = {res.words.key for _key, res in _facts(cache) if getattr(res, "words", None) is not None}
    in_parts = {key for _name, maps, _refs in cache._known["words"].values() for key in maps["words"]}
    assert reports and not reports & in_parts


def test_a_reports_words_counted_in_a_forked_process_are_written_once_too(parted, monkeypatch):
    """Made whole, the search index counts in a forked process (``pool.aside``): the words it gives back are
    equal to the facts', not the same objects, and are left out of the parts of words all the same."""
    import dossier.pool
    monkeypatch.setattr(dossier.pool, "PARALLEL_MIN", 1)
    shutil.rmtree(parted.root / FOLDER)
    builder = Builder(parted.root, parted.out, workers=2, cache=True)
    assert builder.build().ok
    cache = Cache(parted.root)
    back = cache.load()["exports"].words
    assert all(back.get(key) == words for key, words in builder.session.state()["exports"].words.items())
    reports = {res.words.key for _key, res in _facts(cache) if getattr(res, "words", None) is not None}
    in_parts = {key for _name, maps, _refs in cache._known["words"].values() for key in maps["words"]}
    assert reports and not reports & in_parts


def test_a_whole_index_made_in_a_forked_process_sends_back_no_reports_words(parted, monkeypatch):
    """The forked term part gives back the words of the records but the reports (this process holds
    those, in the reports' facts): the exports' memory holds the facts' own objects, not a copy of each;
    and the record chunks made beside it take the reports' records one at a time, never all held."""
    import dossier.exports
    import dossier.pool
    monkeypatch.setattr(dossier.pool, "PARALLEL_MIN", 1)
    seen = []
    part = dossier.exports._record_part
    monkeypatch.setattr(dossier.exports, "_record_part",
                        lambda b, memory, records, terms: seen.append(records) or part(b, memory, records, terms))
    shutil.rmtree(parted.root / FOLDER)
    builder = Builder(parted.root, parted.out, workers=2, cache=True)
    assert builder.build().ok
    assert len(seen) == 1 and not isinstance(seen[0], list)
    state = builder.session.state()
    facts = [hit[1] for hit in state["_markdown"].values() if getattr(hit[1], "words", None) is not None]
    words = state["exports"].words
    assert facts and all(words[res.words.key] is res.words for res in facts)
    assert len(words) == len(seen[0])
    parted.expect_cold()


def _facts(cache: Cache) -> list:
    return [hit for _name, maps, _refs in cache._known["pages"].values() for hit in maps["_markdown"].values()]


def test_the_views_read_back_hold_the_articles_heads_the_index_holds(parted):
    """An article's head (what other pages show of it) is written once, in the index; the views of the
    parts refer to it, so that once read they hold the session's own heads and compare in constant time."""
    state = Cache(parted.root).load()
    heads = {slug: hit[1] for slug, hit in state["_heads"].items()}
    home = state["_pages"]["index.html"][1]
    assert home.articles and all(head is heads[head.slug] for head in home.articles)
    coverage = [head for _sig, view, _d in state["_pages"].values() for head, _n in getattr(view, "coverage", ())]
    assert coverage and all(head is heads[head.slug] for head in coverage)


def test_a_part_referring_to_an_articles_head_that_changed_is_written_again(parted):
    """A view kept through a build holds the head it was made with: when the article's front matter
    changed, the parts referring to its head are written again, holding the old head itself."""
    cache = Cache(parted.root)
    state = cache.load()
    art, old, links = state["_heads"]["one"]
    state["_heads"]["one"] = (art, dataclasses.replace(old, title="New"), links)
    cache.save(state)
    back = Cache(parted.root).load()
    assert back["_pages"] == state["_pages"] and back["_heads"]["one"][1].title == "New"
    kept = [head for _sig, view, _d in back["_pages"].values() for head, _n in getattr(view, "coverage", ())
            if head.slug == "one"]
    assert kept and all(head == old and head is not back["_heads"]["one"][1] for head in kept)


@pytest.mark.parametrize("kind", ["deleted", "truncated", "flipped", "swapped", "dangling", "dangling-head"])
def test_a_damaged_part_has_only_its_pages_rendered_again(parted, monkeypatch, kind):
    folder = parted.root / FOLDER / dossier.cache.PARTS
    cache = Cache(parted.root)
    assert cache.load() is not None
    names = [name for name, maps, _refs in cache._known["pages"].values()
             if any(p.startswith("articles/") for p in maps["_markdown"])]  # parts that hold an article's facts
    victim = folder / names[0]
    if kind == "deleted":
        victim.unlink()
    elif kind == "swapped":  # another part's (valid) file under this part's name
        victim.write_bytes((folder / names[1]).read_bytes())
    elif kind == "dangling":  # a valid part referring to a record no file gave
        _forge(victim, ({m: {} for m in dossier.cache.FAMILIES["pages"]}, {_Ref(("nowhere.md", 0))}),
               victim.name.encode())
    elif kind == "dangling-head":  # ... or to the head of an article there is not
        _forge(victim, ({m: {} for m in dossier.cache.FAMILIES["pages"]}, {_Ref(dossier.cache.HEAD + "nowhere")}),
               victim.name.encode())
    else:
        _damage(kind, victim, parted.tmp)
    rendered = []
    real = dossier.emit.Renderer.article
    monkeypatch.setattr(dossier.emit.Renderer, "article", lambda self, slug: rendered.append(slug) or real(self, slug))
    parted.cached()
    assert 1 <= len(rendered) < 5  # the reports of the damaged part, not every report
    parted.expect_cold()
    assert parted.cached().rendered == frozenset()  # the part was written again


class _Ref:
    """Pickled as the cache's reference to a shared object."""

    def __init__(self, pid) -> None:
        self.pid = pid

    def __reduce__(self):
        return dossier.cache._ref, (self.pid,)


@pytest.mark.parametrize("kind", ["deleted", "flipped"])
def test_a_damaged_part_of_the_loaded_files_leaves_the_cache_unused(parted, kind):
    """The other parts refer to the records the loaded files gave: without one of those, none is trusted."""
    _harm(parted, "files", kind)
    assert Cache(parted.root).load() is None
    EDITS["article"](parted)
    parted.cached()
    parted.expect_cold()
    assert parted.cached().rendered == frozenset()  # written afresh


def test_a_damaged_part_of_the_exports_memo_is_made_again(parted):
    """The search index is updated from the last build's words: without them it is made whole."""
    folder = parted.root / FOLDER / dossier.cache.PARTS
    for name in _index(parted, "words")[:2]:
        _damage("flipped", folder / name, parted.tmp)
    EDITS["article"](parted)
    parted.cached()
    parted.expect_cold()


def test_deleting_the_cache_changes_nothing_but_the_time(archive):
    before = tree(archive.out)
    shutil.rmtree(archive.root / FOLDER)
    result = archive.cached()
    assert result.ok and tree(archive.out) == before
    assert archive.cache_file.is_file()
    EDITS["entity"](archive)
    archive.cached()
    archive.expect_cold()


def test_an_output_built_without_the_cache_is_not_mistaken_for_the_cached_one(archive):
    """Cache from version A; the output rebuilt without the cache for B; the archive back at A: the
    cache remembers A's pages, but the output holds B's, so they are rendered again."""
    EDITS["article"](archive)
    assert Builder(archive.root, archive.out, workers=1).build().ok  # no cache: it still says A
    archive.edit("content/articles/one.md", "armed police officers", "armed officers")
    archive.cached()
    archive.expect_cold()


def test_pages_deleted_from_the_output_are_made_again(archive):
    (archive.out / "articles" / "one" / "index.html").unlink()
    shutil.rmtree(archive.out / "entities")
    archive.cached()
    archive.expect_cold()


def test_the_output_folder_is_built_afresh_from_the_cache(archive):
    shutil.rmtree(archive.out)
    EDITS["page"](archive)
    archive.cached()
    archive.expect_cold()


def test_the_cache_is_never_published_nor_an_output(archive, capsys):
    from dossier.cli import main

    assert not any(FOLDER in p for p in tree(archive.out))
    assert main(["build", "--root", str(archive.root), "--out", str(archive.root / FOLDER / "site")]) == 1
    assert "lies inside the archive's .dossier-cache/" in capsys.readouterr().err


def test_no_cache_neither_reads_nor_writes_it(tmp_path, capsys):
    from dossier.cli import main

    root = write_files(tmp_path / "archive", FILES)
    assert main(["build", "--root", str(root), "--no-cache"]) == 0
    assert not (root / FOLDER).exists()
    assert main(["build", "--root", str(root)]) == 0
    assert (root / FOLDER / dossier.cache.FILE).is_file()


def test_a_killed_writer_leaves_nothing_for_long(archive):
    """A build killed while writing the cache leaves its temporary file; a later build removes it
    once it is old enough not to be another build's, and never reads it."""
    import os

    stale, fresh = archive.root / FOLDER / ".build-old.tmp", archive.root / FOLDER / ".build-new.tmp"
    stale.write_bytes(b"half a cache")
    fresh.write_bytes(b"another build writing")
    os.utime(stale, (1, 1))
    EDITS["article"](archive)
    archive.cached()
    archive.expect_cold()
    assert not stale.exists() and fresh.exists()


def _memo_maps(memo) -> dict:
    return {"seen": memo.seen, "heads": memo.heads, "counts": memo.counts, "members": +memo.members,
            "ranked": memo.ranked}


@pytest.mark.parametrize("kind", ["article", "article-front-matter", "entity", "add-article", "delete-article",
                                  "nothing"])
def test_the_index_memo_read_back_equals_the_builds_its_facts_those_of_the_pages(parted, kind):
    """The index's memo (co-occurrence counted per report, bylines and headlines) is kept in parts; read
    back, it equals the build's, and each report it counted is the very facts its page's part gives back."""
    EDITS[kind](parted)
    builder = Builder(parted.root, parted.out, workers=1, cache=True)
    assert builder.build().ok
    kept = builder.session.state()[dossier.cache.MEMO]
    back = Cache(parted.root).load()
    memo = back[dossier.cache.MEMO]
    assert kept.seen and _memo_maps(memo) == _memo_maps(kept)
    facts = {path.split("/")[1]: hit[1] for path, hit in back["_markdown"].items() if path.startswith("articles/")}
    assert all(res is facts[slug] for slug, (res, _ents) in memo.seen.items())


def test_a_cached_build_counts_co_occurrence_again_only_for_the_edited_report(parted, monkeypatch):
    import dossier.index

    counted = []
    real = dossier.index.Memo._count
    monkeypatch.setattr(dossier.index.Memo, "_count", lambda self, ents, sign, touched: counted.append(ents) or
                        real(self, ents, sign, touched))
    parted.edit("content/articles/one.md", "armed officers", "armed officers and the Home Office")
    parted.cached()
    assert len(counted) == 2  # the edited report's entities taken out and put in again, no other's
    parted.expect_cold()
    counted.clear()
    shutil.rmtree(parted.root / FOLDER)
    parted.cached()
    assert len(counted) >= 4  # without the cache: every report's


@pytest.mark.parametrize("kind", ["deleted", "flipped"])
def test_a_damaged_part_of_the_index_memo_makes_the_index_from_nothing(parted, kind):
    """The memo's counts are sums over every report: without one of its parts none of it is taken."""
    _harm(parted, "index", kind)
    state = Cache(parted.root).load()
    assert state is not None and state[dossier.cache.MEMO].seen == {} and state["_markdown"]
    EDITS["article"](parted)
    parted.cached()
    parted.expect_cold()
    assert Cache(parted.root).load()[dossier.cache.MEMO].seen  # written afresh


@pytest.mark.parametrize("kind", ["article", "nothing", "entity", "annotation"])
def test_a_cached_build_makes_the_entity_views_of_only_the_entities_an_edited_report_names(archive, monkeypatch,
                                                                                          kind):
    """While no article's head, no entity, no annotation changed (``Session.quiet``), an entity page is reused
    without its view being made when no report with new Markdown facts names it, before or now."""
    import dossier.index_pages

    made = []
    real = dossier.index_pages.entity_view
    monkeypatch.setattr(dossier.index_pages, "entity_view",
                        lambda frame, site, slug, *rest: made.append(slug) or real(frame, site, slug, *rest))
    EDITS[kind](archive)
    builder = Builder(archive.root, archive.out, workers=1, cache=True)
    assert builder.build().ok
    if kind in ("entity", "annotation"):  # every entity page reads every entity and annotation
        assert len(set(made)) == 6
    else:
        facts = builder.session.state()["_markdown"]["articles/one/index.html"][1]
        assert set(made) == ({m.entity for m in facts.mentions} if kind == "article" else set())
        assert kind == "nothing" or 0 < len(set(made)) < 6
    archive.expect_cold()


@pytest.mark.parametrize("kind", ["article", "nothing"])
def test_a_cached_build_reads_back_only_the_views_it_compares(parted, monkeypatch, kind):
    """The page memo's views are each kept as a pickle of their own (``Deferred``), read back when a build
    compares one: after an edit, the edited report's, those of the entities it names and the listings',
    never another report's or another entity's (one page to a part here: a part written again because
    a record it refers to was loaded again reads its views back, to write them with that record)."""
    archive = parted
    from dossier.cache_pickle import Deferred

    read = []
    real = Deferred.get
    monkeypatch.setattr(Deferred, "get", lambda self: read.append(self.page.path) or real(self))
    EDITS[kind](archive)
    builder = Builder(archive.root, archive.out, workers=1, cache=True)
    assert builder.build().ok
    kept = builder.session.state()["_pages"]
    assert sum(isinstance(hit[1], Deferred) for hit in kept.values()) > 10  # read back deferred
    named = {m.entity for m in builder.session.state()["_markdown"]["articles/one/index.html"][1].mentions}
    allowed = {"articles/one/"} | {f"entities/{e}/" for e in named} if kind == "article" else set()
    assert {p for p in read if p.startswith(("articles/", "entities/")) and p.count("/") == 2} <= allowed
    assert kind == "nothing" or {f"entities/{e}/" for e in named} & set(read)  # compared, then made again
    archive.expect_cold()


def test_a_deferred_view_that_cannot_be_read_back_equals_no_view(archive):
    """A view's own pickle damaged, or referring to a record there is not: it reads as None and equals no
    view, so its page is made again (never a traceback, never taken for another view)."""
    from dossier.cache_pickle import Deferred, _dumps, _refs

    state = Cache(archive.root).load()
    path, (_sig, kept, _d) = next((p, hit) for p, hit in state["_pages"].items() if isinstance(hit[1], Deferred))
    view = kept.get()
    assert view is not None and kept == view
    assert Deferred(kept.page, b"\x80\x05not a pickle", kept.shared).get() is None
    missing = {k: v for k, v in kept.shared.items() if not isinstance(k, tuple)}  # no record to refer to
    dangling = Deferred(kept.page, _dumps(view, _refs(kept.shared, [set()])), missing)
    assert dangling.get() is None and dangling != view


def _mentions_read(builder) -> set[str]:
    """The reports whose mentions the build read back from the cache (``cache_pickle.Mentions``)."""
    from dossier.cache_pickle import Mentions

    facts = builder.session.state()["_markdown"]
    return {path.split("/")[1] for path, hit in facts.items() if path.startswith("articles/")
            and isinstance(hit[1].mentions, Mentions) and hit[1].mentions.read}


@pytest.mark.parametrize("kind", ["article", "nothing", "page", "annotation"])
def test_a_cached_build_reads_back_only_the_mentions_of_the_pages_it_makes_again(archive, kind):
    """A report's mentions are a pickle of their own in the cache (``Mentions``), read when first used:
    after an edit of a report, those of the reports naming an entity it names, before or now (their
    pages' views are made again); no other's."""
    from dossier.cache_pickle import Mentions

    def entities(facts: dict) -> dict:
        return {path.split("/")[1]: set(hit[1].mentions.entities if isinstance(hit[1].mentions, Mentions)
                                        else (m.entity for m in hit[1].mentions))
                for path, hit in facts.items() if path.startswith("articles/")}

    before = entities(Cache(archive.root).load()["_markdown"])
    EDITS[kind](archive)
    builder = Builder(archive.root, archive.out, workers=1, cache=True)
    assert builder.build().ok
    facts = builder.session.state()["_markdown"]
    assert sum(isinstance(getattr(hit[1], "mentions", None), Mentions) for hit in facts.values()) >= 4  # unread
    now = entities(facts)
    touched = before["one"] | now["one"] if kind == "article" else set()
    if kind != "annotation":  # an annotation changed: every entity page's view is made (it lists notes)
        assert _mentions_read(builder) <= {slug for slug, ents in now.items() if ents & touched}
    assert kind in ("article", "annotation") or _mentions_read(builder) == set()
    archive.expect_cold()


def test_the_mentions_read_back_equal_the_builds_and_give_the_same_index(parted):
    """Each report's mentions read back equal the build's (their entities, in first-seen order, read at once),
    and the index made from them unread equals the index made from lists."""
    from dossier.cache_pickle import Mentions
    from dossier.index import ByEntity, Memo
    from dossier.model import named

    builder = Builder(parted.root, parted.out, workers=1, cache=True)
    assert builder.build().ok
    kept = {p: hit[1] for p, hit in builder.session.state()["_markdown"].items() if p.startswith("articles/")}
    back = {p: hit[1] for p, hit in Cache(parted.root).load()["_markdown"].items() if p.startswith("articles/")}
    assert back.keys() == kept.keys() and all(isinstance(res.mentions, Mentions) for res in back.values())
    for path, res in back.items():
        plain = list(kept[path].mentions)
        assert res.mentions.entities == named(plain) and not res.mentions.read
        assert res.mentions == plain and plain == res.mentions and res.mentions.read
        assert pickle.loads(pickle.dumps(res.mentions)) == plain  # anywhere else: the list itself
    slug = lambda path: path.split("/")[1]  # noqa: E731
    lazy = {slug(p): dataclasses.replace(res, mentions=Mentions(res.mentions.entities, res.mentions.data))
            for p, res in back.items()}
    mentions, articles_of = Memo().by_entity(lazy)
    want, want_of = Memo().by_entity({slug(p): res for p, res in kept.items()})
    assert isinstance(mentions, ByEntity) and not any(res.mentions.read for res in lazy.values())
    assert articles_of == want_of and dict(mentions) == want and len(mentions) == len(want)


def test_a_cached_build_parses_again_only_the_templates_whose_bytes_changed(archive, monkeypatch):
    """What each template extends, includes or imports (the page memo's signatures) is kept by the digest of
    its bytes: a cached build parses none again but an edited one, and the signatures equal those made
    from nothing."""
    from dossier.render import make_env, template_signatures

    parsed = []
    real = dossier.render._referenced
    monkeypatch.setattr(dossier.render, "_referenced", lambda env, rel: parsed.append(rel) or real(env, rel))
    builder = Builder(archive.root, archive.out, workers=1, cache=True)
    assert builder.build().ok and parsed == []
    EDITS["template"](archive)
    builder = Builder(archive.root, archive.out, workers=1, cache=True)
    assert builder.build().ok and parsed == ["article.html"]
    layouts = builder.session.layouts()
    kept = builder.session.state()["_template_refs"]
    assert template_signatures(make_env(archive.root), layouts.files) == builder.session.tools(layouts)[2]
    assert len(kept) == len({rel for _d, rel, _p in layouts.files if rel.endswith(".html")})  # no stale entry
    archive.expect_cold()


@pytest.mark.parametrize("kind", ["article", "add-article", "nothing"])
def test_a_cached_build_finds_the_part_of_only_the_keys_it_did_not_read(parted, monkeypatch, kind):
    """Each key is written to the part it was read from (``part_of`` only for a key new to its family): the
    parts stay as a cold cache groups them."""
    before = Cache(parted.root)
    before.load()
    read = {(family, key) for family, (_count, slots) in before._slots.items() for key in slots}
    found = []
    real = dossier.cache.part_of
    monkeypatch.setattr(dossier.cache, "part_of", lambda key, count: found.append(key) or real(key, count))
    EDITS[kind](parted)
    parted.cached()
    assert not {key for _family, key in read} & set(found) and len(found) <= 8
    assert kind != "nothing" or found == []
    parted.expect_cold()
    cache = Cache(parted.root)
    assert cache.load() is not None
    for family, (count, slots) in cache._slots.items():  # as a cold cache would group them
        assert count == len(cache._known[family]) and all(i == real(k, count) for k, i in slots.items())


@pytest.mark.parametrize("junk", [b"\x80\x05not a pickle", pickle.dumps(["not a mention"]), pickle.dumps({})])
def test_mentions_that_cannot_be_read_back_make_the_build_again_without_the_cache(archive, monkeypatch, junk):
    """A part of pages forged with a right checksum whose reports' mentions do not read back as mentions
    (``Mentions`` reads them only when first used): the build is made again as if there were no cache, and
    the cache is written afresh; never a traceback, never the junk taken."""
    from dossier.cache_pickle import Mentions

    cache = Cache(archive.root)
    state = cache.load()
    for path, (key, res) in list(state["_markdown"].items()):
        if isinstance(getattr(res, "mentions", None), Mentions):
            state["_markdown"][path] = (key, dataclasses.replace(res, mentions=Mentions(res.mentions.entities, junk)))
    cache.forget()
    cache.save(state)  # every part written again, the junk under its part's checksum
    EDITS["article"](archive)
    assert _sessions_of_a_cached_build(archive, monkeypatch) == 2  # the build made again without the cache
    archive.expect_cold()
    back = Cache(archive.root).load()
    assert all(list(hit[1].mentions) is not None for hit in back["_markdown"].values()
               if isinstance(getattr(hit[1], "mentions", None), Mentions))  # all read back as mentions


def _sessions_of_a_cached_build(archive, monkeypatch) -> int:
    """A cached build of ``archive``: how many sessions it made (2: the builder's, then a fresh one, the build
    made again without the cache)."""
    import dossier.pipeline

    sessions = []
    real = dossier.pipeline.Session
    monkeypatch.setattr(dossier.pipeline, "Session", lambda root: sessions.append(root) or real(root))
    archive.cached()
    return len(sessions)


def test_reading_the_cache_leaves_no_part_for_the_collector(parted):
    """A build runs without the cyclic collector (``pool.no_cyclic_gc``): reading a part must leave no cycle
    holding its unpickler, whose file holds the part's bytes (at 10,000 articles, 220 MB held for the whole
    build). With the collector off, no unpickler (nor the file over a part's bytes) is alive once the cache is read."""
    import gc

    from dossier.cache_pickle import _Unpickler

    cache = Cache(parted.root)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        state = cache.load()
        assert state is not None and len(state["_pages"]) > 8
        alive = gc.get_objects()
        assert not [o for o in alive if isinstance(o, _Unpickler)]
        assert not [o for o in alive if type(o).__name__ == "BytesIO"]
    finally:
        if enabled:
            gc.enable()


def _deferred_and_mentions(state: dict) -> tuple[list, list]:
    from dossier.cache_pickle import Deferred, Mentions

    views = [hit[1] for hit in state["_pages"].values() if isinstance(hit[1], Deferred)]
    mentions = [hit[1].mentions for hit in state["_markdown"].values()
                if isinstance(getattr(hit[1], "mentions", None), Mentions)]
    return views, mentions


def test_views_and_mentions_stay_in_their_part_files_until_read(archive):
    """A part's views and reports' mentions lie after its pickle in the part file: reading the cache holds
    none of their bytes (each is read from its file when a build compares it, 56 MB at 10,000 articles of
    which an edit reads a few hundred kB), and what is read back equals what the build kept."""
    from dossier.cache_pickle import Blob

    builder = Builder(archive.root, archive.out, workers=1, cache=True)
    assert builder.build().ok
    kept = builder.session.state()
    back = Cache(archive.root).load()
    views, mentions = _deferred_and_mentions(back)
    assert len(views) > 10 and len(mentions) >= 4
    assert all(isinstance(x.blob, Blob) and not x.read for x in [*views, *mentions])
    ids = {id(x) for x in [*views, *mentions]}
    pages = [(hit[1], kept["_pages"][path][1]) for path, hit in back["_pages"].items() if id(hit[1]) in ids]
    assert len(pages) == len(views) and all(v.get() is not None and v.get() == want for v, want in pages)
    facts = [(hit[1].mentions, kept["_markdown"][path][1].mentions) for path, hit in back["_markdown"].items()
             if id(getattr(hit[1], "mentions", None)) in ids]
    assert len(facts) == len(mentions) and all(list(m) == list(want) for m, want in facts)


@pytest.mark.parametrize("what", ["view", "mentions"])
def test_a_view_or_mentions_changed_in_their_part_file_after_it_was_read_are_not_taken(archive, what):
    """A part's pickle is checked when it is read; a view or a report's mentions read from the file later are
    taken only when their length and CRC-32 are still the part's: a view changed since equals no view (its
    page is made again), mentions changed since make the build again without the cache. Never the changed
    bytes taken, never a traceback."""
    cache = Cache(archive.root)
    state = cache.load()
    views, mentions = _deferred_and_mentions(state)
    victim = (views if what == "view" else mentions)[0]
    part, i = victim.blob.part, victim.blob.i
    at, length, _crc = part.table[i]
    data = bytearray(part.path.read_bytes())
    data[part.base + at + length // 2] ^= 0xFF
    part.path.write_bytes(bytes(data))
    assert victim.data is None
    if what == "view":
        assert victim.get() is None and victim != views[1].get()
    else:
        from dossier.model import Unreadable
        with pytest.raises(Unreadable):
            list(victim)
    EDITS["article"](archive)
    archive.cached()  # read again, the changed view or mentions are not taken
    archive.expect_cold()


def test_views_and_mentions_not_read_follow_their_part_when_it_is_written_again(archive):
    """A part written again (under a new name; the old file is removed) takes the views and mentions it holds
    that were never read, and those in memory then read from the new file."""
    cache = Cache(archive.root)
    state = cache.load()
    views, mentions = _deferred_and_mentions(state)
    before = {x.blob.part.path for x in [*views, *mentions]}
    cache.forget()
    cache.save(state)  # every part written afresh, the old files removed
    assert not any(path.exists() for path in before)
    assert all(not x.read and not x.blob.part.path in before for x in [*views, *mentions])
    again = Cache(archive.root).load()
    assert [v.get() for v in views] == [v.get() for v in _deferred_and_mentions(again)[0]]
    assert all(v.get() is not None for v in views) and all(len(list(m)) >= 0 for m in mentions)
    assert all(m.read for m in mentions)


def test_a_search_index_updated_outside_the_preview_holds_no_reports_records(parted, monkeypatch):
    """Outside the preview, the search index updated after an edit reads each report's record as it is made
    (``exports._Records``), never all held: the files equal a cold build's, and the update (not a whole
    index) made them."""
    import dossier.exports
    import dossier.pool
    import dossier.search_update

    monkeypatch.setattr(dossier.pool, "PARALLEL_MIN", 1)
    updated = []
    real = dossier.search_update.update
    monkeypatch.setattr(dossier.search_update, "update", lambda state, records, *rest: updated.append(
        (records, real(state, records, *rest))) or updated[-1][1])
    EDITS["article"](parted)
    assert Builder(parted.root, parted.out, workers=2, cache=True).build().ok
    [(records, got)] = updated
    assert isinstance(records, dossier.exports._Records) and records.reports >= 4 and got is not None
    assert records[0] == records[0] and records[0] is not records[0]  # made each time it is read
    parted.expect_cold()


def test_a_cached_build_reads_for_the_search_index_the_record_of_only_the_edited_report(archive, monkeypatch):
    """The reports' words kept are known to be their records' (``exports.Memory.checked``): after an edit, only
    the edited report's record is read for its words' key, and the output equals a cold build's."""
    import dossier.search

    keyed = []
    real = dossier.search._key
    monkeypatch.setattr(dossier.search, "_key", lambda r: keyed.append(r) or real(r))
    EDITS["article"](archive)
    archive.cached()
    assert {r.url for r in keyed if r.type == "Report"} == {"/articles/one/"}
    archive.expect_cold()


def test_reports_whose_record_changed_around_their_text_are_read_again(archive):
    """An outlet renamed changes the record of each of its reports (not only their pages): each is checked
    again, and the output equals a cold build's, then after an edit too."""
    archive.edit("content/entities/outlets/daily.md", "name: Daily Example", "name: Daily Renamed")
    archive.cached()
    archive.expect_cold()
    EDITS["article"](archive)
    archive.cached()
    archive.expect_cold()


def _reports(state: dict) -> dict:
    """article slug -> its Markdown facts (``ArticleResult``)."""
    return {path.split("/")[1]: hit[1] for path, hit in state["_markdown"].items() if path.startswith("articles/")}


def test_texts_and_words_stay_in_their_part_files_until_read(archive):
    """Each report's text and its search words' terms lie after its part's pickle in the part file
    (``Text``, ``LazyWords``: the words' key and length read at once): reading the cache reads no byte of
    them, nor of a view or mentions (a part file is read up to the end of its pickle), and what is read
    back equals what a build without the cache made; anywhere but the cache they pickle as the tuple and
    the ``Words`` themselves."""
    from dossier.cache_pickle import Blob, LazyWords, Text, _read_head
    from dossier.opendata import window
    from dossier.search import Words

    plain = Builder(archive.root, archive.tmp / "plain", workers=1)  # no cache: the texts and words as made
    assert plain.build().ok
    made = _reports(plain.session.state())
    cache = Cache(archive.root)
    back = _reports(cache.load())
    assert back.keys() == made.keys() and len(back) == 5
    for slug, res in back.items():
        want = made[slug]
        assert type(want.text) is tuple and type(want.words) is Words
        assert isinstance(res.text, Text) and isinstance(res.words, LazyWords)
        assert isinstance(res.text.blob, Blob) and isinstance(res.words.blob, Blob)
        assert (res.words.key, res.words.length) == (want.words.key, want.words.length)
        assert not res.text.read and not res.words.read
        assert res.text == want.text and want.text == res.text and tuple(res.text) == want.text and res.text.read
        assert res.words == want.words and want.words == res.words and res.words.read
        assert hash(res.words) == hash(want.words)
        assert pickle.loads(pickle.dumps(res.text)) == want.text
        body, spans = want.text
        assert res.text.windows == {a: (s, e, *window(body, s, e)) for a, (s, e) in spans.items()}
        assert all(text in body for _s, _e, _at, text in res.text.windows.values())
        again = pickle.loads(pickle.dumps(res.words))
        assert type(again) is Words and again == want.words
    sizes = [(len(_read_head(cache.parts / name, cache.key)[0]), (cache.parts / name).stat().st_size)
             for name, maps, _refs in cache._known["pages"].values() if maps["_markdown"]]
    assert sizes and all(head < size for head, size in sizes)  # the pickles of their own were not read


@pytest.mark.parametrize("kind", ["article", "nothing", "page"])
def test_a_cached_build_reads_back_only_the_texts_and_words_it_needs(tmp_path, monkeypatch, kind):
    """A report's text is read back only when its search record is made again (its chunk holds a changed
    record): an annotated report's passages are read from the windows kept beside it (``Text.windows``);
    a report's words' terms only when its postings are made again:
    the edited report's last words (its old postings taken out) and those of records whose weights may have
    moved (``search_update._reweighed``). One record to a chunk here, and the reports' records made as they are
    read, as outside the preview in a large archive. The output equals a cold build's."""
    import dossier.exports
    import dossier.pool
    import dossier.search
    import dossier.search_update
    from dossier.cache_pickle import LazyWords, Text

    monkeypatch.setattr(dossier.search, "CHUNK_CHARS", 1)
    monkeypatch.setattr(dossier.pool, "PARALLEL_MIN", 1)
    archive = Archive(tmp_path)
    archive.cached()
    moved = []
    real = dossier.search_update._reweighed
    monkeypatch.setattr(dossier.search_update, "_reweighed", lambda *args: moved.extend(got := real(*args)) or got)
    made = []
    real_record = dossier.exports.report_record
    monkeypatch.setattr(dossier.exports, "report_record",
                        lambda site, urls, slug, body: made.append(slug) or real_record(site, urls, slug, body))
    EDITS[kind](archive)
    builder = Builder(archive.root, archive.out, workers=2, cache=True)
    assert builder.build().ok
    facts = _reports(builder.session.state())
    deferred = {slug: res for slug, res in facts.items() if isinstance(res.text, Text)}
    assert len(deferred) >= 4 and all(isinstance(res.words, LazyWords) for res in deferred.values())
    texts = {slug for slug, res in deferred.items() if res.text.read}
    assert texts <= set(made)  # not the annotated reports' ("one", "two"), nor any other
    assert {slug for slug, res in deferred.items() if res.text.windows} == {"one", "two"} - set(made)
    assert len(set(made)) <= 1 and set(made) <= ({"one"} if kind == "article" else set())
    words = {slug for slug, res in deferred.items() if res.words.read}
    assert len(words) <= len(set(moved))  # the records are numbered reports first: a moved one may be one
    archive.expect_cold()


def _deferred_blobs(state: dict) -> list:
    """Every view, mentions, text and words a part holds after its pickle (read back from the cache)."""
    from dossier.cache_pickle import Deferred, LazyWords, Mentions, Text

    found = [hit[1] for hit in state["_pages"].values() if isinstance(hit[1], Deferred)]
    for res in _reports(state).values():
        found += [x for x in (res.mentions, res.text, res.words) if isinstance(x, (Mentions, Text, LazyWords))]
    return found


@pytest.mark.parametrize("kind", ["flipped", "truncated", "emptied"])
def test_a_part_whose_pickles_of_their_own_are_damaged_is_never_trusted(archive, monkeypatch, kind):
    """A byte flipped in every view, mentions, text and words that lie after their part's pickle (the part's
    own checksum still right): each is checked by its own length and CRC-32 when read, a view then equals no
    view, a text, words or mentions make the build again without the cache. A part file cut short (by one
    byte, or of all that follows its pickle) is not taken: its pages are made again. Either way the cached
    build after an edit equals a cold build, never a traceback."""
    state = Cache(archive.root).load()
    blobs = _deferred_blobs(state)
    assert {type(x).__name__ for x in blobs} == {"Deferred", "Mentions", "Text", "LazyWords"}
    parts = {}
    for x in blobs:
        parts.setdefault(x.blob.part.path, (x.blob.part, []))[1].append(x.blob.i)
    for path, (part, items) in parts.items():
        data = bytearray(path.read_bytes())
        if kind == "flipped":
            for i in items:
                at, length, _crc = part.table[i]
                data[part.base + at + length // 2] ^= 0xFF
        path.write_bytes(bytes(data[:-1] if kind == "truncated" else data[:part.base] if kind == "emptied" else data))
    EDITS["article"](archive)
    assert _sessions_of_a_cached_build(archive, monkeypatch) == (2 if kind == "flipped" else 1)  # flipped: the
    # edited report's last words are read (its old postings), and the mentions of the reports naming what it names
    archive.expect_cold()
    assert archive.cached().rendered == frozenset()  # the cache written again whole


@pytest.mark.parametrize("what", ["text", "words"])
@pytest.mark.parametrize("junk", [b"\x80\x05not a pickle", pickle.dumps(("body", "not passages")), pickle.dumps({})])
def test_texts_or_words_that_cannot_be_read_back_make_the_build_again_without_the_cache(archive, monkeypatch, what,
                                                                                        junk):
    """A part of pages forged with a right checksum whose reports' texts or words' terms do not read back as
    such (read only when first used): the build is made again as if there were no cache, and the cache is
    written afresh; never a traceback, never the junk taken."""
    from dossier.cache_pickle import LazyWords, Text
    from dossier.model import Unreadable

    cache = Cache(archive.root)
    state = cache.load()
    memo = state["exports"].words
    for path, (key, res) in list(state["_markdown"].items()):
        if isinstance(getattr(res, "text", None), Text):
            lazy = {"text": Text(junk)} if what == "text" else {"words": LazyWords(res.words.key, res.words.length, junk)}
            state["_markdown"][path] = (key, dataclasses.replace(res, **lazy))
            memo[res.words.key] = state["_markdown"][path][1].words  # the exports memo holds the reports' own
    cache.forget()
    cache.save(state)  # every part written again, the junk under its part's checksum
    back = _reports(Cache(archive.root).load())
    with pytest.raises(Unreadable):
        list(back["one"].text) if what == "text" else back["one"].words.terms
    EDITS["article"](archive)
    assert _sessions_of_a_cached_build(archive, monkeypatch) == 2  # the build made again without the cache
    archive.expect_cold()
    back = _reports(Cache(archive.root).load())
    assert all(len(res.text) == 2 and res.words.terms for res in back.values())  # all read back as they were made


def test_a_damaged_text_no_build_reads_is_written_afresh_when_its_report_is_edited(archive, monkeypatch):
    """The old text of an edited report that no annotation reads is never read, by the build nor when the
    cache is written (its Markdown key changed): damaged in its part file since, it is not missed, and its
    part is written afresh with the new text. The output equals a cold build's."""
    victim = _reports(Cache(archive.root).load())["three"].text
    part, i = victim.blob.part, victim.blob.i
    at, length, _crc = part.table[i]
    data = bytearray(part.path.read_bytes())
    data[part.base + at + length // 2] ^= 0xFF
    part.path.write_bytes(bytes(data))
    archive.edit("content/articles/three.md", "armed policing.", "armed policing, she said on Sunday.")
    assert _sessions_of_a_cached_build(archive, monkeypatch) == 1  # the cache used: the damaged text not needed
    archive.expect_cold()
    assert not part.path.exists()  # its part written afresh under a new name
    assert all(len(res.text) == 2 for res in _reports(Cache(archive.root).load()).values())


def test_what_cannot_be_read_back_to_be_compared_when_the_cache_is_written_is_not_the_same():
    """Writing the cache compares what a part held when read with what it holds now (``cache._same``) and a
    report's words with the exports memo's of the same key (``cache._equal``): an old text or words whose
    bytes are damaged make the part not the same (written afresh), never a traceback; words of the same key
    stand for each other."""
    from dossier.cache_pickle import LazyWords, Text
    from dossier.emit import ArticleResult

    damaged = ArticleResult("a", None, [], [], [], text=Text(b"\x80\x05junk"))
    now = ArticleResult("a", None, [], [], [], text=("body", {}))
    assert not dossier.cache._same({"_markdown": {"p": ("key", damaged)}}, {"_markdown": {"p": ("key", now)}})
    assert dossier.cache._same({"_markdown": {"p": ("key", now)}}, {"_markdown": {"p": ("key", now)}})
    assert dossier.cache._equal(LazyWords(1, 2, b"junk"), LazyWords(1, 2, b"other junk"))
    assert not dossier.cache._equal(LazyWords(1, 2, b"junk"), LazyWords(1, 3, b"junk"))
