"""A real browser opens the published pages offline: charts drawn, no console errors.

Uses Debian's headless Chromium through Playwright (no browser download). Skipped, with the
reason shown, only where Chromium is absent; CI installs it, and there a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reactions.pdf import CHARTS_DRAWN  # "every chart drawn", as the PDF printer waits for it
from reactions.site import write_index
from support.paths import BRIEF_STEM, BRIEF_TITLE
from support.rendering import copy_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser check: install Debian's chromium (.ci/run does)")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed here (apt-get install chromium); the browser check needs it",
)


@pytest.fixture(scope="module")
def report(brief_report, tmp_path_factory) -> Path:
    out = copy_report(brief_report, tmp_path_factory.mktemp("browser") / "report")
    write_index(out)
    return out


def open_offline(browser, path: Path, javascript: bool = True, width: int = 1280):
    """A page that may load nothing but file:// URLs, `width` px wide (812 px high, a phone's
    height); returns it with its errors and requests."""
    context = browser.new_context(
        offline=True, java_script_enabled=javascript, viewport={"width": width, "height": 812}
    )
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    def block(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.goto(path.as_uri())
    return page, errors, outside


def test_brief_draws_every_chart_offline(browser, report, tmp_path):
    page, errors, outside = open_offline(browser, report / f"{BRIEF_STEM}.html")
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    charts = page.eval_on_selector_all(
        ".vega-chart",
        "nodes => nodes.map(n => [n.querySelectorAll('svg').length, "
        "n.querySelectorAll('img').length])",
    )
    assert charts == [[1, 0], [1, 0]]  # each picture replaced by its interactive chart
    marks = page.eval_on_selector_all(
        ".vega-chart svg", "nodes => nodes.map(n => n.querySelectorAll('path, text').length)"
    )
    assert all(count > 10 for count in marks), marks
    assert (
        "Belarus stands between Kazakhstan (implicit rejection, -1), below, and South Ossetia "
        "(implicit support, +1), above"
    ) in page.inner_text("p.headline")
    screenshot = tmp_path / "brief.png"
    page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot: {screenshot}")
    assert screenshot.stat().st_size > 10_000
    assert errors == [] and outside == []


def test_without_javascript_each_chart_is_its_static_picture(browser, report):
    page, errors, outside = open_offline(browser, report / f"{BRIEF_STEM}.html", javascript=False)
    pictures = page.eval_on_selector_all(
        "figure.reactions-chart .vega-chart img.static-chart",
        "nodes => nodes.map(n => [n.complete, n.naturalWidth, n.getBoundingClientRect().width])",
    )
    assert len(pictures) == 2
    for complete, natural_width, shown_width in pictures:
        assert complete and natural_width > 100 and shown_width > 100, pictures
    assert page.eval_on_selector_all(".vega-chart svg", "nodes => nodes.length") == 0
    assert errors == [] and outside == []


def test_index_opens_offline_and_links_the_brief(browser, report, tmp_path):
    page, errors, outside = open_offline(browser, report / "index.html")
    links = page.eval_on_selector_all("a", "nodes => nodes.map(n => n.getAttribute('href'))")
    assert f"{BRIEF_STEM}.html" in links
    assert page.inner_text("h2").startswith('Russia\'s "referendums"')  # the story's title
    assert BRIEF_TITLE in page.inner_text("main")  # the page's headline
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    assert errors == [] and outside == []
