"""scripts/run and scripts/lib.sh, run for real on a copy of the scripts with stand-ins
for Dossier (a build.py that records its arguments) and, where said, for Python."""
from __future__ import annotations

import json
import re
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.cli import _parser
from tests.helpers import REPO_ROOT

RECORDER = """import json, os, sys
with open(os.environ["RUN_LOG"], "a") as f:
    f.write(json.dumps({"args": sys.argv[1:], "prefix": sys.prefix}) + "\\n")
"""
# A stand-in for .venv/bin/python: `-c` code runs for real (with this repository's dossier
# on the path), pip answers and installs nothing, and running a script is only recorded.
FAKE_PYTHON = f"""#!/usr/bin/env bash
case "$1" in
    -m) exit 0 ;;
    -c) PYTHONPATH={shlex.quote(str(REPO_ROOT))} exec {shlex.quote(sys.executable)} "$@" ;;
esac
printf '%s\\n' "$*" >> "$RUN_LOG"
"""


def copy_scripts(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("run", "test", "lib.sh"):
        shutil.copy(REPO_ROOT / "scripts" / name, repo / "scripts" / name)
    (repo / "requirements.txt").write_text("# nothing to install in this test\n")
    (repo / "build.py").write_text(RECORDER)
    return repo


def run_script(repo: Path, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, RUN_LOG=str(repo / "run.log"), **(env_extra or {}))
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(["bash", str(repo / "scripts" / "run"), *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=180)


def logged(repo: Path) -> list[str]:
    log = repo / "run.log"
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def fake_venv_repo(tmp_path) -> Path:
    repo = copy_scripts(tmp_path)
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (repo / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return repo


@pytest.mark.parametrize("args, expected", [
    ([], ["build", "serve"]),
    (["--port", "8001"], ["build", "serve --port 8001"]),
    (["serve", "--port", "8001"], ["serve --port 8001"]),
    (["--root", "my archive", "--port", "8001", "--open"],
     ["build --root 'my archive'", "serve --root 'my archive' --port 8001 --open"]),
    (["--base-url=https://u.github.io/r/", "--host", "0.0.0.0"],
     ["build --base-url=https://u.github.io/r/", "serve --base-url=https://u.github.io/r/ --host 0.0.0.0"]),
    (["build", "--strict"], ["build --strict"]),
    (["check"], ["check"]),
    (["new", "site"], ["new site"]),
    (["--version"], ["--version"]),
])
def test_run_passes_arguments_through(fake_venv_repo, args, expected):
    done = run_script(fake_venv_repo, *args)
    assert done.returncode == 0, done.stderr
    runs = [line.split(" ", 1) for line in logged(fake_venv_repo)]
    assert all(script == "build.py" for script, *_ in runs)
    commands = [rest for _, rest in runs]
    assert commands == [" ".join(shlex.split(e)) for e in expected]
    for e in expected:   # and Dossier's own parser takes each of them
        if e != "--version":
            _parser().parse_args(shlex.split(e))


@pytest.mark.parametrize("args", [["--strict"], ["--port", "eighty"], ["--root", "x", "--out", "y"]])
def test_run_without_subcommand_rejects_a_wrong_option_before_building(fake_venv_repo, args):
    done = run_script(fake_venv_repo, *args)
    assert done.returncode == 1  # a command-line mistake is one line and exit code 1, like any other
    assert re.match(r"^dossier( serve)?: error: ", done.stderr.splitlines()[-1])
    assert logged(fake_venv_repo) == []


def test_run_never_installs_twice(fake_venv_repo):
    run_script(fake_venv_repo, "check")
    done = run_script(fake_venv_repo, "check")
    assert "python requirements up to date" in done.stderr


def _half_made(repo: Path, how: str) -> None:
    venv = repo / ".venv"
    if how == "no-python":
        venv.mkdir()
        (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    elif how == "no-pip":
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    elif how == "empty":
        venv.mkdir()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["no-python", "no-pip", "empty"])
def test_run_remakes_a_half_made_venv(tmp_path, how):
    repo = copy_scripts(tmp_path)
    _half_made(repo, how)
    done = run_script(repo, "check")
    assert done.returncode == 0, done.stderr
    assert "making it again" in done.stderr
    (record,) = [json.loads(line) for line in logged(repo)]
    assert record["args"] == ["check"]
    assert Path(record["prefix"]).resolve() == (repo / ".venv").resolve()
    pip = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", "pip", "--version"], capture_output=True,
                         timeout=60)
    assert pip.returncode == 0


def test_run_leaves_a_venv_folder_that_is_not_a_virtualenv(tmp_path):
    repo = copy_scripts(tmp_path)
    (repo / ".venv").mkdir()
    (repo / ".venv" / "notes.txt").write_text("mine")
    done = run_script(repo, "check")
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "scripts/run: error: .venv is not a virtualenv (no pyvenv.cfg); move it away and run this again")
    assert (repo / ".venv" / "notes.txt").read_text() == "mine" and logged(repo) == []


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)


@pytest.fixture
def without_venv_module(tmp_path) -> tuple[Path, str]:
    """A PATH folder whose python3 is Debian's without python3.X-venv (no ensurepip
    module) until an apt-get stand-in installs that package; and the package's name."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    installed = shlex.quote(str(stubs / "venv-installed"))
    python = (f'case "$*" in *ensurepip*) [ -e {installed} ] || exit 1 ;; esac\n'
              f'exec {shlex.quote(sys.executable)} "$@"\n')
    for name in ("python3", f"python{version}", "python3.11"):
        _stub(stubs, name, python)
    _stub(stubs, "apt-get", f'echo "$*" >> {shlex.quote(str(stubs / "apt.log"))}\n'
                            f'case "$*" in *"install "*python{version}-venv*) touch {installed} ;; esac\n')
    return stubs, f"python{version}-venv"


def test_run_without_python_venv_and_without_root_says_what_to_install(tmp_path, without_venv_module):
    repo = copy_scripts(tmp_path)
    stubs, pkg = without_venv_module
    _stub(stubs, "id", 'echo 1000\n')            # not root
    _stub(stubs, "sudo", 'exit 1\n')             # and sudo refuses
    done = run_script(repo, "check", env_extra={"PATH": f"{stubs}:{os.environ['PATH']}"})
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"scripts/run: error: install Debian's {pkg} package (as root: apt-get install {pkg}), then run this again")
    assert not (repo / ".venv").exists() and logged(repo) == []
    assert not (stubs / "apt.log").exists()


@pytest.mark.slow
def test_run_as_root_installs_python_venv_through_apt(tmp_path, without_venv_module):
    repo = copy_scripts(tmp_path)
    stubs, pkg = without_venv_module
    _stub(stubs, "id", 'echo 0\n')               # root
    done = run_script(repo, "check", env_extra={"PATH": f"{stubs}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert (stubs / "apt.log").read_text().splitlines() == [
        "update -qq", f"install -y -qq --no-install-recommends {pkg}"]
    (record,) = [json.loads(line) for line in logged(repo)]
    assert record["args"] == ["check"]
    assert Path(record["prefix"]).resolve() == (repo / ".venv").resolve()


def test_test_script_shares_the_set_up():
    text = (REPO_ROOT / "scripts" / "test").read_text()
    assert '. "$ROOT/scripts/lib.sh"' in text and "\nensure_venv\n" in text
    assert 'exec "$PY" -m pytest "$@"' in text
