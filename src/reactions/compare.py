"""Compare reactions across actors: latest positions on an issue, neighbours, counts.

An actor's *position* is its latest worded stance (one with a score). A later silence does not
erase it, it is reported beside it: the source article places Belarus by Makei's "national
interests" although Lukashenka said nothing in Sochi afterwards. Silence is never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reactions.codebook import Codebook
from reactions.dataset import Dataset, english_quotes

PRECISION_RANK = {"day": 0, "week": 1, "month": 2}  # more exact dates win ties
STATED, SILENT, NO_RECORD = "stated", "silent", "no record"


def format_score(score: float) -> str:
    """Scores as the codebook writes them: +2, +1, 0, -1, -2; no score for silence."""
    if pd.isna(score):
        return ""
    return f"{int(score):+d}" if score else "0"


def as_timestamp(as_of: str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize()


def statements_as_of(
    dataset: Dataset, as_of: str | pd.Timestamp, issue: str | None = None
) -> pd.DataFrame:
    """Statements said on or before `as_of` (optionally on one issue), oldest first.

    Within one date the more exact date comes later, then the clearer wording (larger |score|):
    when an actor said several things on one day, its clearest words are its position that day.
    """
    statements = dataset.statements
    chosen = statements[statements["date"] <= as_timestamp(as_of)]
    if issue is not None:
        chosen = chosen[chosen["issue"] == issue]
    chosen = chosen.assign(
        score=chosen["stance"].map(dataset.codebook.score).astype("Float64"),
        english=english_quotes(chosen),
    )
    ranked = chosen.assign(
        _precision=chosen["date_precision"].map(PRECISION_RANK),
        _clarity=chosen["score"].abs().fillna(-1),
    )
    ordered = ranked.sort_values(
        ["date", "_precision", "_clarity", "statement_id"], ascending=[True, False, True, True]
    )
    return ordered.drop(columns=["_precision", "_clarity"]).reset_index(drop=True)


def events_as_of(dataset: Dataset, as_of: str | pd.Timestamp) -> pd.DataFrame:
    return dataset.events[dataset.events["date"] <= as_timestamp(as_of)]


def positions(dataset: Dataset, issue: str, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """One row per actor of actors.csv: its position on `issue` as of `as_of`.

    `record` says whether the actor stated a stance, was only silent, or has no statement.
    `silent_since` / `silent_occasion` describe a silence that came after the position.
    """
    said = statements_as_of(dataset, as_of, issue)
    worded = said[said["score"].notna()].groupby("actor_id").tail(1).set_index("actor_id")
    silences = said[said["score"].isna()].groupby("actor_id").tail(1).set_index("actor_id")
    codebook = dataset.codebook
    rows = []
    for actor in dataset.actors.itertuples(index=False):
        row = {
            "actor_id": actor.actor_id,
            "name": actor.name,
            "group": actor.group,
            "group_label": codebook.groups[actor.group],
            **EMPTY_POSITION,
        }
        silence = silences.loc[actor.actor_id] if actor.actor_id in silences.index else None
        if actor.actor_id in worded.index:
            statement = worded.loc[actor.actor_id]
            row |= _statement_fields(statement, STATED)
            if silence is not None and silence["date"] > statement["date"]:
                row |= {"silent_since": silence["date"], "silent_occasion": silence["occasion"]}
        elif silence is not None:
            row |= _statement_fields(silence, SILENT)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("date", "silent_since"):
        frame[column] = pd.to_datetime(frame[column])
    frame["score"] = frame["score"].astype("Float64")
    frame["stance_label"] = frame["stance"].map(
        lambda code: codebook.stance_label(code) if code else NO_RECORD
    )
    return frame


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
    "source_title": "",
    "source_url": "",
    "statement_id": "",
    "silent_since": pd.NaT,
    "silent_occasion": "",
}


POSITION_FIELDS = [
    field
    for field in EMPTY_POSITION
    if field not in ("record", "quote_en", "silent_since", "silent_occasion")
]


def _statement_fields(statement: pd.Series, record: str) -> dict[str, object]:
    """A position's fields from the statement that gives it; `quote_en` is the English shown."""
    fields = {field: statement[field] for field in POSITION_FIELDS}
    return fields | {"record": record, "quote_en": statement["english"]}


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


def stance_counts(table: pd.DataFrame) -> pd.Series:
    """Actors per stance (silence and no record counted apart, never as a score)."""
    labels = table["stance"].where(table["record"] != NO_RECORD, NO_RECORD)
    return labels.value_counts()


def comparison_table(table: pd.DataFrame) -> pd.DataFrame:
    """The brief's table: worded positions from most rejecting to most supporting, then silences."""
    order = table.assign(
        _record=table["record"].map({STATED: 0, SILENT: 1, NO_RECORD: 2}),
    ).sort_values(["_record", "score", "name"], na_position="last")
    order = order[order["record"] != NO_RECORD]
    return pd.DataFrame(
        {
            "actor": order["name"],
            "group": order["group_label"],
            "stance": order["stance_label"],
            "score": order["score"].map(format_score),
            "date": order["date"].dt.strftime("%Y-%m-%d"),
            "quote (English)": order["quote_en"].where(
                order["record"] == STATED, "(silent) " + order["occasion"]
            ),
            "source": order["source_title"],
            "source_url": order["source_url"],
        }
    ).reset_index(drop=True)


def coverage(dataset: Dataset) -> pd.DataFrame:
    """Statements per issue and stance over the whole dataset: what a reviewer checks moved."""
    codebook = dataset.codebook
    stances = [stance.code for stance in codebook.scored_stances] + sorted(codebook.silent_codes)
    counts = pd.crosstab(dataset.statements["issue"], dataset.statements["stance"])
    counts = counts.reindex(index=list(codebook.issues), columns=stances, fill_value=0)
    counts.columns = [codebook.stance_label(code) for code in stances]
    counts.index = [codebook.issues[code] for code in counts.index]
    counts["actors"] = (
        dataset.statements.groupby("issue")["actor_id"]
        .nunique()
        .reindex(list(codebook.issues), fill_value=0)
        .to_numpy()
    )
    return counts.rename_axis("issue").reset_index()


def stance_history(
    dataset: Dataset, actor: str, issue: str, as_of: str | pd.Timestamp
) -> pd.DataFrame:
    """Everything an actor said (or left unsaid) on an issue up to a date, oldest first."""
    said = statements_as_of(dataset, as_of, issue)
    return said[said["actor_id"] == actor].reset_index(drop=True)


def group_summary(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per group: actors per stance, share rejecting and median score of those that stated one.

    Silent actors and actors with no record are counted in their own columns, never as zeros.
    """
    stated = table[table["record"] == STATED]
    rows = []
    for code, label in codebook.groups.items():
        members = table[table["group"] == code]
        if members.empty:
            continue
        scores = stated.loc[stated["group"] == code, "score"].astype(float)
        row = {"group": label, "actors": len(members)}
        for stance in codebook.scored_stances:
            row[stance.label] = int((members["stance"] == stance.code).sum())
        row["silent"] = int((members["record"] == SILENT).sum())
        row["no record"] = int((members["record"] == NO_RECORD).sum())
        row["rejecting"] = f"{(scores < 0).mean():.0%}" if len(scores) else ""
        row["median score"] = _format_median(scores.median()) if len(scores) else ""
        rows.append(row)
    return pd.DataFrame(rows)


def _format_median(median: float) -> str:
    return "0" if median == 0 else f"{median:+g}"


def changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Actors whose position (stance or record) differs between two positions tables."""
    merged = before.merge(after, on="actor_id", suffixes=("_before", "_after"))
    moved = merged[
        (merged["stance_before"] != merged["stance_after"])
        | (merged["record_before"] != merged["record_after"])
    ]
    return pd.DataFrame(
        {
            "actor_id": moved["actor_id"],
            "actor": moved["name_after"],
            "before": moved.apply(lambda row: _side_text(row, "before"), axis=1),
            "after": moved.apply(lambda row: _side_text(row, "after"), axis=1),
            "shift": (moved["score_after"] - moved["score_before"]).map(format_score),
            "date": moved["date_after"].dt.strftime("%Y-%m-%d"),
        }
    ).reset_index(drop=True)


def _side_text(row: pd.Series, side: str) -> str:
    return stance_text(row[f"record_{side}"], row[f"stance_label_{side}"], row[f"score_{side}"])


def stance_text(record: str, stance_label: str, score: float) -> str:
    """A position in a table cell: "implicit rejection (-1)", "silent", "no record"."""
    if record == NO_RECORD:
        return NO_RECORD
    shown = format_score(score)
    return f"{stance_label.lower()} ({shown})" if shown else stance_label.lower()


def silences(dataset: Dataset, actor: str, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The occasions on which an actor left issues unaddressed, with the issues it left out."""
    said = statements_as_of(dataset, as_of)
    silent = said[(said["actor_id"] == actor) & said["score"].isna()]
    grouped = silent.groupby(["date", "occasion"], sort=True)["issue"].agg(
        lambda issues: [dataset.codebook.issues[code] for code in dict.fromkeys(issues)]
    )
    return grouped.rename("issues").reset_index()


def matrix(
    dataset: Dataset, as_of: str | pd.Timestamp, issues: list[str], group: str | None = None
) -> pd.DataFrame:
    """Actors x issues, long form: each actor's position on each issue as of a date."""
    tables = []
    for issue in issues:
        table = positions(dataset, issue, as_of)
        tables.append(table.assign(issue=issue, issue_label=dataset.codebook.issues[issue]))
    long = pd.concat(tables, ignore_index=True)
    if group:
        long = long[long["group"] == group]
    cell = long["score"].map(format_score).where(long["record"] == STATED, long["record"])
    return long.assign(cell=cell.replace(NO_RECORD, "")).reset_index(drop=True)


def group_summaries(long: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """group_summary for every issue of a matrix (see `matrix`), one block of rows per issue."""
    blocks = [
        group_summary(table, codebook).assign(issue=label)
        for label, table in long.groupby("issue_label", sort=False)
    ]
    combined = pd.concat(blocks, ignore_index=True)
    return combined[["issue", *[c for c in combined.columns if c != "issue"]]]


def matrix_table(long: pd.DataFrame) -> pd.DataFrame:
    """The actors x issues matrix as a table: one row per actor, issues in codebook order."""
    wide = long.pivot(index=["group_label", "name"], columns="issue_label", values="cell")
    wide = wide[list(dict.fromkeys(long["issue_label"]))]
    return (
        wide.reset_index()
        .rename(columns={"group_label": "group", "name": "actor"})
        .rename_axis(columns=None)
    )


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
