"""A valid dataset's CSV files written as columnar copies (`reactions validate --parquet`).

Each copy holds the CSV's values as the reader gave them (`read.read_raw`), before they are
trimmed and checked; `columnar` stamps, verifies and later reads it in the CSV's place.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as arrow

from reactions import columnar
from reactions.categories import TEXT
from reactions.contract import DATASET_FILES
from reactions.read import read_raw


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
        names, columns, lines, check_characters, _ = read_raw(path, strict=False, copies=False)
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
