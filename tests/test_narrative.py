"""The generated sentences say what the data says, and change when it changes."""

from __future__ import annotations

from reactions import compare, narrative

ARTICLE_SET = ["kazakhstan", "serbia", "south-ossetia"]


def headline(data, actor: str, issue: str, as_of: str, among: list[str]) -> str:
    table = compare.positions(data, issue, as_of)
    return narrative.headline(
        data, table, compare.neighbours(table, actor, among), actor, issue, as_of, among
    )


def test_belarus_stands_between_kazakhstan_and_south_ossetia(mini):
    text = headline(mini, "belarus", "recognition", "2022-09-26", ARTICLE_SET)
    assert "latest stance on recognition is ambiguous, 0" in text
    assert "in the week of 24 September 2022" in text
    assert (
        "Belarus stands between Kazakhstan (implicit rejection, -1) and "
        "South Ossetia (explicit support, +2)"
    ) in text
    assert (
        "On its latest occasion, Fixture talks in Sochi on 26 September 2022, Belarus did not "
        "address recognition."
    ) in text


def test_headline_moves_with_the_as_of_date(mini):
    text = headline(mini, "belarus", "recognition", "2022-10-31", [])
    assert "implicit support, +1" in text and "on 5 October 2022" in text
    assert "did not address" not in text


def test_extremes_and_level_peers(mini):
    serbia = headline(mini, "serbia", "recognition", "2022-09-26", [])
    assert "furthest from Moscow's position" in serbia and "level with G7" in serbia
    ossetia = headline(mini, "south-ossetia", "recognition", "2022-09-26", [])
    assert "closest to Moscow's position; next below it is Belarus (ambiguous, 0)" in ossetia


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
    assert text.startswith(
        "Of the 7 actors on record on recognition as of 30 September 2022: rejecting 3"
    )
    assert "ambiguous 1, supporting 2, only silent 1" in text
    assert text.endswith("No statement on record: 1 actors.")


def test_title(mini):
    assert (
        narrative.title(mini, "belarus", "war_participation", "2022-09-26")
        == "Belarus on war participation, as of 26 September 2022"
    )
