"""An annotation's search record holds its note's words as the page shows them."""
from __future__ import annotations

import json

from dossier.exports import note_text
from dossier.pipeline import build_site
from tests.helpers import REPO_ROOT


def test_inline_tags_leave_no_space_and_blocks_do():
    html = ('<p>Written on Monday (<a class="m" href="/x/">Army stood down</a>), as <em>does</em> the FT.</p>'
            '<ul><li>one</li><li>two&nbsp;&amp; three</li></ul><p>Last<br>line</p>')
    assert note_text(html) == "Written on Monday (Army stood down), as does the FT. one two & three Last line"  # a no-break space is a space to search


def test_the_seed_notes_read_in_search_as_on_the_page(tmp_path):
    out = tmp_path / "out"
    assert build_site(REPO_ROOT, out=out, workers=1).ok
    contents = [rec[4] for f in sorted((out / "search" / "x").glob("*.json"))
                for rec in json.loads(f.read_text(encoding="utf-8"))]
    notes = [c for c in contents if "(Army stood down from Met support)" in c]
    assert notes, "the seed's notes that link the Army page in brackets"
    assert not any("( " in c or " )" in c or "&amp;" in c for c in contents)
