"""Keep committed notebooks reviewable: outputs a reviewer reads, nothing volatile or doubled.

`make refresh` re-executes the notebooks, then this strips what would make a one-stance change
show up as hundreds of lines: execution timestamps and papermill metadata, and each chart's
Vega-Lite spec (its data sorted and keyed by content hash). A committed chart keeps its static
SVG, which JupyterLab, GitHub and VS Code show; running the notebook brings the interactive
chart back.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import subprocess
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


def clean_files(paths: list[str]) -> int:
    for path in map(Path, paths):
        nbformat.write(clean(nbformat.read(path, as_version=4)), path)
    return 0


def main(arguments: list[str]) -> int:
    """`python -m reactions.review clean|diff NOTEBOOK...` (what make refresh and make diff run)."""
    command, paths = arguments[0], arguments[1:]
    return {"clean": clean_files, "diff": diff}[command](paths)


def moved_findings(before: nbformat.NotebookNode, after: nbformat.NotebookNode) -> list[str]:
    """The text of every output that moved, as a unified diff per cell (the text nbval
    compares); a chart that moved is named in one line."""
    lines: list[str] = []
    old = {cell.source: cell for cell in before.cells if cell.cell_type == "code"}
    for cell in after.cells:
        if cell.cell_type != "code":
            continue
        was = old.get(cell.source)
        texts = [_shown(output) for output in cell.get("outputs", [])]
        previous = [_shown(output) for output in was.get("outputs", [])] if was else []
        if texts == previous:
            continue
        lines.append(f"@@ {cell.source.splitlines()[-1]}")
        for text_before, text_after in itertools.zip_longest(previous, texts, fillvalue=""):
            if text_before.startswith("[chart]") or text_after.startswith("[chart]"):
                lines.append(f"  {text_after or text_before} (picture changed)")
                continue
            diff = difflib.unified_diff(
                text_before.splitlines(), text_after.splitlines(), lineterm="", n=0
            )
            lines += [line for line in diff if not line.startswith(("---", "+++", "@@"))]
    return lines


def _shown(output: dict) -> str:
    data = output.get("data", {})
    if "image/svg+xml" in data:  # a chart: its description, and whether its picture moved
        digest = hashlib.sha1(str(data["image/svg+xml"]).encode()).hexdigest()[:8]
        return f"{data.get('text/plain', '[chart]')} {digest}"
    if "text/plain" in data:
        return str(data["text/plain"])
    return str(output.get("text", output.get("evalue", "")))


def diff(paths: list[str], base: str = "HEAD") -> int:
    """`make diff`: per notebook, only the findings that moved since `base`."""
    for path in paths:
        committed = subprocess.run(
            ["git", "show", f"{base}:{path}"], capture_output=True, text=True, check=False
        )
        if committed.returncode != 0:
            print(f"{path}: new notebook")
            continue
        before = nbformat.reads(committed.stdout, as_version=4)
        moved = moved_findings(before, nbformat.read(path, as_version=4))
        print(f"{path}: {'nothing moved' if not moved else f'{len(moved)} lines moved'}")
        if moved:
            print("\n".join(moved))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
