"""Altair charts of the comparison. Charts get small, already-aggregated frames, never raw rows."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd

from reactions.codebook import Codebook
from reactions.compare import NO_RECORD, SILENT, STATED, stance_codes, stance_runs
from reactions.votes import VOTE_CODES
from reactions.wording import RECORD_WORDS, STATUS_WORDS, cell_texts, stance_label

# Diverging by score, whatever the codebook calls its stances: blue toward the rejecting end
# (-2), red toward the supporting end (+2); silence grey and hollow.
SCORE_COLOURS = {-2: "#2166ac", -1: "#67a9cf", 0: "#b8a24a", 1: "#ef8a62", 2: "#b2182b"}
SILENCE_COLOUR = "#8c8c8c"
ROW_HEIGHT = 18


def vegalite_version(spec: dict) -> str:
    """The Vega-Lite version (major.minor) a spec was written for, from its $schema."""
    found = re.search(r"/v(\d+)\.(\d+)[.\d]*\.json$", str(spec.get("$schema", "")))
    if found:
        return f"{found[1]}.{found[2]}"
    import vl_convert

    return vl_convert.get_vegalite_versions()[-1]


def static_svg(spec: dict) -> str:
    """The chart drawn as SVG by vl-convert, offline: the picture every front end can show."""
    import vl_convert  # only pages with charts pay for it

    return vl_convert.vegalite_to_svg(spec, vl_version=vegalite_version(spec))


def _tooltips(*fields: tuple[str, str]) -> list[alt.Tooltip]:
    """Tooltips from (field:type, title) pairs; Vega's tooltip handler escapes their text."""
    return [alt.Tooltip(field, title=title) for field, title in fields]


def _stance_scale(codebook: Codebook) -> alt.Scale:
    codes = stance_codes(codebook)
    labels = [codebook.stance_label(code) for code in codes]
    colours = [SCORE_COLOURS.get(codebook.score(code), SILENCE_COLOUR) for code in codes]
    return alt.Scale(domain=labels, range=colours)


def _group_scale(codebook: Codebook) -> alt.Scale:
    return alt.Scale(domain=list(codebook.groups.values()), scheme="tableau10")


def _plotted(table: pd.DataFrame, focal_actor: str, codebook: Codebook) -> pd.DataFrame:
    frame = table.assign(
        group_label=table["group"].map(codebook.groups),
        stance_label=table["stance"].map(lambda code: stance_label(codebook, code)),
        focal=table["actor_id"] == focal_actor,
        date=table["date"].dt.strftime("%Y-%m-%d"),
        later_silence=table["silent_since"].dt.strftime("%Y-%m-%d").fillna("")
        + " "
        + table["silent_occasion"],
    )
    columns = [
        "actor_id",
        "name",
        "group_label",
        "stance_label",
        "score",
        "date",
        "speaker",
        "quote_en",
        "occasion",
        "source_title",
        "focal",
        "later_silence",
    ]
    return frame[columns].astype({"score": "float"})


def stance_spectrum(table: pd.DataFrame, focal_actor: str, codebook: Codebook) -> alt.HConcatChart:
    """Every actor on the -2..+2 scale by group, the focal actor marked; silent actors apart."""
    frame = _plotted(table, focal_actor, codebook)
    scored = frame[table["record"] == STATED].sort_values(
        ["score", "name"], ascending=[False, True]
    )
    # Silent: actors that never took a stance, and those whose latest occasion was a silence
    # (they keep their worded position on the scale as well).
    went_silent = table["silent_since"].notna()
    silent = frame.assign(
        date=frame["later_silence"].str[:10].where(went_silent, frame["date"]),
        occasion=table["silent_occasion"].where(went_silent, table["occasion"]),
    )[(table["record"] == SILENT) | went_silent].sort_values("name")
    order = list(scored["name"])
    tick_labels = {stance.score: stance.label for stance in codebook.scored_stances}
    label_expr = (
        " : ".join(
            f"datum.value == {score} ? {json.dumps(label)}" for score, label in tick_labels.items()
        )
        + " : ''"
    )
    colour = alt.Color("group_label:N", title="Group", scale=_group_scale(codebook))
    tooltip = _tooltips(
        ("name:N", "Actor"),
        ("group_label:N", "Group"),
        ("stance_label:N", "Stance"),
        ("date:N", "Date"),
        ("speaker:N", "Speaker"),
        ("quote_en:N", "Quote"),
        ("later_silence:N", "Later silent"),
    )
    y = alt.Y("name:N", sort=order, title=None)
    base = alt.Chart(scored).encode(
        x=alt.X(
            "score:Q",
            scale=alt.Scale(domain=[-2.5, 2.5]),
            title="Stance",
            axis=alt.Axis(values=sorted(tick_labels), labelExpr=label_expr, labelAngle=-30),
        ),
        y=y,
    )
    points = base.mark_point(filled=True, opacity=0.9).encode(
        color=colour,
        size=alt.condition("datum.focal", alt.value(320), alt.value(90)),
        stroke=alt.condition("datum.focal", alt.value("black"), alt.value(None)),
        tooltip=tooltip,
    )
    focal_label = (
        base.transform_filter("datum.focal")
        .mark_text(align="left", dx=12, fontWeight="bold")
        .encode(text="name:N")
    )
    worded = (points + focal_label).properties(
        width=420, height=max(ROW_HEIGHT * len(scored), 40), title="Latest worded stance"
    )
    silence = (
        alt.Chart(silent)
        .mark_point(shape="circle", filled=False, size=90, strokeWidth=2)
        .encode(
            x=alt.X("record_column:N", title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("name:N", title=None, axis=alt.Axis(labelLimit=120)),
            color=colour,
            tooltip=_tooltips(("name:N", "Actor"), ("date:N", "Date"), ("occasion:N", "Silent at")),
        )
        .transform_calculate(record_column="'silent'")
        .properties(width=60, height=max(ROW_HEIGHT * len(silent), 40), title="Silent (no score)")
    )
    return alt.hconcat(worded, silence).resolve_scale(y="independent")


MAX_TIMELINE_POINTS = 1500  # above this, statements are drawn as runs of stance per period
MAX_TIMELINE_ROWS = 4000  # and the period is coarsened until the chart embeds at most this


def timeline(
    statements: pd.DataFrame, events: pd.DataFrame, codebook: Codebook, actor_names: dict[str, str]
) -> alt.LayerChart:
    """Statements over time against the events they answer.

    Up to MAX_TIMELINE_POINTS statements are drawn one point each, with their words; more are
    aggregated into each actor's runs of stance per week, month, quarter or year (the finest
    that keeps the chart small), so a large dataset never embeds its raw rows in the page.
    """
    happened = (
        pd.DataFrame({"date": events["date"].dt.strftime("%Y-%m-%d"), "title": events["title"]})
        .groupby("date", as_index=False, sort=True)
        .agg(title=("title", " / ".join))  # events of one day share one label
        .assign(day=lambda frame: frame["date"])
    )
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%d %b %Y"))
    if len(statements) <= MAX_TIMELINE_POINTS:
        rows = statements["actor_id"].map(actor_names)
        row = alt.Y("row:N", title=None, sort="ascending")
        marks = _statement_points(statements, codebook, rows, row, "Actor", x)
    else:
        marks = _stance_runs(statements, codebook, actor_names, x)
    rules = (
        alt.Chart(happened)
        .mark_rule(color="#555", strokeDash=[3, 3])
        .encode(
            x=x,
            tooltip=_tooltips(("title:N", "Event"), ("day:N", "Date")),
        )
    )
    labels = (
        alt.Chart(happened)
        .mark_text(
            angle=270, align="left", baseline="bottom", dx=4, dy=-3, y=0, fontSize=10, color="#555"
        )
        .encode(x=x, text="title:N")
    )
    height = max(ROW_HEIGHT * statements["actor_id"].nunique(), 80)
    return (rules + labels + marks).properties(width=560, height=height)


def _statement_points(
    statements: pd.DataFrame,
    codebook: Codebook,
    rows: pd.Series,
    row: alt.Y,
    row_title: str,
    x: alt.X,
    size: int = 70,
) -> alt.Chart:
    """One point per statement on a row (an actor, or an issue); hollow points are silences."""
    said = pd.DataFrame(
        {
            "row": rows,
            "date": statements["date"].dt.strftime("%Y-%m-%d"),
            "day": statements["date"].dt.strftime("%Y-%m-%d"),
            "stance_label": statements["stance"].map(codebook.stance_label),
            "silent": statements["stance"].isin(codebook.silent_codes),
            "speaker": statements["speaker"],
            "quote_en": statements["english"],
        }
    )
    scale = _stance_scale(codebook)
    return (
        alt.Chart(said)
        .mark_point(size=size)
        .encode(
            x=x,
            y=row,
            color=alt.Color("stance_label:N", title="Stance", scale=scale),
            fill=alt.condition(
                "datum.silent", alt.value("white"), alt.Color("stance_label:N", scale=scale)
            ),
            tooltip=_tooltips(
                ("row:N", row_title),
                ("day:N", "Date"),
                ("stance_label:N", "Stance"),
                ("speaker:N", "Speaker"),
                ("quote_en:N", "Quote"),
            ),
        )
    )


def _stance_runs(
    statements: pd.DataFrame, codebook: Codebook, actor_names: dict[str, str], x: alt.X
) -> alt.Chart:
    actors = max(statements["actor_id"].nunique(), 1)
    span = statements["date"].max() - statements["date"].min()
    periods = (("W-SUN", 7), ("M", 30), ("Q", 91), ("Y", 365))
    period = next(
        (name for name, days in periods if actors * (span.days // days + 1) <= MAX_TIMELINE_ROWS),
        "Y",
    )
    runs = stance_runs(statements, period)
    frame = pd.DataFrame(
        {
            "name": runs["actor_id"].map(actor_names),
            "date": runs["start"].dt.strftime("%Y-%m-%d"),
            "end": runs["end"].dt.strftime("%Y-%m-%d"),
            "from": runs["start"].dt.strftime("%Y-%m-%d"),
            "until": runs["end"].dt.strftime("%Y-%m-%d"),
            "stance_label": runs["stance"].map(codebook.stance_label),
            "statements": runs["statements"],
        }
    )
    return (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.8})
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("name:N", title=None, sort="ascending"),
            color=alt.Color("stance_label:N", title="Stance", scale=_stance_scale(codebook)),
            tooltip=_tooltips(
                ("name:N", "Actor"),
                ("from:N", "From"),
                ("until:N", "Until"),
                ("stance_label:N", "Latest stance each period"),
                ("statements:Q", "Statements"),
            ),
        )
    )


NO_RECORD_COLOUR = "#f4f4f4"


def coverage_heatmap(long: pd.DataFrame, codebook: Codebook) -> alt.FacetChart:
    """Actors x issues, one panel per group; silence and no record are visible as such."""
    stance_scale = _stance_scale(codebook)
    labels = long["stance"].map(lambda code: stance_label(codebook, code))
    frame = pd.DataFrame(
        {
            "actor": long["name"],
            "group_label": long["group"].map(codebook.groups),
            "issue": long["issue"].map(codebook.issues),
            "cell": cell_texts(long),
            "stance": labels.where(long["record"] != NO_RECORD, "No record"),
            "date": long["date"].dt.strftime("%Y-%m-%d").fillna(""),
            "quote_en": long["quote_en"],
        }
    )
    colours = alt.Scale(
        domain=[*stance_scale.domain, "No record"], range=[*stance_scale.range, NO_RECORD_COLOUR]
    )
    issues = list(dict.fromkeys(frame["issue"]))
    base = alt.Chart().encode(
        x=alt.X("issue:N", sort=issues, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("actor:N", title=None),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("stance:N", scale=colours, title="Stance"),
        tooltip=_tooltips(
            ("actor:N", "Actor"),
            ("issue:N", "Issue"),
            ("stance:N", "Stance"),
            ("date:N", "Date"),
            ("quote_en:N", "Quote"),
        ),
    )
    text = base.mark_text(fontSize=10).encode(text="cell:N")
    return (
        alt.layer(cells, text, data=frame)
        .properties(width=90 * len(issues))
        .facet(
            row=alt.Row(
                "group_label:N",
                title=None,
                sort=list(codebook.groups.values()),
                header=alt.Header(labelAngle=0, labelAlign="left"),
            ),
        )
        .resolve_scale(y="independent")
    )


def words_and_votes(table: pd.DataFrame, codebook: Codebook) -> alt.Chart:
    """How many actors said what (rows) and voted how (columns), names in the tooltip."""
    no_words = RECORD_WORDS[NO_RECORD].capitalize()
    words_order = [stance_label(codebook, code) for code in stance_codes(codebook)] + [no_words]
    votes_order = [*VOTE_CODES, *STATUS_WORDS.values()]
    words = (
        table["stance"]
        .map(lambda code: stance_label(codebook, code))
        .where(table["record"] != NO_RECORD, no_words)
    )
    votes = table["vote"].where(table["vote"] != "", table["status"].map(STATUS_WORDS))
    frame = (
        table.assign(words_label=words, vote_label=votes)
        .groupby(["words_label", "vote_label"], as_index=False)
        .agg(
            actors=("name", "count"),
            names=("name", lambda names: ", ".join(sorted(names))),
            diverges=("diverges", "any"),
        )
    )
    base = alt.Chart(frame).encode(
        x=alt.X(
            "vote_label:N",
            sort=votes_order,
            title="Vote on the resolution",
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        y=alt.Y("words_label:N", sort=words_order, title="Last words before the vote"),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("actors:Q", scale=alt.Scale(scheme="greys"), legend=None),
        tooltip=_tooltips(("names:N", "Actors"), ("actors:Q", "Count")),
    )
    marked = base.mark_rect(fill=None, stroke="#b2182b", strokeWidth=3).transform_filter(
        "datum.diverges"
    )
    counts = base.mark_text(fontSize=13).encode(
        text="actors:Q",
        color=alt.condition("datum.actors > 4", alt.value("white"), alt.value("black")),
    )
    return (cells + marked + counts).properties(width=420, height=220)


def actor_history(history: pd.DataFrame, codebook: Codebook) -> alt.Chart:
    """One actor's statements over time, one row per issue; hollow points are silences."""
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%d %b %Y"))
    row = alt.Y("row:N", title=None, sort=list(codebook.issues.values()))
    rows = history["issue"].map(codebook.issues)
    points = _statement_points(history, codebook, rows, row, "Issue", x, size=90)
    return points.properties(width=560, height=max(ROW_HEIGHT * 3 * history["issue"].nunique(), 80))
