"""The command line as a user runs it: exit codes, what is printed, what is written."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MANY_ERRORS = REPO / "tests" / "fixtures" / "sites" / "many_errors"


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_check_validates_and_writes_nothing(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "site.yaml").write_text((REPO / "site.yaml").read_text())
    subprocess.run(["cp", "-r", str(REPO / "content"), str(archive / "content")], check=True)
    done = run("check", "--root", str(archive))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ") and "pages would be built" in done.stdout
    assert not (archive / "output").exists()


def test_check_reports_every_mistake_with_exit_code_1():
    done = run("check", "--root", str(MANY_ERRORS))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == f"check failed: {len(lines) - 1} errors, 0 warnings; nothing was written"
    assert len(lines) - 1 >= 5 and all(":" in line.split(" ")[0] for line in lines[:-1])
    assert "Traceback" not in done.stderr


def test_bare_build_py_builds_the_current_folder(tmp_path):
    archive = tmp_path / "archive"
    (archive / "content" / "articles").mkdir(parents=True)
    (archive / "content" / "entities").mkdir(parents=True)
    (archive / "site.yaml").write_text("title: T\n")
    (archive / "content" / "entities" / "x.md").write_text("---\nname: X News\ntype: outlet\n---\n")
    (archive / "content" / "articles" / "a.md").write_text(
        "---\ntitle: A\noutlet: x\npublished: 2023-09-25\n---\nX News reports.\n")
    done = run(cwd=archive)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ") and "pages into output/" in done.stdout
    page = (archive / "output" / "articles" / "a" / "index.html").read_text()
    assert 'href="/entities/x/"' in page  # the default theme served the templates: no layouts/ here


def test_unknown_root_is_one_line():
    done = run("build", "--root", "/nonexistent/archive")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["error: archive folder /nonexistent/archive does not exist"]


def test_the_program_ends_without_the_interpreters_teardown_a_caller_gets_the_code(monkeypatch):
    """``dossier build``/``check`` end with ``exit_now`` (os._exit: no release of every object one by
    one); ``main(argv)`` called from Python returns the exit code instead."""
    from dossier import cli

    ended = []

    class Ended(Exception):
        pass

    def exit_now(code):
        ended.append(code)
        raise Ended

    monkeypatch.setattr(cli, "exit_now", exit_now)
    assert cli.main(["check", "--root", str(MANY_ERRORS)]) == 1 and ended == []
    monkeypatch.setattr(sys, "argv", ["dossier", "check", "--root", str(MANY_ERRORS)])
    try:
        cli.main()
    except Ended:
        pass
    assert ended == [1]


def test_the_program_keeps_the_builder_until_it_ends(monkeypatch, tmp_path):
    """What a build read and made is left to the exit (``exit_now``), not released one object at a time
    before it: the builder is still alive when the program ends, for ``build`` and for ``check``."""
    import shutil
    import weakref

    from dossier import cli, pipeline

    archive = tmp_path / "archive"
    shutil.copytree(REPO / "tests" / "fixtures" / "sites" / "minimal", archive)
    made, alive = [], []
    init = pipeline.Builder.__init__

    def remember(self, *args, **kwargs):
        init(self, *args, **kwargs)
        made.append(weakref.ref(self))

    class Ended(Exception):
        pass

    def exit_now(code):
        alive.append((code, made[-1]() is not None))
        raise Ended

    monkeypatch.setattr(pipeline.Builder, "__init__", remember)
    monkeypatch.setattr(cli, "exit_now", exit_now)
    for command in (["build", "--root", str(archive), "--base-url", "https://example.org/"],
                    ["check", "--root", str(archive)]):
        monkeypatch.setattr(sys, "argv", ["dossier", *command])
        try:
            cli.main()
        except Ended:
            pass
    assert alive == [(0, True), (0, True)]
    assert cli.main(["check", "--root", str(archive)]) == 0 and made[-1]() is None  # a caller's: released
