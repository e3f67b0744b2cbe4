"""Named regressions: each input the mutation fuzzer once broke, replayed through the command line.

The pattern of markdown-it-py's ``tests/test_fuzzer.py``: one test per found input,
named after what it broke, so a return of the bug says what came back.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.fuzzer import check_lines, read_tree, run_cli, seed_files, write_archive

LONDON = "content/entities/places/london.md"
ANNOTATIONS = "content/annotations/metro-army-stood-down.md"


def _build_mutated(tmp_path: Path, edit) -> tuple[int, str]:
    """Build the seed archive with one file edited, over a previous good build."""
    files = seed_files()
    root = tmp_path / "archive"
    write_archive(root, files)
    code, stderr, tb = run_cli(["build", "--root", str(root), "--workers", "1"])
    assert tb is None and code == 0, stderr
    before = read_tree(root / "output")
    edit(root)
    code, stderr, tb = run_cli(["build", "--root", str(root), "--workers", "1"])
    assert tb is None, tb
    bad, errors = check_lines(stderr)
    assert bad == [], bad
    assert code == 1 and errors >= 1, stderr
    assert read_tree(root / "output") == before
    return code, stderr


def _replace(rel: str, old: str, new: str):
    def edit(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    return edit


@pytest.mark.parametrize("key,line", [("name", 2), ("type", 3)])
def test_fuzz_empty_required_entity_key_was_a_keyerror(tmp_path, key, line):
    old = 'name: "London"' if key == "name" else "type: place"
    _code, stderr = _build_mutated(tmp_path, _replace(LONDON, old, f"{key}:"))
    assert f"{LONDON}:{line}: " in stderr


def test_fuzz_yaml_error_printed_a_second_unlocated_line(tmp_path):
    _code, stderr = _build_mutated(tmp_path, _replace(LONDON, 'name: "London"', 'name: "Lon\x07don"'))
    assert "<unicode string>" not in stderr
    assert f"{LONDON}:2: " in stderr


def test_fuzz_cr_only_annotation_file_was_an_indexerror(tmp_path):
    def edit(root: Path) -> None:
        path = root / ANNOTATIONS
        data = path.read_bytes().replace(b"\n", b"\r")
        path.write_bytes(data + b"\r{.gossip}\r> officers\r\rA note.\r")
    _code, stderr = _build_mutated(tmp_path, edit)
    assert f"{ANNOTATIONS}:" in stderr and "gossip" in stderr


def test_fuzz_missing_site_yaml_names_the_file(tmp_path):
    _code, stderr = _build_mutated(tmp_path, lambda root: (root / "site.yaml").unlink())
    assert stderr.startswith("site.yaml: ")
