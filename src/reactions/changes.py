"""What moved between two published versions of a page, in words an editor reads at a glance.

A page's findings are its one-CSV-per-finding files (`STEM.FINDING.csv`), which already hold
words (the codebook's labels), so saying what moved is a presentation job that needs to know
nothing about any story or notebook: rows are keyed by their first column (or the fewest
leading columns that tell them apart), and for rows present in both versions the changed cells
are named, e.g. `Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2`. Labels
keep the data's own case: lowercasing cannot tell a stance ("Implicit rejection") from a name
("Russia's partners").

A publish run reads a page's findings just before its new files replace them, under the
publish lock, and again after; `run_report` is what `report/changes.json` holds, and
`index_marks` what the index shows beside each page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from reactions.provenance import utc_stamp

CHANGES_NAME = "changes.json"
MAX_MOVES = 12  # moves listed per page; the rest are counted ("and N more")
MAX_VALUE = 60  # characters of a cell shown in a move; a longer cell is only named
SHOWN_CELLS = 2  # changed cells of one row shown with their values; the others only named
ARROW = " → "
EMPTY = "(empty)"
NUMBER = re.compile(r"[+\-−]?(\d+(\.\d*)?|\.\d+)%?")

Findings = dict[str, str]  # finding name -> its CSV text
Status = Literal["new", "changed", "unchanged"]


@dataclass(frozen=True)
class Move:
    """One thing that moved in one finding, in words."""

    finding: str
    text: str


@dataclass(frozen=True)
class PageChange:
    """A published page compared with the copy it replaced: `new` when there was none."""

    stem: str
    status: Status
    moves: tuple[Move, ...] = field(default=())

    def summary(self, limit: int = 1) -> str:
        """The first `limit` moves and how many more, for a title or the index."""
        shown = "; ".join(move.text for move in self.moves[:limit])
        more = len(self.moves) - limit
        return f"{shown} (and {more} more)" if more > 0 else shown


def finding_files(stem: str, names: Iterable[str]) -> dict[str, str]:
    """File name -> finding name for the page's finding CSVs among `names`.

    Parts of a page name hold no dot, so a longer page that shares this prefix
    (`STEM.since-DATE.comparison.csv`) is never mistaken for one of its findings."""
    prefix = f"{stem}."
    found = {}
    for name in names:
        if name.startswith(prefix) and name.endswith(".csv"):
            finding = name[len(prefix) : -len(".csv")]
            if finding and "." not in finding:
                found[name] = finding
    return found


def read_findings(out_dir: Path, stem: str) -> Findings | None:
    """The published findings of a page, or None when the page is not published at all."""
    if not (out_dir / f"{stem}.html").is_file():
        return None
    try:
        names = os.listdir(out_dir)
    except OSError:
        return {}
    found = {}
    for name, finding in finding_files(stem, names).items():
        try:
            found[finding] = (out_dir / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue  # vanished or unreadable: as if the finding were not there
    return found


def compare_page(stem: str, before: Findings | None, after: Findings) -> PageChange:
    """Compare a page's findings before and after publishing (finding by finding, by name)."""
    if before is None:
        return PageChange(stem, "new")
    moves: list[Move] = []
    for finding in sorted(set(before) | set(after)):
        old, new = before.get(finding), after.get(finding)
        if old == new:
            continue
        moves += [Move(finding, text) for text in finding_moves(old, new)]
    return PageChange(stem, "changed" if moves else "unchanged", tuple(moves))


def finding_moves(before: str | None, after: str | None) -> list[str]:
    """What moved in one finding's CSV, one sentence per row (or per whole table)."""
    if before == after:
        return []
    if before is None or after is None:
        rows = _rows(cast(str, after if before is None else before))  # not both: equal above
        count = max(len(rows) - 1, 0) if rows is not None else 0
        word = "row" if count == 1 else "rows"
        return [f"table added ({count} {word})" if before is None else "table removed"]
    old, new = _rows(before), _rows(after)
    if old is None or new is None or not old or not new:
        return ["changed (not readable as a table)"]
    return _table_moves(old, new)


def _rows(text: str) -> list[list[str]] | None:
    try:
        return [row for row in csv.reader(io.StringIO(text), strict=True) if row]
    except csv.Error:
        return None


def _table_moves(old: list[list[str]], new: list[list[str]]) -> list[str]:
    old_header, new_header = old[0], new[0]
    moves = []
    added = [name for name in new_header if name not in old_header]
    removed = [name for name in old_header if name not in new_header]
    if added:
        moves.append(f"columns added: {', '.join(added)}")
    if removed:
        moves.append(f"columns removed: {', '.join(removed)}")
    columns = [name for name in new_header if name in old_header]
    if not columns:
        return moves
    old_records = _records(old_header, old[1:], columns)
    new_records = _records(new_header, new[1:], columns)
    width = _key_width(len(columns), old_records, new_records)
    before = _keyed(old_records, width)
    after = _keyed(new_records, width)
    for key, record in after.items():
        label = _label(key)
        if key not in before:
            moves.append(f"{label}: added")
        elif before[key] != record:
            moves.append(f"{label}: {_cells(columns, before[key], record, width)}")
    moves += [f"{_label(key)}: removed" for key in before if key not in after]
    return moves


def _records(header: list[str], rows: list[list[str]], columns: list[str]) -> list[list[str]]:
    """Rows as the cells of `columns`, in that order (short rows padded with empty cells)."""
    positions = [header.index(name) for name in columns]
    return [[row[i] if i < len(row) else "" for i in positions] for row in rows]


def _key_width(columns: int, *tables: list[list[str]]) -> int:
    """The fewest leading columns that tell every row apart in every version (all of them
    when even whole rows repeat; repeats are then told apart by their order)."""
    for width in range(1, columns + 1):
        if all(_unique(table, width) for table in tables):
            return width
    return columns


def _unique(table: Sequence[list[str]], width: int) -> bool:
    keys = [tuple(row[:width]) for row in table]
    return len(keys) == len(set(keys))


def _keyed(table: list[list[str]], width: int) -> dict[tuple[str, ...], list[str]]:
    seen: Counter[tuple[str, ...]] = Counter()
    keyed = {}
    for row in table:
        key = tuple(row[:width])
        seen[key] += 1
        keyed[key if seen[key] == 1 else (*key, f"#{seen[key]}")] = row
    return keyed


def _label(key: tuple[str, ...]) -> str:
    return " / ".join(_short(part) for part in key if part) or EMPTY


def _cells(columns: list[str], old: list[str], new: list[str], width: int) -> str:
    """The changed cells of one row: the first few with their values (words speak for
    themselves, numbers are named by their column), the rest by column name only."""
    shown: list[str] = []
    named: list[str] = []
    for column, before, after in zip(columns[width:], old[width:], new[width:], strict=True):
        if before == after:
            continue
        if len(shown) < SHOWN_CELLS and max(len(before), len(after)) <= MAX_VALUE:
            values = f"{_short(before) or EMPTY}{ARROW}{_short(after) or EMPTY}"
            numeric = _is_number(before) or _is_number(after)
            shown.append(f"{column} {values}" if numeric else values)
        else:
            named.append(column)
    if not named:
        return ", ".join(shown)
    also = f"{', '.join(named)} changed"
    return f"{', '.join(shown)}; also {also}" if shown else also


def _is_number(value: str) -> bool:
    return bool(NUMBER.fullmatch(value.strip()))


def _short(value: str) -> str:
    """A cell on one line (a CSV cell may hold line breaks), cut at MAX_VALUE characters."""
    value = " ".join(value.split())
    return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"


def run_report(
    run_time: dt.datetime, changes: Iterable[PageChange], failed: Iterable[str] = ()
) -> dict[str, object]:
    """What `report/changes.json` holds: this run's time (UTC), every page whose findings moved
    with its moves (the first MAX_MOVES, then a count), the pages published for the first
    time, how many were published unchanged, and the pages that failed (they changed nothing).
    """
    pages = sorted(changes, key=lambda change: change.stem)
    return {
        "run": utc_stamp(run_time),
        "changed": [
            {
                "page": change.stem,
                "file": f"{change.stem}.html",
                "summary": change.summary(),
                "moves": [
                    {"finding": move.finding, "move": move.text}
                    for move in change.moves[:MAX_MOVES]
                ],
                "more": max(len(change.moves) - MAX_MOVES, 0),
            }
            for change in pages
            if change.status == "changed"
        ],
        "new": [change.stem for change in pages if change.status == "new"],
        "unchanged": sum(change.status == "unchanged" for change in pages),
        "failed": sorted(failed),
    }


def report_json(report: dict[str, object]) -> bytes:
    return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def index_marks(out_dir: Path) -> dict[str, tuple[str, str]] | None:
    """Page stem -> (`new` or `changed`, what moved) from the last run's changes.json, for the
    index; None when there is no readable record of a run."""
    try:
        report = json.loads((out_dir / CHANGES_NAME).read_text(encoding="utf-8"))
        marks: dict[str, tuple[str, str]] = {
            str(stem): ("new", "") for stem in report.get("new", [])
        }
        for page in report.get("changed", []):
            marks[str(page["page"])] = ("changed", str(page["summary"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return marks
