"""pyproject.toml declares what the code needs: every third-party module `dossier/`
imports comes from a declared dependency, and the pins CI installs satisfy the ranges."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement

from dossier import __version__
from tests.helpers import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, Requirement]:
    return {canonical(r.name): r for r in map(Requirement, PROJECT["dependencies"])}


def imported_modules() -> set[str]:
    names = set()
    for path in (REPO_ROOT / "dossier").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "dossier"}


def test_every_imported_package_is_a_declared_dependency():
    providers = metadata.packages_distributions()
    deps = declared()
    missing = {m: providers.get(m) for m in imported_modules()
               if not any(canonical(d) in deps for d in providers.get(m, []))}
    assert missing == {}, "add these to [project] dependencies in pyproject.toml"


def test_the_pins_ci_installs_satisfy_the_declared_ranges():
    pins = {}
    for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            pins[canonical(req.name)] = next(iter(req.specifier)).version
    for name, req in declared().items():
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {req.specifier}"


def test_metadata_of_the_project():
    assert PROJECT["name"] == "dossier-ssg" and PROJECT["requires-python"] == ">=3.11"
    assert PROJECT["scripts"] == {"dossier": "dossier.cli:main"}
    assert PROJECT["dynamic"] == ["version"] and "version" not in PROJECT   # one source: dossier/__init__.py
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
