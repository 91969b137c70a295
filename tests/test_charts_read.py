"""Charts that read, measured where the reader sees them: every page of schedule.yml (both
stories' briefs, compare and actor pages) is published, opened offline in Debian's headless
Chromium at a desktop and a phone width, and every text of every chart is measured once the
chart is drawn.

What is measured: a published page shows each chart's static picture, then replaces it with the
interactive chart that the inlined Vega runtime draws as SVG (`CHARTS_DRAWN`: no picture left,
an <svg> in every chart). Each visible, non-empty <text> of that SVG is the box Chromium lays it
out in: its getBBox() through its screen transform, so a slanted or rotated label is a slanted
or rotated box. Two texts overlap when their boxes intersect by more than TOLERANCE pixels in
every direction (the least depth of intersection over the boxes' edge normals, by the
separating axis theorem); a failure names the page, the width, the chart and both texts.

Also: every time axis (the timelines, an actor's history) is as long as its statements: the
first and the last statement mark lie at least SPAN_AT_LEAST of the axis apart, measured on the
drawn marks against the drawn axis; the 2008 timeline is measured by name.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.paths import NOTEBOOKS, ROOT
from test_browser import CHARTS_DRAWN, CHROMIUM, open_offline

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the chart check: install Debian's chromium (.ci/run does)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")

TOLERANCE = 1.0  # pixels two text boxes may share (antialiasing, a font's rounding)
SPAN_AT_LEAST = 0.8  # of a time axis, between its first and last statement
WIDTHS = {"desktop": 1280, "phone": 375}
STORIES = ("ukraine-annexation-2022", "georgia-recognition-2008")
TIMELINE_2008 = "georgia-recognition-2008.brief.belarus.recognition.2008-09-30"

# Every chart's texts and the pairs of them that overlap by more than `tolerance` pixels.
MEASURE_TEXTS = """
(tolerance) => {
  const shown = (node, svg) => {
    for (let n = node; n && n !== svg.parentNode; n = n.parentNode) {
      const style = getComputedStyle(n);
      if (style.display === "none" || style.visibility === "hidden" || +style.opacity === 0
          || +style.fillOpacity === 0) return false;
    }
    return true;
  };
  const corners = (text) => {
    const box = text.getBBox(), m = text.getScreenCTM();
    return [[box.x, box.y], [box.x + box.width, box.y],
            [box.x + box.width, box.y + box.height], [box.x, box.y + box.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  };
  const depth = (p, q) => {  // the least intersection of two convex boxes over their normals
    let least = Infinity;
    for (const box of [p, q]) {
      for (let i = 0; i < 4; i++) {
        const [x1, y1] = box[i], [x2, y2] = box[(i + 1) % 4];
        const length = Math.hypot(x2 - x1, y2 - y1);
        if (!length) continue;
        const nx = (y1 - y2) / length, ny = (x2 - x1) / length;
        const along = (b) => b.map(([x, y]) => x * nx + y * ny);
        const a = along(p), b = along(q);
        least = Math.min(least, Math.min(Math.max(...a), Math.max(...b))
                                - Math.max(Math.min(...a), Math.min(...b)));
      }
    }
    return least;
  };
  return [...document.querySelectorAll(".vega-chart")].map((chart, index) => {
    const svg = chart.querySelector("svg");
    const texts = !svg ? [] : [...svg.querySelectorAll("text")]
      .filter((t) => t.textContent.trim() && shown(t, svg))
      .map((t) => ({text: t.textContent.trim(), box: corners(t)}))
      .filter(({box}) => Math.hypot(box[2][0] - box[0][0], box[2][1] - box[0][1]) > 0);
    const overlaps = [];
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const d = depth(texts[i].box, texts[j].box);
        if (d > tolerance) overlaps.push([texts[i].text, texts[j].text, Math.round(d * 10) / 10]);
      }
    return {chart: chart.getAttribute("aria-label") || `chart ${index + 1}`, drawn: !!svg,
            texts: texts.length, overlaps};
  });
}
"""

# Per chart with a time axis: where its axis and its first and last statement mark are drawn.
MEASURE_SPANS = """
() => [...document.querySelectorAll(".vega-chart")].flatMap((chart) => {
  const svg = chart.querySelector("svg");
  const axis = svg && [...svg.querySelectorAll("g.role-axis")].find(
    (g) => /^X-axis for a (utc|time) scale/.test(g.getAttribute("aria-label") || ""));
  if (!axis) return [];
  const line = axis.querySelector(".role-axis-domain line, .role-axis-domain path")
    .getBoundingClientRect();
  const xs = [...svg.querySelectorAll("g.mark-symbol.role-mark path")].map((mark) => {
    const box = mark.getBoundingClientRect();
    return box.left + box.width / 2;
  });
  return [{chart: chart.getAttribute("aria-label"), axis: [line.left, line.right],
           first: Math.min(...xs), last: Math.max(...xs), marks: xs.length}];
})
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    """Every page of schedule.yml, published as `reactions publish` does."""
    from reactions.cli import main

    out = tmp_path_factory.mktemp("charts-read")
    code = main(
        [
            *("publish", "--schedule", str(ROOT / "schedule.yml"), "--jobs", "2"),
            *("--data", str(ROOT / "data"), "--out", str(out), "--notebooks", str(NOTEBOOKS)),
        ]
    )
    assert code == 0
    found = sorted(
        path
        for path in out.glob("*.html")
        if path.name != "index.html" and not path.name.endswith(".method.html")
    )
    kinds = {tuple(path.name.split(".")[:2]) for path in found}
    assert kinds == {(story, page) for story in STORIES for page in ("brief", "compare", "actor")}
    return found


@pytest.fixture(scope="module")
def measured(browser, pages):
    """Each page opened once per width: (page, its charts' texts, its time axes), by width."""
    done: dict[int, list[tuple[Path, list[dict], list[dict]]]] = {}

    def at(width: int) -> list[tuple[Path, list[dict], list[dict]]]:
        if width not in done:
            done[width] = []
            for path in pages:
                page, errors, outside = open_offline(browser, path, width=width)
                page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
                page.evaluate("() => document.fonts.ready")
                texts, spans = page.evaluate(MEASURE_TEXTS, TOLERANCE), page.evaluate(MEASURE_SPANS)
                page.context.close()
                assert texts and errors == [] and outside == [], (path.name, errors, outside)
                done[width].append((path, texts, spans))
        return done[width]

    return at


@pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))
def test_no_two_texts_of_any_chart_overlap(measured, width):
    overlaps, counted = [], []
    for path, charts, _ in measured(width):
        for chart in charts:
            assert chart["drawn"] and chart["texts"] > 5, (path.name, chart)
            counted.append(chart["texts"])
            overlaps += [
                f"{path.stem} at {width} px, chart {chart['chart']!r}: {first!r} and {second!r} "
                f"overlap by {depth} px"
                for first, second, depth in chart["overlaps"]
            ]
    print(f"{width} px: {len(measured(width))} pages, {len(counted)} charts, {sum(counted)} texts")
    assert overlaps == [], "\n".join(overlaps)


@pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))
def test_time_axes_are_as_long_as_their_statements(measured, width):
    spans = {}
    for path, _, axes in measured(width):
        for chart in axes:
            (left, right), first, last = chart["axis"], chart["first"], chart["last"]
            if chart["marks"] > 1 and last > first:  # statements on more than one day
                spans[(path.stem, chart["chart"])] = (last - first) / (right - left)
    timelines_2008 = [span for (stem, _), span in spans.items() if stem == TIMELINE_2008]
    assert len(timelines_2008) == 1, spans  # the brief's timeline (its spectrum has no time)
    print(f"{width} px: the 2008 timeline's statements span {timelines_2008[0]:.1%} of its axis")
    short = {key: f"{span:.1%}" for key, span in spans.items() if span < SPAN_AT_LEAST}
    assert short == {}, short


def test_the_measure_sees_overlaps_and_only_overlaps(browser):
    """Not vacuous: crossing texts are found, with their names; parallel slanted labels that do
    not touch, texts that only meet within the tolerance, and hidden texts are not."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    page.set_content(
        '<div class="vega-chart" aria-label="fixture"><svg width="400" height="200">'
        '<text x="10" y="20" font-size="10">Collective Security Treaty</text>'
        '<text x="60" y="24" font-size="10">Organization</text>'  # crosses the first
        '<text transform="translate(100,150) rotate(-30)" font-size="10">Explicit rejection</text>'
        '<text transform="translate(140,150) rotate(-30)" font-size="10">Implicit rejection</text>'
        '<text x="300" y="20" font-size="10">a</text>'
        '<text x="300" y="20" font-size="10" opacity="0">hidden over a</text>'
        "</svg></div>"
    )
    (chart,) = page.evaluate(MEASURE_TEXTS, TOLERANCE)
    assert chart["texts"] == 5
    assert [(first, second) for first, second, _ in chart["overlaps"]] == [
        ("Collective Security Treaty", "Organization")
    ]
    context.close()
