"""Live reload and the error overlay in headless Chromium (shared fixtures in conftest.py).

The page is never reloaded by the test: every change must arrive through the
preview server's event stream and ``client.js``.  Waits are Playwright
expectations with explicit timeouts.
"""
from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from dossier.serve import PreviewServer

ARTICLE = "content/articles/a.md"
A_TEXT = "---\ntitle: A\noutlet: x\npublished: 2023-09-25\n---\n{body}\n"
TINY = {
    "site.yaml": "title: T\n",
    "content/entities/outlets/x.md": "---\nname: X News\ntype: outlet\ndescription: An outlet.\n---\n",
    ARTICLE: A_TEXT.format(body="Hello from article A."),
}
RELOAD_TIMEOUT = 5000  # ms


def write(path: Path, text: str) -> None:
    """Atomic save: temp file + rename, like most editors."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    for rel, text in TINY.items():
        write(root / rel, text)
    return root


def wait_connected(page, build: int | None = None) -> None:
    """Wait until client.js has received the current build over the event stream."""
    page.wait_for_function(
        "b => window.__dossierLastBuild && (b === null || window.__dossierLastBuild.build >= b)",
        arg=build, timeout=RELOAD_TIMEOUT)


def shown_at_epoch_ms(page) -> float:
    """When the current document finished loading, in epoch milliseconds."""
    return page.evaluate(
        "() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")


def test_live_reload_and_error_overlay(page, archive, save_screenshot):
    with PreviewServer(archive, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        page.goto(srv.url + "articles/a/")
        body = page.locator("body")
        expect(body).to_contain_text("Hello from article A.")
        wait_connected(page)

        # 1. An edit shows up without a manual reload; measure save -> visible.
        latencies = []
        for i in range(3):
            text = f"Edited by the test, round {i}."
            saved = time.time() * 1000
            write(archive / ARTICLE, A_TEXT.format(body=text))
            expect(body).to_contain_text(text, timeout=RELOAD_TIMEOUT)
            latencies.append(shown_at_epoch_ms(page) - saved)
            wait_connected(page)
        print(f"\nsave -> new page visible: {', '.join(f'{x:.0f}' for x in latencies)} ms "
              f"(debounce {srv.quiet * 1000:.0f} ms, last build {srv.builds[-1].ms:.0f} ms)")
        assert all(x > 0 for x in latencies)

        # 2. A broken edit: the overlay lists path:line: message; the last good page stays.
        write(archive / ARTICLE, "---\ntitle: [A\noutlet: x\npublished: 2023-09-25\n---\nBroken.\n")
        alert = page.get_by_role("alert")
        expect(alert).to_be_visible(timeout=RELOAD_TIMEOUT)
        expect(alert).to_contain_text(re.compile(r"content/articles/a\.md:\d+: \S"))
        expect(alert).to_contain_text("Build failed")
        expect(body).to_contain_text("Edited by the test, round 2.")
        shot = save_screenshot("overlay")
        assert shot.is_file()

        # The close button dismisses it; a later failing build shows it again.
        page.get_by_role("button", name="Dismiss build errors").click()
        expect(alert).to_have_count(0)
        write(archive / ARTICLE, "---\ntitle: [A\noutlet: x\npublished: 2023-09-25\n---\nStill broken.\n")
        expect(alert).to_be_visible(timeout=RELOAD_TIMEOUT)

        # 3. The fix clears the overlay and shows the new text.
        write(archive / ARTICLE, A_TEXT.format(body="Fixed again."))
        expect(body).to_contain_text("Fixed again.", timeout=RELOAD_TIMEOUT)
        expect(alert).to_have_count(0)


def test_reconnects_and_reloads_after_server_restart(page, tmp_path):
    """No pipeline needed: a static output folder and a do-nothing builder."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<!doctype html><html lang=en><title>x</title><body><p id=v>one</p></body></html>")
    archive = tmp_path / "archive"
    archive.mkdir()

    def builder(changed):
        return SimpleNamespace(ok=True, errors=())

    def start(port: int) -> PreviewServer:
        return PreviewServer(archive, port=port, out=out, builder=builder,
                             stdout=io.StringIO(), stderr=io.StringIO()).start()

    first = start(0)
    port = first.port
    page.goto(first.url)
    expect(page.locator("#v")).to_have_text("one")
    wait_connected(page)
    first.stop()

    (out / "index.html").write_text("<!doctype html><html lang=en><title>x</title><body><p id=v>two</p></body></html>")
    second = start(port)
    try:
        # The browser's EventSource reconnects by itself; a new server id means reload.
        expect(page.locator("#v")).to_have_text("two", timeout=RELOAD_TIMEOUT)
        server_id = second.dev.state.snapshot().server
        expect(page.locator('script[src="/_dossier/client.js"]')).to_have_attribute("data-server", server_id)
    finally:
        second.stop()


def test_overlay_on_initial_failure_then_page_after_fix(page, archive):
    write(archive / ARTICLE, "---\ntitle: [A\n---\nBroken from the start.\n")
    with PreviewServer(archive, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        assert not srv.builds[0].ok
        resp = page.goto(srv.url + "articles/a/")
        assert resp is not None and resp.status == 404
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(re.compile(r"content/articles/a\.md:\d+: "), timeout=RELOAD_TIMEOUT)
        write(archive / ARTICLE, A_TEXT.format(body="Now it builds."))
        expect(page.locator("body")).to_contain_text("Now it builds.", timeout=RELOAD_TIMEOUT)
        expect(alert).to_have_count(0)


def test_seed_archive_save_to_reload_latency(page, tmp_path):
    """Prints save -> visible times on a copy of the seed archive (a figure, not an assert)."""
    import shutil
    import statistics

    repo = Path(__file__).resolve().parents[2]
    articles = sorted((repo / "content/articles").glob("*.md"))
    if not (repo / "site.yaml").is_file() or not articles:
        pytest.skip("no seed archive in this checkout")
    root = tmp_path / "seed"
    root.mkdir()
    shutil.copy2(repo / "site.yaml", root / "site.yaml")
    for name in ("content", "layouts"):
        if (repo / name).is_dir():
            shutil.copytree(repo / name, root / name)
    article = root / "content/articles" / articles[0].name
    original = article.read_text(encoding="utf-8")
    with PreviewServer(root, port=0, stdout=io.StringIO(), stderr=io.StringIO()) as srv:
        assert srv.builds[0].ok, srv.builds[0].errors
        page.goto(srv.url + f"articles/{article.stem}/")
        wait_connected(page)
        times, builds = [], []
        for i in range(5):
            marker = f"Latency probe {i}."
            saved = time.time() * 1000
            write(article, original.rstrip("\n") + f"\n\n{marker}\n")
            expect(page.locator("body")).to_contain_text(marker, timeout=RELOAD_TIMEOUT)
            times.append(shown_at_epoch_ms(page) - saved)
            builds.append(srv.builds[-1].ms)
            wait_connected(page)
    print(f"\nseed archive, save -> new page visible: median {statistics.median(times):.0f} ms "
          f"(runs {', '.join(f'{t:.0f}' for t in times)}; builds {', '.join(f'{b:.0f}' for b in builds)} ms; "
          f"debounce {srv.quiet * 1000:.0f} ms)")
