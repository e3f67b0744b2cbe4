"""Two builds of the same sources are byte-identical: into different folders, under
different hash seeds, and with the process pool (workers=2) or without (workers=1)."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from dossier import pool
from dossier.pipeline import build_site
from dossier.pool import PARALLEL_MIN
from tests.helpers.files import tree

REPO = Path(__file__).resolve().parents[2]


def assert_same_tree(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    differ = [k for k in ta if ta[k] != tb[k]]
    assert not differ, f"{len(differ)} files differ, e.g. {differ[:5]}"


def test_seed_builds_twice_identically(seed_build, tmp_path, repo_root):
    _result, first = seed_build
    again = build_site(repo_root, out=tmp_path / "again")
    assert again.ok
    assert_same_tree(first, tmp_path / "again")


def test_seed_is_identical_under_other_hash_seeds(seed_build, tmp_path, repo_root):
    _result, first = seed_build
    for seed in ("1", "4242"):
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}, "PYTHONHASHSEED": seed}
        out = tmp_path / f"seed{seed}"
        done = subprocess.run([sys.executable, "build.py", "build", "--root", str(repo_root), "--out", str(out)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert_same_tree(first, out)


FIRST = ["Alex", "Sam", "Jo", "Chris", "Pat", "Lee", "Robin", "Kim", "Dana", "Morgan", "Ash", "Rowan"]
LAST = ["Hartley", "Okafor", "Nguyen", "Barros", "Kowalski", "Lindqvist", "Mensah", "Castell", "Duval", "Ibarra",
        "Fairweather", "Quist", "Oduya", "Pereira"]
FILLER = ("officers said the decision was difficult and the force would review its guidance while the public "
          "waited for answers about armed policing in the capital").split()
SHARED = ("A spokesperson said the force had a significant firearms capability and continued to have armed "
          "officers deployed in communities across the city.")


def generate(root: Path, n_articles: int = 300, n_people: int = 170) -> Path:
    rng = random.Random(20230925)
    files = {"site.yaml": "title: Generated archive\nbase_url: https://example.org/archive/\n"}
    outlets = [f"outlet-{i}" for i in range(6)]
    for i, o in enumerate(outlets):
        files[f"content/entities/outlets/{o}.md"] = f"---\nname: Outlet {i} News\ntype: outlet\n---\n"
    people = []
    for i in range(n_people):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        name, alias = f"{first} {last} {i}", f"{last}{i}"
        people.append((f"person-{i}", name, alias))
        files[f"content/entities/people/person-{i}.md"] = (
            f'---\nname: "{name}"\ntype: person\naliases: ["{alias}"]\ndescription: Person number {i}.\n---\n'
            f"Notes on {name}; see [[person-{(i + 1) % n_people}]].\n")
    for i in range(n_articles):
        cast = rng.sample(people, 4)
        paras = []
        for p in range(4):
            words = rng.choices(FILLER, k=rng.randint(12, 30))
            slug, name, alias = cast[p]
            words.insert(rng.randint(0, len(words)), name if p % 2 else alias)
            paras.append(" ".join(words).capitalize() + ".")
        if i % 7 == 0:
            paras.append(SHARED)  # in more than six articles: boilerplate, ignored
        if i % 50 == 1:
            paras.append(f"Article {i} shares this sentence with the next one, word for word, as agencies do.")
        if i % 50 == 2:
            paras.append(f"Article {i - 1} shares this sentence with the next one, word for word, as agencies do.")
        if i % 3 == 0:
            paras[1] += f" See also [[article-{(i + 1) % n_articles:03d}]] and the footnote.[^1]\n\n[^1]: Footnote {i}."
        day = 1 + i % 28
        files[f"content/articles/article-{i:03d}.md"] = (
            f"---\ntitle: Report number {i}\noutlet: {outlets[i % len(outlets)]}\npublished: 2023-09-{day:02d}\n"
            f"story: story-{i % 3}\ntags: [tag-{i % 5}, tag-{i % 11}]\n---\n" + "\n\n".join(paras) + "\n")
        if i % 4 == 0:
            quote = " ".join(paras[0].split()[2:7])
            files[f"content/annotations/article-{i:03d}.md"] = (
                f'{{.discrepancy claim="claim-{i % 3}" value="v{i}"}}\n> {quote}\n\nAbout {cast[1][1]}.\n')
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "archive")


def test_process_pool_output_equals_single_process(generated, tmp_path):
    articles = len(list((generated / "content" / "articles").glob("*.md")))
    assert articles >= 2 * PARALLEL_MIN  # large enough for the pool path
    one = build_site(generated, out=tmp_path / "one", workers=1)
    assert one.ok, [str(e) for e in one.errors]
    two = build_site(generated, out=tmp_path / "two", workers=2)
    assert two.ok, [str(e) for e in two.errors]
    assert one.pages == two.pages >= articles + 170
    assert_same_tree(tmp_path / "one", tmp_path / "two")
    # The archive really exercises the features whose output could vary.
    page = (tmp_path / "one" / "articles" / "article-000" / "index.html").read_text(encoding="utf-8")
    assert 'class="m"' in page and "<mark" in page and 'class="sidenote' in page
    assert (tmp_path / "one" / "claims" / "claim-0" / "index.html").is_file()
    shared = (tmp_path / "one" / "articles" / "article-001" / "index.html").read_text(encoding="utf-8")
    assert "k-shared" in shared


def test_serial_fallback_without_fork_equals_the_pool(generated, tmp_path, monkeypatch):
    """Where ``fork`` is missing (macOS, Windows) the tasks run in this process: same bytes."""
    forks = []
    real = pool.mp.get_context
    monkeypatch.setattr(pool.mp, "get_context", lambda *a: forks.append(a) or real(*a))
    two = build_site(generated, out=tmp_path / "pool", workers=2)
    assert two.ok and forks, "the pool path was not taken"
    monkeypatch.setattr(pool, "fork_available", lambda: False)
    forks.clear()
    serial = build_site(generated, out=tmp_path / "serial", workers=2)
    assert serial.ok and not forks, "the fallback still forked"
    assert_same_tree(tmp_path / "pool", tmp_path / "serial")
