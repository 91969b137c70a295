"""The report folder's front page: every published page, by story (the default story first) and
by kind of page, each with its headline, lede, date and what moved at the last publish; and the
words that name a page in links (`page_label`).

Kept apart from `reactions.html` (which exports notebooks) so that a publish run's parent,
which only writes the index, never imports nbconvert, altair or vl-convert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import jinja2

from reactions.reference import Reference

TEMPLATES = Path(str(resources.files("reactions") / "templates"))

# Kinds of page in the order the front page shows them, with what each is; a notebook not
# listed here comes after them, named by its own name.
KINDS = {  # kind: (one page, the kind's heading, what its pages show)
    "compare": ("Comparison", "Comparisons", "every actor on every issue, groups, words and votes"),
    "brief": ("Brief", "Briefs", "one actor on one issue as of a date, among its peers"),
    "actor": ("Actor", "Actors", "one actor across every issue over time"),
}


def _kind_words(kind: str) -> tuple[str, str, str]:
    plain = kind.replace("_", " ").replace("-", " ").capitalize()
    return KINDS.get(kind, (plain, plain, ""))


LEDE_LIMIT = 420  # characters of a page's lede the front page shows


def day_words(iso: str) -> str:
    """2000-01-31 as "31 January 2000" (the pages' own way); other text as it is."""
    try:
        day = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    return f"{day.day} {day:%B %Y}"


def page_label(kind: str, parameters: Mapping[str, object], reference: Reference | None) -> str:
    """What a page is, in words, from its kind and parameters, for links and the front page:
    "Brief: Ruritania, Recognition, 31 January 2000", "Comparison: all issues, 31 January
    2000". Codes are named from the story's reference where it is known; a parameter the
    registry of kinds does not know is left out (it is in the page's footer)."""
    names = reference.actor_names if reference is not None else {}
    issues = reference.codebook.issues if reference is not None else {}
    groups = reference.codebook.groups if reference is not None else {}
    parts: list[str] = []
    since = ""  # said after the page's own date, whatever the parameters' order
    for name, value in parameters.items():
        text = str(value) if isinstance(value, str) else ""
        if not text:
            continue
        if name in ("focal_actor", "actor"):
            parts.append(names.get(text, text))
        elif name == "issue":
            parts.append(issues.get(text, text))
        elif name == "issues":
            parts.append("all issues" if text == "all" else issues.get(text, text))
        elif name == "group" and text != "all":
            parts.append(groups.get(text, text))
        elif name == "compare_to":
            since = f"changes since {day_words(text)}"
    as_of = parameters.get("as_of")
    if isinstance(as_of, str) and as_of:
        parts.append(day_words(as_of))
    parts += [since] if since else []
    shown = _kind_words(kind)[0]
    return f"{shown}: {', '.join(parts)}" if parts else shown


def clipped(text: str, limit: int = LEDE_LIMIT) -> str:
    """At most `limit` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _kind_order(kind: str) -> tuple[int, str]:
    order = list(KINDS)
    return (order.index(kind) if kind in order else len(order), kind)


def front_page(
    pages: Sequence[Mapping[str, str]], stories: Sequence[Mapping[str, object]] = ()
) -> list[dict[str, object]]:
    """Pages grouped for the front page: per story (in the order of `stories`, the default
    story first; a story no entry describes after them, by name), per kind of page (KINDS'
    order), each kind's pages newest first. Each story is its entry (title, framing, method,
    dataset) with its `kinds`: name, what it is, pages."""
    described = {str(story["slug"]): dict(story) for story in stories}
    slugs = list(described) + sorted(
        {page["story"] for page in pages} - set(described), key=str.lower
    )
    sections = []
    for slug in slugs:
        own = [page for page in pages if page["story"] == slug]
        if not own:
            continue
        entry = described.get(slug) or {"slug": slug}
        kinds = []
        for kind in sorted({page["page"] for page in own}, key=_kind_order):
            by_label = sorted(
                (page for page in own if page["page"] == kind),
                key=lambda page: (page.get("label", ""), page["file"]),
            )  # then newest first (a stable sort keeps the labels' order within a date)
            of_kind = sorted(by_label, key=lambda page: page.get("as_of", ""), reverse=True)
            _, name, about = _kind_words(kind)
            kinds.append({"kind": kind, "name": name, "about": about, "pages": of_kind})
        sections.append({**entry, "kinds": kinds, "count": len(own)})
    return sections


def render_index(
    pages: Sequence[Mapping[str, str]], stories: Sequence[Mapping[str, object]] = ()
) -> str:
    """The report folder's front page (see `front_page`), escaped, with no outside resources."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    css = "\n".join(
        (TEMPLATES / "brief" / name).read_text(encoding="utf-8")
        for name in ("brief.css", "site.css")
    )
    sections = front_page(pages, stories)
    return environment.get_template("index.html.j2").render(
        pages=pages, sections=sections, css=css, clipped=clipped
    )
