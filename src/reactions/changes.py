"""What moved between two published versions of a page, in words an editor reads at a glance,
and what the report folder remembers of it from run to run.

A page's findings are its one-CSV-per-finding files (`STEM.FINDING.csv`), which already hold
words (the codebook's labels), so saying what moved is a presentation job that needs to know
nothing about any story or notebook: rows are keyed by their first column (or the fewest
leading columns that tell them apart), and for rows present in both versions the changed cells
are named, e.g. `Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2`. Labels
keep the data's own case: lowercasing cannot tell a stance ("Implicit rejection") from a name
("Russia's partners").

What counts as a change: every finding CSV but those in COVERAGE_FINDINGS, which only count
what is on record (statements per issue and stance, actors per issue) and so move whenever any
statement of the story is added or recoded, on every page of that story; their moves are kept,
as one line per table ("counts moved in 3 rows"), but alone they leave a page `recounted`, not
`changed`. Beside the findings, the executed notebook (`STEM.ipynb`) says the page's title, its
headline (the output in role present.HEADLINE_ROLE) and the data version it was made from: a
moved title or headline is a change too, and a change made while the data version changed is a
correction (the data were corrected or completed).

A publish run reads a page (findings and notebook) just before its new files replace it, under
the publish lock, and compares it with the new files; `run_report` is what `report/changes.json`
holds, and `index_marks` what the index shows beside each page. The run's memory is
`report/history.json` (`updated_history`): per page, when it was first published, the date of
the last run that changed it (`last_changed`) and its corrections, which every later publish of
the page writes into its HTML (`with_corrections`) until the page is removed.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import html
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import nbformat

from reactions.html import role_output
from reactions.present import HEADLINE_ROLE, METADATA_KEY, PROVENANCE_ROLE
from reactions.provenance import long_date, utc_stamp

CHANGES_NAME = "changes.json"
HISTORY_NAME = "history.json"  # the run's memory: first published, last changed, corrections
# Findings that only count what is on record (compare.coverage: statements per issue and
# stance, actors per issue). Any statement added or recoded anywhere in a story moves them on
# every page of the story as of a later date, so alone they do not make a page changed.
COVERAGE_FINDINGS = frozenset({"coverage"})
STRUCTURAL = ("table added", "table removed", "columns added", "columns removed", "changed (")
CORRECTIONS_MARK = "<!-- reactions:corrections -->"  # the page template's placeholder
NOTE_MOVES = 3  # moves a page's correction note names; the rest are counted
HEAD_BYTES = 65536  # of a page's HTML, where its <title> is looked for
WHOLE_WORDS = 40  # a moved text this short is shown whole; a longer one, around what moved
CONTEXT_WORDS = 4  # words kept on each side of what moved in a longer text
GAP = "…"
MAX_MOVES = 12  # moves listed per page; the rest are counted ("and N more")
MAX_VALUE = 60  # characters of a cell shown in a move; a longer cell is only named
SHOWN_CELLS = 2  # changed cells of one row shown with their values; the others only named
ARROW = " → "
EMPTY = "(empty)"
NUMBER = re.compile(r"[+\-−]?(\d+(\.\d*)?|\.\d+)%?")

Findings = dict[str, str]  # finding name -> its CSV text
# new: first published; changed: a finding that counts, the title or the headline moved;
# recounted: only coverage counts moved; unchanged: nothing moved.
Status = Literal["new", "changed", "recounted", "unchanged"]
Moved = tuple[str, str]  # (before, after) of something that moved


@dataclass(frozen=True)
class Move:
    """One thing that moved in one finding, in words."""

    finding: str
    text: str


@dataclass(frozen=True)
class PageFacts:
    """What a published page says beyond its findings, from its executed notebook ("" when it
    does not say: no title or headline output, no provenance, an unreadable notebook)."""

    title: str = ""
    headline: str = ""
    data_version: str = ""


@dataclass(frozen=True)
class Snapshot:
    """A page as readers see it: its findings and its facts."""

    findings: Findings
    facts: PageFacts = field(default=PageFacts())


@dataclass(frozen=True)
class PageChange:
    """A published page compared with the copy it replaced: `new` when there was none.

    `headline` and `retitled` hold (before, after) when the headline or the title moved;
    `data_version` when the data it was made from changed; `on` is the UTC date (YYYY-MM-DD)
    the new version was published, set by the publish run."""

    stem: str
    status: Status
    moves: tuple[Move, ...] = field(default=())
    title: str = ""
    headline: Moved | None = None
    retitled: Moved | None = None
    data_version: Moved | None = None
    on: str = ""

    @property
    def correction(self) -> bool:
        """The page changed while its data version changed: the data were corrected."""
        return self.status == "changed" and self.data_version is not None

    def summary(self, limit: int = 1) -> str:
        """The first `limit` moves and how many more, for the index; a moved headline first,
        beside them."""
        shown = "; ".join(move.text for move in self.moves[:limit])
        more = len(self.moves) - limit
        shown = f"{shown} (and {more} more)" if more > 0 else shown
        if self.headline:
            return f"Headline changed; {shown}" if shown else "Headline changed"
        return shown


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


def read_page(out_dir: Path, stem: str) -> Snapshot | None:
    """A published page as readers see it, or None when it is not published at all."""
    found = read_findings(out_dir, stem)
    if found is None:
        return None
    return Snapshot(
        found, page_facts(_read(out_dir / f"{stem}.ipynb"), lambda: _head(out_dir, stem))
    )


def files_snapshot(stem: str, files: Mapping[str, bytes]) -> Snapshot:
    """A built page (its files as bytes, before they are published) as readers will see it."""
    found = {
        finding: files[name].decode("utf-8", errors="replace")
        for name, finding in finding_files(stem, files).items()
    }
    page = files.get(f"{stem}.html", b"")[:HEAD_BYTES]
    return Snapshot(found, page_facts(files.get(f"{stem}.ipynb"), lambda: page))


def page_facts(notebook: bytes | None, head: Callable[[], bytes] | None = None) -> PageFacts:
    """Title, headline and data version from an executed notebook's bytes: the title from the
    output in role "title", else the HTML's <title> (`head()`: the page's first bytes). What
    cannot be read is "": an odd notebook never stops a publish, it only moves nothing."""
    title = headline = version = ""
    try:
        node = nbformat.v4.reads(notebook.decode("utf-8", errors="replace")) if notebook else None
        if node is not None:
            title, headline = _role_text(node, "title"), _role_text(node, HEADLINE_ROLE)
            record = node.metadata.get(METADATA_KEY, {}).get("provenance", {})
            footer = role_output(node, PROVENANCE_ROLE)
            if not record and footer is not None:
                record = footer.get("metadata", {}).get(METADATA_KEY, {}).get("provenance", {})
            version = str(record.get("data_version") or "")
    except Exception:  # not JSON, not a notebook, a record of another shape
        pass
    if not title and head is not None:
        found = re.search(rb"<title>(.*?)</title>", head(), re.DOTALL | re.IGNORECASE)
        if found:
            title = " ".join(html.unescape(found.group(1).decode("utf-8", "replace")).split())
    return PageFacts(title, headline, version)


def _role_text(notebook: nbformat.NotebookNode, role: str) -> str:
    output = role_output(notebook, role)
    if output is None:
        return ""
    text = output.get("data", {}).get("text/plain", "")
    return " ".join(str(text).split())


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _head(out_dir: Path, stem: str) -> bytes:
    try:
        with (out_dir / f"{stem}.html").open("rb") as stream:
            return stream.read(HEAD_BYTES)
    except OSError:
        return b""


def compare_page(stem: str, before: Findings | None, after: Findings) -> PageChange:
    """Compare a page's findings before and after publishing (finding by finding, by name)."""
    return compare_snapshots(stem, None if before is None else Snapshot(before), Snapshot(after))


def compare_snapshots(stem: str, before: Snapshot | None, after: Snapshot) -> PageChange:
    """Compare a page before and after publishing: its findings finding by finding (coverage
    counts grouped into one line per table, last), its title, its headline, its data version."""
    title = after.facts.title
    if before is None:
        return PageChange(stem, "new", title=title)
    counted: list[Move] = []
    counts: list[Move] = []
    for finding in sorted(set(before.findings) | set(after.findings)):
        old, new = before.findings.get(finding), after.findings.get(finding)
        if old == new:
            continue
        texts = finding_moves(old, new)
        if finding in COVERAGE_FINDINGS:
            counts += [Move(finding, text) for text in _grouped(texts)]
        else:
            counted += [Move(finding, text) for text in texts]
    old_facts, new_facts = before.facts, after.facts
    headline = _moved(old_facts.headline, new_facts.headline)
    retitled = _moved(old_facts.title, new_facts.title)
    status: Status = "unchanged"
    if counted or headline or retitled:
        status = "changed"
    elif counts:
        status = "recounted"
    return PageChange(
        stem,
        status,
        tuple(counted + counts),
        title=title,
        headline=headline,
        retitled=retitled,
        data_version=_moved(old_facts.data_version, new_facts.data_version),
    )


def _moved(before: str, after: str) -> Moved | None:
    """(before, after) when both are known and differ: an unreadable notebook moves nothing."""
    return (before, after) if before and after and before != after else None


def _grouped(texts: list[str]) -> list[str]:
    """A counting table's moves: rows that moved as one line; a table or column added or
    removed as it is."""
    rows = [text for text in texts if not text.startswith(STRUCTURAL)]
    grouped = [text for text in texts if text.startswith(STRUCTURAL)]
    if rows:
        grouped.append(f"counts moved in {len(rows)} {'row' if len(rows) == 1 else 'rows'}")
    return grouped


def excerpts(before: str, after: str) -> Moved:
    """Two versions of a sentence or paragraph (a headline) cut to what moved: whole when
    short, else the words that moved with CONTEXT_WORDS on each side, the rest as "…"."""
    old, new = before.split(), after.split()
    if max(len(old), len(new)) <= WHOLE_WORDS:
        return before, after
    groups = list(
        difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_grouped_opcodes(CONTEXT_WORDS)
    )
    if not groups:
        return before, after
    spans = [((g[0][1], g[-1][2]), (g[0][3], g[-1][4])) for g in groups]
    return _excerpt(old, [a for a, _ in spans]), _excerpt(new, [b for _, b in spans])


def _excerpt(words: list[str], spans: list[tuple[int, int]]) -> str:
    parts = [" ".join(words[start:end]) for start, end in spans]
    text = f" {GAP} ".join(part for part in parts if part)
    if spans[0][0] > 0:
        text = f"{GAP} {text}"
    if spans[-1][1] < len(words):
        text = f"{text} {GAP}"
    return text


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
    """What `report/changes.json` holds: this run's time (UTC); every page that changed, with
    its title, a moved headline or title (before and after), whether it was a correction (the
    data version before and after) and its moves (the first MAX_MOVES, then a count); the pages
    published for the first time; those where only coverage counts moved (`recounted`); how
    many were published unchanged; and the pages that failed (they changed nothing)."""
    pages = sorted(changes, key=lambda change: change.stem)
    return {
        "run": utc_stamp(run_time),
        "changed": [
            {
                "page": change.stem,
                "file": f"{change.stem}.html",
                "title": change.title,
                "summary": change.summary(),
                "headline": _pair(change.headline),
                "title_changed": _pair(change.retitled),
                "correction": (
                    {"date": change.on or run_time.date().isoformat()}
                    | {"data_version": _pair(change.data_version)}
                    if change.correction
                    else None
                ),
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
        "recounted": [change.stem for change in pages if change.status == "recounted"],
        "unchanged": sum(change.status == "unchanged" for change in pages),
        "failed": sorted(failed),
    }


def _pair(moved: Moved | None) -> dict[str, str] | None:
    return None if moved is None else {"before": moved[0], "after": moved[1]}


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


# --- the run's memory: history.json, and the corrections a page shows -----------------------


def read_history(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Page stem -> its record (`published`, `last_changed`, `corrections`) from
    `history.json`; empty when there is none or it cannot be read (a run then starts anew)."""
    try:
        pages = json.loads((out_dir / HISTORY_NAME).read_text(encoding="utf-8"))["pages"]
    except (OSError, ValueError, TypeError, KeyError):
        return {}
    if not isinstance(pages, dict):
        return {}
    return {str(stem): record for stem, record in pages.items() if isinstance(record, dict)}


def last_changed(out_dir: Path, stem: str) -> str | None:
    """The UTC date (YYYY-MM-DD) of the last publish run that changed the page (a finding that
    counts, its title or its headline moved), or None: never since it was first published, or
    no record. A page shows what the last finished run recorded: the run that is publishing it
    records its own change when it ends."""
    value = read_history(out_dir).get(stem, {}).get("last_changed")
    return str(value) if value else None


def page_corrections(out_dir: Path, stem: str) -> list[dict[str, Any]]:
    """The corrections on record for a published page, oldest first."""
    corrections = read_history(out_dir).get(stem, {}).get("corrections", [])
    return (
        [item for item in corrections if isinstance(item, dict)]
        if isinstance(corrections, list)
        else []
    )


def correction_record(change: PageChange, date: str) -> dict[str, Any]:
    """What history.json keeps of a correction: its date, the data versions, what moved (in
    words, the first MAX_MOVES) and how many more moves there were."""
    moved = []
    if change.retitled:
        moved.append(f"the title (it was «{change.retitled[0]}»)")
    if change.headline:
        moved.append("the headline")
    moved += [f"{move.finding}: {move.text}" for move in change.moves]
    versions = change.data_version or ("", "")
    return {
        "date": change.on or date,
        "data_version": {"before": versions[0], "after": versions[1]},
        "moved": moved[:MAX_MOVES],
        "more": max(len(moved) - MAX_MOVES, 0),
    }


def updated_history(
    history: Mapping[str, Mapping[str, Any]],
    changes: Iterable[PageChange],
    run_time: dt.datetime,
    published: Collection[str],
) -> dict[str, Any]:
    """history.json after a run: a new page's record starts (first published); a changed page
    gets the run's date as `last_changed` and, when it was a correction, one more correction;
    the pages no longer published (not in `published`) are forgotten."""
    today = run_time.astimezone(dt.UTC).date().isoformat()
    pages = {stem: dict(record) for stem, record in history.items() if stem in published}
    for change in changes:
        date = change.on or today
        if change.status == "new":
            pages[change.stem] = {"published": date, "last_changed": None, "corrections": []}
        elif change.status == "changed":
            record = pages.setdefault(change.stem, {"published": None, "corrections": []})
            record["last_changed"] = date
            if change.correction:
                earlier = record.get("corrections")
                earlier = earlier if isinstance(earlier, list) else []
                record["corrections"] = [*earlier, correction_record(change, date)]
    return {"pages": dict(sorted(pages.items()))}






def correction_note(record: Mapping[str, Any]) -> str:
    """One correction in words (plain text): its date, the data versions, what it moved."""
    versions = record.get("data_version") or {}
    before, after = versions.get("before", ""), versions.get("after", "")
    moved = [str(item) for item in record.get("moved") or []]
    more = int(record.get("more") or 0) + max(len(moved) - NOTE_MOVES, 0)
    what = "; ".join(moved[:NOTE_MOVES]) + (f" (and {more} more)" if more else "")
    data = f" (data version {before}{ARROW}{after})" if before and after else ""
    sentence = f"The data behind this page were corrected{data}"
    return f"{sentence}, which moved {what}." if what else f"{sentence}."


def corrections_block(corrections: Sequence[Mapping[str, Any]]) -> str:
    """The page's corrections, newest first, as the HTML its template's placeholder takes."""
    notes = "".join(
        f'<p class="correction"><strong>Correction, <time datetime="{html.escape(date)}">'
        f"{html.escape(long_date(date))}</time>:</strong> "
        f"{html.escape(correction_note(record))}</p>"
        for record in reversed(corrections)
        for date in [str(record.get("date", ""))]
    )
    return f'<section id="corrections" aria-label="Corrections">{notes}</section>'


def last_changed_line(date: str) -> str:
    """The publisher's dateline: when a publish last moved the page's findings."""
    return (
        f'<p class="last-changed">Last changed <time datetime="{html.escape(date)}">'
        f"{html.escape(long_date(date))}</time></p>"
    )


def with_corrections(
    page: bytes, corrections: Sequence[Mapping[str, Any]], last: str | None = None
) -> bytes:
    """The page's HTML with its "Last changed" line (`last`, a date) and its corrections where
    the template left its placeholder (the first one after the body's `<main>`; right after
    `<main>` in a page made without one); unchanged when there is nothing to show or no
    `<main>`."""
    if not corrections and not last:
        return page
    notes = corrections_block(corrections) if corrections else ""
    block = ((last_changed_line(last) if last else "") + notes).encode("utf-8")
    body = page.find(b"<body")
    main = page.find(b"<main>", body) if body >= 0 else -1  # not a "<main>" in the styles
    if main < 0:
        return page
    start = main + len(b"<main>")
    mark = page.find(CORRECTIONS_MARK.encode(), start)
    if mark < 0:
        return page[:start] + block + page[start:]
    return page[:mark] + block + page[mark + len(CORRECTIONS_MARK) :]


def history_json(history: Mapping[str, Any]) -> bytes:
    return (json.dumps(history, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
