"""The position model: how an actor's position on an issue follows from its dated statements.

Each rule of the codebook's `position` key on a synthetic sequence of one actor's statements,
then the cases of the shipped 2022 story that the rule exists for (rows unchanged)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reactions import compare
from reactions.dataset import load_dataset
from support.dataset import ACTORS, statement, write_dataset
from support.paths import DATA


def _position(tmp_path: Path, rows: list[dict[str, str]], rule: str = "") -> pd.Series:
    """Belarus's position on recognition as of 2022-12-31 in a dataset of `rows` (and one G7
    row so that the dataset has another actor)."""
    g7 = statement(
        "g7-rec", "2022-09-20", "g7", "recognition", "explicit_rejection", "no", supersedes=""
    )
    folder = write_dataset(tmp_path / "seq", statements=[g7, *rows], actors=ACTORS)
    if rule:
        codebook = folder / "codebook.yml"
        text = codebook.read_text(encoding="utf-8")
        codebook.write_text(
            text.replace("position: strongest-in-direction", f"position: {rule}"),
            encoding="utf-8",
        )
    table = compare.positions(load_dataset(folder), "recognition", "2022-12-31")
    return table[table["actor_id"] == "belarus"].iloc[0]


def _said(statement_id: str, date: str, stance: str, **extra: str) -> dict[str, str]:
    extra = {"supersedes": "", **extra}
    return statement(
        statement_id, date, "belarus", "recognition", stance, f"words {statement_id}", **extra
    )


def test_on_one_day_the_clearest_words_win(tmp_path):
    row = _position(
        tmp_path,
        [_said("a", "2022-09-26", "ambiguous"), _said("b", "2022-09-26", "implicit_rejection")],
    )
    assert (row["statement_id"], row["stance"], row["score"]) == ("b", "implicit_rejection", -1)
    assert row["latest_statement_id"] == ""  # the clearest words are also the latest


def test_later_milder_words_in_the_same_direction_do_not_soften_it(tmp_path):
    row = _position(
        tmp_path,
        [
            _said("a", "2022-09-30", "explicit_support"),
            _said("b", "2022-10-12", "implicit_support"),
        ],
    )
    assert (row["statement_id"], row["stance"], row["score"]) == ("a", "explicit_support", 2)
    assert (row["latest_statement_id"], row["latest_stance"], row["latest_score"]) == (
        "b",
        "implicit_support",
        1,
    )
    assert row["latest_date"] == pd.Timestamp("2022-10-12")


def test_later_stronger_words_set_it(tmp_path):
    row = _position(
        tmp_path,
        [
            _said("a", "2022-09-20", "implicit_rejection"),
            _said("b", "2022-09-25", "explicit_rejection"),
        ],
    )
    assert (row["statement_id"], row["score"], row["latest_statement_id"]) == ("b", -2, "")


def test_a_hedge_changes_it(tmp_path):
    row = _position(
        tmp_path,
        [_said("a", "2022-09-20", "explicit_rejection"), _said("b", "2022-10-01", "ambiguous")],
    )
    assert (row["statement_id"], row["stance"], row["score"]) == ("b", "ambiguous", 0)


def test_a_reversal_changes_it(tmp_path):
    row = _position(
        tmp_path,
        [
            _said("a", "2022-09-20", "explicit_rejection"),
            _said("b", "2022-10-01", "implicit_support"),
        ],
    )
    assert (row["statement_id"], row["stance"], row["score"]) == ("b", "implicit_support", 1)


def test_a_row_that_names_what_it_withdraws_changes_it(tmp_path):
    row = _position(
        tmp_path,
        [
            _said("a", "2022-09-30", "explicit_support"),
            _said("b", "2022-10-12", "implicit_support", supersedes="a"),
        ],
    )
    assert (row["statement_id"], row["stance"], row["latest_statement_id"]) == (
        "b",
        "implicit_support",
        "",
    )


def test_silence_never_changes_it(tmp_path):
    silence = statement(
        "c",
        "2022-10-20",
        "belarus",
        "recognition",
        "silent",
        occasion="Talks in a capital",
        supersedes="",
    )
    row = _position(tmp_path, [_said("a", "2022-09-30", "explicit_rejection"), silence])
    assert (row["record"], row["statement_id"], row["score"]) == ("stated", "a", -2)
    assert row["silent_since"] == pd.Timestamp("2022-10-20")
    assert row["silent_occasion"] == "Talks in a capital"


def test_latest_words_rule_reads_the_latest_worded_statement(tmp_path):
    row = _position(
        tmp_path,
        [
            _said("a", "2022-09-30", "explicit_support"),
            _said("b", "2022-10-12", "implicit_support"),
        ],
        rule="latest-words",
    )
    assert (row["statement_id"], row["stance"], row["latest_statement_id"]) == (
        "b",
        "implicit_support",
        "",
    )


def test_an_unknown_position_rule_is_refused_with_its_line(tmp_path, capsys):
    from reactions.cli import main

    folder = write_dataset(tmp_path / "bad")
    codebook = folder / "codebook.yml"
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(text.replace("strongest-in-direction", "loudest"), encoding="utf-8")
    assert main(["validate", "--data", str(folder)]) == 2
    line = next(
        number
        for number, content in enumerate(codebook.read_text(encoding="utf-8").splitlines(), 1)
        if content.startswith("position:")
    )
    assert (
        f"codebook.yml:{line}: column 'position' must be one of strongest-in-direction, "
        "latest-words (value: 'loudest')"
    ) in capsys.readouterr().err


@pytest.fixture(scope="module")
def story():
    return load_dataset(DATA)


def test_kazakhstans_two_rows_of_26_september_give_its_clearest_words(story):
    table = compare.positions(story, "recognition", "2022-09-26")
    row = table[table["actor_id"] == "kazakhstan"].iloc[0]
    assert (row["stance"], row["score"]) == ("implicit_rejection", -1)


def test_russia_and_nato_keep_their_stated_positions_after_milder_words(story):
    table = compare.positions(story, "recognition", "2022-10-31").set_index("actor_id")
    assert (table.at["russia", "stance"], table.at["russia", "score"]) == ("explicit_support", 2)
    assert table.at["russia", "latest_statement_id"] == "russia-recognition-2022-10-12-nebenzia"
    assert table.at["russia", "latest_score"] == 1
    assert (table.at["nato", "stance"], table.at["nato", "score"]) == ("explicit_rejection", -2)
    assert table.at["nato", "latest_statement_id"] == "nato-recognition-2022-09-30-stoltenberg"
    assert table.at["nato", "latest_score"] == -1


def test_what_changed_since_26_september_lists_no_softening(story):
    before = compare.positions(story, "recognition", "2022-09-26")
    after = compare.positions(story, "recognition", "2022-10-31")
    moved = compare.changes(before, after).set_index("actor_id")
    assert "russia" not in moved.index
    assert "nato" not in moved.index
    softened = moved[(moved["record_before"] == "stated") & (moved["shift"].abs() > 0)]
    same_direction = softened[
        (softened["score_before"] * softened["score_after"] > 0)
        & (softened["score_after"].abs() < softened["score_before"].abs())
    ]
    assert same_direction.empty


def test_a_member_missing_from_a_roll_call_of_every_vote_cast_did_not_vote():
    """A/RES/64/296's record holds all 50 yes, 17 no and 86 abstentions of its official result:
    Ukraine and Vanuatu, members without a row, did not vote (deduced, not guessed). ES-11/4's
    record is partial: its missing members stay "not on record"."""
    from reactions import narrative, votes

    data = load_dataset(DATA.parent / "georgia-recognition-2008")
    vote = data.story.votes[0]
    assert vote.resolution == "A/RES/64/296" and votes.holds_every_vote_cast(data, vote)
    frame = votes.words_and_votes(data, "2010-12-31", vote)
    assert sorted(frame.loc[frame["status"] == votes.DID_NOT_VOTE, "actor_id"]) == [
        "ukraine",
        "vanuatu",
    ]
    sentence = narrative.divergence_sentence(
        frame, vote, votes.roll_call(data, vote.resolution), data.codebook
    )
    assert "Did not vote: Ukraine and Vanuatu." in sentence
    partial = load_dataset(DATA)
    assert not votes.holds_every_vote_cast(partial, partial.story.votes[0])
