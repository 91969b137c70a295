"""Chart specs: what is plotted, how it is encoded, which actor is highlighted.

The notebooks' chart cells are output-ignored by nbval; these tests are what guards them.
"""

from __future__ import annotations

from reactions import charts, compare


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
    assert [row["title"] for row in dataset_rows(spec, rules)] == [
        "Referendums announced",
        "Sochi talks",
    ]
    assert points["encoding"]["x"]["field"] == "date"
    colour = points["encoding"]["color"]["scale"]
    assert colour["domain"][-1] == "Silent" and len(colour["domain"]) == len(colour["range"]) == 6
