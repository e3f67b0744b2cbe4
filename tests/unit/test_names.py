"""`names`: names in the reports that no entity covers yet, on small archives."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from dossier.names import find, load, paragraphs, write_files

REPO = Path(__file__).resolve().parents[2]

ENTITIES = {
    "gmb": "name: GMB union\ntype: organisation",
    "wilko": "name: Wilko\ntype: organisation",
    "met": "name: Metropolitan Police\ntype: organisation\naliases: [Met]",
    "courier": "name: Courier\ntype: outlet",
    "jane-smith": "name: Jane Smith\ntype: person",
    "london": "name: London\ntype: place",
    "home-office": "name: Home Office\ntype: organisation",
}
A = """Staff at the Norton depot of wilko walked out, the GMB Union said. The Met's officers watched.

Workers at the Post
Office in Norton joined them. Smith said so. On Monday the BBC reported it, and Mr Patel of the
TUC agreed. Londoners were not surprised.
"""
B = """Norton is quiet. The Post Office said nothing; Jane Smith said the Met’s view was clear.

Home Secretary Jane Smith visited. It met with approval in the home office of the depot manager.
"""


def make(tmp_path: Path, articles: dict[str, str], entities: dict[str, str] = ENTITIES) -> Path:
    root = tmp_path / "archive"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "entities").mkdir(parents=True)
    (root / "site.yaml").write_text("title: T\n")
    for slug, text in entities.items():
        (root / "content" / "entities" / f"{slug}.md").write_text(f"---\n{text}\n---\n")
    for i, (slug, body) in enumerate(articles.items()):
        (root / "content" / "articles" / f"{slug}.md").write_text(
            f"---\ntitle: {slug}\noutlet: courier\npublished: 2024-03-0{i + 1}\n---\n{body}")
    return root


def found(root: Path):
    return find(*load(root))


def test_new_names_and_case_variants_ranked_by_reports(tmp_path):
    root = make(tmp_path, {"a": A, "b": B})
    got = {f.name: f for f in found(root)}
    assert list(got)[:2] == ["Norton", "Post Office"]  # two reports each; Norton has three mentions
    assert len(got["Norton"].reports) == 2 and got["Norton"].count == 3  # "Norton is quiet." counts once known
    assert got["Post Office"].example == ("content/articles/a.md", 8, "Workers at the Post Office in Norton joined them.")
    assert got["GMB Union"].kind == "variant" and got["GMB Union"].known == "GMB union"
    assert got["GMB Union"].entity.slug == "gmb"
    assert got["wilko"].kind == "variant" and got["wilko"].known == "Wilko"
    assert got["Patel"].kind == "new" and got["Patel"].person  # "Mr Patel"
    assert {"BBC", "TUC"} <= set(got)
    # Not names: sentence-initial and common words, a possessive of a known name, a title before a known
    # person, a word formed from a known name, an ordinary word spelled like one ("met", "home office").
    for name in ("Staff", "Workers", "Smith", "On", "Monday", "Met", "Met's", "Home Secretary", "Londoners",
                 "Mr Patel", "met", "home office", "Jane Smith", "It", "Home"):
        assert name not in got, name
    assert set(got) == {"Norton", "Post Office", "GMB Union", "wilko", "Patel", "BBC", "TUC"}


def test_a_surname_of_a_known_person_is_offered_as_an_alias(tmp_path):
    root = make(tmp_path, {"a": "The report quotes Jane Smith at length. Later, said Smith, it ended.\n"})
    (hit,) = found(root)
    assert (hit.name, hit.kind, hit.known, hit.entity.slug) == ("Smith", "part", "Jane Smith", "jane-smith")


def test_markdown_is_read_as_text_and_lines_are_counted(tmp_path):
    body = ("# Inside the *Acme Works*\n\nA [link to Acme Works](https://x.example) and [[london|the capital]] "
            "and **Bramley\nHall** too.\n")
    root = make(tmp_path, {"a": body})
    got = {f.name: f for f in found(root)}
    assert set(got) == {"Acme Works", "Bramley Hall"}
    assert got["Bramley Hall"].example[:2] == ("content/articles/a.md", 8)
    arts, _ents, _aliases = load(root)
    assert list(paragraphs(arts[0]))[1] == (8, "A link to Acme Works and the capital and Bramley Hall too.")


def test_plural_possessive_inside_a_name_is_kept(tmp_path):
    root = make(tmp_path, {"a": "It spoke to the Police Chiefs’ Council and the drivers’ union, and to the Met’s staff.\n"})
    assert [f.name for f in found(root)] == ["Police Chiefs’ Council"]


def test_covered_archive_reports_nothing(tmp_path):
    root = make(tmp_path, {"a": "The Met said the GMB union and Wilko had met. London was quiet.\n"})
    assert found(root) == []


def test_write_creates_entity_files_that_load_and_never_overwrites(tmp_path):
    root = make(tmp_path, {"a": A, "b": B})
    existing = root / "content" / "entities" / "organisations" / "norton.md"
    existing.parent.mkdir(parents=True)
    editors = "---\nname: Norton Hall\ntype: place\n---\nThe editor's own file.\n"
    existing.write_text(editors)
    lines = write_files(root, found(root))
    assert lines == ["content/entities/organisations/norton.md already exists; not written",
                     "wrote content/entities/organisations/post-office.md",
                     "wrote content/entities/organisations/bbc.md",
                     "wrote content/entities/people/patel.md",
                     "wrote content/entities/organisations/tuc.md"]  # variants would edit existing files: left out
    assert existing.read_text() == editors
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "check", "--root", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the written files load
    assert {f.name for f in found(root)} == {"Norton", "GMB Union", "wilko"}


def test_command_prints_ready_to_paste_files(tmp_path):
    root = make(tmp_path, {"a": A, "b": B})
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "names", "--root", str(root)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("Norton: 2 reports, 3 mentions, no entity\n"
                          "  content/articles/a.md:6: Staff at the Norton depot of wilko walked out, the GMB Union said.\n"
                          "  content/entities/organisations/norton.md:\n    ---\n    name: \"Norton\"\n")
    assert ("GMB Union: 1 report, 1 mention, a case variant of 'GMB union' (content/entities/gmb.md), which links "
            "only as written\n") in out
    assert '  in content/entities/gmb.md: aliases: ["GMB Union"]\n' in out
    assert done.stderr.splitlines() == ["7 names without an entity (5 new, 2 spellings of known names)",
                                        "run with --write to create the new entity files for review"]
    assert not (root / "content" / "entities" / "organisations").exists()
    wrote = subprocess.run([sys.executable, str(REPO / "build.py"), "names", "--write", "--root", str(root)],
                           capture_output=True, text=True, timeout=120)
    assert "wrote content/entities/organisations/norton.md" in wrote.stdout
    assert (root / "content" / "entities" / "organisations" / "norton.md").read_text().startswith(
        '---\nname: "Norton"\ntype: organisation  # a guess: person, organisation, place, event or outlet\n')


def test_seed_archive_has_no_missing_names():
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "names", "--root", str(REPO)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == "no names without an entity in 4 reports\n"


def test_cost_is_linear_in_one_huge_paragraph(tmp_path):
    # One 60,000-word paragraph without a full stop, dense with names: a quadratic step would take minutes.
    words = " ".join(f"Mr Alpha{i % 50} of the Beta Group met the GMB union and" for i in range(5000))
    root = make(tmp_path, {"a": words + ".\n"})
    start = time.perf_counter()
    got = found(root)
    assert time.perf_counter() - start < 60
    assert {f.name for f in got} == {f"Alpha{i}" for i in range(50)} | {"Beta Group"}


def _article(body: str):
    from dossier.model import Article

    return Article(slug="a", title="A", outlet="o", published=None, body=body, body_line=5, source="a.md")


def test_any_text_gives_names_found_in_it():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from dossier.model import Entity

    entities = {"met": Entity(slug="met", name="Met", type="organisation", source="e.md", aliases=("GMB union",)),
                "istanbul": Entity(slug="istanbul", name="İstanbul", type="place", source="i.md")}
    aliases = {"Met": "met", "GMB union": "met", "İstanbul": "istanbul"}
    alphabet = st.sampled_from(list("aAbBmMeEtTİıGgUuNnSs’'.:;,!?-—–“”‘\"()[]*_#> \n") + ["Met", "GMB", "Union", " of "])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(alphabet, max_size=80).map("".join))
    def check(body):
        for f in find([_article(body)], entities, aliases):
            source, line, sentence = f.example
            assert source == "a.md" and line >= 5 and f.count >= len(f.reports) >= 1
            assert f.name.replace(" ", "") in sentence.replace(" ", "").replace("’", "").replace("'", "") or \
                f.name in sentence

    check()
