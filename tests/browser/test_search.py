"""Search in a real browser, the site built for a project address and served under its sub-path.

Type a name into the header's field (focused with "/"), narrow the results to one type with
the Type filter, follow the first result: for every type (report, entity, annotation, claim,
page) the link leads to a page of the site under /story-archive/, and an annotation's link
to its passage.  The 404 page has the field at any depth; without JavaScript there is none.
"""
from __future__ import annotations

import pytest

from dossier.pipeline import build_site
from tests.helpers import REPO_ROOT
from tests.helpers.http import serve_directory

BASE_URL = "https://example.github.io/story-archive/"
PREFIX = "/story-archive/"
# (type, a name to type): every type has a hit for its name in the seed archive.
CASES = [("Report", "Kaba"), ("Entity", "Kaba"), ("Annotation", "Kaba"), ("Page", "Kaba"), ("Claim", "Army")]
PATHS = {"Report": "articles/", "Entity": "entities/", "Annotation": "articles/", "Page": "", "Claim": "claims/"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("search") / "out"
    result = build_site(REPO_ROOT, out=out, base_url=BASE_URL)
    assert result.ok, result.errors
    with serve_directory(out, prefix=PREFIX) as base:
        yield base


def _search(page, term: str, typ: str | None = None) -> None:
    page.keyboard.press("/")
    field = page.get_by_role("searchbox", name="Search the archive")
    assert page.evaluate("document.activeElement.id") == "site-search-q", "/ should focus the search field"
    field.fill(term)
    if typ:
        page.get_by_label("Type", exact=True).select_option(typ)
    # Bounded (the context's default timeout): the results shown are all of the chosen type.
    page.wait_for_function("""([typ]) => {
        const types = [...document.querySelectorAll('.search-result .search-type')].map(e => e.textContent);
        return types.length > 0 && (!typ || types.every(t => t === typ));
    }""", arg=[typ])


@pytest.mark.parametrize("typ,term", CASES)
def test_a_result_of_each_type_leads_to_its_page(page, served, typ, term, save_screenshot):
    page.goto(served)
    _search(page, term, typ)
    status = page.get_by_role("status")
    assert "result" in status.inner_text()
    types = page.locator(".search-result .search-type").all_text_contents()
    assert types and set(types) == {typ}, types
    save_screenshot(typ)
    first = page.locator(".search-result a").first
    href = first.get_attribute("href")
    assert href.startswith(PREFIX + PATHS[typ]), href
    if typ == "Annotation":
        assert "#ann-" in href, href
    first.click()
    page.wait_for_url("**" + href)
    assert page.title() and "Page not found" not in page.title()
    if typ == "Annotation":
        anchor = href.split("#", 1)[1]
        assert page.locator(f"mark[id='{anchor}']").count() == 1


def test_keyboard_reaches_results_and_escape_clears(page, served):
    page.goto(served)
    _search(page, "Kaba")
    page.keyboard.press("ArrowDown")
    first = page.locator(".search-result a").first
    assert page.evaluate("document.activeElement.getAttribute('href')") == first.get_attribute("href")
    page.keyboard.press("Escape")
    assert page.get_by_role("searchbox").input_value() == ""
    assert page.locator("#site-search-panel").is_hidden()


def test_the_404_page_searches_at_any_depth(page, served):
    response = page.goto(served + "no/such/deep/page/")
    assert response.status == 404
    _search(page, "Kaba")
    href = page.locator(".search-result a").first.get_attribute("href")
    assert href.startswith(PREFIX), href


def test_without_javascript_there_is_no_field(browser, served):
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(served)
        assert pg.locator(".site-search").is_hidden()
        assert pg.get_by_role("searchbox").count() == 0
    finally:
        context.close()


def test_dark_scheme_styles_the_field(browser, served):
    context = browser.new_context(color_scheme="dark")
    try:
        pg = context.new_page()
        pg.goto(served)
        bg = pg.evaluate("getComputedStyle(document.querySelector('#site-search-q')).backgroundColor")
        assert bg == "rgb(32, 31, 28)", bg  # --bg-raised of the dark theme
    finally:
        context.close()
