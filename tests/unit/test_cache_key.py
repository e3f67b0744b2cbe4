"""The build cache's key names the versions of the libraries that shape the output, read from their
``.dist-info`` folders' names (``cache._versions``) as ``importlib.metadata`` would give them."""
from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import dossier.cache
from dossier.cache import LIBRARIES, _versions, cache_key
from tests.helpers import REPO_ROOT


def test_the_versions_are_those_importlib_metadata_gives():
    assert _versions(LIBRARIES) == {n: metadata.version(n) for n in LIBRARIES}


def _dist(folder, name: str, version: str, kind: str = "dist-info") -> None:
    info = folder / f"{name}-{version}.{kind}"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")


def test_a_folder_first_on_the_path_gives_its_version_and_another_key(tmp_path, monkeypatch):
    before = cache_key()
    _dist(tmp_path, "Jinja2", "9.9.9")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert _versions(["jinja2", "mdurl"]) == {"jinja2": "9.9.9", "mdurl": metadata.version("mdurl")}
    assert metadata.version("jinja2") == "9.9.9"
    assert cache_key() != before


def test_what_a_folders_name_cannot_tell_is_asked_of_importlib(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(dossier.cache, "_version", lambda n: asked.append(n) or "asked")
    two, egg = tmp_path / "two", tmp_path / "egg"
    two.mkdir()
    egg.mkdir()
    _dist(two, "jinja2", "1.0")
    _dist(two, "jinja2", "2.0")
    _dist(egg, "mdurl", "0.0.1-py3.11", "egg-info")
    monkeypatch.setattr(sys, "path", [str(two), str(egg), *sys.path])
    assert _versions(["jinja2", "mdurl", "no-such-library"]) == {"jinja2": "asked", "mdurl": "asked",
                                                                  "no-such-library": "asked"}
    assert asked == ["jinja2", "mdurl", "no-such-library"]


def test_a_cached_builds_start_does_not_import_importlib_metadata(tmp_path):
    code = ("import sys; from pathlib import Path; import dossier.cli; from dossier.cache import Cache; "
            f"Cache(Path({str(tmp_path)!r})); print('importlib.metadata' in sys.modules, 'email' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
