"""On a phone (375 px wide): the page body never scrolls sideways; charts are as wide as their
column, a wider chart scrolls inside its own box; with or without JavaScript. A findings table
is a stack of cards: each row a card, each cell a line labelled with its column.

Screenshots are kept in report/screenshots/ (CI artefacts) and their paths printed.
"""

from __future__ import annotations

import os
from itertools import pairwise

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


# Per findings table: its column heads, its box's widths, and per row each cell's box, text and
# label.
CARDS = """tables => tables.map(table => ({
  heads: [...table.querySelectorAll('thead th')].map(th => th.textContent),
  box: [table.parentElement.scrollWidth, table.parentElement.clientWidth],
  rows: [...table.querySelectorAll('tbody tr')].map(row => [...row.cells].map(cell => {
    const box = cell.getBoundingClientRect();
    return {left: box.left, right: box.right, top: box.top, bottom: box.bottom,
            text: cell.textContent,
            label: getComputedStyle(cell, '::before').content};
  })),
}))"""


def css_string(text: str) -> str:
    """Text as a computed style serializes a string (a ::before's content)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("name", ["brief", "compare"])
def test_phone_width_tables_are_cards_of_labelled_lines(browser, report, name):  # noqa: F811
    page, errors, _ = open_offline(browser, report / PAGES[name], width=PHONE)
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    tables = page.eval_on_selector_all(".jp-RenderedHTMLCommon table.findings", CARDS)
    assert len(tables) >= 3, len(tables)
    rows = 0
    for table in tables:
        scroll_width, client_width = table["box"]
        assert scroll_width <= client_width, table["heads"]  # nothing to scroll sideways
        for row in table["rows"]:
            rows += 1
            assert len(row) == len(table["heads"])
            for cell, head in zip(row, table["heads"], strict=True):
                # each cell says its column; an empty one is left out of the card
                # (for the eye only: its alternative text is empty, the column head is read)
                assert cell["label"] == f'{css_string(head)} / ""', (cell, head)
                hidden = cell["right"] - cell["left"] <= 1
                assert hidden == (cell["text"] == ""), cell  # an empty cell is out of sight
            shown = [cell for cell in row if cell["text"]]
            assert shown, row
            # stacked: one left edge, each line below the one before, all within the screen
            assert max(c["left"] for c in shown) - min(c["left"] for c in shown) <= 2, shown
            assert all(after["top"] >= before["bottom"] - 1 for before, after in pairwise(shown))
            assert all(cell["left"] >= 0 and cell["right"] <= PHONE for cell in shown), shown
    assert rows >= 20
    assert page.evaluate(BODY_WIDTH) <= PHONE
    assert errors == []
