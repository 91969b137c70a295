"""Load the dataset's files and validate them against the contract (../shared/data-contract.md).

One reader, one truth. The strict csv-module reader (`read_table(path, strict=True)`) defines
what a valid CSV file is: UTF-8, one header row, the same number of fields on every row, quotes
only around whole fields (`"Justin" Trudeau` is refused, never read as `Justin Trudeau`). Arrow
reads well-formed files fast; it is trusted only after a scan of the quote characters proves it
reads the file exactly as the strict reader would (see `_scan`); any other file is read
again by the strict reader, which reports every structural problem with its line. Both paths
finish the same way (`_finish`: values trimmed, blank rows dropped, empty values missing,
columns of repeated values held as categoricals), so they return the same frame;
tests/test_reader.py checks this on generated files.

Problems are located by the line a person sees in an editor (quoted fields may span lines),
found only when there is a problem to report. pandera then checks every rule on every row,
lazily, so that one run lists all problems (the first MAX_PROBLEMS, then how many more).

Cost is bounded before anything is parsed: only regular files inside the dataset folder are read
(no FIFO, device, folder or symlink out of it), at most MAX_CSV_BYTES each, a header of at most
MAX_COLUMNS columns within MAX_HEADER_BYTES, at most MAX_ROWS rows, fields of at most
MAX_FIELD_CHARS characters and names of at most MAX_NAME_CHARS. A header's column names must
be non-empty: trailing empty columns (a spreadsheet's stray commas) are refused as "empty column
name", not guessed away. No text field may hold control or line-separator characters (they
break the charts' JavaScript); tab and line ends are allowed in the long texts only.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as compute
import pyarrow.csv as arrow_csv
import pycountry

from reactions import columnar
from reactions.codebook import Codebook, load_codebook
from reactions.errors import DatasetError, Problem
from reactions.reference import ID_PATTERN, Reference
from reactions.story import STORY_FILE, Story, load_story
from reactions.yamlfile import file_problem, shown

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
MAX_FIELD_CHARS = 20_000  # a long speech fits; a runaway quote or a pasted file does not
MAX_NAME_CHARS = 200  # an actor's name is drawn on charts
MAX_COLUMNS = 100
MAX_ROWS = 5_000_000
TEXT = arrow.large_string()  # pandas' own string storage: frames take the columns without a copy
CODED = arrow.dictionary(arrow.int32(), TEXT)  # how the readers give text: codes per chunk
MAX_CSV_BYTES = 2_000_000_000
MAX_HEADER_BYTES = 65_536
MAX_PROBLEMS = 1_000  # listed; the rest are counted
DATE_PRECISIONS = ("day", "week", "month")
ACTOR_KINDS = ("state", "unrecognized_state", "organization", "group")

STATEMENT_COLUMNS = (
    "statement_id",
    "date",
    "date_precision",
    "actor_id",
    "speaker",
    "speaker_role",
    "occasion",
    "issue",
    "stance",
    "quote",
    "quote_language",
    "quote_en",
    "spoken_language",
    "translated_by",
    "source_title",
    "source_date",
    "source_url",
    "publisher",
    "coder",
    "notes",
    "source_kind",
    "via_url",
    "excerpt",
    "excerpt_en",
    "supersedes",
)
DATASET_FILES = ("actors", "statements", "events", "votes")  # NAME.csv; votes is optional
ACTOR_COLUMNS = ("actor_id", "name", "kind", "iso3", "group", "memberships", "region")
EVENT_COLUMNS = (
    "event_id",
    "date",
    "title",
    "description",
    "source_title",
    "source_url",
    "resolution",  # optional: the vote of votes.csv this event is
)
VOTE_COLUMNS = (
    "resolution",
    "date",
    "actor_id",
    "iso3",
    "vote",
    "source_title",
    "source_url",
    "source_kind",
    "via_url",
)
# What kind of publisher `source_url` is: primary sources first, a mirror only as what was read.
SOURCE_KINDS = ("official", "news_agency", "outlet", "aggregator", "forum")
VOTES = ("yes", "no", "abstain", "absent")
TRANSLATORS = ("source", "coder")  # who made the English a brief shows
NAME_COLUMNS = ("name",)  # held to MAX_NAME_CHARS
# Short fields allow no control character at all; these longer texts allow tab and line ends.
# (Columns beyond the contract count as long texts.)
SHORT_COLUMNS = frozenset(
    set(STATEMENT_COLUMNS + ACTOR_COLUMNS + EVENT_COLUMNS + VOTE_COLUMNS)
    - {"quote", "quote_en", "notes", "description", "occasion", "excerpt", "excerpt_en"}
)
# RE2 (Arrow) spelling of codebook.NAME_FORBIDDEN and codebook.TEXT_FORBIDDEN.
SHORT_FORBIDDEN = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
TEXT_FORBIDDEN = r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
CONTROL_RULE = "must not contain control or line-separator characters"
MORE_RULE = "more problems, not listed"

# pandera's names for its built-in checks, as an analyst would read them.
BUILTIN_RULES = {
    "not_nullable": "a value is required",
    "column_in_dataframe": "required column is missing",
}


@dataclass(frozen=True)
class Dataset:
    """Validated frames: dates are timestamps, missing optional text is ''.

    In `statements` a column of repeated values (at most one distinct value per two rows: actor,
    issue, stance, ...) is a categorical with sorted categories, so that millions of rows stay
    small; sorting, comparing, `isin` and grouping (observed=True) work as on text. Read rows
    through `compare.statements_as_of`, or `as_text` on the rows chosen: text columns."""

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
    translation, quote = _uncoded(statements["quote_en"]), _uncoded(statements["quote"])
    return translation.where(translation != "", quote)


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
            self.lines = _record_lines(self.path)
        return int(self.lines.loc[cast(int, index)])  # row labels are record positions


def _csv_reader(lines: Iterator[str]) -> CsvReader:
    """The one way this module reads CSV: strict quoting, and fields long enough that an overlong
    one is reported by its rule (MAX_FIELD_CHARS) instead of breaking the reader."""
    csv.field_size_limit(max(csv.field_size_limit(), 2**24))
    return csv.reader(lines, strict=True)


def _record_lines(path: Path) -> pd.Series:
    """The first line of every record (blank lines skipped), counting quoted newlines."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = _csv_reader(stream)
        _header(reader)
        lines, start = [], reader.line_num + 1
        for record in reader:
            if record:
                lines.append(start)
            start = reader.line_num + 1
    return pd.Series(lines, dtype=int)


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
    return _finish(path, *_raw(path, strict, copies))


# A file's values as a reader gives them, before _finish: column names, columns, the line of
# each row (None: found from the file when a problem needs it), whether to look for forbidden
# characters (the fast scan may have proved there are none), the name of the file the values
# came from (the CSV's, or its columnar copy's: problems name the file holding the value).
Raw = tuple[list[str], list[arrow.ChunkedArray], pd.Series | None, bool, str]


def _raw(path: Path, strict: bool, copies: bool = True) -> Raw:
    header = _bounded_header(path)
    if strict or header is None or _header_problems(path.name, header):
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
    suspect = _scan(path) if table.column_names == header else None
    if suspect is None:
        return _read_strictly(path)
    columns = table.columns
    del table  # _finish replaces the columns one by one: nothing else may hold the raw ones
    return names, columns, None, suspect, path.name


def write_columnar_copies(data_dir: Path) -> list[Path]:
    """A columnar copy of each CSV file of a dataset (call it on a valid one); the copies
    written. A fresh copy is kept. A file only the strict reader reads (its rows are located
    as it found them) gets none: it stays small; nor does one edited while it was read."""
    written = []
    for name in DATASET_FILES:
        path = data_dir / f"{name}.csv"
        if not path.is_file() or columnar.is_fresh(path):
            continue
        source = columnar.digest(path)
        names, columns, lines, check_characters, _ = _raw(path, strict=False, copies=False)
        if lines is not None or columnar.digest(path) != source:  # or edited while read
            continue
        stored = [_stored(column) for column in columns]
        table = arrow.table(stored, names=[f"c{number}" for number in range(len(names))])
        copy = columnar.write_copy(path, source, table, check_characters)  # OSError: read-only
        if copy is not None:
            written.append(copy)
    return written


def _stored(column: arrow.ChunkedArray) -> arrow.ChunkedArray:
    """How a copy holds a column: codes into one dictionary when the reader's dictionaries
    hold few values (at most one per two rows), else text. Read back, a column's codes come
    in chunks that each repeat their row group's whole dictionary: 39M ids for 5M rows."""
    if not arrow.types.is_dictionary(column.type):
        return column
    if sum(len(chunk.dictionary) for chunk in column.chunks) * 2 <= len(column):
        return column.unify_dictionaries()
    return column.cast(TEXT)


def _too_many_rows(name: str, rows: int) -> Problem:
    return Problem(name, None, None, f"{rows:,} rows", f"a file may hold at most {MAX_ROWS:,} rows")


def _bounded_header(path: Path) -> list[str] | None:
    """The raw header, read from the file's first MAX_HEADER_BYTES; None when the strict reader
    must speak (not UTF-8, no header, malformed). Refuses a header too wide or too long."""
    name = path.name
    with path.open("rb") as stream:
        chunk = stream.read(MAX_HEADER_BYTES + 1)
    whole = len(chunk) <= MAX_HEADER_BYTES
    if chunk.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"):
        raise DatasetError([Problem(name, 1, None, "", "file starts with two byte-order marks")])
    try:
        text = chunk.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if whole or error.start < len(chunk) - 4:
            return None
        text = chunk[: error.start].decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    reader = _csv_reader(iter(lines))
    try:
        header = _header(reader)
    except (csv.Error, StopIteration):
        if whole:
            return None
        raise DatasetError(
            [
                Problem(
                    name, 1, None, "", f"the header row must end within {MAX_HEADER_BYTES:,} bytes"
                )
            ]
        ) from None
    if len(header) > MAX_COLUMNS:
        more = "" if whole else "+"
        raise DatasetError(
            [
                Problem(
                    name,
                    1,
                    None,
                    f"{len(header):,}{more} columns",
                    f"a file may have at most {MAX_COLUMNS} columns",
                )
            ]
        )
    if not whole and reader.line_num >= len(lines):  # the header ran to the chunk's end
        raise DatasetError(
            [
                Problem(
                    name, 1, None, "", f"the header row must end within {MAX_HEADER_BYTES:,} bytes"
                )
            ]
        )
    return header


def _header(reader: Iterator[list[str]]) -> list[str]:
    """The first record that is not a blank line (Arrow's reader skips them too)."""
    return next(record for record in reader if record)


def _other_delimiter(header: str) -> bool:
    return header.count(";") + header.count("\t") > 0


def _header_problems(name: str, raw_header: list[str]) -> list[Problem]:
    header = [column.strip() for column in raw_header]
    problems = [
        Problem(name, 1, None, f"column {number} of the header", "empty column name")
        for number, column in enumerate(header, start=1)
        if not column
    ]
    duplicated = {column for column in header if column and header.count(column) > 1}
    problems += [
        Problem(name, 1, column, column, "column appears twice in the header")
        for column in sorted(duplicated)
    ]
    if len(header) == 1 and _other_delimiter(header[0]):
        problems.append(
            Problem(name, 1, None, shown(header[0]), "fields must be separated by commas")
        )
    if len(header) > MAX_COLUMNS:
        problems.append(
            Problem(
                name,
                1,
                None,
                f"{len(header):,} columns",
                f"a file may have at most {MAX_COLUMNS} columns",
            )
        )
    return problems


SCAN_CHUNK = 1 << 24  # bytes a scan reads at once: bounded memory at any file size
QUOTE, COMMA, LF, CR = (ord(character) for character in '",\n\r')
BOM = b"\xef\xbb\xbf"


def _scan(path: Path) -> bool | None:
    """One vectorized pass over the file's bytes: None when Arrow might read its quoting
    otherwise than the strict reader, else whether any value might hold a forbidden character
    (a control character anywhere, a tab, or a line end inside quotes).

    Reading the quote characters in pairs (an opening, then a closing one) is how both readers
    see a file whose every opening quote starts a field (after the file's start, a comma, a line
    end, or the closing quote of a doubled "" pair) and whose every closing quote ends one
    (before a comma, a line end, the file's end, or a doubled pair's second quote). Anything
    else (a stray quote, a quote inside an unquoted field, an unclosed quote) may be read
    differently, so the strict reader decides.

    The file is read a piece at a time into one buffer: a map of the whole file made all its
    pages resident (1 GB at 5M statements) beside the table Arrow had read.
    """
    size = path.stat().st_size
    inside = False  # the pieces so far held an odd number of quotes: the next starts inside
    forbidden = False
    with path.open("rb") as stream:
        start = len(BOM) if stream.read(len(BOM)) == BOM else 0  # where the first field starts
    for offset, window in _windows(path, size):
        piece = window[1:-2]
        quotes = np.flatnonzero(piece == QUOTE)
        if not _quotes_pair_up(window, quotes, inside, offset - start, size - 1 - offset):
            return None
        forbidden = (
            forbidden or _forbidden_bytes(window) or _line_end_in_quotes(piece, quotes, inside)
        )
        inside ^= bool(len(quotes) % 2)
    return None if inside else forbidden


def _windows(path: Path, size: int) -> Iterator[tuple[int, np.ndarray]]:
    """The file's pieces of up to SCAN_CHUNK bytes, each at its offset, in a window that adds
    the byte before it and the two after it (a comma before the file, zeros after it)."""
    buffer = np.empty(SCAN_CHUNK + 3, dtype=np.uint8)
    with path.open("rb") as stream:
        for offset in range(0, size, SCAN_CHUNK):
            length = min(SCAN_CHUNK, size - offset) + 3
            if offset:
                stream.seek(offset - 1)
                read = stream.readinto(buffer.data[:length])
            else:
                buffer[0] = COMMA
                read = 1 + stream.readinto(buffer.data[1:length])
            buffer[read:length] = 0  # past the file's end (or the end of a file that shrank)
            yield offset, buffer[:length]


def _quotes_pair_up(
    window: np.ndarray, quotes: np.ndarray, inside: bool, from_start: int, to_last: int
) -> bool:
    """Every opening quote of the window's piece starts a field, every closing one ends one.
    `quotes` are positions in the piece (window position + 1); the piece's first position is
    `from_start` bytes after the file's first field and `to_last` bytes before its last byte."""
    first = int(inside)  # a piece that starts inside quotes starts with a closing quote
    opens, closes = quotes[first::2], quotes[1 - first :: 2]
    if not (_field_edge(window[opens]) | (opens == -from_start)).all():
        return False
    return bool((_field_edge(window[closes + 2]) | (closes == to_last)).all())


def _forbidden_bytes(window: np.ndarray) -> bool:
    """A control character other than a line end (a tab too), DEL, a C1 control (U+0080 to
    U+009F) or a line separator (U+2028, U+2029) in the window's piece."""
    piece = window[1:-2]
    controls = np.count_nonzero(piece < 32)
    line_ends = np.count_nonzero(piece == LF) + np.count_nonzero(piece == CR)
    if controls != line_ends or np.count_nonzero(piece == 0x7F):
        return True
    after = np.flatnonzero(piece == 0xC2) + 2  # window positions of the next byte
    if ((window[after] >= 0x80) & (window[after] <= 0x9F)).any():
        return True
    after = np.flatnonzero(piece == 0xE2) + 2
    return bool(((window[after] == 0x80) & ((window[after + 1] & 0xFE) == 0xA8)).any())


def _line_end_in_quotes(piece: np.ndarray, quotes: np.ndarray, inside: bool) -> bool:
    """A line end after an odd number of quotes: inside a quoted field."""
    if not len(quotes) and not inside:
        return False
    ends = np.flatnonzero((piece == LF) | (piece == CR))
    return bool(((np.searchsorted(quotes, ends) + inside) % 2).any())


def _field_edge(byte: np.ndarray) -> np.ndarray:
    return (byte == COMMA) | (byte == LF) | (byte == CR) | (byte == QUOTE)


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
    reader = _csv_reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    header: list[str] = []
    columns: list[list[str]] = []
    lines: list[int] = []
    unlisted = 0
    try:
        header = [column.strip() for column in _header(reader)]
        problems += _header_problems(name, header)
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
    arrays = [arrow.chunked_array([arrow.array(values, type=TEXT)]) for values in columns]
    del columns
    return header, arrays, pd.Series(lines, dtype=int), True, path.name


@dataclass
class _Coded:
    """A column as codes into its values (-1: missing). The values are distinct when `_coded`
    found them few; else they are each chunk's own (or each row's), and may repeat, and `many`
    says when `_coded` proved them over one per two rows (dropping blank rows keeps it so)."""

    codes: np.ndarray
    values: arrow.Array
    many: bool = False

    def rows(self, positions: np.ndarray) -> _Coded:
        return _Coded(self.codes[positions], self.values, self.many)

    def array(self) -> pd.Categorical | pd.api.extensions.ExtensionArray:
        """A repeated column (at most one distinct value per two rows) as a categorical: a code
        of a byte or two per row instead of a text (1 GB less at 5M statements); any other
        column as text. Decided on the rows' values alone, so every reader decides alike."""
        rows, codes, values = len(self.codes), self.codes, self.values
        if len(values) * 2 > rows:  # perhaps mostly distinct: the rows' own values decide
            text = values.take(arrow.array(codes, mask=codes < 0))
            if self.many or not rows or _distinct_at_least(text) * 2 > rows:
                return text.to_pandas().array
            codes, values = _distinct(text)
            if len(values) * 2 > rows:
                return text.to_pandas().array
        # Only the values some row holds, sorted as text sorts: the categorical's order,
        # comparisons and groups are then those of its values.
        used = np.flatnonzero(np.bincount(codes + 1, minlength=len(values) + 1)[1:])
        order = used[compute.array_sort_indices(values.take(used)).to_numpy()]
        renumbered = np.full(len(values) + 1, -1, dtype=_code_type(len(order)))
        renumbered[order] = np.arange(len(order))  # the last stays -1: code -1 stays missing
        categories = pd.Index(values.take(order).to_pandas())
        return pd.Categorical.from_codes(renumbered[codes], categories=categories)


def _coded(column: arrow.ChunkedArray) -> _Coded:
    """Codes into the column's values, trimmed, empty ones missing. Readers give each chunk of
    rows as codes into its own dictionary: the dictionaries are trimmed, not the rows (a few
    hundred values over millions of rows are trimmed a few hundred times), and made one
    dictionary of distinct values unless they may be many (over one per two rows): a column
    read as text (a copy's, the strict reader's) is then held once, as codes."""
    rows = len(column)
    dictionaries, positions, offset = [arrow.array([], type=TEXT)], [], 0
    for chunk in column.chunks:
        if arrow.types.is_dictionary(chunk.type):
            dictionary, indices = chunk.dictionary, compute.fill_null(chunk.indices, -1).to_numpy()
        else:  # text: each row its own entry (missing ones are found missing once cleaned)
            dictionary, indices = chunk, np.arange(len(chunk), dtype=np.int32)
        positions.append(np.where(indices < 0, -1, indices + np.int32(offset)))
        dictionaries.append(_cleaned(dictionary.cast(TEXT)))
        offset += len(dictionary)
    del column
    values = arrow.concat_arrays(dictionaries)
    del dictionaries
    many = len(values) * 2 > rows and _distinct_at_least(values) * 2 > rows
    if not many:
        renumbered, values = _distinct(values)
    else:
        renumbered = np.arange(len(values), dtype=np.int32)
        renumbered[compute.is_null(values).to_numpy(zero_copy_only=False)] = -1
    renumbered = np.append(renumbered, renumbered.dtype.type(-1))  # index -1: missing
    codes = renumbered[np.concatenate(positions)] if positions else renumbered[:0]
    return _Coded(codes, values, many)


def _distinct(values: arrow.Array) -> tuple[np.ndarray, arrow.Array]:
    """Each value's code into the distinct values (-1: missing), in the smallest integer."""
    encoded = compute.dictionary_encode(values)
    codes = compute.fill_null(encoded.indices, -1).to_numpy()
    return codes.astype(_code_type(len(encoded.dictionary))), encoded.dictionary


KEYED = 1 << 20  # texts keyed at once (see `_keys`): their temporary arrays stay small


def _distinct_at_least(text: arrow.Array | arrow.ChunkedArray) -> int:
    """At most the number of distinct texts, found without hashing them (Arrow's hash
    table held 1 GB for 5M of them): texts that differ in length, first or last eight bytes
    differ, so there are at least as many distinct texts as distinct keys made of these."""
    chunks = text.chunks if isinstance(text, arrow.ChunkedArray) else [text]
    pieces = [chunk.slice(at, KEYED) for chunk in chunks for at in range(0, len(chunk), KEYED)]
    keys = np.concatenate([np.empty(0, dtype=np.uint64), *map(_keys, pieces)])
    keys.sort()  # numpy's unique hashes: seconds for millions of keys, where a sort takes 0.4 s
    return int(np.count_nonzero(keys[1:] != keys[:-1])) + int(len(keys) > 0)


def _keys(text: arrow.Array) -> np.ndarray:
    """Each text's length, first and last eight bytes, mixed into 64 bits (missing and empty
    texts left out: the count stays at most the texts')."""
    text = text.cast(TEXT)
    _, offsets, data = text.buffers()
    if data is None:
        return np.empty(0, dtype=np.uint64)
    bounds = np.frombuffer(offsets, dtype=np.int64, count=len(text) + 1, offset=text.offset * 8)
    present = compute.is_valid(text).to_numpy(zero_copy_only=False) & (bounds[1:] > bounds[:-1])
    starts, ends = bounds[:-1][present], bounds[1:][present]
    size = ends - starts
    contents = np.frombuffer(data, dtype=np.uint8)
    first = last = np.zeros(len(starts), dtype=np.uint64)
    for place in range(8):
        inside = place < size  # a shorter text reads zeros past its end
        first = first * np.uint64(256) + np.where(inside, contents[starts + place * inside], 0)
        last = last * np.uint64(256) + np.where(inside, contents[ends - 1 - place * inside], 0)
    return first * np.uint64(0x9E3779B97F4A7C15) ^ last ^ size.astype(np.uint64) << np.uint64(56)


def _code_type(values: int) -> type[np.signedinteger]:
    """The smallest integer that numbers `values` values and -1: a byte for a hundred."""
    return next(kind for kind in (np.int8, np.int16, np.int32) if values < np.iinfo(kind).max)


def _cleaned(values: arrow.Array) -> arrow.Array:
    """Values without surrounding whitespace, empty ones missing; as they are when they need
    neither, so that a large clean column is not held twice."""
    trimmed = compute.utf8_trim_whitespace(values)
    if not trimmed.equals(values):
        values = trimmed
    del trimmed
    empty = compute.equal(values, "")
    if compute.any(empty).as_py():
        values = compute.if_else(empty, arrow.scalar(None, TEXT), values)
    return values


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
    per distinct value. Repeated columns become categoricals (see `_Coded.array`), decided
    here for every reader and copy alike.

    `columns` is emptied a column at a time, so that a large file is never held twice: the
    caller hands over its only references.
    """
    coded = []
    while columns:
        coded.append(_coded(columns.pop(0)))
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


def _faults(column: _Coded, name: str, check_characters: bool) -> Iterator[tuple[int, str, str]]:
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


def _rule(test: Callable[[pd.Series], pd.Series], rule: str, each_value: bool = True) -> pa.Check:
    """A vectorized rule on present values; missing values are the `required` rule's job. A rule
    of each value alone (`each_value`) tests a repeated column's distinct values only."""

    def check(series: pd.Series) -> pd.Series:
        if each_value and isinstance(series.dtype, pd.CategoricalDtype):
            return _by_category(test, series)
        present = series.notna()
        if present.all():  # no copy of a column that is complete (a large file's usual case)
            return test(series).fillna(False).astype(bool)
        passed = pd.Series(True, index=series.index)
        if present.any():
            passed[present] = test(series[present]).fillna(False).astype(bool)
        return passed

    return pa.Check(check, name=rule)


def _by_category(test: Callable[[pd.Series], pd.Series], series: pd.Series) -> pd.Series:
    """The test of each category, read for each row through its code (missing values pass)."""
    passed = test(pd.Series(series.cat.categories)).fillna(False).astype(bool).to_numpy()
    return pd.Series(np.append(passed, True)[series.cat.codes.to_numpy()], index=series.index)


def _fullmatch(values: pd.Series, pattern: str) -> pd.Series:
    """Whole values matched by RE2 in Arrow: pandas falls back to Python's `re` for some
    patterns (a million URLs: 0.55 s there, 0.07 s here)."""
    found = compute.match_substring_regex(arrow.array(values, type=TEXT), f"^(?:{pattern})$")
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _is_id(values: pd.Series) -> pd.Series:
    return _fullmatch(values, ID_PATTERN.pattern)


def _is_date(values: pd.Series) -> pd.Series:
    """Parsed once per distinct text: a dataset has few dates and many rows."""
    distinct = values.drop_duplicates()
    real = distinct[
        _fullmatch(distinct, DATE_PATTERN)
        & pd.to_datetime(distinct, format="%Y-%m-%d", errors="coerce").notna()
    ]
    return values.isin(real)


def _is_http_url(values: pd.Series) -> pd.Series:
    return _fullmatch(values, r"https?://[^\s/?#]+[^\s]*")


@cache
def _languages() -> frozenset[str]:
    return frozenset(
        language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2")
    )


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_3 for country in pycountry.countries)


ID_RULE = "must match [a-z0-9][a-z0-9-]*"
DATE_RULE = "must be a real date written YYYY-MM-DD"
URL_RULE = "must be an http(s) URL"
SOURCE_KIND_RULE = f"must be one of {', '.join(SOURCE_KINDS)}"
ACTOR_RULE = "must be an actor_id of actors.csv"
LANGUAGE_RULE = "must be an ISO 639-1 language code (en, ru, ...)"
COUNTRY_RULE = "must be an ISO 3166-1 alpha-3 country code"
UNIQUE_RULE = "must be unique in the file"


def _is_unique(values: pd.Series) -> pd.Series:
    """Each value once in the file, proven without hashing when texts' keys differ (see
    `_distinct_at_least`): pandas' `duplicated`, which pandera's own uniqueness check runs,
    held 0.9 GB for 5M ids, Arrow's count_distinct 1.4 GB; it runs only to find the repeats
    (a categorical column has some: it is one because its values repeat)."""
    coded = isinstance(values.dtype, pd.CategoricalDtype)
    if not coded and _distinct_at_least(arrow.array(values, type=TEXT)) == len(values):
        return pd.Series(True, index=values.index)
    return ~values.duplicated(keep=False)


def _column(required: bool, *checks: pa.Check, unique: bool = False) -> pa.Column:
    if unique:
        checks = (*checks, _rule(_is_unique, UNIQUE_RULE, each_value=False))
    return pa.Column(
        None,  # text of any string dtype (object or pyarrow-backed)
        checks=list(checks),
        nullable=not required,
        required=required,
        coerce=False,
    )


def _is_in(allowed: object) -> Callable[[pd.Series], pd.Series]:
    return lambda values: values.isin(list(allowed))  # type: ignore[call-overload]


def _codes(values: object, what: str) -> pa.Check:
    allowed = sorted(values)  # type: ignore[call-overload]
    return _rule(
        _is_in(allowed),
        f"must be one of the {what} codes of codebook.yml ({', '.join(allowed)})",
    )


# A rule across columns: the column at fault (the one reported) and a test of the whole frame.
RowRules = dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]]


def _schema(columns: dict[str, pa.Column], row_rules: RowRules | None = None) -> pa.DataFrameSchema:
    checks = [pa.Check(test, name=rule) for rule, (_, test) in (row_rules or {}).items()]
    return pa.DataFrameSchema(columns, checks=checks)


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].notna()


def _statement_row_rules(codebook: Codebook | None) -> RowRules:
    """Without a readable codebook the rules that need its silent stance are skipped."""
    silent = codebook.silent_codes if codebook is not None else set()

    def is_silent(frame: pd.DataFrame) -> pd.Series:
        return (
            frame["stance"].isin(silent)
            if "stance" in frame
            else pd.Series(False, index=frame.index)
        )

    silence_rules: RowRules = {
        "occasion is required when stance is silent": (
            "occasion",
            lambda f: ~is_silent(f) | _present(f, "occasion"),
        ),
        "quote is required unless stance is silent": (
            "quote",
            lambda f: is_silent(f) | _present(f, "quote"),
        ),
    }
    return {
        **(silence_rules if codebook is not None else {}),
        "quote_language is required when there is a quote": (
            "quote_language",
            lambda f: ~_present(f, "quote") | _present(f, "quote_language"),
        ),
        "quote_en is required when quote_language is not en": (
            "quote_en",
            lambda f: ~_present(f, "quote") | _is_english(f) | _present(f, "quote_en"),
        ),
        "translated_by (source or coder) is required when the English shown is a translation: "
        "quote_en is given, or spoken_language is not en": (
            "translated_by",
            lambda f: ~_translation_marked(f) | ~_is_translation(f) | _present(f, "translated_by"),
        ),
        "translated_by must be empty when the words were said in English as printed": (
            "translated_by",
            lambda f: ~_present(f, "translated_by") | _is_translation(f),
        ),
        "excerpt must be words of quote, verbatim": (
            "excerpt",
            lambda f: _within(f, "excerpt", "quote"),
        ),
        "excerpt_en must be words of quote_en, verbatim": (
            "excerpt_en",
            lambda f: _within(f, "excerpt_en", "quote_en"),
        ),
        "supersedes must name an earlier statement_id of the same actor and issue": (
            "supersedes",
            _supersedes_earlier,
        ),
    }


def _within(frame: pd.DataFrame, part: str, whole: str) -> pd.Series:
    """Rows whose `part` is empty or a verbatim substring of `whole` (few rows have a part)."""
    passed = pd.Series(True, index=frame.index)
    if part not in frame:
        return passed
    given = frame[part].notna()
    if given.any():
        parts = _uncoded(frame.loc[given, part]).astype(str)
        wholes = (
            _uncoded(frame.loc[given, whole]).fillna("").astype(str)
            if whole in frame
            else pd.Series("", index=parts.index)
        )
        inside = [p in w for p, w in zip(parts, wholes, strict=True)]
        passed[given] = pd.Series(inside, index=parts.index)
    return passed


def _supersedes_earlier(frame: pd.DataFrame) -> pd.Series:
    """A withdrawal names a statement of the same actor and issue, dated no later than itself."""
    passed = pd.Series(True, index=frame.index)
    if "supersedes" not in frame or not frame["supersedes"].notna().any():
        return passed
    keys = ["statement_id", "actor_id", "issue", "date"]
    if any(key not in frame for key in keys):
        return passed
    rows = frame[keys].assign(**{key: _uncoded(frame[key]) for key in keys})
    named = frame["supersedes"].notna()
    wanted = rows[named].assign(target=_uncoded(frame.loc[named, "supersedes"]))
    found = wanted.merge(
        rows, left_on="target", right_on="statement_id", how="left", suffixes=("", "_target")
    )
    ok = (
        (found["actor_id"] == found["actor_id_target"])
        & (found["issue"] == found["issue_target"])
        & (found["date_target"] <= found["date"])
        & (found["target"] != found["statement_id"])
    )
    passed[named] = ok.to_numpy()
    return passed


def _is_english(frame: pd.DataFrame) -> pd.Series:
    return frame.get("quote_language", pd.Series(index=frame.index)) == "en"


def _translation_marked(frame: pd.DataFrame) -> pd.Series:
    """Datasets that carry the translation columns are held to them; contract-only ones are not."""
    return pd.Series("translated_by" in frame, index=frame.index)


def _is_translation(frame: pd.DataFrame) -> pd.Series:
    """The English a brief shows is not the words as said: a quote_en, or a source's rendering."""
    spoken = frame.get("spoken_language", pd.Series(index=frame.index))
    said_otherwise = spoken.notna() & (spoken != "en")
    return _present(frame, "quote") & (~_is_english(frame) | (said_otherwise & _is_english(frame)))


def _name_shared(frame: pd.DataFrame) -> pd.Series:
    """Two actors of one group under one name (case aside) cannot be told apart on a chart."""
    if "name" not in frame or "group" not in frame:
        return pd.Series(False, index=frame.index)
    key = pd.DataFrame({"group": frame["group"], "name": frame["name"].str.casefold()})
    return key.duplicated(keep=False) & frame["name"].notna()


ACTOR_ROW_RULES: RowRules = {
    "iso3 is required for a state (UN member)": (
        "iso3",
        lambda f: (f.get("kind") != "state") | _present(f, "iso3"),
    ),
    "two actors of the same group must not share a name": (
        "name",
        lambda f: ~_name_shared(f),
    ),
}


def _voter(frame: pd.DataFrame) -> pd.Series:
    """Who cast a vote: the actor, or the member state (iso3) of a roll call beyond the actors."""
    actor = _uncoded(frame.get("actor_id", pd.Series(index=frame.index, dtype=object)))
    country = _uncoded(frame.get("iso3", pd.Series(index=frame.index, dtype=object)))
    return actor.where(actor.notna(), "iso3:" + country.fillna("").astype(str))


VOTE_ROW_RULES: RowRules = {
    "one vote per voter and resolution": (
        "actor_id",
        lambda f: (
            ~f.assign(_voter=_voter(f)).duplicated(["resolution", "_voter"], keep=False)
            if "resolution" in f
            else pd.Series(True, index=f.index)
        ),
    ),
    "actor_id or iso3 is required": (
        "actor_id",
        lambda f: _present(f, "actor_id") | _present(f, "iso3"),
    ),
}


def _membership(allowed: set[str] | None, rule: str) -> tuple[pa.Check, ...]:
    """The rule "must be one of the allowed", unless what is allowed could not be read."""
    return () if allowed is None else (_rule(_is_in(allowed), rule),)


def _code_checks(codebook: Codebook | None, section: str) -> tuple[pa.Check, ...]:
    return () if codebook is None else (_codes(getattr(codebook, section), section[:-1]),)


def statements_schema(codebook: Codebook | None, actor_ids: set[str] | None) -> pa.DataFrameSchema:
    """Rules that need the codebook or actors.csv are skipped when that file cannot be read:
    its own problems are reported, not one follow-on problem per row here."""
    optional_text = (
        "speaker",
        "speaker_role",
        "occasion",
        "quote",
        "quote_en",
        "publisher",
        "coder",
        "notes",
        "excerpt",
        "excerpt_en",
    )
    return _schema(
        {
            "statement_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "date_precision": _column(
                True, _rule(_is_in(DATE_PRECISIONS), "must be one of day, week, month")
            ),
            "actor_id": _column(True, *_membership(actor_ids, ACTOR_RULE)),
            "issue": _column(True, *_code_checks(codebook, "issues")),
            "stance": _column(True, *_code_checks(codebook, "stances")),
            "quote_language": _column(False, _rule(_is_in(_languages()), LANGUAGE_RULE)),
            "spoken_language": _column(False, _rule(_is_in(_languages()), LANGUAGE_RULE)),
            "translated_by": _column(
                False, _rule(_is_in(TRANSLATORS), f"must be one of {', '.join(TRANSLATORS)}")
            ),
            "source_title": _column(True),
            "source_date": _column(True, _rule(_is_date, DATE_RULE)),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
            **_source_columns(),
            "supersedes": _column(False, _rule(_is_id, ID_RULE)),
            **{column: _column(False) for column in optional_text},
        },
        _statement_row_rules(codebook),
    )


def _source_columns() -> dict[str, pa.Column]:
    """Where a row's source was read, beyond the contract: its kind and the copy read."""
    return {
        "source_kind": _column(False, _rule(_is_in(SOURCE_KINDS), SOURCE_KIND_RULE)),
        "via_url": _column(False, _rule(_is_http_url, URL_RULE)),
    }


def actors_schema(codebook: Codebook | None) -> pa.DataFrameSchema:
    return _schema(
        {
            "actor_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "name": _column(True),
            "kind": _column(
                True, _rule(_is_in(ACTOR_KINDS), f"must be one of {', '.join(ACTOR_KINDS)}")
            ),
            "iso3": _column(False, _rule(_is_in(_countries()), COUNTRY_RULE)),
            "group": _column(True, *_code_checks(codebook, "groups")),
            "memberships": _column(False),
            "region": _column(False),
        },
        ACTOR_ROW_RULES,
    )


def events_schema() -> pa.DataFrameSchema:
    return _schema(
        {
            "event_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "title": _column(True),
            "description": _column(False),
            "source_title": _column(True),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
            "resolution": _column(False),
        }
    )


def votes_schema(actor_ids: set[str] | None) -> pa.DataFrameSchema:
    return _schema(
        {
            "resolution": _column(True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "actor_id": _column(False, *_membership(actor_ids, ACTOR_RULE)),
            "iso3": _column(False, _rule(_is_in(_countries()), COUNTRY_RULE)),
            "vote": _column(True, _rule(_is_in(VOTES), f"must be one of {', '.join(VOTES)}")),
            "source_title": _column(True),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
            **_source_columns(),
        },
        VOTE_ROW_RULES,
    )


def _problems(
    table: Table, schema: pa.DataFrameSchema, row_rules: RowRules | None = None
) -> list[Problem]:
    """Run a schema lazily and turn the failure cases into located Problems: the first
    MAX_PROBLEMS of them (by row), the rest counted, so that a file of garbage stays cheap."""
    try:
        schema.validate(table.frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    columns_at_fault = {rule: column for rule, (column, _) in (row_rules or {}).items()}
    cases = cases.assign(
        _order=pd.to_numeric(cases["index"], errors="coerce").fillna(-1)
    ).sort_values("_order", kind="stable")
    problems: set[Problem] = set()
    unlisted = 0
    for number, case in enumerate(cases.itertuples(index=False)):
        if number >= MAX_PROBLEMS:
            unlisted = len(cases) - number
            break
        check = str(case.check)
        rule = BUILTIN_RULES.get(check, check)
        index = None if pd.isna(case.index) else case.index
        if check in columns_at_fault:  # several columns: report the one at fault, once per row
            column = columns_at_fault[check]
            value = table.frame.at[index, column] if column in table.frame else None
        elif check == "column_in_dataframe":
            column, value = str(case.failure_case), ""
        else:
            column, value = case.column, case.failure_case
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        problems.add(Problem(table.name, table.line_of(index), column, shown(text), rule))
    listed = sorted(problems)
    if unlisted:
        listed.append(Problem(table.name, None, None, str(unlisted), MORE_RULE))
    return listed


def _problems_or_table(
    path: Path, folder: Path, copies: bool = True
) -> tuple[Table | None, list[Problem]]:
    try:
        return read_table(path, folder=folder, copies=copies), []
    except DatasetError as error:
        return None, error.problems


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
    table, problems = _problems_or_table(path, folder)
    if table is not None:
        problems += _shape_problems(table, needs_rows=False)
    return table, problems


def capped(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS problems in file and line order, then one saying how many more;
    no value longer than an error may show (a file's content is never echoed)."""
    unlisted = sum(int(problem.value) for problem in problems if problem.rule == MORE_RULE)
    listed = sorted(
        {
            Problem(problem.file, problem.line, problem.column, shown(problem.value), problem.rule)
            for problem in problems
            if problem.rule != MORE_RULE
        },
        key=lambda problem: (problem.file, problem.line or 0, problem.column or "", problem.rule),
    )
    unlisted += max(0, len(listed) - MAX_PROBLEMS)
    listed = listed[:MAX_PROBLEMS]
    if unlisted:  # "…" sorts after every file name: the report's last line
        listed.append(Problem("…", None, None, "", f"and {unlisted:,} more problems"))
    return listed


def load_dataset(data_dir: Path | str, copies: bool = True) -> Dataset:
    """Read and validate the whole dataset; raise DatasetError listing every problem found.

    votes.csv is optional (a dataset without recorded votes still loads); the others are required.
    A file that cannot be read is reported alone: the rules of the other files that need it (an
    actor_id of actors.csv, a code of codebook.yml) are skipped rather than failing on every row.
    `copies=False` reads every CSV itself, never its columnar copy (what `validate` checks).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DatasetError(
            [
                Problem(
                    data_dir.name or str(data_dir),
                    None,
                    None,
                    shown(str(data_dir)),
                    "the dataset must be a folder",
                )
            ]
        )
    problems: list[Problem] = []
    try:
        codebook = load_codebook(data_dir / "codebook.yml")
    except DatasetError as error:
        problems += error.problems
        codebook = None
    tables: dict[str, Table | None] = {}
    for name in DATASET_FILES:
        path = data_dir / f"{name}.csv"
        if name == "votes" and not path.exists() and not path.is_symlink():
            tables[name] = Table(path.name, pd.DataFrame(columns=list(VOTE_COLUMNS)), path)
            continue
        tables[name], found = _problems_or_table(path, data_dir, copies)
        problems += found
        if tables[name] is not None:
            needs_rows = name in ("actors", "statements")
            problems += _shape_problems(cast(Table, tables[name]), needs_rows=needs_rows)
    actors, statements = tables["actors"], tables["statements"]
    actor_ids = (
        set(actors.frame["actor_id"].dropna())
        if actors is not None and "actor_id" in actors.frame
        else None
    )
    if actors is not None:
        problems += _problems(actors, actors_schema(codebook), ACTOR_ROW_RULES)
    if statements is not None:
        problems += _problems(
            statements, statements_schema(codebook, actor_ids), _statement_row_rules(codebook)
        )
    if tables["events"] is not None:
        problems += _problems(tables["events"], events_schema())
    if tables["votes"] is not None:
        problems += _problems(tables["votes"], votes_schema(actor_ids), VOTE_ROW_RULES)
    story = None
    if codebook is not None and actor_ids is not None:
        try:
            story = load_story(data_dir, codebook, actor_ids)
        except DatasetError as error:
            problems += error.problems
    if story is not None and tables["votes"] is not None:
        problems += _votes_of_record_problems(story, tables["votes"].frame)
    if problems or story is None or any(table is None for table in tables.values()):
        raise DatasetError(capped(problems))
    # A story is loaded only with a codebook; every table was read (checked just above).
    assert codebook is not None and actors is not None and statements is not None
    dataset = Dataset(
        codebook=codebook,
        story=story,
        statements=_typed(
            statements.frame, STATEMENT_COLUMNS, ("date", "source_date"), categories=True
        ),
        actors=_typed(actors.frame, ACTOR_COLUMNS, ()),
        events=_typed(cast(Table, tables["events"]).frame, EVENT_COLUMNS, ("date",)),
        votes=_typed(cast(Table, tables["votes"]).frame, VOTE_COLUMNS, ("date",)),
        folder=data_dir.resolve(),
    )
    del tables, actors, statements
    arrow.default_memory_pool().release_unused()  # the raw columns' memory, back to the system
    return dataset


def _votes_of_record_problems(story: Story, votes: pd.DataFrame) -> list[Problem]:
    """A vote of record must be a resolution of votes.csv: a typo would silently read no vote
    (and change what a page finds), so it is refused, naming the closest resolution."""
    recorded = sorted(set(_uncoded(votes["resolution"]).dropna())) if "resolution" in votes else []
    problems = []
    for vote in story.votes:
        if vote.resolution in recorded:
            continue
        closest = difflib.get_close_matches(vote.resolution, recorded, n=1, cutoff=0)
        hint = f"; the closest is {closest[0]!r}" if closest else " (votes.csv holds no vote)"
        problems.append(
            Problem(
                STORY_FILE,
                vote.line,
                "votes.resolution",
                shown(vote.resolution),
                f"must be a resolution of votes.csv{hint}",
            )
        )
    return problems


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
            typed[column] = _text(frame[column], categories)
    return pd.DataFrame(typed, copy=False).reset_index(drop=True)


def _text(values: pd.Series, categories: bool) -> pd.Series:
    """A column's text with '' for missing, as a categorical still where `categories`."""
    if categories and isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        if (codes >= 0).all():
            return values
        # '' sorts before any category (none is empty: empty values are missing), code 0
        filled = pd.Index([""], dtype=values.cat.categories.dtype).append(values.cat.categories)
        return pd.Series(
            pd.Categorical.from_codes(codes.astype(np.int32) + 1, categories=filled),
            index=values.index,
        )
    values = _uncoded(values)
    if values.hasnans or values.dtype != "str":
        values = values.fillna("").astype(str)
    return values


def _uncoded(values: pd.Series) -> pd.Series:
    """A categorical column as the text it codes (missing stays missing); others as they are.
    Arrow takes the texts by code: pandas' astype made a Python string of every row."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values
    codes = values.cat.codes.to_numpy()
    categories = arrow.array(values.cat.categories, type=TEXT)
    text = categories.take(arrow.array(codes, mask=codes < 0)).to_pandas().array
    return pd.Series(text, index=values.index, name=values.name)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of `Dataset.statements` with every column as the pages read it: text, not codes.
    Call it on the rows chosen, not the whole frame: codes are what keep that frame small."""
    coded = [
        str(name) for name, kind in frame.dtypes.items() if isinstance(kind, pd.CategoricalDtype)
    ]
    return frame.assign(**{name: _uncoded(frame[name]) for name in coded}) if coded else frame
