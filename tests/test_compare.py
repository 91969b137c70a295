"""Positions, neighbours and counts on the synthetic dataset, whose answers are known."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from reactions import compare

ARTICLE_SET = ["kazakhstan", "serbia", "south-ossetia"]


def row(table: pd.DataFrame, actor: str) -> pd.Series:
    return table[table["actor_id"] == actor].iloc[0]


def test_position_is_latest_worded_stance_and_later_silence_is_kept_apart(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    belarus = row(table, "belarus")
    assert (belarus["record"], belarus["stance"], belarus["score"]) == ("stated", "ambiguous", 0)
    assert belarus["silent_since"] == pd.Timestamp("2022-09-26")
    assert belarus["silent_occasion"] == "Fixture talks in Sochi"


def test_as_of_ignores_later_statements(mini):
    early = row(compare.positions(mini, "recognition", "2022-09-26"), "belarus")
    late = row(compare.positions(mini, "recognition", "2022-10-31"), "belarus")
    assert early["stance"] == "ambiguous"
    assert late["stance"] == "implicit_support"
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
    assert list(near.below["actor_id"]) == ["g7", "serbia"]
    assert list(near.above["actor_id"]) == ["syria", "belarus"] or sorted(
        near.above["actor_id"]
    ) == ["belarus", "syria"]


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


def test_counts_keep_silence_and_no_record_apart(mini):
    counts = compare.stance_counts(compare.positions(mini, "recognition", "2022-09-30"))
    assert counts["silent"] == 1
    assert counts[compare.NO_RECORD] == 1
    assert counts["explicit_rejection"] == 2


def test_comparison_table_orders_scale_then_silence(mini):
    table = compare.comparison_table(compare.positions(mini, "recognition", "2022-09-30"))
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
    assert table.iloc[-1]["quote (English)"] == "(silent) Fixture summit"
    assert table.iloc[4]["quote (English)"] == "fixture: respects the will (English)"


def test_coverage_counts_every_statement(mini):
    coverage = compare.coverage(mini)
    assert coverage.drop(columns=["issue", "actors"]).to_numpy().sum() == len(mini.statements)
    recognition = coverage[coverage["issue"] == "Recognition"].iloc[0]
    assert recognition["Silent"] == 2 and recognition["actors"] == 7


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
