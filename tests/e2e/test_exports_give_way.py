"""The preview's search index and data give way to a save (``dossier.giveway``): stopped at any check point,
they leave the output folder and the session's memory of them as they were, and the next build makes them,
equal to a clean build's. (The property test, ``test_incremental_property``, draws where they stop among
random edits; these are the named cases.)"""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier import giveway
from dossier.giveway import GaveWay
from dossier.pipeline import EXPORTED
from tests.e2e.test_incremental_property import Preview, patched, small_archive
from tests.helpers.files import tree

ARTICLE = "content/articles/five.md"
ASSET = "layouts/assets/extra.css"


def _archive(tmp_path: Path) -> tuple[Preview, dict]:
    files = small_archive(**{"assets/extra.css": "a { color: red; }\n"})
    return Preview(tmp_path, files, pooled=False), files


def _memory(preview: Preview) -> tuple:
    """What the session remembers of the exports, compared by value (the search State by identity)."""
    m = preview.preview.builder.session.exports
    return dict(m.words), id(m.search), dict(m.data), dict(m.pending), set(m.checked)


def _questions(preview: Preview, files: dict, line: str) -> int:
    """How many times a whole update asks whether to give way (each item of its loops one), after an edit."""
    asked: list = []
    files[ARTICLE] += line
    with patched(giveway, "EVERY", 1):
        preview.build(preview.sync(files), give_way=lambda: asked.append(1) and False)
    preview.expect_clean()
    return len(asked)


def _next_build(preview: Preview, files: dict, kind: str):
    """The build after the one whose update gave way: another edit, a save of the same bytes, an asset."""
    if kind == "edit":
        files[ARTICLE] += "A third line names no one either.\n"
        return preview.build(preview.sync(files))
    if kind == "same bytes":
        path = preview.root / ARTICLE
        path.write_text(files[ARTICLE], encoding="utf-8")
        return preview.build({path})
    files[ASSET] += "p { margin: 1em; }\n"
    return preview.build(preview.sync(files))


@pytest.fixture
def preview(tmp_path):
    return _archive(tmp_path)


@pytest.mark.parametrize(("where", "kind"), [(0.0, "edit"), (0.3, "same bytes"), (0.5, "asset"), (0.7, "edit"),
                                           (1.0, "same bytes"), (1.0, "asset")])
def test_an_update_that_gave_way_leaves_no_trace_and_the_next_build_makes_it(preview, where, kind):
    preview, files = preview
    total = _questions(preview, files, "A first line names no one.\n")
    assert total > 50, "too few check points for this test to place one"
    at = max(1, round(where * total))  # 1.0: the last question, just before the files would move in
    exported = {p: d for p, d in tree(preview.out).items() if p.startswith(EXPORTED)}
    files[ARTICLE] += "A second line names no one.\n"  # the same length as the first: as many questions
    result = preview.preview.builder.build(changed=preview.sync(files))  # its pages only: the update is below
    assert result.ok and result.later is not None
    remembered = _memory(preview)
    before = tree(preview.out)
    asked: list = []
    with patched(giveway, "EVERY", 1), pytest.raises(GaveWay):
        result.later(give_way=lambda: asked.append(1) or len(asked) >= at)
    assert len(asked) == at
    assert tree(preview.out) == before, "files of an update that gave way reached the output"
    assert {p: d for p, d in before.items() if p.startswith(EXPORTED)} == exported
    assert _memory(preview) == remembered, "an update that gave way changed what the session remembers"
    assert preview.preview.builder.session.behind
    again = _next_build(preview, files, kind)
    assert again.ok, [str(e) for e in again.errors]
    assert not preview.preview.builder.session.behind
    preview.expect_clean()


def test_an_asset_edit_after_a_complete_update_is_still_copied_alone(preview):
    """The asset shortcut is declined only while an update is owed (``Session.behind``)."""
    preview, files = preview
    _questions(preview, files, "A first line names no one.\n")
    assert not preview.preview.builder.session.behind
    files[ASSET] += "p { margin: 1em; }\n"
    result = preview.build(preview.sync(files))
    assert result.written == ("assets/extra.css",)
    preview.expect_clean()


def test_an_asset_edit_after_an_update_that_never_ran_makes_it(preview):
    """The preview skips an update when a save comes within its quiet second: the next build owes it,
    even one of an asset alone (copied alone, the output kept the index of two builds before)."""
    preview, files = preview
    files[ARTICLE] += "Retitled nothing, named no one.\n"
    builder = preview.preview.builder
    first = builder.build(changed=preview.sync(files))
    assert first.ok and first.later is not None and builder.session.behind  # not run
    files[ASSET] += "p { margin: 1em; }\n"
    second = builder.build(changed=preview.sync(files))
    assert second.ok and second.later is not None, "an asset edit was copied alone while the index was owed"
    second.later()
    preview.expect_clean()
