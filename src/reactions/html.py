"""Export an executed notebook to one self-contained HTML file that opens offline."""

from __future__ import annotations

import os
import re
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import ClassVar

import jinja2
import nbformat
import platformdirs
import vl_convert
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

TEMPLATES = Path(str(resources.files("reactions") / "templates"))
HIDDEN_CELL_TAGS = {"injected-parameters", "parameters"}


def vegalite_version(specs: list[dict]) -> str:
    """The Vega-Lite version (major.minor) the charts were written for, from their $schema."""
    for spec in specs:
        found = re.search(r"/v(\d+)\.(\d+)[.\d]*\.json$", str(spec.get("$schema", "")))
        if found:
            return f"{found[1]}.{found[2]}"
    return vl_convert.get_vegalite_versions()[-1]


@cache
def vega_bundle(version: str) -> str:
    """Vega, Vega-Lite and vega-embed in one script, for one Vega-Lite version.

    Bundling takes about a second, so the result is kept in the user's cache folder, keyed by
    the vl-convert and Vega-Lite versions that made it.
    """
    made_by = getattr(vl_convert, "__version__", "unknown")
    cached = platformdirs.user_cache_path("reactions") / f"vega-{made_by}-{version}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        bundle = vl_convert.javascript_bundle(vl_version=version)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(bundle, encoding="utf-8")
        os.replace(temporary, cached)
    except OSError:
        pass  # a read-only cache only costs time
    return bundle


def static_images(spec: dict) -> tuple[str, bytes]:
    """SVG and PNG of a chart, for email and print (rendered by vl-convert, offline)."""
    svg = vl_convert.vegalite_to_svg(spec, vl_version=vegalite_version([spec]))
    return svg, vl_convert.svg_to_png(svg, scale=2)


def warm_up() -> None:
    """Start vl-convert's engine and read the cached bundle: done while a kernel works."""
    version = vl_convert.get_vegalite_versions()[-1]
    vega_bundle(version)
    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}}, vl_version=version)


def export_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """Outputs and narrative only: code, prompts and the parameter cells are left out."""
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="brief",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS, enabled=True), enabled=True
    )
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(
        notebook,
        resources={
            "vega_bundle": vega_bundle(vegalite_version(chart_specs(notebook))),
            "brief_css": (TEMPLATES / "brief" / "brief.css").read_text(encoding="utf-8"),
        },
    )
    return body


def chart_specs(notebook: nbformat.NotebookNode) -> list[dict]:
    """The Vega-Lite specs of every chart output, in notebook order."""
    return [
        output["data"][key]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        for key in output.get("data", {})
        if key.startswith("application/vnd.vegalite.")
    ]


def render_index(pages: list[dict[str, str]]) -> str:
    """The report folder's index: every published page, escaped, with no outside resources."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    css = (TEMPLATES / "brief" / "brief.css").read_text(encoding="utf-8")
    return environment.get_template("index.html.j2").render(pages=pages, css=css)


class _ResourceFinder(HTMLParser):
    """Collects every reference to a resource the browser would fetch from elsewhere."""

    FETCHING: ClassVar[dict[str, str]] = {
        "script": "src",
        "link": "href",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "embed": "src",
        "object": "data",
        "audio": "src",
        "video": "src",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attribute = self.FETCHING.get(tag)
        for name, value in attrs:
            if name == attribute and value and not value.startswith(("data:", "#")):
                self.found.append(f"<{tag} {name}={value!r}>")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            lowered = data.lower()
            if "@import" in lowered:
                self.found.append("CSS @import")
            for part in lowered.split("url(")[1:]:
                target = part.strip(" '\"")
                if not target.startswith(("data:", "#")):
                    self.found.append(f"CSS url({target[:60]}")


def external_resources(html: str) -> list[str]:
    """Everything a page would load from outside itself (scripts, styles, fonts, images)."""
    finder = _ResourceFinder()
    finder.feed(html)
    finder.close()
    return finder.found
