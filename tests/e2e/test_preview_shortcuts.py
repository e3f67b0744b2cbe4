"""The preview's shortcuts after a save, each against doing the whole work (and a cold build).

A rebuild after an edit of a report's prose takes its files, Site, article pages and index parts from
the last build without looking at each: only the records of the changed files are read into place
(``Session.load``), the Site is assembled from the last one (``site.reassemble``), only the reports
whose record changed ask the page memo (``article_pages.ArticlePass``), the index's parts are the last
ones (``index.Memo.parts``) and the manifest is not parsed again (``outdir.read_manifest``). Each test
checks the shortcut is taken where it may be, declined where it may not, and that the output equals a
cold build's byte for byte either way.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dossier import outdir
from dossier.pipeline import Builder, build_site
from dossier.session import Session
from tests.e2e.test_incremental import FILES, touch_later
from tests.helpers.files import differences, tree, write_files


class Preview:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.colds = tmp, 0
        self.root = write_files(tmp / "archive", FILES)
        self.out = tmp / "out"
        self.builder = Builder(self.root, self.out, workers=1, preview=True)
        self.changed: set[Path] = set()
        self.asked: list[str] = []  # output paths whose page memo was asked for Markdown facts
        self.build()
        session = self.builder.session
        ask = session.markdown

        def markdown(path, key):
            self.asked.append(path)
            return ask(path, key)
        session.markdown = markdown

    def build(self, ok: bool = True):
        self.asked = []
        result = self.builder.build(changed=self.changed or None)
        if result.ok and result.later is not None:
            result.later()
        assert result.ok == ok, [str(e) for e in result.errors]
        if ok:
            self.changed = set()
        return result

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        touch_later(path)
        self.changed.add(path)

    def rebuild(self, ok: bool = True):
        result = self.build(ok)
        if ok:
            self.colds += 1
            cold = self.tmp / f"cold-{self.colds}"
            assert build_site(self.root, out=cold, workers=1).ok
            assert differences(tree(self.out), tree(cold)) == []
        return result

    def articles_asked(self) -> list[str]:
        return sorted(p.split("/")[1] for p in self.asked if p.startswith("articles/"))

    def entities_asked(self) -> list[str]:
        return sorted(p.split("/")[1] for p in self.asked if p.startswith("entities/"))


@pytest.fixture
def preview(tmp_path) -> Preview:
    return Preview(tmp_path)


def test_a_prose_edit_asks_the_memo_of_the_edited_report_only(preview):
    preview.edit("content/articles/five.md", "Nothing here", "Still nothing here")
    preview.rebuild()
    assert preview.articles_asked() == ["five"] and preview.entities_asked() == []
    assert preview.builder.session.pass_since("articles", preview.builder.session._coverage[1]) is not None
    preview.edit("content/articles/three.md", "announced", "announced at last")
    preview.rebuild()
    assert preview.articles_asked() == ["three"]
    preview.rebuild()  # nothing changed: no report asks
    assert preview.articles_asked() == []


@pytest.mark.parametrize("rel, old, new", [
    ("content/articles/one.md", "title: One", "title: One again"),  # a head other coverage shows
    ("content/entities/people/mark-rowley.md", "Commissioner.", "The Commissioner."),  # an entity
    ("content/annotations/two.md", "per the Home Office", "says the Home Office"),  # an annotation
    ("content/articles/five.md", "Nothing here names", "Sir Mark Rowley names"),  # other coverage
    ("site.yaml", "title: Incremental", "title: Incremental too"),  # the frame
])
def test_an_edit_every_page_may_read_asks_the_memo_of_every_report(preview, rel, old, new):
    preview.edit(rel, old, new)
    preview.rebuild()
    assert preview.articles_asked() == sorted(("one", "two", "three", "four", "five"))
    preview.edit("content/articles/four.md", "on Monday", "on Tuesday")  # the shortcut again, after that
    preview.rebuild()
    assert preview.articles_asked() == ["four"]


def test_a_template_edit_declines_the_shortcut(preview):
    layouts = preview.root / "layouts"
    layouts.mkdir()
    theme = (Path(__file__).resolve().parents[2] / "layouts" / "article.html").read_text(encoding="utf-8")
    assert "{% block main %}" in theme
    (layouts / "article.html").write_text(theme.replace("{% block main %}", "{% block main %}<!-- changed -->", 1),
                                          encoding="utf-8")
    preview.changed.add(layouts / "article.html")
    preview.rebuild()
    assert len(preview.articles_asked()) == 5
    assert "<!-- changed -->" in (preview.out / "articles" / "two" / "index.html").read_text(encoding="utf-8")


def test_after_a_failed_build_the_next_takes_the_last_good_one(preview):
    preview.edit("content/articles/five.md", "outlet: daily", "outlet: nowhere")
    preview.rebuild(ok=False)
    preview.edit("content/articles/five.md", "outlet: nowhere", "outlet: daily")
    preview.edit("content/articles/four.md", "on Monday", "on Sunday")
    preview.rebuild()
    preview.edit("content/articles/four.md", "on Sunday", "on Saturday")
    preview.rebuild()
    assert preview.articles_asked() == ["four"]


def test_a_page_deleted_from_the_output_is_made_again(preview):
    (preview.out / "articles" / "one" / "index.html").unlink()
    preview.edit("content/articles/five.md", "Nothing here", "Still nothing here")
    preview.build()  # finds the page missing: the next build makes every page
    preview.edit("content/articles/five.md", "Still nothing", "Nothing")
    preview.rebuild()
    assert (preview.out / "articles" / "one" / "index.html").is_file()


def test_reports_added_or_gone_ask_the_memo_each(preview):
    (preview.root / "content/articles/five.md").rename(preview.root / "content/articles/six.md")
    preview.changed |= {preview.root / "content/articles/five.md", preview.root / "content/articles/six.md"}
    preview.rebuild()
    assert "six" in preview.articles_asked() and len(preview.articles_asked()) == 5


# -- load: the changed files' records in their places -------------------------------------------------
def _load(root: Path, session: Session | None = None, changed=None):
    session = session or Session(root)
    records, errors, failed = session.load(changed)
    return records, sorted(map(str, errors)), failed


def test_load_puts_the_changed_files_records_in_place(tmp_path):
    root = write_files(tmp_path / "archive", FILES)
    session = Session(root)
    _load(root, session)
    files = session._files
    path = root / "content/articles/two.md"
    path.write_text(path.read_text(encoding="utf-8").replace("must police", "must police well"), encoding="utf-8")
    touch_later(path)
    got = _load(root, session, {path})
    assert session._files is files  # no file came or went: the list is the last one
    assert got == _load(root)
    assert [r for r in got[0] if getattr(r, "slug", None) == "two"][0].body.endswith("must police well.\n")


@pytest.mark.parametrize("rel, text", [
    ("content/articles/two.md", "---\ntitle: Two\noutlet: weekly\n---\nNo date.\n"),  # now an error
    ("content/annotations/two.md", "> received a request\n\nOne.\n\n> the Met Police\n\nTwo.\n"),  # one record more
    ("content/articles/six.md", "---\ntitle: Six\noutlet: daily\npublished: 2023-09-27\n---\nNew.\n"),  # a new file
])
def test_load_reads_again_what_does_not_fit_in_place(tmp_path, rel, text):
    root = write_files(tmp_path / "archive", FILES)
    session = Session(root)
    _load(root, session)
    path = root / rel
    existed = path.exists()
    path.write_text(text, encoding="utf-8")
    if existed:
        touch_later(path)
    assert _load(root, session, {path}) == _load(root)
    path.write_text(FILES[rel], encoding="utf-8") if rel in FILES else path.unlink()
    if path.exists():
        touch_later(path)
    assert _load(root, session, {path}) == _load(root)  # and back


# -- the manifest ----------------------------------------------------------------------------------
def test_manifest_bytes_are_json_with_indent_zero():
    from hypothesis import given, settings, strategies as st

    text = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(text, text, max_size=6), st.lists(text, max_size=4))
    def same(files, kept):
        data = {"format": outdir.FORMAT, "generator": "dossier", "files": dict(sorted(files.items())),
                "kept": sorted(kept)}
        assert outdir.manifest_bytes(files, kept) == (json.dumps(data, indent=0, ensure_ascii=False) + "\n").encode()
    same()


def test_a_manifest_written_elsewhere_is_read_again(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outdir.write_manifest(tmp_path / "tmp.json", out, {"b": "2", "a": "1"})
    first = outdir.read_manifest(out)
    assert list(first.files.items()) == [("a", "1"), ("b", "2")]  # as parsing the file gives it
    assert json.loads((out / outdir.MANIFEST).read_bytes())["files"] == first.files
    assert outdir.read_manifest(out) is first  # the same file: not parsed again
    (out / outdir.MANIFEST).write_bytes(outdir.manifest_bytes({"a": "3"}, ()))  # in place, same size
    st = (out / outdir.MANIFEST).stat()
    os.utime(out / outdir.MANIFEST, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert outdir.read_manifest(out).files == {"a": "3"}
    (out / outdir.MANIFEST).write_bytes(b"{")
    with pytest.raises(outdir.OutputError):
        outdir.read_manifest(out)


def test_the_entities_an_edit_names_or_named_ask_the_memo_only(preview):
    preview.edit("content/articles/five.md", "Nothing here names anyone", "Braverman names no one")
    preview.rebuild()
    assert preview.entities_asked() == ["suella-braverman"]
    preview.edit("content/articles/five.md", "Braverman names", "The Home Office names")
    preview.rebuild()
    assert preview.entities_asked() == ["home-office", "suella-braverman"]
    preview.edit("content/entities/organisations/home-office.md", "name: Home Office", "name: Home Office\ndate: 2020-01-01")
    preview.rebuild()  # an entity record: not quiet, every entity asks
    assert len(preview.entities_asked()) == 6  # every entity
    preview.edit("content/articles/five.md", "The Home Office names", "Nobody names")
    preview.rebuild()
    assert preview.entities_asked() == ["home-office"]


def test_the_feed_and_sitemap_are_made_again_when_what_they_read_changed(preview):
    preview.edit("site.yaml", "title: Incremental", "title: Incremental\nbase_url: https://example.org/news/")
    preview.rebuild()
    kept = preview.builder.session._keyed

    def made() -> tuple:
        return kept["feed"][1], kept["sitemap"][1]
    feed, sitemap = made()
    preview.edit("content/articles/five.md", "Nothing here", "Still nothing here")
    preview.rebuild()
    assert made() == (feed, sitemap) and made()[0] is feed  # what they read is as it was: not made again
    preview.edit("content/articles/five.md", "title: Five", "title: Five & more")
    preview.rebuild()
    assert made()[0] is not feed and b"Five &amp; more" in (preview.out / "feed.xml").read_bytes()
    preview.edit("content/entities/outlets/daily.md", "name: Daily Example", "name: Daily Sample")
    preview.rebuild()
    assert b"Daily Sample" in (preview.out / "feed.xml").read_bytes()
    write_files(preview.root, {"content/articles/six.md": "---\ntitle: Six\noutlet: daily\npublished: 2023-09-27\n---\nSix.\n"})
    preview.changed.add(preview.root / "content/articles/six.md")
    preview.rebuild()
    assert b"/news/articles/six/" in (preview.out / "sitemap.xml").read_bytes()


def test_a_manifest_written_again_with_a_few_files_changed_is_the_whole_one(tmp_path):
    """``write_manifest`` after ``write_manifest`` re-encodes only the changed lines: the file is what
    ``manifest_bytes`` makes of the whole, whatever changed (digests, names that need escaping, files
    added or gone)."""
    from hypothesis import given, settings, strategies as st

    name = st.text(alphabet=st.sampled_from('ab/"\\\n\té\u2028\x00 {}[],:'), max_size=5)
    out = tmp_path / "out"
    out.mkdir()

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.dictionaries(name, name, max_size=6), min_size=1, max_size=5), st.data())
    def same(writes, data):
        files: dict = {}
        for step in writes:
            if data.draw(st.booleans()):  # the same names, some digests changed (the preview's usual save)
                files = {rel: d + data.draw(name) for rel, d in files.items()}
            else:
                files = step
            outdir.write_manifest(tmp_path / "tmp.json", out, files)
            assert (out / outdir.MANIFEST).read_bytes() == outdir.manifest_bytes(files, ())
            assert outdir.read_manifest(out).files == files
    same()
