"""Altair charts of the comparison. Charts get small, already-aggregated frames, never raw rows.

Every chart states its finding in words (its Vega-Lite `description`, which screen readers
read and the page shows as the chart's caption), is as wide as its container where Vega-Lite
allows it, and never relies on colour alone: shapes, positions or printed labels carry the
same information, in colour-blind-safe palettes.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Iterable
from itertools import pairwise
from typing import Any, Literal, TypeVar, cast

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

# Colour means stance on every chart: diverging by score, whatever the codebook calls its
# stances. ColorBrewer's RdBu (5 classes, colour-blind safe), blue toward the rejecting end (-2),
# red toward the supporting end (+2); its pale centre darkened to a neutral grey, so that an
# ambiguous (0) mark never looks hollow (a silence) or blank (no record).
SCORE_COLOURS = {-2: "#0571b0", -1: "#92c5de", 0: "#d9d9d9", 1: "#f4a582", 2: "#ca0020"}
SILENCE_COLOUR = "#8c8c8c"  # a silent cell or run; a silent point is hollow (SILENCE_FILL)
SILENCE_FILL = "#ffffff"
NO_RECORD_COLOUR = "#ffffff"  # no statement: a blank cell, outlined with a dashed line
NO_RECORD_OUTLINE = "#767676"  # 4.5:1 on white
NO_RECORD_DASH = [3, 2]
NO_RECORD_LABEL = RECORD_WORDS[NO_RECORD].capitalize()  # "No statement on record"
OUTLINE = "#1d1d1f"  # every point and cell is outlined: pale fills stay visible on white
# Shapes repeat a stance's direction, so colour is never the only cue.
DIRECTION_SHAPES = {-1: "triangle-down", 0: "diamond", 1: "triangle-up"}
SILENCE_SHAPE = "circle"
ROW_HEIGHT = 18
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
FIT_TO_PAGE = {"reactions": {"width": "container"}}
DIVERGES_DASH = [6, 3]  # the outline of cells whose words and vote diverge: dashed, not a hue
HEATMAP_COLUMN = 72  # pixels per issue: a faceted chart cannot be as wide as its container
SILENCE_X = 3.5  # the spectrum draws silences in a column right of the scale, never on it
# Names are never cut short: a long one wraps onto lines of at most WRAP characters (a legend's
# entries, LEGEND_WRAP), each line LABEL_LINE pixels below the last, centred on its tick; a row
# is tall enough for its label and its neighbours' (Vega's labels are 10 px, a line 12 px high).
WRAP = 28
LEGEND_WRAP = 34
LABEL_LINE = 11
LABEL_BOX = 12
LABEL_LIMIT = 1000  # pixels: no cut (lines are already short)
# Column labels above a chart, slanted: a narrow column keeps its whole label.
SLANTED_TOP = alt.Axis(orient="top", labelAngle=35, labelAlign="right", labelLimit=LABEL_LIMIT)

ChartT = TypeVar("ChartT", alt.Chart, alt.LayerChart)
TopT = TypeVar("TopT", alt.Chart, alt.LayerChart, alt.FacetChart)


def _fit_to_page(chart: ChartT, height: int, description: str) -> ChartT:
    """A chart STATIC_WIDTH wide where it is drawn alone (notebooks, pictures), as wide as its
    column on the published page (FIT_TO_PAGE), saying its finding in words."""
    return _stacked_legends(
        chart.properties(
            width=STATIC_WIDTH,
            usermeta=FIT_TO_PAGE,
            height=height,
            autosize=FIT_WIDTH,
            description=description,
        )
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


def _drawn_codes(codebook: Codebook, codes: Iterable[str]) -> list[str]:
    """The stance codes among `codes`, in scale order, silence last: a legend lists only what
    the chart draws."""
    drawn = set(codes)
    return [code for code in stance_codes(codebook) if code in drawn]


def _stance_scale(codebook: Codebook, codes: Iterable[str]) -> alt.Scale:
    """Stance labels to colours by score (silence grey): for cells and runs."""
    drawn = _drawn_codes(codebook, codes)
    return alt.Scale(
        domain=[codebook.stance_label(code) for code in drawn],
        range=[_colour_of(codebook, code) for code in drawn],
    )


def _stance_point_scales(codebook: Codebook, codes: Iterable[str]) -> tuple[alt.Scale, alt.Scale]:
    """Stance labels to point fills (silence hollow) and to shapes by direction."""
    drawn = _drawn_codes(codebook, codes)
    labels = [codebook.stance_label(code) for code in drawn]
    fills = [
        SILENCE_FILL if code in codebook.silent_codes else _colour_of(codebook, code)
        for code in drawn
    ]
    shapes = [_shape_of(codebook, code) for code in drawn]
    return alt.Scale(domain=labels, range=fills), alt.Scale(domain=labels, range=shapes)


def _legend(title: str | None, **style: Any) -> alt.Legend:
    """Legends go under the chart, so that a narrow chart keeps its width for the data."""
    return alt.Legend(title=title, orient="bottom", direction="vertical", **style)


# Legends under a chart go one under the other (Vega's legend layout), never side by side: a
# chart on a phone has no room for two.
STACKED_LEGENDS = alt.ExprRef(
    expr="{bottom: {direction: 'vertical', anchor: 'start', offset: 18, margin: 14}}"
)


def _stacked_legends(chart: TopT) -> TopT:
    return chart.configure_legend(layout=STACKED_LEGENDS)


def _lines(text: str, width: int = WRAP) -> list[str]:
    """A label's lines: whole words, at most `width` characters each where a word allows."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]


def _wrapped_labels(values: Iterable[str], width: int = WRAP) -> dict[str, Any]:
    """Axis or legend properties that wrap long labels (whose value is the label) onto lines,
    each wrapped label centred on its tick; none where every label fits on one line."""
    wrapped = {value: _lines(value, width) for value in dict.fromkeys(values)}
    wrapped = {value: lines for value, lines in wrapped.items() if len(lines) > 1}
    if not wrapped:
        return {}
    tests = {value: f"datum.value == {json.dumps(value)}" for value in wrapped}
    return {
        "labelExpr": " : ".join(
            f"{tests[value]} ? {json.dumps(lines)}" for value, lines in wrapped.items()
        )
        + " : datum.label"
    }


def _wrapping_axis(values: Iterable[str], **style: Any) -> alt.Axis:
    """An axis whose long labels wrap, centred on their ticks, and are never cut short."""
    values = list(dict.fromkeys(values))
    wrapping = _wrapped_labels(values)
    if wrapping:
        shifts = [
            {
                "test": f"datum.value == {json.dumps(value)}",
                "value": -(len(lines) - 1) * LABEL_LINE / 2,
            }
            for value in values
            if len(lines := _lines(value)) > 1
        ]
        wrapping |= {
            "labelLineHeight": LABEL_LINE,
            "labelOffset": {"condition": shifts, "value": 0},
        }
    return alt.Axis(labelLimit=LABEL_LIMIT, **wrapping, **style)


def _row_step(values: list[str]) -> int:
    """Pixels per row of a chart whose rows are labelled `values` in this order: each pair of
    neighbouring labels, wrapped or not, clear of each other."""
    heights = [LABEL_BOX + (len(_lines(value)) - 1) * LABEL_LINE for value in values]
    needed = [(above + below) / 2 + 2 for above, below in pairwise(heights)]
    return max(ROW_HEIGHT, math.ceil(max(needed, default=0)))


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
    """Every actor on the -2..+2 scale, filled by stance and shaped by its direction as stances
    are on every chart, the focal actor marked and named; silent actors hollow, in a column of
    their own right of the scale, never on it. Colour says stance only: an actor's group is in
    its tooltip (the groups table beside the chart reads the groups)."""
    frame = _plotted(table, focal_actor, codebook)
    scored = frame[table["record"] == STATED].sort_values(
        ["score", "name"], ascending=[False, True]
    )
    # Silent: actors that never took a stance, and those whose latest occasion was a silence
    # (they keep their worded position on the scale as well, on the same row).
    went_silent = table["silent_since"].notna()
    silence_label = (
        codebook.stance_label(min(codebook.silent_codes)) if codebook.silent_codes else ""
    )
    silent = frame.assign(
        date=frame["later_silence"].str[:10].where(went_silent, frame["date"]),
        occasion=table["silent_occasion"].where(went_silent, table["occasion"]),
        stance_label=frame["stance_label"].where(~went_silent, silence_label),
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
    drawn = list(table.loc[table["record"] == STATED, "stance"])
    drawn += sorted(codebook.silent_codes) if len(silent) else []
    fills, shapes = _stance_point_scales(codebook, drawn)
    fill = alt.Fill("stance_label:N", scale=fills, legend=_legend("Stance"))
    shape = alt.Shape("stance_label:N", scale=shapes, legend=_legend("Stance"))
    tooltip = _tooltips(
        ("name:N", "Actor"),
        ("group_label:N", "Group"),
        ("stance_label:N", "Stance"),
        ("date:N", "Date"),
        ("speaker:N", "Speaker"),
        ("quote_en:N", "Quote"),
        ("later_silence:N", "Later silent"),
    )
    y = alt.Y("name:N", sort=order, title=None, axis=_wrapping_axis(order))
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
        fill=fill,
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
        .mark_point(filled=True, opacity=1, stroke=OUTLINE, size=90, strokeWidth=1.5)
        .encode(
            x=alt.X("record_column:Q", scale=x_scale, title="Stance"),
            y=y,
            fill=fill,
            shape=shape,
            tooltip=_tooltips(
                ("name:N", "Actor"),
                ("group_label:N", "Group"),
                ("date:N", "Date"),
                ("occasion:N", "Silent at"),
            ),
        )
        .transform_calculate(record_column=str(SILENCE_X))
    )
    layered = cast(alt.LayerChart, alt.layer(points, focal_label, silence))  # no facet encodings
    return _fit_to_page(
        layered,
        max(_row_step(order) * len(order), 40),
        spectrum_description(table, focal_actor, codebook),
    )


MAX_TIMELINE_POINTS = 1500  # above this, statements are drawn as runs of stance per period
MAX_TIMELINE_ROWS = 4000  # and the period is coarsened until the chart embeds at most this


def timeline_description(
    statements: pd.DataFrame,
    events: pd.DataFrame,
    codebook: Codebook,
    runs: str = "",
    axis: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> str:
    """The timeline's finding in words: statements counted by stance over the span, and the
    events marked (those beyond the `axis`, counted apart)."""
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
    if titles and axis is not None:
        before, after = (events["date"] < axis[0]).sum(), (events["date"] > axis[1]).sum()
        beyond = (
            [f"{before} before the first statement (numbered at the top left)"] if before else []
        )
        beyond += [f"{after} after the last (numbered at the top right)"] if after else []
        if beyond:
            text += f" Of these, {join_names(beyond)}."
    return text


# Time axes run over the statements' span and a little beyond (SPAN_PAD of it, at least six
# hours, each side), in UTC like the dates: an event outside the span never stretches the axis.
SPAN_PAD = 0.03
EVENT_INK = "#555555"  # 7.5:1 on white
EVENT_DASH = [3, 3]
# Events are numbered above the plot and listed in the legend ("1 — 26 August 2008 — ..."); events
# outside the axis are numbers beyond the corner they lie beyond ("← 1–4"). Numbers that would
# touch, or be crossed by another's rule, on a plot NARROWEST_PLOT pixels wide (a phone's) go on
# rows above, EVENT_ROW pixels apart.
NARROWEST_PLOT = 160
EVENT_ROW = 12
EVENT_CHARACTER = 7  # pixels a digit of a number takes (10 px bold), with room
EVENT_GAP = 3


def _axis_span(first: pd.Timestamp, last: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    pad = max((last - first) * SPAN_PAD, pd.Timedelta(hours=6))
    return first - pad, last + pad


def _milliseconds(moment: pd.Timestamp) -> int:
    return int(moment.value // 1_000_000)


def _time_x(start: pd.Timestamp, end: pd.Timestamp) -> alt.X:
    return alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(type="utc", domain=[_milliseconds(start), _milliseconds(end)], nice=False),
        axis=alt.Axis(format="%-d %b %Y"),
    )


def timeline(
    statements: pd.DataFrame, events: pd.DataFrame, codebook: Codebook, actor_names: dict[str, str]
) -> alt.LayerChart:
    """Statements over time against the events they answer, on an axis as long as the
    statements' span: events are numbered on it and listed in a legend; one outside it is a
    number at that edge.

    Up to MAX_TIMELINE_POINTS statements are drawn one point each, with their words; more are
    aggregated into each actor's runs of stance per week, month, quarter or year (the finest
    that keeps the chart small), so a large dataset never embeds its raw rows in the page.
    """
    dates = statements["date"] if len(statements) else events["date"]
    first = dates.min() if len(dates) else pd.Timestamp("1970-01-01")
    start, end = _axis_span(first, dates.max() if len(dates) else first)
    runs = ""
    if len(statements) <= MAX_TIMELINE_POINTS:
        rows = statements["actor_id"].map(actor_names)
        order = sorted(set(rows))
        row = alt.Y("row:N", title=None, sort=order, axis=_wrapping_axis(order))
        marks = _statement_points(statements, codebook, rows, row, "Actor", _time_x(start, end))
    else:
        frame, runs = _stance_runs(statements, codebook, actor_names)
        start, end = _axis_span(pd.Timestamp(frame["date"].min()), pd.Timestamp(frame["end"].max()))
        marks = _runs_chart(frame, codebook, _time_x(start, end))
        order = sorted(set(frame["name"]))
    height = max(_row_step(order) * len(order), 80)
    under, over = _event_layers(events, start, end)
    return _fit_to_page(
        cast(alt.LayerChart, alt.layer(*under, marks, *over)),
        height,
        timeline_description(statements, events, codebook, runs, (start, end)),
    )


def _event_days(events: pd.DataFrame) -> pd.DataFrame:
    """One row per day with events, numbered in date order: the day, its events' titles (events
    of one day share one number) and its entry in the legend's list."""
    days = (
        pd.DataFrame({"when": events["date"], "title": events["title"]})
        .groupby("when", as_index=False, sort=True)
        .agg(title=("title", " / ".join))
    )
    numbers = range(1, len(days) + 1)
    return days.assign(
        number=list(numbers),
        date=days["when"].dt.strftime("%Y-%m-%d"),
        day=days["when"].dt.strftime("%Y-%m-%d"),
        entry=[
            f"{number} \u2014 {format_day(when)} \u2014 {title}"
            for number, when, title in zip(numbers, days["when"], days["title"], strict=True)
        ],
    )


def _number_rows(places: list[tuple[float, float]]) -> list[int]:
    """The row of each number above the plot, given its (left, right) pixels in left order: the
    lowest row whose last number it clears. (A rule runs down from its number through the rows
    below, between their numbers unless two events are closer than half a number's width.)"""
    ends: list[float] = []  # the right end of each row's last number
    rows = []
    for left, right in places:
        row = next((row for row, end in enumerate(ends) if end + EVENT_GAP <= left), len(ends))
        if row == len(ends):
            ends.append(right)
        ends[row] = right
        rows.append(row)
    return rows


def _event_layers(
    events: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[list[alt.Chart], list[alt.Chart]]:
    """Each event day on the axis a dashed rule, its number above the plot; the days before
    or after the axis one number beyond that corner ("← 1–4", "12 →"); every day listed in the
    legend. Returns the layers under the statements and those over them."""
    days = _event_days(events)
    if days.empty:
        return [], []
    x = _time_x(start, end)
    inside = days[(days["when"] >= start) & (days["when"] <= end)]
    scale = (end - start) / NARROWEST_PLOT
    places = []
    for number, when in zip(inside["number"], inside["when"], strict=True):
        middle, size = (when - start) / scale, EVENT_CHARACTER * len(str(number))
        places.append((middle - size / 2, middle + size / 2))
    inside = inside.assign(row=_number_rows(places)).drop(columns="when")
    listed = alt.StrokeDash(
        "entry:N",
        scale=alt.Scale(domain=list(days["entry"]), range=[EVENT_DASH] * len(days)),
        legend=_legend(
            "Events",
            symbolType="stroke",
            symbolStrokeColor=EVENT_INK,
            symbolOpacity=1,
            labelLimit=LABEL_LIMIT,
            **_wrapped_labels(days["entry"], LEGEND_WRAP),
        ),
    )
    text: dict[str, Any] = {
        "baseline": "bottom",
        "fontSize": 10,
        "fontWeight": "bold",
        "color": EVENT_INK,
    }
    under: list[alt.Chart] = []
    over = [
        # The list, carried by the rules drawn again unseen over the statements, so that the
        # legend of stances comes first.
        alt.Chart(inside).mark_rule(opacity=0, aria=False).encode(x=x, strokeDash=listed)
    ]
    for row in range(int(inside["row"].max()) + 1 if len(inside) else 0):
        top = -(EVENT_ROW * row + 2)
        on_row = alt.Chart(inside[inside["row"] == row])
        under.append(
            on_row.mark_rule(color=EVENT_INK, strokeDash=EVENT_DASH).encode(
                x=x,
                y=alt.value(top),
                y2=alt.value("height"),
                tooltip=_tooltips(("title:N", "Event"), ("day:N", "Date")),
            )
        )
        over.append(on_row.mark_text(y=top - 1, aria=False, **text).encode(x=x, text="number:N"))

    def beyond(
        part: pd.DataFrame, align: Literal["left", "right"], at: float | str, arrow: str
    ) -> None:
        if part.empty:
            return
        first, last = part["number"].min(), part["number"].max()
        numbers = str(first) if first == last else f"{first}\u2013{last}"
        words = f"{arrow} {numbers}" if align == "right" else f"{numbers} {arrow}"
        over.append(
            alt.Chart(pd.DataFrame({"text": [words]}))
            .mark_text(y=-5, align=align, aria=False, **text)
            .encode(x=alt.value(at), text="text:N")
        )

    # Beyond the plot's top corners, clear of the numbers above it and of the row labels.
    beyond(days[days["when"] < start], "right", -6, "\u2190")
    beyond(days[days["when"] > end], "left", "width", "\u2192")
    return under, over


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
    fills, shapes = _stance_point_scales(codebook, statements["stance"])
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
    statements: pd.DataFrame, codebook: Codebook, actor_names: dict[str, str]
) -> tuple[pd.DataFrame, str]:
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
            "stance": runs["stance"],
            "stance_label": runs["stance"].map(codebook.stance_label),
            "statements": runs["statements"],
        }
    )
    return frame, PERIOD_WORDS[period]


def _runs_chart(frame: pd.DataFrame, codebook: Codebook, x: alt.X) -> alt.Chart:
    order = sorted(set(frame["name"]))
    return (
        alt.Chart(frame.drop(columns="stance"))
        .mark_bar(height={"band": 0.8}, stroke=OUTLINE, strokeWidth=0.5)
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y("name:N", title=None, sort=order, axis=_wrapping_axis(order)),
            color=alt.Color(
                "stance_label:N",
                scale=_stance_scale(codebook, frame["stance"]),
                legend=_legend("Stance"),
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
    """Actors x issues, one panel per group; silence and no record are visible as such (no
    record a blank cell outlined with a dashed line, its own entry in the legend), and every
    cell prints its score (or "silent") in a colour readable on its fill."""
    labels = long["stance"].map(lambda code: stance_label(codebook, code))
    on_record = long["record"] != NO_RECORD
    fills = long["stance"].map(lambda code: _colour_of(codebook, code))
    fills = fills.where(on_record, NO_RECORD_COLOUR)
    frame = pd.DataFrame(
        {
            "actor": long["name"],
            "group_label": long["group"].map(codebook.groups),
            "issue": long["issue"].map(codebook.issues),
            "cell": cell_texts(long),
            "stance": labels.where(on_record, NO_RECORD_LABEL),
            "on_record": on_record,
            "ink": fills.map(text_colour),
            "date": long["date"].dt.strftime("%Y-%m-%d").fillna(""),
            "quote_en": long["quote_en"],
        }
    )
    issues = list(dict.fromkeys(frame["issue"]))
    names = sorted(set(frame["actor"]))
    steps = [
        _row_step(sorted(set(frame.loc[frame["group_label"] == group, "actor"])))
        for group in set(frame["group_label"])
    ]
    base = alt.Chart().encode(
        x=alt.X("issue:N", sort=issues, title=None, axis=SLANTED_TOP),
        y=alt.Y("actor:N", title=None, axis=_wrapping_axis(names)),
        tooltip=_tooltips(
            ("actor:N", "Actor"),
            ("issue:N", "Issue"),
            ("stance:N", "Stance"),
            ("date:N", "Date"),
            ("quote_en:N", "Quote"),
        ),
    )
    cells = (
        base.transform_filter("datum.on_record")
        .mark_rect(stroke="#d9d9de")
        .encode(
            color=alt.Color(
                "stance:N",
                scale=_stance_scale(codebook, long.loc[on_record, "stance"]),
                legend=_legend(
                    "Stance", symbolType="square", symbolStrokeColor=OUTLINE, symbolStrokeWidth=0.5
                ),
            ),
        )
    )
    # No record: a blank cell, set inside its grid line and outlined with a dashed line; its own
    # legend, so that its swatch differs from every stance's in form as well as in colour (a bar,
    # its outline encoded: Vega-Lite dashes no rect and outlines no swatch of a fixed stroke).
    no_record = alt.Scale(domain=[NO_RECORD_LABEL], range=[NO_RECORD_OUTLINE])
    blank_legend = _legend(None, symbolType="square", symbolFillColor=NO_RECORD_COLOUR)
    blank = (
        base.transform_filter("!datum.on_record")
        .mark_bar(fill=NO_RECORD_COLOUR, strokeWidth=1, width={"band": 0.86}, height={"band": 0.78})
        .encode(
            stroke=alt.Stroke("stance:N", scale=no_record, legend=blank_legend),
            strokeDash=alt.StrokeDash(
                "stance:N",
                scale=alt.Scale(domain=[NO_RECORD_LABEL], range=[NO_RECORD_DASH]),
                legend=blank_legend,
            ),
        )
    )
    text = base.mark_text(fontSize=10, aria=False).encode(
        text="cell:N", color=alt.Color("ink:N", scale=None)
    )
    layers = [cells, text] if on_record.all() else [cells, blank, text]
    return _stacked_legends(
        alt.layer(*layers, data=frame)
        .properties(width=HEATMAP_COLUMN * len(issues), height=alt.Step(max(steps, default=20)))
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
    """How many actors said what (rows, coloured by stance) and voted how (columns), names in
    the tooltip; cells where words and vote diverge are outlined with a dashed line."""
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
    # Colour says the words' stance, as on every chart; a missing vote is a gap in the data, not
    # a finding: its cells stay blank, their count in grey.
    fills = {
        stance_label(codebook, code): _colour_of(codebook, code) for code in stance_codes(codebook)
    }
    fills[no_words] = NO_RECORD_COLOUR
    recorded = frame["vote_label"].isin(VOTE_CODES)
    frame["fill"] = frame["words_label"].map(fills).where(recorded, GAP_FILL)
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
    cells = base.mark_rect(stroke="#d9d9de").encode(
        color=alt.Color("fill:N", scale=None),
        tooltip=_tooltips(("names:N", "Actors"), ("actors:Q", "Count")),
    )
    marked = base.mark_rect(
        fill=None, stroke=OUTLINE, strokeWidth=3, strokeDash=DIVERGES_DASH, aria=False
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
    first = history["date"].min() if len(history) else pd.Timestamp("1970-01-01")
    start, end = _axis_span(first, history["date"].max() if len(history) else first)
    rows = history["issue"].map(codebook.issues)
    order = [label for label in codebook.issues.values() if label in set(rows)]
    row = alt.Y("row:N", title=None, sort=order, axis=_wrapping_axis(order))
    points = _statement_points(history, codebook, rows, row, "Issue", _time_x(start, end), size=90)
    return _fit_to_page(
        points,
        max(max(_row_step(order), ROW_HEIGHT * 3) * len(order), 80),
        actor_history_description(history, codebook),
    )
