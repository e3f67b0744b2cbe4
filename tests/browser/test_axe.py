"""axe-core (the npm package, installed by scripts/test) injected into one page of every kind of the
seed archive, at 1440 and 390 px, light and dark: no violations, and no page wider than the window."""
from __future__ import annotations

import pytest

from tests.helpers import REPO_ROOT, in_ci
from tests.helpers.http import serve_directory
from tests.helpers.reading import browser_page
from tests.helpers.site import build

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '));
}"""


def _one(out, folder: str) -> str:
    found = sorted((out / folder).glob("*/index.html"))
    assert found, f"the seed archive has no {folder} page"
    return f"{folder}/{found[0].parent.name}/"


def require_axe() -> None:
    """Skip without axe-core (a failure under CI)."""
    if not AXE.is_file():
        if in_ci():
            pytest.fail(f"{AXE} missing; scripts/test installs it", pytrace=False)
        pytest.skip("axe-core is not installed (scripts/test installs it)")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    require_axe()
    out = tmp_path_factory.mktemp("site")
    build(REPO_ROOT, out)
    paths = ["", "about/", "annotations/", "entities/", "outlets/", "tags/", "no-such-page/"]
    paths += [_one(out, kind) for kind in ("articles", "entities", "claims", "tags")]
    with serve_directory(out) as base:
        yield base, paths


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [1440, 390])
def test_no_axe_violations_on_any_page_kind(browser, pages, width, dark):
    base, paths = pages
    script = AXE.read_text(encoding="utf-8")
    problems = []
    with browser_page(browser, width, dark=dark) as page:
        for path in paths:
            page.goto(base + path)
            page.add_script_tag(content=script)
            problems += [f"/{path}: {v}" for v in page.evaluate(RUN_AXE)]
            wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if wide > 0:
                problems.append(f"/{path}: the page is {wide}px wider than the window")
    assert not problems, "\n".join(problems)
