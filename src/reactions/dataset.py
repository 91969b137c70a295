"""The dataset loaded: every file read, checked against the contract, typed into frames.

`load_dataset` reads the codebook, the contract's CSV files (`reactions.read`) and the story,
applies the contract's rules (`reactions.contract`) and raises one DatasetError listing every
problem found (the first MAX_PROBLEMS, then how many more); a valid dataset becomes a `Dataset`
of typed frames. A file that cannot be read is reported alone: the rules of the other files that
need it (an actor_id of actors.csv, a code of codebook.yml) are skipped rather than failing on
every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as arrow

from reactions.categories import filled_text, uncoded
from reactions.codebook import Codebook, load_codebook
from reactions.contract import (
    ACTOR_COLUMNS,
    DATASET_FILES,
    EVENT_COLUMNS,
    FILE_COLUMNS,
    OPTIONAL_FILES,
    ROWS_REQUIRED,
    STATEMENT_COLUMNS,
    VOTE_COLUMNS,
    capped,
    file_rules,
    schema_problems,
    votes_of_record_problems,
)
from reactions.errors import DatasetError, Problem
from reactions.read import Table, checked_table
from reactions.reference import Reference
from reactions.story import Story, load_story
from reactions.yamlfile import shown


@dataclass(frozen=True)
class Dataset:
    """Validated frames: dates are timestamps, missing optional text is ''.

    In `statements` a column of repeated values (at most one distinct value per two rows: actor,
    issue, stance, ...) is a categorical with sorted categories, so that millions of rows stay
    small; sorting, comparing, `isin` and grouping (observed=True) work as on text. Read rows
    through `compare.statements_as_of`, or `categories.as_text` on the rows chosen: text columns."""

    codebook: Codebook
    story: Story
    actors: pd.DataFrame
    statements: pd.DataFrame
    events: pd.DataFrame
    votes: pd.DataFrame
    folder: Path  # where it was read from: files beside the contract's (blind_coding.csv)

    @property
    def reference(self) -> Reference:
        return Reference(self.codebook, self.actor_names, self.story, self.latest_date)

    @property
    def latest_date(self) -> str:
        """The date of the latest statement: the neutral default for a page's as-of date."""
        return f"{self.statements['date'].max():%Y-%m-%d}"

    @property
    def actor_names(self) -> dict[str, str]:
        return dict(zip(self.actors["actor_id"], self.actors["name"], strict=True))

    def actor_name(self, actor_id: str) -> str:
        return self.actor_names[actor_id]


def english_quotes(statements: pd.DataFrame) -> pd.Series:
    """Each statement's words in English: the translation, or the quote when it is English."""
    translation, quote = uncoded(statements["quote_en"]), uncoded(statements["quote"])
    return translation.where(translation != "", quote)


def load_dataset(data_dir: Path | str, copies: bool = True) -> Dataset:
    """Read and validate the whole dataset; raise DatasetError listing every problem found.

    votes.csv is optional (a dataset without recorded votes still loads); the others are required.
    A file that cannot be read is reported alone: the rules of the other files that need it (an
    actor_id of actors.csv, a code of codebook.yml) are skipped rather than failing on every row.
    `copies=False` reads every CSV itself, never its columnar copy (what `validate` checks).
    """
    data_dir = _folder(data_dir)
    codebook, problems = _codebook(data_dir)
    tables, found = _read_files(data_dir, copies)
    problems += found
    actor_ids = _actor_ids(tables["actors"])
    problems += _rule_problems(tables, codebook, actor_ids)
    story, found = _story(data_dir, codebook, actor_ids, tables["votes"])
    problems += found
    read = {name: table for name, table in tables.items() if table is not None}
    if problems or story is None or codebook is None or read.keys() != tables.keys():
        raise DatasetError(capped(problems))
    dataset = Dataset(
        codebook=codebook,
        story=story,
        statements=_typed(
            read["statements"].frame, STATEMENT_COLUMNS, ("date", "source_date"), categories=True
        ),
        actors=_typed(read["actors"].frame, ACTOR_COLUMNS, ()),
        events=_typed(read["events"].frame, EVENT_COLUMNS, ("date",)),
        votes=_typed(read["votes"].frame, VOTE_COLUMNS, ("date",)),
        folder=data_dir.resolve(),
    )
    del tables, read
    arrow.default_memory_pool().release_unused()  # the raw columns' memory, back to the system
    return dataset


def _folder(data_dir: Path | str) -> Path:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        problem = Problem(
            data_dir.name or str(data_dir),
            None,
            None,
            shown(str(data_dir)),
            "the dataset must be a folder",
        )
        raise DatasetError([problem])
    return data_dir


def _codebook(data_dir: Path) -> tuple[Codebook | None, list[Problem]]:
    try:
        return load_codebook(data_dir / "codebook.yml"), []
    except DatasetError as error:
        return None, error.problems


def _read_files(data_dir: Path, copies: bool) -> tuple[dict[str, Table | None], list[Problem]]:
    """Each CSV file of the contract (None: it cannot be read) and the problems of every file
    (structure, characters, lengths, rows); an optional file that is absent, empty."""
    tables: dict[str, Table | None] = {}
    problems: list[Problem] = []
    for name in DATASET_FILES:
        path = data_dir / f"{name}.csv"
        if name in OPTIONAL_FILES and not path.exists() and not path.is_symlink():
            tables[name] = Table(path.name, pd.DataFrame(columns=list(FILE_COLUMNS[name])), path)
            continue
        tables[name], found = checked_table(
            path, data_dir, copies, needs_rows=name in ROWS_REQUIRED
        )
        problems += found
    return tables, problems


def _actor_ids(actors: Table | None) -> set[str] | None:
    """The actor ids of actors.csv; None when it cannot be read (the rules that need them are
    skipped)."""
    if actors is None or "actor_id" not in actors.frame:
        return None
    return set(actors.frame["actor_id"].dropna())


def _rule_problems(
    tables: dict[str, Table | None], codebook: Codebook | None, actor_ids: set[str] | None
) -> list[Problem]:
    """The contract's rules of every value and row, on every file that could be read."""
    rules = file_rules(codebook, actor_ids)
    return [
        problem
        for name, table in tables.items()
        if table is not None
        for problem in schema_problems(table, *rules[name])
    ]


def _story(
    data_dir: Path, codebook: Codebook | None, actor_ids: set[str] | None, votes: Table | None
) -> tuple[Story | None, list[Problem]]:
    """story.yml, read when the codebook and actors.csv could be (it is checked against them),
    and its votes of record checked against votes.csv."""
    if codebook is None or actor_ids is None:
        return None, []
    try:
        story = load_story(data_dir, codebook, actor_ids)
    except DatasetError as error:
        return None, error.problems
    return story, [] if votes is None else votes_of_record_problems(story, votes.frame)


def _dates(values: pd.Series) -> pd.Series:
    """Validated YYYY-MM-DD texts as timestamps, each distinct text parsed once: parsing every
    row made a Python string of each (0.8 GB at 5M statements) for a few hundred dates."""
    codes, distinct = pd.factorize(values)
    parsed = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m-%d").to_numpy()
    with_missing = np.append(parsed, np.array(["NaT"], dtype=parsed.dtype))  # code -1: missing
    return pd.Series(with_missing[codes], index=values.index)


def _typed(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    date_columns: tuple[str, ...],
    categories: bool = False,
) -> pd.DataFrame:
    """Contract columns first (optional ones added empty), extra columns kept after them, missing
    text ''. Repeated columns stay categoricals where `categories` (the statements, which can
    be millions), else become text like the others. A column at a time: no copy of the frame."""
    typed = {}
    for column in (*columns, *(column for column in frame.columns if column not in columns)):
        if column not in frame:
            typed[column] = pd.Series("", index=frame.index, dtype="str")
        elif column in date_columns:
            typed[column] = _dates(frame[column])
        else:
            typed[column] = filled_text(frame[column], categories)
    return pd.DataFrame(typed, copy=False).reset_index(drop=True)
