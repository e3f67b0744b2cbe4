"""Fixtures for browser tests: ``browser`` (one per session) and ``page`` (one per test).

Tests here are marked ``browser`` automatically, so ``-m "not browser"``
leaves them out. Without Chromium they skip, except under CI, where that is
a failure.
"""
from __future__ import annotations

import pytest

from tests.helpers import in_ci
from tests.helpers.browser import DEFAULT_TIMEOUT_MS, chromium_missing, launch, screenshot


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    reason = chromium_missing()
    if reason:
        if in_ci():
            pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def save_screenshot(page, request):
    """``save_screenshot("label")`` writes tests/browser/screenshots/<test>-<label>.png."""
    def save(label: str = "", target=None):
        name = request.node.name + (f"-{label}" if label else "")
        return screenshot(target or page, name)
    return save
