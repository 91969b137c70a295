"""Text from the data is shown as text: escaped in HTML, links only for http(s)."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from reactions import present

HOSTILE = '<script>window.pwned=1</script>"><img src=x onerror=alert(1)>'


def test_paragraph_escapes_markup():
    html = present.Paragraph(HOSTILE)._repr_html_()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert repr(present.Paragraph(HOSTILE)) == HOSTILE


def test_table_escapes_cells_and_links_only_http_urls():
    frame = pd.DataFrame(
        {
            "actor": [HOSTILE, "Fine"],
            "source": ["Evil source", "Good source"],
            "source_url": ["javascript:alert(1)", 'https://example.org/a?b=1&c="2"'],
        }
    )
    html = present.Table(frame)._repr_html_()
    assert "<script>" not in html and "javascript:" not in html
    assert "<td>Evil source</td>" in html
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;"' in html
    assert "source_url" not in html


def test_chart_payload_cannot_close_its_script_element():
    chart = alt.Chart(pd.DataFrame({"name": ["</script><script>alert(1)</script>"], "x": [1]}))
    bundle = present.Chart(chart.mark_point().encode(x="x:Q", y="name:N"), "A chart")
    html = bundle._repr_mimebundle_()["text/html"]
    assert html.count("</script>") == 2  # the spec's and the embed call's own closing tags
    spec_text = html.split('type="application/json"', 1)[1].split(">", 1)[1].split("</script>")[0]
    assert json.loads(spec_text)["datasets"]
    assert present.VEGALITE_MIMETYPE in bundle._repr_mimebundle_()
