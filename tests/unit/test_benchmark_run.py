"""benchmarks/run.py: every tool's run starts the same way, and the tools' runs alternate."""
from __future__ import annotations

import argparse
import importlib.util
import sys

from tests.conftest import REPO_ROOT

BENCH = REPO_ROOT / "benchmarks"


def _run_module():
    if "bench_run_under_test" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_run_under_test", BENCH / "run.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["bench_run_under_test"] = module
    return sys.modules["bench_run_under_test"]


def test_a_run_starts_without_its_output_and_with_its_inputs_as_they_were(tmp_path, monkeypatch):
    run = _run_module()
    synced = []
    monkeypatch.setattr(run.os, "sync", lambda: synced.append(True))  # the machine's whole disk: not in a test
    root = tmp_path / "archive"
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "articles" / "a.md").write_text("---\ntitle: A\n---\nText.\n")
    (root / "site.yaml").write_text("title: T\n")
    out = root / "output"
    (out / "articles" / "a").mkdir(parents=True)
    (out / "articles" / "a" / "index.html").write_text("old")
    (root / "hugo_cache").mkdir()
    monkeypatch.setattr(run, "ASIDE", tmp_path / "aside")
    run.same_start("build", root, out, None)
    assert synced == [True]
    assert not out.exists() and not (root / "hugo_cache").exists()
    # set aside, not deleted: files freed a moment before make a new file dearer to create on ext4
    assert [p.read_text() for p in (tmp_path / "aside").glob("*/output/articles/a/index.html")] == ["old"]
    run.clear_aside()
    assert not (tmp_path / "aside").exists()
    assert (root / "content" / "articles" / "a.md").read_text() == "---\ntitle: A\n---\nText.\n"
    assert (root / "site.yaml").read_text() == "title: T\n"
    read = run.warm_inputs("build", root, None)
    assert root / "content" in read and root / "site.yaml" in read
    assert any(p.name == "jinja2" for p in read) and any(p.name == "markdown_it" for p in read)


def test_the_tools_runs_alternate_round_by_round(tmp_path, monkeypatch):
    run = _run_module()
    calls, reported = [], []
    monkeypatch.setattr(run, "ensure_archive", lambda n, seed, force=False: tmp_path)
    monkeypatch.setattr(run, "measure", lambda mode, root, out, workers, hugo=None: calls.append(mode) or {"mode": mode})
    monkeypatch.setattr(run, "report", lambda title, runs, n: reported.append([r["mode"] for r in runs]) or runs[0])
    monkeypatch.setattr(run.compare, "print_size", lambda best: None)
    monkeypatch.setattr(run, "ASIDE", tmp_path / "aside")
    args = argparse.Namespace(seed=1, regenerate=False, no_build=False, no_floor=False, cli=False, workers=None,
                              repeat=3, keep=False, no_bare=False)
    best = run.run_size(1000, args, None)
    assert calls == ["build", "bare", "baseline"] * 3
    assert reported == [["build"] * 3, ["bare"] * 3, ["baseline"] * 3]
    assert best["dossier"] == {"mode": "build"} and best["floor"] == {"mode": "baseline"}
    assert best["bare"] == {"mode": "bare"}


def test_dossiers_modules_are_compiled_before_anything_is_timed(tmp_path):
    run = _run_module()
    (tmp_path / "dossier").mkdir()
    (tmp_path / "dossier" / "__init__.py").write_text("")
    (tmp_path / "dossier" / "stage.py").write_text("X = 1\n")
    run.compiled(tmp_path)
    cached = {p.name.split(".")[0] for p in (tmp_path / "dossier" / "__pycache__").glob("*.pyc")}
    assert cached == {"__init__", "stage"}


def test_the_measured_process_builds_and_imports_nothing_of_the_benchmarks_own(tmp_path):
    """benchmarks/child.py is the process run.py times: a build through build_site, its report in a
    JSON file, and none of run.py's own modules (PyYAML for the Hugo copy, argparse) imported."""
    import json
    import os
    import subprocess

    result = tmp_path / "result.json"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    probe = (f"import runpy, sys; runpy.run_path({str(BENCH / 'child.py')!r}); import dossier.pipeline; "
             "print(sorted(m for m in ('yaml', 'argparse', 'run') if m in sys.modules))")
    imported = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"
    subprocess.run([sys.executable, str(BENCH / "child.py"), "build", str(REPO_ROOT), str(tmp_path / "out"),
                    str(result), "1"], env=env, check=True, timeout=300)
    report = json.loads(result.read_text())
    assert report["ok"] and report["pages"] == sum(1 for _ in (tmp_path / "out").rglob("*.html"))
    assert set(report["timings"]) >= {"load", "articles", "write"}


def _child_build(tmp_path, mode: str) -> dict:
    import json
    import os
    import subprocess

    out, result = tmp_path / mode, tmp_path / f"{mode}.json"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    subprocess.run([sys.executable, str(BENCH / "child.py"), mode, str(REPO_ROOT), str(out), str(result)],
                   env=env, check=True, timeout=300)
    return json.loads(result.read_text())


def test_a_build_without_the_exports_makes_every_page_alike_and_no_search_or_data(tmp_path):
    """bare.py: what run.py measures the exports' real cost against is the same build, less them."""
    full, bare = _child_build(tmp_path, "build"), _child_build(tmp_path, "bare")
    assert full["ok"] and bare["ok"]
    assert {"search index", "open data"} <= set(full["timings"])
    assert not {"search index", "open data", "exports in workers"} & set(bare["timings"])

    def files(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    made, without = files(tmp_path / "build"), files(tmp_path / "bare")
    exported = {p for p in made if p.startswith(("search/", "data/"))}
    assert exported and not any(p.startswith(("search/", "data/")) for p in without)
    differ = {p for p in without if made.get(p) != without[p]}
    assert differ == {".dossier-manifest.json", "sitemap.xml"}  # they list the search and data files
    assert set(made) - exported == set(without)
