"""Plain front matter read without PyYAML gives exactly what PyYAML gives, or is left to PyYAML."""
from __future__ import annotations

import datetime as dt

import pytest

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
