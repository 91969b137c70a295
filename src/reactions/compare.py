"""Compare reactions across actors: latest positions on an issue, neighbours, counts.

An actor's *position* is its latest worded stance (one with a score). A later silence does not
erase it, it is reported beside it: the source article places Belarus by Makei's "national
interests" although Lukashenka said nothing in Sochi afterwards. Silence is never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reactions.dataset import Dataset

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
    chosen = chosen.assign(score=chosen["stance"].map(dataset.codebook.score).astype("Float64"))
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
        }
        silence = silences.loc[actor.actor_id] if actor.actor_id in silences.index else None
        if actor.actor_id in worded.index:
            statement = worded.loc[actor.actor_id]
            row |= _statement_fields(statement, STATED)
            if silence is not None and silence["date"] > statement["date"]:
                row |= {"silent_since": silence["date"], "silent_occasion": silence["occasion"]}
        elif silence is not None:
            row |= _statement_fields(silence, SILENT)
        else:
            row |= {"record": NO_RECORD}
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in (
        "stance",
        "occasion",
        "speaker",
        "speaker_role",
        "quote",
        "quote_en",
        "quote_language",
        "source_title",
        "source_url",
        "statement_id",
        "date_precision",
        "silent_occasion",
    ):
        frame[column] = frame.get(column, pd.Series(dtype=object)).fillna("").astype(str)
    for column in ("date", "silent_since"):
        frame[column] = pd.to_datetime(frame.get(column, pd.Series(dtype="datetime64[ns]")))
    frame["score"] = frame.get("score", pd.Series(dtype="Float64")).astype("Float64")
    frame["stance_label"] = frame["stance"].map(
        lambda code: codebook.stance_label(code) if code else NO_RECORD
    )
    return frame


def _statement_fields(statement: pd.Series, record: str) -> dict[str, object]:
    english = statement["quote_en"] or statement["quote"]
    return {
        "record": record,
        "stance": statement["stance"],
        "score": statement["score"],
        "date": statement["date"],
        "date_precision": statement["date_precision"],
        "speaker": statement["speaker"],
        "speaker_role": statement["speaker_role"],
        "occasion": statement["occasion"],
        "quote": statement["quote"],
        "quote_language": statement["quote_language"],
        "quote_en": english,
        "source_title": statement["source_title"],
        "source_url": statement["source_url"],
        "statement_id": statement["statement_id"],
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
