"""Text from the data is shown as text: escaped in HTML, links only for http(s); each display
object gives the mimetypes and metadata a render relies on."""

from __future__ import annotations

import altair as alt
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reactions import present

HOSTILE = '<script>window.pwned=1</script>"><img src=x onerror=alert(1)>'


def test_paragraph_escapes_markup():
    html = present.Paragraph(HOSTILE)._repr_html_()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert repr(present.Paragraph(HOSTILE)) == HOSTILE


def test_heading_is_marked_as_the_title():
    data, metadata = present.Heading("Belarus <on> recognition")._repr_mimebundle_()
    assert data == {
        "text/plain": "Belarus <on> recognition",
        "text/html": "<h1>Belarus &lt;on&gt; recognition</h1>",
    }
    assert metadata == {"reactions": {"role": "title"}}


def test_table_escapes_cells_and_links_only_http_urls():
    frame = pd.DataFrame(
        {
            "actor": [HOSTILE, "Fine"],
            "source": ["Evil source", "Good source"],
            "source_url": ["javascript:alert(1)", 'https://example.org/a?b=1&c="2"'],
        }
    )
    data, metadata = present.Table(frame, "comparison")._repr_mimebundle_()
    html = data["text/html"]
    assert "<script>" not in html and "javascript:" not in html
    assert "<td>Evil source</td>" in html
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;"' in html
    assert "<th>source_url</th>" not in html  # the address is the link, not a column
    assert metadata == {"reactions": {"finding": "comparison"}}
    assert present.table_csv(html) == (  # the hostile words come back as text, unlinked
        "actor,source,source_url\n"
        '"<script>window.pwned=1</script>""><img src=x onerror=alert(1)>",Evil source,\n'
        'Fine,Good source,"https://example.org/a?b=1&c=""2"""\n'
    )


def test_a_table_is_stored_once_one_row_per_html_line_and_its_csv_read_back():
    frame = pd.DataFrame({"actor": ["Belarus", "Serbia"], "score": [0, -1]})
    data, metadata = present.Table(frame, "groups")._repr_mimebundle_()
    assert set(data) == {"text/plain", "text/html"}  # the rows once: no text/csv, no to_string
    assert metadata == {"reactions": {"finding": "groups"}}
    assert data["text/plain"] == "[table] groups: 2 rows"
    lines = data["text/html"].splitlines()
    assert "<tr><td>Belarus</td><td>0</td></tr>" in lines
    assert "<tr><td>Serbia</td><td>-1</td></tr>" in lines
    assert lines[0].startswith('<table class="findings" ') and lines[-1] == "</table>"
    assert present.table_csv(data["text/html"]) == "actor,score\nBelarus,0\nSerbia,-1\n"
    assert repr(present.Table(frame.iloc[0:0], "empty")) == "[table] empty: 0 rows"
    assert present.table_csv(present.Table(frame.iloc[0:0], "empty")._html()) == "actor,score\n"


CELL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            CELL,
            st.integers(-2, 2),
            CELL,
            st.sampled_from(["", "https://a.org/x?q=1&r=<2>", 'http://b.org/"y"']),
            CELL,
        ),
        max_size=5,
    ),
    columns=st.permutations(["actor", "score", "source", "source_url", "note"]),
)
def test_any_table_gives_back_exactly_its_csv(rows, columns):
    """What a render publishes as the finding's CSV is what pandas would write of the frame:
    any text (markup, quotes, commas, line breaks), numbers, missing values, links, any
    column order."""
    frame = pd.DataFrame(rows, columns=["actor", "score", "source", "source_url", "note"])
    frame = frame[list(columns)]
    frame.loc[frame["note"] == "", "note"] = None  # a missing value is an empty field
    html = present.Table(frame, "finding")._html()
    assert present.table_csv(html) == frame.to_csv(index=False, lineterminator="\n")


def test_chart_gives_svg_and_vegalite_but_no_html():
    chart = alt.Chart(pd.DataFrame({"name": ["</script><script>alert(1)</script>"], "x": [1]}))
    bundle = present.Chart(chart.mark_point().encode(x="x:Q", y="name:N"), "A chart")
    data, metadata = bundle._repr_mimebundle_()
    assert set(data) == {"text/plain", present.SVG_MIMETYPE, present.VEGALITE_MIMETYPE}
    assert data["text/plain"] == "[chart] A chart"
    svg = data[present.SVG_MIMETYPE]
    assert svg.lstrip().startswith("<svg")
    assert "<script>" not in svg and "&lt;/script&gt;" in svg  # the label is escaped text
    spec = data[present.VEGALITE_MIMETYPE]
    assert spec["$schema"] == present.VEGALITE_V5_SCHEMA
    rows = next(iter(spec["datasets"].values()))
    assert rows == [{"name": "</script><script>alert(1)</script>", "x": 1}]  # data kept as data
    assert metadata["reactions"]["chart"] == "A chart"


def test_empty_chart_says_so_as_a_note():
    chart = alt.Chart(pd.DataFrame({"x": []})).mark_point().encode(x="x:Q")
    data, metadata = present.Chart(chart, "Timeline: Recognition")._repr_mimebundle_()
    assert data["text/plain"] == "Timeline: Recognition: nothing on record to chart."
    assert data["text/html"] == (
        '<p class="note">Timeline: Recognition: nothing on record to chart.</p>'
    )
    assert metadata == {}
