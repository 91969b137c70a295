"""Read the project's YAML files (codebook, story, schedule) the one safe way.

Safe loading only (no Python objects), dates kept as text (our own checks report bad dates),
and every read problem turned into a located Problem of the caller's error class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reactions.errors import InputError, Problem


class TextDatesLoader(yaml.SafeLoader):
    """SafeLoader whose dates stay text, so that an impossible date is reported by our check."""


TextDatesLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def read_text(path: Path, error: type[InputError]) -> str:
    """The file's text (UTF-8, a byte-order mark allowed), or the error naming the file."""
    name = path.name
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise error([Problem(name, None, None, str(path), "file is missing")]) from None
    except IsADirectoryError:
        raise error([Problem(name, None, None, str(path), "must be a file, not a folder")]) from None
    except UnicodeDecodeError as problem:
        bad = repr(problem.object[problem.start : problem.end])
        raise error([Problem(name, None, None, bad, "file must be UTF-8")]) from None


def compose(path: Path, error: type[InputError]) -> yaml.Node | None:
    """The file's YAML node tree (with line marks), or the error with the line of the fault."""
    text = read_text(path, error)
    try:
        return yaml.compose(text, Loader=TextDatesLoader)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        raise error(
            [
                Problem(
                    path.name,
                    mark.line + 1 if mark else None,
                    None,
                    str(getattr(problem, "problem", None) or problem),
                    "file must be valid YAML",
                )
            ]
        ) from None


def construct(node: yaml.Node) -> Any:
    """The plain Python value of a node (mappings, lists, text, numbers, booleans)."""
    return TextDatesLoader("").construct_document(node)


def mapping_items(node: yaml.Node) -> list[tuple[str, int, yaml.Node]]:
    """A mapping node's entries as (key, line, value node); keys that are not text become text."""
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(key.value), line_of(key), value) for key, value in node.value]
