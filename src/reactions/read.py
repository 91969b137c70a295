"""A dataset's CSV file read into a table of text, every structural problem located.

One reader, one truth. The strict csv-module reader (`read_table(path, strict=True)`) defines
what a valid CSV file is: UTF-8, one header row, the same number of fields on every row, quotes
only around whole fields (`"Justin" Trudeau` is refused, never read as `Justin Trudeau`). Arrow
reads well-formed files fast; it is trusted only after a scan of the quote characters proves it
reads the file exactly as the strict reader would (`scan.scan_bytes`); any other file is read
again by the strict reader, which reports every structural problem with its line. A fresh
columnar copy of the file (`columnar`) is read in place of either. Every path finishes the same
way (`_finish`: values trimmed, blank rows dropped, empty values missing, columns of repeated
values held as categoricals), so they return the same frame; tests/test_reader.py checks this
on generated files.

Problems are located by the line a person sees in an editor (quoted fields may span lines),
found only when there is a problem to report (`scan.record_lines`).

Cost is bounded before anything is parsed: only regular files inside the dataset folder are read
(no FIFO, device, folder or symlink out of it), at most MAX_CSV_BYTES each, a header of at most
MAX_COLUMNS columns within MAX_HEADER_BYTES, at most MAX_ROWS rows, fields of at most
MAX_FIELD_CHARS characters and names of at most MAX_NAME_CHARS (the limits are the contract's).
A header's column names must be non-empty: trailing empty columns (a spreadsheet's stray
commas) are refused as "empty column name", not guessed away. No text field may hold control or
line-separator characters (they break the charts' JavaScript); tab and line ends are allowed in
the long texts only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as compute
import pyarrow.csv as arrow_csv

from reactions import categories, columnar
from reactions.contract import (
    CONTROL_RULE,
    MAX_COLUMNS,
    MAX_CSV_BYTES,
    MAX_FIELD_CHARS,
    MAX_NAME_CHARS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MORE_RULE,
    NAME_COLUMNS,
    SHORT_COLUMNS,
    SHORT_FORBIDDEN,
    TEXT_FORBIDDEN,
)
from reactions.errors import DatasetError, Problem
from reactions.scan import (
    bounded_header,
    csv_reader,
    first_record,
    header_problems,
    record_lines,
    scan_bytes,
)
from reactions.yamlfile import file_problem, shown

CODED = arrow.dictionary(arrow.int32(), categories.TEXT)  # how Arrow gives text: codes per chunk


@dataclass
class Table:
    """A CSV file as strings; each record's first line in the file is found when needed.

    `faults` holds what the reader found in the values (control characters, overlong fields)
    as (row index, column, value, rule), reported with the file's other problems."""

    name: str
    frame: pd.DataFrame
    path: Path
    lines: pd.Series | None = None
    faults: list[tuple[object, str, str, str]] = field(default_factory=list)

    def line_of(self, index: object) -> int | None:
        if index is None or (isinstance(index, float) and pd.isna(index)):
            return 1  # a problem of the whole file is shown at its header line
        if self.lines is None:
            self.lines = record_lines(self.path)
        return int(self.lines.loc[cast(int, index)])  # row labels are record positions


def read_table(
    path: Path, strict: bool = False, folder: Path | None = None, copies: bool = True
) -> Table:
    """Read a CSV file strictly: UTF-8, a header row, the same number of fields on every row.

    Arrow's CSV reader reads well-formed files fast; a file it refuses, or one whose quoting it
    might read otherwise than the strict reader, is read again by the strict reader, which reports
    every structural problem with its line (`strict=True` skips Arrow). A fresh columnar copy of
    the file (see `columnar`) is read in its place unless `copies` is False; its problems then
    name the copy (`NAME.parquet`), at the line its row has in the CSV. A UTF-8 byte-order mark
    and CRLF line ends are accepted (spreadsheets write them); nothing is ever written back.
    `folder` is the dataset folder the file must stay inside (default: its parent).
    """
    problem = file_problem(path, MAX_CSV_BYTES, folder)
    if problem is not None:
        raise DatasetError([problem])
    return _finish(path, *read_raw(path, strict, copies))


# A file's values as a reader gives them, before _finish: column names, columns, the line of
# each row (None: found from the file when a problem needs it), whether to look for forbidden
# characters (the fast scan may have proved there are none), the name of the file the values
# came from (the CSV's, or its columnar copy's: problems name the file holding the value).
Raw = tuple[list[str], list[arrow.ChunkedArray], pd.Series | None, bool, str]


def read_raw(path: Path, strict: bool, copies: bool = True) -> Raw:
    header = bounded_header(path)
    if strict or header is None or header_problems(path.name, header):
        return _read_strictly(path)
    names = [name.strip() for name in header]
    copy = columnar.read_fresh_copy(path, len(header)) if copies else None
    if copy is not None:
        if copy.num_rows > MAX_ROWS:
            raise DatasetError([_too_many_rows(columnar.copy_of(path).name, copy.num_rows)])
        columns = copy.columns
        del copy
        return names, columns, None, True, columnar.copy_of(path).name  # checked as the CSV
    try:
        table = arrow_csv.read_csv(
            path,
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(header, CODED),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (arrow.ArrowInvalid, UnicodeDecodeError):
        return _read_strictly(path)
    if table.num_rows > MAX_ROWS:
        raise DatasetError([_too_many_rows(path.name, table.num_rows)])
    suspect = scan_bytes(path) if table.column_names == header else None
    if suspect is None:
        return _read_strictly(path)
    columns = table.columns
    del table  # _finish replaces the columns one by one: nothing else may hold the raw ones
    return names, columns, None, suspect, path.name


def _too_many_rows(name: str, rows: int) -> Problem:
    return Problem(name, None, None, f"{rows:,} rows", f"a file may hold at most {MAX_ROWS:,} rows")


def _read_strictly(path: Path) -> Raw:
    name = path.name
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"):
        raise DatasetError([Problem(name, 1, None, "", "file starts with two byte-order marks")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        bad = repr(raw[error.start : error.end])
        raise DatasetError([Problem(name, line, None, bad, "file must be UTF-8")]) from None
    del raw
    if not text.strip():
        raise DatasetError([Problem(name, 1, None, "", "file is empty: a header row is required")])
    reader = csv_reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    header: list[str] = []
    columns: list[list[str]] = []
    lines: list[int] = []
    unlisted = 0
    try:
        header = [column.strip() for column in first_record(reader)]
        problems += header_problems(name, header)
        if len(header) > MAX_COLUMNS:
            raise DatasetError(problems)
        columns = [[] for _ in header]
        start = reader.line_num + 1
        for record in reader:
            if not any(field.strip() for field in record):
                start = reader.line_num + 1
                continue  # blank lines carry nothing
            if len(record) != len(header):
                if len(problems) < MAX_PROBLEMS:
                    problems.append(
                        Problem(
                            name,
                            start,
                            None,
                            shown(",".join(record[: MAX_COLUMNS + 1])),
                            f"row has {len(record)} fields, the header has {len(header)}",
                        )
                    )
                else:
                    unlisted += 1
            elif len(lines) >= MAX_ROWS:
                raise DatasetError([*problems, _too_many_rows(name, len(lines) + 1)])
            else:
                for values, value in zip(columns, record, strict=True):
                    values.append(value)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(name, reader.line_num, None, "", f"malformed CSV: {error}"))
    if unlisted:
        problems.append(Problem(name, None, None, str(unlisted), MORE_RULE))
    if problems:
        raise DatasetError(problems)
    arrays = [
        arrow.chunked_array([arrow.array(values, type=categories.TEXT)]) for values in columns
    ]
    del columns
    return header, arrays, pd.Series(lines, dtype=int), True, path.name


def _finish(
    path: Path,
    names: list[str],
    columns: list[arrow.ChunkedArray],
    lines: pd.Series | None,
    check_characters: bool,
    source: str,
) -> Table:
    """Both readers end here: values trimmed, blank rows dropped, empty values missing, and the
    values' own faults (control characters, overlong fields and names) found with Arrow, once
    per distinct value. Repeated columns become categoricals (see `categories.Coded.array`), decided
    here for every reader and copy alike.

    `columns` is emptied a column at a time, so that a large file is never held twice: the
    caller hands over its only references.
    """
    coded = []
    while columns:
        coded.append(categories.coded(columns.pop(0)))
        arrow.default_memory_pool().release_unused()  # the column as read: its memory is free
    rows = len(coded[0].codes) if coded else 0
    keep = np.zeros(rows, dtype=bool)
    for column in coded:
        keep |= column.codes >= 0
    positions = np.flatnonzero(keep)
    if len(positions) < rows:
        coded = [column.rows(positions) for column in coded]
    index = pd.Index(positions)
    if lines is not None:
        lines = pd.Series(lines.to_numpy()[positions], index=index, dtype=int)
    faults: list[tuple[object, str, str, str]] = [
        (index[row], name, value, rule)
        for name, column in zip(names, coded, strict=True)
        for row, value, rule in _faults(column, name, check_characters)
    ]
    arrays = {}
    for name in names:  # a column at a time: one column's text, at most, is made at once
        arrays[name] = coded.pop(0).array()
    frame = pd.DataFrame(arrays, index=index, copy=False)
    return Table(source, frame, path, lines, faults)


def _faults(
    column: categories.Coded, name: str, check_characters: bool
) -> Iterator[tuple[int, str, str]]:
    """Rows whose value breaks a rule of every value (row position, value shown, rule)."""
    values = column.values
    lengths = compute.utf8_length(values)
    longest = compute.max(lengths).as_py() or 0
    checks: list[tuple[Callable[[], Any], str]] = []
    if check_characters:
        forbidden = SHORT_FORBIDDEN if name in SHORT_COLUMNS else TEXT_FORBIDDEN
        checks.append((lambda: compute.match_substring_regex(values, forbidden), CONTROL_RULE))
    if longest > MAX_FIELD_CHARS:
        checks.append(
            (
                lambda: compute.greater(lengths, MAX_FIELD_CHARS),
                f"a field may hold at most {MAX_FIELD_CHARS} characters",
            )
        )
    if name in NAME_COLUMNS and longest > MAX_NAME_CHARS:
        checks.append(
            (
                lambda: compute.greater(lengths, MAX_NAME_CHARS),
                f"a name may hold at most {MAX_NAME_CHARS} characters",
            )
        )
    for test, rule in checks:
        broken = np.flatnonzero(compute.fill_null(test(), False).to_numpy(zero_copy_only=False))
        if not len(broken):
            continue
        for row in np.flatnonzero(np.isin(column.codes, broken)):
            value = values[int(column.codes[row])].as_py()
            if len(value) > MAX_NAME_CHARS:
                value = f"{value[:40]}... ({len(value)} characters)"
            yield int(row), value, rule


def checked_table(
    path: Path, folder: Path, copies: bool = True, needs_rows: bool = False
) -> tuple[Table | None, list[Problem]]:
    """A file read and checked by the rules of every file, with every problem found: (None, its
    problems) when it cannot be read as a CSV file; else the table and its shape's problems."""
    try:
        table = read_table(path, folder=folder, copies=copies)
    except DatasetError as error:
        return None, error.problems
    return table, _shape_problems(table, needs_rows)


def _shape_problems(table: Table, needs_rows: bool) -> list[Problem]:
    """Rules of every file: rows present where they must be; the values' faults the reader
    found (control characters, runaway fields, overlong names)."""
    problems = []
    if needs_rows and table.frame.empty:
        problems.append(Problem(table.name, 1, None, "", "the file has a header but no rows"))
    for number, (index, column, value, rule) in enumerate(table.faults):
        if number >= MAX_PROBLEMS:
            problems.append(
                Problem(table.name, None, None, str(len(table.faults) - number), MORE_RULE)
            )
            break
        problems.append(Problem(table.name, table.line_of(index), column, shown(value), rule))
    return problems


def optional_table(path: Path, folder: Path) -> tuple[Table | None, list[Problem]]:
    """An optional CSV file beside the contract's (blind_coding.csv), read and checked by the
    rules of every file (readable, structure, characters, lengths); (None, []) when absent."""
    if not path.exists() and not path.is_symlink():
        return None, []
    return checked_table(path, folder)
