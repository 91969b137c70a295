"""Notebook display objects: what every Jupyter client shows, escaped so data text is never markup.

- Text gives text/plain (what nbval compares and a reviewer reads) and escaped text/html.
- A findings table is stored once, as HTML with one row per line (a diff shows the row that
  moved), named, and keeps every column, so a render publishes each finding as a small CSV read
  back from it (`table_csv`); its text/plain only names it.
- A chart gives a static SVG (drawn by vl-convert in the kernel: JupyterLab without network,
  stock nbconvert, GitHub and VS Code all show it) and its Vega-Lite spec under the v5 mimetype
  that JupyterLab's bundled renderer draws interactively. The spec is stored once.
- The provenance footer (reactions.provenance) is a `<footer>` with its record in the output's
  metadata (role "provenance"); a published page shows it after its main content.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import quote, urlparse

import pandas as pd

from reactions.provenance import Provenance
from reactions.vega import static_svg

if TYPE_CHECKING:  # a page that exports charts needs no altair: their specs are dicts by then
    import altair as alt

VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"  # what JupyterLab 4 renders
VEGALITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
SVG_MIMETYPE = "image/svg+xml"
METADATA_KEY = "reactions"  # output metadata: {"reactions": {"finding": NAME} or {"role": ...}}
HEADLINE_ROLE = "headline"  # the page's lead sentence: its description when shared
TITLE_ROLE = "title"  # the page's title (a Heading), with its dateline
PROVENANCE_ROLE = "provenance"  # the page's footer; its record under METADATA_KEY "provenance"


@dataclass(frozen=True)
class Source:
    """Words of a paragraph that link to where they come from: a quote to its statement's
    source, a vote to its record, a result to its publisher (`note`: the source's title and
    publisher, shown when the link is hovered or read out)."""

    text: str  # the words of the paragraph that link (their first occurrence)
    url: str
    note: str = ""


def linked_text(text: str, sources: Sequence[Source] = ()) -> str:
    """`text` escaped, with the first occurrence of each source's words as a link to it (http(s)
    addresses only: anything else stays text; overlapping words link once)."""
    spans = []
    for source in sources:
        start = text.find(source.text) if source.text else -1
        if start >= 0:
            spans.append((start, start + len(source.text), source))
    parts, at = [], 0
    for start, end, source in sorted(spans, key=lambda span: span[:2]):
        if start < at:
            continue
        parts += [escape(text[at:start]), safe_link(source.url, text[start:end], source.note)]
        at = end
    return "".join([*parts, escape(text[at:])])


class Paragraph:
    """A generated finding shown as a paragraph; `sources` link its quotes, votes and results
    to where they come from (in its HTML: the text is the same)."""

    def __init__(
        self, text: str, css_class: str = "finding", sources: Sequence[Source] = ()
    ) -> None:
        self.text = text
        self.css_class = css_class
        self.sources = tuple(sources)

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f'<p class="{self.css_class}">{linked_text(self.text, self.sources)}</p>'

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> tuple:
        """The page's lead sentence (class "headline") is marked: a render shares it."""
        data = {"text/plain": self.text, "text/html": self._repr_html_()}
        role = {METADATA_KEY: {"role": HEADLINE_ROLE}} if self.css_class == HEADLINE_ROLE else {}
        return data, role


class Heading:
    """The page's title; a render takes the page's HTML title from it. `dateline` ("Data as of
    31 January 2000") is shown under it and `data_as_of` (YYYY-MM-DD, the newest statement the
    page reads) kept in its metadata, where the site's index reads it."""

    def __init__(self, text: str, dateline: str = "", data_as_of: str = "") -> None:
        self.text = text
        self.dateline = dateline
        self.data_as_of = data_as_of

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> tuple:
        html = f"<h1>{escape(self.text)}</h1>"
        if self.dateline:
            html += f'\n<p class="dateline">{escape(self.dateline)}</p>'
        own: dict[str, object] = {"role": TITLE_ROLE}
        if self.dateline:
            own |= {"dateline": self.dateline, "data_as_of": self.data_as_of}
        return {"text/plain": self.text, "text/html": html}, {METADATA_KEY: own}


def safe_link(url: str, text: str, note: str = "") -> str:
    """An anchor only for http(s) URLs; anything else (javascript:, data:) stays inert text.
    `note`: the link's title (what it leads to)."""
    if urlparse(url).scheme in ("http", "https"):
        title = f' title="{escape(note, quote=True)}"' if note else ""
        return (
            f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer nofollow"{title}>'
            f"{escape(text)}</a>"
        )
    return escape(text)


SOURCE_LINKS = {
    "source": "source_url",
    "latest source": "latest_source_url",
    "vote source": "vote_source_url",
}


class Table:
    """A findings table, stored once: its HTML has one row per line (a diff shows the row that
    moved) and is also its data, every column kept: cells escaped, each source title linked to
    its URL (`links`: shown column -> its URL column, which is not a column of its own in the
    HTML; an address that is not http(s), which the data contract admits nowhere, is dropped).
    `table_csv` reads the CSV a render publishes back from it; text/plain names the table."""

    def __init__(
        self, frame: pd.DataFrame, finding: str, links: dict[str, str] | None = None
    ) -> None:
        self.frame = frame
        self.finding = finding
        self.links = SOURCE_LINKS if links is None else links

    def __repr__(self) -> str:
        rows = len(self.frame)
        return f"[table] {self.finding}: {rows} row{'' if rows == 1 else 's'}"

    def _hidden(self) -> dict[str, str]:
        """Shown column -> its URL column, for the URL columns the HTML folds into links."""
        columns = set(map(str, self.frame.columns))
        return {text: url for text, url in self.links.items() if text in columns and url in columns}

    def _html(self) -> str:
        hidden = self._hidden()
        columns = [str(column) for column in self.frame.columns]
        shown = [column for column in columns if column not in hidden.values()]
        head = "".join(f"<th>{escape(column)}</th>" for column in shown)
        rows = []
        for values in self.frame.astype(object).itertuples(index=False, name=None):
            row = dict(zip(columns, map(_cell_text, values), strict=True))
            cells = []
            for column in shown:
                url = row[hidden[column]] if column in hidden else ""
                text = row[column]
                cells.append(f"<td>{safe_link(url, text) if url else escape(text)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        body = "".join(f"{row}\n" for row in rows)
        columns_attribute = escape(json.dumps(columns, ensure_ascii=False), quote=True)
        links_attribute = escape(json.dumps(hidden, ensure_ascii=False), quote=True)
        return (
            f'<table class="findings" data-columns="{columns_attribute}" '
            f'data-links="{links_attribute}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            f"{body}</tbody>\n</table>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> tuple:
        data = {"text/plain": repr(self), "text/html": self._html()}
        return data, {METADATA_KEY: {"finding": self.finding}}


def _cell_text(value: object) -> str:
    """A cell as the table shows it: a missing value (None, NaN, NaT, NA) as no text."""
    missing = pd.api.types.is_scalar(value) and pd.isna(value)  # type: ignore[call-overload]
    return "" if missing else str(value)


class _TableReader(HTMLParser):
    """A Table's HTML back to its columns and rows (text unescaped, links' addresses kept)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.columns: list[str] = []
        self.links: dict[str, str] = {}
        self.rows: list[list[tuple[str, str]]] = []  # (text, address) per shown cell
        self._in_body = False
        self._cell: list[str] | None = None
        self._url = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "table" and not self.columns:
            self.columns = json.loads(attributes.get("data-columns", "[]"))
            self.links = json.loads(attributes.get("data-links", "{}"))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell, self._url = [], ""
        elif tag == "a" and self._cell is not None:
            self._url = attributes.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(("".join(self._cell), self._url))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_csv(html: str) -> str:
    """The CSV of a Table's HTML (present.Table): every column, in the frame's order."""
    reader = _TableReader()
    reader.feed(html)
    reader.close()
    urls = set(reader.links.values())
    shown = [column for column in reader.columns if column not in urls]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(reader.columns)
    for cells in reader.rows:
        values = dict(zip(shown, (text for text, _ in cells), strict=True))
        addresses = dict(zip(shown, (url for _, url in cells), strict=True))
        for text, url in reader.links.items():
            values[url] = addresses.get(text, "")
        writer.writerow([values[column] for column in reader.columns])
    return buffer.getvalue()


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
        # Not validated against the Vega-Lite schema here (0.1 s a page): tests/test_charts.py
        # validates the spec of every chart kind reactions.charts builds.
        spec = self.chart.to_dict(validate=False)
        if not any(spec.get("datasets", {}).values()):
            note = Paragraph(f"{self.description}: nothing on record to chart.", "note")
            return {"text/plain": repr(note), "text/html": note._repr_html_()}, {}
        data = {
            "text/plain": repr(self),
            SVG_MIMETYPE: static_svg(spec),
            VEGALITE_MIMETYPE: v5_spec(spec),
        }
        return data, {METADATA_KEY: {"chart": self.description, "vegalite": spec["$schema"]}}


@dataclass(frozen=True)
class PublishedFiles:
    """Files published beside a page that its footer links to (names relative to the page), and
    how to cite it."""

    method: str  # the story's method page, published beside the page ("" when it has none)
    sources: tuple[str, ...]  # the page's findings CSVs that list sources (a source_url column)
    findings: tuple[str, ...] = ()  # every findings CSV of the page
    dataset: tuple[str, ...] = ()  # the story's data files as published for download
    citation: str = ""  # "<title>, published <date>, data version <v>, <address or file>"
    licence: str = ""  # the site's licence, when its settings name one


def chart_source(story: str, data_version: str) -> str:
    """The line under every chart of a page: where its marks come from."""
    return (
        f"Source: the statements and votes of the dataset {story} (data version {data_version}), "
        "each linked to its own source in this page's tables and in"
    )


def _parameter_text(name: str, value: object) -> str:
    if isinstance(value, list | tuple):
        shown = f"[{', '.join(map(str, value))}]"
    else:
        shown = "(none)" if value in (None, "") else str(value)
    return f"{name}={shown}"


def _human_time(iso: str) -> str:
    """2000-01-31T18:30:00Z as 2000-01-31 18:30:00 UTC."""
    return iso.replace("T", " ").replace("Z", " UTC")


def _finding_name(name: str) -> str:
    """STEM.comparison.csv as "comparison.csv": the finding, as a link reads it."""
    return ".".join(name.rsplit(".", 2)[-2:])


def _file_links(names: Sequence[str], shown: Callable[[str], str]) -> tuple[str, str]:
    """Files beside the page, as text (their names) and as HTML (each a link)."""
    text = ", ".join(names)
    html = ", ".join(
        f'<a href="{escape(quote(name), quote=True)}">{escape(shown(name))}</a>' for name in names
    )
    return text, html


class ProvenanceFooter:
    """What the page was made from (reactions.provenance), as the page's footer: a `<footer>`
    every Jupyter client shows, with the record itself in the output's metadata. Before a render
    publishes the page it points the method and sources at the files published beside it
    (`published`); elsewhere they are named in the dataset's folder."""

    def __init__(self, record: Provenance, published: PublishedFiles | None = None) -> None:
        self.record = record
        self.published = published

    def _code(self) -> str:
        record = self.record
        if not record.commit:
            return f"reactions {record.package_version} (not from a git checkout)"
        modified = ", modified" if record.modified else ""
        return f"reactions {record.package_version} (commit {record.commit}{modified})"

    def _method(self) -> tuple[str, str]:
        """The story's method for readers, as text and as HTML."""
        what = "how this story's statements were chosen, coded and checked"
        if not self.record.method:
            return "this story publishes no method", "this story publishes no method"
        if self.published is not None and self.published.method:
            name = self.published.method
            return (
                f"{name}: {what}",
                f'<a href="{escape(name, quote=True)}">{escape(name)}</a>: {escape(what)}',
            )
        text = f"{self.record.method} in the dataset's folder: {what}"
        return text, escape(text)

    def _sources(self) -> tuple[str, str]:
        """Where the sources are, as text and as HTML."""
        text = (
            "every statement's source (title, date, address) is in the dataset's statements.csv; "
            "a table that quotes a statement links its source"
        )
        listed = self.published.sources if self.published is not None else ()
        if not listed:
            return text, escape(text)
        names = ", ".join(listed)
        links = ", ".join(
            f'<a href="{escape(name, quote=True)}">{escape(name)}</a>' for name in listed
        )
        after = " (column source_url), beside this page"
        return f"{text}; {names}{after}", f"{escape(text)}; {links}{after}"

    def _rows(self) -> list[tuple[str, str, str]]:
        """(label, text, HTML) per line."""
        record = self.record
        parameters = ", ".join(
            _parameter_text(name, value) for name, value in record.parameters.items()
        )
        files = ", ".join(record.data_files) or "no data file"
        data = f"{record.data_version} (sha256 of {files})"
        method, method_html = self._method()
        sources, sources_html = self._sources()
        rows = [
            ("story", record.story, f"<code>{escape(record.story)}</code>"),
            ("parameters", parameters, escape(parameters)),
            (
                "data version",
                data,
                f"<code>{escape(record.data_version)}</code> (sha256 of {escape(files)})",
            ),
        ]
        if record.rendered_at:  # stamped by the exporter: a published page
            when = _human_time(record.rendered_at)
            rows += [
                ("code version", self._code(), escape(self._code())),
                (
                    "rendered",
                    when,
                    f'<time datetime="{escape(record.rendered_at, quote=True)}">'
                    f"{escape(when)}</time>",
                ),
            ]
        rows += [("method", method, method_html), ("sources", sources, sources_html)]
        return rows + self._published_rows()

    def _published_rows(self) -> list[tuple[str, str, str]]:
        """What a published page adds: its findings as CSV, the story's dataset, a citation
        line and the site's licence (each only when there is one)."""
        published = self.published
        if published is None:
            return []
        rows = []
        if published.findings:
            rows.append(("findings", *_file_links(published.findings, _finding_name)))
        if published.dataset:
            text, html = _file_links(published.dataset, lambda name: name.rsplit("/", 1)[-1])
            version = f" (data version {self.record.data_version})"
            rows.append(("dataset", text + version, html + escape(version)))
        if published.citation:
            rows.append(("cite as", published.citation, escape(published.citation)))
        if published.licence:
            rows.append(("licence", published.licence, escape(published.licence)))
        return rows

    def __repr__(self) -> str:
        return "\n".join(["Provenance"] + [f"{label}: {text}" for label, text, _ in self._rows()])

    def _repr_html_(self) -> str:
        lines = [f"<dt>{label.capitalize()}</dt><dd>{html}</dd>" for label, _, html in self._rows()]
        return (
            '<footer class="provenance">\n<h2>Provenance</h2>\n<dl>\n'
            + "\n".join(lines)
            + "\n</dl>\n</footer>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> tuple:
        data = {"text/plain": repr(self), "text/html": self._repr_html_()}
        metadata = {"role": PROVENANCE_ROLE, "provenance": self.record.as_dict()}
        return data, {METADATA_KEY: metadata}
