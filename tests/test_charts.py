"""Chart specs: what is plotted, how it is encoded, which actor is highlighted, what the chart
says in words (its description), and that its colours are readable and never the only cue.

The notebooks' chart cells are output-ignored by nbval; these tests are what guards them.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import pandas as pd

from reactions import charts, compare, vega, votes
from reactions.codebook import Codebook
from reactions.story import VoteOfRecord

ES_11_4 = VoteOfRecord("A/RES/ES-11/4", "recognition", -1)


def relabelled(codebook: Codebook) -> Codebook:
    """The codebook with every stance label changed ("Zz " before it), its codes and scores
    unchanged: what a chart takes from the labels shows, what it takes from the codes stays."""
    stances = codebook.stances
    renamed = {code: replace(one, label=f"Zz {one.label}") for code, one in stances.items()}
    return replace(codebook, stances=renamed)


def spectrum(mini, actor="belarus", as_of="2022-09-30"):
    table = compare.positions(mini, "recognition", as_of)
    return charts.stance_spectrum(table, actor, mini.codebook).to_dict()


def dataset_rows(spec: dict, chart: dict) -> list[dict]:
    """The rows a (sub)chart plots; Altair hoists data shared by all layers to the top."""
    return spec["datasets"][chart.get("data", spec.get("data"))["name"]]


def timeline_spec(mini, as_of="2022-09-26", events=None) -> dict:
    said = compare.statements_as_of(mini, as_of, "recognition")
    events = compare.events_as_of(mini, as_of) if events is None else events
    return charts.timeline(said, events, mini.codebook, mini.actor_names).to_dict()


def layers(spec: dict, mark: str, *, field: str = "", hidden: bool | None = None) -> list[dict]:
    """A layered chart's layers of one mark type (those encoding `field` as text or drawn
    unseen, when asked)."""
    found = []
    for layer in spec["layer"]:
        if layer["mark"]["type"] != mark:
            continue
        if field and layer["encoding"].get("text", {}).get("field") != field:
            continue
        if hidden is not None and (layer["mark"].get("opacity") == 0) != hidden:
            continue
        found.append(layer)
    return found


def event_rules(spec: dict) -> list[dict]:
    """The rows of the timeline's event rules (every row of numbers above the plot)."""
    return [row for rule in layers(spec, "rule", hidden=False) for row in dataset_rows(spec, rule)]


STANCE_LABELS = [
    "Explicit rejection",
    "Implicit rejection",
    "Ambiguous",
    "Implicit support",
    "Explicit support",
    "Silent",
]


def test_spectrum_plots_worded_stances_by_score_filled_and_shaped_by_stance(mini):
    spec = spectrum(mini)
    points, _label, silent = spec["layer"]
    assert points["mark"]["type"] == "point" and points["mark"]["stroke"] == charts.OUTLINE
    assert points["encoding"]["x"]["field"] == "score"
    assert points["encoding"]["x"]["scale"]["domain"] == [-2.5, charts.SILENCE_X + 0.5]
    # Colour means stance, as on the timeline: the same fills and shapes, one legend.
    for layer in (points, silent):
        assert "color" not in layer["encoding"]
        assert layer["encoding"]["fill"]["field"] == layer["encoding"]["shape"]["field"]
        assert layer["encoding"]["fill"]["field"] == "stance_label"
    assert points["encoding"]["fill"]["scale"] == {
        "domain": STANCE_LABELS,
        "range": ["#0571b0", "#92c5de", "#d9d9d9", "#f4a582", "#ca0020", "#ffffff"],
    }
    assert points["encoding"]["fill"]["legend"]["orient"] == "bottom"
    assert silent["encoding"]["fill"]["scale"] == points["encoding"]["fill"]["scale"]
    rows = dataset_rows(spec, points)
    assert {row["name"]: row["score"] for row in rows} == {
        "G7": -2,
        "Serbia": -2,
        "Kazakhstan": -1,
        "Belarus": 0,
        "Syria": 1,
        "South Ossetia": 2,
    }
    # The group is said in the tooltip (and the groups table), not by a colour.
    labels = {row["name"]: (row["group_label"], row["stance_label"]) for row in rows}
    assert labels["Kazakhstan"] == ("Russia's allies (Union State, CSTO)", "Implicit rejection")
    assert "group_label" in [tip["field"] for tip in points["encoding"]["tooltip"]]


def test_spectrum_legend_lists_only_the_stances_drawn(mini):
    spec = spectrum(mini, as_of="2022-09-26")  # nobody implicitly supports yet
    points, _label, silent = spec["layer"]
    drawn = [label for label in STANCE_LABELS if label != "Implicit support"]
    assert points["encoding"]["fill"]["scale"]["domain"] == drawn
    assert points["encoding"]["shape"]["scale"]["domain"] == drawn
    assert [row["stance_label"] for row in dataset_rows(spec, silent)] == ["Silent"]


def test_spectrum_highlights_only_the_focal_actor(mini):
    spec = spectrum(mini, actor="kazakhstan")
    points, label, _silent = spec["layer"]
    rows = dataset_rows(spec, points)
    assert [row["name"] for row in rows if row["focal"]] == ["Kazakhstan"]
    size = points["encoding"]["size"]
    assert size["condition"]["test"] == "datum.focal"
    assert points["encoding"]["strokeWidth"]["condition"] == {"test": "datum.focal", "value": 2.5}
    assert label["transform"] == [{"filter": "datum.focal"}]
    assert label["mark"]["aria"] is False  # the name is read from the point's own label


def test_spectrum_shows_silent_actors_apart_and_never_at_zero(mini):
    spec = spectrum(mini)
    _points, _label, silent = spec["layer"]
    rows = dataset_rows(spec, silent)
    assert [row["name"] for row in rows] == ["Belarus", "Tajikistan"]
    assert rows[1]["score"] is None or rows[1]["score"] != rows[1]["score"]  # NaN: unscored
    sochi = spectrum(mini, as_of="2022-09-26")
    went_silent = dataset_rows(sochi, sochi["layer"][2])
    assert [(row["name"], row["occasion"]) for row in went_silent] == [
        ("Belarus", "Fixture talks in Sochi")
    ]
    # Silences sit in a column of their own, right of the scale, hollow; never on a score.
    assert silent["encoding"]["x"]["field"] == "record_column"
    assert silent["transform"] == [{"calculate": str(charts.SILENCE_X), "as": "record_column"}]
    assert charts.SILENCE_X > 2.5
    assert {row["stance_label"] for row in rows} == {"Silent"}  # hollow circles
    fill, shape = silent["encoding"]["fill"]["scale"], silent["encoding"]["shape"]["scale"]
    assert fill["range"][fill["domain"].index("Silent")] == charts.SILENCE_FILL == "#ffffff"
    assert shape["range"][shape["domain"].index("Silent")] == "circle"
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["values"] == [-2, -1, 0, 1, 2, charts.SILENCE_X]
    assert 'datum.value == 3.5 ? "Silent (no score)"' in axis["labelExpr"]
    # One row per actor: worded ones by score, then those only silent; a later silence shares
    # its actor's row.
    order = ["South Ossetia", "Syria", "Belarus", "Kazakhstan", "G7", "Serbia", "Tajikistan"]
    assert silent["encoding"]["y"]["sort"] == order
    assert spec["height"] == charts.ROW_HEIGHT * len(order)


def test_spectrum_tooltip_carries_the_quote_and_later_silence(mini):
    spec = spectrum(mini, as_of="2022-09-26")
    points = spec["layer"][0]
    fields = [tip["field"] for tip in points["encoding"]["tooltip"]]
    assert "quote_en" in fields and "later_silence" in fields
    belarus = next(r for r in dataset_rows(spec, points) if r["name"] == "Belarus")
    assert belarus["quote_en"] == "fixture: national interests"
    assert belarus["later_silence"] == "2022-09-26 Fixture talks in Sochi"


def test_timeline_plots_each_statement_and_each_event_up_to_as_of(mini):
    said = compare.statements_as_of(mini, "2022-09-26", "recognition")
    spec = timeline_spec(mini)
    (points,) = layers(spec, "point")
    assert len(dataset_rows(spec, points)) == len(said) == 6
    assert [(row["title"], row["day"], row["number"]) for row in event_rules(spec)] == [
        ("Referendums announced", "2022-09-20", 1),
        ("Sochi talks", "2022-09-26", 2),
    ]
    assert points["encoding"]["x"]["field"] == "date"
    tooltip = {tip["field"]: tip["type"] for tip in points["encoding"]["tooltip"]}
    assert tooltip["day"] == "nominal"  # a text date: never shifted by the reader's time zone
    assert {row["day"] for row in dataset_rows(spec, points)} >= {"2022-09-20", "2022-09-26"}
    drawn = [label for label in STANCE_LABELS if label != "Implicit support"]  # none said yet
    fill = points["encoding"]["fill"]["scale"]
    assert fill == {
        "domain": drawn,
        "range": ["#0571b0", "#92c5de", "#d9d9d9", "#ca0020", "#ffffff"],
    }
    shape = points["encoding"]["shape"]["scale"]
    assert shape == {
        "domain": drawn,
        "range": ["triangle-down", "triangle-down", "diamond", "triangle-up", "circle"],
    }
    assert points["mark"]["stroke"] == charts.OUTLINE  # pale fills stay visible on white
    assert spec["width"] == charts.STATIC_WIDTH and spec["autosize"]["type"] == "fit-x"
    assert spec["usermeta"] == {"reactions": {"width": "container"}}  # the page fits it
    # Stances come first among the legends, then the list of events; one under the other.
    assert spec["layer"].index(points) < spec["layer"].index(layers(spec, "rule", hidden=True)[0])
    assert "vertical" in spec["config"]["legend"]["layout"]["expr"]


def test_timeline_events_of_one_day_share_one_number(mini):
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-09-26", "2022-09-20", "2022-09-26"]),
            "title": ["Sochi talks", "Referendums announced", "Another meeting"],
        }
    )
    spec = timeline_spec(mini, events=events)
    rows = event_rules(spec)
    assert [(row["date"], row["title"], row["number"]) for row in rows] == [
        ("2022-09-20", "Referendums announced", 1),
        ("2022-09-26", "Sochi talks / Another meeting", 2),
    ]
    numbers = layers(spec, "text", field="number")
    assert [row for layer in numbers for row in dataset_rows(spec, layer)] == rows
    assert all(layer["mark"]["aria"] is False for layer in numbers)  # the legend lists them
    (listed,) = layers(spec, "rule", hidden=True)
    dash = listed["encoding"]["strokeDash"]
    assert dash["scale"]["domain"] == [
        "1 — 20 September 2022 — Referendums announced",
        "2 — 26 September 2022 — Sochi talks / Another meeting",
    ]
    assert dash["legend"]["title"] == "Events" and dash["legend"]["symbolOpacity"] == 1
    rule = layers(spec, "rule", hidden=False)[0]
    tooltip = [(tip["field"], tip["type"]) for tip in rule["encoding"]["tooltip"]]
    assert tooltip == [("title", "nominal"), ("day", "nominal")]


def test_timeline_axis_spans_the_statements_and_events_beyond_it_sit_at_its_corners(mini):
    said = compare.statements_as_of(mini, "2022-09-26", "recognition")
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-05-15", "2022-06-01", "2022-09-20", "2023-01-01"]),
            "title": ["Long before", "Before", "Referendums announced", "Long after"],
        }
    )
    spec = timeline_spec(mini, events=events)
    (points,) = layers(spec, "point")
    scale = points["encoding"]["x"]["scale"]
    assert scale["type"] == "utc" and scale["nice"] is False
    start, end = (pd.Timestamp(value, unit="ms") for value in scale["domain"])
    first, last = said["date"].min(), said["date"].max()
    assert start < first and last < end  # no statement on the axis's edge ...
    assert (last - first) / (end - start) >= 0.9  # ... and no event stretches it
    # Only the event within the span is a rule; the others are numbers beyond the corners.
    assert [row["title"] for row in event_rules(spec)] == ["Referendums announced"]
    corners = {
        layer["mark"]["align"]: dataset_rows(spec, layer)[0]["text"]
        for layer in layers(spec, "text", field="text")
    }
    assert corners == {"right": "← 1–2", "left": "4 →"}
    (listed,) = layers(spec, "rule", hidden=True)
    assert len(listed["encoding"]["strokeDash"]["scale"]["domain"]) == 4  # every event listed
    assert spec["description"].endswith(
        "Of these, 2 before the first statement (numbered at the top left) and 1 after the last "
        "(numbered at the top right)."
    )


def test_event_numbers_never_touch_on_the_narrowest_plot():
    # Numbers 4 px apart (a phone's plot, events a day apart) go up a row each; one far off, and
    # one clear of a row's last number, come back down.
    assert charts._number_rows([(0, 7), (4, 11), (8, 15), (60, 67)]) == [0, 1, 2, 0]
    assert charts._number_rows([(0, 7), (5, 12), (10, 17)]) == [0, 1, 0]
    assert charts._number_rows([(0, 7), (20, 27), (40, 47)]) == [0, 0, 0]


def test_long_names_wrap_and_are_never_cut_short():
    long = "Collective Security Treaty Organization (CSTO)"
    axis = charts._wrapping_axis(["Belarus", long]).to_dict()
    assert axis["labelLimit"] >= 1000  # never an ellipsis
    assert axis["labelExpr"] == (
        f"datum.value == {json.dumps(long)} ? "
        '["Collective Security Treaty", "Organization (CSTO)"] : datum.label'
    )
    # centred on its tick: half a line up per line below the first
    assert axis["labelOffset"]["condition"] == [
        {"test": f"datum.value == {json.dumps(long)}", "value": -charts.LABEL_LINE / 2}
    ]
    assert "labelExpr" not in charts._wrapping_axis(["Belarus", "Serbia"]).to_dict()
    # Rows make room for the labels beside them.
    assert charts._row_step(["Belarus", "Serbia"]) == charts.ROW_HEIGHT
    assert charts._row_step(["Belarus", long, "Serbia"]) == charts.ROW_HEIGHT + 2
    assert charts._row_step([long, long]) == 25  # two 2-line labels, 23 px each, 2 px apart


def test_stance_colours_follow_the_score_not_the_label(mini):
    codebook = relabelled(mini.codebook)
    said = compare.statements_as_of(mini, "2022-09-26", "recognition")
    spec = charts.timeline(said, mini.events, codebook, mini.actor_names).to_dict()
    (points,) = layers(spec, "point")
    fill = points["encoding"]["fill"]["scale"]
    assert fill["domain"][0] == "Zz Explicit rejection"
    assert fill["range"][0] == charts.SCORE_COLOURS[-2] == "#0571b0"
    assert fill["range"][-1] == charts.SILENCE_FILL
    shape = points["encoding"]["shape"]["scale"]
    assert shape["domain"] == fill["domain"] and shape["range"][-1] == "circle"


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
    fill = spec["encoding"]["fill"]["scale"]
    assert fill["range"][fill["domain"].index("Silent")] == "#ffffff"  # hollow
    assert spec["description"] == (
        "5 statements on 3 issues, 23 September 2022 to 5 October 2022. Recognition: "
        "3 statements, first ambiguous (0) in the week of 24 September 2022, last implicit "
        "support (+1) on "
        "5 October 2022. Mobilization: 1 statement, explicit rejection (-2) on 23 September "
        "2022. War participation: 1 statement, silent on 26 September 2022."
    )


def test_words_and_votes_chart_counts_actors_per_cell(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    spec = charts.words_and_votes(table, mini.codebook).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    cells = {(row["words_label"], row["vote_label"]): row["actors"] for row in rows}
    assert cells[("Implicit support", "no")] == 1  # Belarus
    assert cells[("Implicit rejection", "abstain")] == 1  # Kazakhstan
    assert cells[("No statement on record", "abstain")] == 1  # Armenia
    assert cells[("Explicit rejection", "cannot vote (not a member)")] == 1  # G7
    assert cells[("Silent", "not on record")] == 1  # Tajikistan
    assert sum(cells.values()) == len(mini.actors)


def test_static_svg_draws_a_spec(mini):
    svg = vega.static_svg(spectrum(mini))
    assert svg.lstrip().startswith("<svg") and "Kazakhstan" in svg


def test_a_picture_is_drawn_once_per_process_and_only_for_its_exact_input(mini, monkeypatch):
    import vl_convert

    monkeypatch.delitem(sys.modules, vega.MEMO_MODULE, raising=False)  # an empty memo
    drawn = []
    draw = vl_convert.vegalite_to_svg

    def counted(*arguments, **options):
        drawn.append(arguments[0].get("title"))
        return draw(*arguments, **options)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counted)
    spec = spectrum(mini)
    first, again = vega.static_svg(spec), vega.static_svg(json.loads(json.dumps(spec)))
    retitled = vega.static_svg({**spec, "title": "Another chart"})
    assert first == again and len(drawn) == 2  # the same input, drawn once
    assert "Another chart" in retitled and "Another chart" not in first
    png = vega.static_png(first)
    assert png.startswith(b"\x89PNG") and vega.static_png(first) is png


def test_the_picture_memo_forgets_the_oldest_beyond_its_size(mini, monkeypatch):
    monkeypatch.delitem(sys.modules, vega.MEMO_MODULE, raising=False)
    spec = spectrum(mini)
    first = vega.static_svg(spec)
    monkeypatch.setattr(vega, "MEMO_CHARACTERS", len(first) + 10)
    second = vega.static_svg({**spec, "title": "Another chart"})
    memo = sys.modules[vega.MEMO_MODULE]
    assert list(memo.pictures.values()) == [second] and memo.characters == len(second)


def test_charts_fit_the_page_and_keep_a_number_for_notebooks(mini):
    spec = spectrum(mini)
    # Notebooks (JupyterLab loops on "container") and the static picture get a number; the
    # published page reads the mark and makes the chart as wide as its column.
    assert spec["width"] == charts.STATIC_WIDTH == 720
    assert spec["usermeta"] == charts.FIT_TO_PAGE == {"reactions": {"width": "container"}}
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    for svg in (vega.static_svg(spec), vega.static_svg({**spec, "width": "container"})):
        assert 'width="720"' in svg.split(">", 1)[0]  # axes and legend included


def test_spectrum_states_its_finding_in_words(mini):
    assert spectrum(mini)["description"] == (
        "Positions of 6 actors: 2 explicit rejection (-2), 1 implicit rejection (-1), "
        "1 ambiguous (0), 1 implicit support (+1), 1 explicit support (+2). Belarus, "
        "highlighted: ambiguous (0), then silent on 26 September 2022. Only silent, no score: "
        "Tajikistan."
    )
    assert spectrum(mini, actor="serbia", as_of="2022-09-26")["description"] == (
        "Positions of 5 actors: 2 explicit rejection (-2), 1 implicit rejection (-1), "
        "1 ambiguous (0), 1 explicit support (+2). Serbia, highlighted: explicit rejection (-2). "
        "Silent on a later occasion, shown apart too: Belarus."
    )


def test_timeline_states_its_finding_in_words(mini):
    said = compare.statements_as_of(mini, "2022-09-26", "recognition")
    events = compare.events_as_of(mini, "2022-09-26")
    spec = charts.timeline(said, events, mini.codebook, mini.actor_names).to_dict()
    assert spec["description"] == (
        "6 statements by 5 actors, 20 September 2022 to 26 September 2022: 2 explicit rejection "
        "(-2), 1 implicit rejection (-1), 1 ambiguous (0), 1 explicit support (+2), 1 silent. "
        "Events marked: Referendums announced and Sochi talks."
    )
    numbers = layers(spec, "text", field="number")
    assert numbers and all(layer["mark"]["aria"] is False for layer in numbers)  # listed


def test_descriptions_take_their_words_from_the_codebook(mini):
    table = compare.positions(mini, "recognition", "2022-09-26")
    # A sentence writes a stance in the codebook's in_sentence form where it gives one ...
    stances = {
        code: replace(one, in_sentence=f"zz {one.in_sentence}")
        for code, one in mini.codebook.stances.items()
    }
    codebook = replace(mini.codebook, stances=stances)
    description = charts.stance_spectrum(table, "belarus", codebook).to_dict()["description"]
    assert description.startswith("Positions of 5 actors: 2 zz explicit rejection (-2)")
    assert "Belarus, highlighted: zz ambiguous (0)" in description
    # ... else its label as written, never lower-cased.
    stances = {code: replace(one, in_sentence="") for code, one in stances.items()}
    codebook = relabelled(replace(mini.codebook, stances=stances))
    description = charts.stance_spectrum(table, "belarus", codebook).to_dict()["description"]
    assert description.startswith("Positions of 5 actors: 2 Zz Explicit rejection (-2)")
    assert "Belarus, highlighted: Zz Ambiguous (0)" in description


def test_heatmap_prints_every_cell_readably_and_states_its_finding(mini):
    long = compare.matrix(mini, "2022-09-30", list(mini.codebook.issues), None)
    spec = charts.coverage_heatmap(long, mini.codebook).to_dict()
    assert spec["description"] == (
        "Positions of 8 actors on 4 issues. Recognition: 2 explicit rejection (-2), "
        "1 implicit rejection (-1), 1 ambiguous (0), 1 implicit support (+1), 1 explicit support "
        "(+2), 1 silent, 1 no statement on record. Mobilization: 1 explicit rejection (-2), "
        "7 no statement on record. War participation: 1 silent, 7 no statement on record. "
        "Belarus's part in the war: 8 no statement on record."
    )
    cells, blank, text = spec["spec"]["layer"]
    rows = spec["datasets"][spec["data"]["name"]]
    scale = cells["encoding"]["color"]["scale"]
    fills = dict(zip(scale["domain"], scale["range"], strict=True))
    assert list(fills) == STANCE_LABELS  # what is drawn: every stance and silence, on record
    assert fills["Silent"] == "#8c8c8c"
    assert cells["transform"] == [{"filter": "datum.on_record"}]
    # No record: a blank cell with a dashed outline, and an entry of its own in the legend.
    assert blank["transform"] == [{"filter": "!datum.on_record"}]
    assert blank["mark"]["fill"] == charts.NO_RECORD_COLOUR == "#ffffff"
    assert blank["encoding"]["strokeDash"]["scale"] == {
        "domain": ["No statement on record"],
        "range": [charts.NO_RECORD_DASH],
    }
    assert blank["encoding"]["stroke"]["scale"]["range"] == [charts.NO_RECORD_OUTLINE]
    assert charts.contrast(charts.NO_RECORD_OUTLINE, "#ffffff") >= 4.5
    fills["No statement on record"] = charts.NO_RECORD_COLOUR
    assert text["encoding"]["color"] == {"field": "ink", "type": "nominal", "scale": None}
    assert text["mark"]["aria"] is False
    for row in rows:
        if row["cell"]:
            assert charts.contrast(fills[row["stance"]], row["ink"]) >= 4.5, row
    inks = {row["cell"]: row["ink"] for row in rows}
    assert inks["-2"] == "#ffffff" and inks["+2"] == "#ffffff" and inks["-1"] == "#000000"
    assert inks["0"] == "#000000" and inks["silent"] == "#000000"
    # A heatmap with every cell on record lists no "no record" and draws no blank cells.
    on_record = long[long["record"] != "none"]
    full = charts.coverage_heatmap(on_record, mini.codebook).to_dict()
    assert len(full["spec"]["layer"]) == 2


def test_words_and_votes_chart_states_its_finding_and_reads_on_its_stance_colours(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    spec = charts.words_and_votes(table, mini.codebook).to_dict()
    assert spec["description"] == (
        "Position the day before the vote, and the vote, of 8 actors. Words and vote diverge "
        "for 1 actor: Kazakhstan."
    )
    rows = spec["datasets"][spec["data"]["name"]]
    assert all(charts.contrast(row["fill"], row["ink"]) >= 4.5 for row in rows)
    cells, marked, counts = spec["layer"]
    assert cells["encoding"]["color"] == {"field": "fill", "type": "nominal", "scale": None}
    assert counts["encoding"]["color"] == {"field": "ink", "type": "nominal", "scale": None}
    # outlined by a dashed line, not by a hue (colour means stance)
    assert marked["mark"]["strokeDash"] == [6, 3] and marked["mark"]["stroke"] == charts.OUTLINE
    assert cells["encoding"]["y"]["title"] == "Position the day before the vote"
    # A missing vote (cannot vote, not on record) is a gap: white, its count in grey.
    by_cell = {(row["words_label"], row["vote_label"]): row for row in rows}
    for cell in [
        ("Explicit rejection", "cannot vote (not a member)"),
        ("Implicit support", "not on record"),
        ("Silent", "not on record"),
    ]:
        assert (by_cell[cell]["fill"], by_cell[cell]["ink"]) == ("#ffffff", "#595959"), cell
    voted = by_cell[("Implicit support", "no")]  # Belarus: a recorded vote, its words' colour
    assert (voted["fill"], voted["ink"]) == (charts.SCORE_COLOURS[1], "#000000")
    assert spec["width"] == charts.STATIC_WIDTH and spec["usermeta"] == charts.FIT_TO_PAGE
    doubled = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    doubled.loc[doubled["name"] == "Armenia", ["record", "stance", "score"]] = [
        "stated",
        "implicit_rejection",
        -1.0,
    ]
    assert (
        "Most often: words implicit rejection (-1), vote abstain (2 actors)."
        in (charts.words_and_votes(doubled, mini.codebook).to_dict()["description"])
    )


def test_words_and_votes_cells_take_their_words_colour_and_missing_votes_stay_blank(mini):
    table = votes.words_and_votes(mini, "2022-10-31", ES_11_4)
    # Two recorded votes in one cell (Kazakhstan, Armenia: implicit rejection, abstain) and
    # three missing votes in another (Belarus, Syria, Tajikistan: silent, not on record).
    table.loc[table["name"] == "Armenia", ["record", "stance", "score"]] = [
        "stated",
        "implicit_rejection",
        -1.0,
    ]
    for name in ("Belarus", "Syria"):
        table.loc[table["name"] == name, ["record", "stance", "score"]] = ["silent", "silent", None]
    table.loc[table["name"] == "Belarus", ["vote", "status", "diverges"]] = [
        "",
        "not_on_record",
        False,
    ]
    spec = charts.words_and_votes(table, mini.codebook).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    by_cell = {(row["words_label"], row["vote_label"]): row for row in rows}
    most = by_cell[("Implicit rejection", "abstain")]
    assert (most["actors"], most["fill"], most["ink"]) == (2, "#92c5de", "#000000")
    least = by_cell[("Explicit rejection", "yes")]
    assert (least["actors"], least["fill"], least["ink"]) == (1, "#0571b0", "#ffffff")
    gap = by_cell[("Silent", "not on record")]
    assert (gap["actors"], gap["fill"], gap["ink"]) == (3, "#ffffff", "#595959")
    assert all(charts.contrast(row["fill"], row["ink"]) >= 4.5 for row in rows)


def test_colour_means_stance_on_every_chart(mini):
    """Every colour scale of every chart maps stance labels (or is a stance's computed fill):
    a group never has a colour."""
    table = compare.positions(mini, "recognition", "2022-09-30")
    history = compare.stance_history(mini, "belarus", "2022-10-31")
    long = compare.matrix(mini, "2022-09-30", list(mini.codebook.issues), None)
    specs = [
        charts.stance_spectrum(table, "belarus", mini.codebook).to_dict(),
        timeline_spec(mini),
        charts.actor_history(history, mini.codebook).to_dict(),
        charts.coverage_heatmap(long, mini.codebook).to_dict(),
        charts.words_and_votes(
            votes.words_and_votes(mini, "2022-10-31", ES_11_4), mini.codebook
        ).to_dict(),
    ]

    def encodings(spec: dict):
        for layer in spec.get("layer", spec.get("spec", {}).get("layer", [spec])):
            yield from layer.get("encoding", {}).items()

    for spec in specs:
        for channel, encoding in encodings(spec):
            if channel in ("color", "fill", "shape", "stroke"):
                assert encoding.get("field") != "group_label", (channel, encoding)
            if channel in ("color", "fill") and encoding.get("scale") is not None:
                assert set(encoding["scale"]["domain"]) <= set(STANCE_LABELS), encoding


def test_palettes_are_colour_blind_safe_and_readable():
    # ColorBrewer RdBu (5 classes) by score, its pale centre darkened to a neutral grey.
    assert charts.SCORE_COLOURS == {
        -2: "#0571b0",
        -1: "#92c5de",
        0: "#d9d9d9",
        1: "#f4a582",
        2: "#ca0020",
    }
    # Every mark is outlined in OUTLINE, which stands out from white at least 3:1 (WCAG 1.4.11).
    assert charts.contrast(charts.OUTLINE, "#ffffff") >= 3
    assert round(charts.contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(charts.contrast("#767676", "#ffffff"), 2) == 4.54
    for fill in [*charts.SCORE_COLOURS.values(), charts.SILENCE_COLOUR]:
        assert charts.contrast(fill, charts.text_colour(fill)) >= 4.5, fill
    # The pale swatches differ: ambiguous is grey, neither blank (no record) nor hollow
    # (a silent point), and lighter than silence; no record differs in form as well (a dashed
    # outline, its own legend entry). Greys read alike under every colour-vision deficiency.
    ambiguous = charts.SCORE_COLOURS[0]
    assert charts.contrast(ambiguous, charts.NO_RECORD_COLOUR) >= 1.4
    assert charts.contrast(ambiguous, charts.SILENCE_FILL) >= 1.4
    assert charts.contrast(ambiguous, charts.SILENCE_COLOUR) >= 2
    assert len({ambiguous[1:3], ambiguous[3:5], ambiguous[5:7]}) == 1  # a pure grey
    assert charts.NO_RECORD_DASH and charts.contrast(charts.NO_RECORD_OUTLINE, "#ffffff") >= 4.5
