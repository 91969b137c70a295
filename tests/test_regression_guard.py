"""nbval is a real guard: recoding one statement makes a findings cell of the brief fail."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, ROOT

OTHER_STANCE = {"explicit_rejection": "implicit_rejection"}


def recode(source: Path, target: Path, pick: str) -> str:
    """Copy statements.csv with one stance changed; return the id of the changed row."""
    with source.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    row = rows[0] if pick == "earliest" else rows[-1]
    row["stance"] = OTHER_STANCE.get(row["stance"], "explicit_rejection")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return row["statement_id"]


@pytest.mark.parametrize("pick", ["earliest", "latest"])
def test_a_recoded_stance_fails_a_findings_cell(tmp_path, pick):
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    recode(DATA / "statements.csv", tmp_path / "data" / "statements.csv", pick)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "-q",
            "--nbval-sanitize-with",
            str(tmp_path / "notebooks" / "sanitize.cfg"),
            str(tmp_path / "notebooks" / "brief.ipynb"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert failed, result.stdout[-2000:]
    # Chart cells are output-ignored: what failed is a findings cell (text or table).
    assert "present.Table" in result.stdout or "present.Paragraph" in result.stdout
