"""A CSV file's columnar copy (`NAME.parquet` beside `NAME.csv`), read in its place when fresh.

The CSV stays the file analysts edit and review; the copy only saves its parsing. It holds the
CSV's values exactly as the readers give them before they are trimmed and checked, and the
SHA-256 of the CSV it was made from: a copy whose CSV has changed since (one stance edited, a
file replaced) is ignored, so a stale copy can never change a finding. `reactions validate
--parquet` writes the copies of a valid dataset; nothing else writes them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as parquet

SOURCE_KEY = b"reactions.source_sha256"
CLEAN_KEY = b"reactions.no_forbidden_characters"  # the CSV's scan proved it: no need to look


def copy_of(csv_path: Path) -> Path:
    return csv_path.with_suffix(".parquet")


def digest(path: Path) -> str:
    """The file's SHA-256 (0.7 s per GB here), computed once per version of the file."""
    info = path.stat()
    return _digest(path.resolve(), info.st_size, info.st_mtime_ns)


@cache
def _digest(path: Path, size: int, modified_ns: int) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _fresh_metadata(csv_path: Path) -> dict[bytes, bytes] | None:
    """The copy's metadata when it was made from the CSV as it is now; else None."""
    copy = copy_of(csv_path)
    if not copy.is_file() or copy.is_symlink():
        return None
    try:
        metadata = parquet.read_schema(copy).metadata or {}
    except (OSError, arrow.ArrowException):
        return None
    return metadata if metadata.get(SOURCE_KEY) == digest(csv_path).encode("ascii") else None


def is_fresh(csv_path: Path) -> bool:
    return _fresh_metadata(csv_path) is not None


def read_fresh_copy(csv_path: Path, columns: int) -> tuple[arrow.Table, bool] | None:
    """The copy's table when it was made from the CSV as it is now (and has the header's
    `columns` count), and whether its values may hold forbidden characters; else None: the
    CSV is read instead."""
    metadata = _fresh_metadata(csv_path)
    if metadata is None:
        return None
    try:
        table = parquet.read_table(copy_of(csv_path))
    except (OSError, arrow.ArrowException):
        return None  # an unreadable copy costs only the time of reading the CSV
    if table.num_columns != columns:
        return None
    return table, metadata.get(CLEAN_KEY) != b"yes"


def write_copy(csv_path: Path, source: str, table: arrow.Table, check_characters: bool) -> Path:
    """Write the copy atomically (a reader never sees half a file), stamped with `source`, the
    SHA-256 of the CSV as it was read into `table`."""
    copy = copy_of(csv_path)
    stamped = table.replace_schema_metadata(
        {
            SOURCE_KEY: source.encode("ascii"),
            CLEAN_KEY: b"no" if check_characters else b"yes",
        }
    )
    handle, temporary = tempfile.mkstemp(dir=copy.parent, prefix=f".{copy.name}.", suffix=".tmp")
    os.close(handle)
    try:
        parquet.write_table(stamped, temporary, compression="zstd")
        os.replace(temporary, copy)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return copy
