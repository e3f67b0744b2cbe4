"""dossier/write.py: staged writes, commit moves and prunes, discard leaves output alone."""
from __future__ import annotations

import pytest

from dossier.model import Output
from dossier.write import Staging, digest, safe_rel


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_commit_moves_files_and_prunes_stale(tmp_path):
    out = tmp_path / "out"
    (out / "old" / "gone").mkdir(parents=True)
    (out / "old" / "gone" / "index.html").write_text("stale")
    (out / "keep.txt").write_text("kept as is")
    (out / "index.html").write_text("old home")
    st = Staging(out)
    st.begin()
    assert st.dir.is_dir() and not st.dir.is_relative_to(out)
    d = st.put(Output("index.html", b"new home"))
    st.put(Output("articles/a/index.html", b"A"))
    assert d == digest(b"new home")
    assert snapshot(out)["index.html"] == b"old home"  # nothing moves before commit
    written, removed = st.commit({"index.html", "articles/a/index.html", "keep.txt"})
    assert written == ["articles/a/index.html", "index.html"]
    assert removed == ["old/gone/index.html"]
    assert snapshot(out) == {"articles/a/index.html": b"A", "index.html": b"new home", "keep.txt": b"kept as is"}
    assert not (out / "old").exists()  # emptied folders go too
    assert not st.dir.exists()


def test_commit_into_missing_output(tmp_path):
    out = tmp_path / "fresh" / "out"
    st = Staging(out)
    st.begin()
    st.put(Output("a.txt", b"a"))
    assert st.commit({"a.txt"}) == (["a.txt"], [])
    assert snapshot(out) == {"a.txt": b"a"}


def test_discard_leaves_output_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_bytes(b"previous")
    before = snapshot(out)
    st = Staging(out)
    st.begin()
    st.put(Output("index.html", b"new"))
    st.put(Output("x/y.html", b"new"))
    st.discard()
    assert snapshot(out) == before
    assert not st.dir.exists()


def test_begin_clears_leftovers(tmp_path):
    out = tmp_path / "out"
    st = Staging(out)
    st.begin()
    st.put(Output("leftover.html", b"x"))
    st.begin()  # e.g. after a crash
    st.put(Output("a.html", b"a"))
    assert st.commit({"a.html"}) == (["a.html"], [])
    assert snapshot(out) == {"a.html": b"a"}


@pytest.mark.parametrize("bad", ["../x", "a/../../x", "/etc/passwd", "a\\b", "", "."])
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
