"""Groups, changes, silences, words versus votes and the cross-actor matrix."""

from __future__ import annotations

import pandas as pd

from reactions import compare, narrative, votes


def test_group_summary_counts_silence_apart_and_takes_medians_of_scores(mini):
    table = compare.positions(mini, "recognition", "2022-09-30")
    summary = compare.group_summary(table, mini.codebook).set_index("group")
    allies = summary.loc["Russia's allies (Union State, CSTO)"]
    assert allies["actors"] == 4
    assert (allies["Implicit rejection"], allies["Ambiguous"]) == (1, 1)
    assert (allies["silent"], allies["no record"]) == (1, 1)  # Tajikistan silent, Armenia none
    assert allies["rejecting"] == "50%" and allies["median score"] == "-0.5"
    assert "Ukraine" not in summary.index  # groups without actors are left out


def test_changes_between_two_dates(mini):
    before = compare.positions(mini, "recognition", "2022-09-26")
    after = compare.positions(mini, "recognition", "2022-10-31")
    moved = compare.changes(before, after).set_index("actor_id")
    assert moved.loc["belarus", "before"] == "ambiguous (0)"
    assert moved.loc["belarus", "after"] == "implicit support (+1)"
    assert moved.loc["belarus", "shift"] == "+1"
    assert moved.loc["tajikistan", "after"] == "silent"
    assert "kazakhstan" not in moved.index
    text = narrative.change_sentence(
        moved.reset_index(),
        "belarus",
        "Belarus",
        pd.Timestamp("2022-09-26"),
        pd.Timestamp("2022-10-31"),
    )
    assert text.startswith(
        "Between 26 September 2022 and 31 October 2022, Belarus moved from "
        "ambiguous (0) to implicit support (+1)"
    )
    assert "first statement on record from 2 more actors (Syria and Tajikistan)" in text


def test_silences_list_every_issue_left_out_on_an_occasion(mini):
    found = compare.silences(mini, "belarus", "2022-10-31")
    assert list(found["issues"]) == [["Recognition", "War participation"]]
    assert narrative.unsaid_sentence(found, "Belarus") == (
        "Left unsaid: at Fixture talks in Sochi on 26 September 2022, Belarus addressed neither "
        "recognition nor war participation."
    )
    assert compare.silences(mini, "belarus", "2022-09-25").empty


def test_words_and_votes_flags_divergence_and_never_guesses(mini):
    table = votes.words_and_votes(mini, "2022-10-31").set_index("actor_id")
    assert table.loc["belarus", "words"] == "implicit support (+1)"  # 5 October, before the vote
    assert table.loc["belarus", "verdict"] == "supported in words, voted no"
    assert not table.loc["belarus", "diverges"]
    assert table.loc["kazakhstan", "verdict"] == "rejected in words, abstained"
    assert table.loc["serbia", "verdict"] == "rejected in words, voted yes"
    assert not table.loc["serbia", "diverges"]
    assert table.loc["armenia", "verdict"] == "no statement; abstained"
    assert table.loc["south-ossetia", "verdict"] == "vote not on record"
    assert table.loc["south-ossetia", "vote"] == "not on record"
    assert table.loc["belarus", "earlier votes"] == "A/RES/68/262 (2014): no"


def test_words_and_votes_before_the_vote_is_held(mini):
    table = votes.words_and_votes(mini, "2022-09-26").set_index("actor_id")
    assert set(table["verdict"]) == {"no vote on A/RES/ES-11/4 as of 2022-09-26"}
    assert not table["diverges"].any()


def test_verdict_rules():
    assert votes.verdict(2.0, "stated", "no") == ("supported in words, voted no", False)
    assert votes.verdict(2.0, "stated", "yes") == ("supported in words, voted yes", True)
    assert votes.verdict(0.0, "stated", "abstain") == ("hedged in words, abstained", False)
    assert votes.verdict(-1.0, "stated", "absent") == ("rejected in words, did not vote", False)
    assert votes.verdict(float("nan"), "silent", "no") == ("silent in words; voted no", False)
    assert votes.verdict(-2.0, "stated", "") == ("vote not on record", False)


def test_vote_sentence_moves_with_as_of(mini):
    for as_of, expected in [
        (
            "2022-09-26",
            "Recorded UN General Assembly votes of Belarus up to 26 September 2022: "
            "A/RES/68/262 (27 March 2014): no.",
        ),
        (
            "2022-10-31",
            "On A/RES/ES-11/4, its last words before the vote were implicit support "
            "(+1): supported in words, voted no.",
        ),
    ]:
        row = votes.words_and_votes(mini, as_of).set_index("actor_id").loc["belarus"]
        text = narrative.vote_sentence(
            row,
            votes.votes_as_of(mini, "belarus", as_of),
            "Belarus",
            votes.ANNEXATION_VOTE,
            pd.Timestamp(as_of),
        )
        assert expected in text
    row = votes.words_and_votes(mini, "2022-10-31").set_index("actor_id").loc["g7"]
    assert (
        narrative.vote_sentence(
            row,
            votes.votes_as_of(mini, "g7", "2022-10-31"),
            "G7",
            votes.ANNEXATION_VOTE,
            pd.Timestamp("2022-10-31"),
        )
        == "No UN General Assembly vote of G7 is on record as of 31 October 2022."
    )


def test_divergence_sentence(mini):
    table = votes.words_and_votes(mini, "2022-10-31")
    text = narrative.divergence_sentence(table, votes.ANNEXATION_VOTE)
    assert text.startswith(
        "On A/RES/ES-11/4, 1 actors' last words diverge from their vote: "
        "Kazakhstan (rejected in words, abstained)."
    )
    assert "1 actors voted with no statement on record; 4 actors have no vote" in text


def test_matrix_covers_every_actor_and_issue_with_silence_visible(mini):
    issues = list(mini.codebook.issues)
    long = compare.matrix(mini, "2022-09-30", issues)
    assert len(long) == len(mini.actors) * len(issues)
    cells = long.set_index(["actor_id", "issue"])["cell"]
    assert cells[("belarus", "war_participation")] == "silent"
    assert cells[("belarus", "mobilization")] == "-2"
    assert cells[("armenia", "recognition")] == ""
    wide = compare.matrix_table(long)
    assert list(wide.columns) == [
        "group",
        "actor",
        "Recognition",
        "Mobilization",
        "War participation",
    ]
    only_allies = compare.matrix(mini, "2022-09-30", issues, "russia_allies")
    assert set(only_allies["actor_id"]) == {"belarus", "kazakhstan", "armenia", "tajikistan"}


def test_stance_history_is_oldest_first(mini):
    history = compare.stance_history(mini, "belarus", "recognition", "2022-10-31")
    assert list(history["statement_id"]) == ["by-rec-makei", "by-rec-sochi", "by-rec-oct"]


def test_group_summaries_cover_each_issue_of_a_matrix(mini):
    long = compare.matrix(mini, "2022-09-30", ["recognition", "war_participation"], "russia_allies")
    summaries = compare.group_summaries(long, mini.codebook)
    assert list(summaries["issue"]) == ["Recognition", "War participation"]
    assert set(summaries["group"]) == {"Russia's allies (Union State, CSTO)"}
    war = summaries.set_index("issue").loc["War participation"]
    assert (war["silent"], war["no record"]) == (1, 3)  # Belarus silent in Sochi


def test_words_and_votes_for_one_group(mini):
    table = votes.words_and_votes(mini, "2022-10-31", group="russia_allies")
    assert sorted(table["actor_id"]) == ["armenia", "belarus", "kazakhstan", "tajikistan"]


def test_stance_text():
    assert compare.stance_text("stated", "Implicit rejection", -1.0) == "implicit rejection (-1)"
    assert compare.stance_text("silent", "Silent", float("nan")) == "silent"
    assert compare.stance_text(compare.NO_RECORD, "", float("nan")) == compare.NO_RECORD
