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
SUMMARY = re.compile(r"^build failed: (\d+) errors?; nothing was written$")

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
    "template_error": [("layouts/article.html", 4, "template error: ")],
    "many_errors": [("content/annotations/a-first.md", 1, "unknown annotation kind '.gossip'"),
                    ("content/articles/a-first.md", 4, "'published' must be a date"),
                    ("content/articles/b-second.md", 3, "unknown outlet 'nowhere'"),
                    ("content/articles/c-third.md", 3, "invalid YAML"),
                    ("content/entities/people/x.md", 3, "unknown entity type 'alien'"),
                    ("site.yaml", 2, "unknown key 'unknown_setting'")],
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


def test_every_case_has_a_test():
    assert {p.name for p in SITES.iterdir() if p.is_dir()} == {*CASES, "minimal", "non_utf8"}


def test_minimal_builds_cleanly(good_output):
    html = (good_output / "articles" / "report" / "index.html").read_text(encoding="utf-8")
    assert 'href="/entities/mark-rowley/"' in html and 'id="officers-were-worried"' in html
