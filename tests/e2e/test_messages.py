"""How Dossier reports mistakes (issues 9 and 10): warnings and --strict, check == build, no traceback
for any input.  Regression tests are named after the failure they guard against."""
from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dossier.cli import main
from tests.e2e.test_errors import SITES, snapshot
from tests.helpers.files import write_files

REPO = Path(__file__).resolve().parents[2]
WARNINGS = SITES / "warnings_become_errors_with_strict"
EXPECTED_WARNINGS = [
    "content/annotations/report.md:1: warning: 'value' is shown only with a claim: add claim=\"…\" "
    "(the claim this value is for) or remove value=",
    "content/entities/people/mark-rowley.md:4: warning: 'aliases' is one text, 'Rowley, The Commissioner'; "
    "if you meant several, write aliases: [Rowley, The Commissioner]",
    "content/entities/people/mark-rowley.md:5: warning: 'description' is empty: give it a value or remove the line",
]


def read_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(capsys, *argv: str) -> tuple[int, list[str], str]:
    """Run the command line in this process: (exit code, stderr lines, stdout)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out


def test_silent_mistakes_are_warnings_counted_in_the_summary(capsys, tmp_path):
    code, err, out = cli(capsys, "build", "--root", str(WARNINGS), "--out", str(tmp_path / "out"))
    assert code == 0
    assert err == EXPECTED_WARNINGS
    assert out.startswith("built ") and out.rstrip().endswith("3 warnings)")
    code, err, out = cli(capsys, "check", "--root", str(WARNINGS))
    assert code == 0 and err == EXPECTED_WARNINGS
    assert out.strip().endswith("3 warnings")


@pytest.mark.parametrize("command", ["build", "check"])
def test_strict_makes_warnings_errors(capsys, tmp_path, command):
    out = tmp_path / "out"
    assert cli(capsys, "build", "--root", str(SITES / "minimal"), "--out", str(out))[0] == 0
    before = snapshot(out)
    extra = ["--out", str(out)] if command == "build" else []
    code, err, stdout = cli(capsys, command, "--root", str(WARNINGS), "--strict", *extra)
    assert code == 1 and stdout == ""
    assert err[:-1] == [line.replace(": warning: ", ": ", 1) for line in EXPECTED_WARNINGS]
    assert err[-1] == f"{command} failed: 3 errors, 0 warnings; nothing was written"
    assert snapshot(out) == before


@pytest.mark.parametrize("case", sorted(p.name for p in SITES.iterdir() if p.is_dir()))
def test_check_reports_exactly_what_build_would(capsys, tmp_path, case):
    root = tmp_path / case
    shutil.copytree(SITES / case, root)
    code_b, err_b, _ = cli(capsys, "build", "--root", str(root), "--out", str(tmp_path / "out"), "--workers", "2")
    code_c, err_c, _ = cli(capsys, "check", "--root", str(root))
    assert code_b == code_c
    assert [line.replace("build failed:", "check failed:") for line in err_b] == err_c


def test_cr_only_and_crlf_files_read_like_lf_files(tmp_path):
    from tests.helpers.site import build

    lf = shutil.copytree(SITES / "minimal", tmp_path / "lf")
    build(lf, tmp_path / "out-lf")
    want = read_tree(tmp_path / "out-lf")
    for name, ending in (("cr", "\r"), ("crlf", "\r\n")):
        root = shutil.copytree(lf, tmp_path / name)
        for path in root.rglob("*"):
            if path.suffix in (".md", ".yaml"):
                path.write_bytes(path.read_bytes().replace(b"\n", ending.encode()))
        build(root, tmp_path / f"out-{name}")
        assert read_tree(tmp_path / f"out-{name}") == want, name
    assert b'id="ann-officers-were-worried"' in want["articles/report/index.html"]


@pytest.mark.parametrize("argv", [["serve", "--port", "70000"], ["serve", "--port", "-1"], ["serve", "--port", "99999999999999999999"], ["serve", "--port", "x"],
                                  ["build", "--workers", "0"], ["build", "--workers", "-3"],
                                  ["build", "--workers", "9" * 5000], ["frobnicate"]])
def test_command_line_value_out_of_range_is_one_line(argv):
    done = subprocess.run([sys.executable, str(REPO / "build.py"), *argv], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "error: " in done.stderr, done.stderr
    assert len(done.stderr) < 200 and done.stdout == ""


CONTROL = {"nul": "\\0", "bell": "\\a", "escape": "\\e", "delete": "\\x7f", "c1-csi": "\\x9b", "nonchar": "\\uffff"}


@pytest.mark.parametrize("name", sorted(CONTROL))
def test_control_character_in_title_is_a_located_error(capsys, tmp_path, name):
    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    text = (root / "content/articles/report.md").read_text().replace("title: A report", f'title: "A {CONTROL[name]} b"')
    (root / "content/articles/report.md").write_text(text)
    code, err, _ = cli(capsys, "check", "--root", str(root))
    assert code == 1
    assert err[0].startswith("content/articles/report.md:2: 'title' contains the ")
    assert "character U+" in err[0] and err[0].endswith("; remove it")


def test_bidi_override_in_title_is_isolated_and_feed_parses(tmp_path):
    from tests.helpers.site import build

    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    art = root / "content/articles/report.md"
    art.write_text(art.read_text().replace("title: A report", "title: \"A \u202eevil\u202c report\""))
    write_files(root, {"content/entities/people/nora.md": "---\nname: \"Nora \u202dx\"\ntype: person\n---\n"})
    build(root, tmp_path / "out")
    feed = ET.parse(tmp_path / "out" / "feed.xml").getroot()
    titles = [t.text for t in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "\u2068A \u202eevil\u202c report\u2069" in titles
    page = (tmp_path / "out/articles/report/index.html").read_text()
    assert "<title>\u2068A \u202eevil\u202c report\u2069 · T</title>" in page  # the override ends inside the isolate
    assert ">\u2068A \u202eevil\u202c report\u2069</h1>" in page
    assert "\u2068Nora \u202dx\u2069" in (tmp_path / "out/entities/nora/index.html").read_text()


@pytest.mark.parametrize("key,value", [("published", "x" * 1_000_000), ("title", "[" + "1, " * 100_000 + "1]"),
                                       ("outlet", "Daily " * 200_000)])
def test_no_message_prints_an_unbounded_value(capsys, tmp_path, key, value):
    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    art = root / "content/articles/report.md"
    lines = [f"{key}: {value}" if ln.startswith(key + ":") else ln for ln in art.read_text().split("\n")]
    art.write_text("\n".join(lines))
    code, err, _ = cli(capsys, "check", "--root", str(root))
    assert code == 1 and len(err) == 2
    assert err[0].startswith(f"content/articles/report.md:") and len(err[0]) < 250, err[0][:300]


def test_yaml_error_is_one_line_without_pyyaml_marks(capsys, tmp_path):
    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    (root / "site.yaml").write_text("title: T\nhook: !!python/object:os.system x\nbase_url: https://example.org/\n")
    code, err, _ = cli(capsys, "check", "--root", str(root))
    assert code == 1
    assert err[0] == ("site.yaml:2: invalid YAML: could not determine a constructor for the tag "
                      "'tag:yaml.org,2002:python/object:os.system'")
    assert not any("<unicode string>" in line for line in err)


@pytest.mark.parametrize("rel,text,line", [
    ("content/articles/report.md", "---\ntitle: A\noutlet: daily\npublished: 2023-09-25\n---\nOne.\n\nTwo \x1b[31m.\n", 8),
    ("content/annotations/report.md", "> officers were worried\n\nA note\x07.\n", 3),
])
def test_control_character_in_article_text_is_a_located_error(capsys, tmp_path, rel, text, line):
    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    (root / rel).write_text(text)
    code, err, _ = cli(capsys, "check", "--root", str(root))
    assert code == 1
    assert err[0].startswith(f"{rel}:{line}: control character U+00")
    assert not any("unknown article" in e or "annotations for" in e for e in err)  # no knock-on error


def test_empty_site_yaml_value_is_a_located_error(capsys, tmp_path):
    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    (root / "site.yaml").write_text("title: T\ndescription:\nbase_url: https://example.org/\n")
    code, err, _ = cli(capsys, "check", "--root", str(root))
    assert (code, err[0]) == (1, "site.yaml:2: 'description' is empty: give it a value or remove the line")


def test_long_outlet_slug_is_quoted_briefly(capsys, tmp_path):
    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    art = root / "content/articles/report.md"
    art.write_text(art.read_text().replace("outlet: daily", "outlet: " + "a" * 100_000))
    code, err, _ = cli(capsys, "check", "--root", str(root))
    assert code == 1 and err[0].startswith("content/articles/report.md:3: unknown outlet 'aaaa")
    assert max(map(len, err)) < 300


def test_wikilink_written_as_a_name_or_alias_suggests_the_slug(capsys, tmp_path):
    root = shutil.copytree(SITES / "misspelt_wikilink", tmp_path / "site")
    art = root / "content/articles/report.md"
    art.write_text(art.read_text().replace("[[andy-prendergrast]]", "[[Andy Prendergast]] and [[rowley]]"))
    code, err, _ = cli(capsys, "check", "--root", str(root))
    assert code == 1
    assert [e.rsplit(" (did you mean ", 1)[1] for e in err[:-1]] == ["'andy-prendergast'?)", "'mark-rowley'?)"]


@pytest.mark.parametrize("site_yaml", ["title: [unclosed\n", "title: T\nbase_url: not a url\n"])
def test_site_yaml_that_fails_gets_no_second_word_about_base_url(capsys, tmp_path, site_yaml):
    root = shutil.copytree(SITES / "minimal", tmp_path / "site")
    (root / "site.yaml").write_text(site_yaml)
    code, err, _ = cli(capsys, "build", "--root", str(root), "--out", str(tmp_path / "out"))
    assert code == 1 and len(err) == 2 and "origin" not in err[0] and "base_url is set" not in err[0]
