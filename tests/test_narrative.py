"""The generated sentences say what the data says, and change when it changes."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from reactions import compare, narrative, wording
from reactions.story import DatedText, Story

ARTICLE_SET = ["kazakhstan", "serbia", "south-ossetia"]
POLE = "Moscow's position"  # the 2022 story's pole; the fixture has no story.yml


def lede(data, actor: str, issue: str, as_of: str, among: list[str]) -> str:
    table = compare.positions(data, issue, as_of)
    among_names = [data.actor_name(a) for a in among if a != actor]
    return narrative.lede(
        table,
        compare.neighbours(table, actor, among),
        actor,
        issue,
        compare.as_timestamp(as_of),
        among_names,
        data.codebook,
        POLE,
    )


def test_belarus_stands_between_kazakhstan_and_south_ossetia(mini):
    text = lede(mini, "belarus", "recognition", "2022-09-26", ARTICLE_SET)
    assert text.startswith(
        "As of 26 September 2022, Belarus's position on recognition of the \u201creferendums\u201d "
        "is ambiguous (0), set by Speaker of belarus, Minister, in the week of 24 September "
        "2022: \u201cfixture: national interests\u201d. "
    )
    assert (
        "Among Kazakhstan, Serbia and South Ossetia, Belarus stands between Kazakhstan "
        "(implicit rejection, -1), below, and South Ossetia (explicit support, +2), above."
    ) in text
    assert (
        "On its latest occasion (Fixture talks in Sochi, 26 September 2022), Belarus did not "
        "address recognition of the \u201creferendums\u201d."
    ) in text
    assert text.endswith(
        "Within its group, Russia's allies (Union State, CSTO), 4 actors: implicit rejection "
        "(-1): Kazakhstan; ambiguous (0): Belarus; no statement on record: Armenia and "
        "Tajikistan."
    )


def test_lede_moves_with_the_as_of_date(mini):
    text = lede(mini, "belarus", "recognition", "2022-10-31", [])
    assert "implicit support (+1)" in text and "on 5 October 2022" in text
    assert "did not address" not in text
    assert "Among all actors on record, Belarus stands between" in text


def test_extremes_and_level_peers(mini):
    serbia = lede(mini, "serbia", "recognition", "2022-09-26", [])
    assert (
        "Among all actors on record, Serbia stands furthest from Moscow's position; next above "
        "it is Kazakhstan (implicit rejection, -1); it is level with G7."
    ) in serbia
    ossetia = lede(mini, "south-ossetia", "recognition", "2022-09-26", [])
    assert "closest to Moscow's position; next below it is Belarus (ambiguous, 0)" in ossetia
    # Several names at the next score: "are", not "is".
    ossetia = lede(mini, "south-ossetia", "recognition", "2022-10-31", [])
    assert (
        "closest to Moscow's position; next below it are Belarus and Syria (implicit support, +1)."
    ) in ossetia


def test_level_only_gives_a_sentence_with_the_actor_as_subject(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    focal = table[table["actor_id"] == "serbia"].iloc[0]
    near = compare.neighbours(table, "serbia", ["g7"])
    assert near.below.empty and near.above.empty and list(near.level["name"]) == ["G7"]
    assert (
        narrative.neighbour_sentence(focal, near, ["G7"], mini.codebook, POLE)
        == "Among G7, Serbia stands level with G7."
    )
    everyone = compare.neighbours(table, "serbia", ["g7", "armenia"])  # Armenia: no record
    assert (
        narrative.neighbour_sentence(focal, everyone, [], mini.codebook, POLE)
        == "Among all actors on record, Serbia stands level with G7."
    )


def test_neighbour_sentence_with_nothing_to_compare(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    focal = table[table["actor_id"] == "serbia"].iloc[0]
    near = compare.neighbours(table, "serbia", ["armenia"])
    assert narrative.neighbour_sentence(focal, near, ["Armenia"], mini.codebook, POLE) == (
        "Among Armenia, no other actor has a worded stance to compare with."
    )
    silent = table[table["actor_id"] == "armenia"].iloc[0]
    assert narrative.neighbour_sentence(silent, near, [], mini.codebook, POLE) == ""


def test_no_record_and_silence_only_are_said_honestly(mini):
    assert lede(mini, "armenia", "recognition", "2022-09-26", []).startswith(
        "As of 26 September 2022, no statement by Armenia on recognition of the "
        "\u201creferendums\u201d is on record. Within"
    )
    text = lede(mini, "tajikistan", "recognition", "2022-10-01", [])
    assert text.startswith(
        "As of 1 October 2022, Tajikistan has not addressed recognition of the "
        "\u201creferendums\u201d: it was silent at Fixture summit on 28 September 2022. Within"
    )


def test_field_sentence_counts_silence_apart(mini):
    table = compare.positions(mini, "recognition", "2022-09-30")
    subject = wording.issue_words(mini.codebook, "recognition")
    assert subject == "recognition of the \u201creferendums\u201d"  # the codebook's in_sentence
    text = narrative.field_sentence(table, subject, compare.as_timestamp("2022-09-30"))
    assert text == (
        "Of the 7 actors on record on recognition of the \u201creferendums\u201d as of "
        "30 September 2022: rejecting 3 "
        "(explicitly or implicitly), ambiguous 1, supporting 2, only silent 1 (silence is not "
        "scored). No statement on record: 1 actor."
    )
    nobody = compare.positions(mini, "recognition", "2022-09-19")  # before any statement
    assert narrative.field_sentence(nobody, subject, compare.as_timestamp("2022-09-19")) == (
        "No actor is on record on recognition of the \u201creferendums\u201d as of "
        "19 September 2022. No statement on record: 8 actors."
    )


def test_group_sentence_of_an_actor_alone_in_its_group(mini):
    table = compare.positions(mini, "recognition", "2022-09-30")
    assert narrative.group_sentence(table, "south-ossetia", mini.codebook) == (
        "South Ossetia is the only actor of its group (Russia-backed entities) in the data."
    )


def brief_title(data, actor: str, issue: str, as_of: str, among: list[str], codebook=None):
    table = compare.positions(data, issue, as_of)
    near = compare.neighbours(table, actor, among)
    return narrative.brief_title(table, near, actor, issue, among, codebook or data.codebook)


def test_brief_title_states_a_finding_in_the_codebooks_verbs(mini):
    assert brief_title(mini, "belarus", "recognition", "2022-09-26", ARTICLE_SET) == (
        "Belarus hedges on recognition of the \u201creferendums\u201d as Serbia rejects it, "
        "Kazakhstan implicitly rejects it and South Ossetia backs it"
    )
    # Without a comparison set: the nearest on each side, several names take the plural verb.
    assert brief_title(mini, "kazakhstan", "recognition", "2022-10-31", []) == (
        "Kazakhstan implicitly rejects recognition of the \u201creferendums\u201d as G7 and "
        "Serbia reject it and Belarus and Syria lean toward it"
    )
    assert brief_title(mini, "belarus", "war_participation", "2022-10-01", []) == (
        "Belarus stays silent on taking part in the war"
    )
    assert brief_title(mini, "armenia", "recognition", "2022-09-26", []) == (
        "No statement by Armenia on recognition of the \u201creferendums\u201d is on record"
    )


def test_brief_title_without_verbs_uses_neutral_words(mini):
    stances = {
        code: replace(stance, verb="", verb_plural="")
        for code, stance in mini.codebook.stances.items()
    }
    codebook = replace(mini.codebook, stances=stances)
    assert brief_title(mini, "belarus", "recognition", "2022-09-26", ARTICLE_SET, codebook) == (
        "Belarus takes the position \u201cAmbiguous\u201d on recognition of the "
        "\u201creferendums\u201d as Serbia takes the position \u201cExplicit rejection\u201d on "
        "it, Kazakhstan takes the position \u201cImplicit rejection\u201d on it and South "
        "Ossetia takes the position \u201cExplicit support\u201d on it"
    )


def test_story_texts_and_their_neutral_defaults():
    day = pd.Timestamp("2022-09-26")
    bare = Story("fixture")
    assert narrative.story_framing(bare, day) == ""
    assert narrative.silence_note(bare, day) == narrative.GENERIC_SILENCE
    assert narrative.sources_note(bare, day) == narrative.GENERIC_SOURCES
    told = Story("x", framing=(DatedText("What happened."),), framing_source_title="An article")
    assert narrative.story_framing(told, day) == "What happened. (Source: An article.)"
    assert bare.pole_name == "the supporting end of the scale"


def test_dated_story_texts_tell_later_history_only_from_their_date():
    later = Story(
        "x",
        framing=(DatedText("What happened."), DatedText("Then a vote.", since="2022-10-12")),
        silence_text=(DatedText("Silent until the vote.", since="2022-10-12"),),
        sources_text=(DatedText("Sources."),),
    )
    before, after = pd.Timestamp("2022-10-11"), pd.Timestamp("2022-10-12")
    assert narrative.story_framing(later, before) == "What happened."
    assert narrative.story_framing(later, after) == "What happened. Then a vote."
    assert narrative.silence_note(later, before) == narrative.GENERIC_SILENCE
    assert narrative.silence_note(later, after) == "Silent until the vote."
    assert narrative.sources_note(later, before) == "Sources."


@pytest.mark.parametrize(
    ("words", "shown"),
    [
        ("we will never accept", "\u201cwe will never accept\u201d."),
        ("We cannot accept.", "\u201cWe cannot accept.\u201d"),  # its own full stop, not doubled
        ("Why?", "\u201cWhy?\u201d"),
        ("\u201cWe cannot accept.\u201d", "\u201cWe cannot accept.\u201d"),  # its own marks
        ("\u201cNever\u201d", "\u201cNever\u201d."),
        ('"Never."', '"Never."'),
        ('"Never"', '"Never".'),
        ("  spaced out  ", "\u201cspaced out\u201d."),
        ("", ""),
    ],
)
def test_quoted_never_doubles_marks_or_full_stops(words, shown):
    assert wording.quoted(words) == shown


def test_quoted_output_has_no_doubled_punctuation():
    for words in ("a.", "\u201ca.\u201d", '"a."', "a", "\u201ca\u201d", "a!"):
        text = wording.quoted(words)
        assert ".." not in text and "\u201c\u201c" not in text and "\u201d\u201d" not in text
        assert '""' not in text and ".\u201d." not in text and '.".' not in text


def test_position_sentence_does_not_double_a_quotes_full_stop(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    focal = table[table["actor_id"] == "kazakhstan"].iloc[0].copy()
    focal["quote_en"] = "We respect territorial integrity."
    text = narrative.position_sentence(
        focal, mini.codebook, "recognition", pd.Timestamp("2022-09-26")
    )
    assert text == (
        "As of 26 September 2022, Kazakhstan's position on recognition of the "
        "\u201creferendums\u201d is implicit rejection (-1), set by Speaker of kazakhstan, "
        "Minister, on 26 September 2022: \u201cWe respect territorial integrity.\u201d"
    )
    assert ".\u201d." not in text


def test_translation_notes():
    assert wording.translation_note(pd.Series({"translated_by": "coder"})) == " (our translation)"
    assert (
        wording.translation_note(pd.Series({"translated_by": "source", "publisher": "TASS"}))
        == " (translated by TASS)"
    )
    assert (
        wording.translation_note(pd.Series({"translated_by": "", "quote_language": "ar"}))
        == " (translation)"
    )
    assert wording.translation_note(pd.Series({"translated_by": "", "quote_language": "en"})) == ""


def test_a_translated_quote_with_its_own_full_stop_still_ends_the_sentence(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    focal = table[table["actor_id"] == "kazakhstan"].iloc[0].copy()
    focal["quote_en"] = "We respect territorial integrity."
    focal["translated_by"] = "coder"
    text = narrative.position_sentence(
        focal, mini.codebook, "recognition", pd.Timestamp("2022-09-26")
    )
    assert text.endswith("\u201cWe respect territorial integrity.\u201d (our translation).")


def test_milder_later_words_are_said_beside_the_position_they_do_not_change(mini):
    statements = mini.statements.copy()
    milder = statements[statements["statement_id"] == "rs-rec"].assign(
        statement_id="rs-rec-later",
        date=pd.Timestamp("2022-09-29"),
        stance="implicit_rejection",
        quote="fixture: sovereignty",
    )
    data = replace(mini, statements=pd.concat([statements, milder], ignore_index=True))
    assert lede(data, "serbia", "recognition", "2022-09-30", []).startswith(
        "As of 30 September 2022, Serbia's position on recognition of the \u201creferendums\u201d "
        "is explicit rejection (-2), set by Speaker of serbia, Minister, on 26 September 2022: "
        "\u201cfixture: cannot accept\u201d. Its latest words, on 29 September 2022 (implicit "
        "rejection, -1), are milder words in the same direction, which do not change it: "
        "\u201cfixture: sovereignty\u201d. Among all actors on record, Serbia stands furthest"
    )
