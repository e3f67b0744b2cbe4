"""A seeded mutation fuzzer over the seed archive (issue 10): whatever a file holds, the build
reports located errors or succeeds, never a traceback.  ``DOSSIER_FUZZ_CASES=2000`` runs more."""
from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from dossier.pipeline import Builder

REPO = Path(__file__).resolve().parents[2]
CASES = int(os.environ.get("DOSSIER_FUZZ_CASES", "30"))
LINE = re.compile(r"^[^\s:][^:]*(:[1-9]\d*)?: \S")
HOSTILE = ["\x00", "\x07", "\x1b", "\x85", "\u202e", "\u2066", "\ufeff", "\r", "\r\n", "\t", "---", "...", ":", ": ",
           "&a ", "*a", "!!python/object:os.system ", "{", "}", "[", "]", "[[", "]]", "|", ">", "> ", "- ", "#", "'",
           '"', "\\", "{.context}", "{#main}", "which=0", 'claim="x"', "value=", "…", "\u00ad", "\u200b", "é",
           "e\u0301", "𝔘", "\ud7ff", "<script>", "&amp;", "2023-02-30", "~", "null", "yes", "9" * 30, "x" * 300]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        i = rng.randint(0, len(text))
        j = min(len(text), i + rng.randint(0, 40))
        if op == 0:
            text = text[:i] + rng.choice(HOSTILE) + text[i:]
        elif op == 1:
            text = text[:i] + text[j:]
        elif op == 2:
            text = text[:i] + text[i:j] * rng.randint(2, 5) + text[j:]
        elif op == 3:
            lines = text.split("\n")
            k = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[k])
            text = "\n".join(lines)
        elif op == 4:
            text = text.replace("\n", rng.choice(["\r", "\r\n", "\n\n"]))
        else:
            text = text[:i] + rng.choice(HOSTILE) * rng.randint(50, 500) + text[i:]
    return text


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "archive"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def test_mutated_files_never_raise(archive, tmp_path):
    rng = random.Random(20231125)
    files = sorted(p for p in archive.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml"))
    builder = Builder(archive, tmp_path / "out", workers=1)
    seen_errors = 0
    for case in range(CASES):
        path = rng.choice(files)
        original = path.read_bytes()
        mutated = mutate(original.decode("utf-8"), rng)
        path.write_bytes(mutated.encode("utf-8", "surrogatepass"))
        try:
            result = builder.build(changed={path})
        except Exception as exc:  # pragma: no cover - the failure this test exists to catch
            raise AssertionError(f"case {case}: {path.relative_to(archive)} raised {exc!r}\n{mutated[:2000]!r}") from exc
        finally:
            path.write_bytes(original)
        for item in (*result.errors, *result.warnings):
            text = str(item)
            assert LINE.match(text) and "\n" not in text and len(text) < 600, (case, text[:700])
        assert result.ok == (not result.errors)
        seen_errors += bool(result.errors)
    builder.build(changed=set(files))
    assert seen_errors > CASES // 4  # the mutations do reach the validators
