"""dossier/frontmatter.py: split '---' blocks, key lines, body line, located YAML errors."""
from __future__ import annotations

import datetime as dt

import pytest

from dossier.frontmatter import FrontMatterError, parse_yaml_mapping, split


def test_keys_carry_their_file_lines():
    text = "---\ntitle: A\n\n# comment\noutlet: x\npublished: 2023-09-25\n---\nBody line one.\nTwo.\n"
    parsed = split(text)
    assert parsed.data == {"title": "A", "outlet": "x", "published": dt.date(2023, 9, 25)}
    assert parsed.lines == {"title": 2, "outlet": 5, "published": 6}
    assert parsed.body == "Body line one.\nTwo.\n"
    assert parsed.body_line == 8
    assert text.split("\n")[parsed.body_line - 1] == "Body line one."


def test_multiline_values_keep_later_lines_right():
    text = "---\ndescription: >-\n  one\n  two\nname: N\n---\nx"
    parsed = split(text)
    assert parsed.lines == {"description": 2, "name": 5}
    assert parsed.data["description"] == "one two"
    assert parsed.body_line == 7


def test_no_front_matter():
    parsed = split("Just text.\n")
    assert parsed.data == {} and parsed.lines == {} and parsed.body == "Just text.\n" and parsed.body_line == 1


def test_empty_front_matter():
    parsed = split("---\n---\nBody")
    assert parsed.data == {} and parsed.body == "Body" and parsed.body_line == 3


def test_dots_close_front_matter_too():
    parsed = split("---\na: 1\n...\nBody")
    assert parsed.data == {"a": 1} and parsed.body == "Body"


def test_crlf_closing_line():
    parsed = split("---\r\na: 1\r\n---\r\nBody")
    assert parsed.data == {"a": 1}


def test_unclosed_front_matter():
    with pytest.raises(FrontMatterError) as info:
        split("---\ntitle: A\nBody without a closing line\n")
    assert info.value.line == 1
    assert "never closed" in info.value.message


def test_bad_yaml_line_is_a_file_line():
    text = "---\ntitle: A\noutlet: x\ntags: [a, b\npublished: 2023-01-01\n---\nBody"
    with pytest.raises(FrontMatterError) as info:
        split(text)
    # The flow sequence opened on file line 4 never closes; PyYAML notices on a later line.
    assert info.value.line >= 4
    assert info.value.line <= 6
    assert info.value.message.startswith("invalid YAML")


def test_bad_yaml_line_exact():
    # A tab-free indentation error on file line 3 ("  - b" under a scalar).
    text = "---\ntitle: A\n outlet: x\n---\n"
    with pytest.raises(FrontMatterError) as info:
        split(text)
    assert info.value.line == 3


def test_duplicate_key_line():
    with pytest.raises(FrontMatterError) as info:
        split("---\ntitle: A\noutlet: x\ntitle: B\n---\n")
    assert info.value.line == 4
    assert "duplicate key 'title'" in info.value.message


def test_front_matter_must_be_a_mapping():
    with pytest.raises(FrontMatterError) as info:
        split("---\n\n- a\n- b\n---\n")
    assert info.value.line == 3
    assert "mapping" in info.value.message


def test_parse_yaml_mapping_offset():
    data, lines = parse_yaml_mapping("a: 1\nb: 2\n", first_line=10)
    assert data == {"a": 1, "b": 2} and lines == {"a": 10, "b": 11}
    with pytest.raises(FrontMatterError) as info:
        parse_yaml_mapping("a: 1\nb: [\n", first_line=10)
    assert info.value.line >= 11


def test_safe_loader_refuses_python_tags():
    with pytest.raises(FrontMatterError) as info:
        split("---\na: !!python/object/apply:os.system ['echo hi']\n---\n")
    assert info.value.line == 2


def test_impossible_date_is_a_located_error():
    with pytest.raises(FrontMatterError) as info:
        split("---\ntitle: A\npublished: 2023-02-30\nurl: x\n---\n")
    assert info.value.line == 3
    assert "'published' must be a date written YYYY-MM-DD" in info.value.message
    assert "2023-02-30" in info.value.message


def test_yaml_alias_is_refused_at_its_key_line():
    with pytest.raises(FrontMatterError) as err:
        parse_yaml_mapping("a: &x [1, 2]\nb: 1\nc: *x\n", first_line=2)
    assert (err.value.line, err.value.message) == (4, "YAML aliases (*name) are not allowed here; write the value out")


def test_yaml_alias_bomb_is_refused_without_expanding():
    bomb = "a: &a [" + ",".join(['"lol"'] * 9) + "]\n"
    for prev, name in zip("abcdefghijklmnopqrstuvwxy", "bcdefghijklmnopqrstuvwxyz"):
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"  # 9**25 items if expanded
    with pytest.raises(FrontMatterError, match="aliases"):
        parse_yaml_mapping(bomb)


@pytest.mark.parametrize("text,line", [
    ("title: " + "[" * 100_000 + "]" * 100_000 + "\n", 2),  # libyaml takes minutes, then crashes
    ("a: 1\ntitle: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n", 3),
    ("a: 1\ntitle:\n  " + "- " * 100_000 + "x\n", 4),  # compact nested sequences: a C stack overflow
])
def test_deep_nesting_is_refused_before_yaml_sees_it(text, line):
    with pytest.raises(FrontMatterError) as err:
        parse_yaml_mapping(text, first_line=2)
    assert (err.value.line, err.value.message) == (line, "values nest more than 64 levels deep")


def test_shallow_nesting_and_brackets_in_text_still_parse():
    data, _ = parse_yaml_mapping('title: "[Updated] A [b] c"\ntags: [[a, b], {c: [d]}]\n')
    assert data == {"title": "[Updated] A [b] c", "tags": [["a", "b"], {"c": ["d"]}]}


def test_yaml_errors_are_one_line():
    for text in ("a: !!python/object:os.system x\n", "a: [1,\nb: 2\n", 'a: "\\q"\n', "a:\tx\n\ty: 2\n"):
        with pytest.raises(FrontMatterError) as err:
            parse_yaml_mapping(text)
        assert "\n" not in err.value.message and "<unicode string>" not in err.value.message


def test_control_finds_every_noncharacter_and_nothing_else():
    from dossier.frontmatter import CONTROL
    bad = [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *range(0xFDD0, 0xFDF0),
           *(p + d for p in range(0, 0x110000, 0x10000) for d in (0xFFFE, 0xFFFF))]
    for cp in bad:
        m = CONTROL.search("a\U0001F600\U0002FFFDb" + chr(cp) + "c")
        assert m is not None and m.start() == 4 and m.group() == chr(cp), hex(cp)
    for cp in (0x09, 0x0A, 0xA0, 0xFDCF, 0xFDF0, 0xFFFD, 0x1F600, 0x1FFFD, 0x20000, 0x10FFFD):
        assert CONTROL.search("x" + chr(cp) + "\U0003FFFC") is None, hex(cp)
