"""A CSV file's columnar copy (`NAME.parquet` beside `NAME.csv`), read in its place when fresh.

The CSV stays the file analysts edit and review; the copy only saves its parsing. It holds the
CSV's values exactly as the readers give them before they are trimmed and checked, the SHA-256
of the CSV it was made from, and a digest of its own content (its data pages and those keys): a
copy whose CSV has changed since (one stance edited, a file replaced), or which is no longer as
it was written (edited, truncated, corrupted), is ignored with a one-line notice and the CSV is
read, so a stale or damaged copy can never change a finding. (This detects accidents, not
forgery: anyone who can write the copy can recompute its digest.) A copy's values pass every
rule the CSV's do, control characters included. `reactions validate --parquet` writes the
copies of a valid dataset; nothing else writes them.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import sys
import tempfile
from functools import cache
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as parquet

SOURCE_KEY = b"reactions.source_sha256"
CLEAN_KEY = b"reactions.no_forbidden_characters"  # the CSV's scan proved it (values: yes, no)
# The copy's own digest: SHA-256 of its data pages (every byte before the footer) and of the two
# keys above, so that a copy edited, truncated or corrupted since it was written is detected.
CONTENT_KEY = b"reactions.content_sha256"
FOOTER_TAIL = 8  # a Parquet file ends with the footer's length (4 bytes) and b"PAR1"


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


def _content_digest(data: bytes | memoryview, metadata: dict[bytes, bytes]) -> str | None:
    """The digest a copy stores of itself: its data pages and its source and clean keys; None
    when `data` is not a whole Parquet file."""
    if len(data) < 2 * FOOTER_TAIL or bytes(data[-4:]) != b"PAR1":
        return None
    footer = int.from_bytes(data[-FOOTER_TAIL:-4], "little")
    end = len(data) - FOOTER_TAIL - footer
    if end < 4:
        return None
    hashed = hashlib.sha256(data[:end])
    for key in (SOURCE_KEY, CLEAN_KEY):
        hashed.update(b"\0" + key + b"=" + metadata.get(key, b""))
    return hashed.hexdigest()


@cache
def _file_content_digest(
    path: Path, size: int, modified_ns: int, metadata: tuple[tuple[bytes, bytes], ...]
) -> str | None:
    with (
        path.open("rb") as stream,
        mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data,
        memoryview(data) as view,
    ):
        return _content_digest(view, dict(metadata))


def status(csv_path: Path) -> str | None:
    """Whether the CSV's copy may be read in its place: None when there is no copy, "fresh",
    "stale" (made from another version of the CSV) or "damaged" (unreadable, or not as it was
    written: its own digest does not match)."""
    return _status(csv_path)[0]


def _status(csv_path: Path) -> tuple[str | None, dict[bytes, bytes]]:
    copy = copy_of(csv_path)
    if not copy.exists() and not copy.is_symlink():
        return None, {}
    if copy.is_symlink() or not copy.is_file():
        return "damaged", {}
    try:
        metadata = parquet.read_schema(copy).metadata or {}
        if metadata.get(SOURCE_KEY) != digest(csv_path).encode("ascii"):
            return "stale", metadata
        info = copy.stat()
        own = _file_content_digest(
            copy.resolve(), info.st_size, info.st_mtime_ns, tuple(sorted(metadata.items()))
        )
    except (OSError, ValueError, arrow.ArrowException):
        return "damaged", {}
    if own is None or metadata.get(CONTENT_KEY) != own.encode("ascii"):
        return "damaged", metadata
    return "fresh", metadata


def is_fresh(csv_path: Path) -> bool:
    return status(csv_path) == "fresh"


def _notice(csv_path: Path, state: str) -> None:
    """One line on the process's own stderr (in a kernel: its log, never the page)."""
    why = "made from another version of" if state == "stale" else "damaged or edited; read"
    stream = sys.__stderr__ or sys.stderr
    print(
        f"notice: {copy_of(csv_path).name} ignored ({why} {csv_path.name}); reading the CSV "
        "(reactions validate --parquet writes a new copy)",
        file=stream,
        flush=True,
    )


def read_fresh_copy(csv_path: Path, columns: int) -> arrow.Table | None:
    """The copy's table when it was made from the CSV as it is now, is as it was written and
    has the header's `columns` count; else None (with a one-line notice when a copy was there
    but could not be used): the CSV is read instead. Its values are checked as the CSV's are."""
    state, _ = _status(csv_path)
    if state is None:
        return None
    table = None
    if state == "fresh":
        try:
            table = parquet.read_table(copy_of(csv_path))
        except (OSError, arrow.ArrowException):
            state = "damaged"  # an unreadable copy costs only the time of reading the CSV
        else:
            if table.num_columns != columns:
                state, table = "damaged", None
    if table is None:
        _notice(csv_path, state)
    return table


def write_copy(
    csv_path: Path, source: str, table: arrow.Table, check_characters: bool
) -> Path | None:
    """Write the copy atomically (a reader never sees half a file), stamped with `source`, the
    SHA-256 of the CSV as it was read into `table`, and with its own digest; None when the
    written copy does not verify (then none is kept). OSError when it cannot be written."""
    copy = copy_of(csv_path)
    metadata = {
        SOURCE_KEY: source.encode("ascii"),
        CLEAN_KEY: b"no" if check_characters else b"yes",
    }
    draft = arrow.BufferOutputStream()
    parquet.write_table(table.replace_schema_metadata(metadata), draft, compression="zstd")
    own = _content_digest(memoryview(draft.getvalue()), metadata)
    assert own is not None
    stamped = table.replace_schema_metadata(metadata | {CONTENT_KEY: own.encode("ascii")})
    handle, temporary = tempfile.mkstemp(dir=copy.parent, prefix=f".{copy.name}.", suffix=".tmp")
    os.close(handle)
    try:
        parquet.write_table(stamped, temporary, compression="zstd")
        if _content_digest(Path(temporary).read_bytes(), metadata) != own:
            Path(temporary).unlink()  # the writer did not repeat itself: no copy, the CSV is read
            return None
        os.replace(temporary, copy)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return copy
