"""Notebooks made for a test: the real pages with a cell added (how a render is made to fail
mid-run), and tiny pages whose kernel starts and ends in a few seconds."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from support.paths import NOTEBOOKS


def notebook_with(
    folder: Path, source: str, only_for: str | None = None, page: str = "brief"
) -> Path:
    """A copy of the notebooks in `folder`/notebooks whose `page` runs `source` right after its
    opening cell (only for one actor, `page.actor`, if given): how the tests make a render fail
    mid-run. Returns the copied notebooks folder."""
    notebooks = folder / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks, dirs_exist_ok=True)
    if only_for:
        source = f"if page.actor == {only_for!r}:\n" + "\n".join(
            "    " + line for line in source.splitlines()
        )
    path = notebooks / f"{page}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert "page = " in notebook.cells[1].source  # the opening cell, where `page` is made
    notebook.cells.insert(2, nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, path)
    return notebooks


def tiny_page(notebooks: Path, source: str, name: str = "tiny") -> Path:
    """A minimal page (any notebook with a parameters cell is one): parameter `actor`, then
    `source`. Its kernel starts and ends in a few seconds, for tests of the run, not the brief."""
    notebooks.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_code_cell('actor: str = ""', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(source),
        nbformat.v4.new_markdown_cell("## A tiny page"),
    ]
    path = notebooks / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def gate(release: Path, seconds: float = 300) -> str:
    """Page code that holds its render until the test creates `release` (at most `seconds`;
    keep them below the page's timeout): what a test needs to happen mid-render happens for
    sure, not within a guessed sleep."""
    return (
        "import os, time\n"
        f"_limit = time.monotonic() + {seconds}\n"
        f"while not os.path.exists({str(release)!r}) and time.monotonic() < _limit:\n"
        "    time.sleep(0.05)\n"
    )
