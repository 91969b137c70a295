"""nbval is a real guard: recoding one statement makes a findings cell of the brief fail, and the
unchanged data passes.

The brief's parameters cell declares `data_dir: str = ""`; the copy of the dataset is given to
the notebook through $REACTIONS_DATA, the supported way to point a page at a dataset.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import DATA, ROOT

OTHER_STANCE = {"explicit_rejection": "implicit_rejection"}
# Cells whose text nbval compares: findings (sentences and tables), never charts.
FINDINGS_CELLS = re.compile(
    r"brief\.(headline|field|unsaid|comparison|groups|changes|"
    r"votes_section|coverage|provenance)\("
)


def recode(source: Path, target: Path, pick: str) -> tuple[str, str, str]:
    """Copy statements.csv with one worded stance changed (the earliest or latest worded row in
    file order); return the row's id and its stance before and after."""
    with source.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    worded = [row for row in rows if row["stance"] != "silent"]
    row = worded[0] if pick == "earliest" else worded[-1]
    before = row["stance"]
    row["stance"] = OTHER_STANCE.get(before, "explicit_rejection")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return row["statement_id"], before, row["stance"]


def run_nbval(tmp_path: Path, data_dir: Path) -> subprocess.CompletedProcess:
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "-q",
            "--nbval-sanitize-with",
            str(notebooks / "sanitize.cfg"),
            str(notebooks / "brief.ipynb"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "REACTIONS_DATA": str(data_dir)},
        timeout=300,
        check=False,
    )


def test_the_unchanged_data_passes(tmp_path):
    data_dir = tmp_path / DATA.name
    shutil.copytree(DATA, data_dir)
    result = run_nbval(tmp_path, data_dir)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.parametrize(
    ("pick", "expected"),
    [
        # canada-recognition-2022-09-20-trudeau, before the brief's date: a finding moves.
        ("earliest", ("canada-recognition-2022-09-20-trudeau", "explicit_rejection")),
    ],
)
def test_a_recoded_stance_fails_a_findings_cell(tmp_path, pick, expected):
    data_dir = tmp_path / DATA.name
    shutil.copytree(DATA, data_dir)
    changed = recode(DATA / "statements.csv", data_dir / "statements.csv", pick)
    assert changed == (*expected, "implicit_rejection")
    result = run_nbval(tmp_path, data_dir)
    assert result.returncode == 1, result.stdout[-3000:]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert failed, result.stdout[-3000:]
    out = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    # The data loaded and every cell ran: each failure is an output that differs, no exception.
    assert "caused an exception" not in out and "DatasetError" not in out, out[-3000:]
    # (pytest repeats the message in its summary when CI is set: count cells, not messages)
    assert len(set(re.findall(r"(Cell \d+): Cell outputs differ", out))) == len(failed)
    # Chart cells are output-ignored: each failed cell is a findings cell (text or table).
    inputs = list(dict.fromkeys(re.findall(r"Input:\n(.*)\n", out)))
    assert len(inputs) == len(failed)
    assert all(FINDINGS_CELLS.search(source) for source in inputs), inputs
    assert any("brief.coverage(page)" in source for source in inputs)  # counts every row


def test_a_recoded_stance_after_the_briefs_date_moves_none_of_its_findings(tmp_path):
    """thomas-greenfield, 12 October, is after the brief's date (26 September): no finding of
    the brief may move, its coverage counts included (they count what is on record by its
    date); the footer's new data version is volatile text (notebooks/sanitize.cfg), which no
    committed notebook stores: every cell passes."""
    data_dir = tmp_path / DATA.name
    shutil.copytree(DATA, data_dir)
    changed = recode(DATA / "statements.csv", data_dir / "statements.csv", "latest")
    assert changed == (
        "united-states-recognition-2022-10-12-thomas-greenfield",
        "explicit_rejection",
        "implicit_rejection",
    )
    result = run_nbval(tmp_path, data_dir)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
