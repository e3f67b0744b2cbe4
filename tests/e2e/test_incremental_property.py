"""The preview's incremental builds equal a clean build, byte for byte, after any sequence of edits.

A hypothesis state machine edits a generated archive of 160 articles (over 200 pages, so the first
build forks the render pool, as the preview's does) that brings its own layouts, templates that
print every field of every record they receive, and assets. After every step the long-lived
builder's output is compared with a clean build into a fresh folder; at the start and every third
step, so is a build with the build cache (``dossier build``'s path: a new builder reading the cache
the last such build left on disk, several edits ago). Some steps are invalid
edits: that build must fail and leave the output exactly as it was, and the next valid step must
again equal a clean build. In some steps the search index and data the preview makes after a build's
pages (``BuildResult.later``) give way to a save at one of their check points (``dossier.giveway``): nothing of
them may reach the output, and the next step's build must make them (its output equals a clean build).

Bounded for CI: four derandomized examples of up to a dozen steps, not shrunk (well under a minute).
Run more with ``DOSSIER_PROPTEST_EXAMPLES=50 DOSSIER_PROPTEST_STEPS=30`` (random seeds and
shrinking then; pytest's ``--hypothesis-seed=N`` repeats one).

Every call into Dossier's build goes through ``pipeline_builds`` below.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path

import jinja2
import pytest
from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from dossier import giveway
from dossier.giveway import GaveWay
from dossier.outdir import MANIFEST
from dossier.pipeline import EXPORTED
from tests.helpers.archive_edits import EDITS, broken
from tests.helpers.archive_model import DEFAULT_LAYOUTS, generated
from tests.helpers.files import differences, tree

PREVIEW_WORKERS = 2  # the first build forks a pool of this many workers (the preview uses one per core)


def pipeline_builds(root: Path, out: Path) -> tuple[Callable, Callable, Callable]:
    """The one place this module touches Dossier's build API (so a refactor changes only this).

    Returns ``(preview, clean, cached)``: ``preview(changed, give_way=None)`` is the preview server's path
    (one long-lived builder; the first build, ``changed=None``, on the process pool, later ones in one
    process with the set of changed paths; see dossier/serve); ``clean(dest)`` builds ``root`` afresh into
    ``dest``; ``cached(dest)`` is ``dossier build``'s path: a new builder that reads the build
    cache of the last ``cached`` build from disk. All return a result with ``ok``, ``errors`` and
    ``written`` (paths in the output).
    """
    from dossier.pipeline import Builder, build_site

    builder = Builder(root, out, swap=False, preview=True, workers=PREVIEW_WORKERS)

    def preview(changed=None, give_way=None):
        try:
            result = builder.build() if changed is None else builder.build(changed=set(changed))
        finally:
            builder.workers = 1
        if result.ok and result.later is not None:  # the server's second step, once the pages are served
            # (``give_way``: asked at its check points; once true, it raises dossier.giveway.GaveWay)
            done = result.later() if give_way is None else result.later(give_way=give_way)
            result = replace(result, written=result.written + done.written, removed=result.removed + done.removed)
        return result

    preview.builder = builder  # the long-lived Builder itself, for tests that call it step by step

    def clean(dest: Path):
        return build_site(root, out=dest, workers=1)

    def cached(dest: Path):
        return Builder(root, dest, workers=1, cache=True).build()

    return preview, clean, cached


EXAMPLES = int(os.environ.get("DOSSIER_PROPTEST_EXAMPLES", "0"))
CACHED_EVERY = int(os.environ.get("DOSSIER_PROPTEST_CACHED_EVERY", "3"))  # steps between two cached builds
STEPS = int(os.environ.get("DOSSIER_PROPTEST_STEPS", "12"))


@contextmanager
def patched(obj, name: str, value) -> Iterator[None]:
    before = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, before)


_forks: list[int] = []  # while a build runs: one item per fork of this process (a render pool's worker)
os.register_at_fork(before=lambda: _forks and _forks.append(1))


def _counting_forks(build, changed) -> tuple:
    """``build(changed)`` and how many times it forked (seen from outside the pipeline)."""
    _forks[:] = [0]
    try:
        return build(changed), len(_forks) - 1
    finally:
        _forks.clear()


class Preview:
    """An archive on disk, the preview's builder over it, and what a clean build makes of it."""

    def __init__(self, tmp: Path, files: dict[str, str], *, pooled: bool = True) -> None:
        self.tmp, self.root, self.out = tmp, tmp / "archive", tmp / "out"
        self.disk: dict[str, str] = {}
        self.pending: set[Path] = set()  # paths of failed builds, handed to the next one (as the preview does)
        self.sync(files)
        self.preview, self.clean, self.cached = pipeline_builds(self.root, self.out)
        self.steps = 0
        first, forks = _counting_forks(self.preview, None)
        assert first.ok, [str(e) for e in first.errors]
        assert forks >= 1 or not pooled, "the first build forked no render pool: the test misses the preview's path"
        self.expect_clean(cached=True)

    def sync(self, files: dict[str, str]) -> set[Path]:
        """Make the archive on disk hold ``files``; the paths that changed (what the watcher reports)."""
        changed = set()
        for rel in sorted(set(files) | set(self.disk)):
            if files.get(rel) == self.disk.get(rel):
                continue
            path = self.root / rel
            if rel in files:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(files[rel], encoding="utf-8")
                self.disk[rel] = files[rel]
            else:
                path.unlink()
                del self.disk[rel]
            changed.add(path)
        return changed

    def build(self, changed: set[Path], give_way=None):
        """The preview's build of ``changed``, then its search index and data (which raise
        ``GaveWay`` once ``give_way()`` is true at one of their check points)."""
        try:
            result, forks = _counting_forks(partial(self.preview, give_way=give_way), changed | self.pending)
        except GaveWay:  # the build itself was good
            self.pending = set()
            raise
        assert forks == 0, "an incremental build forked (the preview's threads are running then)"
        self.pending = set() if result.ok else self.pending | changed
        return result

    def expect_clean(self, cached: bool = False) -> None:
        """The preview's output equals a clean build; with ``cached``, so does a build with the build
        cache (kept from the last such build, several edits ago)."""
        dest = self.tmp / "clean"
        shutil.rmtree(dest, ignore_errors=True)
        result = self.clean(dest)
        assert result.ok, [str(e) for e in result.errors]
        want = tree(dest)
        differ = differences(tree(self.out), want)
        assert not differ, f"the preview's output differs from a clean build in {len(differ)} files: {differ[:12]}"
        if cached:
            result = self.cached(self.tmp / "cached")
            assert result.ok, [str(e) for e in result.errors]
            differ = differences(tree(self.tmp / "cached"), want)
            assert not differ, f"the cached build differs from a clean build in {len(differ)} files: {differ[:12]}"

    def step(self, files: dict[str, str], extra: set[Path] = frozenset()):
        """Save ``files`` (and ``extra`` paths unchanged), build; the output must equal a clean build."""
        result = self.build(self.sync(files) | set(extra))
        assert result.ok, [str(e) for e in result.errors]
        self.steps += 1
        self.expect_clean(cached=self.steps % CACHED_EVERY == 0)  # a cached build costs CI time: now and then
        return result

    def step_giving_way(self, files: dict[str, str], at: int) -> None:
        """Save ``files`` and build; its search index and data give way to a save at their ``at``-th check
        point (each item of their loops is one here). If they did, nothing of them is in the output: it
        holds this build's pages and the last search index and data files as they were (the next build
        makes them); else the output equals a clean build."""
        exported = {p: d for p, d in tree(self.out).items() if p.startswith(EXPORTED)}
        asked = []
        try:
            with patched(giveway, "EVERY", 1):
                self.build(self.sync(files), give_way=lambda: asked.append(1) or len(asked) >= at)
        except GaveWay:
            pass
        else:
            assert len(asked) < at, "an update went on after it was told to give way"
            self.steps += 1
            self.expect_clean()
            return
        assert len(asked) == at
        dest = self.tmp / "clean"
        shutil.rmtree(dest, ignore_errors=True)
        assert self.clean(dest).ok
        got = tree(self.out)
        assert {p: d for p, d in got.items() if p.startswith(EXPORTED)} == exported, \
            "files of an update that gave way reached the output"
        differ = [p for p in differences(got, tree(dest)) if not p.startswith(EXPORTED) and p != MANIFEST]
        assert not differ, f"the pages of the build whose update gave way differ from a clean build's: {differ[:12]}"

    def invalid_step(self, files: dict[str, str]) -> None:
        """Save ``files``, which hold a mistake: the build fails and the output stays as it was."""
        before = tree(self.out)
        result = self.build(self.sync(files))
        assert not result.ok, "an invalid edit built"
        assert tree(self.out) == before, "a failed build changed the output folder"
        assert not self.clean(self.tmp / "clean-invalid").ok, "the clean build took the invalid edit"
        shutil.rmtree(self.tmp / "clean-invalid", ignore_errors=True)


class IncrementalMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="dossier-proptest-"))
        self.model = generated()
        self.archive = Preview(self.tmp, self.model.files())

    @rule(data=st.data())
    def one_edit(self, data) -> None:
        data.draw(st.sampled_from(EDITS), label="edit")(self.model, data)
        self.archive.step(self.model.files())

    @rule(data=st.data())
    def edits_in_one_save(self, data) -> None:  # the watcher's debounce hands several changes to one build
        for edit in data.draw(st.lists(st.sampled_from(EDITS), min_size=2, max_size=4), label="edits"):
            edit(self.model, data)
        self.archive.step(self.model.files())

    @rule(data=st.data())
    def save_unchanged(self, data) -> None:
        rel = data.draw(st.sampled_from(sorted(self.archive.disk)), label="file")
        path = self.archive.root / rel
        path.write_text(self.archive.disk[rel], encoding="utf-8")
        self.archive.step(self.model.files(), {path})

    @rule(data=st.data())
    def save_during_the_update(self, data) -> None:  # the next step's build makes its search index and data
        data.draw(st.sampled_from(EDITS), label="edit")(self.model, data)
        self.archive.step_giving_way(self.model.files(), data.draw(st.integers(1, 800), label="gives way at"))

    @rule(data=st.data())
    def invalid_edit(self, data) -> None:
        self.archive.invalid_step(broken(self.model, data))

    def teardown(self) -> None:
        if hasattr(self, "tmp"):
            shutil.rmtree(self.tmp, ignore_errors=True)


IncrementalMachine.TestCase.settings = settings(
    max_examples=EXAMPLES or 4, stateful_step_count=STEPS, deadline=None, derandomize=not EXAMPLES,
    database=None, phases=tuple(Phase) if EXAMPLES else (Phase.explicit, Phase.generate),  # no shrinking in CI: bounded
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@pytest.mark.timeout(300)  # about 45 s on a busy 2-core machine; the margin is for slower CI runners
class TestIncrementalEqualsCleanBuild(IncrementalMachine.TestCase):
    pass


# -- named regressions, on the small archive of tests/e2e/test_incremental.py -------------------

def small_archive(**layouts: str) -> dict[str, str]:
    from tests.e2e.test_incremental import FILES

    return {**FILES, **{f"layouts/{rel}": text for rel, text in layouts.items()}}


def save_under_own_macros(tmp: Path, old: str, new: str, rel: str, edit: Callable[[str], str]) -> None:
    """An archive whose ``_macros.html`` is the default theme's with ``old`` printed as ``new`` (a theme
    that shows a little more); after one save of ``rel`` (``edit`` of its text, '' for a new file)
    the preview's output must equal a clean build."""
    macros = (DEFAULT_LAYOUTS / "_macros.html").read_text(encoding="utf-8")
    assert old in macros
    files = small_archive(**{"_macros.html": macros.replace(old, new, 1)})
    preview = Preview(tmp, files, pooled=False)
    files[rel] = edit(files.get(rel, ""))
    preview.step(files)


def test_list_template_printing_tags_is_not_stale(tmp_path):
    """A list item that shows the article's tags; one article's tags change. Before the fix: articles
    two, three, four (other coverage), entities/daily, outlets and tags/army differ."""
    save_under_own_macros(tmp_path, "{{ a.title }}</a>", '{{ a.title }}</a> <span>{{ a.tags|join(" ") }}</span>',
                          "content/articles/one.md", lambda t: t.replace("tags: [army]", "tags: [army, navy]"))


def test_list_template_printing_note_count_is_not_stale(tmp_path):
    """A list item that says how many notes an article has; a listed article gets its first note.
    Before the fix: the pages listing it (other coverage, its outlet, outlets) differ."""
    save_under_own_macros(tmp_path, "{{ a.title }}</a>", "{{ a.title }}</a> <span>{{ note_count(a) }}</span>",
                          "content/annotations/three.md", lambda t: "> Braverman announced a review\n\nWhich?\n")


def test_entity_chip_printing_same_as_is_not_stale(tmp_path):
    """An entity chip that also shows where else the entity is described; one entity gains a same_as
    link. Before the fix: the articles naming it (their "In this report" chips) differ."""
    save_under_own_macros(tmp_path, "{{ e.name }}", '{{ e.name }} <span>{{ e.same_as|join(" ") }}</span>',
                          "content/entities/people/mark-rowley.md",
                          lambda t: t.replace("aliases: [Rowley]\n", "aliases: [Rowley]\nsame_as: [https://ref.example/r]\n"))


def test_asset_edit_writes_one_file(tmp_path):
    files = small_archive(**{"assets/extra.css": "a { color: red; }\n", "assets/style.css": "body { margin: 0; }\n"})
    preview = Preview(tmp_path, files, pooled=False)
    for rel in ("layouts/assets/extra.css", "layouts/assets/style.css"):  # an asset of its own, one over the theme's
        files[rel] += "p { margin: 1em; }\n"
        assert preview.step(files).written == (rel[len("layouts/"):],)


def test_asset_edit_renders_no_page(tmp_path, monkeypatch):
    files = small_archive(**{"assets/extra.css": "a { color: red; }\n"})
    preview = Preview(tmp_path, files, pooled=False)
    renders = []
    render = jinja2.Template.render
    monkeypatch.setattr(jinja2.Template, "render", lambda self, *a, **kw: renders.append(self.name) or render(self, *a, **kw))
    files["content/articles/five.md"] += "\nA new closing line.\n"
    preview.step(files)
    assert renders, "no page rendered for a body edit: this test cannot see renders"
    renders.clear()
    files["layouts/assets/extra.css"] += "p { margin: 1em; }\n"
    result = preview.build(preview.sync(files))  # the preview's build alone: the clean build renders, of course
    assert renders == []
    assert result.ok and result.written == ("assets/extra.css",)
    preview.expect_clean()
