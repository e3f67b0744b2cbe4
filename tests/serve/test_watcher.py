"""The watcher: debounce, temp files, atomic saves, deletes and renames (real inotify)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from dossier.serve.watcher import CREATED, DELETED, MODIFIED, ChangeSet, Watcher, is_temp_file

# An assertion that "nothing more arrives" needs a window; it is bounded and
# several times the debounce.
SILENCE = 0.4


@pytest.fixture
def watched(tiny_archive: Path):
    w = Watcher(tiny_archive, quiet=0.08).start()
    yield tiny_archive.resolve(), w
    w.stop()
    assert not w._observer.is_alive()


def collect_until(w: Watcher, pred, timeout: float = 10.0) -> tuple[ChangeSet, int]:
    """Merge change sets until ``pred(merged)``; return it and how many sets it took."""
    merged, n = ChangeSet(), 0
    deadline = time.monotonic() + timeout
    while not pred(merged):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; got {merged.changes}"
        cs = w.wait(timeout=left)
        assert cs is not None, f"timed out; got {merged.changes}"
        merged.merge(cs)
        n += 1
    return merged, n


def assert_quiet(w: Watcher) -> None:
    extra = w.wait(timeout=SILENCE)
    assert extra is None, f"unexpected changes: {extra.changes}"


TEMP_NAMES = [
    ".a.md.swp", ".a.md.swx", ".a.md.swo", "a.md~", "4913", "5036", "#a.md#", ".#a.md",
    "a.md___jb_tmp___", "a.md___jb_old___", "a.md.tmp", "x.TMP".lower(), ".DS_Store", "a.md.bak",
    ".goutputstream-ABC123", "sedAb12Cd", ".~lock.a.md#", "a.md.kate-swp",
]


@pytest.mark.parametrize("name", TEMP_NAMES)
def test_is_temp_file(name):
    assert is_temp_file(Path("/r/content/articles") / name)


@pytest.mark.parametrize("name", ["a.md", "site.yaml", "base.html", "style.css", "2023-report.md", "font.woff2",
                                  "sedan.md", "README"])
def test_is_not_temp_file(name):
    assert not is_temp_file(Path("/r/content") / name)


def test_burst_of_50_writes_is_one_change_set(watched):
    root, w = watched
    files = [root / "content/articles" / f"n{i}.md" for i in range(5)]
    for i in range(50):
        files[i % 5].write_text(f"---\ntitle: {i}\n---\n")
    cs = w.wait(timeout=10)
    assert cs is not None
    assert cs.paths == frozenset(files)
    assert all(cs.changes[f] == CREATED for f in files)
    assert not cs.full
    assert_quiet(w)


def test_temp_and_swap_files_are_ignored(watched):
    root, w = watched
    d = root / "content/articles"
    for name in TEMP_NAMES:
        (d / name).write_text("junk")
    (d / "4913").unlink()
    (d / ".#a.md").unlink()
    sentinel = d / "b.md"
    sentinel.write_text("---\ntitle: B\n---\n")
    cs, _ = collect_until(w, lambda c: sentinel in c.changes)
    assert cs.paths == {sentinel}
    assert_quiet(w)


def test_atomic_rename_save_is_reported_as_target(watched):
    root, w = watched
    target = root / "content/articles/a.md"
    tmp = target.with_name("a.md.tmp")
    tmp.write_text("---\ntitle: A2\n---\n")
    os.replace(tmp, target)
    cs, _ = collect_until(w, lambda c: target in c.changes)
    assert cs.paths == {target}
    assert cs.changes[target] == MODIFIED      # deleted + created = replaced in place
    assert_quiet(w)


def test_jetbrains_safe_write(watched):
    root, w = watched
    target = root / "content/articles/a.md"
    new = target.with_name("a.md___jb_tmp___")
    old = target.with_name("a.md___jb_old___")
    new.write_text("new")
    os.rename(target, old)
    os.rename(new, target)
    old.unlink()
    cs, _ = collect_until(w, lambda c: c.changes.get(target) == MODIFIED)
    assert cs.paths == {target}


def test_vim_backup_write(watched):
    root, w = watched
    target = root / "content/articles/a.md"
    backup = target.with_name("a.md~")
    probe = target.with_name("4913")
    probe.write_text("")
    probe.unlink()
    os.rename(target, backup)
    target.write_text("new")
    backup.unlink()
    cs, _ = collect_until(w, lambda c: c.changes.get(target) == MODIFIED)
    assert cs.paths == {target}


def test_delete_is_reported(watched):
    root, w = watched
    target = root / "content/articles/a.md"
    target.unlink()
    cs, _ = collect_until(w, lambda c: target in c.changes)
    assert cs.changes == {target: DELETED}


def test_rename_is_delete_plus_create(watched):
    root, w = watched
    src = root / "content/articles/a.md"
    dst = root / "content/articles/renamed.md"
    os.rename(src, dst)
    cs, _ = collect_until(w, lambda c: src in c.changes and dst in c.changes)
    assert cs.changes == {src: DELETED, dst: CREATED}


def test_site_yaml_is_watched_but_other_root_files_are_not(watched):
    root, w = watched
    (root / "output").mkdir()
    (root / "output/index.html").write_text("x")
    (root / "notes.txt").write_text("x")
    (root / "site.yaml").write_text("title: T2\n")
    cs, _ = collect_until(w, lambda c: root / "site.yaml" in c.changes)
    assert cs.paths == {root / "site.yaml"}
    assert_quiet(w)


# watchdog may warn about re-adding a watch for a just-created subfolder; harmless.
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
def test_layouts_created_after_start_is_watched(watched):
    root, w = watched
    (root / "layouts/assets").mkdir(parents=True)
    base = root / "layouts/base.html"
    base.write_text("<html></html>")
    collect_until(w, lambda c: base in c.changes)
    css = root / "layouts/assets/style.css"
    css.write_text("body{}")
    cs, _ = collect_until(w, lambda c: css in c.changes)
    assert css in cs.paths


def test_directory_moved_in_reports_its_files(watched, tmp_path):
    root, w = watched
    outside = tmp_path / "incoming"
    (outside / "people").mkdir(parents=True)
    (outside / "people/p.md").write_text("---\nname: P\n---\n")
    shutil.move(str(outside), str(root / "content/entities/incoming"))
    moved = root / "content/entities/incoming/people/p.md"
    cs, _ = collect_until(w, lambda c: moved in c.changes)
    assert cs.changes[moved] == CREATED


def test_directory_deleted_asks_for_full_build(watched):
    root, w = watched
    shutil.rmtree(root / "content/entities")
    cs, _ = collect_until(w, lambda c: c.full)
    assert cs.full


def test_stop_wakes_waiter(tiny_archive):
    import threading

    w = Watcher(tiny_archive).start()
    got: list = []
    t = threading.Thread(target=lambda: got.append(w.wait()))
    t.start()
    w.stop()
    t.join(5)
    assert not t.is_alive() and got == [None]


def test_describe():
    root = Path("/r")
    cs = ChangeSet()
    cs.add(root / "content/articles/a.md", MODIFIED)
    assert cs.describe(root) == "content/articles/a.md modified"
    for i in range(4):
        cs.add(root / f"content/articles/{i}.md", CREATED)
    assert cs.describe(root).endswith("and 2 more changed")


def test_waiting_says_whether_a_change_is_queued_or_the_watcher_stopped(tiny_archive):
    w = Watcher(tiny_archive).start()
    try:
        assert not w.waiting()
        w.note_modified(tiny_archive / "content/articles/a.md")
        assert w.waiting() and w.waiting()  # asking takes nothing
        assert w.wait(timeout=5) is not None
        assert not w.waiting()
    finally:
        w.stop()
    assert w.waiting()  # stopped: whatever asks should stop too


class _Clock:
    """``time.monotonic`` for the watcher, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clocked(tiny_archive, monkeypatch):
    """A watcher on a clock the test moves, whose quiet time is an hour: (watcher, clock, a.md, b.md)."""
    import dossier.serve.watcher as watcher_module

    clock = _Clock()
    monkeypatch.setattr(watcher_module, "time", clock)
    w = Watcher(tiny_archive, quiet=3600, max_settle=7200).start()
    yield w, clock, (tiny_archive / "content/articles/a.md").resolve(), tiny_archive / "content/articles/b.md"
    w.stop()


def _waiting_thread(w: Watcher) -> tuple:
    """``w.wait()`` in a thread of its own: (the thread, the list its change set goes into)."""
    import threading

    got: list = []
    t = threading.Thread(target=lambda: got.append(w.wait(timeout=10)), daemon=True)
    t.start()
    return t, got


def test_the_quiet_wait_counts_from_the_last_event_not_from_the_call(clocked):
    """Events that came while the caller was busy (the preview's search index giving way to them) have
    waited part of the quiet time already: ``wait`` takes all of them at once once it has passed,
    without waiting again (a quiet time of an hour would hang this test, bounded by the join)."""
    w, clock, a, b = clocked
    w.note_modified(a)
    w.note_modified(b)
    clock.now += 3601  # the caller was busy that long
    t, got = _waiting_thread(w)
    t.join(10)
    assert not t.is_alive(), "wait() waited the quiet time again"
    assert got[0] is not None and got[0].paths == {a, b}
    assert not w.waiting()


def test_the_quiet_wait_still_merges_an_event_within_it(clocked):
    """An event queued within the quiet time of the one before joins its change set; ``max_settle``
    still ends the collecting (here, the only way out: the quiet time is an hour)."""
    w, clock, a, b = clocked
    w.note_modified(a)
    clock.now += 3599  # not quiet yet when wait() takes it: it waits for more
    t, got = _waiting_thread(w)
    t.join(0.2)
    assert t.is_alive()  # bounded check: still collecting
    clock.now += 7201  # past max_settle: the next event ends the collecting
    w.note_modified(b)
    t.join(10)
    assert not t.is_alive()
    assert got[0] is not None and got[0].paths == {a, b}
