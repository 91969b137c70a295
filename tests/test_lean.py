"""Renders import what they use, measured on the `reactions` command itself (`-X importtime`).

`rfc3987_syntax` (installed with JupyterLab, through jupyter-events) costs about 0.8 s to import:
jsonschema builds an IRI grammar with it that nothing here uses. The render command once imported
it through `papermill.cli` before the render module could block it, in every render. A publish
run's parent only checks, schedules and publishes: it needs none of the page-making libraries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.paths import DATA, ROOT

PAGE_LIBRARIES = {"altair", "pandera", "nbconvert", "vl_convert", "sklearn"}
KERNEL_ONLY = {"altair", "pandera", "sklearn"}  # a render process exports, it makes no page
IRI_GRAMMAR = "rfc3987_syntax.syntax_helpers"  # what importing rfc3987_syntax really loads


def imported(arguments: list[str], env: dict[str, str] | None = None) -> set[str]:
    """The modules one run of the command imported in its own process (a blocked import is
    listed too, but never its submodules)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reactions.cli", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | (env or {}),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


def test_a_render_imports_neither_rfc3987_syntax_nor_what_only_the_kernel_needs(tmp_path: Path):
    modules = imported(["render", "brief", "--data", str(DATA), "--out", str(tmp_path)])
    assert {"papermill", "nbconvert"} <= modules  # the measurement sees the render's imports
    assert not modules & (KERNEL_ONLY | {IRI_GRAMMAR})


def test_a_publish_parent_imports_no_page_library(tmp_path: Path):
    schedule = tmp_path / "one.yml"
    schedule.write_text(
        "pages:\n  - notebook: brief\n    focal_actor: belarus\n    as_of: 2022-09-26\n",
        encoding="utf-8",
    )
    out = tmp_path / "report"
    command = ["publish", "--schedule", str(schedule), "--jobs", "1", "--data", str(DATA)]
    modules = imported(
        [*command, "--out", str(out)],
        env={"REACTIONS_FRESH_KERNELS": "1"},  # the page renders in a process of its own
    )
    assert (out / "index.html").is_file()
    assert "papermill" in modules  # parameters are checked against the notebook's own
    assert not modules & (PAGE_LIBRARIES | {IRI_GRAMMAR})
