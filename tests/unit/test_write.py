"""dossier/write.py and dossier/outdir.py: a new tree staged beside the output and swapped in whole,
the manifest, files of the user's carried over, leftovers of an interrupted build cleaned up."""
from __future__ import annotations

import json
import os
from pathlib import PurePosixPath

import pytest

from dossier import outdir
from dossier.model import Output
from dossier.outdir import MANIFEST, OutputError
from dossier.write import Staging, digest, safe_rel
from tests.conftest import read_tree


def build_into(out, files: dict[str, bytes], *, swap=True, previous: dict | None = None):
    """What the pipeline does: stage every file whose bytes changed, then commit the whole set."""
    outdir.recover(out)
    st = Staging(out)
    st.begin()
    for rel, data in files.items():
        if (previous or {}).get(rel) != data:
            st.put(Output(rel, data))
    return st.commit({rel: digest(data) for rel, data in files.items()}, swap=swap)


def ours(out):
    return {k: v for k, v in read_tree(out).items() if k != MANIFEST}


def test_first_build_writes_tree_and_manifest(tmp_path):
    out = tmp_path / "out"
    got = build_into(out, {"index.html": b"home", "articles/a/index.html": b"A"})
    assert got.written == ("articles/a/index.html", "index.html") and got.removed == ()
    assert ours(out) == {"index.html": b"home", "articles/a/index.html": b"A"}
    manifest = json.loads((out / MANIFEST).read_bytes())
    assert manifest["files"] == {"articles/a/index.html": digest(b"A"), "index.html": digest(b"home")}
    assert sorted(os.listdir(tmp_path)) == ["out"]  # no staging folder left


def test_manifest_is_deterministic(tmp_path):
    files = {"b.html": b"b", "a.html": b"a", "c/d.html": b"d"}
    build_into(tmp_path / "one", files)
    build_into(tmp_path / "two", dict(reversed(files.items())))
    assert (tmp_path / "one" / MANIFEST).read_bytes() == (tmp_path / "two" / MANIFEST).read_bytes()


def test_first_build_into_empty_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    build_into(out, {"index.html": b"home"})
    assert ours(out) == {"index.html": b"home"} and sorted(os.listdir(tmp_path)) == ["out"]


@pytest.mark.parametrize("swap", [True, False])
def test_removes_only_what_it_wrote_and_keeps_user_files(tmp_path, swap):
    out = tmp_path / "out"
    first = {"index.html": b"home", "articles/gone/index.html": b"G", "articles/a/index.html": b"A"}
    build_into(out, first)
    (out / "search").mkdir()
    (out / "search" / "index.json").write_bytes(b"user's index")
    (out / "articles" / "gone" / "notes.txt").write_bytes(b"user's notes")
    second = {"index.html": b"new home", "articles/a/index.html": b"A"}
    got = build_into(out, second, swap=swap, previous=first)
    assert got.removed == ("articles/gone/index.html",)
    assert got.written == ("index.html",)
    assert ours(out) == {"index.html": b"new home", "articles/a/index.html": b"A",
                         "search/index.json": b"user's index", "articles/gone/notes.txt": b"user's notes"}
    if swap:
        assert got.kept == ("articles/gone/notes.txt", "search/index.json") and got.kept_changed
        again = build_into(out, second, previous=second)
        assert again.kept == got.kept and not again.kept_changed  # said once
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_unchanged_build_touches_nothing(tmp_path):
    out = tmp_path / "out"
    files = {"index.html": b"home", "a/index.html": b"A"}
    build_into(out, files)
    inode = os.stat(out).st_ino
    got = build_into(out, files, previous=files)
    assert got.written == () and got.removed == ()
    assert os.stat(out).st_ino == inode  # not swapped: the same folder


def test_user_file_where_the_build_writes_is_refused(tmp_path):
    out = tmp_path / "out"
    build_into(out, {"index.html": b"home"})
    (out / "CNAME").write_bytes(b"mine.example\n")
    before = read_tree(out)
    with pytest.raises(OutputError, match="CNAME was not written by Dossier"):
        build_into(out, {"index.html": b"home", "CNAME": b"other.example\n"})
    assert read_tree(out) == before and sorted(os.listdir(tmp_path)) == ["out"]


def test_user_symlink_is_carried_not_followed(tmp_path):
    out = tmp_path / "out"
    build_into(out, {"index.html": b"home"})
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"s")
    os.symlink(secret, out / "link.txt")
    build_into(out, {"index.html": b"home 2"})
    assert os.readlink(out / "link.txt") == str(secret) and secret.read_bytes() == b"s"


def test_discard_leaves_output_untouched(tmp_path):
    out = tmp_path / "out"
    build_into(out, {"index.html": b"previous"})
    before = read_tree(out)
    st = Staging(out)
    st.begin()
    st.put(Output("index.html", b"new"))
    st.put(Output("x/y.html", b"new"))
    st.discard()
    assert read_tree(out) == before
    assert not st.dir.exists()


def test_recover_cleans_leftovers_and_restores_a_tree_set_aside(tmp_path):
    out = tmp_path / "out"
    build_into(out, {"index.html": b"old"})
    os.rename(out, outdir.aside_path(out))  # killed half way through the fallback swap
    st = Staging(out)
    st.begin()
    st.put(Output("index.html", b"new"))
    st.release()  # the process died: its lock went with it
    outdir.check(tmp_path / "archive", out)
    outdir.recover(out)
    assert ours(out) == {"index.html": b"old"} and sorted(os.listdir(tmp_path)) == ["out"]


def test_leftover_not_made_by_dossier_is_refused(tmp_path):
    out = tmp_path / "out"
    stray = outdir.staging_path(out)
    stray.mkdir()
    (stray / "mine.txt").write_bytes(b"x")
    with pytest.raises(OutputError, match="was not made by Dossier"):
        outdir.check(tmp_path / "archive", out)
    assert (stray / "mine.txt").read_bytes() == b"x"


def test_damaged_manifest_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_bytes(b"{not json")
    with pytest.raises(OutputError, match="damaged"):
        outdir.check(tmp_path / "archive", out)


def test_fallback_swap_without_renameat2(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_NO_EXCHANGE", "1")
    out = tmp_path / "out"
    build_into(out, {"index.html": b"old", "old.html": b"o"})
    build_into(out, {"index.html": b"new"})
    assert ours(out) == {"index.html": b"new"} and sorted(os.listdir(tmp_path)) == ["out"]


@pytest.mark.parametrize("bad", ["../x", "a/../../x", "/etc/passwd", "a\\b", "", ".", MANIFEST])
def test_refuses_paths_outside(tmp_path, bad):
    st = Staging(tmp_path / "out")
    st.begin()
    with pytest.raises(ValueError):
        st.put(Output(bad, b"x"))
    assert not (tmp_path / "x").exists()
    with pytest.raises(ValueError):
        safe_rel(bad)


def test_safe_rel_accepts_normal_paths():
    assert safe_rel("articles/a/index.html") == "articles/a/index.html"
    assert safe_rel("./feed.xml") == "feed.xml"


@pytest.mark.parametrize("path", ["articles/a/index.html", "index.html", "a//b", "a/./b", "./a", "a/", "a/.well-known/x",
                                  "x/..y", "...", "a/b.c/d", "/a", "..", "a/../b", "a/..", ".dossier-x/a", "a\\b", "",
                                  "data/chunks/0001.json", "tags/naïve/index.html", "a/ b /c"])
def test_safe_rel_of_a_plain_path_is_what_the_path_reading_gives(path):
    """Most paths skip ``PurePosixPath`` (a plain name per part): the answer is the same for every path."""
    def slow(p: str) -> str:
        pp = PurePosixPath(p)
        if pp.is_absolute() or ".." in pp.parts or not pp.parts or "\\" in p or pp.parts[0].startswith(".dossier-"):
            raise ValueError(p)
        return pp.as_posix()

    try:
        expected = slow(path)
    except ValueError:
        with pytest.raises(ValueError):
            safe_rel(path)
    else:
        assert safe_rel(path) == expected


def test_staging_writes_files_in_new_and_nested_folders(tmp_path):
    st = Staging(tmp_path / "out")
    st.begin()
    big = bytes(range(256)) * 4096  # larger than one write may take
    for rel, data in (("index.html", b"home"), ("a/b/c/index.html", big), ("a/b/d.txt", b""), ("a/e.txt", b"e")):
        assert st.put(Output(rel, data)) == digest(data)
        assert (st.dir / rel).read_bytes() == data
    st.put(Output("a/b/d.txt", b"again"))  # staged again: replaced, not appended
    assert (st.dir / "a/b/d.txt").read_bytes() == b"again"
    st.discard()


def test_system_error_during_commit_is_one_line_and_leaves_the_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_into(out, {"index.html": b"old"})
    before = read_tree(out)

    def full_disk(new, old):
        raise OSError(28, "No space left on device", str(new))

    monkeypatch.setattr(outdir, "swap_in", full_disk)
    with pytest.raises(OutputError, match="cannot write the output folder: No space left on device"):
        build_into(out, {"index.html": b"new"})
    assert read_tree(out) == before


def test_a_second_build_while_one_is_writing_is_refused(tmp_path):
    out = tmp_path / "out"
    build_into(out, {"index.html": b"old"})
    first = Staging(out)
    first.begin()
    first.put(Output("index.html", b"first"))
    with pytest.raises(OutputError, match="another build is writing"):
        outdir.recover(out)  # what a second build does first
    assert first.dir.is_dir()
    first.commit({"index.html": digest(b"first")})
    assert ours(out) == {"index.html": b"first"}
    outdir.recover(out)  # free again


# -- the journalled in-place commit (few files changed) ------------------------------------

def many(changed: dict | None = None, n: int = 12) -> dict[str, bytes]:
    """Twelve pages, and ``changed`` (path -> bytes) on top."""
    return {**{f"articles/a{i}/index.html": b"page %d" % i for i in range(n)}, **(changed or {})}


def test_few_changes_are_committed_in_place_without_a_new_tree(tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = many({"index.html": b"home", "old.html": b"gone soon"})
    build_into(out, first)
    (out / "mine.txt").write_bytes(b"user's")
    monkeypatch.setenv("DOSSIER_COMMIT", "swap")
    build_into(out, first, previous=first)  # a whole-tree commit notes the user's file in the manifest
    monkeypatch.delenv("DOSSIER_COMMIT")
    (out / "later.txt").write_bytes(b"user's too")  # an in-place commit does not look for it: left alone
    inode, unchanged = os.stat(out).st_ino, os.stat(out / "articles" / "a1" / "index.html").st_ino
    second = many({"index.html": b"new home", "new/deep/page.html": b"new"})
    got = build_into(out, second, previous=first)
    assert os.stat(out).st_ino == inode  # the same folder: not swapped
    assert os.stat(out / "articles" / "a1" / "index.html").st_ino == unchanged  # not linked again
    assert got.written == ("index.html", "new/deep/page.html") and got.removed == ("old.html",)
    assert got.kept == ("mine.txt",)
    assert ours(out) == {**second, "mine.txt": b"user's", "later.txt": b"user's too"}
    assert json.loads((out / MANIFEST).read_bytes())["files"] == {k: digest(v) for k, v in second.items()}
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_in_place_commit_removes_emptied_folders_and_replaces_a_file_by_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_COMMIT", "journal")
    out = tmp_path / "out"
    first = many({"x.html": b"a file", "deep/er/page.html": b"p"})
    build_into(out, first)
    second = many({"x/y.html": b"now a folder"})
    build_into(out, second, previous=first)
    assert ours(out) == second and not (out / "deep").exists()


@pytest.mark.parametrize("where", ["CNAME", "stats/x.html"])
def test_in_place_commit_never_writes_over_a_users_file(tmp_path, monkeypatch, where):
    monkeypatch.setenv("DOSSIER_COMMIT", "journal")
    out = tmp_path / "out"
    build_into(out, many())
    (out / "CNAME").write_bytes(b"mine.example\n")
    (out / "stats").write_bytes(b"a file of the user's where the build wants a folder")
    before = read_tree(out)
    with pytest.raises(OutputError):  # refused by the whole-tree commit, which says what is in the way
        build_into(out, many({where: b"ours"}), previous=many())
    assert read_tree(out) == before


def test_in_place_commit_does_not_follow_a_link_the_user_put_on_the_way(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_COMMIT", "journal")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    first = many()
    build_into(out, first)
    elsewhere.mkdir()
    os.symlink(elsewhere, out / "linked")
    with pytest.raises(OutputError):
        build_into(out, many({"linked/page.html": b"ours"}), previous=first)
    assert os.listdir(elsewhere) == []


def test_a_failure_after_the_journal_is_rolled_forward_by_the_next_build(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_COMMIT", "journal")
    out = tmp_path / "out"
    first = many()
    build_into(out, first)
    second = many({"articles/a1/index.html": b"one", "articles/a2/index.html": b"two"})
    real, calls = os.replace, []

    def fails_second_move(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the journal, one page, then a full disk
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", fails_second_move)
    st = Staging(out)
    st.begin()
    for rel in ("articles/a1/index.html", "articles/a2/index.html"):
        st.put(Output(rel, second[rel]))
    with pytest.raises(OutputError, match="No space left on device"):
        st.commit({rel: digest(data) for rel, data in second.items()})
    st.discard()  # what the pipeline does after a failed commit: the journal stays
    monkeypatch.setattr(os, "replace", real)
    assert (outdir.staging_path(out) / outdir.JOURNAL).is_file()
    outdir.check(tmp_path / "archive", out)
    outdir.recover(out)  # what the next build does first
    assert ours(out) == second and sorted(os.listdir(tmp_path)) == ["out"]
    assert json.loads((out / MANIFEST).read_bytes())["files"] == {k: digest(v) for k, v in second.items()}
