"""The generated sentences say what the data says, and change when it changes."""

from __future__ import annotations

import pandas as pd
import pytest

from reactions import compare, narrative, wording
from reactions.story import Story

ARTICLE_SET = ["kazakhstan", "serbia", "south-ossetia"]
POLE = "Moscow's position"  # the 2022 story's pole; the fixture has no story.yml


def headline(data, actor: str, issue: str, as_of: str, among: list[str]) -> str:
    table = compare.positions(data, issue, as_of)
    among_names = [data.actor_name(a) for a in among if a != actor]
    return narrative.headline(
        table,
        compare.neighbours(table, actor, among),
        actor,
        data.codebook.issues[issue],
        compare.as_timestamp(as_of),
        among_names,
        data.codebook,
        POLE,
    )


def test_belarus_stands_between_kazakhstan_and_south_ossetia(mini):
    text = headline(mini, "belarus", "recognition", "2022-09-26", ARTICLE_SET)
    assert text.startswith(
        "As of 26 September 2022, Belarus's latest stance on recognition is ambiguous, 0: "
        "Speaker of belarus, Minister, said in the week of 24 September 2022: "
        "\u201cfixture: national interests\u201d. "
    )
    assert (
        "Among Kazakhstan, Serbia and South Ossetia, Belarus stands between Kazakhstan "
        "(implicit rejection, -1), below, and South Ossetia (explicit support, +2), above."
    ) in text
    assert (
        "On its latest occasion, Fixture talks in Sochi on 26 September 2022, Belarus did not "
        "address recognition."
    ) in text
    assert text.endswith(
        "Within its group, Russia's allies (Union State, CSTO), 4 actors: implicit rejection "
        "(-1): Kazakhstan; ambiguous (0): Belarus; no statement on record: Armenia and "
        "Tajikistan."
    )


def test_headline_moves_with_the_as_of_date(mini):
    text = headline(mini, "belarus", "recognition", "2022-10-31", [])
    assert "implicit support, +1" in text and "on 5 October 2022" in text
    assert "did not address" not in text
    assert "Among all actors on record, Belarus stands between" in text


def test_extremes_and_level_peers(mini):
    serbia = headline(mini, "serbia", "recognition", "2022-09-26", [])
    assert (
        "Among all actors on record, Serbia stands furthest from Moscow's position; next above "
        "it is Kazakhstan (implicit rejection, -1); it is level with G7."
    ) in serbia
    ossetia = headline(mini, "south-ossetia", "recognition", "2022-09-26", [])
    assert "closest to Moscow's position; next below it is Belarus (ambiguous, 0)" in ossetia


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
    assert headline(mini, "armenia", "recognition", "2022-09-26", []).startswith(
        "Armenia: no statement on recognition on record as of 26 September 2022. Within"
    )
    text = headline(mini, "tajikistan", "recognition", "2022-10-01", [])
    assert text.startswith(
        "As of 1 October 2022, Tajikistan has not addressed recognition: it was "
        "silent at Fixture summit on 28 September 2022. Within"
    )


def test_field_sentence_counts_silence_apart(mini):
    table = compare.positions(mini, "recognition", "2022-09-30")
    text = narrative.field_sentence(table, "Recognition", compare.as_timestamp("2022-09-30"))
    assert text == (
        "Of the 7 actors on record on recognition as of 30 September 2022: rejecting 3 "
        "(explicitly or implicitly), ambiguous 1, supporting 2, only silent 1 (silence is not "
        "scored). No statement on record: 1 actors."
    )


def test_group_sentence_of_an_actor_alone_in_its_group(mini):
    table = compare.positions(mini, "recognition", "2022-09-30")
    assert narrative.group_sentence(table, "south-ossetia", mini.codebook) == (
        "South Ossetia is the only actor of its group (Russia-backed entities) in the data."
    )


def test_title():
    assert (
        narrative.title("Belarus", "War participation", pd.Timestamp("2022-09-26"))
        == "Belarus on war participation, as of 26 September 2022"
    )


def test_story_texts_and_their_neutral_defaults():
    bare = Story("fixture")
    assert narrative.story_framing(bare) == ""
    assert narrative.silence_note(bare) == narrative.GENERIC_SILENCE
    assert narrative.sources_note(bare) == narrative.GENERIC_SOURCES
    told = Story("x", framing="What happened.", framing_source_title="An article")
    assert narrative.story_framing(told) == "What happened. (Source: An article.)"
    assert bare.pole_name == "the supporting end of the scale"


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
        focal, mini.codebook, "Recognition", pd.Timestamp("2022-09-26")
    )
    assert text.endswith("said on 26 September 2022: \u201cWe respect territorial integrity.\u201d")
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
        focal, mini.codebook, "Recognition", pd.Timestamp("2022-09-26")
    )
    assert text.endswith("\u201cWe respect territorial integrity.\u201d (our translation).")
