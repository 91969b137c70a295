"""Keep committed notebooks reviewable: outputs a reviewer reads, nothing volatile or doubled.

`make refresh` re-executes the notebooks, then this strips what would make a one-stance change
show up as hundreds of lines: execution timestamps and papermill metadata, and each chart's
Vega-Lite spec (its data sorted and keyed by content hash). A committed chart keeps its static
SVG, which JupyterLab, GitHub and VS Code show; running the notebook brings the interactive
chart back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from reactions.present import VEGALITE_MIMETYPE

VOLATILE_CELL_KEYS = ("execution", "papermill", "ExecuteTime")


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without volatile metadata and without chart specs (SVG kept)."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(VEGALITE_MIMETYPE, None)
    return notebook


def main(paths: list[str]) -> int:
    for path in map(Path, paths):
        nbformat.write(clean(nbformat.read(path, as_version=4)), path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
