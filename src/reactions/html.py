"""An executed page read for export (its charts, findings, title, share card, the Vega runtime
it inlines) and an exported page checked before it is published: nothing fetched from
elsewhere, nothing that runs but its own runtime. The exporter itself: reactions.exporter."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import quote, unquote

import nbformat
import platformdirs

from reactions.index import TEMPLATES
from reactions.present import (
    HEADLINE_ROLE,
    METADATA_KEY,
    SVG_MIMETYPE,
    VEGALITE_MIMETYPE,
    table_csv,
)
from reactions.vega import vegalite_version
from reactions.writer import SHARED_DIR, shared_mismatch

HIDDEN_CELL_TAGS = {"injected-parameters", "parameters"}


@cache
def vega_bundle(version: str) -> str:
    """Vega, Vega-Lite and vega-embed in one script, for one Vega-Lite version.

    Bundling takes about a second, so the result is kept in the user's cache folder, keyed by
    the vl-convert and Vega-Lite versions that made it.
    """
    import vl_convert  # where a page is exported: a publish parent reads pages, never draws

    made_by = getattr(vl_convert, "__version__", "unknown")
    cached = platformdirs.user_cache_path("reactions") / f"vega-{made_by}-{version}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        # The stub makes `snippet` required; the function's own default is None (its bundle).
        bundle = vl_convert.javascript_bundle(vl_version=version)  # type: ignore[call-arg]
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(bundle, encoding="utf-8")
        os.replace(temporary, cached)
    except OSError:
        pass  # a read-only cache only costs time
    return bundle


@dataclass(frozen=True)
class ChartOutput:
    """A chart as a notebook stores it: its spec (with the version it was written for) and SVG."""

    spec: dict
    svg: str


def outputs(notebook: nbformat.NotebookNode) -> Iterator[nbformat.NotebookNode]:
    """Every output of the notebook's code cells, in order."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def own(output: dict, create: bool = False) -> dict:
    """What reactions recorded about an output (present.METADATA_KEY): finding, role, ...;
    `create`: made (and kept in the output) when there is none, to be written to."""
    if create:
        return output.setdefault("metadata", {}).setdefault(METADATA_KEY, {})
    return output.get("metadata", {}).get(METADATA_KEY, {})


def role_output(notebook: nbformat.NotebookNode, role: str) -> nbformat.NotebookNode | None:
    """The first output in `role` (present: title, headline, provenance), if any."""
    return next((output for output in outputs(notebook) if own(output).get("role") == role), None)


def is_chart(output: dict) -> bool:
    data = output.get("data", {})
    return VEGALITE_MIMETYPE in data and SVG_MIMETYPE in data


def chart_outputs(notebook: nbformat.NotebookNode) -> list[ChartOutput]:
    """Every chart output, in notebook order."""
    return [
        ChartOutput(original_spec(output), output["data"][SVG_MIMETYPE])
        for output in outputs(notebook)
        if is_chart(output)
    ]


def original_spec(output: dict) -> dict:
    """The spec under the schema it was written for (kept in the output's metadata)."""
    spec = dict(output["data"][VEGALITE_MIMETYPE])
    written_for = own(output).get("vegalite")
    if written_for:
        spec["$schema"] = written_for
    return spec


def findings(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """Every named findings table of a notebook as CSV text, by finding name."""
    return {
        own(output)["finding"]: table_csv(output["data"]["text/html"])
        for output in outputs(notebook)
        if own(output).get("finding") and "text/html" in output.get("data", {})
    }


def page_title(notebook: nbformat.NotebookNode) -> str:
    """The text of the page's title output (a present.Heading), or the notebook's name."""
    title = role_output(notebook, "title")
    if title is not None:
        return str(title["data"]["text/plain"])
    return str(notebook.metadata.get("title", "reactions"))


SHARED_DESCRIPTION_LIMIT = 300  # characters of the headline a link preview shows
SHARED_ALT_LIMIT = 420  # characters of a preview image's text (X's limit)
SHARE_IMAGE_SIZE = (1200, 630)  # reactions.share draws it so


@dataclass(frozen=True)
class ShareCard:
    """What a link to the page previews (Open Graph, Twitter card). Addresses are absolute
    under the site's URL when it is known, else relative to the page (previews on X, Facebook
    and LinkedIn then show no image)."""

    title: str
    description: str  # the headline sentence, clipped at a word
    url: str  # the page itself (og:url, its canonical link)
    image: str  # its share image (reactions.share)
    image_alt: str
    site_name: str = ""
    licence: str = ""
    image_width: int = SHARE_IMAGE_SIZE[0]
    image_height: int = SHARE_IMAGE_SIZE[1]

    @property
    def licence_link(self) -> str:
        """The licence as a link, when it is an address."""
        return self.licence if re.fullmatch(r"https?://\S+", self.licence) else ""


def _clipped(text: str, limit: int = SHARED_DESCRIPTION_LIMIT) -> str:
    """At most `limit` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def headline(notebook: nbformat.NotebookNode) -> str:
    """The page's headline sentence: its title output (a finding: present.Heading); else its
    lead paragraph (role "headline"), else its first chart's finding, else its title."""
    for role in ("title", HEADLINE_ROLE):
        found = role_output(notebook, role)
        if found is not None and str(found["data"].get("text/plain", "")).strip():
            return " ".join(str(found["data"]["text/plain"]).split())
    charts = chart_outputs(notebook)
    finding = str(charts[0].spec.get("description", "")) if charts else ""
    return " ".join((finding or page_title(notebook)).split())


def share_picture(stem: str) -> str:
    """The name of a page's share image, published beside the page."""
    return f"{stem}.share.png"


def share_card(
    notebook: nbformat.NotebookNode,
    stem: str,
    site_url: str = "",
    site_name: str = "",
    licence: str = "",
) -> ShareCard:
    """The page's title; its headline sentence as description; its share image. `site_url`:
    the site's public base URL, ending in "/" (reactions.page.Site), or "" (relative)."""
    title, charts = page_title(notebook), chart_outputs(notebook)
    sentence = headline(notebook)
    finding = str(charts[0].spec.get("description", "")) if charts else ""
    alt = sentence if not finding or finding == sentence else f"{sentence.rstrip('.')}. {finding}"

    def address(name: str) -> str:
        return f"{site_url}{quote(name)}" if site_url else quote(name)

    return ShareCard(
        title=title,
        description=_clipped(sentence),
        url=address(f"{stem}.html"),
        image=address(share_picture(stem)),
        image_alt=_clipped(alt, SHARED_ALT_LIMIT),
        site_name=site_name,
        licence=licence,
    )


def script_json(value: object) -> str:
    """JSON that cannot close a <script> element or open a comment inside it."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_picture(stem: str, number: int, suffix: str) -> str:
    """The name of a page's chart picture, published beside the page (`suffix`: svg or png)."""
    return f"{stem}-chart-{number}.{suffix}"


def register_runtime(bundle: str) -> None:
    """The Vega runtime a page of this process inlines or links is the page's own
    (unsafe_markup)."""
    if bundle:
        _RUNTIME.add(_digest(bundle))


# The shared runtime of a published site: one file per Vega-Lite version and content, named by
# both (`_static/vega-6.4-0123456789ab.js`: the first 12 hex digits of its SHA-256), so a page
# names exactly the runtime it was made with and a file that is not it can be told by its name.
RUNTIME_FILE = re.compile(re.escape(SHARED_DIR) + r"/vega-(\d+\.\d+)-([0-9a-f]{12})\.js")


def runtime_file(version: str, bundle: str) -> str:
    """The name of a shared runtime file (in the report folder), from its version and text."""
    return f"{SHARED_DIR}/vega-{version}-{_digest(bundle)[:12]}.js"


def runtime_mismatch(name: str, content: bytes) -> str:
    """Why `content` cannot be the shared runtime file `name` ("" when it can): the name has the
    runtime's shape and its digest is the content's (reactions.writer.shared_mismatch)."""
    if RUNTIME_FILE.fullmatch(name) is None:
        return f"{name!r} is not named as a shared runtime ({SHARED_DIR}/vega-VERSION-SHA12.js)"
    return shared_mismatch(name, content)


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

    def __init__(self, beside: Collection[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.beside = beside
        self.found: list[str] = []
        self._in_style = False

    # A link the browser never fetches: the page's address and its licence name places.
    NOT_FETCHED: ClassVar[frozenset[str]] = frozenset({"canonical", "license"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attribute = self.FETCHING.get(tag)
        relations = set((dict(attrs).get("rel") or "").lower().split())
        if tag == "link" and relations and relations <= self.NOT_FETCHED:
            attribute = None
        for name, value in attrs:
            if name == attribute and value and not self._own(value):
                self.found.append(f"<{tag} {name}={value!r}>")
        self._in_style = tag == "style"

    def _own(self, reference: str) -> bool:
        return reference.startswith(("data:", "#")) or unquote(reference) in self.beside

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


def external_resources(html: str, beside: Collection[str] = ()) -> list[str]:
    """Everything a page would load from outside itself (scripts, styles, fonts, images) other
    than the files published `beside` it, named exactly."""
    finder = _ResourceFinder(beside)
    finder.feed(html)
    finder.close()
    return finder.found


# The page's own runtime: the scripts the brief template writes (the Vega bundle, recorded as
# the exporter inlines it, and the footer's script that draws the charts). Any other script, an
# on* attribute or a javascript: URL came from somewhere else (an output's HTML) and the page
# is not published: data text is escaped, so this is defence in depth.
_RUNTIME: set[str] = set()
DATA_SCRIPT_TYPES = frozenset(
    {
        "application/json",
        "application/ld+json",
        "application/vnd.jupyter.widget-state+json",
        "application/vnd.jupyter.widget-view+json",
    }
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
)
SCRIPT_URL = re.compile(r"(?:java|vb)script:", re.IGNORECASE)
INVISIBLE = re.compile(r"[\x00-\x20]+")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def _footer_runtime() -> str:
    template = (TEMPLATES / "brief" / "index.html.j2").read_text(encoding="utf-8")
    found = re.search(
        r"block footer_js %}.*?<script>(\s*/\* reactions: each chart drawn .*?)</script>",
        template,
        re.DOTALL,
    )
    return _digest(found.group(1)) if found else ""


class _ScriptFinder(HTMLParser):
    """Collects what could run code in a page: on* attributes, javascript: URLs, and scripts
    that are not the page's own runtime."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.scripts: list[tuple[str, str]] = []  # executable scripts: digest, start shown
        self.sources: list[str] = []  # the files of executable <script src=...>
        self._script: list[str] | None = None  # the text of an executable script being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> (an event handler)")
            elif name in URL_ATTRIBUTES and SCRIPT_URL.match(INVISIBLE.sub("", value or "")):
                self.found.append(f"<{tag} {name}={(value or '')[:40]!r}> (a script link)")
        if tag == "script":
            kind = (dict(attrs).get("type") or "").strip().lower()
            source = dict(attrs).get("src")
            if source is not None:  # a browser runs the file, not the element's text
                self.sources.append(source)
            executable = kind not in DATA_SCRIPT_TYPES and source is None
            self._script = [] if executable else None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            text = "".join(self._script)
            self._script = None
            self.scripts.append((_digest(text), " ".join(text.split())[:40]))


def unsafe_markup(
    html: str, specs: Collection[dict] = (), shared: Mapping[str, bytes] | None = None
) -> list[str]:
    """What in a page could run code other than its own runtime, named (at most 5). `specs`:
    the page's chart specs (the bundle of their Vega-Lite version is the page's own). `shared`:
    the site's shared runtime files published with the page, by name: a `<script src>` may load
    one of them, if the file holds what its name's digest says and is the page's own runtime;
    no other file."""
    finder = _ScriptFinder()
    finder.feed(html)
    finder.close()
    known = _RUNTIME | {_footer_runtime()}
    found = list(finder.found)
    versions = {vegalite_version(spec) for spec in specs} - {""}
    scripts = list(finder.scripts)
    for source in finder.sources:
        content = (shared or {}).get(source)
        shown = f"<script src={source[:60]!r}>"
        if content is None or RUNTIME_FILE.fullmatch(source) is None:
            found.append(f"{shown} (a script from a file that is not the site's shared runtime)")
        elif runtime_mismatch(source, content):
            found.append(f"{shown} ({runtime_mismatch(source, content)})")
        else:
            scripts.append((hashlib.sha256(content).hexdigest(), source))
    for digest, shown in scripts:
        if digest not in known and versions:  # the bundle of the charts' version, made here
            known |= {_digest(vega_bundle(version)) for version in versions}
            versions = set()
        if digest not in known:
            found.append(f"<script> {shown!r} (not the page's own runtime)")
    return found[:5]
