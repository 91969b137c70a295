"""Findings as sentences, generated from the comparison so that the text moves with the data."""

from __future__ import annotations

import pandas as pd

from reactions.compare import (
    NO_RECORD,
    SILENT,
    STATED,
    Neighbours,
    as_timestamp,
    format_score,
    stance_counts,
)
from reactions.dataset import Dataset


def format_date(date: pd.Timestamp, precision: str = "day") -> str:
    day = f"{date.day} {date:%B %Y}"
    if precision == "week":
        return f"in the week of {day}"
    if precision == "month":
        return f"in {date:%B %Y}"
    return f"on {day}"


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _stance_phrase(row: pd.Series) -> str:
    return f"{row['stance_label'].lower()}, {format_score(row['score'])}"


def _peer_phrase(peers: pd.DataFrame) -> str:
    return join_names([f"{row['name']} ({_stance_phrase(row)})" for _, row in peers.iterrows()])


def _speaker(row: pd.Series) -> str:
    parts = [part for part in (row["speaker"], row["speaker_role"]) if part]
    return ", ".join(parts) if parts else "an unnamed speaker"


def title(dataset: Dataset, focal_actor: str, issue: str, as_of: str | pd.Timestamp) -> str:
    return (
        f"{dataset.actor_name(focal_actor)} on {dataset.codebook.issues[issue].lower()}, "
        f"as of {format_date(as_timestamp(as_of))[3:]}"
    )


def position_sentence(focal: pd.Series, issue_label: str, as_of: pd.Timestamp) -> str:
    """The focal actor's latest stance, with date, speaker and words."""
    as_of_text = format_date(as_of)[3:]
    if focal["record"] == NO_RECORD:
        return (
            f"{focal['name']}: no statement on {issue_label.lower()} on record as of {as_of_text}."
        )
    when = format_date(focal["date"], focal["date_precision"])
    if focal["record"] == SILENT:
        return (
            f"As of {as_of_text}, {focal['name']} has not addressed {issue_label.lower()}: "
            f"it was silent at {focal['occasion']} {when}."
        )
    return (
        f"As of {as_of_text}, {focal['name']}'s latest stance on {issue_label.lower()} is "
        f"{_stance_phrase(focal)}: {_speaker(focal)}, said {when}: \u201c{focal['quote_en']}\u201d."
    )


def neighbour_sentence(focal: pd.Series, near: Neighbours, among_names: list[str]) -> str:
    """Where the focal actor stands between its nearest neighbours on the scale."""
    if focal["record"] != STATED:
        return ""
    scope = f"Among {join_names(among_names)}" if among_names else "Among all actors on record"
    name = focal["name"]
    parts = []
    if not near.below.empty and not near.above.empty:
        parts.append(
            f"{name} stands between {_peer_phrase(near.below)} and {_peer_phrase(near.above)}"
        )
    elif not near.above.empty:
        parts.append(
            f"{name} stands furthest from Moscow's position; "
            f"next above it is {_peer_phrase(near.above)}"
        )
    elif not near.below.empty:
        parts.append(
            f"{name} stands closest to Moscow's position; "
            f"next below it is {_peer_phrase(near.below)}"
        )
    if not near.level.empty:
        parts.append(f"level with {join_names(list(near.level['name']))}")
    if not parts:
        return f"{scope}, no other actor has a worded stance to compare with."
    return f"{scope}, {'; '.join(parts)}."


def silence_sentence(focal: pd.Series, issue_label: str) -> str:
    """What the focal actor left unsaid after its latest worded stance."""
    if focal["record"] != STATED or pd.isna(focal["silent_since"]):
        return ""
    return (
        f"On its latest occasion, {focal['silent_occasion']} "
        f"{format_date(focal['silent_since'])}, {focal['name']} did not address "
        f"{issue_label.lower()}."
    )


def field_sentence(table: pd.DataFrame, issue_label: str, as_of: pd.Timestamp) -> str:
    """How the whole field divides, with silence and missing records counted apart."""
    counts = stance_counts(table)
    scores = table.loc[table["record"] == STATED, "score"]
    on_record = int((table["record"] != NO_RECORD).sum())
    return (
        f"Of the {on_record} actors on record on {issue_label.lower()} as of "
        f"{format_date(as_of)[3:]}: rejecting {int((scores < 0).sum())} (explicitly or "
        f"implicitly), ambiguous {int((scores == 0).sum())}, supporting "
        f"{int((scores > 0).sum())}, only silent {int(counts.get(SILENT, 0))} (silence is not "
        f"scored). No statement on record: {int(counts.get(NO_RECORD, 0))} actors."
    )


def headline(
    dataset: Dataset,
    table: pd.DataFrame,
    near: Neighbours,
    focal_actor: str,
    issue: str,
    as_of: str | pd.Timestamp,
    among: list[str],
) -> str:
    """The brief's headline paragraph."""
    as_of = as_timestamp(as_of)
    issue_label = dataset.codebook.issues[issue]
    focal = table[table["actor_id"] == focal_actor].iloc[0]
    among_names = [dataset.actor_name(actor) for actor in among if actor != focal_actor]
    sentences = [
        position_sentence(focal, issue_label, as_of),
        neighbour_sentence(focal, near, among_names),
        silence_sentence(focal, issue_label),
    ]
    return " ".join(sentence for sentence in sentences if sentence)
