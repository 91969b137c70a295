"""Notebook display objects: what every Jupyter client shows, escaped so data text is never markup.

- Text gives text/plain (what nbval compares and a reviewer reads) and escaped text/html.
- A findings table adds its rows as text/csv, named, so a render can publish each finding as a
  small CSV beside the page; its HTML has one row per line, so a diff shows the row that moved.
- A chart gives a static SVG (drawn by vl-convert in the kernel: JupyterLab without network,
  stock nbconvert, GitHub and VS Code all show it) and its Vega-Lite spec under the v5 mimetype
  that JupyterLab's bundled renderer draws interactively. The spec is stored once.
"""

from __future__ import annotations

import copy
import io
from html import escape
from urllib.parse import urlparse

import altair as alt
import pandas as pd

from reactions.charts import static_svg

VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"  # what JupyterLab 4 renders
VEGALITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
SVG_MIMETYPE = "image/svg+xml"
METADATA_KEY = "reactions"  # output metadata: {"reactions": {"finding": NAME} or {"role": ...}}


class Paragraph:
    """A generated finding shown as a paragraph."""

    def __init__(self, text: str, css_class: str = "finding") -> None:
        self.text = text
        self.css_class = css_class

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f'<p class="{self.css_class}">{escape(self.text)}</p>'


class Heading:
    """The page's title; a render takes the page's HTML title from it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> tuple:
        data = {"text/plain": self.text, "text/html": f"<h1>{escape(self.text)}</h1>"}
        return data, {METADATA_KEY: {"role": "title"}}


def safe_link(url: str, text: str) -> str:
    """An anchor only for http(s) URLs; anything else (javascript:, data:) stays inert text."""
    if urlparse(url).scheme in ("http", "https"):
        return (
            f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer nofollow">'
            f"{escape(text)}</a>"
        )
    return escape(text)


class Table:
    """A findings table: cells escaped, the source title linked to its URL when that is http(s)."""

    def __init__(
        self,
        frame: pd.DataFrame,
        finding: str,
        link_column: str = "source",
        url_column: str = "source_url",
    ) -> None:
        self.frame = frame
        self.finding = finding
        self.link_column = link_column
        self.url_column = url_column

    def __repr__(self) -> str:
        if self.frame.empty:
            return "(no rows)"
        with pd.option_context(
            "display.max_colwidth",
            None,
            "display.width",
            200,
            "display.max_rows",
            None,
            "display.max_columns",
            None,
        ):
            return self.frame.to_string(index=False)

    def _html(self) -> str:
        shown = [column for column in self.frame.columns if column != self.url_column]
        head = "".join(f"<th>{escape(str(column))}</th>" for column in shown)
        rows = []
        for _, row in self.frame.iterrows():
            cells = []
            for column in shown:
                value = "" if pd.isna(row[column]) else str(row[column])
                if column == self.link_column and self.url_column in row:
                    cells.append(f"<td>{safe_link(str(row[self.url_column]), value)}</td>")
                else:
                    cells.append(f"<td>{escape(value)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        body = "\n".join(rows)
        return (
            f'<table class="findings">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n'
            "</tbody>\n</table>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> tuple:
        csv = io.StringIO()
        self.frame.to_csv(csv, index=False, lineterminator="\n")
        data = {"text/plain": repr(self), "text/html": self._html(), "text/csv": csv.getvalue()}
        return data, {METADATA_KEY: {"finding": self.finding}}


def v5_spec(spec: dict) -> dict:
    """The spec as JupyterLab's Vega-Lite 5 renderer takes it (the charts use no v6-only key)."""
    downgraded = copy.deepcopy(spec)
    downgraded["$schema"] = VEGALITE_V5_SCHEMA
    return downgraded


class Chart:
    """An Altair chart: static SVG everywhere, interactive where the front end renders Vega-Lite."""

    def __init__(self, chart: alt.TopLevelMixin, description: str) -> None:
        self.chart = chart
        self.description = description

    def __repr__(self) -> str:
        return f"[chart] {self.description}"

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> tuple:
        spec = self.chart.to_dict()
        if not any(spec.get("datasets", {}).values()):
            note = Paragraph(f"{self.description}: nothing on record to chart.", "note")
            return {"text/plain": repr(note), "text/html": note._repr_html_()}, {}
        data = {
            "text/plain": repr(self),
            SVG_MIMETYPE: static_svg(spec),
            VEGALITE_MIMETYPE: v5_spec(spec),
        }
        return data, {METADATA_KEY: {"chart": self.description, "vegalite": spec["$schema"]}}
