"""Issue 12, the input side: every bad input is a clear exit 2 at bounded cost.

Each limit is refused with a message naming it, within a generous deadline (HANG: the cost
of a blow-up like the 567 s one below fails the test; the usual cost, well under a second, is
not a target here); files that could hang a reader (a FIFO, /dev/zero) are tried in a subprocess
with a timeout, so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reactions import contract, read
from reactions.codebook import CODE_PATTERN, is_code, load_codebook
from reactions.contract import MAX_PROBLEMS, MAX_ROWS
from reactions.dataset import load_dataset
from reactions.errors import DatasetError
from reactions.read import read_table
from reactions.yamlfile import MAX_VALUE_CHARS, MAX_YAML_BYTES
from support.dataset import write_dataset
from support.paths import ROOT
from support.processes import HANG, deadline

REACTIONS = Path(sys.executable).with_name("reactions")


def refused(folder: Path) -> list:
    with pytest.raises(DatasetError) as raised, deadline(HANG, f"load_dataset({folder.name})"):
        load_dataset(folder)
    return raised.value.problems


def validate(folder: Path, timeout: float = HANG) -> subprocess.CompletedProcess:
    command = [str(REACTIONS), "validate", "--data", str(folder)]
    if not REACTIONS.exists():
        command = [sys.executable, "-m", "reactions.cli", "validate", "--data", str(folder)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def folder(tmp_path) -> Path:
    return write_dataset(tmp_path / "data")


# --- only regular files inside the dataset folder are read ---------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_not_waited_on(folder):
    (folder / "events.csv").unlink()
    os.mkfifo(folder / "events.csv")
    result = validate(folder)
    assert result.returncode == 2, result.stderr
    assert "events.csv" in result.stderr and "must be a regular file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_symlink_to_a_device_is_refused(folder):
    (folder / "statements.csv").unlink()
    (folder / "statements.csv").symlink_to("/dev/zero")
    result = validate(folder)
    assert result.returncode == 2, result.stderr
    assert "must be a regular file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["statements.csv", "codebook.yml", "actors.csv", "story.yml"])
def test_folder_in_place_of_a_file_is_refused(folder, name):
    path = folder / name
    if path.exists():
        path.unlink()
    path.mkdir()
    problems = refused(folder)
    assert any(p.file == name and "must be a regular file" in p.rule for p in problems), problems


def test_symlink_out_of_the_folder_is_refused_and_not_echoed(folder, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 50, encoding="utf-8")
    (folder / "statements.csv").unlink()
    (folder / "statements.csv").symlink_to(secret)
    problems = refused(folder)
    assert any("inside the dataset folder" in p.rule for p in problems), problems
    assert not any("root:x" in p.value for p in problems)


def test_no_value_in_an_error_is_longer_than_80_characters(folder):
    text = "root:x:0:0:root:/root:/bin/bash," * 40 + "\n" + "daemon:x:1:1:" * 40 + "\n"
    (folder / "statements.csv").write_text(text, encoding="utf-8")
    (folder / "actors.csv").write_text("actor_id,name\n" + "x" * 5000 + ",y\n", encoding="utf-8")
    problems = refused(folder)
    assert problems
    assert all(len(p.value) <= MAX_VALUE_CHARS for p in problems), [
        p for p in problems if len(p.value) > MAX_VALUE_CHARS
    ]


def test_data_dir_that_is_a_file_is_refused(folder):
    problems = refused(folder / "statements.csv")
    assert any("must be a folder" in p.rule for p in problems)


def test_validate_on_a_file_exits_2(folder, capsys):
    from reactions.cli import main

    assert main(["validate", "--data", str(folder / "statements.csv")]) == 2
    assert "Traceback" not in capsys.readouterr().err


# --- sizes ----------------------------------------------------------------------------------


def test_oversized_csv_is_refused_before_reading(folder):
    path = folder / "statements.csv"
    with path.open("r+b") as stream:  # sparse: no disk is spent
        stream.truncate(contract.MAX_CSV_BYTES + 1)
    problems = refused(folder)
    assert any(p.file == "statements.csv" and "too large" in p.rule for p in problems)


def test_oversized_yaml_is_refused_before_parsing(folder):
    path = folder / "codebook.yml"
    path.write_text(path.read_text(encoding="utf-8") + "#" * MAX_YAML_BYTES, encoding="utf-8")
    problems = refused(folder)
    assert any(p.file == "codebook.yml" and "too large" in p.rule for p in problems)


def test_largest_allowed_yaml_reads_in_seconds(tmp_path):
    path = tmp_path / "codebook.yml"
    path.write_text("- a\n" * (MAX_YAML_BYTES // 4 - 10), encoding="utf-8")
    with pytest.raises(DatasetError), deadline(HANG, "load_codebook of the largest YAML allowed"):
        load_codebook(path)


def test_too_many_columns_is_refused_in_seconds(folder):
    """A 1.4 MB events.csv with 100,000 extra columns took 567 s and 2.1 GB before."""
    path = folder / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = "".join(f",x{i}" for i in range(100_000))
    path.write_text(
        "\n".join([lines[0] + extra] + [line + "," * 100_000 for line in lines[1:]]) + "\n",
        encoding="utf-8",
    )
    problems = refused(folder)
    assert any(p.file == "events.csv" and "at most 100 columns" in p.rule for p in problems)


def test_too_many_rows_is_refused_in_seconds(folder):
    path = folder / "statements.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    with path.open("w", encoding="utf-8") as stream:
        stream.write(header + "\n")
        stream.write(("x" + "," * header.count(",") + "\n") * (MAX_ROWS + 1))
    problems = refused(folder)
    assert any(f"at most {MAX_ROWS:,} rows" in p.rule for p in problems), problems[:5]


def test_too_many_rows_on_the_strict_path(folder, monkeypatch):
    monkeypatch.setattr(read, "MAX_ROWS", 3)  # the strict reader's own name for it
    with pytest.raises(DatasetError) as raised:
        read_table(folder / "statements.csv", strict=True)
    assert any("at most 3 rows" in p.rule for p in raised.value.problems)


def test_header_must_end_early(folder):
    (folder / "events.csv").write_text("a" * (contract.MAX_HEADER_BYTES * 2) + "\n1\n")
    problems = refused(folder)
    assert any(p.file == "events.csv" and "header row must end" in p.rule for p in problems)


# --- the error list is capped ----------------------------------------------------------------


def test_garbage_lines_give_a_capped_error_list_in_seconds(folder):
    """2 M garbage lines gave a 251 MB error list before."""
    path = folder / "statements.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n" + "garbage\n" * 2_000_000, encoding="utf-8")
    problems = refused(folder)
    assert len(problems) <= MAX_PROBLEMS + 1
    assert "more problems" in problems[-1].rule
    assert f"{2_000_000 - MAX_PROBLEMS:,} more problems" in problems[-1].rule
    assert len(str(DatasetError(problems))) < 200_000


def test_bad_values_on_every_row_give_a_capped_error_list(folder):
    path = folder / "statements.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = lines[1].replace(",explicit_rejection,", ",nonsense,")
    path.write_text(
        "\n".join([lines[0]] + [row.replace("g7-rec", f"g{i}") for i in range(200_000)]) + "\n",
        encoding="utf-8",
    )
    problems = refused(folder)
    assert len(problems) <= MAX_PROBLEMS + 1
    assert "more problems" in problems[-1].rule


# --- follow-on problems ----------------------------------------------------------------------


def test_unreadable_actors_file_gives_no_follow_on_problems(folder):
    path = folder / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"Belarus", b"Bel\xe9rus"))
    problems = refused(folder)
    assert [p.file for p in problems] == ["actors.csv"], problems
    assert "UTF-8" in problems[0].rule


def test_other_rules_still_run_when_actors_are_unreadable(folder):
    (folder / "actors.csv").write_bytes(b"\xff\xfe")
    path = folder / "statements.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[6] = lines[6].replace(",2022-09-26,day", ",2022-02-30,day")
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = refused(folder)
    assert any(p.file == "statements.csv" and p.line == 7 and p.column == "date" for p in problems)
    assert not any("actor_id of actors.csv" in p.rule for p in problems)


# --- YAML ------------------------------------------------------------------------------------


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 10)}]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_alias_bomb_in_story_is_refused_in_seconds(folder):
    (folder / "story.yml").write_text("title: x\n" + BILLION_LAUGHS, encoding="utf-8")
    problems = refused(folder)
    assert any(p.file == "story.yml" and "aliases may expand" in p.rule for p in problems)


def test_unhashable_key_in_story_is_refused(folder):
    (folder / "story.yml").write_text("? [a, b]\n: x\n", encoding="utf-8")
    problems = refused(folder)
    assert any(p.file == "story.yml" and "plain text" in p.rule for p in problems)


def test_codebook_problems_carry_line_and_key(folder):
    path = folder / "codebook.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.strip() == "score: 0")
    lines[number] = lines[number].replace("score: 0", "score: lots")
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = refused(folder)
    assert any(p.line == number + 1 and p.column == "stances.ambiguous.score" for p in problems), (
        problems
    )


def test_codes_match_in_full():
    assert CODE_PATTERN.fullmatch("recognition")
    assert not is_code("recognition\n")
    assert not CODE_PATTERN.match("recognition\n")


def test_stance_rule_is_read():
    codebook = load_codebook(ROOT / "data" / "ukraine-annexation-2022" / "codebook.yml")
    assert all(isinstance(stance.rule, str) for stance in codebook.stances.values())


def test_stance_rule_defaults_to_empty(tmp_path):
    path = tmp_path / "codebook.yml"
    path.write_text(
        "issues:\n  recognition: {label: Recognition}\n"
        "stances:\n  yes_: {score: 1, label: Support, rule: say yes}\n"
        "  silent: {score: null, label: Silent}\n"
        "groups:\n  west: {label: West}\n",
        encoding="utf-8",
    )
    codebook = load_codebook(path)
    assert codebook.stances["yes_"].rule == "say yes"
    assert codebook.stances["silent"].rule == ""
