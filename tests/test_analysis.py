"""Groups, changes, silences, words versus votes and the cross-actor matrix."""

from __future__ import annotations

import math
import re
import shutil
from dataclasses import replace

import pandas as pd
import pytest

from reactions import compare, narrative, tables, votes, wording
from reactions.dataset import load_dataset
from reactions.story import VoteOfRecord, VoteResult
from support.paths import DATA

# The fixture has no story.yml: the 2022 story's vote of record, declared here.
ES_11_4 = VoteOfRecord("A/RES/ES-11/4", "recognition", -1)


def test_group_summary_counts_silence_apart_and_lists_small_groups_by_member(mini):
    table = compare.positions(mini, "recognition", "2022-09-30")
    summary = compare.group_summary(table, mini.codebook).set_index("group")
    allies = summary.loc["russia_allies"]
    assert allies["actors"] == 4
    assert (allies["implicit_rejection"], allies["ambiguous"]) == (1, 1)
    assert (allies["explicit_rejection"], allies["implicit_support"]) == (0, 0)
    assert (allies["silent"], allies["none"]) == (1, 1)  # Tajikistan silent, Armenia none
    # Two stated a stance: too few for a share or a median; its members are listed instead.
    assert allies["stated"] == 2
    assert math.isnan(allies["share_rejecting"]) and math.isnan(allies["median_score"])
    assert allies["members"] == [
        ("Kazakhstan", "implicit_rejection", -1.0),
        ("Belarus", "ambiguous", 0.0),
    ]
    assert list(summary.index) == [
        "russia_allies",
        "russia_partners",
        "russia_backed_entities",
        "west",
    ]
    assert "ukraine" not in summary.index  # groups without actors are left out
    labelled = tables.group_table(summary.reset_index(), mini.codebook).set_index("group")
    allies_text = labelled.loc["Russia's allies (Union State, CSTO)"]
    assert allies_text["stated (n)"] == 2
    assert (
        allies_text["rejecting (n \u2265 3)"] == ""
        and allies_text["median score (n \u2265 3)"] == ""
    )
    assert allies_text["stated members (n < 3)"] == (
        "Kazakhstan, implicit rejection (-1); Belarus, ambiguous (0)"
    )
    assert (allies_text["Implicit rejection"], allies_text["no statement on record"]) == (1, 1)


def test_group_summary_takes_medians_of_scores_from_three_stated_actors(mini):
    table = compare.positions(mini, "recognition", "2022-09-30").assign(group="russia_allies")
    # One group of all: G7 -2, Serbia -2, Kazakhstan -1, Belarus 0, Syria +1, South Ossetia +2.
    allies = compare.group_summary(table, mini.codebook).set_index("group").loc["russia_allies"]
    assert (allies["actors"], allies["stated"], allies["silent"], allies["none"]) == (8, 6, 1, 1)
    assert allies["share_rejecting"] == 0.5 and allies["median_score"] == -0.5
    assert allies["members"] == []
    labelled = tables.group_table(
        compare.group_summary(table, mini.codebook), mini.codebook
    ).set_index("group")
    allies_text = labelled.loc["Russia's allies (Union State, CSTO)"]
    assert allies_text["rejecting (n \u2265 3)"] == "50%"
    assert allies_text["median score (n \u2265 3)"] == "-0.5"
    assert allies_text["stated members (n < 3)"] == ""


def test_changes_between_two_dates(mini):
    before = compare.positions(mini, "recognition", "2022-09-26")
    after = compare.positions(mini, "recognition", "2022-10-31")
    moved = compare.changes(before, after)
    indexed = moved.set_index("actor_id")
    assert sorted(indexed.index) == ["belarus", "syria", "tajikistan"]
    belarus = indexed.loc["belarus"]
    assert (belarus["record_before"], belarus["stance_before"], belarus["score_before"]) == (
        "stated",
        "ambiguous",
        0,
    )
    assert (belarus["record_after"], belarus["stance_after"], belarus["score_after"]) == (
        "stated",
        "implicit_support",
        1,
    )
    assert belarus["shift"] == 1 and belarus["date"] == pd.Timestamp("2022-10-05")
    assert belarus["date_precision"] == "day"
    tajikistan = indexed.loc["tajikistan"]
    assert (tajikistan["record_before"], tajikistan["record_after"]) == ("none", "silent")
    assert pd.isna(tajikistan["shift"])
    shown = tables.changes_table(moved, mini.codebook).set_index("actor")
    assert shown.loc["Belarus"].to_dict() == {
        "before": "ambiguous (0)",
        "after": "implicit support (+1)",
        "shift": "+1",
        "date": "2022-10-05",
    }
    assert shown.loc["Tajikistan", "after"] == "silent"
    assert shown.loc["Syria", "before"] == "no statement on record"
    text = narrative.change_sentence(
        moved,
        "belarus",
        "Belarus",
        pd.Timestamp("2022-09-26"),
        pd.Timestamp("2022-10-31"),
        mini.codebook,
    )
    assert text == (
        "Between 26 September 2022 and 31 October 2022, Belarus moved from "
        "ambiguous (0) to implicit support (+1); first worded stance on record from 1 more actor "
        "(Syria); first silence on record: Tajikistan."
    )
    text = narrative.change_sentence(
        moved,
        "kazakhstan",
        "Kazakhstan",
        pd.Timestamp("2022-09-26"),
        pd.Timestamp("2022-10-31"),
        mini.codebook,
    )
    assert text.startswith(
        "Between 26 September 2022 and 31 October 2022, Kazakhstan's position did not change; "
        "changed position: Belarus (ambiguous (0) \u2192 implicit support (+1))"
    )


def test_silences_list_every_issue_left_out_on_an_occasion(mini):
    found = compare.silences(mini, "belarus", "2022-10-31")
    assert list(found["issues"]) == [["recognition", "war_participation"]]
    assert narrative.unsaid_sentence(found, "Belarus", mini.codebook) == (
        "Left unsaid: on 26 September 2022 (Fixture talks in Sochi), Belarus addressed neither "
        "recognition of the \u201creferendums\u201d nor taking part in the war."
    )
    assert compare.silences(mini, "belarus", "2022-09-25").empty
    assert (
        narrative.unsaid_sentence(
            compare.silences(mini, "belarus", "2022-09-25"), "Belarus", mini.codebook
        )
        == "No silence of Belarus is on record."
    )


def test_words_and_votes_flags_divergence_and_never_guesses(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4).set_index("actor_id")
    belarus = table.loc["belarus"]  # 5 October, before the vote
    assert (belarus["record"], belarus["stance"], belarus["score"]) == (
        "stated",
        "implicit_support",
        1,
    )
    assert belarus["words_date"] == pd.Timestamp("2022-10-05")
    assert belarus["words_date_precision"] == "day"
    assert belarus["latest_stance"] == "" and pd.isna(belarus["latest_score"])  # none differ
    assert pd.isna(belarus["latest_date"])
    assert (belarus["vote"], belarus["status"], belarus["vote_direction"]) == ("no", "voted", 1)
    assert not belarus["diverges"]  # +1 in words, a no reads +1
    assert table.loc["kazakhstan", "vote_direction"] == 0 and table.loc["kazakhstan", "diverges"]
    assert table.loc["serbia", "vote_direction"] == -1 and not table.loc["serbia", "diverges"]
    armenia = table.loc["armenia"]
    assert (armenia["record"], armenia["vote"], armenia["status"]) == ("none", "abstain", "voted")
    assert not armenia["diverges"]  # no words: nothing to diverge from
    assert table["status"].to_dict() == {
        "belarus": "voted",
        "kazakhstan": "voted",
        "serbia": "voted",
        "south-ossetia": "cannot_vote",  # not a UN member
        "syria": "not_on_record",  # a member state whose vote is not in votes.csv
        "g7": "cannot_vote",
        "armenia": "voted",
        "tajikistan": "not_on_record",
    }
    assert table.loc[["kazakhstan", "armenia", "belarus", "serbia"], "diverges"].tolist() == [
        True,
        False,
        False,
        False,
    ]
    assert table.loc["belarus", "earlier"] == [("A/RES/68/262", pd.Timestamp("2014-03-27"), "no")]
    shown = tables.words_and_votes_table(table.reset_index(), mini.codebook).set_index("actor")
    assert shown.loc["Belarus"].to_dict() == {
        "group": "Russia's allies (Union State, CSTO)",
        "position the day before": "implicit support (+1)",
        "set on": "2022-10-05",
        "vote": "no",
        "earlier votes": "A/RES/68/262 (2014): no",
        "diverges": "",
        "source": "Fixture source by-rec-oct",  # of the words: linked, with their publisher
        "publisher": "Fixture",
        "vote source": "Fixture record",  # of the vote: linked
        "source_url": "https://example.org/by-rec-oct",
        "vote_source_url": "https://example.org/es-11-4",
    }
    assert shown.loc["Kazakhstan", "diverges"] == "yes"
    assert shown.loc["Kazakhstan", "vote_source_url"] == ""  # the fixture's record has none
    assert shown.loc["South Ossetia", "vote"] == "cannot vote (not a member)"
    assert shown.loc["Syria", "vote"] == "not on record"
    assert shown.loc["Armenia", "position the day before"] == "no statement on record"


def test_an_actor_without_a_vote_never_diverges(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4).set_index("actor_id")
    # South Ossetia (+2) and G7 (-2) cannot vote; Syria's (+1) vote is not on record.
    assert not table.loc[["south-ossetia", "g7", "syria"], "diverges"].any()
    assert list(table.index[table["diverges"]]) == ["kazakhstan"]


def test_words_are_read_the_day_before_the_vote(mini):
    statements = mini.statements.copy()
    same_day = statements[statements["statement_id"] == "kz-rec"].assign(
        statement_id="kz-rec-vote-day", date=pd.Timestamp("2022-10-12"), stance="ambiguous"
    )
    data = replace(mini, statements=pd.concat([statements, same_day], ignore_index=True))
    kazakhstan = (
        votes.words_and_votes(data, "2022-10-31", ES_11_4).set_index("actor_id").loc["kazakhstan"]
    )
    assert kazakhstan["stance"] == "implicit_rejection"  # the 12 October words come too late
    assert kazakhstan["diverges"]


def test_words_and_votes_before_the_vote_is_held(mini):
    table = votes.words_and_votes(mini, "2022-09-26", ES_11_4)
    assert set(table["status"]) == {"not_held"}
    assert set(table["vote"]) == {""}
    assert not table["diverges"].any()
    shown = tables.words_and_votes_table(table, mini.codebook)
    assert set(shown["vote"]) == {"not yet held"}


def test_vote_direction_rules():
    assert votes.vote_direction("yes", -1) == -1  # a yes rejects when yes reads as rejection
    assert votes.vote_direction("no", -1) == 1
    assert votes.vote_direction("abstain", -1) == 0
    assert votes.vote_direction("yes", 1) == 1
    assert votes.vote_direction("no", 1) == -1
    assert votes.vote_direction("absent", -1) is None
    assert votes.vote_direction("", -1) is None


def test_can_vote_only_member_states(mini):
    assert votes.can_vote(mini.actors.set_index("actor_id")).to_dict() == {
        "belarus": True,
        "kazakhstan": True,
        "serbia": True,
        "south-ossetia": False,
        "syria": True,
        "g7": False,
        "armenia": True,
        "tajikistan": True,
    }


def test_roll_call_counts_every_recorded_row(mini):
    assert votes.roll_call(mini, "A/RES/ES-11/4") == {
        "yes": 1,
        "no": 1,
        "abstain": 2,
        "absent": 0,
        "recorded": 4,
    }
    assert votes.roll_call(mini, "A/RES/68/262")["recorded"] == 1
    assert votes.roll_call(mini, "A/RES/unknown")["recorded"] == 0


def test_vote_sentence_moves_with_as_of(mini):
    def sentence(actor: str, name: str, as_of: str) -> str:
        row = votes.words_and_votes(mini, as_of, ES_11_4).set_index("actor_id").loc[actor]
        return narrative.vote_sentence(
            row,
            votes.votes_as_of(mini, actor, as_of),
            name,
            ES_11_4,
            pd.Timestamp(as_of),
            mini.codebook,
        )

    assert sentence("belarus", "Belarus", "2022-09-26") == (
        "Recorded UN General Assembly votes of Belarus up to 26 September 2022: "
        "A/RES/68/262 (27 March 2014): voted no."
    )
    assert sentence("belarus", "Belarus", "2022-10-31") == (
        "Recorded UN General Assembly votes of Belarus up to 31 October 2022: "
        "A/RES/68/262 (27 March 2014): voted no and A/RES/ES-11/4 (12 October 2022): voted no. "
        "The official result of A/RES/ES-11/4 is not in this dataset. "
        "Its position on recognition of the \u201creferendums\u201d the day before the vote was "
        "implicit support (+1): supported in words, voted no."
    )
    assert sentence("kazakhstan", "Kazakhstan", "2022-10-31").endswith(
        "Its position on recognition of the \u201creferendums\u201d the day before the vote was "
        "implicit rejection (-1): rejected in words, abstained, a divergence."
    )
    assert sentence("armenia", "Armenia", "2022-10-31").endswith(
        "The official result of A/RES/ES-11/4 is not in this dataset. Armenia had no statement "
        "on recognition of the \u201creferendums\u201d on record before the vote; it abstained."
    )
    assert sentence("g7", "G7", "2022-10-31") == (
        "G7 cannot vote in the UN General Assembly: it is not a member state."
    )
    assert sentence("syria", "Syria", "2022-10-31") == (
        "No UN General Assembly vote of Syria up to 31 October 2022 is in this dataset."
    )


def test_vote_sentence_gives_the_official_result_where_the_story_has_it(mini):
    vote = replace(ES_11_4, result=VoteResult(143, 5, 35, 10, source_title="UN press release"))
    row = votes.words_and_votes(mini, "2022-10-31", vote).set_index("actor_id").loc["belarus"]
    text = narrative.vote_sentence(
        row,
        votes.votes_as_of(mini, "belarus", "2022-10-31"),
        "Belarus",
        vote,
        pd.Timestamp("2022-10-31"),
        mini.codebook,
    )
    assert (
        " A/RES/ES-11/4 was adopted 143-5-35, 10 absent (source: UN press release). Its "
        "position on recognition"
    ) in text


def test_divergence_sentence_counts_what_is_not_a_divergence(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    roll = votes.roll_call(mini, ES_11_4.resolution)
    text = narrative.divergence_sentence(table, ES_11_4, roll, mini.codebook)
    assert text.startswith(
        "The official result of A/RES/ES-11/4 is not in this dataset. The dataset records 4 "
        "member states' votes: 1 yes, 1 no, 2 abstaining, 0 absent. What follows is read over "
        "recorded votes only. "
    )
    assert "Kazakhstan (rejected in words, abstained)" in text
    assert text.endswith(
        " Voted with no worded stance on record: 1. Member states among the actors whose vote "
        "this dataset does not hold: 2. Actors that cannot vote (not UN member states): 2."
    )


def test_an_absent_voter_is_not_counted_as_voting_without_words(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    table.loc[table["actor_id"] == "armenia", "vote"] = "absent"  # no statement, absent
    roll = {"yes": 1, "no": 1, "abstain": 1, "absent": 1, "recorded": 4}
    text = narrative.divergence_sentence(table, ES_11_4, roll, mini.codebook)
    assert "1 yes, 1 no, 1 abstaining, 1 absent." in text
    assert " Voted with no worded stance on record: 0. " in text


def test_divergence_sentence_with_the_official_result_and_no_divergence(mini):
    vote = replace(ES_11_4, result=VoteResult(143, 5, 35, 10, source_title="UN press release"))
    table = votes.words_and_votes(mini, "2022-10-31", vote)
    table["diverges"] = False
    roll = votes.roll_call(mini, vote.resolution)
    assert narrative.divergence_sentence(table, vote, roll, mini.codebook) == (
        "A/RES/ES-11/4 was adopted 143-5-35, 10 absent (source: UN press release). The dataset "
        "records 4 of its 193 member states' votes: 1 yes, 1 no, 2 abstaining, 0 absent. What "
        "follows is read over recorded votes only. No actor's position on recognition of the "
        "\u201creferendums\u201d the day before diverges from its vote. Voted with no worded "
        "stance on record: 1. Member states among the actors whose vote this dataset does not "
        "hold: 2. Actors that cannot vote (not UN member states): 2."
    )


def test_divergence_sentence(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    roll = votes.roll_call(mini, ES_11_4.resolution)
    assert narrative.divergence_sentence(table, ES_11_4, roll, mini.codebook) == (
        "The official result of A/RES/ES-11/4 is not in this dataset. The dataset records 4 "
        "member states' votes: 1 yes, 1 no, 2 abstaining, 0 absent. What follows is read over "
        "recorded votes only. Position on recognition of the \u201creferendums\u201d the day "
        "before and vote diverge for 1 actor: Kazakhstan (rejected in words, abstained). Voted "
        "with no worded stance on record: 1. Member states among the actors whose vote this "
        "dataset does not hold: 2. Actors that cannot vote (not UN member states): 2."
    )


def test_matrix_covers_every_actor_and_issue_with_silence_visible(mini):
    issues = list(mini.codebook.issues)
    long = compare.matrix(mini, "2022-09-30", issues)
    assert len(long) == len(mini.actors) * len(issues) == 8 * 4
    cells = long.set_index(["actor_id", "issue"])
    assert cells.loc[("belarus", "war_participation"), "record"] == "silent"
    assert cells.loc[("belarus", "mobilization"), ["stance", "score"]].tolist() == [
        "explicit_rejection",
        -2,
    ]
    assert cells.loc[("armenia", "recognition"), "record"] == "none"
    texts = wording.cell_texts(long)
    texts.index = pd.MultiIndex.from_frame(long[["actor_id", "issue"]])
    assert texts[("belarus", "war_participation")] == "silent"
    assert texts[("belarus", "mobilization")] == "-2"
    assert texts[("belarus", "recognition")] == "0"
    assert texts[("armenia", "recognition")] == ""
    wide = tables.matrix_table(long, mini.codebook)
    assert list(wide.columns) == [
        "group",
        "actor",
        "Recognition",
        "Mobilization",
        "War participation",
        "Belarus's part in the war",
    ]
    belarus = wide.set_index("actor").loc["Belarus"]
    assert belarus.tolist() == ["Russia's allies (Union State, CSTO)", "0", "-2", "silent", ""]
    only_allies = compare.matrix(mini, "2022-09-30", issues, "russia_allies")
    assert set(only_allies["actor_id"]) == {"belarus", "kazakhstan", "armenia", "tajikistan"}


def test_stance_history_is_oldest_first(mini):
    history = compare.stance_history(mini, "belarus", "2022-10-31", "recognition")
    assert list(history["statement_id"]) == ["by-rec-makei", "by-rec-sochi", "by-rec-oct"]
    every_issue = compare.stance_history(mini, "belarus", "2022-09-26")
    assert list(every_issue["statement_id"]) == [
        "by-mob",
        "by-rec-makei",
        "by-rec-sochi",
        "by-war-sochi",
    ]
    shown = tables.history_table(every_issue, mini.codebook)
    assert list(shown["issue"]) == [
        "Mobilization",
        "Recognition",
        "Recognition",
        "War participation",
    ]
    assert list(shown["score"]) == ["-2", "0", "", ""]
    assert shown.iloc[2]["words"] == "(silent) Fixture talks in Sochi"


def test_group_summaries_cover_each_issue_of_a_matrix(mini):
    long = compare.matrix(mini, "2022-09-30", ["recognition", "war_participation"], "russia_allies")
    summaries = compare.group_summaries(long, mini.codebook)
    assert list(summaries["issue"]) == ["recognition", "war_participation"]
    assert set(summaries["group"]) == {"russia_allies"}
    war = summaries.set_index("issue").loc["war_participation"]
    assert (war["silent"], war["none"]) == (1, 3)  # Belarus silent in Sochi
    assert math.isnan(war["share_rejecting"]) and math.isnan(war["median_score"])
    assert (war["stated"], war["members"]) == (0, [])
    shown = tables.group_table(summaries, mini.codebook)
    assert list(shown["issue"]) == ["Recognition", "War participation"]
    assert list(shown["stated (n)"]) == [2, 0]
    assert list(shown["rejecting (n \u2265 3)"]) == ["", ""]  # two stated: too few for a share
    assert list(shown["stated members (n < 3)"]) == [
        "Kazakhstan, implicit rejection (-1); Belarus, ambiguous (0)",
        "",
    ]


def test_words_and_votes_for_one_group(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4, group="russia_allies")
    assert sorted(table["actor_id"]) == ["armenia", "belarus", "kazakhstan", "tajikistan"]


def test_position_and_stance_words(mini):
    codebook = mini.codebook
    assert wording.position_text(codebook, "stated", "implicit_rejection", -1.0) == (
        "implicit rejection (-1)"
    )
    assert wording.position_text(codebook, "stated", "ambiguous", 0.0) == "ambiguous (0)"
    assert wording.position_text(codebook, "silent", "silent", float("nan")) == "silent"
    assert wording.position_text(codebook, compare.NO_RECORD, "", float("nan")) == (
        "no statement on record"
    )
    assert wording.stance_phrase(codebook, "explicit_support", 2.0) == "explicit support, +2"
    assert wording.stance_phrase(codebook, "silent", None) == "silent"
    assert wording.stance_label(codebook, "") == "no statement on record"
    assert wording.stance_words(codebook, "implicit_rejection") == "implicit rejection"
    assert wording.issue_words(codebook, "recognition") == (
        "recognition of the \u201creferendums\u201d"
    )
    # Without the codebook's in_sentence forms, the labels as written: never lower-cased.
    plain = replace(
        codebook,
        stances={code: replace(one, in_sentence="") for code, one in codebook.stances.items()},
        issue_words={},
    )
    assert wording.stance_words(plain, "implicit_rejection") == "Implicit rejection"
    assert wording.position_text(plain, "stated", "implicit_rejection", -1.0) == (
        "Implicit rejection (-1)"
    )
    assert wording.stance_phrase(plain, "explicit_support", 2.0) == "Explicit support, +2"
    assert wording.issue_words(plain, "belarus_involvement") == "Belarus's part in the war"
    assert wording.issue_words(plain, "recognition") == "Recognition"
    assert [wording.format_score(s) for s in (-2, -1, 0, 1, 2, None, float("nan"))] == [
        "-2",
        "-1",
        "0",
        "+1",
        "+2",
        "",
        "",
    ]
    assert wording.format_date(pd.Timestamp("2022-09-24"), "week") == (
        "in the week of 24 September 2022"
    )
    assert wording.format_date(pd.Timestamp("2022-09-24"), "month") == "in September 2022"
    assert wording.format_date(pd.Timestamp("2022-09-04")) == "on 4 September 2022"
    assert wording.join_names(["A", "B", "C"]) == "A, B and C"
    assert wording.join_names(["A"]) == "A" and wording.join_names([]) == ""


# --- A label is words, never data: relabelling the codebook changes no number. ---

AS_OF_DATES = ["2022-09-20", "2022-09-26", "2022-09-30", "2022-10-11", "2022-10-31"]


def relabelled_copy(tmp_path) -> object:
    target = tmp_path / DATA.name
    shutil.copytree(DATA, target)
    path = target / "codebook.yml"
    text = path.read_text(encoding="utf-8")
    head, cues = text.split("\ncues:", 1)
    relabelled, count = re.subn(r"(?m)^(\s+label: )(.+)$", r"\1Zz \2", head)
    assert count > 0
    path.write_text(relabelled + "\ncues:" + cues, encoding="utf-8")
    return load_dataset(target)


@pytest.fixture(scope="module")
def original():
    return load_dataset(DATA)


def test_relabelling_the_codebook_changes_no_number(tmp_path, original):
    relabelled = relabelled_copy(tmp_path)
    old, new = original.codebook, relabelled.codebook
    # Every label did change (else this test could not fail), and no code did.
    labels = lambda book: [  # noqa: E731
        *book.issues.values(),
        *book.groups.values(),
        *(stance.label for stance in book.stances.values()),
    ]
    assert all(label.startswith("Zz ") for label in labels(new))
    assert [f"Zz {label}" for label in labels(old)] == labels(new)
    assert list(old.issues) == list(new.issues) and list(old.stances) == list(new.stances)
    assert list(old.groups) == list(new.groups)
    assert new.issues["recognition"] == "Zz Recognition"

    for as_of in AS_OF_DATES:
        pd.testing.assert_frame_equal(
            compare.coverage(original, as_of), compare.coverage(relabelled, as_of)
        )
    assert compare.coverage(original, "2022-10-31").drop(columns="issue").to_numpy().sum() > 0
    for issue in old.issues:
        for as_of in AS_OF_DATES:
            before = compare.positions(original, issue, as_of)
            after = compare.positions(relabelled, issue, as_of)
            assert compare.field_counts(before) == compare.field_counts(after)
            pd.testing.assert_frame_equal(
                compare.group_summary(before, old), compare.group_summary(after, new)
            )
    vote = original.story.vote_for("recognition")
    assert vote is not None and vote == relabelled.story.vote_for("recognition")
    # `line` (where story.yml declares the vote, for error messages) is no part of the vote.
    assert replace(vote, line=None) == VoteOfRecord(
        "A/RES/ES-11/4",
        "recognition",
        -1,
        "Territorial integrity of Ukraine - defending the principles of the Charter of the "
        "United Nations",
        VoteResult(
            143,
            5,
            35,
            10,
            "UN General Assembly passes resolution on respect for Ukraine's territorial "
            "integrity (Interfax-Ukraine, 13 October 2022)",
            "https://en.interfax.com.ua/news/general/865264.html",
        ),
    )
    for as_of in AS_OF_DATES:
        before = votes.words_and_votes(original, as_of, vote)
        after = votes.words_and_votes(relabelled, as_of, vote)
        assert before["status"].value_counts().to_dict() == after["status"].value_counts().to_dict()
        assert int(before["diverges"].sum()) == int(after["diverges"].sum())
        pd.testing.assert_frame_equal(before, after)
    assert votes.roll_call(original, vote.resolution) == votes.roll_call(
        relabelled, vote.resolution
    )
    # The labels reach the words: the presentation layer does use the new labels.
    day = pd.Timestamp("2022-09-26")
    old_text = narrative.field_sentence(
        compare.positions(original, "recognition", day), old.issues["recognition"], day
    )
    new_text = narrative.field_sentence(
        compare.positions(relabelled, "recognition", day), new.issues["recognition"], day
    )
    assert new_text == old_text.replace("on Recognition", "on Zz Recognition")
    assert new_text != old_text
    shown = tables.coverage_table(compare.coverage(relabelled, "2022-10-31"), new)
    assert shown["issue"].iloc[0] == "Zz Recognition" and "Zz Silent" in shown.columns


def test_words_and_votes_table_adds_latest_words_that_are_not_the_position(mini):
    statements = mini.statements.copy()
    milder = statements[statements["statement_id"] == "rs-rec"].assign(
        statement_id="rs-rec-later", date=pd.Timestamp("2022-09-29"), stance="implicit_rejection"
    )
    data = replace(mini, statements=pd.concat([statements, milder], ignore_index=True))
    table = votes.words_and_votes(data, "2022-10-31", ES_11_4)
    serbia = table.set_index("actor_id").loc["serbia"]
    assert (serbia["stance"], serbia["latest_stance"], serbia["latest_score"]) == (
        "explicit_rejection",
        "implicit_rejection",
        -1,
    )
    assert serbia["latest_date"] == pd.Timestamp("2022-09-29")
    shown = tables.words_and_votes_table(table, data.codebook).set_index("actor")
    assert shown.loc["Serbia", "position the day before"] == (
        "explicit rejection (-2); latest words implicit rejection (-1)"
    )
    assert shown.loc["Serbia", "set on"] == "2022-09-26"
