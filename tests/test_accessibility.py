"""Accessibility: axe-core runs in headless Chromium, offline, on a brief, a compare page and the
index, at a desktop and at a phone width: no serious or critical violation. Every chart says its
finding in words (the spec's description: the picture's alt text, the figure's caption and the
drawn chart's accessible name); the page has a language and its headings go in order.

axe-core is pinned in tools/axe/package-lock.json; `make test` installs it (`npm ci`). Skipped,
with the reason, only where it or Chromium is absent; under CI a missing one fails.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest

from support.paths import BRIEF_STEM, COMPARE_STEM, ROOT
from test_browser import CHARTS_DRAWN, CHROMIUM, open_offline

AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = json.loads((ROOT / "tools" / "axe" / "package.json").read_text())["dependencies"][
    "axe-core"
]
if os.environ.get("CI") and not AXE.exists():
    raise RuntimeError("CI must run the axe-core check: `make test` installs it (tools/axe)")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here"),
    pytest.mark.skipif(
        not AXE.exists(), reason="axe-core is not installed: `make test` installs it (npm)"
    ),
]
PAGES = {"brief": f"{BRIEF_STEM}.html", "compare": f"{COMPARE_STEM}.html", "index": "index.html"}
BLOCKING = ("serious", "critical")


@pytest.fixture
def report(pages_report) -> Path:
    """The default brief, the compare page of 31 October 2022 and their index (conftest)."""
    return pages_report


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is, its script injected from the pinned file."""
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.version") == AXE_VERSION
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def described(violations: list[dict]) -> str:
    return "\n".join(
        f"{item['id']} [{item['impact']}] {item['help']}: "
        + "; ".join(" ".join(node["target"]) for node in item["nodes"][:5])
        + (f" (+{len(item['nodes']) - 5} more)" if len(item["nodes"]) > 5 else "")
        for item in violations
    )


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(browser, report, name, width):
    page, errors, outside = open_offline(browser, report / PAGES[name], width=width)
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    violations = axe_violations(page)
    print(f"axe-core {AXE_VERSION} on {name} at {width} px: {len(violations)} violations")
    if violations:
        print(described(violations))
    blocking = [item for item in violations if item["impact"] in BLOCKING]
    assert blocking == [], described(blocking)
    assert errors == [] and outside == []


class Outline(HTMLParser):
    """The page's language, its heading levels in order, and each chart figure's parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.headings: list[int] = []
        self.figures: list[dict[str, str]] = []
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "figure" and attributes.get("class") == "reactions-chart":
            self.figures.append({})
        if tag == "img" and attributes.get("class") == "static-chart":
            self.figures[-1]["alt"] = attributes.get("alt") or ""
        if tag == "figcaption":
            self._caption = []
        if tag == "div" and attributes.get("class") == "vega-chart":
            self.figures[-1]["tabindex"] = attributes.get("tabindex") or ""

    def handle_endtag(self, tag):
        if tag == "figcaption" and self._caption is not None:
            self.figures[-1]["caption"] = "".join(self._caption)
            self._caption = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)


def outline(path: Path) -> tuple[Outline, list[dict]]:
    html = path.read_text(encoding="utf-8")
    parsed = Outline()
    parsed.feed(html)
    specs = [
        json.loads(spec)
        for spec in re.findall(
            r'<script class="vega-spec" type="application/json">(.*?)</script>', html, re.DOTALL
        )
    ]
    return parsed, specs


@pytest.mark.parametrize("name", list(PAGES))
def test_language_is_set_and_headings_go_in_order(report, name):
    parsed, _ = outline(report / PAGES[name])
    assert parsed.lang == "en"
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1, parsed.headings
    steps = [later - earlier for earlier, later in pairwise(parsed.headings)]
    assert max(steps) <= 1, parsed.headings  # never h1 -> h3


def test_every_chart_says_its_finding_in_words(report):
    expected = {
        "brief": [
            "Where the actors stand on recognition of the “referendums”, 26 September 2022: "
            "12 rejecting, 1 ambiguous, 3 supporting. Positions of 16 actors: 11 explicit "
            "rejection (-2), 1 implicit rejection (-1), 1 ambiguous (0), 2 implicit support (+1), "
            "1 explicit support (+2). Belarus, highlighted: ambiguous (0), then silent on "
            "26 September 2022.",
            "Every statement on recognition of the “referendums” up to 26 September 2022, against "
            "the events it answers. 22 statements by 16 actors, 20 September 2022 to "
            "26 September 2022: 11 explicit rejection (-2), 2 implicit rejection (-1), "
            "2 ambiguous (0), 3 implicit support (+1), 3 explicit support (+2), 1 silent. "
            'Events marked: "Referendums" announced, Partial mobilization announced in Russia, '
            '"Referendums" held and Lukashenka–Putin talks in Sochi.',
        ],
        "compare": [
            "Where every actor stands on each issue, 31 October 2022. Positions of 42 actors "
            "on 4 issues.",
            "Positions the day before A/RES/ES-11/4 against the recorded votes. Position the day "
            "before the vote, and the vote, of 42 actors.",
        ],
    }
    for name, captions in expected.items():
        parsed, specs = outline(report / PAGES[name])
        assert len(parsed.figures) == len(specs) == len(captions)
        for figure, spec, caption in zip(parsed.figures, specs, captions, strict=True):
            assert figure["caption"].startswith(caption), figure["caption"]
            finding, _, source = figure["caption"].partition(" Source: ")
            assert finding.endswith(spec["description"])  # then the line that says its source
            assert source.startswith("the statements and votes of the dataset "), source
            assert figure["alt"] == spec["description"]  # the picture's text is the finding
            assert figure["tabindex"] == "0"  # a chart wider than a phone scrolls by keyboard


def test_the_drawn_chart_is_named_by_its_finding(browser, report):
    page, errors, _ = open_offline(browser, report / PAGES["brief"])
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    named = page.eval_on_selector_all(
        ".vega-chart .vega-embed",
        "nodes => nodes.map(n => [n.getAttribute('role'), n.getAttribute('aria-label')])",
    )
    _, specs = outline(report / PAGES["brief"])
    assert named == [["graphics-document", spec["description"]] for spec in specs]
    assert errors == []


def test_the_check_sees_a_violation_when_there_is_one(browser):
    """The harness is not vacuous: a picture without a text alternative is reported."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>'
    )
    violations = axe_violations(page)
    assert [(item["id"], item["impact"]) for item in violations] == [("image-alt", "critical")]
    context.close()


def test_axe_core_is_pinned_exactly():
    """One exact version in package.json, the same in the lock file, with its checksum."""
    lock = json.loads((ROOT / "tools" / "axe" / "package-lock.json").read_text())
    assert re.fullmatch(r"\d+\.\d+\.\d+", AXE_VERSION)
    locked = lock["packages"]["node_modules/axe-core"]
    assert locked["version"] == AXE_VERSION and locked["integrity"].startswith("sha512-")
    assert lock["packages"][""]["dependencies"] == {"axe-core": AXE_VERSION}
    assert json.loads((AXE.parent / "package.json").read_text())["version"] == AXE_VERSION
