"""One page pipeline: a checked page spec, papermill's engine registry, nbconvert's exporter,
one writer; outcomes cross the kernel boundary as data (reactions.errors.ErrorRecord)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from reactions.errors import TRY_AGAIN, DataRejected, KernelNotStarted
from reactions.on_dask import _published
from reactions.page import Page, prepare
from reactions.render import ExecutionFailed, build_page
from support.notebooks import tiny_page
from support.paths import DATA, NOTEBOOKS

BIN = Path(sys.executable).parent


def test_a_notebooks_own_refusal_of_its_data_comes_back_as_data_with_exit_code_2(tmp_path):
    """The quick check before the kernel reads codebook, actors and story; a broken
    statements.csv is refused by the notebook's own check, in the kernel."""
    folder = tmp_path / "story"
    shutil.copytree(DATA, folder)
    statements = folder / "statements.csv"
    lines = statements.read_text(encoding="utf-8").splitlines(keepends=True)
    statements.write_text(lines[0] + "not,a,statement\n" + "".join(lines[1:]), encoding="utf-8")
    page = prepare(NOTEBOOKS / "actor.ipynb", {"actor": "belarus"}, folder)
    with pytest.raises(DataRejected) as refused:
        build_page(page)
    assert str(refused.value).startswith("1 problem(s) in the dataset:")
    assert "statements.csv:2" in str(refused.value)
    done = subprocess.run(
        [
            BIN / "reactions",
            "render",
            "actor",
            "-p",
            "actor",
            "belarus",
            "--data",
            str(folder),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "statements.csv:2" in done.stderr
    assert not (tmp_path / "out" / "_failed").exists()  # bad input: its message says it all


def test_an_error_whose_message_says_deadkernel_is_a_cell_error_not_a_dead_kernel(tmp_path):
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, 'raise ValueError("DeadKernelError: Kernel died (not really)")')
    page = prepare(notebooks / "tiny.ipynb", {})
    with pytest.raises(ExecutionFailed) as failed:
        build_page(page)
    assert failed.value.kind == "cell"
    assert "ValueError: DeadKernelError: Kernel died (not really)" in failed.value.reason
    assert failed.value.evidence is not None  # the notebook as far as it ran


def test_a_kernel_that_dies_is_a_dead_kernel_whatever_it_printed(tmp_path):
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, 'print("all is well"); import os, signal; os.kill(os.getpid(), 9)')
    page = prepare(notebooks / "tiny.ipynb", {})
    with pytest.raises(ExecutionFailed) as failed:
        build_page(page)
    assert failed.value.kind == "dead kernel"


class _Done:
    def __init__(self, result: dict) -> None:
        self._result = result

    def result(self) -> dict:
        return self._result


def test_publish_reads_a_workers_outcome_by_its_fields_not_its_words(tmp_path):
    """A worker's failed page whose message mentions DeadKernel but whose failure is the
    page's refusal of its input keeps no error notebook; a cell failure keeps one."""
    notebooks = tmp_path / "notebooks"
    page = Page(tiny_page(notebooks, "pass"), {}, "story.tiny")
    refused = {
        "status": "failed",
        "failure": "input",
        "exit_code": 2,
        "seconds": 1.0,
        "attempts": 1,
        "message": "error: DeadKernel in a quote",
        "evidence": None,
    }
    outcome = _published(_Done(refused), page, tmp_path / "out")
    assert outcome.status == "failed" and outcome.message == "error: DeadKernel in a quote"
    assert not (tmp_path / "out" / "_failed").exists()
    cell = refused | {"failure": "cell", "message": "the notebook failed in cell 2: ValueError: x"}
    outcome = _published(_Done(cell), page, tmp_path / "out")
    kept = tmp_path / "out" / "_failed" / "story.tiny.ipynb"
    assert kept.is_file()
    assert outcome.message.endswith(f"the error notebook is {kept}")


def test_a_kernel_that_does_not_start_exits_75_so_publish_retries_it():
    assert KernelNotStarted("x").exit_code == TRY_AGAIN == 75


def test_plain_papermill_runs_a_page_on_the_reactions_engine(tmp_path):
    """papermill's own command line, with the engine from papermill's registry (an entry
    point of the package): the page's lean kernel, its footer with no commit and no time."""
    out = tmp_path / "actor.ipynb"
    done = subprocess.run(
        [
            BIN / "papermill",
            "--engine",
            "reactions",
            NOTEBOOKS / "actor.ipynb",
            out,
            "-p",
            "actor",
            "belarus",
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    footer = nbformat.read(out, as_version=4).cells[-1].outputs[0]
    record = footer.metadata["reactions"]["provenance"]
    assert record["parameters"]["actor"] == "belarus"
    assert (record["commit"], record["rendered_at"]) == ("", "")


def test_nbconvert_exports_a_page_and_its_files_with_the_reactions_exporter(tmp_path):
    """`jupyter nbconvert --to reactions`: the page and, from the exporter's preprocessors, its
    chart pictures and finding CSVs beside it, the footer stamped with the render time."""
    source = tmp_path / "brief.ipynb"
    shutil.copy(NOTEBOOKS / "brief.ipynb", source)
    done = subprocess.run(
        [BIN / "jupyter", "nbconvert", "--to", "reactions", "--execute", str(source)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=os.environ | {"SOURCE_DATE_EPOCH": "1664200800"},
    )
    assert done.returncode == 0, done.stderr
    names = sorted(path.name for path in tmp_path.iterdir())
    assert "brief.html" in names and "brief-chart-1.svg" in names and "brief-chart-1.png" in names
    assert any(name.startswith("brief.") and name.endswith(".csv") for name in names)
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert '<time datetime="2022-09-26T14:00:00Z">2022-09-26 14:00:00 UTC</time>' in html
    assert json.loads(source.read_text(encoding="utf-8")) == json.loads(
        (NOTEBOOKS / "brief.ipynb").read_text(encoding="utf-8")
    )  # the source notebook is never written
