"""What a render needs to check its parameters: issue and group codes, actor ids and names.

Read without pandas, so that a render can refuse a bad actor or date in a fraction of a second,
before any kernel starts; the notebook validates the whole dataset when it loads it.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from reactions.codebook import MAX_LABEL_CHARS, NAME_FORBIDDEN, Codebook, load_codebook
from reactions.errors import Problem
from reactions.provenance import DATA_FILES
from reactions.story import Story, load_story
from reactions.yamlfile import file_problem

# Ids become file names: no dots, no slashes. Always matched in full (fullmatch), never with
# `match` or `$` (which lets a trailing line end through).
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
QUICK_MAX_BYTES = 50_000_000  # beyond this, the full validation reads the file


@dataclass(frozen=True)
class Reference:
    codebook: Codebook
    actor_names: dict[str, str]  # actor_id -> name
    story: Story
    latest_date: str  # of the latest statement: the neutral default as-of date

    def actor_name(self, actor_id: str) -> str:
        return self.actor_names[actor_id]


def unreadable_data(data_dir: Path | str) -> list[Problem]:
    """Why each data file a page reads (provenance.DATA_FILES) that is there cannot be read: not
    a regular file, outside the folder, or not readable (a permission). Each is a stat and an
    open, so a render checks them all before any kernel starts; the files' sizes and contents
    are the full validation's (dataset.load_dataset) and the notebook's."""
    data_dir = Path(data_dir)
    problems = []
    for name in DATA_FILES:
        path = data_dir / name
        if path.exists() or path.is_symlink():  # a missing file is the full validation's
            problem = file_problem(path, sys.maxsize, data_dir)
            if problem is not None:
                problems.append(problem)
    return problems


def quick_reference(data_dir: Path | str) -> Reference | None:
    """Codebook and actor names, or None when actors.csv does not read cleanly or a data file a
    page reads cannot be read (`unreadable_data`): then the caller runs the full validation
    (dataset.load_dataset), which reports every problem with its line."""
    data_dir = Path(data_dir)
    codebook = load_codebook(data_dir / "codebook.yml")
    if (
        file_problem(data_dir / "actors.csv", QUICK_MAX_BYTES, data_dir) is not None
        or file_problem(data_dir / "statements.csv", sys.maxsize, data_dir) is not None
        or unreadable_data(data_dir)
    ):
        return None  # missing, not a regular file, unreadable or large: the full validation
    try:
        with (data_dir / "actors.csv").open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream, strict=True))
        names = {row["actor_id"].strip(): row["name"].strip() for row in rows}
        if (
            not rows
            or len(names) != len(rows)
            or not all(names.values())
            or any(
                len(name) > MAX_LABEL_CHARS or NAME_FORBIDDEN.search(name)
                for name in names.values()
            )
            or not all(ID_PATTERN.fullmatch(actor_id) for actor_id in names)
        ):
            raise ValueError("incomplete actors")
        story = load_story(data_dir, codebook, set(names))
        latest = "" if story.default_as_of else _latest_date(data_dir / "statements.csv")
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, AttributeError, ValueError):
        return None
    return Reference(codebook, names, story, latest)


def _latest_date(path: Path) -> str:
    """The latest well-formed statement date, read only when the story names no default: the
    date column alone, by Arrow (a 1 GB file in about a second, without holding the rest)."""
    import pyarrow
    import pyarrow.compute as compute
    import pyarrow.csv as arrow_csv

    try:
        dates = arrow_csv.read_csv(
            path,
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                include_columns=["date"], column_types={"date": pyarrow.string()}
            ),
        ).column("date")
    except (pyarrow.ArrowInvalid, KeyError) as error:
        raise ValueError("statements.csv is not plain CSV: the full validation reads it") from error
    trimmed = compute.utf8_trim_whitespace(dates)
    valid = trimmed.filter(compute.match_substring_regex(trimmed, f"^{DATE_PATTERN.pattern}$"))
    latest = compute.max(valid).as_py()
    if not latest:
        raise ValueError("no dated statement")
    return str(latest)
