"""Printing a page, from a browser (print media, A4) or as `reactions render --pdf` does: every
source's address is printed after its link, nothing asks the reader to hover, every findings
table fits the paper's width, and the first page starts with the page's title and headline.

The template writes what the phone's cards and the print stylesheet need: each cell of a
findings table labelled with its column (`data-label`), and a sentence that asks for a screen
("Hover a point ...") marked, so that print leaves it out.
"""

from __future__ import annotations

import io
import os
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from reactions.exporter import export_page
from reactions.pdf import PAPER, print_pdf
from reactions.present import Table
from support.paths import BRIEF_STEM, COMPARE_STEM
from test_browser import CHARTS_DRAWN, CHROMIUM, open_offline

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the print check: install Debian's chromium (.ci/run does)")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")
PAGES = {"brief": f"{BRIEF_STEM}.html", "compare": f"{COMPARE_STEM}.html"}


def squeezed(text: str) -> str:
    """Text without whitespace: print breaks lines (and long addresses) where the page did."""
    return re.sub(r"\s+", "", text)


class Cells(HTMLParser):
    """Each findings table's column heads and, per row, its cells' data-label attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.heads: list[str] = []
        self.labels: list[list[str | None]] = []
        self._head: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "th":
            self._head = []
        elif tag == "tr":
            self.labels.append([])
        elif tag == "td":
            self.labels[-1].append(dict(attrs).get("data-label"))

    def handle_endtag(self, tag):
        if tag == "th" and self._head is not None:
            self.heads.append("".join(self._head))
            self._head = None

    def handle_data(self, data):
        if self._head is not None:
            self._head.append(data)


def exported(*cells: nbformat.NotebookNode) -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    return export_page(notebook, "page")[0]


def table_cell(table: Table) -> nbformat.NotebookNode:
    data, metadata = table._repr_mimebundle_()
    output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    return nbformat.v4.new_code_cell("table", outputs=[output])


def test_every_cell_of_a_findings_table_is_labelled_with_its_column():
    frame = pd.DataFrame(
        {
            "actor": ["Belarus", "<b>Odd</b> & co"],
            'words "quoted" & <marked>': ["", "they said <td> and </tr>"],
            "source": ["A source", "Another"],
            "source_url": ["https://example.org/a?x=1&y=2", "javascript:alert(1)"],
        }
    )
    html = exported(table_cell(Table(frame, "comparison")))
    cells = Cells()
    cells.feed(html)
    assert cells.heads == ["actor", 'words "quoted" & <marked>', "source"]
    assert [labels for labels in cells.labels if labels] == [cells.heads, cells.heads]
    assert "they said &lt;td&gt; and &lt;/tr&gt;" in html  # data text stays text
    # Any other HTML output is left as it was.
    other = nbformat.v4.new_output(
        "display_data", data={"text/html": "<table><tr><td>plain</td></tr></table>"}
    )
    assert "<td>plain</td>" in exported(nbformat.v4.new_code_cell("x", outputs=[other]))


def test_a_sentence_asking_to_hover_is_marked_for_print_and_nothing_else():
    html = exported(
        nbformat.v4.new_markdown_cell(
            "Positions as of the date. Hover a point for the words and the "
            "[source](https://example.org/a.html). A hovercraft stays.\n\n"
            "Click a group to see it.\n\nHovering is not a hint."
        )
    )
    assert (
        'Positions as of the date. <span class="interaction">Hover a point for the words and '
        'the <a href="https://example.org/a.html">source</a>.</span> A hovercraft stays.'
    ) in html
    assert '<p><span class="interaction">Click a group to see it.</span></p>' in html
    assert "<p>Hovering is not a hint.</p>" in html


# Per external link: its address, whether it is shown, and what print adds after it.
LINKS = """links => links.map(link => [link.getAttribute('href'), link.getClientRects().length > 0,
  getComputedStyle(link, '::after').content])"""
# Per findings table: the right edge of the table and of its widest cell.
TABLE_EDGES = """tables => tables.map(table => [table.getBoundingClientRect().right,
  Math.max(...[...table.querySelectorAll('th, td')].map(c => c.getBoundingClientRect().right))])"""


def printed_page(browser, path: Path):
    """The page in print media, as wide as A4's text column (as the PDF printer lays it out)."""
    page, errors, outside = open_offline(browser, path, width=PAPER["width"])
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    page.emulate_media(media="print")
    return page, errors, outside


@needs_chromium
@pytest.mark.parametrize("name", ["brief", "compare"])
def test_print_shows_every_source_address_and_asks_no_one_to_hover(browser, pages_report, name):
    page, errors, outside = printed_page(browser, pages_report / PAGES[name])
    links = page.eval_on_selector_all("a[href^='http:'], a[href^='https:']", LINKS)
    assert len(links) >= 3
    for href, shown, after in links:
        assert shown and after == f'" ({href})"', (href, after)  # printed after the link
    text = page.inner_text("body")
    assert not re.search(r"\b(hover|click|tap)\b", text, re.IGNORECASE), text
    page.emulate_media(media="screen")
    if name == "brief":  # on a screen the hint stays
        assert "Hover a point for the words and the source." in page.inner_text("body")
    assert errors == [] and outside == []


@needs_chromium
@pytest.mark.parametrize("name", ["brief", "compare"])
def test_print_fits_every_table_to_the_paper(browser, pages_report, name):
    page, errors, _ = printed_page(browser, pages_report / PAGES[name])
    width = PAPER["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    edges = page.eval_on_selector_all("table.findings", TABLE_EDGES)
    assert len(edges) >= 3
    for table_right, widest_cell in edges:
        assert table_right <= width and widest_cell <= table_right + 1, edges
    # nothing is cut off by a box that scrolls on a screen
    clipped = page.eval_on_selector_all(
        ".jp-RenderedHTMLCommon, .vega-chart",
        "boxes => boxes.filter(box => box.scrollWidth > box.clientWidth + 1).length",
    )
    assert clipped == 0
    assert errors == []


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@needs_chromium
def test_a_browser_prints_the_compare_page_from_its_title_on(browser, pages_report):
    """A browser's Print of a window 1280 px wide: the first page starts with the title and the
    headline, every page holds text, and the tables are not cut."""
    page, errors, _ = open_offline(browser, pages_report / PAGES["compare"])
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    title = page.inner_text("h1")
    headline = page.inner_text("p.headline")
    pages = pdf_text(page.pdf(prefer_css_page_size=True, print_background=True))
    assert squeezed(title) in squeezed(pages[0])
    assert squeezed(headline)[:200] in squeezed(pages[0])
    assert all(len(text.strip()) > 100 for text in pages), [len(text) for text in pages]
    assert errors == []


@needs_chromium
def test_the_compare_pdf_starts_with_its_title_and_heads_every_page(pages_report):
    files = {path.name: path.read_bytes() for path in pages_report.iterdir() if path.is_file()}
    pages = pdf_text(print_pdf(files, f"{COMPARE_STEM}.html"))
    html = files[f"{COMPARE_STEM}.html"].decode("utf-8")
    title = unescape(re.search(r"<h1>(.*?)</h1>", html).group(1))
    assert squeezed(title) in squeezed(pages[0])
    assert "Positions the day before A/RES/ES-11/4" in "".join(pages)
    # 16 while tables scrolled on paper, 10 when they were fitted, 13 since every statement
    # and vote the page shows links its source (each address printed after its link)
    assert len(pages) <= 14
    for text in pages[1:]:
        assert squeezed(title) in squeezed(text) and "Rendered " in text
