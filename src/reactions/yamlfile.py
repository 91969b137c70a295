"""Read the project's YAML files (codebook, story, schedule) the one safe way.

Safe loading only (no Python objects), dates kept as text (our own checks report bad dates),
and every read problem turned into a located Problem of the caller's error class.

The cost of a read is bounded: only a regular file inside its own folder is read (never a FIFO,
a device or a symlink out of the folder), at most MAX_YAML_BYTES of it; a node tree nested
deeper than MAX_DEPTH, using more than MAX_ALIASES aliases, or whose aliases expand to more
than MAX_ALIAS_EXPANSION nodes (a "billion laughs") is refused before anyone walks it. Mapping
keys must be plain scalars, and the whole document must construct (tags, merge keys), so that
`construct` never raises on a tree `compose` returned.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from reactions.errors import InputError, Problem

# A codebook or a story is a few kilobytes; pure-Python YAML reads ~0.1 MB/s at worst.
MAX_YAML_BYTES = 128_000
MAX_ALIASES = 100
MAX_ALIAS_EXPANSION = 10_000  # nodes that aliases may add when the tree is walked
MAX_DEPTH = 64
MAX_VALUE_CHARS = 80  # of a value shown in an error: never echo a file's content


class TextDatesLoader(yaml.SafeLoader):
    """SafeLoader whose dates stay text, so that an impossible date is reported by our check."""


def _timestamp_as_text(loader: TextDatesLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


TextDatesLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def shown(value: object) -> str:
    """A value as an error shows it: at most MAX_VALUE_CHARS characters of it."""
    if isinstance(value, yaml.ScalarNode):
        value = value.value
    elif isinstance(value, yaml.SequenceNode):
        value = "a list"
    elif isinstance(value, yaml.MappingNode):
        value = "a mapping"
    text = value if isinstance(value, str) else repr(value)[: MAX_VALUE_CHARS * 4]
    if len(text) > MAX_VALUE_CHARS:
        return f"{text[: MAX_VALUE_CHARS - 3]}..."
    return text


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def file_problem(path: Path, max_bytes: int, folder: Path | None = None) -> Problem | None:
    """Why a path cannot be read as a data file, or None: it must be a regular file (not a FIFO,
    device or folder), inside its folder once symlinks are followed, and at most max_bytes."""
    name = path.name
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Problem(name, None, None, shown(str(path)), "file is missing")
    except OSError as error:
        return Problem(name, None, None, shown(error.strerror or str(error)), "cannot be read")
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO, device or socket"
        return Problem(name, None, None, shown(str(path)), f"must be a regular file, not {kind}")
    folder = (folder or path.parent).resolve()
    target = path.resolve()
    if not target.is_relative_to(folder):
        return Problem(
            name, None, None, shown(str(target)), "must be a regular file inside the dataset folder"
        )
    if info.st_size > max_bytes:
        return Problem(
            name,
            None,
            None,
            f"{info.st_size:,} bytes",
            f"file is too large: at most {max_bytes:,} bytes",
        )
    return _unreadable(path)


def _unreadable(path: Path) -> Problem | None:
    """Why a regular file cannot be opened for reading (a permission, most often), or None:
    found here, so that no reader meets it as a traceback (or a notebook as a failed run)."""
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    except OSError as error:
        reason = (error.strerror or type(error).__name__).lower()
        return Problem(path.name, None, None, shown(str(path)), f"file cannot be read ({reason})")
    return None


def read_text(path: Path, error: type[InputError]) -> str:
    """The file's text (UTF-8, a byte-order mark allowed), or the error naming the file."""
    name = path.name
    problem = file_problem(path, MAX_YAML_BYTES)
    if problem is not None:
        raise error([problem])
    try:
        raw = path.read_bytes()[: MAX_YAML_BYTES + 1]
    except OSError as failure:
        raise error([Problem(name, None, None, shown(str(failure)), "cannot be read")]) from None
    if len(raw) > MAX_YAML_BYTES:  # grew since it was looked at
        raise error(
            [Problem(name, None, None, "", f"file is too large: at most {MAX_YAML_BYTES:,} bytes")]
        )
    if raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"):
        raise error([Problem(name, 1, None, "", "file starts with two byte-order marks")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as undecodable:
        bad = repr(undecodable.object[undecodable.start : undecodable.end])
        line = raw.count(b"\n", 0, undecodable.start) + 1
        raise error([Problem(name, line, None, bad, "file must be UTF-8")]) from None


def compose(path: Path, error: type[InputError]) -> yaml.Node | None:
    """The file's YAML node tree (with line marks), or the error with the line of the fault."""
    return compose_text(read_text(path, error), path.name, error)


def compose_text(text: str, name: str, error: type[InputError]) -> yaml.Node | None:
    """YAML text's node tree, bounded as a file's is (size, nesting, aliases, keys, tags), or
    the error naming `name` (a file, or `-y` for a command line's parameters)."""
    if len(text) > MAX_YAML_BYTES:
        raise error(
            [Problem(name, None, None, "", f"YAML is too large: at most {MAX_YAML_BYTES:,} bytes")]
        )
    try:
        root = yaml.compose(text, Loader=TextDatesLoader)
    except yaml.YAMLError as problem:
        raise error([_invalid(name, problem)]) from None
    except RecursionError:
        raise error(
            [Problem(name, None, None, "", f"YAML is nested too deeply (at most {MAX_DEPTH})")]
        ) from None
    if root is None:
        return None
    problems = tree_problems(root, name)
    if not problems:
        try:
            construct(root)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as problem:
            problems.append(_invalid(name, problem))
    if problems:
        raise error(problems)
    return root


def _invalid(name: str, problem: Exception) -> Problem:
    """A YAML read error, at its line when the reader knows it."""
    mark = getattr(problem, "problem_mark", None)
    return Problem(
        name,
        mark.line + 1 if mark else None,
        None,
        shown(str(getattr(problem, "problem", None) or problem)),
        "file must be valid YAML",
    )


def tree_problems(root: yaml.Node, name: str) -> list[Problem]:
    """Refuse a tree that is costly or ambiguous to walk: deep nesting, recursive aliases, too
    many aliases or too large an expansion, mapping keys that are not plain scalars."""
    problems: list[Problem] = []
    sizes: dict[int, int] = {}  # id(node) -> nodes in its expansion
    aliases = 0
    unique = 0
    on_path: set[int] = set()
    # Iterative depth-first walk: (node, depth, children done?)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            continue
        if key in sizes:
            aliases += 1
            if aliases > MAX_ALIASES:
                return [
                    Problem(
                        name,
                        line_of(node),
                        None,
                        f"{aliases} aliases",
                        f"at most {MAX_ALIASES} aliases (*name) are allowed",
                    )
                ]
            continue
        if key in on_path:
            return [Problem(name, line_of(node), None, "", "an alias must not refer to itself")]
        if depth > MAX_DEPTH:
            return [
                Problem(
                    name,
                    line_of(node),
                    None,
                    "",
                    f"YAML is nested too deeply (at most {MAX_DEPTH})",
                )
            ]
        unique += 1
        on_path.add(key)
        stack.append((node, depth, True))
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    problems.append(
                        Problem(
                            name,
                            line_of(key_node),
                            None,
                            shown(key_node),
                            "a key must be plain text, not a list or mapping",
                        )
                    )
                elif key_node.tag == "tag:yaml.org,2002:merge":
                    problems.append(
                        Problem(
                            name, line_of(key_node), None, "<<", "merge keys (<<) are not allowed"
                        )
                    )
        for child in _children(node):
            if id(child) in on_path:
                return [
                    Problem(name, line_of(child), None, "", "an alias must not refer to itself")
                ]
            stack.append((child, depth + 1, False))
    expansion = sizes[id(root)] - unique
    if expansion > MAX_ALIAS_EXPANSION:
        problems.append(
            Problem(
                name,
                None,
                None,
                f"{expansion:,} nodes",
                f"aliases may expand to at most {MAX_ALIAS_EXPANSION:,} nodes",
            )
        )
    return problems


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def construct(node: yaml.Node) -> Any:
    """The plain Python value of a node (mappings, lists, text, numbers, booleans)."""
    return TextDatesLoader("").construct_document(node)


def mapping_items(node: yaml.Node) -> list[tuple[str, int, yaml.Node]]:
    """A mapping node's entries as (key, line, value node); keys that are not text become text."""
    if not isinstance(node, yaml.MappingNode):
        return []
    return [
        (str(key.value) if isinstance(key, yaml.ScalarNode) else shown(key), line_of(key), value)
        for key, value in node.value
    ]
