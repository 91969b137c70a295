"""Positions, neighbours and counts on the synthetic dataset, whose answers are known."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from reactions import compare, tables
from reactions.codebook import LATEST

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


def test_position_is_the_worded_stance_and_later_silence_is_kept_apart(mini):
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
    # A week-precise reversal and Kazakhstan's day-precise words, both dated 26 September:
    # the more exact date comes later, so its words are the position.
    extra = statements[statements["statement_id"] == "kz-rec"].assign(
        statement_id="kz-rec-week", date_precision="week", stance="explicit_support"
    )
    data = replace(mini, statements=pd.concat([statements, extra], ignore_index=True))
    kazakhstan = row(compare.positions(data, "recognition", "2022-09-26"), "kazakhstan")
    assert (kazakhstan["stance"], kazakhstan["statement_id"]) == ("implicit_rejection", "kz-rec")
    assert kazakhstan["latest_statement_id"] == ""  # its latest words are its position


def test_precision_orders_a_day_under_the_latest_words_rule(mini):
    statements = mini.statements.copy()
    extra = statements[statements["statement_id"] == "kz-rec"].assign(
        statement_id="kz-rec-week", date_precision="week", stance="explicit_rejection"
    )
    data = replace(mini, statements=pd.concat([statements, extra], ignore_index=True))
    latest_words = replace(data, codebook=replace(data.codebook, position=LATEST))
    assert (
        row(compare.positions(latest_words, "recognition", "2022-09-26"), "kazakhstan")["stance"]
        == "implicit_rejection"
    )
    # By default the week's clearer words in the same direction stay the position; the
    # day-precise, milder words are its latest words.
    kazakhstan = row(compare.positions(data, "recognition", "2022-09-26"), "kazakhstan")
    assert (kazakhstan["stance"], kazakhstan["score"]) == ("explicit_rejection", -2)
    assert (kazakhstan["statement_id"], kazakhstan["date_precision"]) == ("kz-rec-week", "week")
    assert (kazakhstan["latest_statement_id"], kazakhstan["latest_stance"]) == (
        "kz-rec",
        "implicit_rejection",
    )
    assert kazakhstan["latest_score"] == -1


def later(mini, stance: str, **extra: str):
    """The mini dataset plus Serbia's words of 29 September (after its -2 of 26 September)."""
    statements = mini.statements.copy()
    words = statements[statements["statement_id"] == "rs-rec"].assign(
        statement_id="rs-rec-later",
        date=pd.Timestamp("2022-09-29"),
        stance=stance,
        **({"quote": "fixture: later"} | extra),
    )
    return replace(mini, statements=pd.concat([statements, words], ignore_index=True))


def test_milder_words_in_the_same_direction_do_not_soften_a_position(mini):
    data = later(mini, "implicit_rejection")
    serbia = row(compare.positions(data, "recognition", "2022-09-30"), "serbia")
    assert (serbia["stance"], serbia["score"], serbia["statement_id"]) == (
        "explicit_rejection",
        -2,
        "rs-rec",
    )
    assert serbia["date"] == pd.Timestamp("2022-09-26")
    assert (serbia["latest_statement_id"], serbia["latest_stance"], serbia["latest_score"]) == (
        "rs-rec-later",
        "implicit_rejection",
        -1,
    )
    assert serbia["latest_date"] == pd.Timestamp("2022-09-29")
    assert serbia["latest_quote_en"] == "fixture: later"
    before = compare.positions(data, "recognition", "2022-09-26")
    after = compare.positions(data, "recognition", "2022-09-30")
    assert "serbia" not in set(compare.changes(before, after)["actor_id"])  # no softening
    # The codebook's `position: latest-words` reads the latest words, as before.
    latest_words = replace(data, codebook=replace(data.codebook, position=LATEST))
    serbia = row(compare.positions(latest_words, "recognition", "2022-09-30"), "serbia")
    assert (serbia["stance"], serbia["latest_statement_id"]) == ("implicit_rejection", "")


def test_a_hedge_a_reversal_or_a_superseding_row_changes_a_position(mini):
    for stance, extra, expected in [
        ("ambiguous", {}, ("ambiguous", 0)),
        ("implicit_support", {}, ("implicit_support", 1)),
        ("implicit_rejection", {"supersedes": "rs-rec"}, ("implicit_rejection", -1)),
    ]:
        data = later(mini, stance, **extra)
        serbia = row(compare.positions(data, "recognition", "2022-09-30"), "serbia")
        assert (serbia["stance"], serbia["score"]) == expected, stance
        assert (serbia["statement_id"], serbia["latest_statement_id"]) == ("rs-rec-later", "")
    # Silence never does.
    data = later(mini, "silent", quote="", occasion="Fixture forum")
    serbia = row(compare.positions(data, "recognition", "2022-09-30"), "serbia")
    assert (serbia["stance"], serbia["statement_id"]) == ("explicit_rejection", "rs-rec")
    assert serbia["silent_since"] == pd.Timestamp("2022-09-29")


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
    assert list(table.columns) == [
        "actor",
        "group",
        "position",
        "score",
        "set on",
        "words (English)",
        "source",
        "publisher",
        "source_url",
    ]  # no excerpt differs from its quote, no latest words differ from the position
    assert list(table["position"]) == [
        "Explicit rejection",
        "Explicit rejection",
        "Implicit rejection",
        "Ambiguous",
        "Implicit support",
        "Explicit support",
        "Silent",
    ]
    assert table.iloc[0]["group"] == "The West"
    assert table.iloc[-1]["words (English)"] == "(silent) Fixture summit"
    assert table.iloc[4]["words (English)"] == "fixture: respects the will (English) (translation)"
    assert table.iloc[3]["set on"] == "week of 2022-09-24"  # Belarus, dated to the week
    assert table.iloc[2]["set on"] == "2022-09-26"


def test_coverage_counts_every_statement_by_code(mini):
    coverage = compare.coverage(mini, "2022-10-31")
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


def test_coverage_counts_only_statements_on_record_by_its_date(mini):
    by_issue = compare.coverage(mini, "2022-09-26").set_index("issue")
    assert by_issue.loc["recognition"].to_dict() == {
        "explicit_rejection": 2,  # G7, Serbia
        "implicit_rejection": 1,
        "ambiguous": 1,
        "implicit_support": 0,  # Syria (27 Sep) and Belarus (5 Oct) come later
        "explicit_support": 1,
        "silent": 1,  # Belarus in Sochi; Tajikistan (28 Sep) comes later
        "actors": 5,
    }
    assert compare.coverage(mini, "2022-09-19").drop(columns="issue").to_numpy().sum() == 0


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


def test_comparison_table_shows_the_excerpt_the_full_quote_and_latest_words(mini):
    data = later(mini, "implicit_rejection")
    statements = data.statements.copy()
    statements.loc[statements["statement_id"] == "rs-rec", "excerpt"] = "cannot accept"
    data = replace(data, statements=statements)
    table = tables.comparison_table(
        compare.positions(data, "recognition", "2022-09-30"), data.codebook
    )
    assert list(table.columns) == [
        "actor",
        "group",
        "position",
        "score",
        "set on",
        "words (English)",
        "full quote",
        "latest words, if not the position",
        "source",
        "publisher",
        "latest source",  # where the latest words were said: linked
        "source_url",
        "latest_source_url",
    ]
    serbia = table.set_index("actor").loc["Serbia"]
    assert (serbia["position"], serbia["score"], serbia["set on"]) == (
        "Explicit rejection",
        "-2",
        "2022-09-26",
    )
    assert serbia["words (English)"] == "cannot accept"
    assert serbia["full quote"] == "fixture: cannot accept"
    assert serbia["latest words, if not the position"] == (
        "implicit rejection (-1), 2022-09-29: fixture: later"
    )
    assert serbia["latest_source_url"].startswith("https://example.org/")
    assert serbia["latest source"].endswith("(Fixture)")  # with its publisher
    g7 = table.set_index("actor").loc["G7"]
    assert (g7["words (English)"], g7["full quote"]) == ("fixture: never", "fixture: never")
    assert g7["latest words, if not the position"] == ""
    assert (g7["latest source"], g7["latest_source_url"]) == ("", "")
