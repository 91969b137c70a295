"""Positions, neighbours and counts on the synthetic dataset, whose answers are known."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from reactions import compare, tables

ARTICLE_SET = ["kazakhstan", "serbia", "south-ossetia"]


def row(table: pd.DataFrame, actor: str) -> pd.Series:
    return table[table["actor_id"] == actor].iloc[0]


def test_positions_are_codes_and_numbers_only(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    assert {"actor_id", "name", "group", "record", "stance", "score", "date"} <= set(table)
    assert not {"stance_label", "group_label"} & set(table)
    assert row(table, "kazakhstan")["group"] == "russia_allies"
    assert set(table["record"]) <= {compare.STATED, compare.SILENT, compare.NO_RECORD}
    assert (compare.STATED, compare.SILENT, compare.NO_RECORD) == ("stated", "silent", "none")


def test_position_is_latest_worded_stance_and_later_silence_is_kept_apart(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    belarus = row(table, "belarus")
    assert (belarus["record"], belarus["stance"], belarus["score"]) == ("stated", "ambiguous", 0)
    assert belarus["date"] == pd.Timestamp("2022-09-24")
    assert belarus["date_precision"] == "week"
    assert belarus["silent_since"] == pd.Timestamp("2022-09-26")
    assert belarus["silent_occasion"] == "Fixture talks in Sochi"


def test_as_of_ignores_later_statements(mini):
    early = row(compare.positions(mini, "recognition", "2022-09-26"), "belarus")
    late = row(compare.positions(mini, "recognition", "2022-10-31"), "belarus")
    assert early["stance"] == "ambiguous"
    assert late["stance"] == "implicit_support"
    assert late["score"] == 1
    assert pd.isna(late["silent_since"])  # the Sochi silence came before the October words
    assert (
        row(compare.positions(mini, "recognition", "2022-09-27"), "tajikistan")["record"]
        == compare.NO_RECORD
    )


def test_silence_only_and_no_record_are_not_scored(mini):
    table = compare.positions(mini, "recognition", "2022-09-30")
    tajikistan, armenia = row(table, "tajikistan"), row(table, "armenia")
    assert (tajikistan["record"], tajikistan["stance"]) == ("silent", "silent")
    assert pd.isna(tajikistan["score"])
    assert (armenia["record"], armenia["stance"]) == (compare.NO_RECORD, "")
    assert pd.isna(armenia["score"])


def test_every_actor_of_actors_csv_has_one_row(mini):
    table = compare.positions(mini, "war_participation", "2022-09-26")
    assert sorted(table["actor_id"]) == sorted(mini.actors["actor_id"])


def test_neighbours_among_the_article_set(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    near = compare.neighbours(table, "belarus", ARTICLE_SET)
    assert list(near.below["actor_id"]) == ["kazakhstan"]
    assert list(near.above["actor_id"]) == ["south-ossetia"]
    assert near.level.empty


def test_neighbours_among_everyone_include_level_and_ties(mini):
    table = compare.positions(mini, "recognition", "2022-10-31")
    near = compare.neighbours(table, "kazakhstan", [])
    assert list(near.below["actor_id"]) == ["g7", "serbia"]  # both -2, by name
    assert list(near.above["actor_id"]) == ["belarus", "syria"]  # both +1, by name
    assert near.level.empty
    serbia = compare.neighbours(table, "serbia", [])
    assert list(serbia.level["actor_id"]) == ["g7"]
    assert serbia.below.empty and list(serbia.above["actor_id"]) == ["kazakhstan"]


def test_neighbours_of_an_unscored_actor_are_empty(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    near = compare.neighbours(table, "armenia", [])
    assert near.below.empty and near.above.empty and near.level.empty


def test_precision_breaks_ties_on_the_same_date(mini):
    statements = mini.statements.copy()
    extra = statements[statements["statement_id"] == "kz-rec"].assign(
        statement_id="kz-rec-week", date_precision="week", stance="explicit_rejection"
    )
    data = replace(mini, statements=pd.concat([statements, extra], ignore_index=True))
    assert (
        row(compare.positions(data, "recognition", "2022-09-26"), "kazakhstan")["stance"]
        == "implicit_rejection"
    )


def test_field_counts_keep_silence_and_no_record_apart(mini):
    counts = compare.field_counts(compare.positions(mini, "recognition", "2022-09-30"))
    # G7 -2, Serbia -2, Kazakhstan -1, Belarus 0, Syria +1, South Ossetia +2;
    # Tajikistan only silent; Armenia no record.
    assert counts == {
        "on_record": 7,
        "rejecting": 3,
        "ambiguous": 1,
        "supporting": 2,
        "silent": 1,
        "none": 1,
    }


def test_field_counts_move_with_the_date(mini):
    counts = compare.field_counts(compare.positions(mini, "recognition", "2022-09-26"))
    # Syria (27 Sep) and Tajikistan (28 Sep) not yet on record.
    assert counts == {
        "on_record": 5,
        "rejecting": 3,
        "ambiguous": 1,
        "supporting": 1,
        "silent": 0,
        "none": 3,
    }


def test_comparison_table_orders_scale_then_silence(mini):
    positions = compare.positions(mini, "recognition", "2022-09-30")
    table = tables.comparison_table(positions, mini.codebook)
    assert list(table["actor"]) == [
        "G7",
        "Serbia",
        "Kazakhstan",
        "Belarus",
        "Syria",
        "South Ossetia",
        "Tajikistan",
    ]
    assert list(table["score"]) == ["-2", "-2", "-1", "0", "+1", "+2", ""]
    assert list(table["stance"]) == [
        "Explicit rejection",
        "Explicit rejection",
        "Implicit rejection",
        "Ambiguous",
        "Implicit support",
        "Explicit support",
        "Silent",
    ]
    assert table.iloc[0]["group"] == "The West"
    assert table.iloc[-1]["quote (English)"] == "(silent) Fixture summit"
    assert table.iloc[4]["quote (English)"] == "fixture: respects the will (English) (translation)"
    assert table.iloc[3]["date"] == "2022-09-24"


def test_coverage_counts_every_statement_by_code(mini):
    coverage = compare.coverage(mini)
    assert list(coverage.columns) == [
        "issue",
        "explicit_rejection",
        "implicit_rejection",
        "ambiguous",
        "implicit_support",
        "explicit_support",
        "silent",
        "actors",
    ]
    assert list(coverage["issue"]) == [
        "recognition",
        "mobilization",
        "war_participation",
        "belarus_involvement",
    ]
    assert coverage.drop(columns=["issue", "actors"]).to_numpy().sum() == len(mini.statements)
    by_issue = coverage.set_index("issue")
    assert by_issue.loc["recognition"].to_dict() == {
        "explicit_rejection": 2,  # G7, Serbia
        "implicit_rejection": 1,
        "ambiguous": 1,
        "implicit_support": 2,  # Syria, Belarus in October
        "explicit_support": 1,
        "silent": 2,  # Belarus in Sochi, Tajikistan
        "actors": 7,
    }
    assert by_issue.loc["belarus_involvement"].sum() == 0
    labelled = tables.coverage_table(coverage, mini.codebook)
    assert list(labelled.columns)[1:7] == [
        "Explicit rejection",
        "Implicit rejection",
        "Ambiguous",
        "Implicit support",
        "Explicit support",
        "Silent",
    ]
    assert labelled.iloc[0]["issue"] == "Recognition"


def test_clearest_words_of_a_day_are_the_position(mini):
    statements = mini.statements.copy()
    vaguer = statements[statements["statement_id"] == "kz-rec"].assign(
        statement_id="kz-rec-zzz-dialogue", stance="ambiguous"
    )
    data = replace(mini, statements=pd.concat([statements, vaguer], ignore_index=True))
    assert (
        row(compare.positions(data, "recognition", "2022-09-26"), "kazakhstan")["stance"]
        == "implicit_rejection"
    )


def test_statements_as_of_filters_by_issue_and_actor(mini):
    said = compare.statements_as_of(mini, "2022-09-26", "recognition", "belarus")
    assert list(said["statement_id"]) == ["by-rec-makei", "by-rec-sochi"]
    everything = compare.statements_as_of(mini, "2022-09-26", actor="belarus")
    assert list(everything["statement_id"]) == [
        "by-mob",
        "by-rec-makei",
        "by-rec-sochi",
        "by-war-sochi",
    ]
    assert list(compare.statements_as_of(mini, "2022-09-26")["date"].dt.day) == [
        20,
        23,
        24,
        26,
        26,
        26,
        26,
        26,
    ]
