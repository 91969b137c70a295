"""Chart specs: what is plotted, how it is encoded, which actor is highlighted.

The notebooks' chart cells are output-ignored by nbval; these tests are what guards them.
"""

from __future__ import annotations

import pandas as pd

from reactions import charts, compare, votes
from reactions.story import VoteOfRecord

ES_11_4 = VoteOfRecord("A/RES/ES-11/4", "recognition", -1)


def spectrum(mini, actor="belarus", as_of="2022-09-30"):
    table = compare.positions(mini, "recognition", as_of)
    return charts.stance_spectrum(table, actor, mini.codebook).to_dict()


def dataset_rows(spec: dict, chart: dict) -> list[dict]:
    """The rows a (sub)chart plots; Altair hoists data shared by all layers to the top."""
    return spec["datasets"][chart.get("data", spec.get("data"))["name"]]


def test_spectrum_plots_worded_stances_by_score_coloured_by_group(mini):
    spec = spectrum(mini)
    worded, _silent = spec["hconcat"]
    points = worded["layer"][0]
    assert points["mark"]["type"] == "point"
    assert points["encoding"]["x"]["field"] == "score"
    assert points["encoding"]["x"]["scale"]["domain"] == [-2.5, 2.5]
    assert points["encoding"]["color"]["field"] == "group_label"
    rows = dataset_rows(spec, worded)
    assert {row["name"]: row["score"] for row in rows} == {
        "G7": -2,
        "Serbia": -2,
        "Kazakhstan": -1,
        "Belarus": 0,
        "Syria": 1,
        "South Ossetia": 2,
    }
    labels = {row["name"]: (row["group_label"], row["stance_label"]) for row in rows}
    assert labels["Kazakhstan"] == ("Russia's allies (Union State, CSTO)", "Implicit rejection")


def test_spectrum_highlights_only_the_focal_actor(mini):
    spec = spectrum(mini, actor="kazakhstan")
    worded = spec["hconcat"][0]
    rows = dataset_rows(spec, worded)
    assert [row["name"] for row in rows if row["focal"]] == ["Kazakhstan"]
    size = worded["layer"][0]["encoding"]["size"]
    assert size["condition"]["test"] == "datum.focal"
    assert worded["layer"][1]["transform"] == [{"filter": "datum.focal"}]


def test_spectrum_shows_silent_actors_apart_and_never_at_zero(mini):
    spec = spectrum(mini)
    silent = spec["hconcat"][1]
    rows = dataset_rows(spec, silent)
    assert [row["name"] for row in rows] == ["Belarus", "Tajikistan"]
    assert rows[1]["score"] is None or rows[1]["score"] != rows[1]["score"]  # NaN: unscored
    as_of_sochi = spectrum(mini, as_of="2022-09-26")["hconcat"]
    went_silent = dataset_rows(spectrum(mini, as_of="2022-09-26"), as_of_sochi[1])
    assert [(row["name"], row["occasion"]) for row in went_silent] == [
        ("Belarus", "Fixture talks in Sochi")
    ]
    assert "score" not in silent["encoding"]["x"].get("field", "")


def test_spectrum_tooltip_carries_the_quote_and_later_silence(mini):
    spec = spectrum(mini, as_of="2022-09-26")
    worded = spec["hconcat"][0]
    fields = [tip["field"] for tip in worded["layer"][0]["encoding"]["tooltip"]]
    assert "quote_en" in fields and "later_silence" in fields
    belarus = next(r for r in dataset_rows(spec, worded) if r["name"] == "Belarus")
    assert belarus["quote_en"] == "fixture: national interests"
    assert belarus["later_silence"] == "2022-09-26 Fixture talks in Sochi"


def test_timeline_plots_each_statement_and_each_event_up_to_as_of(mini):
    said = compare.statements_as_of(mini, "2022-09-26", "recognition")
    events = compare.events_as_of(mini, "2022-09-26")
    spec = charts.timeline(said, events, mini.codebook, mini.actor_names).to_dict()
    rules, _labels, points = spec["layer"]
    assert len(dataset_rows(spec, points)) == len(said) == 6
    assert [(row["title"], row["day"]) for row in dataset_rows(spec, rules)] == [
        ("Referendums announced", "2022-09-20"),
        ("Sochi talks", "2022-09-26"),
    ]
    assert points["encoding"]["x"]["field"] == "date"
    tooltip = {tip["field"]: tip["type"] for tip in points["encoding"]["tooltip"]}
    assert tooltip["day"] == "nominal"  # a text date: never shifted by the reader's time zone
    assert {row["day"] for row in dataset_rows(spec, points)} >= {"2022-09-20", "2022-09-26"}
    colour = points["encoding"]["color"]["scale"]
    assert colour["domain"] == [
        "Explicit rejection",
        "Implicit rejection",
        "Ambiguous",
        "Implicit support",
        "Explicit support",
        "Silent",
    ]
    assert colour["range"] == [
        charts.SCORE_COLOURS[-2],
        charts.SCORE_COLOURS[-1],
        charts.SCORE_COLOURS[0],
        charts.SCORE_COLOURS[1],
        charts.SCORE_COLOURS[2],
        charts.SILENCE_COLOUR,
    ]


def test_timeline_events_of_one_day_share_one_label(mini):
    said = compare.statements_as_of(mini, "2022-09-26", "recognition")
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-09-26", "2022-09-20", "2022-09-26"]),
            "title": ["Sochi talks", "Referendums announced", "Another meeting"],
        }
    )
    spec = charts.timeline(said, events, mini.codebook, mini.actor_names).to_dict()
    rules, labels, _points = spec["layer"]
    rows = dataset_rows(spec, rules)
    assert [(row["date"], row["title"], row["day"]) for row in rows] == [
        ("2022-09-20", "Referendums announced", "2022-09-20"),
        ("2022-09-26", "Sochi talks / Another meeting", "2022-09-26"),
    ]
    assert dataset_rows(spec, labels) == rows  # one text label per day, not one per event
    assert labels["encoding"]["text"]["field"] == "title"
    tooltip = [(tip["field"], tip["type"]) for tip in rules["encoding"]["tooltip"]]
    assert tooltip == [("title", "nominal"), ("day", "nominal")]


def test_stance_colours_follow_the_score_not_the_label(mini):
    from dataclasses import replace

    from reactions.codebook import Stance

    renamed = {
        code: Stance(**{**stance.__dict__, "label": f"Zz {stance.label}"})
        for code, stance in mini.codebook.stances.items()
    }
    codebook = replace(mini.codebook, stances=renamed)
    said = compare.statements_as_of(mini, "2022-09-26", "recognition")
    spec = charts.timeline(said, mini.events, codebook, mini.actor_names).to_dict()
    colour = spec["layer"][2]["encoding"]["color"]["scale"]
    assert colour["domain"][0] == "Zz Explicit rejection"
    assert colour["range"][0] == charts.SCORE_COLOURS[-2] == "#2166ac"
    assert colour["range"][-1] == charts.SILENCE_COLOUR


def test_actor_history_one_row_per_issue_with_silences_hollow(mini):
    history = compare.stance_history(mini, "belarus", "2022-10-31")
    spec = charts.actor_history(history, mini.codebook).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    assert [(row["row"], row["day"], row["silent"]) for row in rows] == [
        ("Mobilization", "2022-09-23", False),
        ("Recognition", "2022-09-24", False),
        ("Recognition", "2022-09-26", True),
        ("War participation", "2022-09-26", True),
        ("Recognition", "2022-10-05", False),
    ]
    assert spec["encoding"]["y"]["field"] == "row"
    assert spec["encoding"]["fill"]["condition"]["test"] == "datum.silent"


def test_words_and_votes_chart_counts_actors_per_cell(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    spec = charts.words_and_votes(table, mini.codebook).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    cells = {(row["words_label"], row["vote_label"]): row["actors"] for row in rows}
    assert cells[("Implicit support", "no")] == 1  # Belarus
    assert cells[("Implicit rejection", "abstain")] == 1  # Kazakhstan
    assert cells[("No record", "abstain")] == 1  # Armenia
    assert cells[("Explicit rejection", "cannot vote (not a member)")] == 1  # G7
    assert cells[("Silent", "not on record")] == 1  # Tajikistan
    assert sum(cells.values()) == len(mini.actors)


def test_static_svg_draws_a_spec(mini):
    svg = charts.static_svg(spectrum(mini))
    assert svg.lstrip().startswith("<svg") and "Kazakhstan" in svg
