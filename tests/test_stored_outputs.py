"""Every notebook under notebooks/ is committed with its reference outputs: nbval compares
against them, and a notebook without them would pass nbval while testing nothing.

A code cell must hold stored outputs unless it prints nothing by design: the parameters cell,
a cell whose last statement is not an expression (an import, an assignment: `page = ...open()`),
and a `display(*...)` call, whose sections may show nothing for some parameters (the compare
page's vote charts before the vote). No stored output may be an error. A new page's template is
kept outside notebooks/ (src/reactions/templates/page.ipynb), without outputs, so that only a
refreshed page sits here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from support.paths import NOTEBOOKS


def shows_something(source: str) -> bool:
    """Whether a cell's last statement is an expression Jupyter shows (not `display(...)`)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return True  # a cell that does not parse shows its error: it must be refreshed
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    value = body[-1].value
    called = value.func if isinstance(value, ast.Call) else None
    return not (isinstance(called, ast.Name) and called.id == "display")


def missing_outputs(path: Path) -> list[str]:
    """Every problem with a notebook's stored outputs, each naming the notebook."""
    notebook = nbformat.read(path, as_version=4)
    problems = []
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code, start=1):
        last = cell.source.strip().splitlines()[-1] if cell.source.strip() else ""
        errors = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        if errors:
            problems.append(
                f"{path.name}: code cell {number} ({last}) stores an error: "
                f"{errors[0].get('ename')}: {errors[0].get('evalue')}"
            )
        if "parameters" in cell.metadata.get("tags", []):
            continue
        if shows_something(cell.source) and not cell.get("outputs"):
            problems.append(f"{path.name}: code cell {number} ({last}) has no stored output")
    if code and not any(cell.get("outputs") for cell in code):
        problems.append(f"{path.name}: no code cell has a stored output")
    return problems


PAGES = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", PAGES, ids=[path.stem for path in PAGES])
def test_every_committed_notebook_holds_its_reference_outputs(path):
    problems = missing_outputs(path)
    assert not problems, (
        "\n".join(problems) + "\nrun `make refresh` and commit the notebook with its outputs"
    )


def test_a_notebook_without_outputs_is_named(tmp_path):
    notebook = nbformat.read(NOTEBOOKS / "brief.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(notebook, tmp_path / "cleared.ipynb")
    problems = missing_outputs(tmp_path / "cleared.ipynb")
    assert "cleared.ipynb: code cell 3 (brief.title(page)) has no stored output" in problems
    assert problems[-1] == "cleared.ipynb: no code cell has a stored output"
    # the parameters cell, `page = brief.open(...)` and display(*...) are not asked for
    assert not [problem for problem in problems if "open(" in problem or "display(" in problem]


def test_a_stored_error_is_named(tmp_path):
    notebook = nbformat.read(NOTEBOOKS / "actor.ipynb", as_version=4)
    cell = next(cell for cell in notebook.cells if cell.source == "actor_page.title(page)")
    cell.outputs = [nbformat.v4.new_output("error", ename="ParameterError", evalue="bad")]
    nbformat.write(notebook, tmp_path / "failed.ipynb")
    assert missing_outputs(tmp_path / "failed.ipynb") == [
        "failed.ipynb: code cell 3 (actor_page.title(page)) stores an error: ParameterError: bad"
    ]


def test_a_cell_that_prints_nothing_by_design_needs_no_output():
    assert not shows_something("from reactions.sections import brief\n\npage = brief.open()")
    assert not shows_something("display(*compare.votes_charts(page))")
    assert not shows_something("")
    assert shows_something("brief.title(page)")
