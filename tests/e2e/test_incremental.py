"""``Builder.build(changed=...)``: after each kind of edit the output equals a clean build, byte for byte."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dossier.pipeline import Builder, build_site
from dossier.render import DEFAULT_LAYOUTS
from tests.helpers.files import tree

FILES = {
    "site.yaml": "title: Incremental\n",
    "content/entities/outlets/daily.md": "---\nname: Daily Example\ntype: outlet\n---\n",
    "content/entities/outlets/weekly.md": "---\nname: Weekly Example\ntype: outlet\n---\n",
    "content/entities/people/mark-rowley.md": ("---\nname: Sir Mark Rowley\ntype: person\naliases: [Rowley]\n"
                                              "description: Commissioner.\n---\nLeads the [[metropolitan-police]].\n"),
    "content/entities/people/suella-braverman.md": ("---\nname: Suella Braverman\ntype: person\naliases: [Braverman]\n"
                                                   "description: Home Secretary.\n---\n"),
    "content/entities/organisations/metropolitan-police.md": ("---\nname: Metropolitan Police\ntype: organisation\n"
                                                             "aliases: [Met, Met Police]\n---\n"),
    "content/entities/organisations/home-office.md": "---\nname: Home Office\ntype: organisation\n---\n",
    "content/articles/one.md": ("---\ntitle: One\noutlet: daily\npublished: 2023-09-23\nstory: s\ntags: [army]\n---\n"
                                "Sir Mark Rowley wrote to Suella Braverman about armed officers.\n\n"
                                "The Met said officers were worried.\n"),
    "content/articles/two.md": ("---\ntitle: Two\noutlet: weekly\npublished: 2023-09-24\nstory: s\ntags: [army, police]\n---\n"
                                "The Home Office received a request from the Met Police.\n\n"
                                "Rowley said the police must police.\n"),
    "content/articles/three.md": ("---\ntitle: Three\noutlet: daily\npublished: 2023-09-25\nstory: s\n---\n"
                                  "Braverman announced a review of armed policing.[^1]\n\n[^1]: On Sunday.\n"),
    "content/articles/four.md": ("---\ntitle: Four\noutlet: weekly\npublished: 2023-09-25\nstory: s\n---\n"
                                 "Officers returned to work on Monday, the Met said.\n"),
    "content/articles/five.md": ("---\ntitle: Five\noutlet: daily\npublished: 2023-09-26\n---\n"
                                 "Nothing here names anyone in particular.\n"),
    "content/annotations/one.md": ('{.discrepancy claim="officer-count" value="worried"}\n'
                                   "> officers were worried\n\nHow many, says [[two]]? Rowley does not say.\n"),
    "content/annotations/two.md": "> received a request\n\nFrom the Ministry, per the Home Office.\n",
    "content/pages/about.md": "---\ntitle: About\norder: 1\n---\nAbout [[one]].\n",
}


def touch_later(path: Path) -> None:
    """Make sure a stat-based cache sees the edit even on coarse clocks."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


class Archive:
    def __init__(self, root: Path, tmp: Path) -> None:
        self.root, self.tmp, self.n = root, tmp, 0
        for rel, text in FILES.items():
            self.write(rel, text)
        self.builder = Builder(root, tmp / "out", workers=1)
        first = self.builder.build()
        assert first.ok, [str(e) for e in first.errors]

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        path.write_text(text, encoding="utf-8")
        if existed:
            touch_later(path)
        return path

    def edit(self, rel: str, old: str, new: str) -> Path:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        return self.write(rel, text.replace(old, new, 1))

    def rebuild_and_compare(self, changed: set[Path]):
        result = self.builder.build(changed=changed)
        assert result.ok, [str(e) for e in result.errors]
        self.n += 1
        clean_out = self.tmp / f"clean{self.n}"
        clean = build_site(self.root, out=clean_out, workers=1)
        assert clean.ok
        got, want = tree(self.tmp / "out"), tree(clean_out)
        assert sorted(got) == sorted(want), (set(got) ^ set(want))
        differ = [k for k in want if got[k] != want[k]]
        assert not differ, f"incremental output differs from a clean build in {differ}"
        return result


@pytest.fixture
def archive(tmp_path):
    return Archive(tmp_path / "archive", tmp_path)


def test_body_edit_writes_only_what_changed(archive):
    path = archive.edit("content/articles/three.md", "armed policing.", "armed policing, she said on Sunday.")
    result = archive.rebuild_and_compare({path})
    assert "articles/three/index.html" in result.written
    for other in ("one", "two", "four", "five"):
        assert f"articles/{other}/index.html" not in result.written
    # The page, and at most the mentioned entity's page; the search index and the data files follow
    # every change of content (they are rebuilt whole, and written only where their bytes changed).
    pages = [p for p in result.written if not p.startswith(("search/", "data/"))]
    assert len(pages) <= 3, result.written
    assert "data/mentions.csv" in result.written
    assert result.removed == (), result.removed


def test_nothing_changed_writes_nothing(archive):
    result = archive.builder.build(changed=set())
    assert result.ok and result.written == () and result.removed == ()


def test_annotation_edit(archive):
    path = archive.edit("content/annotations/one.md", "Rowley does not say.", "Braverman does not say either.")
    result = archive.rebuild_and_compare({path})
    assert "articles/one/index.html" in result.written
    assert "entities/suella-braverman/index.html" in result.written  # now named in a note


def test_annotation_quote_edit_moves_the_mark(archive):
    path = archive.edit("content/annotations/two.md", "> received a request", "> a request from the Met Police")
    archive.rebuild_and_compare({path})
    html = (archive.tmp / "out" / "articles" / "two" / "index.html").read_text(encoding="utf-8")
    assert 'id="ann-a-request-from-the-met-police"' in html and 'id="ann-received-a-request"' not in html


def test_entity_description_edit(archive):
    path = archive.edit("content/entities/people/mark-rowley.md", "description: Commissioner.",
                        "description: Commissioner of the Met.")
    archive.rebuild_and_compare({path})
    html = (archive.tmp / "out" / "articles" / "one" / "index.html").read_text(encoding="utf-8")
    assert 'data-desc="Commissioner of the Met."' in html  # the list of mentioned entities carries it


def test_entity_alias_edit(archive):
    path = archive.edit("content/entities/organisations/home-office.md", "type: organisation\n",
                        "type: organisation\naliases: [request]\n")
    archive.rebuild_and_compare({path})
    html = (archive.tmp / "out" / "articles" / "two" / "index.html").read_text(encoding="utf-8")
    assert html.count('href="/entities/home-office/"') >= 2


def test_delete_article(archive):
    path = archive.root / "content" / "articles" / "four.md"
    path.unlink()
    result = archive.rebuild_and_compare({path})
    assert "articles/four/index.html" in result.removed
    assert not (archive.tmp / "out" / "articles" / "four").exists()


def test_add_article(archive):
    path = archive.write("content/articles/six.md", "---\ntitle: Six\noutlet: weekly\npublished: 2023-09-27\nstory: s\n---\n"
                                                    "Rowley and Braverman met at the Home Office.\n")
    result = archive.rebuild_and_compare({path})
    assert "articles/six/index.html" in result.written
    assert "index.html" in result.written  # the home page lists it


def test_rename_article(archive):
    old = archive.root / "content" / "articles" / "three.md"
    new = old.with_name("three-renamed.md")
    old.rename(new)
    result = archive.rebuild_and_compare({old, new})
    assert "articles/three/index.html" in result.removed
    assert "articles/three-renamed/index.html" in result.written


def test_rename_annotation_file_to_another_article(archive):
    old = archive.root / "content" / "annotations" / "two.md"
    text = old.read_text(encoding="utf-8").replace("> received a request", "> Officers returned to work")
    old.unlink()
    new = archive.write("content/annotations/four.md", text)
    archive.rebuild_and_compare({old, new})


def own_template_edited(archive, name: str, old: str, new: str):
    """Copy the theme's ``name`` into the archive's layouts/, build, edit it, build: the second result."""
    layouts = archive.root / "layouts"
    layouts.mkdir()
    shutil.copy(DEFAULT_LAYOUTS / name, layouts / name)
    archive.rebuild_and_compare({layouts / name})
    return archive.rebuild_and_compare({archive.edit(f"layouts/{name}", old, new)})


def test_template_edit(archive):
    result = own_template_edited(archive, "article.html", "<h1", '<p class="incremental-marker">edited</p>\n<h1')
    for slug in ("one", "two", "three", "four", "five"):
        assert f"articles/{slug}/index.html" in result.written
    html = (archive.tmp / "out" / "articles" / "one" / "index.html").read_text(encoding="utf-8")
    assert 'class="incremental-marker"' in html


def test_sequence_of_edits(archive):
    """Edits pile up on the same Builder: its caches must not go stale across builds."""
    steps = [
        lambda: archive.edit("content/articles/one.md", "The Met said", "The Met said on Monday that"),
        lambda: archive.edit("content/annotations/one.md", "> officers were worried", "> on Monday that officers"),
        lambda: archive.edit("content/entities/people/suella-braverman.md", "aliases: [Braverman]",
                             "aliases: [Braverman, the Home Secretary]"),
        lambda: archive.edit("content/articles/five.md", "Nothing here", "The Home Secretary said nothing here"),
        lambda: archive.edit("site.yaml", "title: Incremental", "title: Incremental, renamed"),
    ]
    for step in steps:
        archive.rebuild_and_compare({step()})


def test_failed_incremental_build_keeps_output_then_recovers(archive):
    before = tree(archive.tmp / "out")
    path = archive.edit("content/articles/two.md", "outlet: weekly", "outlet: nowhere")
    result = archive.builder.build(changed={path})
    assert not result.ok and [e.line for e in result.errors] == [3]
    assert tree(archive.tmp / "out") == before
    archive.edit("content/articles/two.md", "outlet: nowhere", "outlet: weekly")
    archive.rebuild_and_compare({path})


def test_page_order_edit_changes_every_nav(archive):
    path = archive.edit("content/pages/about.md", "order: 1\n", "")
    archive.rebuild_and_compare({path})


def test_template_edit_rerenders_only_the_pages_that_use_it(archive):
    result = own_template_edited(archive, "tag.html", "<h1>", '<h1 class="edited">')
    assert sorted(result.written) == ["tags/army/index.html", "tags/police/index.html"]


def test_claim_file_added_edited_and_removed(archive):
    path = archive.write("content/claims/officer-count.md", "---\ntitle: How many\n---\nThey differ.\n")
    result = archive.rebuild_and_compare({path})
    assert "claims/officer-count/index.html" in result.written and "index.html" in result.written
    path = archive.edit("content/claims/officer-count.md", "They differ.", "They differ a lot.")
    archive.rebuild_and_compare({path})
    path.unlink()
    archive.rebuild_and_compare({path})


def test_links_to_passages_and_claims_follow_the_annotations_they_name(archive):
    """A note on one report links a passage of another and a claim: when that passage's id or the
    claim's title changes, the linking page changes with it (as a clean build), and a link to a
    passage that went away is an error in the incremental build too."""
    page = archive.edit("content/pages/about.md", "About [[one]].", "About [[two#received-a-request]], [[claim:officer-count]].")
    archive.rebuild_and_compare({page})
    claim = archive.write("content/claims/officer-count.md", "---\ntitle: How many officers\n---\n")
    archive.rebuild_and_compare({claim})
    html = (archive.tmp / "out" / "about" / "index.html").read_text(encoding="utf-8")
    assert '<a class="wikilink" href="/claims/officer-count/">How many officers</a>' in html
    ann = archive.edit("content/annotations/two.md", "> received a request", "{#request}\n> received a request")
    result = archive.builder.build(changed={ann})
    assert [e.path for e in result.errors] == ["content/pages/about.md"], result.errors
    assert "no annotation with the permalink '#received-a-request' (its annotations: request)" in result.errors[0].message
    archive.rebuild_and_compare({archive.edit("content/pages/about.md", "two#received-a-request", "two#request")})
