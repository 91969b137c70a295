"""Findings as sentences, generated from the comparison so that the text moves with the data."""

from __future__ import annotations

import pandas as pd

from reactions.coding import Agreement
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


def format_day(date: pd.Timestamp) -> str:
    return f"{date.day} {date:%B %Y}"


def format_date(date: pd.Timestamp, precision: str = "day") -> str:
    """A statement's date as its precision allows: "on 26 September 2022", "in the week of ..."."""
    day = format_day(date)
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
        f"as of {format_day(as_timestamp(as_of))}"
    )


def position_sentence(focal: pd.Series, issue_label: str, as_of: pd.Timestamp) -> str:
    """The focal actor's latest stance, with date, speaker and words."""
    as_of_text = format_day(as_of)
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
        f"{format_day(as_of)}: rejecting {int((scores < 0).sum())} (explicitly or "
        f"implicitly), ambiguous {int((scores == 0).sum())}, supporting "
        f"{int((scores > 0).sum())}, only silent {int(counts.get(SILENT, 0))} (silence is not "
        f"scored). No statement on record: {int(counts.get(NO_RECORD, 0))} actors."
    )


def group_sentence(table: pd.DataFrame, focal_actor: str) -> str:
    """How the focal actor's own group is spread on the issue."""
    focal = table[table["actor_id"] == focal_actor].iloc[0]
    members = table[table["group"] == focal["group"]]
    if len(members) < 2:
        return (
            f"{focal['name']} is the only actor of its group ({focal['group_label']}) in the data."
        )
    parts = []
    stated = members[members["record"] == STATED].sort_values(["score", "name"])
    for (label, score), rows in stated.groupby(["stance_label", "score"], sort=False):
        parts.append(f"{label.lower()} ({format_score(score)}): {join_names(list(rows['name']))}")
    silent = members[members["record"] == SILENT]
    if not silent.empty:
        parts.append(f"only silent: {join_names(sorted(silent['name']))}")
    missing = members[members["record"] == NO_RECORD]
    if not missing.empty:
        parts.append(f"no statement on record: {join_names(sorted(missing['name']))}")
    return f"Within its group, {focal['group_label']}, {len(members)} actors: {'; '.join(parts)}."


def change_sentence(
    moved: pd.DataFrame,
    focal_actor: str,
    focal_name: str,
    compare_to: pd.Timestamp,
    as_of: pd.Timestamp,
) -> str:
    """What changed between two dates, the focal actor first."""
    span = f"Between {format_day(compare_to)} and {format_day(as_of)}"
    own = moved[moved["actor_id"] == focal_actor]
    if own.empty:
        text = f"{span}, {focal_name}'s position did not change"
    else:
        row = own.iloc[0]
        text = f"{span}, {focal_name} moved from {row['before']} to {row['after']}"
    others = moved[moved["actor_id"] != focal_actor]
    shifted = others[others["before"] != NO_RECORD]
    newcomers = others[others["before"] == NO_RECORD]
    parts = [text]
    if not shifted.empty:
        listed = [
            f"{row['actor']} ({row['before']} \u2192 {row['after']})"
            for _, row in shifted.iterrows()
        ]
        parts.append(f"changed position: {join_names(listed)}")
    if not newcomers.empty:
        parts.append(
            f"first statement on record from {len(newcomers)} more actors "
            f"({join_names(sorted(newcomers['actor']))})"
        )
    if len(parts) == 1:
        parts.append("no other actor's position changed")
    return "; ".join(parts) + "."


def unsaid_sentence(silences: pd.DataFrame, focal_name: str) -> str:
    """What the focal actor left unaddressed, on which occasions (all issues)."""
    if silences.empty:
        return f"No silence of {focal_name} is on record: on every occasion recorded it spoke."
    parts = []
    for row in silences.itertuples(index=False):
        issues = [issue.lower() for issue in row.issues]
        what = issues[0] if len(issues) == 1 else "neither " + " nor ".join(issues)
        verb = "did not address" if len(issues) == 1 else "addressed"
        parts.append(f"at {row.occasion} {format_date(row.date)}, {focal_name} {verb} {what}")
    return "Left unsaid: " + "; ".join(parts) + "."


def vote_sentence(
    votes_row: pd.Series,
    recorded: pd.DataFrame,
    focal_name: str,
    resolution: str,
    as_of: pd.Timestamp,
) -> str:
    """The focal actor's recorded votes up to the date, and its words beside the key vote."""
    as_of_text = format_day(as_of)
    if recorded.empty:
        return f"No UN General Assembly vote of {focal_name} is on record as of {as_of_text}."
    listed = join_names(
        [
            f"{row.resolution} ({format_day(row.date)}): {row.vote}"
            for row in recorded.itertuples(index=False)
        ]
    )
    text = f"Recorded UN General Assembly votes of {focal_name} up to {as_of_text}: {listed}."
    if resolution in set(recorded["resolution"]):
        text += (
            f" On {resolution}, its last words before the vote were {votes_row['words']}:"
            f" {votes_row['verdict']}" + (", a divergence." if votes_row["diverges"] else ".")
        )
    return text


def headline(
    dataset: Dataset,
    table: pd.DataFrame,
    near: Neighbours,
    focal_actor: str,
    issue: str,
    as_of: str | pd.Timestamp,
    among: list[str],
    moved: pd.DataFrame | None = None,
    compare_to: str = "",
) -> str:
    """The brief's headline paragraph: position, neighbours, silence, group, change."""
    as_of = as_timestamp(as_of)
    issue_label = dataset.codebook.issues[issue]
    focal = table[table["actor_id"] == focal_actor].iloc[0]
    among_names = [dataset.actor_name(actor) for actor in among if actor != focal_actor]
    sentences = [
        position_sentence(focal, issue_label, as_of),
        neighbour_sentence(focal, near, among_names),
        silence_sentence(focal, issue_label),
        group_sentence(table, focal_actor),
    ]
    if moved is not None and compare_to:
        sentences.append(
            change_sentence(moved, focal_actor, focal["name"], as_timestamp(compare_to), as_of)
        )
    return " ".join(sentence for sentence in sentences if sentence)


def divergence_sentence(table: pd.DataFrame, resolution: str) -> str:
    """Whose words and votes part ways, and how many votes are missing or unmatched by words."""
    diverging = table[table["diverges"]]
    listed = join_names([f"{row['actor']} ({row['verdict']})" for _, row in diverging.iterrows()])
    voted = table[~table["vote"].isin(["", "not on record"])]
    without_words = voted[voted["words"].isin(["no statement", "silent"])]
    missing = int((table["vote"] == "not on record").sum())
    text = f"On {resolution}, {len(diverging)} actors' last words diverge from their vote" + (
        f": {listed}." if listed else "."
    )
    return (
        text + f" {len(without_words)} actors voted with no statement on record; "
        f"{missing} actors have no vote on record (never guessed)."
    )


def coding_sentence(agreement: Agreement) -> str:
    """How far the codebook's cues agree with the human coding."""
    return (
        f"Cues from the codebook propose a stance for {agreement.cued} of "
        f"{len(agreement.proposals)} quoted statements. Agreement with the human coding: "
        f"Cohen's kappa {agreement.kappa:.2f} over all quoted statements, "
        f"{agreement.kappa_where_cued:.2f} where a cue fired; {len(agreement.disagreements)} "
        f"disagreements are listed for review."
    )
