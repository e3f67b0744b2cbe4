"""The README works as written: its links and file references lead to files of this
repository, and every command in its `sh` blocks is one that exists, with options
Dossier accepts. The workflows' comments name only files that exist."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from dossier import starter
from dossier.cli import _parser
from tests.helpers import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", REPO_ROOT / "benchmarks" / "README.md"]
DOC_IDS = [p.relative_to(REPO_ROOT).as_posix() for p in DOCS]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|href=\"([^\"]+)\"")
FILE_REF = re.compile(r"`((?:\.?[\w-]+/)+[\w.-]+\.(?:md|py|yml|toml|txt|js|css|html|sh))`")


def heading_anchors(text: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for title in re.findall(r"^#+ (.+)$", text, re.M):
        anchors.add(re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-"))
    return anchors


def prose(text: str) -> str:
    """The text outside fenced code blocks."""
    return re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_links_stay_in_the_repository_and_lead_somewhere(doc):
    text = doc.read_text(encoding="utf-8")
    anchors = heading_anchors(text)
    for m in LINK.finditer(prose(text)):
        target = m.group(1) or m.group(2)
        assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", target, re.I), f"{doc.name}: {target} leaves the repository"
        path, _, fragment = target.partition("#")
        if path:
            resolved = (doc.parent / path).resolve()
            assert resolved.is_relative_to(REPO_ROOT.resolve()), f"{doc.name}: {target} leaves the repository"
            assert resolved.exists(), f"{doc.name}: {target} does not exist"
        elif fragment:
            assert fragment in anchors, f"{doc.name}: no heading for #{fragment}"


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_files_the_text_names_exist(doc):
    text = prose(doc.read_text(encoding="utf-8"))
    assert "../" not in text, f"{doc.name} points outside the repository"
    for rel in FILE_REF.findall(text):
        assert (REPO_ROOT / rel).is_file() or (doc.parent / rel).is_file(), f"{doc.name}: `{rel}` does not exist"


def command_lines(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            while words:
                cut = words.index("&&") if "&&" in words else len(words)
                commands.append(words[:cut])
                words = words[cut + 1:]
    return commands


def dossier_accepts(args: list[str]) -> bool:
    if args in (["--version"], ["--help"], ["-h"]):
        return True
    if args and args[0].startswith("-"):
        args = ["build", *args]
    try:
        _parser().parse_args(args)
    except SystemExit:
        return False
    return True


def runs_args(args: list[str]) -> list[str]:
    """What `bash scripts/run ARGS` gives Dossier's parser (see scripts/run)."""
    if args and (not args[0].startswith("-") or args[0] in ("-h", "--help", "--version")):
        return args
    return ["serve", *args]


def command_problem(words: list[str]) -> str | None:
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", words[0]):
        words = words[1:]  # `NAME=value command`: the shell sets NAME for the command
    if not words:
        return "an environment setting without a command"
    head, args = words[0], words[1:]
    if head == "dossier":
        return None if dossier_accepts(args) else "dossier does not accept these arguments"
    if head == "bash":
        script = REPO_ROOT / args[0]
        if not script.is_file():
            return f"{args[0]} does not exist"
        if args[0] == "scripts/run" and not dossier_accepts(runs_args(args[1:])):
            return "scripts/run passes arguments Dossier does not accept"
        return None
    if head in ("python3", ".venv/bin/python"):
        if args[:2] in (["-m", "venv"], ["-m", "dossier"]) or (REPO_ROOT / args[0]).is_file():
            return None
        return f"{args[0]} does not exist"
    if head == "pip":
        return None if args[0] == "install" else "pip: only install"
    if head in ("cd", "."):
        return None
    return f"unknown command {head!r} (a fresh Debian has no `python`; say python3)"


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_every_command_in_a_sh_block_exists(doc):
    commands = command_lines(doc)
    assert commands
    problems = [f"{shlex.join(c)}: {command_problem(c)}" for c in commands if command_problem(c)]
    assert problems == []


def test_the_readme_starts_with_the_two_commands():
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"^```sh\n(.*?)^```", text, re.M | re.S).group(1)
    assert [shlex.split(line, comments=True) for line in first.splitlines()] == [
        ["bash", "scripts/run"], ["bash", "scripts/test"]]


def test_the_command_check_catches_mistakes():
    assert command_problem(["python", "build.py"])
    assert command_problem(["TMPDIR=/dev/shm", "python", "build.py"])
    assert command_problem(["TMPDIR=/dev/shm"])
    assert command_problem(["TMPDIR=/dev/shm", ".venv/bin/python", "benchmarks/nowhere.py"])
    assert command_problem(["TMPDIR=/dev/shm", ".venv/bin/python", "benchmarks/run.py"]) is None
    assert command_problem(["dossier", "build", "--port", "8001"])
    assert command_problem(["bash", "scripts/nothing"])
    assert command_problem(["bash", "scripts/run", "--strict"])
    assert not command_problem(["bash", "scripts/run", "--port", "8001"])


def comment_paths(path: Path) -> list[str]:
    comments = " ".join(re.findall(r"#\s(.*)$", path.read_text(encoding="utf-8"), re.M))
    comments = re.sub(r"\S+://\S+", " ", comments)
    return re.findall(r"(?<![\w./-])((?:\.?[\w-]+/)+[\w.-]*|[\w-]+\.(?:md|txt|py|toml|yml))(?![\w/])", comments)


def test_repository_workflow_comments_name_existing_files():
    workflow = REPO_ROOT / ".github" / "workflows" / "pages.yml"
    named = comment_paths(workflow)
    assert "scripts/test" in named and ".ci/run" in named
    made = {"output/", ".dossier-cache/"}  # what a build makes (git-ignored): named before it exists
    ignored = {line.strip("/") for line in (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").split()}
    assert {m.strip("/") for m in made} <= ignored
    assert [p for p in named if p not in made and not (REPO_ROOT / p).exists()] == []


def test_starter_workflow_comments_name_files_of_the_new_archive():
    files = starter.starter_files()
    folders = {str(Path(f).parent) + "/" for f in files} | {"output/", ".dossier-cache/"}  # the build makes these
    workflow = starter.ARCHIVE / "dot-github" / "workflows" / "pages.yml"
    named = comment_paths(workflow)
    assert "requirements.txt" in named
    assert [p for p in named if p not in files and p not in folders] == []


def test_starter_readme_commands_and_files():
    readme = starter.ARCHIVE / "README.md"
    commands = command_lines(readme)
    assert commands and [shlex.join(c) for c in commands if command_problem(c)] == []
    text = prose(readme.read_text(encoding="utf-8"))
    named = re.findall(r"`((?:\.?[\w-]+/)*[\w.-]+\.(?:md|txt|yml|yaml))`", text)
    assert ".github/workflows/pages.yml" in named and "requirements.txt" in named
    assert set(named) <= set(starter.starter_files())
