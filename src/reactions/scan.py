"""A CSV file looked at before it is parsed: its header, its bytes, its lines.

- `bounded_header`: the header row from the file's first MAX_HEADER_BYTES (UTF-8, at most
  MAX_COLUMNS columns, one byte-order mark at most), and `header_problems`: empty, repeated
  column names, another delimiter than the comma.
- `scan_bytes`: one vectorized pass over the bytes that decides whether Arrow's fast reader reads
  the file's quoting exactly as the strict reader would (see `reactions.read`), and whether any
  value may hold a forbidden character (control or line-separator characters).
- `record_lines`: the line a person sees in an editor for each record (quoted fields may span
  lines), found only when there is a problem to report.

`csv_reader` is the one strict csv-module reader the readers share.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reactions.contract import MAX_COLUMNS, MAX_HEADER_BYTES
from reactions.errors import DatasetError, Problem
from reactions.yamlfile import shown

if TYPE_CHECKING:
    from _csv import Reader as CsvReader


def csv_reader(lines: Iterator[str]) -> CsvReader:
    """The one way the dataset's readers read CSV: strict quoting, and fields long enough that an
    overlong one is reported by its rule (MAX_FIELD_CHARS) instead of breaking the reader."""
    csv.field_size_limit(max(csv.field_size_limit(), 2**24))
    return csv.reader(lines, strict=True)


def record_lines(path: Path) -> pd.Series:
    """The first line of every record (blank lines skipped), counting quoted newlines."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv_reader(stream)
        first_record(reader)
        lines, start = [], reader.line_num + 1
        for record in reader:
            if record:
                lines.append(start)
            start = reader.line_num + 1
    return pd.Series(lines, dtype=int)


def bounded_header(path: Path) -> list[str] | None:
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
    reader = csv_reader(iter(lines))
    try:
        header = first_record(reader)
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


def first_record(reader: Iterator[list[str]]) -> list[str]:
    """The first record that is not a blank line (Arrow's reader skips them too)."""
    return next(record for record in reader if record)


def _other_delimiter(header: str) -> bool:
    return header.count(";") + header.count("\t") > 0


def header_problems(name: str, raw_header: list[str]) -> list[Problem]:
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


def scan_bytes(path: Path) -> bool | None:
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
