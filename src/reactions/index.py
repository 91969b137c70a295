"""The report folder's index page: every published page, listed.

Kept apart from `reactions.html` (which exports notebooks) so that a publish run's parent,
which only writes the index, never imports nbconvert, altair or vl-convert.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

TEMPLATES = Path(str(resources.files("reactions") / "templates"))


def render_index(pages: list[dict[str, str]]) -> str:
    """The report folder's index: every published page, escaped, with no outside resources."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    css = (TEMPLATES / "brief" / "brief.css").read_text(encoding="utf-8")
    return environment.get_template("index.html.j2").render(pages=pages, css=css)
