"""A dataset's columnar copies (`reactions validate --parquet`): read in place of the CSV while
it is unchanged, never when it has changed since, never written by anything but validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.csv
import pytest

from reactions.cli import main
from reactions.dataset import load_dataset
from support.dataset import write_dataset
from support.paths import DATA

KAZAKHSTAN = "kazakhstan-recognition-2022-09-26-smadiyarov"
FRAMES = ("statements", "actors", "events", "votes")


def assert_same_dataset(left, right) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name))


@pytest.fixture
def story(tmp_path: Path) -> Path:
    folder = tmp_path / "story"
    shutil.copytree(DATA, folder)
    for copy in folder.glob("*.parquet"):
        copy.unlink()
    return folder


def test_validate_writes_copies_that_read_as_the_csv_did(story, capsys, monkeypatch):
    from_csv = load_dataset(story)
    assert main(["validate", "--data", str(story), "--parquet"]) == 0
    out = capsys.readouterr().out
    assert sorted(path.name for path in story.glob("*.parquet")) == [
        "actors.parquet",
        "events.parquet",
        "statements.parquet",
        "votes.parquet",
    ]
    assert f"wrote {story / 'statements.parquet'} (" in out
    monkeypatch.setattr(pyarrow.csv, "read_csv", lambda *a, **k: pytest.fail("CSV parsed"))
    assert_same_dataset(load_dataset(story), from_csv)


def test_a_fresh_copy_is_kept_and_an_edited_csv_gets_a_new_one(story, capsys):
    assert main(["validate", "--data", str(story), "--parquet"]) == 0
    capsys.readouterr()
    kept = {path.name: path.stat().st_mtime_ns for path in story.glob("*.parquet")}
    assert main(["validate", "--data", str(story), "--parquet"]) == 0
    assert "wrote" not in capsys.readouterr().out
    assert {path.name: path.stat().st_mtime_ns for path in story.glob("*.parquet")} == kept
    events = story / "events.csv"
    events.write_text(events.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert main(["validate", "--data", str(story), "--parquet"]) == 0
    out = capsys.readouterr().out
    assert out.count("wrote") == 1 and f"wrote {story / 'events.parquet'} (" in out


def test_a_csv_edited_after_its_copy_is_read_itself(story):
    assert main(["validate", "--data", str(story), "--parquet"]) == 0
    copy = (story / "statements.parquet").read_bytes()
    statements = story / "statements.csv"
    text = statements.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(KAZAKHSTAN + ","))
    assert ",implicit_rejection," in row
    statements.write_text(
        text.replace(row, row.replace(",implicit_rejection,", ",explicit_rejection,")),
        encoding="utf-8",
    )
    loaded = load_dataset(story).statements.set_index("statement_id")
    assert loaded.at[KAZAKHSTAN, "stance"] == "explicit_rejection"
    assert (story / "statements.parquet").read_bytes() == copy  # a load never rewrites it


def test_a_broken_or_foreign_copy_is_ignored(story):
    from_csv = load_dataset(story)
    (story / "statements.parquet").write_bytes(b"PAR1 not a parquet file")
    shutil.copy(DATA / "actors.csv", story / "events.parquet")
    assert_same_dataset(load_dataset(story), from_csv)


def test_an_invalid_dataset_gets_no_copy(tmp_path, capsys):
    folder = write_dataset(tmp_path / "bad")
    statements = folder / "statements.csv"
    statements.write_text(
        statements.read_text(encoding="utf-8").replace("2022-09-20", "2022-13-40", 1),
        encoding="utf-8",
    )
    assert main(["validate", "--data", str(folder), "--parquet"]) == 2
    assert "must be a real date written YYYY-MM-DD" in capsys.readouterr().err
    assert list(folder.glob("*.parquet")) == []
