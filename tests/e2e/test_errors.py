"""One tiny archive per failure mode (tests/fixtures/sites/<case>), built by the real command line.

Each must exit 1, print every problem as ``path:line: message`` on stderr (no
traceback), and leave an existing output folder exactly as it was.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "tests" / "fixtures" / "sites"
ERROR_LINE = re.compile(r"^(?P<path>[^\s:][^:]*):(?P<line>[1-9]\d*): (?P<message>\S.*)$")
SUMMARY = re.compile(r"^build failed: (\d+) errors?, (\d+) warnings?; nothing was written$")

# case -> [(path, line, phrase in the message)], in the order they must be printed
CASES = {
    "bad_yaml": [("content/articles/report.md", 5, "invalid YAML: did not find expected ',' or ']'")],
    "unknown_key": [("content/articles/report.md", 5, "unknown key 'author' in article front matter"),
                    ("site.yaml", 2, "unknown key 'colour' in site.yaml")],
    "missing_field": [("content/articles/report.md", 1, "missing required key 'published'")],
    "bad_date": [("content/articles/report-two.md", 4, "'published' must be a date written YYYY-MM-DD, not '2023-02-30'"),
                 ("content/articles/report.md", 4, "'published' must be a date written YYYY-MM-DD, not '25 September 2023'")],
    "unknown_outlet": [("content/articles/report.md", 3, "unknown outlet 'nowhere'")],
    "unknown_wikilink": [("content/articles/report.md", 9, "unknown wikilink target '[[no-such-page]]'")],
    "duplicate_slug": [("content/entities/people/report.md", 1,
                        "duplicate slug 'report': content/articles/report.md has it too")],
    "ambiguous_alias": [("content/entities/people/mark-rowley.md", 4,
                         "'the Commissioner' names two entities: content/entities/people/cressida-dick.md and "
                         "content/entities/people/mark-rowley.md")],
    "slug_escape": [("content/articles/report.md", 5, "it would write outside its folder")],
    "quote_not_found": [("content/annotations/report.md", 1,
                         'quote not found in content/articles/report.md; closest passage (87% alike, '
                         'content/articles/report.md:6): "Officers said they were worried about the charge."')],
    "quote_twice": [("content/annotations/report.md", 2,
                     "quote appears 2 times (content/articles/report.md:6, content/articles/report.md:8)")],
    # A quote in a footnote's text: its note would go inside the footnote's margin note (was a KeyError).
    "quote_in_footnote": [("content/annotations/report.md", 2,
                           "quote is in a footnote (content/articles/report.md:10); a footnote is a margin note "
                           "already: quote the article's own text")],
    "template_error": [("layouts/article.html", 4, "template error: ")],
    "many_errors": [("content/annotations/a-first.md", 1, "unknown annotation kind '.gossip'"),
                    ("content/articles/a-first.md", 4, "'published' must be a date"),
                    ("content/articles/b-second.md", 3, "unknown outlet 'nowhere'"),
                    ("content/articles/c-third.md", 3, "invalid YAML"),
                    ("content/entities/people/x.md", 3, "unknown entity type 'alien'"),
                    ("site.yaml", 2, "unknown key 'unknown_setting'")],
    # Regression fixtures (issues 9 and 10), named after the failure.
    "empty_required_key": [
        ("content/articles/report.md", 2, "'title' is empty; it is required in article front matter"),
        ("content/articles/second.md", 4, "'published' is empty; it is required in article front matter"),
        ("content/entities/people/nameless.md", 2, "'name' is empty; it is required in entity front matter")],
    "yaml_alias_bomb": [
        ("content/articles/report.md", 5, "YAML aliases (*name) are not allowed here; write the value out"),
        ("content/entities/people/bomb.md", 5, "YAML aliases (*name) are not allowed here; write the value out"),
        ("site.yaml", 2, "YAML aliases (*name) are not allowed here; write the value out")],
    "unquoted_colon_in_title": [
        ("content/articles/report.md", 2, "invalid YAML: mapping values are not allowed in this context; "
                                          "a value that contains ': ' must be quoted: title: \"Army: on standby\"")],
    "control_character_in_title": [
        ("content/articles/report.md", 2, "'title' contains the control character U+0007 (at character 7); remove it"),
        ("content/entities/people/escape.md", 2, "'name' contains the control character U+001B (at character 5)"),
        ("site.yaml", 1, "'title' contains the control character U+0000 (at character 6); remove it")],
    "attribute_line_separated_from_quote": [
        ("content/annotations/report.md", 1, "this attribute line belongs to no quote: put it directly above its "
                                             "'> quote' line, with no blank line between")],
    "outlet_named_by_alias": [("content/articles/report.md", 3, "unknown outlet 'bbc' (did you mean 'bbc-news'?)")],
    "misspelt_wikilink": [("content/articles/report.md", 6, "unknown wikilink target '[[andy-prendergrast]]': no "
                                                            "article, entity or page has that slug (did you mean "
                                                            "'andy-prendergast'?)")],
    "misspelt_names": [
        ("content/annotations/report.md", 1, "unknown annotation kind '.contxt' (did you mean '.context'?)"),
        ("content/annotations/report.md", 6, "unknown annotation attribute 'claims' (did you mean 'claim'?)"),
        ("content/annotations/reprot.md", 1, "annotations for unknown article 'reprot' (no content/articles/reprot.md) "
                                             "(did you mean 'report'?)"),
        ("content/articles/report.md", 5, "unknown key 'titel' in article front matter (did you mean 'title'?)"),
        ("content/entities/people/someone.md", 3, "unknown entity type 'persn' (did you mean 'person'?)"),
        ("site.yaml", 2, "unknown key 'base_ulr' in site.yaml (did you mean 'base_url'?)")],
    "tags_as_comma_string": [("content/articles/report.md", 5, "every item of 'tags' must be a slug (lowercase "
                              "letters, digits and hyphens), not 'police, protest'; for a list write tags: [police, protest]")],
    "template_divides_by_zero": [("layouts/article.html", 4,
                                  "template error: ZeroDivisionError: integer division or modulo by zero")],
    "template_extends_itself": [("layouts/article.html", 1, "template error: templates nest without end: does a "
                                                            "template extend or include itself?")],
    "template_undefined_variable": [("layouts/article.html", 4, "template error: 'no_such_thing' is undefined")],
    # Every phase at once: config, load, assemble, link, anchor, render; and no knock-on error about
    # broken.md (its annotations, [[broken]]) or gazette.md (the outlet of gazette-report.md, [[gazette]]).
    "every_phase_at_once": [
        ("content/annotations/report.md", 1, 'quote not found in content/articles/report.md; closest passage '
         '(68% alike, content/articles/report.md:6): "said officers were worried about the"; first difference after '
         '"officers were ": the quote has "anxious about the charge", the text has "worried about the"'),
        ("content/articles/broken.md", 2, "invalid YAML: mapping values are not allowed in this context; a value "
                                          "that contains ': ' must be quoted"),
        ("content/articles/report.md", 3, "unknown outlet 'bbc' (did you mean 'bbc-news'?)"),
        ("content/articles/report.md", 8, "unknown wikilink target '[[mark-rowly]]': no article, entity or page has "
                                          "that slug (did you mean 'mark-rowley'?)"),
        ("content/entities/outlets/gazette.md", 3, "unknown entity type 'newspaper'"),
        ("layouts/entity.html", 4, "template error: 'dossier.model.Entity object' has no attribute 'nope'"),
        ("site.yaml", 2, "unknown key 'colour' in site.yaml")],
}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_build(root: Path, out: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, "build.py", "build", "--root", str(root), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture(scope="module")
def good_output(tmp_path_factory) -> Path:
    """An output folder from an earlier good build (the minimal archive), built once."""
    out = tmp_path_factory.mktemp("good") / "out"
    done = run_build(SITES / "minimal", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ") and "Traceback" not in done.stderr
    (out / "keep-me.txt").write_text("written by hand")
    return out


@pytest.fixture
def previous_output(good_output: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(good_output, out)  # copy2: bytes and mtimes
    assert (out / "articles" / "report" / "index.html").is_file()
    return out


def check_failure(done: subprocess.CompletedProcess, expected: list[tuple[str, int, str]]) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines and SUMMARY.match(lines[-1]), done.stderr
    assert int(SUMMARY.match(lines[-1]).group(1)) == len(expected)
    errors = []
    for line in lines[:-1]:
        m = ERROR_LINE.match(line)
        assert m, f"not a 'path:line: message' line: {line!r}"
        errors.append((m["path"], int(m["line"]), m["message"]))
    assert [(p, n) for p, n, _ in errors] == [(p, n) for p, n, _ in expected], done.stderr
    for (_p, _n, message), (_ep, _en, phrase) in zip(errors, expected):
        assert phrase in message
    assert errors == sorted(errors)
    assert "built " not in done.stdout


@pytest.mark.parametrize("case", sorted(CASES))
def test_failure_mode(case, previous_output):
    before = snapshot(previous_output)
    done = run_build(SITES / case, previous_output)
    check_failure(done, CASES[case])
    assert snapshot(previous_output) == before  # byte for byte, and not even rewritten
    assert not (previous_output.parent / ".out.staging").exists()
    assert not (SITES / case / "output").exists()


def test_non_utf8(tmp_path, previous_output):
    root = tmp_path / "non_utf8"
    shutil.copytree(SITES / "non_utf8", root)
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (root / "content" / "articles" / "latin1.md").write_bytes(
        "---\ntitle: Un café\noutlet: daily\npublished: 2023-09-25\n---\nCafé crème.\n".encode("latin-1"))
    before = snapshot(previous_output)
    done = run_build(root, previous_output)
    check_failure(done, [("content/articles/latin1.md", 1, "not valid UTF-8")])
    assert snapshot(previous_output) == before


# A theme template saved in another encoding, or holding a control character (CRLF line ends are
# fine): one located line each, not a UnicodeDecodeError, and no page with a NUL in it.
TEMPLATE_BYTES = {
    "latin1": ("{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ article.title }} · café</h1>\n{% endblock %}\n"
               .encode("latin-1"), 3, "template error: not valid UTF-8 (byte 70); save the file as UTF-8"),
    "nul": (b"{% extends \"base.html\" %}\r\n{% block content %}\r\n\r\n<h1>\x00{{ article.title }}</h1>\r\n{% endblock %}\r\n",
            4, "template error: control character U+0000 in the template; remove it"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_BYTES))
def test_template_bytes_refused(tmp_path, previous_output, case):
    data, line, message = TEMPLATE_BYTES[case]
    root = tmp_path / "template"
    shutil.copytree(SITES / "template_error", root)
    (root / "layouts" / "article.html").write_bytes(data)
    before = snapshot(previous_output)
    done = run_build(root, previous_output)
    check_failure(done, [("layouts/article.html", line, message)])
    assert snapshot(previous_output) == before


def test_every_case_has_a_test():
    assert {p.name for p in SITES.iterdir() if p.is_dir()} == {*CASES, "minimal", "non_utf8",
                                                               "warnings_become_errors_with_strict"}


def test_minimal_builds_cleanly(good_output):
    html = (good_output / "articles" / "report" / "index.html").read_text(encoding="utf-8")
    assert 'href="/entities/mark-rowley/"' in html and 'id="ann-officers-were-worried"' in html
