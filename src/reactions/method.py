"""A story's method for readers: its METHODS.md as one offline HTML page, published once per
story beside its pages and linked from each of them.

The Markdown is the dataset's own text; raw HTML in it is escaped (mistune's `escape`), so the
page holds no markup the desk did not mean, loads nothing from elsewhere and runs no script.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import mistune

from reactions.provenance import METHOD_FILE

METHOD_SUFFIX = ".method.html"  # published as STORY.method.html
MAX_METHOD_BYTES = 1_000_000
STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#111}table{border-collapse:collapse;display:block;overflow-x:auto}"
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;text-align:left}"
    "code{font-size:.9em}"
)


def method_name(story: str) -> str:
    return f"{story}{METHOD_SUFFIX}"


def read_method(folder: Path) -> str | None:
    """The story's METHODS.md text: a regular file of its folder (never a link out of it), UTF-8,
    of bounded size; None when the story has none to publish."""
    path = folder / METHOD_FILE
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_METHOD_BYTES:
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def method_page(markdown: str, story: str) -> str:
    """The method as a whole, self-contained HTML page, titled by its first heading."""
    body = mistune.create_markdown(escape=True, plugins=["table"])(markdown)
    heading = next(
        (line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), ""
    )
    title = heading or f"How this was made: {story}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
