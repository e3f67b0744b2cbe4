"""Plain front matter read without PyYAML gives exactly what PyYAML gives, or is left to PyYAML."""
from __future__ import annotations

import datetime as dt
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier import frontmatter
from tests.conftest import REPO_ROOT

VALUES = [
    "Staff reporter", "An outer delta of about 132,000 people.", "O'Neil (pictured) / Reuters", "a  b", "x_y-z",
    "yes", "No", "ON", "off", "True", "null", "NULL", "y", "n", "Yes please", "nullable",
    "2023-03-31", "2023-02-30", "2023-3-31", "0000-01-01", "20230331", "0", "7", "012", "0x1f", "1_000", "1:30",
    "1.5", ".inf", "-3", "+3", "~", "[a, b]", "[a,b ,  c]", "[]", "[ ]", "[Dr Tash, Tash]", "[a, yes]", "[a,, b]",
    "[a, b,]", "[a, [b]]", "[2023, a]", "[a b c]", "a: b", "a #b", "a#b", "'quoted'", '"quoted"', "&anchor x",
    "*alias", "!tag x", "| block", "> folded", "- item", "? key", "%x", "@x", "`x`", "{a: b}", "a\tb",
    "café", "it’s", "x,", "[a, b] c", "’quoted’", "Zoë Ångström", "[José, Zoë]", "a\u2028b", "a\u0085b",
    "a\ufeffb", "a\xa0b", "a\x07b", "\u00e9t\u00e9", "e\u0301", '"a: b # c"', '"it\'s"', '"a\\"b"', '"a\\nb"',
    "'a: b'", "'it''s'", "'a\"b'", '""', "''", '"a" # c', '"a"b"', '"tab\there"', "'x' y",
    "https://example.org/", "http://example.org", "https://example.org/a#b", "https://example.org:8080/x?a=1&b=[2]",
    "https://example.org/a:", "https://example.org/a: b", "https://example.org/ #c", "https://exa mple.org/",
    "https://example.org/é", "https://", "http://x:1", "https://a.b/'q'(x)*!,;=%20~", "ftp://example.org/",
]


def _pyyaml(text: str, first_line: int = 2):
    try:
        return frontmatter.parse_yaml_mapping(text, first_line)
    except frontmatter.FrontMatterError as exc:
        return exc.line, exc.message


@pytest.mark.parametrize("value", VALUES)
def test_a_simple_value_reads_as_pyyaml_reads_it(value, monkeypatch):
    text = f"title: {value}\npublished: 2023-01-02\n"
    fast = _pyyaml(text)
    monkeypatch.setattr(frontmatter, "_simple_mapping", lambda text, first_line: None)
    slow = _pyyaml(text)
    assert fast == slow
    assert type(fast[0].get("title") if isinstance(fast[0], dict) else None) is \
        type(slow[0].get("title") if isinstance(slow[0], dict) else None)  # 1 is not True, a date is not a str


@pytest.mark.parametrize("text", [
    "title: a\ntitle: b\n", "title: a \n", " title: a\n", "title:a\n", "title:\n", "yes: a\n", "# c\ntitle: a\n",
    "title: a\n\n\ntags: [x]\n", "", "\n", "title: a\n  more\n", "title: a\n- b\n", "title: a # c\n", "on: a\n",
])
def test_whole_blocks_read_as_pyyaml_reads_them(text, monkeypatch):
    fast = _pyyaml(text, 5)
    monkeypatch.setattr(frontmatter, "_simple_mapping", lambda text, first_line: None)
    assert fast == _pyyaml(text, 5)


def test_the_seed_archive_reads_the_same_and_mostly_without_pyyaml(monkeypatch):
    blocks = []
    for path in sorted((REPO_ROOT / "content").rglob("*.md")):
        text = frontmatter.normalize_newlines(path.read_text(encoding="utf-8"))
        if text.startswith("---\n"):
            blocks.append(text.split("\n---\n", 1)[0][4:])
    fast = [frontmatter._simple_mapping(block, 2) for block in blocks]
    monkeypatch.setattr(frontmatter, "_simple_mapping", lambda text, first_line: None)
    for block, simple in zip(blocks, fast):
        if simple is not None:
            assert simple == frontmatter.parse_yaml_mapping(block, 2)
    assert len(blocks) >= 40 and sum(f is not None for f in fast) > len(blocks) // 4


def test_a_date_is_a_date_and_a_list_a_list():
    data, lines = frontmatter.parse_yaml_mapping("published: 2023-03-31\ntags: [a, b-c]\norder: 2\n", 2)
    assert data == {"published": dt.date(2023, 3, 31), "tags": ["a", "b-c"], "order": 2}
    assert lines == {"published": 2, "tags": 3, "order": 4}


@given(st.sampled_from(["http://", "https://"]), st.text(st.sampled_from(list("azAZ09.-_~:/?#[]@!$&'()*+,;=% ")), max_size=30))
def test_an_address_reads_as_pyyaml_reads_it(scheme, rest):
    text = f"base_url: {scheme}{rest}\n"
    fast = frontmatter._simple_mapping(text, 2)
    if fast is not None:
        with patch.object(frontmatter, "_simple_mapping", lambda text, first_line: None):
            assert fast == frontmatter.parse_yaml_mapping(text, 2)


def test_a_flat_configuration_and_front_matter_need_no_pyyaml(tmp_path):
    """A build of an archive whose site.yaml and front matter are plain ``key: value`` lines (an
    address too) never imports PyYAML: importing it is about 8 ms of a small build's start-up."""
    import subprocess
    import sys

    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "entities").mkdir()
    (tmp_path / "site.yaml").write_text("title: T\nlanguage: en\nbase_url: https://example.org/x/\n")
    (tmp_path / "content" / "entities" / "o.md").write_text("---\nname: O\ntype: outlet\n---\nNotes.\n")
    (tmp_path / "content" / "articles" / "a.md").write_text(
        "---\ntitle: A\noutlet: o\npublished: 2023-01-02\n---\nText about O.\n")
    code = ("import sys; from pathlib import Path; from dossier.pipeline import build_site; "
            f"r = build_site(Path({str(tmp_path)!r}), out=Path({str(tmp_path / 'out')!r})); "
            "print(r.ok, 'yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "False"], done.stderr[-2000:]
