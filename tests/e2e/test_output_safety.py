"""The output folder is Dossier's: refusals, files of the user's kept, stale pages removed,
and a build killed at any step of its commit leaves the old tree or the new one."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dossier import outdir
from dossier.cli import main
from dossier.outdir import FAULT_POINTS, JOURNAL_POINTS, MANIFEST

REPO = Path(__file__).resolve().parents[2]
MINIMAL = REPO / "tests" / "fixtures" / "sites" / "minimal"
ARTICLE = "---\ntitle: {title}\noutlet: daily\npublished: 2023-09-26\n---\nRowley spoke again.\n"


def snapshot(top: Path) -> dict:
    """Everything under ``top``: files by bytes, links by target, folders by name; links not followed."""
    got = {}
    for dirpath, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(dirpath) / name
            rel = path.relative_to(top).as_posix()
            if path.is_symlink():
                got[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                got[rel] = ("dir",)
            else:
                got[rel] = path.read_bytes()
    return got


def cli(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["build", *args, "--workers", "1"])
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(MINIMAL, root)
    return root


def assert_refused(capsys, tmp_path, out: str, archive: Path, expect: str) -> None:
    before = snapshot(tmp_path)
    code, err, out_text = cli(capsys, "--root", str(archive), "--out", out)
    assert code == 1
    assert len(err) == 1 and err[0].startswith("error: ") and expect in err[0], err
    assert out_text == ""
    assert snapshot(tmp_path) == before  # every file that was there is still there, byte for byte


@pytest.fixture
def user_files(tmp_path, archive):
    (tmp_path / "notes.txt").write_bytes(b"the user's notes\n")
    (archive / "draft.txt").write_bytes(b"a draft\n")


def test_refuses_the_archive_itself(capsys, tmp_path, archive, user_files):
    assert_refused(capsys, tmp_path, str(archive), archive, "is the archive folder itself")


def test_refuses_a_folder_containing_the_archive(capsys, tmp_path, archive, user_files):
    assert_refused(capsys, tmp_path, str(tmp_path), archive, "contains the archive")


@pytest.mark.parametrize("inside", ["content", "content/new", "layouts", "layouts/out"])
def test_refuses_a_folder_inside_content_or_layouts(capsys, tmp_path, archive, user_files, inside):
    (archive / "layouts").mkdir(exist_ok=True)
    assert_refused(capsys, tmp_path, str(archive / inside), archive, f"inside the archive's {inside.split('/')[0]}/")


def test_refuses_home(capsys, tmp_path, archive, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()  # empty: the home rule refuses it, not the marker rule
    monkeypatch.setenv("HOME", str(home))
    assert_refused(capsys, tmp_path, str(home), archive, "is your home folder")


def test_refuses_the_file_system_root(capsys, tmp_path, archive, user_files):
    assert_refused(capsys, tmp_path, "/", archive, "is the top of the file system")


def test_refuses_a_non_empty_folder_without_marker(capsys, tmp_path, archive):
    out = tmp_path / "site"
    (out / "sub").mkdir(parents=True)
    (out / "index.html").write_bytes(b"someone else's site")
    (out / "sub" / "x.bin").write_bytes(bytes(range(256)))
    assert_refused(capsys, tmp_path, str(out), archive, f"has no {MANIFEST}")


def test_refuses_an_old_output_folder_and_says_how_to_fix(capsys, tmp_path, archive):
    """An output/ built before the manifest existed: refused with the fix (delete it, build again)."""
    old = archive / "output"
    (old / "articles" / "report").mkdir(parents=True)
    (old / "articles" / "report" / "index.html").write_bytes(b"<!doctype html>old")
    (old / ".nojekyll").write_bytes(b"")
    before = snapshot(tmp_path)
    code = main(["build", "--root", str(archive)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1 and len(err) == 1 and "delete it if it holds only an old build" in err[0]
    assert snapshot(tmp_path) == before


def test_refuses_a_symlink(capsys, tmp_path, archive):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "precious.txt").write_bytes(b"keep me")
    os.symlink(target, tmp_path / "out")
    assert_refused(capsys, tmp_path, str(tmp_path / "out"), archive, "is a symbolic link")


def test_refuses_a_dangling_symlink(capsys, tmp_path, archive):
    os.symlink(tmp_path / "nowhere", tmp_path / "out")
    assert_refused(capsys, tmp_path, str(tmp_path / "out"), archive, "is a symbolic link")


def test_refuses_a_plain_file(capsys, tmp_path, archive):
    (tmp_path / "output").write_bytes(b"not a folder")
    assert_refused(capsys, tmp_path, str(tmp_path / "output"), archive, "is a file, not a folder")


def test_first_build_into_an_existing_empty_folder(capsys, tmp_path, archive):
    out = tmp_path / "out"
    out.mkdir()
    code, err, text = cli(capsys, "--root", str(archive), "--out", str(out))
    assert code == 0 and err == [] and (out / MANIFEST).is_file() and (out / "index.html").is_file()
    assert sorted(os.listdir(tmp_path)) == ["archive", "out"]


def test_user_files_kept_and_said_once_stale_pages_removed(capsys, tmp_path, archive):
    out = tmp_path / "out"
    (archive / "content" / "articles" / "second.md").write_text(ARTICLE.format(title="Second"))
    assert cli(capsys, "--root", str(archive), "--out", str(out))[0] == 0
    assert (out / "articles" / "second" / "index.html").is_file()
    (out / "stats").mkdir()
    (out / "stats" / "visits.json").write_bytes(b'{"user": "index"}')
    (archive / "content" / "articles" / "second.md").unlink()
    code, err, text = cli(capsys, "--root", str(archive), "--out", str(out))
    assert code == 0
    assert err == ["note: left 1 file in the output folder that Dossier did not write: stats/visits.json"]
    assert not (out / "articles" / "second").exists()  # the deleted source leaves no page
    assert (out / "stats" / "visits.json").read_bytes() == b'{"user": "index"}'
    code, err, _ = cli(capsys, "--root", str(archive), "--out", str(out))
    assert code == 0 and err == []  # said once
    assert (out / "stats" / "visits.json").read_bytes() == b'{"user": "index"}'
    assert sorted(os.listdir(tmp_path)) == ["archive", "out"]


# -- a kill at every step of the commit -------------------------------------------------

def build_process(archive: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(archive), "--out", str(out),
                           "--workers", "1"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def make_kill_scenario(base: Path, commit: str) -> tuple[Path, dict, dict]:
    """An old tree (with a file of the user's) and the sources of a new one; the new tree made once, unkilled,
    committed as ``commit`` says (``DOSSIER_COMMIT``: a whole-tree swap or the journalled one in place)."""
    archive, out = base / "archive", base / "out"
    shutil.copytree(MINIMAL, archive)
    (archive / "content" / "articles" / "second.md").write_text(ARTICLE.format(title="Second"))
    assert build_process(archive, out).returncode == 0
    (out / "stats").mkdir()
    (out / "stats" / "visits.json").write_bytes(b"user's")
    old = snapshot(out)
    (archive / "content" / "articles" / "second.md").unlink()
    (archive / "content" / "articles" / "third.md").write_text(ARTICLE.format(title="Third"))
    (archive / "content" / "articles" / "report.md").write_text(
        (archive / "content" / "articles" / "report.md").read_text() + "\nAn edit.\n")
    copy = base / "expected"
    shutil.copytree(base, copy / "b", symlinks=True, ignore=shutil.ignore_patterns("expected"))
    assert build_process(copy / "b" / "archive", copy / "b" / "out", DOSSIER_COMMIT=commit).returncode == 0
    new = snapshot(copy / "b" / "out")
    assert old != new and new["stats/visits.json"] == b"user's"
    return base, old, new


@pytest.fixture(scope="module")
def kill_scenario(tmp_path_factory):
    return make_kill_scenario(tmp_path_factory.mktemp("kill"), "swap")


@pytest.fixture(scope="module")
def journal_scenario(tmp_path_factory):
    return make_kill_scenario(tmp_path_factory.mktemp("journal"), "journal")


@pytest.mark.parametrize("fallback", [False, True], ids=["renameat2", "two-renames"])
@pytest.mark.parametrize("point", FAULT_POINTS)
def test_kill_at_every_step_leaves_old_or_new_tree(tmp_path, kill_scenario, point, fallback):
    base, old, new = kill_scenario
    shutil.copytree(base, tmp_path / "s", symlinks=True, ignore=shutil.ignore_patterns("expected"))
    archive, out = tmp_path / "s" / "archive", tmp_path / "s" / "out"
    env = {"DOSSIER_FAULT_AT": point, "DOSSIER_COMMIT": "swap", **({"DOSSIER_NO_EXCHANGE": "1"} if fallback else {})}
    done = build_process(archive, out, **env)
    if point == "moved-aside" and not fallback:
        assert done.returncode == 0  # a step only the fallback takes
    else:
        assert done.returncode == -signal.SIGKILL, done.stderr
    if point == "moved-aside" and fallback:
        # The one moment the fallback has no tree at the output path: the old one is set aside whole.
        assert not out.exists() and snapshot(outdir.aside_path(out)) == old
    else:
        assert snapshot(out) in (old, new)
    again = build_process(archive, out)
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == new
    assert sorted(os.listdir(out.parent)) == ["archive", "out"]  # no staging or old tree left


@pytest.mark.parametrize("point", [*JOURNAL_POINTS, "removing"])
def test_kill_during_an_in_place_commit_is_rolled_forward_by_the_next_build(tmp_path, journal_scenario, point):
    """Committed in place, a kill may leave old and new files mixed (each file whole, old or new); the next
    build first finishes the commit its journal describes (or, killed before the journal, drops it)."""
    base, old, new = journal_scenario
    shutil.copytree(base, tmp_path / "s", symlinks=True, ignore=shutil.ignore_patterns("expected"))
    archive, out = tmp_path / "s" / "archive", tmp_path / "s" / "out"
    done = build_process(archive, out, DOSSIER_FAULT_AT=point, DOSSIER_COMMIT="journal")
    assert done.returncode == -signal.SIGKILL, done.stderr
    mixed = snapshot(out)
    assert all(mixed.get(rel) in (old.get(rel), new.get(rel)) for rel in {*old, *new, *mixed})
    if point == "journaling":
        assert mixed == old  # the journal is the commit point: before it, nothing moved
    outdir.check(archive, out)
    outdir.recover(out)  # what the next build (or preview) does before anything else
    assert snapshot(out) == (old if point == "journaling" else new)
    again = build_process(archive, out, DOSSIER_COMMIT="journal")
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == new
    assert sorted(os.listdir(out.parent)) == ["archive", "out"]


def test_exchange_is_available_on_linux():
    if sys.platform.startswith("linux"):
        assert outdir._EXCHANGE is not None


def test_a_cached_build_after_a_kill_mid_commit_takes_the_output_as_rolled_forward(tmp_path, journal_scenario):
    """The build cache reads the output's manifest before the build recovers the output: the journal is
    finished first, so the digests the cache trusts are those of the files there.  (Killed, then the edits
    undone: the cache's pages are the old ones again, the rolled-forward files are not.)"""
    base, old, _new = journal_scenario
    shutil.copytree(base, tmp_path / "s", symlinks=True, ignore=shutil.ignore_patterns("expected"))
    archive, out = tmp_path / "s" / "archive", tmp_path / "s" / "out"
    assert (archive / ".dossier-cache").is_dir()  # the old build's
    done = build_process(archive, out, DOSSIER_FAULT_AT="moving", DOSSIER_COMMIT="journal")
    assert done.returncode == -signal.SIGKILL, done.stderr
    articles = archive / "content" / "articles"
    (articles / "third.md").unlink()
    (articles / "second.md").write_text(ARTICLE.format(title="Second"))
    shutil.copy(MINIMAL / "content" / "articles" / "report.md", articles / "report.md")
    again = build_process(archive, out, DOSSIER_COMMIT="journal")
    assert again.returncode == 0, again.stderr
    assert snapshot(out) == old
