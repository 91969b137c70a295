"""nbconvert's HTML exporter for our pages: one self-contained page that opens offline, and, in
`resources["outputs"]`, every file published beside it, each made by a preprocessor:

- `StampProvenance`: the footer's code version and render time (added here, once: the kernel
  shows only what every Jupyter client can show, the data version and parameters), its links
  to the files beside the page, and the story's method page (`STORY.method.html`);
- `ChartPictures`: each chart's SVG and PNG (`STEM-chart-N.svg|png`);
- `Findings`: one CSV per finding (`STEM.FINDING.csv`);
- `SharePicture`: the page's share image (`STEM.share.png`, reactions.share);

and, for a page of a published site (reactions.page.Site, `resources["site"]`, whose
`shared_runtime` is set), the Vega runtime as the site's shared file
(`_static/vega-VERSION-SHA12.js`), which the page loads instead of inlining it.

Registered with nbconvert as `reactions`, so `jupyter nbconvert --to reactions` writes a page
and its files as `reactions render` does (nbconvert's FilesWriter writes the outputs beside
it). The stem naming the files is `resources["unique_key"]` (nbconvert: the notebook's name).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import nbformat
import vl_convert
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from reactions.html import (
    HIDDEN_CELL_TAGS,
    chart_outputs,
    chart_picture,
    findings,
    headline,
    is_chart,
    original_spec,
    own,
    page_title,
    register_runtime,
    role_output,
    runtime_file,
    script_json,
    share_card,
    share_picture,
    vega_bundle,
)
from reactions.index import TEMPLATES
from reactions.locate import resolve_data_dir
from reactions.method import method_name, method_page, read_method
from reactions.page import Site
from reactions.present import (
    METADATA_KEY,
    PROVENANCE_ROLE,
    VEGALITE_MIMETYPE,
    ProvenanceFooter,
    PublishedFiles,
)
from reactions.provenance import Provenance, code_commit, render_time
from reactions.share import ShareImage, compose, draw, long_date
from reactions.vega import static_png, vegalite_version

PNG_DRAWER = "png"  # resources key: a callable SVG -> PNG bytes (a render draws them early)
NOTEBOOK = "notebook"  # resources key: the executed notebook as published, stamped (bytes)
SITE = "site"  # resources key: where the page is published (reactions.page.Site)


def _stem(resources: dict[str, Any]) -> str:
    return str(resources.get("unique_key") or "page")


def _outputs(resources: dict[str, Any]) -> dict[str, bytes]:
    return resources.setdefault("outputs", {})


class StampProvenance(Preprocessor):
    """Complete the page's footer: code version and render time, links to its method and its
    CSVs of sources; the same record in the notebook's metadata; the method page as a file.
    A page without a footer is left as it is. The stamped notebook, before any cell is hidden,
    is `resources["notebook"]`: the executed notebook a render publishes."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        output = role_output(nb, PROVENANCE_ROLE)
        if output is not None:
            stem = _stem(resources)
            commit, modified = code_commit()
            record = Provenance.from_dict(output["metadata"][METADATA_KEY]["provenance"])
            record = record.stamped(commit, modified, render_time())
            nb.metadata.setdefault(METADATA_KEY, {})["provenance"] = record.as_dict()
            output["metadata"][METADATA_KEY]["provenance"] = record.as_dict()
            method = _method_page(nb, record)
            if method is not None:
                _outputs(resources)[method_name(record.story)] = method
            sources = tuple(
                f"{stem}.{finding}.csv"
                for finding, text in findings(nb).items()
                if "source_url" in next(csv.reader([text.partition("\n")[0]]), [])
            )
            published = PublishedFiles(method_name(record.story) if method else "", sources)
            data, _ = ProvenanceFooter(record, published)._repr_mimebundle_()
            output["data"] = nbformat.from_dict(data)
        resources[NOTEBOOK] = nbformat.writes(nb).encode("utf-8")
        return nb, resources


def _method_page(nb: Any, record: Provenance) -> bytes | None:
    """The story's method as published (reactions.method), from the page's dataset folder;
    None when there is none to publish."""
    if not record.method:
        return None
    data_dir = nb.metadata.get("papermill", {}).get("parameters", {}).get("data_dir", "")
    try:
        folder = resolve_data_dir(str(data_dir or ""))
    except Exception:  # a page run elsewhere: no method beside it, the footer says so
        return None
    text = read_method(folder)
    return None if text is None else method_page(text, record.story).encode("utf-8")


class ChartPictures(Preprocessor):
    """Each chart's SVG and PNG beside the page; each chart output is told the SVG it is shown
    from before (or without) the script, so a large chart is not stored twice in the page."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        stem, files = _stem(resources), _outputs(resources)
        draw: Callable[[str], bytes] = resources.get(PNG_DRAWER) or static_png
        charts = [output for cell in nb.cells for output in cell.get("outputs", [])]
        for number, output in enumerate(filter(is_chart, charts), start=1):
            svg = output["data"]["image/svg+xml"]
            own(output, create=True)["picture"] = chart_picture(stem, number, "svg")
            files[chart_picture(stem, number, "svg")] = svg.encode("utf-8")
            files[chart_picture(stem, number, "png")] = draw(svg)
        return nb, resources


class Findings(Preprocessor):
    """One CSV per named finding, beside the page."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        stem, files = _stem(resources), _outputs(resources)
        for finding, text in findings(nb).items():
            files[f"{stem}.{finding}.csv"] = text.encode("utf-8")
        return nb, resources


def share_image(nb: Any, site: Site) -> ShareImage:
    """What the page's share image shows: its headline sentence, its first chart (the key
    chart), the site and the dataset it is from, the date it is as of (else made)."""
    charts = chart_outputs(nb)
    record = nb.metadata.get(METADATA_KEY, {}).get("provenance") or {}
    story, version = str(record.get("story") or ""), str(record.get("data_version") or "")
    source = ", ".join(
        part
        for part in (
            f"dataset {story}" if story else "",
            f"data version {version}" if version else "",
        )
        if part
    )
    source = f"Source: {source or 'reactions'}" + (f" · {site.licence}" if site.licence else "")
    as_of = str((record.get("parameters") or {}).get("as_of") or "")
    made = str(record.get("rendered_at") or "")[:10]
    date = f"As of {long_date(as_of)}" if as_of else (f"Made {long_date(made)}" if made else "")
    host = (urlsplit(site.url).hostname or "") if site.url else ""
    return ShareImage(
        headline=headline(nb),
        chart_svg=charts[0].svg if charts else "",
        kicker=site.title or host,
        source=source,
        date=date,
    )


class SharePicture(Preprocessor):
    """The page's share image beside it (reactions.share: 1200 x 630, drawn offline)."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        card = share_image(nb, resources.get(SITE) or Site())
        _outputs(resources)[share_picture(_stem(resources))] = draw(compose(card))
        return nb, resources


@cache
def _runtime_bytes(version: str) -> bytes:
    return vega_bundle(version).encode("utf-8")


class PageExporter(HTMLExporter):
    """Outputs and narrative only: code, prompts and the parameter cells are left out."""

    export_from_notebook = "reactions page"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("extra_template_basedirs", [str(TEMPLATES)])
        kwargs.setdefault("template_name", "brief")
        super().__init__(**kwargs)
        self.exclude_input = True
        self.exclude_input_prompt = True
        self.exclude_output_prompt = True
        for preprocessor in (
            StampProvenance(),
            TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS),
            ChartPictures(),
            Findings(),
            SharePicture(),
        ):
            self.register_preprocessor(preprocessor, enabled=True)
        self.register_filter("script_json", script_json)
        self.register_filter("original_spec", original_spec)

    def from_notebook_node(
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[Any, dict[str, Any]]:
        resources = dict(resources or {})
        stem = _stem(resources)
        site: Site = resources.get(SITE) or Site()
        nb = nbformat.from_dict(nb)
        nb.metadata["title"] = page_title(nb)
        charts = chart_outputs(nb)
        version = vegalite_version(charts[0].spec) if charts else ""
        bundle = vega_bundle(version) if version else ""
        register_runtime(bundle)
        runtime = {"bundle": bundle, "file": ""}
        if bundle and site.shared_runtime:  # the site's file, published with the page
            runtime = {"bundle": "", "file": runtime_file(version, bundle)}
            _outputs(resources)[runtime["file"]] = _runtime_bytes(version)
        resources |= {
            "vega_runtime": runtime,
            "brief_css": (TEMPLATES / "brief" / "brief.css").read_text(encoding="utf-8"),
            "vegalite_mimetype": VEGALITE_MIMETYPE,
            "share": share_card(nb, stem, site.url, site.title, site.licence),
        }
        return super().from_notebook_node(nb, resources, **kw)


@cache
def exporter() -> PageExporter:
    """One exporter per process: its templates are compiled once (0.13 s a page in a warm
    worker when each page made its own). It keeps nothing of the pages it exports."""
    return PageExporter()


def export_page(
    notebook: nbformat.NotebookNode,
    stem: str,
    png: Callable[[str], bytes] | None = None,
    site: Site | None = None,
) -> tuple[str, dict[str, bytes], bytes]:
    """The page's HTML, the files beside it (with the site's shared runtime when `site` asks
    for it), and the executed notebook as published."""
    resources: dict[str, Any] = {"unique_key": stem, "outputs": {}, SITE: site or Site()}
    if png is not None:
        resources[PNG_DRAWER] = png
    html, resources = exporter().from_notebook_node(notebook, resources)
    return str(html), dict(resources["outputs"]), resources[NOTEBOOK]


def warm_up() -> None:
    """Read the cached bundle, export a small page (the exporter's first page compiles its
    templates, CSS selectors and patterns: 0.45 s) and start vl-convert's engine: done while a
    kernel works."""
    version = vl_convert.get_vegalite_versions()[-1]
    vega_bundle(version)
    small = nbformat.v4.new_notebook()
    small.cells = [
        nbformat.v4.new_markdown_cell("# A *small* page"),
        nbformat.v4.new_code_cell(
            outputs=[nbformat.v4.new_output("display_data", {"text/html": "<p>one &amp; two</p>"})]
        ),
    ]
    export_page(small, "warm-up")
    vl_convert.svg_to_png('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
