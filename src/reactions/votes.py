"""Words versus votes: an actor's last words on an issue beside its recorded vote.

The story declares its vote of record, the issue it is read against and which way a *yes*
reads on the stance scale (`yes_reads_as`); *no* reads the other way and *abstain* with neither
side. `absent` is no position. Only UN member states (a `state` with an `iso3`) can vote: other
actors are shown as unable to vote, apart from votes that are not on record, which are never
guessed. Everything here is codes and numbers; the words are made in the presentation layer.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd

from reactions.compare import STATED, as_timestamp, positions
from reactions.dataset import Dataset
from reactions.story import VoteOfRecord

VOTE_SIGN = {"yes": 1, "abstain": 0, "no": -1}  # times the story's yes_reads_as
VOTE_CODES = ("yes", "no", "abstain", "absent")
# Where an actor stands on the vote of record:
VOTED, NOT_ON_RECORD, CANNOT_VOTE, NOT_HELD = "voted", "not_on_record", "cannot_vote", "not_held"
# A member with no row in a roll call that holds every vote cast (its counts match the official
# result): it did not vote. Deduced from the record, not guessed.
DID_NOT_VOTE = "did_not_vote"
VOTE_SOURCE_FIELDS = ("source_title", "source_url", "source_kind")  # of a vote's votes.csv row


def _sign(value: float) -> int:
    return int(value > 0) - int(value < 0)


def resolution_date(dataset: Dataset, resolution: str) -> pd.Timestamp | None:
    dates = dataset.votes.loc[dataset.votes["resolution"] == resolution, "date"]
    return dates.min() if not dates.empty else None


def can_vote(actors: pd.DataFrame) -> pd.Series:
    """UN member states: a state with an ISO code. Entities, organizations and groups cannot."""
    return (actors["kind"] == "state") & (actors["iso3"] != "")


def votes_as_of(dataset: Dataset, actor: str, as_of: str | pd.Timestamp) -> pd.DataFrame:
    votes = dataset.votes
    chosen = votes[(votes["actor_id"] == actor) & (votes["date"] <= as_timestamp(as_of))]
    return chosen.sort_values("date").reset_index(drop=True)


def vote_direction(vote: str, yes_reads_as: int) -> int | None:
    """A vote on the stance scale's sign: -1, 0 or +1; None for `absent` or no vote."""
    sign = VOTE_SIGN.get(vote)
    return None if sign is None else sign * yes_reads_as


def words_and_votes(
    dataset: Dataset,
    as_of: str | pd.Timestamp,
    vote_of_record: VoteOfRecord,
    group: str | None = None,
) -> pd.DataFrame:
    """Per actor (of one group, if given): its last position on the vote's issue the day before
    the vote, its vote (if held by `as_of`), where it stands on the vote, and whether words and
    vote diverge (their directions on the scale differ); where the words (`source_*`,
    `publisher`) and the vote (`vote_source_*`) are on record."""
    as_of = as_timestamp(as_of)
    resolution = vote_of_record.resolution
    held = resolution_date(dataset, resolution)
    voted = held is not None and held <= as_of
    words_as_of = min(as_of, cast(pd.Timestamp, held) - pd.Timedelta(days=1)) if voted else as_of
    table = positions(dataset, vote_of_record.issue, words_as_of)
    members = dataset.actors.set_index("actor_id")
    table = table.assign(member=table["actor_id"].map(can_vote(members)))
    if group:
        table = table[table["group"] == group]
    on_resolution = dataset.votes[
        (dataset.votes["resolution"] == resolution) & (dataset.votes["actor_id"] != "")
    ].set_index("actor_id")
    vote = table["actor_id"].map(on_resolution["vote"]).fillna("") if voted else ""
    columns = ["actor_id", "name", "group", "record", "stance", "score", "date", "date_precision"]
    words_source = ["publisher", "source_title", "source_url", "source_kind"]
    frame = table[[*columns, "latest_stance", "latest_score", "latest_date", *words_source]].assign(
        vote=vote, member=table["member"]
    )
    for field in VOTE_SOURCE_FIELDS:  # where each recorded vote is on record
        recorded = on_resolution[field] if field in on_resolution else pd.Series(dtype=str)
        found = table["actor_id"].map(recorded).fillna("") if voted else ""
        frame[f"vote_{field}"] = found
    missing = DID_NOT_VOTE if holds_every_vote_cast(dataset, vote_of_record) else NOT_ON_RECORD
    frame["status"] = [
        NOT_HELD if not voted else VOTED if code else missing if member else CANNOT_VOTE
        for code, member in zip(frame["vote"], frame["member"], strict=True)
    ]
    frame["vote_direction"] = frame["vote"].map(
        lambda code: vote_direction(code, vote_of_record.yes_reads_as)
    )
    frame["diverges"] = [
        record == STATED and pd.notna(direction) and _sign(score) != direction
        for record, score, direction in zip(
            frame["record"], frame["score"], frame["vote_direction"], strict=True
        )
    ]
    frame["earlier"] = frame["actor_id"].map(_earlier_votes(dataset, resolution, as_of))
    return frame.rename(
        columns={"date": "words_date", "date_precision": "words_date_precision"}
    ).reset_index(drop=True)


def _earlier_votes(dataset: Dataset, resolution: str, as_of: pd.Timestamp) -> pd.Series:
    """Per actor, its other recorded votes up to the date as (resolution, date, vote) tuples."""
    votes = dataset.votes
    earlier = votes[
        (votes["resolution"] != resolution) & (votes["date"] <= as_of) & (votes["actor_id"] != "")
    ].sort_values("date")
    found: dict[str, list[tuple[str, pd.Timestamp, str]]] = {}
    row: Any  # a record of votes.csv: its fields' types are the columns'
    for row in earlier.itertuples(index=False):
        found.setdefault(row.actor_id, []).append((row.resolution, row.date, row.vote))
    return pd.Series(found, dtype=object)


def holds_every_vote_cast(dataset: Dataset, vote_of_record: VoteOfRecord) -> bool:
    """Whether the dataset's roll call has every yes, no and abstention of the official result."""
    result = vote_of_record.result
    if result is None:
        return False
    roll = roll_call(dataset, vote_of_record.resolution)
    return (roll["yes"], roll["no"], roll["abstain"]) == (result.yes, result.no, result.abstain)


def roll_call(dataset: Dataset, resolution: str) -> dict[str, int]:
    """The whole recorded vote: members per vote code, over every row of the roll call (actors
    of the dataset and the other member states it records)."""
    rows = dataset.votes[dataset.votes["resolution"] == resolution]
    counts = rows["vote"].value_counts()
    return {code: int(counts.get(code, 0)) for code in VOTE_CODES} | {"recorded": len(rows)}
