"""Every rule of the data contract has a fixture that breaks it; problems are located exactly."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest

from reactions.cli import main
from reactions.dataset import load_dataset
from reactions.errors import DatasetError
from support.dataset import ACTORS, STATEMENTS, write_dataset
from support.paths import DATA


def problems_for(tmp_path: Path, statements=None, actors=None) -> list:
    folder = write_dataset(tmp_path / "broken", statements=statements, actors=actors)
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    return raised.value.problems


def changed(rows: list[dict], index: int, **values: str) -> list[dict]:
    rows = copy.deepcopy(rows)
    rows[index].update(values)
    return rows


# (what is broken, statements.csv row index, change, column, rule fragment)
STATEMENT_RULES = [
    ("bad id", 2, {"statement_id": "By Makei"}, "statement_id", "must match"),
    ("duplicate id", 2, {"statement_id": "g7-rec"}, "statement_id", "unique"),
    ("bad date format", 2, {"date": "24/09/2022"}, "date", "real date"),
    ("impossible date", 2, {"date": "2022-02-30"}, "date", "real date"),
    ("bad precision", 2, {"date_precision": "year"}, "date_precision", "day, week, month"),
    ("unknown actor", 2, {"actor_id": "belarusia"}, "actor_id", "actor_id of actors.csv"),
    ("unknown issue", 2, {"issue": "annexation"}, "issue", "issue codes"),
    ("unknown stance", 2, {"stance": "neutral"}, "stance", "stance codes"),
    ("missing actor", 2, {"actor_id": ""}, "actor_id", "required"),
    ("silence without occasion", 3, {"occasion": ""}, "occasion", "occasion is required"),
    ("stance without quote", 2, {"quote": "", "quote_language": ""}, "quote", "quote is required"),
    ("quote without language", 2, {"quote_language": ""}, "quote_language", "required when"),
    ("bad language", 2, {"quote_language": "xx"}, "quote_language", "ISO 639-1"),
    ("translation missing", 8, {"quote_en": ""}, "quote_en", "quote_en is required"),
    ("missing source title", 2, {"source_title": ""}, "source_title", "required"),
    ("bad source date", 2, {"source_date": "2022-13-01"}, "source_date", "real date"),
    ("javascript url", 2, {"source_url": "javascript:alert(1)"}, "source_url", "http(s) URL"),
]


@pytest.mark.parametrize(
    ("case", "index", "change", "column", "rule"),
    STATEMENT_RULES,
    ids=[rule[0] for rule in STATEMENT_RULES],
)
def test_statement_rule_is_reported_with_file_line_column(
    tmp_path, case, index, change, column, rule
):
    problems = problems_for(tmp_path, statements=changed(STATEMENTS, index, **change))
    located = [p for p in problems if p.column == column and rule in p.rule]
    assert located, problems
    assert {p.file for p in located} == {"statements.csv"}
    assert index + 2 in [p.line for p in located]  # the header is line 1


ACTOR_RULES = [
    ("bad kind", 0, {"kind": "country"}, "kind", "must be one of"),
    ("unknown group", 0, {"group": "friends"}, "group", "group codes"),
    ("bad iso3", 0, {"iso3": "BLX"}, "iso3", "ISO 3166-1"),
    ("state without iso3", 0, {"iso3": ""}, "iso3", "required for a state"),
    ("duplicate actor", 1, {"actor_id": "belarus"}, "actor_id", "unique"),
]


@pytest.mark.parametrize(
    ("case", "index", "change", "column", "rule"),
    ACTOR_RULES,
    ids=[rule[0] for rule in ACTOR_RULES],
)
def test_actor_rule_is_reported(tmp_path, case, index, change, column, rule):
    problems = problems_for(tmp_path, actors=changed(ACTORS, index, **change))
    assert any(
        p.file == "actors.csv" and p.line == index + 2 and p.column == column and rule in p.rule
        for p in problems
    ), problems


def test_all_problems_are_reported_at_once(tmp_path):
    rows = changed(changed(STATEMENTS, 2, stance="neutral"), 5, date="2022-09-31")
    problems = problems_for(tmp_path, statements=rows)
    assert {(p.line, p.column) for p in problems} >= {(4, "stance"), (7, "date")}


def test_missing_column_is_reported_at_the_header(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "source_title"} for row in STATEMENTS]
    problems = problems_for(tmp_path, statements=rows)
    assert any(p.column == "source_title" and p.line == 1 and "missing" in p.rule for p in problems)


def test_line_numbers_count_quoted_newlines(tmp_path):
    rows = changed(changed(STATEMENTS, 1, quote="line one\nline two"), 2, stance="neutral")
    problems = problems_for(tmp_path, statements=rows)
    assert [p.line for p in problems if p.column == "stance"] == [5]


def test_non_utf8_file_is_refused_with_its_line(tmp_path):
    folder = write_dataset(tmp_path / "latin")
    path = folder / "statements.csv"
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"fixture", "fixtur\u00e9".encode("latin-1"))
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    assert [(p.line, p.rule) for p in raised.value.problems] == [(4, "file must be UTF-8")]


def test_ragged_row_is_refused(tmp_path):
    folder = write_dataset(tmp_path / "ragged")
    path = folder / "events.csv"
    path.write_text(path.read_text(encoding="utf-8") + "extra,2022-10-01\n", encoding="utf-8")
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    assert any(
        p.file == "events.csv" and p.line == 5 and "fields" in p.rule for p in raised.value.problems
    )


def test_codebook_duplicate_code_and_bad_score_are_refused(tmp_path):
    folder = write_dataset(tmp_path / "codebook")
    path = folder / "codebook.yml"
    text = path.read_text(encoding="utf-8").replace("score: 2\n", "score: 7\n")
    path.write_text(text + "\ngroups:\n  west:\n    label: again\n", encoding="utf-8")
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    rules = [p.rule for p in raised.value.problems]
    assert any("defined only once" in rule for rule in rules)
    assert any("integer from -2 to 2" in rule for rule in rules)


def test_bom_and_crlf_are_accepted(tmp_path):
    folder = write_dataset(tmp_path / "excel")
    path = folder / "statements.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert len(load_dataset(folder).statements) == len(STATEMENTS)


def test_loaded_frames_are_typed(mini):
    assert str(mini.statements["date"].dtype).startswith("datetime64")
    assert mini.statements.loc[0, "occasion"] == ""


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.iterdir()))).hexdigest()


def test_cli_validate_clean_data_exits_0_and_writes_nothing(capsys):
    before = digest(DATA)
    assert main(["validate", "--data", str(DATA)]) == 0
    assert "valid:" in capsys.readouterr().out
    assert digest(DATA) == before


def test_cli_validate_unknown_actor_exits_2_naming_file_line_column(tmp_path, capsys):
    folder = tmp_path / "copy"
    folder.mkdir()
    for path in DATA.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    lines = (folder / "statements.csv").read_text(encoding="utf-8").split("\n")
    actor = lines[5].split(",")[3]
    lines[5] = lines[5].replace(f",{actor},", ",nowhere-land,", 1)
    (folder / "statements.csv").write_text("\n".join(lines), encoding="utf-8")
    before = digest(folder)
    assert main(["validate", "--data", str(folder)]) == 2
    error = capsys.readouterr().err
    assert "statements.csv:6" in error and "'actor_id'" in error and "nowhere-land" in error
    assert digest(folder) == before


VOTE_RULES = [
    ("unknown actor", 0, {"actor_id": "atlantis"}, "actor_id", "actor_id of actors.csv"),
    ("bad vote", 1, {"vote": "maybe"}, "vote", "yes, no, abstain, absent"),
    ("two votes", 2, {"actor_id": "belarus"}, "actor_id", "one vote per voter"),
    ("bad date", 3, {"date": "12/10/2022"}, "date", "real date"),
]


@pytest.mark.parametrize(
    ("case", "index", "change", "column", "rule"), VOTE_RULES, ids=[rule[0] for rule in VOTE_RULES]
)
def test_vote_rule_is_reported(tmp_path, case, index, change, column, rule):
    from support.dataset import VOTES

    folder = write_dataset(tmp_path / "votes", votes=changed(VOTES, index, **change))
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    assert any(
        p.file == "votes.csv" and p.line == index + 2 and p.column == column and rule in p.rule
        for p in raised.value.problems
    ), raised.value.problems


EVENT_RULES = [
    ("bad event date", {"date": "2022-09-31"}, "date", "real date"),
    ("missing title", {"title": ""}, "title", "required"),
    ("bad event id", {"event_id": "Sochi Talks"}, "event_id", "must match"),
]


@pytest.mark.parametrize(
    ("case", "change", "column", "rule"), EVENT_RULES, ids=[rule[0] for rule in EVENT_RULES]
)
def test_event_rule_is_reported(tmp_path, case, change, column, rule):
    from support.dataset import EVENTS, write_csv

    events = copy.deepcopy(EVENTS)
    events[1].update(change)
    folder = write_dataset(tmp_path / "events")
    write_csv(folder / "events.csv", events)
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    assert any(
        p.file == "events.csv" and p.line == 3 and p.column == column and rule in p.rule
        for p in raised.value.problems
    ), raised.value.problems


def test_votes_file_is_optional(tmp_path):
    folder = write_dataset(tmp_path / "novotes")
    (folder / "votes.csv").unlink()
    assert load_dataset(folder).votes.empty
