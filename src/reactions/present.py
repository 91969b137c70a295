"""Notebook display objects whose HTML is escaped: data text is never markup.

Each object gives text/plain (what nbval compares strictly and a reviewer reads in a diff) and
text/html (what the published brief shows). Charts give a placeholder that the offline HTML
export brings to life with the Vega bundle it inlines once per page.
"""

from __future__ import annotations

import hashlib
import json
from html import escape
from urllib.parse import urlparse

import altair as alt
import pandas as pd

VEGALITE_MIMETYPE = f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.lstrip('v').split('.')[0]}+json"


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
    """The brief's title."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<h1>{escape(self.text)}</h1>"


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
        self, frame: pd.DataFrame, link_column: str = "source", url_column: str = "source_url"
    ) -> None:
        self.frame = frame
        self.link_column = link_column
        self.url_column = url_column

    def __repr__(self) -> str:
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

    def _repr_html_(self) -> str:
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
        return (
            f'<table class="findings"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )


def _script_json(value: object) -> str:
    """JSON that cannot close a <script> element or open a comment inside it."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Chart:
    """An Altair chart: interactive Vega-Lite in JupyterLab, an offline placeholder in the brief."""

    def __init__(self, chart: alt.TopLevelMixin, description: str) -> None:
        self.chart = chart
        self.description = description

    def __repr__(self) -> str:
        return f"[chart] {self.description}"

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> dict[str, object]:
        spec = self.chart.to_dict()
        if not any(spec.get("datasets", {}).values()):
            note = Paragraph(f"{self.description}: nothing on record to chart.", "note")
            return {"text/plain": repr(note), "text/html": note._repr_html_()}
        payload = _script_json(spec)
        chart_id = "chart-" + hashlib.sha1(payload.encode()).hexdigest()[:12]
        html = (
            f'<figure class="reactions-chart"><div id="{chart_id}" class="vega-chart" '
            f'role="img" aria-label="{escape(self.description)}">{escape(self.description)}</div>'
            f'<script type="application/json" id="{chart_id}-spec">{payload}</script>'
            f"<script>window.reactionsEmbed && reactionsEmbed({json.dumps(chart_id)});</script>"
            "</figure>"
        )
        return {"text/plain": repr(self), "text/html": html, VEGALITE_MIMETYPE: spec}
