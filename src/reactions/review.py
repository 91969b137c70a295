"""Keep committed notebooks reviewable: outputs a reviewer reads, nothing volatile or doubled.

`make refresh` re-executes the notebooks, then this strips what would make a one-stance change
show up as more than the findings that moved:

- execution timestamps and papermill metadata;
- each chart's Vega-Lite spec (a committed chart keeps its static SVG, which JupyterLab, GitHub
  and VS Code show; running the notebook brings the interactive chart back);
- volatile text, replaced as nbval replaces it (notebooks/sanitize.cfg: object addresses, the
  data version), and the data version of the footer's record: a committed notebook holds no
  commit, no time and no data version, only findings (a published page holds all three).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

from reactions.present import METADATA_KEY, VEGALITE_MIMETYPE, table_csv

VOLATILE_CELL_KEYS = ("execution", "papermill", "ExecuteTime")
TEXT_MIMETYPES = ("text/plain", "text/html")
Sanitizers = Sequence[tuple[re.Pattern[str], str]]  # (volatile text, what replaces it)


def clean(notebook: nbformat.NotebookNode, volatile: Sanitizers = ()) -> nbformat.NotebookNode:
    """The notebook without volatile metadata, chart specs (SVG kept) and volatile text."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.metadata.get("tags") == []:  # papermill's, when it ran the notebook
            del cell.metadata["tags"]
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            data.pop(VEGALITE_MIMETYPE, None)
            for mimetype in TEXT_MIMETYPES:
                if isinstance(data.get(mimetype), str):
                    data[mimetype] = sanitized(data[mimetype], volatile)
            record = output.get("metadata", {}).get(METADATA_KEY, {}).get("provenance", {})
            record.pop("data_version", None)
    return notebook


def clean_files(paths: list[str]) -> int:
    for path in map(Path, paths):
        volatile = sanitizers(path.parent / "sanitize.cfg")
        nbformat.write(clean(nbformat.read(path, as_version=4), volatile), path)
    return 0


def refresh(paths: list[str]) -> int:
    """`make refresh`: each notebook re-run with its own default parameters by the engine every
    render uses (reactions.engine: a lean kernel over IPC), then cleaned and written in place;
    a notebook that fails is left as it was, and its error said (exit 1)."""
    import papermill

    from reactions.engine import ENGINE_NAME

    for path in map(Path, paths):
        try:  # no parameters: none injected, the notebook's own defaults
            executed = papermill.execute_notebook(
                str(path), None, engine_name=ENGINE_NAME, progress_bar=False, log_output=False
            )
        except papermill.PapermillExecutionError as error:
            print(f"{path}: cell {error.exec_count} failed: {error.ename}: {error.evalue}")
            print(f"{path}: left as it was")
            return 1
        nbformat.write(clean(executed, sanitizers(path.parent / "sanitize.cfg")), path)
        print(f"{path}: refreshed")
    return 0


def main(arguments: list[str]) -> int:
    """`python -m reactions.review refresh|clean|diff NOTEBOOK...` (make refresh, make diff)."""
    command, paths = arguments[0], arguments[1:]
    return {"refresh": refresh, "clean": clean_files, "diff": diff}[command](paths)


def sanitizers(config: Path) -> Sanitizers:
    """nbval's sanitize file, read by nbval itself: the volatile text (object addresses, the
    data version) that is no finding, so it is never stored or shown as moved, exactly as nbval
    replaces it."""
    from nbval.plugin import get_sanitize_patterns  # a test tool: `make diff` installs it

    if not config.is_file():  # a notebook kept elsewhere: nothing is volatile but by rule
        return []
    pairs = get_sanitize_patterns(config.read_text(encoding="utf-8"))
    return [(re.compile(regex), replace) for regex, replace in pairs]


def moved_findings(
    before: nbformat.NotebookNode, after: nbformat.NotebookNode, volatile: Sanitizers | None = None
) -> list[str]:
    """The text of every output that moved, as a unified diff per cell (the text nbval
    compares, with the same `volatile` text replaced); a chart that moved is named in one
    line."""
    lines: list[str] = []
    old = {cell.source: cell for cell in before.cells if cell.cell_type == "code"}

    def shown(output: dict) -> str:
        return sanitized(_shown(output), volatile or ())

    for cell in after.cells:
        if cell.cell_type != "code":
            continue
        was = old.get(cell.source)
        texts = [shown(output) for output in cell.get("outputs", [])]
        previous = [shown(output) for output in was.get("outputs", [])] if was else []
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


def sanitized(text: str, volatile: Sanitizers) -> str:
    for pattern, replacement in volatile:
        text = pattern.sub(replacement, text)
    return text


def _shown(output: dict) -> str:
    data = output.get("data", {})
    if output.get("metadata", {}).get(METADATA_KEY, {}).get("finding"):  # a table: its rows
        return table_csv(str(data.get("text/html", "")))
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
        volatile = sanitizers(Path(path).parent / "sanitize.cfg")
        moved = moved_findings(before, nbformat.read(path, as_version=4), volatile)
        print(f"{path}: {'nothing moved' if not moved else f'{len(moved)} lines moved'}")
        if moved:
            print("\n".join(moved))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
