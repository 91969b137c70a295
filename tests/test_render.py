"""Rendering any page: parameters checked before any kernel starts; the page published
atomically with its notebook, static charts and one CSV per finding."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from reactions.cli import main
from reactions.html import external_resources
from reactions.present import SVG_MIMETYPE, VEGALITE_MIMETYPE
from support.paths import (
    BRIEF_STEM,
    BRIEF_TITLE,
    DATA,
    NOTEBOOK,
    NOTEBOOKS,
    ROOT,
    SINCE_STEM,
    STORY,
)
from support.processes import KernelTrap
from support.rendering import copy_report, render_cli

VALID_ACTORS = "valid: armenia, belarus, brazil,"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["--actor", "belarusia"],
            ["focal_actor: unknown actor 'belarusia' (closest: belarus, "],
        ),
        (
            ["--issue", "recognise"],
            [
                "issue: unknown issue 'recognise' (closest: recognition); valid: "
                "belarus_involvement, mobilization, recognition, war_participation"
            ],
        ),
        (
            ["--as-of", "2022-02-30"],
            [
                "as_of: expected a real date written YYYY-MM-DD (e.g. '2022-09-26'), "
                "got '2022-02-30'"
            ],
        ),
        (
            ["--as-of", "26.09.2022"],
            [
                "as_of: expected a real date written YYYY-MM-DD (e.g. '2022-09-26'), "
                "got '26.09.2022'"
            ],
        ),
        (
            ["-p", "as_of", "20221031"],
            [
                "as_of: expected a date written YYYY-MM-DD (e.g. '2022-09-26') as text, "
                "got the int 20221031"
            ],
        ),
        (  # every bad parameter at once, one line each
            ["--actor", "narnia", "--as-of", "2022"],
            [
                "focal_actor: unknown actor 'narnia' (closest: ",
                "as_of: expected a real date written YYYY-MM-DD (e.g. '2022-09-26'), got '2022'",
            ],
        ),
        (
            ["-p", "nope", "1"],
            [
                "brief: unknown parameter(s) nope; this page takes focal_actor, issue, as_of, "
                "compare_to, compare_with, data_dir"
            ],
        ),
    ],
)
def test_bad_parameters_exit_2_one_line_each_before_any_kernel(
    tmp_path, capsys, monkeypatch, arguments, expected
):
    options = ["--actor", "belarus", "--issue", "recognition"]  # as_of: the story's default
    trap = KernelTrap(tmp_path / "trap")
    monkeypatch.setenv("JUPYTER_PATH", trap.environ["JUPYTER_PATH"])
    code = main(
        [
            "render",
            "brief",
            *options,
            *arguments,
            "--data",
            str(DATA),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == len(expected), lines
    assert lines[0].startswith("error: ")
    for line, wanted in zip(lines, expected, strict=True):
        assert wanted in line, line
    if "narnia" in arguments:
        assert VALID_ACTORS in lines[0]
    assert not (tmp_path / "out").exists()
    assert not trap.started


@pytest.fixture(scope="module")
def rendered(brief_report, tmp_path_factory) -> Path:
    return copy_report(brief_report, tmp_path_factory.mktemp("render") / "report")


def names(folder: Path) -> set[str]:
    """The files published beside a page: the only things its markup may point to."""
    return {path.name for path in folder.iterdir()}


def test_render_writes_html_notebook_charts_and_findings(rendered):
    assert sorted(path.name for path in rendered.iterdir()) == sorted(
        [f"{BRIEF_STEM}-chart-{n}.{ext}" for n in (1, 2) for ext in ("png", "svg")]
        + [f"{BRIEF_STEM}.{finding}.csv" for finding in ("comparison", "coverage", "groups")]
        + [f"{BRIEF_STEM}.html", f"{BRIEF_STEM}.ipynb", f"{BRIEF_STEM}.share.png"]
        + [f"{STORY}.method.html"]
    )
    svg = (rendered / f"{BRIEF_STEM}-chart-1.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Belarus" in svg
    assert (rendered / f"{BRIEF_STEM}-chart-1.png").read_bytes().startswith(b"\x89PNG")
    executed = nbformat.read(rendered / f"{BRIEF_STEM}.ipynb", as_version=4)
    parameters = executed.metadata["papermill"]["parameters"]
    assert parameters["focal_actor"] == "belarus" and parameters["as_of"] == "2022-09-26"
    assert parameters["data_dir"] == str(DATA)
    charts = [
        output
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if VEGALITE_MIMETYPE in output.get("data", {})
    ]
    assert len(charts) == 2
    assert all(output["data"][SVG_MIMETYPE].startswith("<svg") for output in charts)
    assert VEGALITE_MIMETYPE == "application/vnd.vegalite.v5+json"


def test_findings_are_published_as_csv(rendered):
    rows = list(
        csv.DictReader(
            io.StringIO((rendered / f"{BRIEF_STEM}.comparison.csv").read_text(encoding="utf-8"))
        )
    )
    assert list(rows[0])[:5] == ["actor", "group", "position", "score", "set on"]
    belarus = [row for row in rows if row["actor"] == "Belarus"]
    assert len(belarus) == 1 and belarus[0]["score"] == "0"
    coverage = (rendered / f"{BRIEF_STEM}.coverage.csv").read_text(encoding="utf-8")
    groups = (rendered / f"{BRIEF_STEM}.groups.csv").read_text(encoding="utf-8")
    assert coverage.count("\n") >= 2 and groups.count("\n") >= 2


def test_rendered_html_is_offline_and_carries_the_headline(rendered):
    html = (rendered / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    assert external_resources(html, beside=names(rendered)) == []
    # no file loaded from anywhere (the canonical link names the page itself, never fetched)
    assert not re.search(r"<script[^>]+src=|<link(?![^>]*canonical)[^>]+href=|@import", html)
    assert f"<title>{BRIEF_TITLE}</title>" in html
    text = re.sub(r"<[^>]+>", "", html)
    assert (
        "Among Kazakhstan, Serbia and South Ossetia, Belarus stands between Kazakhstan "
        "(implicit rejection, -1), below, and South Ossetia (implicit support, +1), above"
    ) in text
    assert "Opening remarks at the Lukashenka–Putin talks in Sochi" in text
    assert html.count("window.vegaEmbed=") == 1
    assert "focal_actor =" not in html and "focal_actor: str" not in html  # cells hidden
    assert "<dd>focal_actor=belarus, issue=recognition, as_of=2022-09-26," in html  # provenance


class ChartPictures(HTMLParser):
    """Each <img>, with the classes of the elements it sits in."""

    VOID = frozenset({"img", "br", "hr", "meta", "link", "input", "source", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str]] = []
        self.images: list[tuple[list[tuple[str, str]], dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append((list(self.open), attributes))
        if tag not in self.VOID:
            self.open.append((tag, attributes.get("class") or ""))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass


def test_each_chart_is_its_static_svg_until_vega_draws_it(rendered):
    html = (rendered / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    assert html.count('<figure class="reactions-chart">') == 2
    specs = re.findall(
        r'<script class="vega-spec" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert len(specs) == 2
    assert all("vega-lite" in json.loads(spec)["$schema"] for spec in specs)
    parser = ChartPictures()
    parser.feed(html)
    assert len(parser.images) == 2
    for number, (inside, image) in enumerate(parser.images, start=1):
        assert inside[-2:] == [("figure", "reactions-chart"), ("div", "vega-chart")], inside
        assert image["class"] == "static-chart"
        assert image["alt"] == json.loads(specs[number - 1])["description"]  # its finding
        assert image["src"] == f"{BRIEF_STEM}-chart-{number}.svg"  # the picture beside the page
        assert (rendered / image["src"]).read_bytes().startswith(b"<svg")
    assert "picture.remove()" in html  # the interactive chart replaces the picture on success


def test_failed_render_keeps_the_last_good_page_and_its_notebook(rendered, tmp_path, capsys):
    html = rendered / f"{BRIEF_STEM}.html"
    before = {path.name: path.read_bytes() for path in rendered.iterdir()}
    broken = nbformat.read(NOTEBOOK, as_version=4)
    broken.cells.insert(1, nbformat.v4.new_code_cell("raise RuntimeError('broken on purpose')"))
    broken_path = tmp_path / "brief.ipynb"
    nbformat.write(broken, broken_path)
    assert render_cli(rendered, notebook=broken_path) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("render failed, nothing replaced: the notebook failed in cell ")
    assert "RuntimeError: broken on purpose" in error
    assert error.endswith(f"the error notebook is {rendered / '_failed' / f'{BRIEF_STEM}.ipynb'}")
    assert html.read_bytes() == before[html.name]
    assert {path.name: path.read_bytes() for path in rendered.iterdir() if path.is_file()} == before
    assert not [path for path in rendered.rglob(".*") if path.name.endswith(".tmp")]
    kept = nbformat.read(rendered / "_failed" / f"{BRIEF_STEM}.ipynb", as_version=4)
    assert any(
        output.get("evalue") == "broken on purpose"
        for cell in kept.cells
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            ["--compare-to", "2022-13-01"],
            "compare_to: expected a real date written YYYY-MM-DD (e.g. '2022-09-26'), "
            "got '2022-13-01'",
        ),
        (["--compare-to", "2022-09-26"], "compare_to: 2022-09-26 must be before as_of 2022-09-26"),
        (
            ["--compare-with", "kazakstan"],
            "compare_with: unknown actor 'kazakstan' (closest: kazakhstan, tajikistan); valid: ",
        ),
    ],
)
def test_bad_comparison_parameters_exit_2(tmp_path, capsys, extra, expected):
    assert render_cli(tmp_path / "out", *extra) == 2
    assert f"error: {expected}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_compare_to_brief_has_its_own_name_and_changes(since_report):
    """conftest's since_report: `render --compare-to 2022-09-26` of the brief as of 31 October."""
    stem = f"{STORY}.brief.belarus.recognition.2022-10-31.since-2022-09-26"
    assert stem == SINCE_STEM
    text = re.sub(r"<[^>]+>", "", (since_report / f"{stem}.html").read_text(encoding="utf-8"))
    assert "Between 26 September 2022 and 31 October 2022" in text
    assert sorted(path.name for path in since_report.glob(f"{stem}.*.csv")) == [
        f"{stem}.{finding}.csv" for finding in ("changes", "comparison", "coverage", "groups")
    ]


def test_compare_shortcut_renders_the_compare_page_offline(tmp_path, capsys):
    code = main(
        [
            "compare",
            "--as-of",
            "2022-10-31",
            "--group",
            "russia_allies",
            "--data",
            str(ROOT / "data"),  # a folder of stories: its default story
            "--out",
            str(tmp_path),
            "--notebooks",
            str(NOTEBOOKS),
        ]
    )
    assert code == 0
    stem = f"{STORY}.compare.all.2022-10-31.russia_allies"
    assert f"rendered {tmp_path / f'{stem}.html'} (" in capsys.readouterr().out
    html = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
    assert external_resources(html, beside=names(tmp_path)) == []
    assert "Kazakhstan (rejected in words, abstained)" in html
    assert (tmp_path / f"{stem}.ipynb").exists() and (tmp_path / f"{stem}.matrix.csv").exists()
    executed = nbformat.read(tmp_path / f"{stem}.ipynb", as_version=4)
    assert executed.metadata["papermill"]["parameters"]["group"] == "russia_allies"
    code = main(
        [
            *("compare", "--as-of", "2022-10-31", "--group", "allies"),
            *("--notebooks", str(NOTEBOOKS), "--out", str(tmp_path / "refused")),
        ]
    )
    assert code == 2
    assert (
        "error: group: unknown group 'allies' (closest: all, russia_allies); valid: "
        in capsys.readouterr().err
    )
    assert not (tmp_path / "refused").exists()


def test_render_actor_page_with_a_parameter(tmp_path, capsys):
    code = main(
        [
            "render",
            "actor",
            "-p",
            "actor",
            "belarus",
            "--data",
            str(DATA),
            "--out",
            str(tmp_path),
            "--notebooks",
            str(NOTEBOOKS),
        ]
    )
    assert code == 0, capsys.readouterr().err
    stem = f"{STORY}.actor.belarus.2022-09-26"  # the story's default date
    assert f"rendered {tmp_path / f'{stem}.html'} (" in capsys.readouterr().out
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"{stem}-chart-1.png",
        f"{stem}-chart-1.svg",
        f"{stem}.history.csv",
        f"{stem}.html",
        f"{stem}.ipynb",
        f"{stem}.share.png",
        f"{STORY}.method.html",
    ]
    html = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
    assert external_resources(html, beside=names(tmp_path)) == []
    assert (
        "<title>Belarus hedges on recognition of the “referendums”, rejects mobilization and "
        "rejects taking part in the war</title>"
    ) in html
    assert html.count('class="vega-chart"') == 1
    executed = nbformat.read(tmp_path / f"{stem}.ipynb", as_version=4)
    assert executed.metadata["papermill"]["parameters"] == {
        "actor": "belarus",
        "as_of": "2022-09-26",
        "data_dir": str(DATA),
    }
    history = (tmp_path / f"{stem}.history.csv").read_text(encoding="utf-8")
    assert history.count("\n") > 2
