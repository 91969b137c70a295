"""Altair charts of the comparison. Charts get small, already-aggregated frames, never raw rows.

Every chart states its finding in words (its Vega-Lite `description`, which screen readers
read and the page shows as the chart's caption), is as wide as its container where Vega-Lite
allows it, and never relies on colour alone: shapes, positions or printed labels carry the
same information, in colour-blind-safe palettes.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

import altair as alt
import pandas as pd

from reactions.codebook import Codebook
from reactions.compare import NO_RECORD, SILENT, STATED, stance_codes, stance_runs
from reactions.vega import STATIC_WIDTH
from reactions.votes import VOTE_CODES
from reactions.wording import (
    RECORD_WORDS,
    STATUS_WORDS,
    cell_texts,
    format_date,
    format_day,
    join_names,
    position_text,
    stance_label,
)

# Diverging by score, whatever the codebook calls its stances: ColorBrewer's RdBu (5 classes,
# colour-blind safe), blue toward the rejecting end (-2), red toward the supporting end (+2).
SCORE_COLOURS = {-2: "#0571b0", -1: "#92c5de", 0: "#f7f7f7", 1: "#f4a582", 2: "#ca0020"}
SILENCE_COLOUR = "#8c8c8c"  # a silent cell or run; a silent point is hollow (SILENCE_FILL)
SILENCE_FILL = "#ffffff"
NO_RECORD_COLOUR = "#ffffff"
NO_RECORD_LABEL = RECORD_WORDS[NO_RECORD].capitalize()  # "No statement on record"
OUTLINE = "#1d1d1f"  # every point and cell is outlined: pale fills stay visible on white
# Shapes repeat a stance's direction, so colour is never the only cue.
DIRECTION_SHAPES = {-1: "triangle-down", 0: "diamond", 1: "triangle-up"}
SILENCE_SHAPE = "circle"
# Groups: Okabe and Ito's colour-blind-safe colours (without yellow, too pale on white), each
# group with its own shape as well; 7 colours and 8 shapes give 56 distinct marks.
GROUP_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#000000"]
GROUP_SHAPES = [
    "circle",
    "square",
    "triangle-up",
    "diamond",
    "triangle-down",
    "cross",
    "triangle-right",
    "triangle-left",
]
# A count cell of words and votes: ColorBrewer's Greys, from few actors to many.
COUNT_GREYS = ["#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525"]
ROW_HEIGHT = 18
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
FIT_TO_PAGE = {"reactions": {"width": "container"}}
# Column labels above a chart, slanted: a narrow column keeps its whole label.
SLANTED_TOP = alt.Axis(orient="top", labelAngle=35, labelAlign="right", labelLimit=240)
DIVERGES_COLOUR = "#b2182b"  # the outline of cells whose words and vote diverge (the accent)
HEATMAP_COLUMN = 72  # pixels per issue: a faceted chart cannot be as wide as its container
SILENCE_X = 3.5  # the spectrum draws silences in a column right of the scale, never on it

ChartT = TypeVar("ChartT", alt.Chart, alt.LayerChart)


def _fit_to_page(chart: ChartT, height: int, description: str) -> ChartT:
    """A chart STATIC_WIDTH wide where it is drawn alone (notebooks, pictures), as wide as its
    column on the published page (FIT_TO_PAGE), saying its finding in words."""
    return chart.properties(
        width=STATIC_WIDTH,
        usermeta=FIT_TO_PAGE,
        height=height,
        autosize=FIT_WIDTH,
        description=description,
    )


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill`: at least 4.58:1 (WCAG AA)."""
    return "#000000" if contrast(fill, "#000000") >= contrast(fill, "#ffffff") else "#ffffff"


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _named(names: list[str], noun: str, most: int = 6) -> str:
    """A few names in full, many as a count."""
    return join_names(names) if len(names) <= most else _counted(len(names), noun)


def _span(first: pd.Timestamp, last: pd.Timestamp) -> str:
    if first == last:
        return f"on {format_day(first)}"
    return f"{format_day(first)} to {format_day(last)}"


def _stance_counts(codes: pd.Series, codebook: Codebook) -> str:
    """ "10 explicit rejection (-2), 1 ambiguous (0), 2 silent": in scale order, none omitted
    but zeros."""
    counts = codes.value_counts()
    parts = []
    for code in stance_codes(codebook):
        if counts.get(code, 0):
            record = SILENT if code in codebook.silent_codes else STATED
            text = position_text(codebook, record, code, codebook.score(code))
            parts.append(f"{counts[code]} {text}")
    return ", ".join(parts)


def _colour_of(codebook: Codebook, code: str) -> str:
    score = codebook.score(code) if code in codebook.stances else None
    return SILENCE_COLOUR if score is None else SCORE_COLOURS.get(int(score), SILENCE_COLOUR)


def _shape_of(codebook: Codebook, code: str) -> str:
    score = codebook.score(code) if code in codebook.stances else None
    if score is None:
        return SILENCE_SHAPE
    return DIRECTION_SHAPES[(score > 0) - (score < 0)]


def _tooltips(*fields: tuple[str, str]) -> list[alt.Tooltip]:
    """Tooltips from (field:type, title) pairs; Vega's tooltip handler escapes their text."""
    return [alt.Tooltip(field, title=title) for field, title in fields]


def _stance_scale(codebook: Codebook) -> alt.Scale:
    """Stance labels to colours by score (silence grey): for cells and runs."""
    codes = stance_codes(codebook)
    return alt.Scale(
        domain=[codebook.stance_label(code) for code in codes],
        range=[_colour_of(codebook, code) for code in codes],
    )


def _stance_point_scales(codebook: Codebook) -> tuple[alt.Scale, alt.Scale]:
    """Stance labels to point fills (silence hollow) and to shapes by direction."""
    codes = stance_codes(codebook)
    labels = [codebook.stance_label(code) for code in codes]
    fills = [
        SILENCE_FILL if code in codebook.silent_codes else _colour_of(codebook, code)
        for code in codes
    ]
    shapes = [_shape_of(codebook, code) for code in codes]
    return alt.Scale(domain=labels, range=fills), alt.Scale(domain=labels, range=shapes)


def _group_scales(codebook: Codebook) -> tuple[alt.Scale, alt.Scale]:
    groups = list(codebook.groups.values())
    colours = [GROUP_COLOURS[index % len(GROUP_COLOURS)] for index in range(len(groups))]
    shapes = [GROUP_SHAPES[index % len(GROUP_SHAPES)] for index in range(len(groups))]
    return alt.Scale(domain=groups, range=colours), alt.Scale(domain=groups, range=shapes)


def _legend(title: str, **style: Any) -> alt.Legend:
    """Legends go under the chart, so that a narrow chart keeps its width for the data."""
    return alt.Legend(title=title, orient="bottom", direction="vertical", **style)


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


def spectrum_description(table: pd.DataFrame, focal_actor: str, codebook: Codebook) -> str:
    """The spectrum's finding in words: worded stances counted by stance, the focal actor's
    position, and who is drawn as silent."""
    stated = table[table["record"] == STATED]
    parts = [f"Positions of {_counted(len(stated), 'actor')}"]
    if len(stated):
        parts[0] += f": {_stance_counts(stated['stance'], codebook)}"
    focal = table[table["actor_id"] == focal_actor]
    if len(focal):
        row = focal.iloc[0]
        where = position_text(codebook, row["record"], row["stance"], row["score"])
        if pd.notna(row["silent_since"]):
            where += f", then silent on {format_day(row['silent_since'])}"
        parts.append(f"{row['name']}, highlighted: {where}")
    silent = table[table["record"] == SILENT]
    if len(silent):
        parts.append(f"Only silent, no score: {_named(sorted(silent['name']), 'actor')}")
    later = table[
        (table["record"] == STATED)
        & table["silent_since"].notna()
        & (table["actor_id"] != focal_actor)  # said of the focal actor above
    ]
    if len(later):
        parts.append(
            f"Silent on a later occasion, shown apart too: {_named(sorted(later['name']), 'actor')}"
        )
    return ". ".join(parts) + "."


def stance_spectrum(table: pd.DataFrame, focal_actor: str, codebook: Codebook) -> alt.LayerChart:
    """Every actor on the -2..+2 scale, coloured and shaped by group, the focal actor marked and
    named; silent actors in a column of their own right of the scale, never on it."""
    frame = _plotted(table, focal_actor, codebook)
    scored = frame[table["record"] == STATED].sort_values(
        ["score", "name"], ascending=[False, True]
    )
    # Silent: actors that never took a stance, and those whose latest occasion was a silence
    # (they keep their worded position on the scale as well, on the same row).
    went_silent = table["silent_since"].notna()
    silent = frame.assign(
        date=frame["later_silence"].str[:10].where(went_silent, frame["date"]),
        occasion=table["silent_occasion"].where(went_silent, table["occasion"]),
    )[(table["record"] == SILENT) | went_silent].sort_values("name")
    order = list(scored["name"])
    order += [name for name in silent["name"] if name not in set(order)]
    tick_labels: dict[float, str] = {
        cast(int, stance.score): stance.label for stance in codebook.scored_stances
    }
    tick_labels[SILENCE_X] = f"{RECORD_WORDS[SILENT].capitalize()} (no score)"
    label_expr = (
        " : ".join(
            f"datum.value == {score} ? {json.dumps(label)}" for score, label in tick_labels.items()
        )
        + " : ''"
    )
    colours, shapes = _group_scales(codebook)
    colour = alt.Color("group_label:N", scale=colours, legend=_legend("Group"))
    shape = alt.Shape("group_label:N", scale=shapes, legend=_legend("Group"))
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
    x_scale = alt.Scale(domain=[-2.5, SILENCE_X + 0.5])
    base = alt.Chart(scored).encode(
        x=alt.X(
            "score:Q",
            scale=x_scale,
            title="Stance",
            axis=alt.Axis(
                values=sorted(tick_labels),
                labelExpr=label_expr,
                labelAngle=-30,
                labelOverlap=False,  # slanted labels never touch, even on a phone
            ),
        ),
        y=y,
    )
    points = base.mark_point(filled=True, opacity=1, stroke=OUTLINE).encode(
        color=colour,
        shape=shape,
        size=alt.condition("datum.focal", alt.value(320), alt.value(90)),
        strokeWidth=alt.condition("datum.focal", alt.value(2.5), alt.value(0.75)),
        tooltip=tooltip,
    )
    focal_label = (
        base.transform_filter("datum.focal")
        .mark_text(align="left", dx=12, fontWeight="bold", aria=False)
        .encode(text="name:N")
    )
    silence = (
        alt.Chart(silent)
        .mark_point(filled=True, fill=SILENCE_FILL, stroke=OUTLINE, size=90, strokeWidth=1.5)
        .encode(
            x=alt.X("record_column:Q", scale=x_scale, title="Stance"),
            y=y,
            shape=shape,
            tooltip=_tooltips(("name:N", "Actor"), ("date:N", "Date"), ("occasion:N", "Silent at")),
        )
        .transform_calculate(record_column=str(SILENCE_X))
    )
    layered = cast(alt.LayerChart, alt.layer(points, focal_label, silence))  # no facet encodings
    return _fit_to_page(
        layered,
        max(ROW_HEIGHT * len(order), 40),
        spectrum_description(table, focal_actor, codebook),
    )


MAX_TIMELINE_POINTS = 1500  # above this, statements are drawn as runs of stance per period
MAX_TIMELINE_ROWS = 4000  # and the period is coarsened until the chart embeds at most this


def timeline_description(
    statements: pd.DataFrame, events: pd.DataFrame, codebook: Codebook, runs: str = ""
) -> str:
    """The timeline's finding in words: statements counted by stance over the span, and the
    events marked."""
    if statements.empty:
        return "No statements."
    text = (
        f"{_counted(len(statements), 'statement')} by "
        f"{_counted(statements['actor_id'].nunique(), 'actor')}, "
        f"{_span(statements['date'].min(), statements['date'].max())}: "
        f"{_stance_counts(statements['stance'], codebook)}."
    )
    if runs:
        text += f" Drawn as each actor's latest stance per {runs}."
    titles = list(dict.fromkeys(events["title"]))
    if titles:
        text += f" Events marked: {_named(titles, 'event', most=5)}."
    return text


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
    runs = ""
    if len(statements) <= MAX_TIMELINE_POINTS:
        rows = statements["actor_id"].map(actor_names)
        row = alt.Y("row:N", title=None, sort="ascending")
        marks = _statement_points(statements, codebook, rows, row, "Actor", x)
    else:
        marks, runs = _stance_runs(statements, codebook, actor_names, x)
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
            angle=270,
            align="left",
            baseline="bottom",
            dx=4,
            dy=-3,
            y=0,
            fontSize=10,
            color="#555",
            aria=False,
        )
        .encode(x=x, text="title:N")
    )
    height = max(ROW_HEIGHT * statements["actor_id"].nunique(), 80)
    return _fit_to_page(
        rules + labels + marks, height, timeline_description(statements, events, codebook, runs)
    )


def _statement_points(
    statements: pd.DataFrame,
    codebook: Codebook,
    rows: pd.Series,
    row: alt.Y,
    row_title: str,
    x: alt.X,
    size: int = 70,
) -> alt.Chart:
    """One point per statement on a row (an actor, or an issue): filled by stance, shaped by its
    direction; silences are hollow circles."""
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
    fills, shapes = _stance_point_scales(codebook)
    return (
        alt.Chart(said)
        .mark_point(size=size, filled=True, opacity=1, stroke=OUTLINE, strokeWidth=1)
        .encode(
            x=x,
            y=row,
            fill=alt.Fill("stance_label:N", scale=fills, legend=_legend("Stance")),
            shape=alt.Shape("stance_label:N", scale=shapes, legend=_legend("Stance")),
            tooltip=_tooltips(
                ("row:N", row_title),
                ("day:N", "Date"),
                ("stance_label:N", "Stance"),
                ("speaker:N", "Speaker"),
                ("quote_en:N", "Quote"),
            ),
        )
    )


PERIOD_WORDS = {"W-SUN": "week", "M": "month", "Q": "quarter", "Y": "year"}


def _stance_runs(
    statements: pd.DataFrame, codebook: Codebook, actor_names: dict[str, str], x: alt.X
) -> tuple[alt.Chart, str]:
    """Each actor's runs of stance per period, and the period's name."""
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
    chart = (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.8}, stroke=OUTLINE, strokeWidth=0.5)
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("name:N", title=None, sort="ascending"),
            color=alt.Color(
                "stance_label:N", scale=_stance_scale(codebook), legend=_legend("Stance")
            ),
            tooltip=_tooltips(
                ("name:N", "Actor"),
                ("from:N", "From"),
                ("until:N", "Until"),
                ("stance_label:N", "Latest stance each period"),
                ("statements:Q", "Statements"),
            ),
        )
    )
    return chart, PERIOD_WORDS[period]


def heatmap_description(long: pd.DataFrame, codebook: Codebook) -> str:
    """The matrix's finding in words: per issue, actors counted by stance, silence and no
    record."""
    issues = [issue for issue in codebook.issues if issue in set(long["issue"])]
    text = (
        f"Positions of {_counted(long['actor_id'].nunique(), 'actor')} on "
        f"{_counted(len(issues), 'issue')}."
    )
    for issue in issues:
        rows = long[long["issue"] == issue]
        counts = [_stance_counts(rows.loc[rows["record"] != NO_RECORD, "stance"], codebook)]
        missing = int((rows["record"] == NO_RECORD).sum())
        if missing:
            counts.append(f"{missing} {RECORD_WORDS[NO_RECORD]}")
        text += f" {codebook.issues[issue]}: {', '.join(part for part in counts if part)}."
    return text


def coverage_heatmap(long: pd.DataFrame, codebook: Codebook) -> alt.FacetChart:
    """Actors x issues, one panel per group; silence and no record are visible as such, and
    every cell prints its score (or "silent") in a colour readable on its fill."""
    labels = long["stance"].map(lambda code: stance_label(codebook, code))
    fills = long["stance"].map(lambda code: _colour_of(codebook, code))
    fills = fills.where(long["record"] != NO_RECORD, NO_RECORD_COLOUR)
    frame = pd.DataFrame(
        {
            "actor": long["name"],
            "group_label": long["group"].map(codebook.groups),
            "issue": long["issue"].map(codebook.issues),
            "cell": cell_texts(long),
            "stance": labels.where(long["record"] != NO_RECORD, NO_RECORD_LABEL),
            "ink": fills.map(text_colour),
            "date": long["date"].dt.strftime("%Y-%m-%d").fillna(""),
            "quote_en": long["quote_en"],
        }
    )
    stance_scale = _stance_scale(codebook)
    colours = alt.Scale(
        domain=[*stance_scale.domain, NO_RECORD_LABEL],
        range=[*stance_scale.range, NO_RECORD_COLOUR],
    )
    issues = list(dict.fromkeys(frame["issue"]))
    base = alt.Chart().encode(
        x=alt.X(
            "issue:N",
            sort=issues,
            title=None,
            axis=SLANTED_TOP,
        ),
        y=alt.Y("actor:N", title=None),
    )
    cells = base.mark_rect(stroke="#d9d9de").encode(
        color=alt.Color(
            "stance:N",
            scale=colours,
            legend=_legend(
                "Stance", symbolType="square", symbolStrokeColor=OUTLINE, symbolStrokeWidth=0.5
            ),
        ),
        tooltip=_tooltips(
            ("actor:N", "Actor"),
            ("issue:N", "Issue"),
            ("stance:N", "Stance"),
            ("date:N", "Date"),
            ("quote_en:N", "Quote"),
        ),
    )
    text = base.mark_text(fontSize=10, aria=False).encode(
        text="cell:N", color=alt.Color("ink:N", scale=None)
    )
    return (
        alt.layer(cells, text, data=frame)
        .properties(width=HEATMAP_COLUMN * len(issues))
        .facet(
            row=alt.Row(
                "group_label:N",
                title=None,
                sort=list(codebook.groups.values()),
                # each group's name above its panel, so the cells start at the left
                header=alt.Header(
                    labelAngle=0,
                    labelAlign="left",
                    labelAnchor="start",
                    labelOrient="top",
                    labelFontWeight="bold",
                ),
            ),
        )
        .resolve_scale(y="independent")
        .properties(description=heatmap_description(long, codebook))
    )


GAP_FILL, GAP_INK = "#ffffff", "#595959"  # a cell of missing votes: blank, its count in grey


def _count_fill(count: int, most: int) -> str:
    """A count cell's grey: the more actors, the darker."""
    step = 0 if most <= 1 else round((count - 1) / (most - 1) * (len(COUNT_GREYS) - 1))
    return COUNT_GREYS[step]


def words_and_votes_description(table: pd.DataFrame, codebook: Codebook) -> str:
    """The words-and-votes finding in words: how many actors, the most common pairing, and
    whose words and vote diverge."""
    if table.empty:
        return "No actors."
    words = [
        position_text(codebook, row["record"], row["stance"], row["score"])
        for _, row in table.iterrows()
    ]
    votes = table["vote"].where(table["vote"] != "", table["status"].map(STATUS_WORDS))
    recorded = table["vote"].isin(VOTE_CODES).to_numpy()  # a missing vote is not a finding
    pairs = pd.DataFrame({"words": words, "vote": list(votes)})[recorded]
    pairs = pairs.value_counts().reset_index()
    top = (
        pairs.sort_values(["count", "words", "vote"], ascending=[False, True, True]).iloc[0]
        if len(pairs)
        else pd.Series({"count": 0})
    )
    diverging = sorted(table.loc[table["diverges"].astype(bool), "name"])
    text = f"Position the day before the vote, and the vote, of {_counted(len(table), 'actor')}."
    if top["count"] > 1:
        text += (
            f" Most often: words {top['words']}, vote {top['vote']} "
            f"({_counted(int(top['count']), 'actor')})."
        )
    if diverging:
        return text + (
            f" Words and vote diverge for {_counted(len(diverging), 'actor')}: "
            f"{_named(diverging, 'actor', most=10)}."
        )
    return text + " No actor's words and vote diverge."


def words_and_votes(table: pd.DataFrame, codebook: Codebook) -> alt.LayerChart:
    """How many actors said what (rows) and voted how (columns), names in the tooltip; cells
    where words and vote diverge are outlined with a dashed line."""
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
    # A missing vote is a gap in the data, not a finding: its cells stay pale, and the greys
    # of the findings scale with the recorded votes alone.
    recorded = frame["vote_label"].isin(VOTE_CODES)
    most = int(frame.loc[recorded, "actors"].max()) if recorded.any() else 1
    frame["fill"] = [
        _count_fill(int(count), most) if found else GAP_FILL
        for count, found in zip(frame["actors"], recorded, strict=True)
    ]
    frame["ink"] = [
        text_colour(fill) if found else GAP_INK
        for fill, found in zip(frame["fill"], recorded, strict=True)
    ]
    base = alt.Chart(frame).encode(
        x=alt.X(
            "vote_label:N",
            sort=votes_order,
            title="Vote on the resolution",
            axis=SLANTED_TOP,
        ),
        y=alt.Y("words_label:N", sort=words_order, title="Position the day before the vote"),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("fill:N", scale=None),
        tooltip=_tooltips(("names:N", "Actors"), ("actors:Q", "Count")),
    )
    marked = base.mark_rect(
        fill=None, stroke=DIVERGES_COLOUR, strokeWidth=3, strokeDash=[6, 3], aria=False
    ).transform_filter("datum.diverges")
    counts = base.mark_text(fontSize=13, aria=False).encode(
        text="actors:Q", color=alt.Color("ink:N", scale=None)
    )
    return _fit_to_page(cells + marked + counts, 220, words_and_votes_description(table, codebook))


def actor_history_description(history: pd.DataFrame, codebook: Codebook) -> str:
    """One actor's statements in words: per issue, how many, the first and the last."""
    if history.empty:
        return "No statements."
    text = (
        f"{_counted(len(history), 'statement')} on "
        f"{_counted(history['issue'].nunique(), 'issue')}, "
        f"{_span(history['date'].min(), history['date'].max())}."
    )
    for issue in [issue for issue in codebook.issues if issue in set(history["issue"])]:
        rows = history[history["issue"] == issue].sort_values("date", kind="stable")

        def said(row: pd.Series) -> str:
            record = SILENT if row["stance"] in codebook.silent_codes else STATED
            where = position_text(codebook, record, row["stance"], row["score"])
            return f"{where} {format_date(row['date'], row['date_precision'])}"

        first, last = rows.iloc[0], rows.iloc[-1]
        if len(rows) == 1:
            text += f" {codebook.issues[issue]}: 1 statement, {said(first)}."
        else:
            text += (
                f" {codebook.issues[issue]}: {_counted(len(rows), 'statement')}, first "
                f"{said(first)}, last {said(last)}."
            )
    return text


def actor_history(history: pd.DataFrame, codebook: Codebook) -> alt.Chart:
    """One actor's statements over time, one row per issue; hollow points are silences."""
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%d %b %Y"))
    row = alt.Y("row:N", title=None, sort=list(codebook.issues.values()))
    rows = history["issue"].map(codebook.issues)
    points = _statement_points(history, codebook, rows, row, "Issue", x, size=90)
    return _fit_to_page(
        points,
        max(ROW_HEIGHT * 3 * history["issue"].nunique(), 80),
        actor_history_description(history, codebook),
    )
