"""`reactions new-page NAME`: a page from the template (src/reactions/templates/page.ipynb) that
runs under papermill, renders with `reactions render NAME`, passes ruff, and passes nbval once
refreshed as `make refresh` does. Everything happens in a temporary folder of pages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from reactions.cli import PAGE_TEMPLATE, main
from reactions.page import notebook_parameters
from support.paths import DATA, NOTEBOOKS, STORY
from test_stored_outputs import missing_outputs

BIN = Path(sys.executable).parent
NAME = "issue-page"


@pytest.fixture
def pages(tmp_path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOKS / "sanitize.cfg", folder / "sanitize.cfg")
    assert main(["new-page", NAME, "--notebooks", str(folder)]) == 0
    return folder


def test_the_template_is_a_page_without_outputs_kept_outside_notebooks():
    assert PAGE_TEMPLATE.parent.name == "templates" and not PAGE_TEMPLATE.is_relative_to(NOTEBOOKS)
    assert notebook_parameters(PAGE_TEMPLATE) == {"issue": "", "as_of": "", "data_dir": ""}
    template = nbformat.read(PAGE_TEMPLATE, as_version=4)
    code = [cell.source for cell in template.cells if cell.cell_type == "code"]
    assert "open_dataset(" in code[1] and "footer.record(data, checked)" in code[1]
    assert code[-1] == "footer.provenance(page)"
    assert all(not cell.get("outputs") for cell in template.cells)


def test_new_page_refuses_a_bad_name_and_an_existing_page(pages, capsys):
    assert main(["new-page", "Issue.Page", "--notebooks", str(pages)]) == 2
    assert main(["new-page", NAME, "--notebooks", str(pages)]) == 2
    error = capsys.readouterr().err
    assert "error: new-page: 'Issue.Page' is not a page name" in error
    assert f"error: new-page: {pages / f'{NAME}.ipynb'} exists" in error


def test_a_new_page_runs_under_papermill_renders_and_passes_ruff(pages, tmp_path, capsys):
    notebook = pages / f"{NAME}.ipynb"
    assert [cell.id for cell in nbformat.read(notebook, as_version=4).cells][:2] == [
        f"{NAME}-00",
        f"{NAME}-01",
    ]
    lint = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", str(notebook)], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout
    executed = papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "executed.ipynb"),
        parameters={"issue": "mobilization", "as_of": "2022-10-31"},
        kernel_name="python3",
        progress_bar=False,
    )
    title = next(
        output
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if output.get("metadata", {}).get("reactions", {}).get("role") == "title"
    )
    assert title["data"]["text/plain"].startswith("Where the actors stand on ")
    out = tmp_path / "out"
    code = main(
        [
            *("render", NAME, "--issue", "mobilization", "--as-of", "2022-10-31"),
            *("--data", str(DATA), "--notebooks", str(pages), "--out", str(out)),
        ]
    )
    assert code == 0, capsys.readouterr().err
    stem = f"{STORY}.{NAME}.mobilization.2022-10-31"
    html = (out / f"{stem}.html").read_text(encoding="utf-8")
    assert html.count('class="vega-chart"') == 1
    assert '<footer class="provenance">' in html
    assert (out / f"{stem}.comparison.csv").is_file()


def test_a_new_page_passes_nbval_once_refreshed(pages):
    """As `make refresh` (reactions.review refresh: run, cleaned, in place), then `pytest
    --nbval` on it."""
    notebook = pages / f"{NAME}.ipynb"
    assert missing_outputs(notebook)  # a fresh page holds no reference yet: the suite says so
    refresh = subprocess.run(
        [sys.executable, "-m", "reactions.review", "refresh", str(notebook)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr[-2000:]
    assert missing_outputs(notebook) == []
    nbval = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval"),
            *("--rootdir", str(pages), "--nbval-sanitize-with", str(pages / "sanitize.cfg")),
            str(notebook),
        ],
        cwd=pages,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert nbval.returncode == 0, nbval.stdout[-3000:]
    assert " passed" in nbval.stdout and "failed" not in nbval.stdout
