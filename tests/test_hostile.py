"""Hostile text in the data is shown as text: in the brief, the index and the static images.

Each payload would set window.__pwned if it ran; a real browser checks that it never does.
"""

from __future__ import annotations

import copy
import csv
import io
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import nbformat
import pytest

from reactions.site import write_index
from support.dataset import ACTORS, EVENTS, STATEMENTS, write_csv, write_dataset
from support.rendering import render_cli
from test_browser import CHARTS_DRAWN, CHROMIUM, open_offline

STEM = "hostile-story.brief.belarus.recognition.2022-09-30"
PLANTED = "hostile-story.planted"

PAYLOADS = {
    "name": "Belarus <script>window.__pwned=1</script>",
    "peer": '"><img src=x onerror="window.__pwned=2">',
    "quote": "</script><script>window.__pwned=3</script>",
    "speaker": '<b onmouseover="window.__pwned=4">Speaker</b>',
    "notes": "**bold** [click](javascript:window.__pwned=5)",
    "url": 'https://example.org/"><script>window.__pwned=6</script>',
    "title": '<a href="javascript:window.__pwned=7">click</a>',
    "event": '<svg onload="window.__pwned=8">',
    "occasion": '<iframe src="javascript:window.__pwned=9"></iframe>',
}


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    actors = copy.deepcopy(ACTORS)
    actors[0]["name"] = PAYLOADS["name"]
    actors[1]["name"] = PAYLOADS["peer"]
    statements = copy.deepcopy(STATEMENTS)
    for row in statements:
        if row["statement_id"] == "kz-rec":
            row.update(
                quote=PAYLOADS["quote"],
                speaker=PAYLOADS["speaker"],
                notes=PAYLOADS["notes"],
                source_url=PAYLOADS["url"],
                source_title=PAYLOADS["title"],
            )
        if row["statement_id"] == "by-rec-sochi":
            row["occasion"] = PAYLOADS["occasion"]
    data = write_dataset(root / "hostile-story", statements=statements, actors=actors)
    events = copy.deepcopy(EVENTS)
    events[0]["title"] = PAYLOADS["event"]
    write_csv(data / "events.csv", events)
    out = root / "report"
    assert render_cli(out, data=data, as_of="2022-09-30") == 0
    # a page whose executed notebook carries a hostile title, dateline and parameters, as the
    # index reads them
    planted = nbformat.v4.new_notebook()
    planted.metadata["papermill"] = {"parameters": {"note": PAYLOADS["peer"]}}
    title = nbformat.v4.new_output(
        "display_data",
        data={"text/plain": PAYLOADS["peer"]},
        metadata={"reactions": {"role": "title", "dateline": PAYLOADS["speaker"]}},
    )
    planted.cells = [nbformat.v4.new_code_cell(outputs=[title])]
    nbformat.write(planted, out / f"{PLANTED}.ipynb")
    (out / f"{PLANTED}.html").write_text("<p>planted</p>", encoding="utf-8")
    write_index(out)
    return out


def test_payloads_are_escaped_in_the_index(hostile_report):
    index = (hostile_report / "index.html").read_text(encoding="utf-8")
    assert "<img src=x" not in index and "<b onmouseover" not in index
    assert "<script>window" not in index
    assert "&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;</a>" in index  # title
    assert "&lt;b onmouseover=&#34;window.__pwned=4&#34;&gt;Speaker&lt;/b&gt;" in index
    assert "Belarus &lt;script&gt;window.__pwned=1&lt;/script&gt;" in index  # a headline
    assert "note=" not in index  # parameters are not printed
    assert f'href="{STEM}.html"' in index


def test_payloads_are_escaped_in_the_html(hostile_report):
    html = (hostile_report / f"{STEM}.html").read_text(encoding="utf-8")
    for payload in PAYLOADS.values():
        for dangerous in (
            "<script>window.__pwned",
            "<img src=x",
            "<svg onload",
            "<iframe src",
            "<b onmouseover",
            '<a href="javascript',
        ):
            if dangerous in payload:
                assert html.count(dangerous) == 0, dangerous
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    hrefs = []

    class Anchors(HTMLParser):
        def handle_starttag(self, tag, attrs):
            hrefs.extend(value for name, value in attrs if tag == "a" and name == "href")

    Anchors().feed(html)
    assert PAYLOADS["url"] in hrefs  # the whole URL stays inside its attribute
    beside = {path.name for path in hostile_report.iterdir()}  # the page's own files
    assert not [
        href
        for href in hrefs
        if not href.startswith(("https:", "http:", "#")) and href not in beside
    ]


def test_static_images_hold_text_not_markup(hostile_report):
    svgs = list(hostile_report.glob("*.svg"))
    assert svgs
    for svg in svgs:
        root = ElementTree.parse(svg).getroot()  # well-formed XML: the payloads did not break it
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in {"script", "img", "iframe", "foreignObject", "a"}, tag
            assert not [name for name in element.attrib if name.lower().startswith("on")]
    assert any(
        PAYLOADS["name"] in "".join(ElementTree.parse(svg).getroot().itertext()) for svg in svgs
    )


def test_the_page_shows_the_same_safe_pictures(hostile_report):
    """Each chart's <img> in the page is the published SVG beside it: the checks above hold
    for what the browser shows before (and without) the interactive chart."""
    html = (hostile_report / f"{STEM}.html").read_text(encoding="utf-8")
    sources = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                sources.append(dict(attrs)["src"])

    Images().feed(html)
    assert sources == [f"{STEM}-chart-{number}.svg" for number in (1, 2)]


def test_findings_csv_keep_the_text_as_it_was_written(hostile_report):
    rows = list(
        csv.DictReader(
            io.StringIO((hostile_report / f"{STEM}.comparison.csv").read_text(encoding="utf-8"))
        )
    )
    names = {row["actor"] for row in rows}
    assert {PAYLOADS["name"], PAYLOADS["peer"]} <= names
    kazakhstan = next(row for row in rows if row["actor"] == PAYLOADS["peer"])
    assert PAYLOADS["quote"] in kazakhstan.values()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")
def test_no_payload_runs_in_a_browser(hostile_report, browser):
    for page_name in (f"{STEM}.html", "index.html"):
        page, errors, outside = open_offline(browser, hostile_report / page_name)
        if page_name != "index.html":
            page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
            for chart in page.query_selector_all(".vega-chart svg"):
                box = chart.bounding_box()
                for step in range(1, 40):  # sweep the pointer: tooltips show the payloads
                    page.mouse.move(
                        box["x"] + box["width"] * step / 40,
                        box["y"] + box["height"] * ((step * 7) % 40) / 40,
                    )
            text = page.inner_text("body")
            assert PAYLOADS["name"] in text and PAYLOADS["quote"] in text
        assert page.evaluate("() => window.__pwned") is None
        # the static pictures were replaced by the charts; no payload made an element
        assert page.evaluate("() => document.querySelectorAll('img, iframe').length") == 0
        assert errors == [] and outside == []
