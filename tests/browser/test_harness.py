"""The browser fixtures themselves work: Debian Chromium launches, pages render, screenshots save."""
from __future__ import annotations

from tests.helpers.browser import DEFAULT_TIMEOUT_MS
from tests.helpers.http import serve_directory


def test_page_renders_served_html(page, save_screenshot, tmp_path):
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=en><title>Harness</title>"
        "<h1 id=t>Hello</h1><script>document.getElementById('t').textContent += ' from JS'</script>",
        encoding="utf-8",
    )
    with serve_directory(tmp_path, prefix="/repo/") as base:
        response = page.goto(base)
        assert response is not None and response.status == 200
        assert page.title() == "Harness"
        assert page.text_content("#t") == "Hello from JS"
        shot = save_screenshot("hello")
    assert shot.is_file() and shot.read_bytes().startswith(b"\x89PNG")
    shot.unlink()


def test_page_timeout_is_bounded(page):
    page.set_content("<p>nothing to wait for</p>")
    import time

    start = time.monotonic()
    try:
        page.wait_for_selector("#never", timeout=500)
    except Exception as exc:  # playwright TimeoutError
        assert "Timeout" in type(exc).__name__ or "Timeout" in str(exc)
    else:
        raise AssertionError("wait_for_selector should have timed out")
    assert time.monotonic() - start < DEFAULT_TIMEOUT_MS / 1000
