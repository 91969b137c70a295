"""Compare reactions across actors: positions on an issue, neighbours, counts.

An actor's *position* follows from its dated worded statements by the codebook's rule (see
`positions`); its latest words are kept beside it where they differ. A later silence does not
erase a position, it is reported beside it. Silence is never a zero. Everything here returns
codes and numbers (stance codes, scores, record kinds); the words are made in the presentation
layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from reactions.categories import as_text
from reactions.codebook import LATEST, Codebook
from reactions.dataset import Dataset, english_quotes

PRECISION_RANK = {"day": 0, "week": 1, "month": 2}  # more exact dates win ties
STATED, SILENT, NO_RECORD = "stated", "silent", "none"  # record kinds of a position


def as_timestamp(as_of: str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize()


def statements_as_of(
    dataset: Dataset,
    as_of: str | pd.Timestamp,
    issue: str | None = None,
    actor: str | None = None,
) -> pd.DataFrame:
    """Statements said on or before `as_of` (optionally on one issue, by one actor), oldest first.

    Within one date the more exact date comes later, then the clearer wording (larger |score|):
    when an actor said several things on one day, its clearest words are its position that day.
    Every column is text (see `categories.as_text`), plus `score` and `english`.
    """
    rows, score = _ordered(dataset, as_of, issue, actor)
    return _rows(dataset, rows, score)


def _ordered(
    dataset: Dataset, as_of: str | pd.Timestamp, issue: str | None, actor: str | None
) -> tuple[np.ndarray, pd.Series]:
    """Positions in `dataset.statements` of the statements chosen, in statements_as_of's order,
    and their scores. One mask, then the order found on the sort keys alone: the rows
    themselves are copied once, by `_rows`, and only those a page shows."""
    statements = dataset.statements
    keep = statements["date"] <= as_timestamp(as_of)
    if issue is not None:
        keep &= statements["issue"] == issue
    if actor is not None:
        keep &= statements["actor_id"] == actor
    rows = np.flatnonzero(keep.to_numpy())
    # A categorical key is mapped once per category, and sorts as its text (sorted categories).
    keys = statements[["date", "date_precision", "stance", "statement_id"]].iloc[rows]
    score = keys["stance"].map(dataset.codebook.score).astype("Float64")
    ranked = keys.assign(
        _precision=keys["date_precision"].map(PRECISION_RANK).astype(int),
        _clarity=score.abs().fillna(-1),
    )
    ordered = ranked.sort_values(
        ["date", "_precision", "_clarity", "statement_id"], ascending=[True, False, True, True]
    )
    order = ranked.index.get_indexer(ordered.index)
    return rows[order], score.iloc[order]


def _rows(dataset: Dataset, rows: np.ndarray, score: pd.Series) -> pd.DataFrame:
    """The statements at `rows` (positions), as text, with their `score` and `english` words."""
    chosen = as_text(dataset.statements.iloc[rows])
    chosen = chosen.assign(score=score.array, english=english_quotes(chosen))
    return chosen.reset_index(drop=True)


def data_as_of(dataset: Dataset, as_of: str | pd.Timestamp) -> pd.Timestamp | None:
    """The date of the newest row (statement or recorded silence) on or before `as_of`: how
    current the record a page reads is; None when nothing is on record by then."""
    dates = dataset.statements["date"]
    on_record = dates[dates <= as_timestamp(as_of)]
    return None if on_record.empty else pd.Timestamp(on_record.max())


def events_as_of(dataset: Dataset, as_of: str | pd.Timestamp) -> pd.DataFrame:
    return dataset.events[dataset.events["date"] <= as_timestamp(as_of)]


def positions(dataset: Dataset, issue: str, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """One row per actor of actors.csv: its position on `issue` as of `as_of`.

    The position follows the codebook's `position` rule (see `_position_rows`). `record` says
    whether the actor stated a stance, was only silent, or has no statement. Where the actor's
    latest words differ from the statement that sets its position, `latest_*` describe them
    (else they are empty). `silent_since` / `silent_occasion` describe a silence that came after
    its latest words: silence never changes a position.
    """
    ordered, score = _ordered(dataset, as_of, issue, None)
    chosen = _position_rows(dataset, ordered, score)
    said = _rows(dataset, ordered[chosen.all], score.iloc[chosen.all]).set_index("statement_id")
    rows = []
    actor: Any  # a record of actors.csv: its fields' types are the columns'
    for actor in dataset.actors.itertuples(index=False):
        row = {"actor_id": actor.actor_id, "name": actor.name, "group": actor.group}
        row |= EMPTY_POSITION
        ids = chosen.by_actor.get(actor.actor_id, {})
        silence = cast(pd.Series, said.loc[ids["silence"]]) if "silence" in ids else None
        if "position" in ids:
            statement = cast(pd.Series, said.loc[ids["position"]])
            latest = cast(pd.Series, said.loc[ids["latest"]])
            row |= _statement_fields(statement, ids["position"], STATED)
            if ids["latest"] != ids["position"]:
                row |= {f"latest_{field}": latest[field] for field in LATEST_FIELDS}
                row |= {"latest_statement_id": ids["latest"], "latest_quote_en": latest["english"]}
            if silence is not None and silence["date"] > latest["date"]:
                row |= {"silent_since": silence["date"], "silent_occasion": silence["occasion"]}
        elif silence is not None:
            row |= _statement_fields(silence, ids["silence"], SILENT)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("date", "silent_since", "latest_date"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("score", "latest_score"):
        frame[column] = frame[column].astype("Float64")
    return frame


@dataclass(frozen=True)
class _Chosen:
    """Per actor, the statement ids that matter (`position`, `latest` words, last `silence`),
    and `all`: their places in the ordered statements, in order."""

    by_actor: dict[str, dict[str, str]]
    all: np.ndarray


def _position_rows(dataset: Dataset, rows: np.ndarray, score: pd.Series) -> _Chosen:
    """Which statement sets each actor's position, under the codebook's rule.

    `latest-words`: its latest worded statement. `strongest-in-direction` (the default): on one
    day the clearest words win; later words in the same direction set the position only if at
    least as strong, so milder words do not soften it; a hedge (0), a reversal of direction or a
    row that names the statement it `supersedes` starts anew. Silence never changes it.
    Vectorized over the ordered statements: a position is the latest strongest statement of the
    actor's last run of words in one direction.
    """
    statements = dataset.statements
    frame = pd.DataFrame(
        {
            "place": np.arange(len(rows)),
            "actor": statements["actor_id"].iloc[rows].astype(str).to_numpy(),
            "id": statements["statement_id"].iloc[rows].astype(str).to_numpy(),
            "score": score.to_numpy(dtype=float, na_value=np.nan),
            "withdraws": statements["supersedes"].iloc[rows].astype(str).to_numpy() != "",
        }
    )
    worded = frame[frame["score"].notna()].sort_values(["actor", "place"], kind="stable")
    sign = np.sign(worded["score"])
    if dataset.codebook.position == LATEST:
        starts = pd.Series(True, index=worded.index)
    else:
        starts = (
            (worded["actor"] != worded["actor"].shift())
            | (sign != sign.shift())
            | (sign == 0)
            | worded["withdraws"]
        )
    runs = worded.assign(run=starts.cumsum(), strength=worded["score"].abs())
    last_run = runs[runs["run"] == runs.groupby("actor")["run"].transform("max")]
    strongest = last_run[
        last_run["strength"] == last_run.groupby("actor")["strength"].transform("max")
    ]
    position = strongest.groupby("actor").tail(1)
    latest = worded.groupby("actor").tail(1)
    silence = frame[frame["score"].isna()].groupby("actor").tail(1)
    by_actor: dict[str, dict[str, str]] = {}
    for kind, chosen in (("position", position), ("latest", latest), ("silence", silence)):
        for actor_id, statement_id in zip(chosen["actor"], chosen["id"], strict=True):
            by_actor.setdefault(actor_id, {})[kind] = statement_id
    places = np.unique(
        np.concatenate([part["place"].to_numpy() for part in (position, latest, silence)])
    )
    return _Chosen(by_actor, places)


EMPTY_POSITION: dict[str, object] = {
    "record": NO_RECORD,
    "stance": "",
    "score": None,
    "date": pd.NaT,
    "date_precision": "",
    "speaker": "",
    "speaker_role": "",
    "occasion": "",
    "quote": "",
    "quote_language": "",
    "quote_en": "",
    "excerpt": "",
    "excerpt_en": "",
    "spoken_language": "",
    "translated_by": "",
    "publisher": "",
    "source_title": "",
    "source_url": "",
    "source_kind": "",
    "statement_id": "",
    "silent_since": pd.NaT,
    "silent_occasion": "",
    "latest_statement_id": "",
    "latest_stance": "",
    "latest_score": None,
    "latest_date": pd.NaT,
    "latest_date_precision": "",
    "latest_speaker": "",
    "latest_speaker_role": "",
    "latest_quote_en": "",
    "latest_publisher": "",
    "latest_source_title": "",
    "latest_source_url": "",
}
# What a position says of the actor's latest words, when they are not the position's.
LATEST_FIELDS = (
    "stance",
    "score",
    "date",
    "date_precision",
    "speaker",
    "speaker_role",
    "publisher",
    "source_title",
    "source_url",
)
POSITION_FIELDS = [
    field
    for field in EMPTY_POSITION
    if field not in ("record", "quote_en", "statement_id", "silent_since", "silent_occasion")
    and not field.startswith("latest_")
]


def _statement_fields(statement: pd.Series, statement_id: str, record: str) -> dict[str, object]:
    """A position's fields from the statement that gives it; `quote_en` is the English shown."""
    fields = {field: statement[field] for field in POSITION_FIELDS}
    return fields | {
        "record": record,
        "quote_en": statement["english"],
        "statement_id": statement_id,
    }


@dataclass(frozen=True)
class Neighbours:
    """Nearest worded positions strictly below and above the focal actor's, and level with it."""

    below: pd.DataFrame
    level: pd.DataFrame
    above: pd.DataFrame


def neighbours(table: pd.DataFrame, focal_actor: str, among: list[str] | None = None) -> Neighbours:
    """Neighbours on the scale among `among` (all actors when empty) that stated a stance."""
    focal_score = table.loc[table["actor_id"] == focal_actor, "score"].iloc[0]
    peers = table[(table["record"] == STATED) & (table["actor_id"] != focal_actor)]
    if among:
        peers = peers[peers["actor_id"].isin(among)]
    if pd.isna(focal_score):
        empty = peers.iloc[0:0]
        return Neighbours(empty, empty, empty)
    lower = peers[peers["score"] < focal_score]
    higher = peers[peers["score"] > focal_score]
    return Neighbours(
        below=lower[lower["score"] == lower["score"].max()].sort_values("name"),
        level=peers[peers["score"] == focal_score].sort_values("name"),
        above=higher[higher["score"] == higher["score"].min()].sort_values("name"),
    )


def field_counts(table: pd.DataFrame) -> dict[str, int]:
    """How a positions table divides: by the sign of the stated scores, with the actors that were
    only silent and those with no record counted apart (silence is never a score)."""
    scores = table.loc[table["record"] == STATED, "score"].astype(float)
    return {
        "on_record": int((table["record"] != NO_RECORD).sum()),
        "rejecting": int((scores < 0).sum()),
        "ambiguous": int((scores == 0).sum()),
        "supporting": int((scores > 0).sum()),
        SILENT: int((table["record"] == SILENT).sum()),
        NO_RECORD: int((table["record"] == NO_RECORD).sum()),
    }


def stance_codes(codebook: Codebook) -> list[str]:
    """Stance codes in scale order, silence last."""
    return [stance.code for stance in codebook.scored_stances] + sorted(codebook.silent_codes)


def coverage(dataset: Dataset, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """Statements per issue (rows) and stance (columns, codes) on record as of a date, plus the
    number of actors per issue: what a reviewer checks moved."""
    codebook, statements = dataset.codebook, dataset.statements
    on_record = (statements["date"] <= as_timestamp(as_of)).to_numpy()
    statements = statements.loc[on_record, ["issue", "stance", "actor_id"]]
    # Grouped by code, observed pairs only: a crosstab held 1 GB over 5M statements.
    counts = statements.groupby(["issue", "stance"], observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(
        index=list(codebook.issues), columns=stance_codes(codebook), fill_value=0
    )
    counts["actors"] = (
        statements.groupby("issue", observed=True)["actor_id"]
        .nunique()
        .reindex(list(codebook.issues), fill_value=0)
        .to_numpy()
    )
    return counts.rename_axis(index="issue", columns=None).reset_index()


def stance_history(
    dataset: Dataset, actor: str, as_of: str | pd.Timestamp, issue: str | None = None
) -> pd.DataFrame:
    """Everything an actor said (or left unsaid) up to a date, on one issue or all, oldest first."""
    return statements_as_of(dataset, as_of, issue, actor)


MIN_FOR_STATISTICS = 3  # below this many stated actors, a group is described by its members


def group_summary(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per group (codebook order): actors, actors per stance code, silent, no record, how many
    stated a stance (`stated`), and over those, the share rejecting and the median score, only
    when at least MIN_FOR_STATISTICS stated (a median of two ordinal codes misleads); smaller
    groups list their `members` as (name, stance code, score), most rejecting first.

    Silent actors and actors with no record are counted in their own columns, never as zeros.
    """
    stated = table[table["record"] == STATED]
    rows = []
    for code in codebook.groups:
        members = table[table["group"] == code]
        if members.empty:
            continue
        own = stated[stated["group"] == code].sort_values(["score", "name"])
        scores = own["score"].astype(float)
        enough = len(scores) >= MIN_FOR_STATISTICS
        row: dict[str, object] = {"group": code, "actors": len(members)}
        for stance in codebook.scored_stances:
            row[stance.code] = int((members["stance"] == stance.code).sum())
        row[SILENT] = int((members["record"] == SILENT).sum())
        row[NO_RECORD] = int((members["record"] == NO_RECORD).sum())
        row["stated"] = len(scores)
        row["share_rejecting"] = float((scores < 0).mean()) if enough else float("nan")
        row["median_score"] = float(scores.median()) if enough else float("nan")
        row["members"] = (
            []
            if enough
            else list(zip(own["name"], own["stance"], own["score"].astype(float), strict=True))
        )
        rows.append(row)
    return pd.DataFrame(rows)


def changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Actors whose position (stance or record) differs between two positions tables: codes and
    scores on both sides, the shift in score and the date of the later position."""
    merged = before.merge(after, on=["actor_id", "name"], suffixes=("_before", "_after"))
    moved = merged[
        (merged["stance_before"] != merged["stance_after"])
        | (merged["record_before"] != merged["record_after"])
    ]
    columns = ["actor_id", "name"] + [
        f"{field}_{side}" for side in ("before", "after") for field in ("record", "stance", "score")
    ]
    return (
        moved[columns]
        .assign(
            shift=moved["score_after"] - moved["score_before"],
            date=moved["date_after"],
            date_precision=moved["date_precision_after"],
        )
        .reset_index(drop=True)
    )


def silences(dataset: Dataset, actor: str, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The occasions on which an actor left issues unaddressed, with the issue codes it left out."""
    said = statements_as_of(dataset, as_of, actor=actor)
    silent = said[said["score"].isna()]
    grouped = silent.groupby(["date", "occasion"], sort=True)["issue"].agg(
        lambda issues: list(dict.fromkeys(issues))
    )
    return grouped.rename("issues").reset_index()


def matrix(
    dataset: Dataset, as_of: str | pd.Timestamp, issues: list[str], group: str | None = None
) -> pd.DataFrame:
    """Actors x issues, long form: each actor's position on each issue as of a date."""
    tables = [positions(dataset, issue, as_of).assign(issue=issue) for issue in issues]
    long = pd.concat(tables, ignore_index=True)
    if group:
        long = long[long["group"] == group]
    return long.reset_index(drop=True)


def group_summaries(long: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """group_summary for every issue of a matrix (see `matrix`), one block of rows per issue."""
    blocks = [
        group_summary(table, codebook).assign(issue=issue)
        for issue, table in long.groupby("issue", sort=False)
    ]
    combined = pd.concat(blocks, ignore_index=True)
    return combined[["issue", *[c for c in combined.columns if c != "issue"]]]


def stance_runs(statements: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each actor's latest stance per period, merged into runs of the same stance.

    `statements` must be ordered as statements_as_of orders them (the last of a period is its
    latest, clearest word). Returns actor_id, stance, start, end, statements (count in the run).
    """
    periods = statements["date"].dt.to_period(period)
    latest = (
        statements.assign(_period=periods)
        .groupby(["actor_id", "_period"], sort=True)
        .agg(stance=("stance", "last"), statements=("stance", "size"))
        .reset_index()
    )
    new_run = (latest["actor_id"] != latest["actor_id"].shift()) | (
        latest["stance"] != latest["stance"].shift()
    )
    latest["_run"] = new_run.cumsum()
    runs = latest.groupby("_run").agg(
        actor_id=("actor_id", "first"),
        stance=("stance", "first"),
        first=("_period", "first"),
        last=("_period", "last"),
        statements=("statements", "sum"),
    )
    return pd.DataFrame(
        {
            "actor_id": runs["actor_id"],
            "stance": runs["stance"],
            "start": runs["first"].map(lambda p: p.start_time),
            "end": runs["last"].map(lambda p: p.end_time.normalize() + pd.Timedelta(days=1)),
            "statements": runs["statements"],
        }
    ).reset_index(drop=True)
