"""A real browser opens the published pages offline: charts drawn, no console errors.

Uses Debian's headless Chromium through Playwright (no browser download). Skipped, with the
reason shown, only where Chromium is absent; CI installs it, and there a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import render_cli
from reactions.publish import write_index

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser check: install Debian's chromium (.ci/run does)")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed here (apt-get install chromium); the browser check needs it",
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    assert render_cli(out) == 0
    write_index(out)
    return out


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def open_offline(browser, path: Path):
    """A page that may load nothing but file:// URLs; returns it with its errors and requests."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    def block(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri())
    return page, errors, outside


def test_brief_draws_every_chart_offline(browser, report, tmp_path):
    page, errors, outside = open_offline(browser, report / "belarus-recognition-2022-09-26.html")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.vega-chart')]"
        ".every(chart => chart.querySelector('svg, canvas'))",
        timeout=30_000,
    )
    charts = page.eval_on_selector_all(
        ".vega-chart", "nodes => nodes.map(n => n.querySelectorAll('svg, canvas').length)"
    )
    assert charts == [1, 1]
    assert "Belarus stands between Kazakhstan" in page.inner_text("p.headline")
    screenshot = tmp_path / "brief.png"
    page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot: {screenshot}")
    assert screenshot.stat().st_size > 10_000
    assert errors == [] and outside == []


def test_index_opens_offline_and_links_the_brief(browser, report, tmp_path):
    page, errors, outside = open_offline(browser, report / "index.html")
    links = page.eval_on_selector_all("a", "nodes => nodes.map(n => n.getAttribute('href'))")
    assert "belarus-recognition-2022-09-26.html" in links
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    assert errors == [] and outside == []
