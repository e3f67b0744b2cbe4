"""Fixtures for the publishing tests."""
from __future__ import annotations

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.site import PAGES_BASE, build


@pytest.fixture(scope="session")
def seed_site_for_pages(tmp_path_factory):
    """The seed archive (repo root) built for https://user.github.io/repo/."""
    out = tmp_path_factory.mktemp("pages") / "out"
    build(REPO_ROOT, out, PAGES_BASE)
    return out
