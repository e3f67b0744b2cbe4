"""Issue 14, the links of an archive: two annotations on one passage, wikilinks to a passage and
to a claim under a sub-path base URL, bylines linked to person entities, headline mentions and
wikilinked entities on entity pages; the pages stay valid HTML."""
from __future__ import annotations

import subprocess
import sys

import pytest
from selectolax.lexbor import LexborHTMLParser

from dossier.pipeline import build_site
from tests.helpers import REPO_ROOT, vnu
from tests.helpers.files import write_files
from tests.helpers.site import PAGES_BASE, build

ARCHIVE = {
    "site.yaml": "title: Harbour\nbase_url: https://example.org/\n",
    "content/entities/outlets/courier.md": "---\nname: Saltmarsh Courier\ntype: outlet\n---\n",
    "content/entities/people/sam-plover.md": "---\nname: Sam Plover\ntype: person\naliases: [S. Plover]\n---\n",
    "content/entities/people/edith-pell.md": "---\nname: Edith Pell\ntype: person\n---\nShe keeps the clock; see [[claim:stop-time]].\n",
    "content/entities/places/saltmarsh-bay.md": "---\nname: Saltmarsh Bay\ntype: place\n---\n",
    "content/articles/clock.md": (
        "---\ntitle: Edith Pell sees the harbour clock stop\noutlet: courier\npublished: 2024-03-01\n"
        "byline: By Sam Plover and Jo Bloggs\n---\n"
        "The harbour clock stopped at noon on Friday, the keeper said.\n\n"
        "Repairs in Saltmarsh Bay will take a week.\n"),
    "content/articles/clock-again.md": (
        "---\ntitle: The clock runs again\noutlet: courier\npublished: 2024-03-09\nbyline: S. Plover\n---\n"
        "The clock was mended on Friday.\n"),
    "content/annotations/clock.md": (
        "> stopped at noon on Friday\n\nThe keeper's own log says a quarter past; "
        "[[edith-pell|the keeper]] kept it.\n\n"
        "{.correction claim=\"stop-time\" value=\"12:15\"}\n> stopped at noon on Friday\n\n"
        "Compare [[clock-again#mended]] and [[claim:stop-time]].\n"),
    "content/annotations/clock-again.md": "{#mended}\n> was mended on Friday\n\nBy whom, it does not say.\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = write_files(tmp_path_factory.mktemp("links"), ARCHIVE)
    out = root / "out"
    result = build(root, out, base_url=PAGES_BASE)
    assert not result.warnings, result.warnings

    def page(rel: str) -> LexborHTMLParser:
        return LexborHTMLParser((out / rel / "index.html").read_text(encoding="utf-8"))
    return root, out, page


def test_two_annotations_on_one_passage_have_distinct_permalinks_marks_and_notes(site):
    _root, _out, page = site
    doc = page("articles/clock")
    marks = doc.css("mark[data-note]")
    ids = [m.attributes.get("id") for m in marks if m.attributes.get("id")]
    assert ids == ["ann-stopped-at-noon-on-friday", "ann-stopped-at-noon-on-friday-correction"]
    outer, inner = (doc.css_first(f'mark[id="{i}"]') for i in ids)
    assert inner.parent is not None and inner.parent.attributes.get("id") == ids[0]  # nested, same words
    assert outer.text() == inner.text() == "stopped at noon on Friday"
    for ident in ids:  # each mark names its own note, and each note links its own permalink
        assert doc.css_first(f'mark[id="{ident}"]').attributes["aria-details"] == f"note-{ident}"
        note = doc.css_first(f'aside[id="note-{ident}"]')
        assert note.css_first("a.permalink").attributes["href"] == f"#{ident}"
    refs = [a.attributes["href"] for a in doc.css("sup.note-ref a")]
    assert refs == [f"#note-{i}" for i in ids]


def test_wikilinks_to_a_passage_and_a_claim_honour_the_base_path(site):
    _root, _out, page = site
    note = page("articles/clock").css_first('aside[id="note-ann-stopped-at-noon-on-friday-correction"]')
    hrefs = {a.text(): a.attributes["href"] for a in note.css("a.wikilink")}
    assert hrefs == {"The clock runs again": "/repo/articles/clock-again/#ann-mended", "Stop time": "/repo/claims/stop-time/"}
    assert page("articles/clock-again").css_first("#ann-mended") is not None
    assert page("claims/stop-time").css_first("h1") is not None
    edith_notes = page("entities/edith-pell").css_first(".notes a.wikilink")
    assert edith_notes.attributes["href"] == "/repo/claims/stop-time/"


def test_a_byline_links_its_person_and_their_page_lists_what_they_wrote(site):
    _root, _out, page = site
    meta = page("articles/clock").css_first(".article-header .meta")
    assert "· By Sam Plover and Jo Bloggs" in meta.text() and "By By" not in meta.text()
    assert [(a.text(), a.attributes["href"]) for a in meta.css("a[href*='/entities/']")] == [
        ("Sam Plover", "/repo/entities/sam-plover/")]
    alias = page("articles/clock-again").css_first(".article-header .meta a[href*='/entities/']")
    assert alias.text() == "S. Plover" and alias.attributes["href"] == "/repo/entities/sam-plover/"
    sam = page("entities/sam-plover")
    assert sam.css_first("#wrote-title").text() == "Wrote"
    wrote = sam.css_first("section[aria-labelledby='wrote-title']").html
    assert "/repo/articles/clock/" in wrote and "/repo/articles/clock-again/" in wrote and "Saltmarsh Courier" in wrote
    assert "No report in this archive mentions" not in sam.html
    assert "No report in this archive mentions Saltmarsh" not in page("entities/saltmarsh-bay").html


def test_headline_mentions_and_wikilinked_notes_are_listed_on_entity_pages(site):
    _root, _out, page = site
    edith = page("entities/edith-pell")
    headline = edith.css_first(".in-headline")
    assert headline.css_first(".kind-badge").text() == "Headline"
    assert headline.css_first("a").attributes["href"] == "/repo/articles/clock/#article-title"
    assert headline.css_first("strong").text() == "Edith Pell"
    assert "No report in this archive mentions" not in edith.html  # named in a headline only
    # the note names her only by a wikilink ([[edith-pell|the keeper]]): it counts for "In the notes"
    notes = edith.css("section[aria-labelledby='annotations-title'] li a")
    assert [a.attributes["href"] for a in notes] == ["/repo/articles/clock/#ann-stopped-at-noon-on-friday"]


def test_the_pages_are_valid_html(site):
    vnu.require()
    _root, out, _page = site
    errors = vnu.validate(out)
    assert not errors, "\n".join(vnu.format_error(e, relative_to=out) for e in errors)


@pytest.mark.parametrize("edit,want", [
    (("content/annotations/clock.md", "[[claim:stop-time]]", "[[claim:stop-tme]]"),
     "content/annotations/clock.md:8: unknown claim in '[[claim:stop-tme]]': no annotation makes it "
     "(did you mean 'stop-time'?)"),
    (("content/annotations/clock.md", "[[clock-again#mended]]", "[[clock-again#mendd]]"),
     "content/annotations/clock.md:8: '[[clock-again#mendd]]': the report clock-again has no annotation with the "
     "permalink '#mendd' (did you mean 'mended'?)"),
    (("content/entities/people/edith-pell.md", "[[claim:stop-time]]", "[the claim](/claims/stop-time/)"),
     "content/entities/people/edith-pell.md:5: warning: the link '/claims/stop-time/' starts at the web server's "
     "root: published under a sub-path (GitHub Pages: https://user.github.io/repo/) it leads out of the site; "
     "write [[claim:stop-time]]"),
])
def test_mistakes_in_links_are_one_located_line(tmp_path, edit, want):
    rel, old, new = edit
    files = dict(ARCHIVE)
    files[rel] = files[rel].replace(old, new)
    root = write_files(tmp_path, files)
    run = subprocess.run([sys.executable, str(REPO_ROOT / "build.py"), "check", "--root", str(root)],
                         capture_output=True, text=True, timeout=120)
    assert want in run.stderr.splitlines(), run.stderr
    assert "Traceback" not in run.stderr
    assert run.returncode == (0 if "warning:" in want else 1)


def test_a_broken_annotation_file_brings_no_knock_on_link_errors(tmp_path):
    files = dict(ARCHIVE)
    files["content/annotations/clock-again.md"] = "{#mended colour=red}\n> was mended on Friday\n\nN.\n"
    root = write_files(tmp_path, files)
    result = build_site(root, out=tmp_path / "out")
    assert [(e.path, e.line) for e in result.errors] == [("content/annotations/clock-again.md", 1)], result.errors
