"""The exported page is self-contained, hides code and parameters, and shows each chart as its
static SVG picture with its spec beside it for the interactive chart."""

from __future__ import annotations

import json
import re

import altair as alt
import nbformat
import pandas as pd

from reactions.exporter import export_page
from reactions.html import chart_outputs, external_resources, findings
from reactions.present import METADATA_KEY, SVG_MIMETYPE, VEGALITE_MIMETYPE, Chart, Heading, Table


def test_external_resources_are_found():
    page = (
        '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" '
        'href="//fonts.example/f.css"><style>@import url(https://x/y.css); '
        'body{background:url(http://x/img.png)}</style><img src="data:image/png;base64,AA">'
        '<a href="https://example.org">a link is not a resource</a>'
    )
    found = external_resources(page)
    assert any("cdn.example/x.js" in item for item in found)
    assert any("fonts.example/f.css" in item for item in found)
    assert "CSS @import" in found
    assert any("http://x/img.png" in item for item in found)
    assert not any("data:image" in item or "example.org" in item for item in found)


def output_of(value) -> nbformat.NotebookNode:
    """A display object as a kernel would store it in the notebook."""
    data, metadata = value._repr_mimebundle_()
    return nbformat.v4.new_output("display_data", data=data, metadata=metadata)


def test_export_is_offline_and_hides_code_and_parameter_cells():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("secret_parameter = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("injected = 2", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell("title()", outputs=[output_of(Heading("A <b>title</b>"))]),
        nbformat.v4.new_markdown_cell("## Visible narrative"),
        nbformat.v4.new_code_cell(
            "print('x')",
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="visible output\n")],
        ),
    ]
    html, _, _ = export_page(notebook, "page")
    assert external_resources(html) == []
    assert "Visible narrative" in html and "visible output" in html
    assert "secret_parameter" not in html and "injected" not in html and "print(" not in html
    assert "<title>A &lt;b&gt;title&lt;/b&gt;</title>" in html
    assert "<h1>A &lt;b&gt;title&lt;/b&gt;</h1>" in html
    assert "window.vegaEmbed=" not in html  # no chart, no bundle


def test_a_chart_is_its_static_svg_with_its_spec_beside_it():
    frame = pd.DataFrame({"name": ["</script><script>alert(1)</script>", "b"], "score": [1, 2]})
    chart = Chart(alt.Chart(frame).mark_point().encode(x="score:Q", y="name:N"), "A <chart>")
    output = output_of(chart)
    assert set(output["data"]) == {"text/plain", SVG_MIMETYPE, VEGALITE_MIMETYPE}
    assert VEGALITE_MIMETYPE == "application/vnd.vegalite.v5+json"
    assert output["data"][VEGALITE_MIMETYPE]["$schema"].endswith("/v5.json")
    written_for = output["metadata"][METADATA_KEY]["vegalite"]
    table = Table(frame, "scores")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("chart", outputs=[output]),
        nbformat.v4.new_code_cell("table", outputs=[output_of(table)]),
    ]
    (found,) = chart_outputs(notebook)
    assert found.svg == output["data"][SVG_MIMETYPE] and found.spec["$schema"] == written_for
    assert findings(notebook) == {"scores": frame.to_csv(index=False, lineterminator="\n")}
    html, _, _ = export_page(notebook, "page")
    assert external_resources(html) == ["<img src='page-chart-1.svg'>"]
    assert external_resources(html, beside={"page-chart-1.svg"}) == []
    assert html.count("window.vegaEmbed=") == 1
    assert html.count('<figure class="reactions-chart">') == 1
    picture = re.search(r'<img[^>]*src="page-chart-1.svg"', html)
    assert picture  # the picture is the file published beside the page, not a second copy
    assert 'class="static-chart"' in picture.group(0)
    assert 'alt="A &lt;chart&gt;"' in picture.group(0)  # a spec without description: its name
    assert "<figcaption>A &lt;chart&gt;</figcaption>" in html
    (spec,) = re.findall(
        r'<script class="vega-spec" type="application/json">(.*?)</script>', html, re.DOTALL
    )
    assert "</script" not in spec and "<script" not in spec  # the data cannot end the element
    assert json.loads(spec) == found.spec
    assert "<script>alert(1)" not in html
