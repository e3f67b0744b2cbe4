"""`dossier new DIR`: a starter archive that builds clean, written only into a new or empty folder."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from dossier import __version__, starter
from dossier.config import SiteConfig
from dossier.pipeline import build_site
from tests.helpers import REPO_ROOT, vnu

STARTER_FILES = {
    ".github/workflows/pages.yml", ".gitignore", "README.md", "requirements.txt", "site.yaml",
    "content/articles/harbour-clock-stops.md", "content/annotations/harbour-clock-stops.md",
    "content/entities/outlets/saltmarsh-courier.md", "content/entities/people/edith-pell.md",
    "content/entities/places/saltmarsh-bay.md", "content/pages/about.md",
}


def dossier(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO_ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def new_site(tmp_path) -> Path:
    done = dossier("new", "deep/site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created a new archive in deep/site/ (11 files)")
    return tmp_path / "deep" / "site"


def test_new_writes_the_starter_into_a_new_folder(new_site, tree):
    assert set(tree(new_site)) == STARTER_FILES
    assert not any(p.name.startswith("dot-") for p in new_site.rglob("*"))


def test_new_accepts_an_empty_folder(tmp_path, tree):
    (tmp_path / "empty").mkdir()
    done = dossier("new", "empty", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert set(tree(tmp_path / "empty")) == STARTER_FILES


@pytest.mark.parametrize("existing", [{"notes.txt": b"mine"}, {".git/HEAD": b"ref: refs/heads/main\n"},
                                      {"site.yaml": b"title: Mine\n", "content/articles/a.md": b"x"}])
def test_new_refuses_a_non_empty_folder_and_changes_nothing(tmp_path, existing, tree):
    target = tmp_path / "archive"
    for rel, data in existing.items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(data)
    before = tree(target)
    done = dossier("new", str(target), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {target} is not empty; dossier new writes only into a new or empty folder"]
    assert tree(target) == before


def test_new_refuses_a_file(tmp_path):
    (tmp_path / "taken").write_text("mine")
    done = dossier("new", "taken", cwd=tmp_path)
    assert (done.returncode, done.stderr.splitlines()) == (1, ["error: taken exists and is not a folder"])
    assert (tmp_path / "taken").read_text() == "mine"


def test_starter_builds_with_no_error_and_no_warning_under_strict(new_site):
    result = build_site(new_site, out=new_site / "output", strict=True, workers=1)
    assert list(result.errors) == [] and list(result.warnings) == []
    assert result.pages >= 10
    done = dossier("check", "--strict", cwd=new_site)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith("ok: ") and done.stdout.rstrip().endswith(", 0 warnings")


def test_starter_shows_every_annotation_kind_and_a_claim(new_site):
    result = build_site(new_site, out=new_site / "output", workers=1)
    page = (new_site / "output" / "articles" / "harbour-clock-stops" / "index.html").read_text()
    kinds = set(re.findall(r'<mark class="k-(\w+)"', page))
    assert kinds == {"note", "context", "correction", "discrepancy"}
    assert (new_site / "output" / "claims" / "years-winding" / "index.html").is_file()
    assert result.ok


def test_starter_site_yaml_comments_every_key():
    text = (starter.ARCHIVE / "site.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    keys = [f.name for f in fields(SiteConfig)]
    for key in keys:
        at = [i for i, line in enumerate(lines) if re.match(rf"^(# )?{key}: ", line)]
        assert len(at) == 1, f"site.yaml should show '{key}' once"
        above = lines[at[0] - 1]
        assert above.startswith("# ") and not any(above.startswith(f"# {k}: ") for k in keys), f"'{key}' has no comment above it"


def test_starter_base_url_is_absolute():
    # The sitemap and the feed need an origin; the starter has one (and says to change it).
    config = (starter.ARCHIVE / "site.yaml").read_text(encoding="utf-8")
    assert re.search(r"^base_url: https://\S+/$", config, re.M)


def test_starter_output_is_valid_html(new_site):
    vnu.require()
    build_site(new_site, out=new_site / "output", workers=1)
    errors = vnu.validate(new_site / "output")
    assert errors == [], "\n".join(vnu.format_error(e, relative_to=new_site / "output") for e in errors)


def _fake_install(monkeypatch, direct_url: dict | None):
    class Dist:
        def read_text(self, name):
            assert name == "direct_url.json"
            return None if direct_url is None else json.dumps(direct_url)

    monkeypatch.setattr(starter.metadata, "distribution", lambda name: Dist())


def test_requirements_pin_the_git_commit_dossier_was_installed_from(monkeypatch):
    _fake_install(monkeypatch, {"url": "https://user:token@github.com/owner/dossier",
                                "vcs_info": {"vcs": "git", "commit_id": "0" * 40}})
    lines = starter.requirements_text().splitlines()
    assert lines[-1] == f"dossier-ssg @ git+https://github.com/owner/dossier@{'0' * 40}"
    assert "token" not in starter.requirements_text()


@pytest.mark.parametrize("direct_url", [None, {"url": "file:///srv/editor/dossier", "dir_info": {}},
                                        {"url": "file:///tmp/dossier_ssg-0.1.0-py3-none-any.whl",
                                         "archive_info": {}}])
def test_requirements_fall_back_to_the_version(monkeypatch, direct_url):
    _fake_install(monkeypatch, direct_url)
    text = starter.requirements_text()
    assert text.splitlines()[-1] == f"dossier-ssg=={__version__}"
    assert "# dossier-ssg @ git+https://github.com/OWNER/REPO@" in text   # and says what else to write


def test_new_from_the_source_checkout_names_the_version(new_site):
    lines = (new_site / "requirements.txt").read_text().splitlines()
    assert lines[-1] == f"dossier-ssg=={__version__}" or lines[-1].startswith("dossier-ssg @ ")


def test_python_m_dossier_and_version(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dossier", "--version"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, f"dossier {__version__}\n")
    assert dossier("--version", cwd=tmp_path).stdout == f"dossier {__version__}\n"


@pytest.mark.parametrize("existed", [False, True])
def test_a_failed_new_takes_back_what_it_wrote_and_nothing_else(tmp_path, monkeypatch, capsys, existed):
    target = tmp_path / "site"
    if existed:
        target.mkdir()
    too_long = "n" * 300   # no file system takes a name this long
    monkeypatch.setattr(starter, "starter_files",
                        lambda: {"content/a.md": b"a", "content/pages/b.md": b"b", f"content/{too_long}": b"c"})
    assert starter.create_archive(target) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: cannot write the new archive: ") and "Traceback" not in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == (["site"] if existed else [])
    assert not existed or list(target.iterdir()) == []
