"""nbconvert's HTML exporter for our pages: one self-contained page that opens offline, and, in
`resources["outputs"]`, every file published beside it, each made by a preprocessor:

- `StampProvenance`: the footer's code version and render time (added here, once: the kernel
  shows only what every Jupyter client can show, the data version and parameters), its links
  to the files beside the page (findings as CSV, the story's dataset in `downloads/`), how to
  cite the page, and the story's method page (`STORY.method.html`);
- `ChartPictures`: each chart's SVG and PNG (`STEM-chart-N.svg|png`);
- `Findings`: one CSV per finding (`STEM.FINDING.csv`);
- `SharePicture`: the page's share image (`STEM.share.png`, reactions.share);

and, for a page of a published site (reactions.page.Site, `resources["site"]`, whose
`shared_runtime` is set), the Vega runtime as the site's shared file
(`_static/vega-VERSION-SHA12.js`), which the page loads instead of inlining it.

Registered with nbconvert as `reactions`, so `jupyter nbconvert --to reactions` writes a page
and its files as `reactions render` does (nbconvert's FilesWriter writes the outputs beside
it). The stem naming the files is `resources["unique_key"]` (nbconvert: the notebook's name).
Where the page stands in the site (`resources["links"]`, a page.SiteLinks: a publish run's or a
lone render's) gives its header's links (the index, the method, the other pages of its story)
and its footer's dataset, citation and licence; without it, the header links only the method.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote, urlsplit

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
from reactions.page import Site, SiteLinks
from reactions.present import (
    METADATA_KEY,
    PROVENANCE_ROLE,
    VEGALITE_MIMETYPE,
    ProvenanceFooter,
    PublishedFiles,
    chart_source,
)
from reactions.provenance import Provenance, code_commit, long_date, render_time
from reactions.share import ShareImage, compose, draw
from reactions.vega import static_png, vegalite_version

PNG_DRAWER = "png"  # resources key: a callable SVG -> PNG bytes (a render draws them early)
NOTEBOOK = "notebook"  # resources key: the executed notebook as published, stamped (bytes)
SITE = "site"  # resources key: where the page is published (reactions.page.Site)
LINKS = "links"  # resources key: the page's place in the site (page.SiteLinks)
CHART_SOURCE = "chart_source"  # resources key: the line under every chart (text, CSV)
HEADER = "header"  # resources key: what the page's header links (the template's site_header)


def _stem(resources: dict[str, Any]) -> str:
    return str(resources.get("unique_key") or "page")


def _outputs(resources: dict[str, Any]) -> dict[str, bytes]:
    return resources.setdefault("outputs", {})


def _links(resources: dict[str, Any]) -> SiteLinks:
    links = resources.get(LINKS)
    return links if isinstance(links, SiteLinks) else SiteLinks()


def citation(title: str, record: Provenance, links: SiteLinks, page: str) -> str:
    """How to cite the page: "<title>, published <date>, data version <v>, <address or file
    name>" (the site's address when its settings name one, else the page's file name)."""
    day = render_day(record.rendered_at)
    where = f"{links.url.rstrip('/')}/{quote(page)}" if links.url else page
    return f"{title}, published {day}, data version {record.data_version}, {where}"


def render_day(rendered_at: str) -> str:
    """2000-01-31T18:30:00Z as "31 January 2000"."""
    try:
        day = dt.date.fromisoformat(rendered_at[:10])
    except ValueError:
        return rendered_at
    return f"{day.day} {day:%B %Y}"


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
                resources[HEADER] = resources.get(HEADER, {}) | {
                    "method": method_name(record.story)
                }
            found = findings(nb)
            sources = tuple(
                f"{stem}.{finding}.csv"
                for finding, text in found.items()
                if "source_url" in next(csv.reader([text.partition("\n")[0]]), [])
            )
            links = _links(resources)
            resources[CHART_SOURCE] = {
                "text": chart_source(links.story_title or record.story, record.data_version),
                "file": sources[0] if sources else "",
            }
            title = str(nb.metadata.get("title") or page_title(nb))
            published = PublishedFiles(
                method_name(record.story) if method else "",
                sources,
                findings=tuple(f"{stem}.{finding}.csv" for finding in found),
                # the story's dataset as published, if it is the version this page read
                dataset=links.dataset if links.dataset_version == record.data_version else (),
                citation=citation(title, record, links, f"{stem}.html"),
                licence=links.licence,
            )
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
        links = _links(resources)
        resources |= {
            "vega_runtime": runtime,
            "brief_css": (TEMPLATES / "brief" / "brief.css").read_text(encoding="utf-8"),
            "vegalite_mimetype": VEGALITE_MIMETYPE,
            "share": share_card(nb, stem, site.url, site.title, site.licence),
            HEADER: {  # the method is added by StampProvenance, when it is published beside
                "index": links.index,
                "story_title": links.story_title,
                "siblings": links.siblings,
                "method": "",
            },
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
    links: SiteLinks | None = None,
) -> tuple[str, dict[str, bytes], bytes]:
    """The page's HTML, the files beside it (with the site's shared runtime when `site` asks
    for it), and the executed notebook as published; `links`: its place in the site (its
    header's links, its dataset, how it is cited)."""
    resources: dict[str, Any] = {
        "unique_key": stem,
        "outputs": {},
        SITE: site or Site(),
        LINKS: links or SiteLinks(),
    }
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
