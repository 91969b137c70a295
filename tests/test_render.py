"""Rendering: parameters checked before any kernel starts; the page published atomically."""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest

from conftest import DATA, NOTEBOOK, ROOT, render_cli
from reactions.cli import main
from reactions.html import external_resources


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["--actor", "belarusia"],
            "unknown actor 'belarusia'; valid actors, closest first: belarus,",
        ),
        (
            ["--issue", "recognise"],
            "unknown issue 'recognise'; valid issues, closest first: recognition,",
        ),
        (["--as-of", "2022-02-30"], "bad as-of date '2022-02-30'"),
        (["--as-of", "26.09.2022"], "bad as-of date '26.09.2022'"),
    ],
)
def test_bad_parameters_exit_2_listing_valid_values_before_any_kernel(
    tmp_path, capsys, arguments, expected
):
    options = {"--actor": "belarus", "--issue": "recognition", "--as-of": "2022-09-26"}
    options.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    started = time.perf_counter()
    code = main(
        [
            "render",
            *[part for pair in options.items() for part in pair],
            "--data",
            str(DATA),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - started < 30  # diagnostic only: no kernel was started


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert render_cli(out) == 0
    return out


def test_render_writes_html_notebook_and_static_charts(rendered):
    stem = "belarus-recognition-2022-09-26"
    assert sorted(path.name for path in rendered.iterdir()) == [
        f"{stem}-chart-{n}.{ext}" for n in (1, 2) for ext in ("png", "svg")
    ] + [f"{stem}.html", f"{stem}.ipynb"]
    svg = (rendered / f"{stem}-chart-1.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Belarus" in svg
    assert (rendered / f"{stem}-chart-1.png").read_bytes().startswith(b"\x89PNG")
    executed = nbformat.read(rendered / "belarus-recognition-2022-09-26.ipynb", as_version=4)
    assert executed.metadata["papermill"]["parameters"]["focal_actor"] == "belarus"


def test_rendered_html_is_offline_and_carries_the_headline(rendered):
    html = (rendered / "belarus-recognition-2022-09-26.html").read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import", html)
    text = re.sub(r"<[^>]+>", "", html)
    assert (
        "Belarus stands between Kazakhstan (implicit rejection, -1) and South Ossetia "
        "(explicit support, +2)"
    ) in text
    assert "Opening remarks at the Lukashenka–Putin talks in Sochi" in text
    assert html.count("window.vegaEmbed=") == 1
    assert html.count('class="vega-chart"') == 2
    assert "focal_actor" not in html  # parameter cells are hidden


def test_failed_render_keeps_the_last_good_brief(rendered, tmp_path, capsys):
    html = rendered / "belarus-recognition-2022-09-26.html"
    before = html.read_bytes()
    broken = nbformat.read(NOTEBOOK, as_version=4)
    broken.cells.insert(1, nbformat.v4.new_code_cell("raise RuntimeError('broken on purpose')"))
    broken_path = tmp_path / "broken.ipynb"
    nbformat.write(broken, broken_path)
    assert render_cli(rendered, notebook=broken_path) == 1
    assert "broken on purpose" in capsys.readouterr().err
    assert html.read_bytes() == before
    assert not [path for path in rendered.iterdir() if path.name.startswith(".")]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--compare-to", "2022-13-01"], "bad compare-to date '2022-13-01'"),
        (
            ["--compare-to", "2022-09-26"],
            "compare-to date 2022-09-26 must be before the as-of date",
        ),
        (
            ["--compare-with", "kazakstan"],
            "unknown actor 'kazakstan'; valid actors, closest first: kazakhstan",
        ),
    ],
)
def test_bad_comparison_parameters_exit_2(tmp_path, capsys, extra, expected):
    assert render_cli(tmp_path / "out", *extra) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_compare_to_brief_has_its_own_name(tmp_path):
    assert render_cli(tmp_path, "--compare-to", "2022-09-20", as_of="2022-10-31") == 0
    page = tmp_path / "belarus-recognition-2022-10-31-since-2022-09-20.html"
    text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
    assert "Between 20 September 2022 and 31 October 2022" in text


def test_compare_notebook_renders_offline(tmp_path, capsys):
    assert (
        main(
            [
                "compare",
                "--as-of",
                "2022-10-31",
                "--group",
                "russia_allies",
                "--data",
                str(DATA),
                "--out",
                str(tmp_path),
                "--notebook",
                str(ROOT / "notebooks" / "compare.ipynb"),
            ]
        )
        == 0
    )
    html = (tmp_path / "comparison.all.russia_allies.2022-10-31.html").read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert "Kazakhstan (rejected in words, abstained)" in html
    assert (
        main(["compare", "--as-of", "2022-10-31", "--group", "allies", "--out", str(tmp_path)]) == 2
    )
    assert "unknown group 'allies'" in capsys.readouterr().err
