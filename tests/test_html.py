"""The exported page is self-contained and hides code and parameters."""

from __future__ import annotations

import nbformat

from reactions.html import export_html, external_resources


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


def test_export_is_offline_and_hides_code_and_parameter_cells():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("secret_parameter = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("injected = 2", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_markdown_cell("## Visible narrative"),
        nbformat.v4.new_code_cell(
            "print('x')",
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="visible output\n")],
        ),
    ]
    html = export_html(notebook, "A <b>title</b>")
    assert external_resources(html) == []
    assert "Visible narrative" in html and "visible output" in html
    assert "secret_parameter" not in html and "injected" not in html and "print(" not in html
    assert "<title>A &lt;b&gt;title&lt;/b&gt;</title>" in html
    assert html.count("window.vegaEmbed=") == 1
