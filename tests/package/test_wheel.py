"""The wheel as a user gets it: built from this repository, installed into a fresh
virtualenv, and used from a folder outside the repository (`new`, `build`,
`check`, `serve`)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest

from dossier import __version__
from tests.helpers import REPO_ROOT
from tests.helpers.crawl import fetch, html_urls
from tests.helpers.process import wait_for_match

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _run(cmd: list, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout)


def _clean_env() -> dict[str, str]:
    """The environment without anything that would let the repository's code leak in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _outside_repo(path: Path) -> Path:
    assert not path.resolve().is_relative_to(REPO_ROOT.resolve()), f"{path} is inside the repository"
    return path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = _outside_repo(tmp_path_factory.mktemp("dist"))
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO_ROOT], dist)
    assert done.returncode == 0, done.stderr
    (found,) = dist.glob("dossier_ssg-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """bin/ of a fresh virtualenv (no system site-packages) with the wheel and what it declares it
    needs, at the versions requirements.txt pins (a constraint, so nothing undeclared comes in)."""
    env_dir = _outside_repo(tmp_path_factory.mktemp("venv"))
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    done = _run([bin_dir / "python", "-m", "pip", "install", "-q", "-c", REPO_ROOT / "requirements.txt", wheel],
                env_dir)
    assert done.returncode == 0, done.stderr
    return bin_dir


def test_wheel_carries_the_theme_the_client_and_the_starter(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "layouts").rglob("*") if p.is_file()}
    assert theme and {"dossier/" + t for t in theme} <= names
    assert "dossier/serve/client.js" in names and "dossier/serve/annotate.js" in names
    assert "dossier/starter/archive/site.yaml" in names and "dossier/__main__.py" in names
    assert not any(n.startswith(("content/", "tests/", "layouts/")) for n in names)
    metadata = zipfile.ZipFile(wheel).read(f"dossier_ssg-{__version__}.dist-info/METADATA").decode()
    assert f"Version: {__version__}" in metadata and "Requires-Python: >=3.11" in metadata


def test_installed_dossier_runs_outside_the_repository(installed, tmp_path):
    work = _outside_repo(tmp_path)
    where = _run([installed / "python", "-c", "import dossier, dossier.render as r; print(dossier.__file__);"
                  "print(r.DEFAULT_LAYOUTS)"], work)
    module, layouts = where.stdout.split()
    assert Path(module).is_relative_to(installed.parent) and Path(layouts).is_relative_to(installed.parent)

    version = _run([installed / "dossier", "--version"], work)
    assert (version.returncode, version.stdout.strip()) == (0, f"dossier {__version__}")
    assert _run([installed / "python", "-m", "dossier", "--version"], work).stdout.strip() == f"dossier {__version__}"

    new = _run([installed / "dossier", "new", "site"], work)
    assert new.returncode == 0, new.stderr
    site = work / "site"
    built = _run([installed / "dossier", "build"], site)
    assert built.returncode == 0, built.stderr
    assert "0 warnings" in built.stdout and built.stderr.strip() == "", built.stderr
    out = site / "output"
    for page in ("index.html", "articles/harbour-clock-stops/index.html", "entities/edith-pell/index.html",
                 "about/index.html", "claims/years-winding/index.html", "assets/style.css"):
        assert (out / page).is_file(), page
    checked = _run([installed / "dossier", "check", "--strict"], site)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("ok: ") and ", 0 warnings" in checked.stdout


def test_every_module_imports_in_the_installed_package(installed, tmp_path):
    # Catches a dependency that requirements.txt has and pyproject.toml lacks.
    code = ("import importlib, pkgutil, dossier\n"
            "for m in pkgutil.walk_packages(dossier.__path__, 'dossier.'):\n"
            "    if m.name != 'dossier.__main__': importlib.import_module(m.name)\n"
            "print('ok')")
    done = _run([installed / "python", "-c", code], _outside_repo(tmp_path))
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def test_installed_dossier_serves_a_page_and_its_css(installed, tmp_path):
    work = _outside_repo(tmp_path)
    assert _run([installed / "dossier", "new", "site"], work).returncode == 0
    proc = subprocess.Popen([str(installed / "dossier"), "serve", "--port", "0"], cwd=work / "site",
                            env=_clean_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = wait_for_match(proc, r"Serving (http://\S+)", 60).group(1)
        status, ctype, body = fetch(url + "articles/harbour-clock-stops/")
        assert (status, ctype) == (200, "text/html") and b"Harbour clock stops" in body
        css = [u for u in html_urls(body) if u.endswith(".css")]
        assert css, "the page links no stylesheet"
        status, ctype, body = fetch(urljoin(url + "articles/harbour-clock-stops/", css[0]))
        assert (status, ctype) == (200, "text/css") and body
        status, _, body = fetch(url + "_dossier/client.js")      # the preview client shipped too
        assert status == 200 and b"EventSource" in body
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
