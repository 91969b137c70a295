"""A page spec: a notebook with its parameters checked once, its story and the names of the
files it publishes. Made before any kernel starts, by every way a page is built
(reactions.render), so bad input is refused in milliseconds with the notebook's own rules.

A page is any notebook with a `parameters` cell; its parameters come from the notebook itself
(papermill.inspect_notebook) and are checked by the rules the notebook applies when it opens
(reactions.parameters).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import papermill

from reactions.errors import ParameterError
from reactions.locate import resolve_data_dir
from reactions.parameters import check_parameters, load_reference, output_stem
from reactions.reference import Reference
from reactions.yamlfile import shown

NOTEBOOKS = Path("notebooks")


def find_notebook(name: str | Path, notebooks: Path = NOTEBOOKS) -> Path:
    """A page by name (`brief`) or path (`notebooks/brief.ipynb`)."""
    path = Path(name)
    candidates = [path] if path.suffix == ".ipynb" else [notebooks / f"{path.name}.ipynb"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    pages = ", ".join(sorted(page.stem for page in notebooks.glob("*.ipynb"))) or "none"
    raise ParameterError(f"notebook {name!r} not found; pages in {notebooks}: {pages}")


class _Required:
    """A parameter whose default is not a literal (`as_of = str(datetime.date.today())`): it
    has no default a render can check, so it must be given."""

    def __repr__(self) -> str:
        return "<required>"


REQUIRED: object = _Required()


def notebook_parameters(notebook: Path) -> dict[str, object]:
    """The notebook's parameters and their defaults, as its parameters cell declares them; a
    default that is not a literal is REQUIRED. A notebook that cannot be read (truncated, not
    JSON, not a notebook) is a ParameterError naming it."""
    try:
        declared = papermill.inspect_notebook(str(notebook))
    except Exception as error:  # nbformat's NotJSONError, a validation error, an OSError
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ParameterError(
            f"{notebook}: not a readable notebook ({type(error).__name__}: {shown(reason)})"
        ) from None
    if not declared:
        raise ParameterError(f"{notebook}: no parameters cell, so it is not a page")
    return {name: _default(spec.get("default")) for name, spec in declared.items()}


MAX_SITE_URL = 2_000  # characters of a site's address
MAX_SITE_TEXT = 200  # characters of a site's title or licence
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def site_url(text: object) -> str:
    """A site's public base URL, checked: absolute http(s), a host, no user name or password,
    no query or fragment, no space or control character; returned ending in "/" (the folder
    the pages are in). ParameterError says why not."""
    if not isinstance(text, str) or not text:
        raise ParameterError(
            f"a site URL must be text, e.g. https://example.org/reactions/, got {shown(text)!r}"
        )
    if len(text) > MAX_SITE_URL or CONTROL.search(text) or any(c.isspace() for c in text):
        raise ParameterError(
            f"a site URL holds no space or control character and at most {MAX_SITE_URL:,} "
            f"characters: {shown(text)!r}"
        )
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (a bad port raises here)
    except ValueError:
        raise ParameterError(f"not a URL: {shown(text)!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ParameterError(
            f"a site URL must be absolute http(s), e.g. https://example.org/reactions/, "
            f"got {shown(text)!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise ParameterError(f"a site URL holds no user name or password: {shown(text)!r}")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ParameterError(f"a site URL is a folder: no query or fragment: {shown(text)!r}")
    return text if text.endswith("/") else f"{text}/"


def site_text(text: object, what: str) -> str:
    """A site's title or licence: one line of text, at most MAX_SITE_TEXT characters."""
    if not isinstance(text, str) or not text.strip():
        raise ParameterError(f"a site's {what} must be text, got {shown(text)!r}")
    if len(text) > MAX_SITE_TEXT or CONTROL.search(text):
        raise ParameterError(
            f"a site's {what} is one line of at most {MAX_SITE_TEXT} characters, without "
            f"control characters: {shown(text)!r}"
        )
    return " ".join(text.split())


@dataclass(frozen=True)
class Site:
    """Where and how a page is published: the site's public base URL ("" when unknown: the
    page's own links and previews are then relative), its title and licence, and whether the
    page loads the shared Vega runtime (`_static/`, a publish run's) or inlines it (a page
    that stands alone). Checked when made (site_url, site_text); part of a published page's
    key."""

    url: str = ""  # absolute http(s), ending in "/"
    title: str = ""
    licence: str = ""
    shared_runtime: bool = False

    def __post_init__(self) -> None:
        if self.url:
            object.__setattr__(self, "url", site_url(self.url))
        for name in ("title", "licence"):
            if getattr(self, name):
                object.__setattr__(self, name, site_text(getattr(self, name), name))

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _default(text: object) -> object:
    try:
        return ast.literal_eval(str(text))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return REQUIRED


@dataclass(frozen=True)
class Sibling:
    """Another page of the same story, as a page's header links it."""

    file: str  # its HTML, beside the page
    label: str  # what it is, in words: "Brief: Ruritania, Recognition, 31 January 2000"
    as_of: str = ""  # YYYY-MM-DD, its date ("" for a page without one)


@dataclass(frozen=True)
class SiteLinks:
    """Where a page stands in the published site, resolved when it is built (by a publish run
    from what is published and scheduled, or by a lone render from what is in its folder): what
    its header and footer link to beside it, and how it is cited. Every name is relative to
    the page and names a file that exists when the page is published."""

    index: str = ""  # the site's index ("index.html"), "" when there is none to link
    story_title: str = ""  # the story's title (story.yml), "" for a story without one
    siblings: tuple[Sibling, ...] = ()  # other pages of the story, nearest in date first
    dataset: tuple[str, ...] = ()  # the story's data files published for download
    dataset_version: str = ""  # the data version of those files (linked only if the page's)
    url: str = ""  # the site's address (its settings), for the citation; "" cites the file
    licence: str = ""  # the site's licence (its settings), "" when none is named

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SiteLinks:
        plain = json.loads(text)
        plain["siblings"] = tuple(Sibling(**sibling) for sibling in plain.get("siblings", ()))
        plain["dataset"] = tuple(plain.get("dataset", ()))
        return cls(**plain)


@dataclass(frozen=True)
class Page:
    """A checked page: its notebook, every parameter (defaults resolved, `data_dir` an absolute
    path when the page takes one), its story and the stem that names its files."""

    notebook: Path
    parameters: dict[str, object]
    stem: str
    story: str = ""
    pdf: bool = False
    data_dir: str = ""  # the dataset folder it reads, resolved once (absolute)
    site: Site = field(default_factory=Site)  # where it is published (links, runtime)
    links: SiteLinks = field(default_factory=SiteLinks)  # its place in the site (publish, render)

    @property
    def html(self) -> str:
        return f"{self.stem}.html"

    @property
    def executed(self) -> str:
        """The executed notebook, published beside the page."""
        return f"{self.stem}.ipynb"

    @property
    def printed(self) -> str:
        return f"{self.stem}.pdf"


def prepare(
    notebook: Path,
    given: dict[str, object],
    data_dir: Path | str | None = None,
    references: dict[Path, Reference] | None = None,
    pdf: bool = False,
    site: Site | None = None,
) -> Page:
    """Check a page's parameters against its notebook and dataset before any kernel starts.

    `references`: the datasets' references already read, by folder (added to), so that a
    schedule of many pages reads each dataset's codebook once (20 ms each)."""
    declared = notebook_parameters(notebook)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ParameterError(
            f"{notebook.stem}: unknown parameter(s) {shown(', '.join(map(str, unknown)))}; "
            f"this page takes {', '.join(declared)}"
        )
    values = declared | given
    required = [name for name, value in values.items() if value is REQUIRED]
    if required:
        raise ParameterError(
            f"{notebook.stem}: parameter(s) {', '.join(required)} must be given (-p NAME VALUE): "
            "the parameters cell's default is not a literal value, so no checked default exists"
        )
    given_dir = cast("str | Path", given.get("data_dir") or data_dir or "")  # a path's text
    folder = resolve_data_dir(given_dir)
    if "data_dir" in declared:
        values["data_dir"] = str(folder)
    references = {} if references is None else references
    if folder not in references:
        references[folder] = load_reference(folder)
    reference = references[folder]
    checked = check_parameters(values, reference)
    plain = {
        name: list(value) if isinstance(value, tuple) else value for name, value in checked.items()
    }
    stem = output_stem(notebook.stem, checked, reference)
    return Page(notebook, plain, stem, reference.story.slug, pdf, str(folder), site or Site())
