"""annotate_write.py: add, edit and delete one annotation, keeping every other byte of the file."""
from __future__ import annotations

import pytest

from dossier.annotate_write import ABSENT, EditError, Fields, add, annotations, check_block, check_fields, count, \
    delete, edit, version

CRLF = ("\ufeff{.note}\r\n> Soldiers are\r\n>   on standby\r\n\r\nFirst note.\r\n  <!-- a comment -->\r\n"
        "\r\n\r\n\r\n> Second   quote\r\n\r\nSecond note, no newline at the end").encode("utf-8")
PLAIN = b"{.context #kept which=2}\n> One\n\nNote one.\n\n> Two\n\nNote two.\n"


def test_version_is_a_hash_of_the_bytes_or_absent():
    assert version(None) == ABSENT
    assert version(b"x") != version(b"y") and len(version(b"")) == 64


def test_add_to_an_absent_file_needs_no_header():
    data, line = add(None, "Soldiers are on standby", 0, Fields("note", "A note."))
    assert data == b"{.note}\n> Soldiers are on standby\n\nA note.\n"
    assert line == 2
    (ann,), errors = annotations(data, "a")
    assert not errors and ann.quote == "Soldiers are on standby" and ann.note == "A note."


def test_add_keeps_every_byte_bom_and_crlf():
    data, line = add(CRLF, "standby", 2, Fields("discrepancy", "New\n\nnote", "army-status", "On standby"))
    assert data.startswith(CRLF + b"\r\n\r\n")
    assert data[len(CRLF):] == (b'\r\n\r\n{.discrepancy claim="army-status" value="On standby" which=2}\r\n'
                                b"> standby\r\n\r\nNew\r\n\r\nnote\r\n")
    check_block(data, "a", line, 3)
    found, errors = annotations(data, "a")
    assert not errors and [a.line for a in found] == [2, 10, line]
    assert found[-1].claim == "army-status" and found[-1].value == "On standby" and found[-1].which == 2


def test_edit_replaces_the_attribute_line_and_the_note_only():
    data, line = edit(CRLF, 10, Fields("correction", "Changed\nnote"))
    assert data == CRLF.replace(b"> Second   quote\r\n\r\nSecond note, no newline at the end",
                                b"{.correction}\r\n> Second   quote\r\n\r\nChanged\r\nnote")
    assert line == 11
    check_block(data, "a", line, 2)
    first, line1 = edit(CRLF, 2, Fields("note", "Only this"))
    assert first == CRLF.replace(b"First note.\r\n  <!-- a comment -->", b"Only this") and line1 == 2


def test_edit_keeps_id_and_which():
    data, line = edit(PLAIN, 2, Fields("note", "New", "a-claim"))
    assert data == PLAIN.replace(b"{.context #kept which=2}\n> One\n\nNote one.",
                                 b'{.note #kept claim="a-claim" which=2}\n> One\n\nNew')


def test_delete_removes_the_block_and_nothing_else():
    assert delete(PLAIN, 2) == b"> Two\n\nNote two.\n"
    assert delete(PLAIN, 6) == b"{.context #kept which=2}\n> One\n\nNote one.\n"
    assert delete(CRLF, 2) == "\ufeff".encode() + CRLF[CRLF.index(b"> Second"):]
    assert delete(delete(PLAIN, 6), 2) == b""


def test_a_line_that_starts_no_annotation_is_a_conflict():
    with pytest.raises(EditError) as exc:
        delete(PLAIN, 3)
    assert exc.value.status == 409


def test_a_note_that_would_start_a_new_annotation_is_refused():
    data, line = add(PLAIN, "Two", 0, Fields("note", "fine\n\n> not a quote"))
    with pytest.raises(EditError) as exc:
        check_block(data, "a", line, count(PLAIN) + 1)
    assert exc.value.status == 422


@pytest.mark.parametrize("fields,message", [
    (Fields("opinion", "x"), "unknown kind"),
    (Fields("note", "  \n "), "write a note"),
    (Fields("note", "x", "Not A Slug"), "slug"),
    (Fields("note", "x", "", "v"), "belongs to a claim"),
    (Fields("note", "x", "c", 'say "hi"'), "cannot hold"),
    (Fields("note", "bell \x07"), "control character"),
])
def test_fields_are_checked(fields, message):
    with pytest.raises(EditError, match=message):
        check_fields(fields)


def test_fields_are_cleaned():
    assert check_fields(Fields("note", "a  \r\nb\n\n", " c ", " v ")) == Fields("note", "a\nb", "c", "v")
