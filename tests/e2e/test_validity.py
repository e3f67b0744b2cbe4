"""Every page of the seed archive is valid HTML according to the W3C Nu checker."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.helpers import REPO_ROOT, vnu
from tests.helpers.site import PAGES_BASE, build


@pytest.mark.slow
@pytest.mark.parametrize("base_url", [None, PAGES_BASE], ids=["site-yaml", "project-subpath"])
def test_seed_archive_is_valid_html(tmp_path, base_url):
    vnu.require()
    out = tmp_path / "out"
    build(REPO_ROOT, out, base_url)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 5, f"expected a real site, found {len(pages)} pages"

    errors = vnu.validate(out)
    lines = [vnu.format_error(e, relative_to=out) for e in errors]
    for line in lines:
        print(line)
    if errors:
        kinds = Counter(e["message"] for e in errors)
        first = {}
        for e, line in zip(errors, lines):
            first.setdefault(e["message"], line)
        summary = "\n".join(f"{n:4d} x {first[msg]}" for msg, n in kinds.most_common())
        pytest.fail(f"{len(errors)} HTML error(s) in {len({e['url'] for e in errors})} file(s); "
                    f"each kind with its first occurrence:\n{summary}", pytrace=False)
