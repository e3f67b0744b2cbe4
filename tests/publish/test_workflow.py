"""The GitHub Pages workflow lints clean and has the shape Pages deployments need."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO_ROOT
from tests.helpers.actionlint import findings_report, run_actionlint

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pages.yml"
# The workflow `dossier new` writes into a new archive: the same shape, with an installed dossier.
STARTER_WORKFLOW = REPO_ROOT / "dossier" / "starter" / "archive" / "dot-github" / "workflows" / "pages.yml"
BOTH = pytest.mark.parametrize("path", [WORKFLOW, STARTER_WORKFLOW], ids=["repository", "starter"])


def load_workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the bare key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def workflow() -> dict:
    return load_workflow(WORKFLOW)


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).split("@")[0] == action]


def one_step(job: dict, action: str) -> dict:
    found = steps_using(job, action)
    assert len(found) == 1, f"expected exactly one {action} step, found {len(found)}"
    return found[0]


def major(step: dict) -> int:
    ref = step["uses"].split("@", 1)[1]
    m = re.fullmatch(r"v(\d+)(\.\d+)*", ref)
    assert m, f"{step['uses']}: pin a release tag such as @v5"
    return int(m.group(1))


@BOTH
def test_actionlint_finds_nothing(path):
    findings = run_actionlint(path)
    assert findings == [], "actionlint:\n" + findings_report(findings)


def test_actionlint_is_really_checking(tmp_path):
    # Guard against a linter that silently accepts anything.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/setup-python@v5\n        with:\n          python-verison: '3.11'\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    messages = " ".join(f["message"] for f in run_actionlint(bad))
    assert "python-verison" in messages and "nope" in messages, messages


@BOTH
def test_triggers(path):
    on = load_workflow(path)["on"]
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    assert set(on) == {"push", "workflow_dispatch"}


@BOTH
def test_permissions_and_concurrency(path):
    workflow = load_workflow(path)
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_build_job(workflow):
    build = workflow["jobs"]["build"]
    steps = build["steps"]
    checkout = one_step(build, "actions/checkout")
    setup = one_step(build, "actions/setup-python")
    configure = one_step(build, "actions/configure-pages")
    upload = one_step(build, "actions/upload-pages-artifact")
    assert major(checkout) >= 4 and major(setup) >= 5 and major(configure) >= 5 and major(upload) >= 3

    assert str(setup["with"]["python-version"]) == "3.11"
    assert setup["with"]["cache"] == "pip"
    assert "requirements" in setup["with"]["cache-dependency-path"]

    runs = [s.get("run", "") for s in steps]
    order = {name: i for i, name in enumerate(s.get("uses", s.get("run", "")) for s in steps)}

    install = [i for i, r in enumerate(runs) if "pip install -r requirements-dev.txt" in r]
    tests = [i for i, r in enumerate(runs) if "pytest" in r or "scripts/test" in r]
    builds = [i for i, r in enumerate(runs) if "build.py build" in r]
    assert install and tests and len(builds) == 1
    assert install[0] < tests[0] < builds[0], "install, then test, then build"

    assert configure.get("id") == "pages"
    assert order[configure["uses"]] < builds[0], "configure-pages must run before the build to give base_url"
    build_cmd = runs[builds[0]]
    # configure-pages' base_url has no trailing slash; the build wants one.
    assert '--base-url "${{ steps.pages.outputs.base_url }}/"' in build_cmd

    assert upload["with"]["path"] == "output"
    # upload-pages-artifact skips dotfiles unless told otherwise; .nojekyll must ship
    assert upload["with"].get("include-hidden-files") is True
    assert order[upload["uses"]] > builds[0]


@BOTH
def test_deploy_job(path):
    deploy = load_workflow(path)["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    step = one_step(deploy, "actions/deploy-pages")
    assert step.get("id") == "deployment"
    assert major(step) >= 4


def test_vnu_pin_matches_scripts_test():
    script = (REPO_ROOT / "scripts" / "test").read_text(encoding="utf-8")
    pinned = re.search(r'^VNU_VERSION="([^"]+)"', script, re.M)
    assert pinned, "scripts/test should pin VNU_VERSION"
    text = WORKFLOW.read_text(encoding="utf-8")
    in_workflow = re.findall(r"vnu-jar@([\w.-]+)", text)
    assert in_workflow and set(in_workflow) == {pinned.group(1)}


def test_starter_build_job_installs_dossier_from_the_archives_requirements():
    build = load_workflow(STARTER_WORKFLOW)["jobs"]["build"]
    setup = one_step(build, "actions/setup-python")
    assert setup["with"]["cache-dependency-path"] == "requirements.txt"   # written by `dossier new`
    runs = [s.get("run", "") for s in build["steps"]]
    names = [s.get("uses", s.get("run", "")) for s in build["steps"]]
    install = runs.index("python -m pip install -r requirements.txt")
    (built,) = [i for i, r in enumerate(runs) if r.startswith("dossier build")]
    assert runs[built] == 'dossier build --base-url "${{ steps.pages.outputs.base_url }}/"'
    configure = one_step(build, "actions/configure-pages")
    upload = one_step(build, "actions/upload-pages-artifact")
    assert install < names.index(configure["uses"]) < built < names.index(upload["uses"])
    assert upload["with"] == {"path": "output", "include-hidden-files": True}
    assert not any("requirements-dev" in r or "build.py" in r or "pytest" in r for r in runs)


@BOTH
def test_build_job_restores_and_saves_the_build_cache(path):
    """The build cache and the output it describes are kept between runs (one actions/cache step
    saves them after the job); a run of another commit starts from the newest one (restore-keys)."""
    steps = load_workflow(path)["jobs"]["build"]["steps"]
    cache = one_step({"steps": steps}, "actions/cache")
    assert major(cache) >= 4
    assert set(cache["with"]["path"].split()) == {".dossier-cache", "output"}
    assert "${{ github.sha }}" in cache["with"]["key"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"].strip())
    names = [s.get("name") for s in steps]
    assert names.index(cache["name"]) < names.index("Build")
