"""On a phone (375 px wide): the page body never scrolls sideways; charts are as wide as their
column, a wider chart or table scrolls inside its own box; with or without JavaScript.

Screenshots are kept in report/screenshots/ (CI artefacts) and their paths printed.
"""

from __future__ import annotations

import os

import pytest

from support.paths import ROOT
from test_accessibility import PAGES, open_offline, report  # noqa: F401 (fixture)
from test_browser import CHARTS_DRAWN, CHROMIUM

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the phone check: install Debian's chromium (.ci/run does)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")
PHONE = 375
SCREENSHOTS = ROOT / "report" / "screenshots"  # kept as CI artefacts (report/ is not committed)
BODY_WIDTH = "document.documentElement.scrollWidth"


@pytest.mark.parametrize("name", list(PAGES))
def test_phone_width_page_never_scrolls_sideways(browser, report, name):  # noqa: F811
    page, errors, outside = open_offline(browser, report / PAGES[name], width=PHONE)
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    assert page.evaluate(BODY_WIDTH) <= PHONE
    assert page.evaluate("window.innerWidth") == PHONE  # the viewport meta: no zoomed-out page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / f"phone-{name}.png"
    page.screenshot(path=str(screenshot), full_page=True)
    print(f"phone screenshot: {screenshot}")
    assert screenshot.stat().st_size > 10_000
    assert errors == [] and outside == []


def test_phone_width_charts_fit_their_column_or_scroll_inside_it(browser, report):  # noqa: F811
    page, errors, _ = open_offline(browser, report / PAGES["brief"], width=PHONE)
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    # [chart box width, drawn chart width]: both brief charts are container-sized.
    sizes = page.eval_on_selector_all(
        ".vega-chart",
        "nodes => nodes.map(n => [n.clientWidth, n.querySelector('svg').getBoundingClientRect()"
        ".width])",
    )
    assert len(sizes) == 2
    for box, drawn in sizes:
        assert box < PHONE and abs(drawn - box) <= 1, sizes  # as wide as the column, no wider
    # The comparison table (seven columns) scrolls sideways inside its output box.
    table = page.eval_on_selector(
        "table.findings",
        "t => [t.parentElement.scrollWidth, t.parentElement.clientWidth, "
        "getComputedStyle(t.parentElement).overflowX]",
    )
    assert table[0] > table[1] and table[2] == "auto", table
    # The compare page's panels per group cannot be container-sized: they scroll in their box.
    page, errors, _ = open_offline(browser, report / PAGES["compare"], width=PHONE)
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    heatmap = page.eval_on_selector(
        ".vega-chart", "n => [n.scrollWidth, n.clientWidth, getComputedStyle(n).overflowX]"
    )
    assert heatmap[0] > heatmap[1] and heatmap[2] == "auto", heatmap
    assert page.evaluate(BODY_WIDTH) <= PHONE
    assert errors == []


@pytest.mark.parametrize("name", ["brief", "compare"])
def test_phone_width_without_javascript_pictures_shrink_to_fit(browser, report, name):  # noqa: F811
    page, errors, _ = open_offline(browser, report / PAGES[name], width=PHONE, javascript=False)
    pictures = page.eval_on_selector_all(
        "img.static-chart",
        "nodes => nodes.map(n => [n.complete, n.naturalWidth, n.getBoundingClientRect().right])",
    )
    assert len(pictures) == 2
    for complete, natural, right in pictures:
        assert complete and natural > PHONE and right <= PHONE, pictures
    assert page.evaluate(BODY_WIDTH) <= PHONE
    assert errors == []
