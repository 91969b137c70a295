"""Words versus votes: an actor's last words on an issue beside its recorded UN vote.

A vote's direction is read on the stance scale: `yes` to a resolution upholding Ukraine's
territorial integrity sides against Moscow's position (-), `no` with it (+), `abstain` with
neither (0). `absent` is no position. A vote that is not in votes.csv is "vote not on record":
it is never guessed.
"""

from __future__ import annotations

import pandas as pd

from reactions.compare import NO_RECORD, STATED, as_timestamp, positions, stance_text
from reactions.dataset import Dataset

ANNEXATION_VOTE = "A/RES/ES-11/4"
VOTE_DIRECTION = {"yes": -1, "abstain": 0, "no": 1}
WORDS = {-1: "rejected", 0: "hedged", 1: "supported"}
VOTED = {"yes": "voted yes", "no": "voted no", "abstain": "abstained", "absent": "did not vote"}
NOT_ON_RECORD = "vote not on record"


def _sign(value: float) -> int:
    return int(value > 0) - int(value < 0)


def resolution_date(dataset: Dataset, resolution: str) -> pd.Timestamp | None:
    dates = dataset.votes.loc[dataset.votes["resolution"] == resolution, "date"]
    return dates.min() if not dates.empty else None


def votes_as_of(dataset: Dataset, actor: str, as_of: str | pd.Timestamp) -> pd.DataFrame:
    votes = dataset.votes
    chosen = votes[(votes["actor_id"] == actor) & (votes["date"] <= as_timestamp(as_of))]
    return chosen.sort_values("date").reset_index(drop=True)


def verdict(score: float, record: str, vote: str) -> tuple[str, bool]:
    """How words and vote relate, and whether they diverge."""
    if not vote:
        return NOT_ON_RECORD, False
    if record != STATED:
        said = "silent in words" if record != NO_RECORD else "no statement"
        return f"{said}; {VOTED[vote]}", False
    words = WORDS[_sign(score)]
    diverges = vote in VOTE_DIRECTION and _sign(score) != VOTE_DIRECTION[vote]
    return f"{words} in words, {VOTED[vote]}", diverges


def words_and_votes(
    dataset: Dataset,
    as_of: str | pd.Timestamp,
    issue: str = "recognition",
    resolution: str = ANNEXATION_VOTE,
    group: str | None = None,
) -> pd.DataFrame:
    """Per actor (of one group, if given): last stance before the vote, the vote (if held by
    `as_of`), earlier votes."""
    as_of = as_timestamp(as_of)
    held = resolution_date(dataset, resolution)
    voted = held is not None and held <= as_of
    words_as_of = min(as_of, held - pd.Timedelta(days=1)) if voted else as_of
    table = positions(dataset, issue, words_as_of)
    if group:
        table = table[table["group"] == group]
    votes = dataset.votes[dataset.votes["date"] <= as_of]
    on_resolution = votes[votes["resolution"] == resolution].set_index("actor_id")["vote"]
    earlier = votes[votes["resolution"] != resolution].sort_values("date")
    history = earlier.groupby("actor_id").apply(
        lambda rows: "; ".join(
            f"{r.resolution} ({r.date.year}): {r.vote}" for r in rows.itertuples()
        ),
        include_groups=False,
    )
    rows = []
    for actor in table.itertuples(index=False):
        vote = str(on_resolution.get(actor.actor_id, "")) if voted else ""
        if voted:
            text, diverges = verdict(actor.score, actor.record, vote)
        else:
            text, diverges = f"no vote on {resolution} as of {as_of:%Y-%m-%d}", False
        rows.append(
            {
                "actor_id": actor.actor_id,
                "actor": actor.name,
                "group": actor.group_label,
                "words": _words(actor),
                "words date": _date(actor.date),
                "vote": vote or ("not on record" if voted else ""),
                "earlier votes": history.get(actor.actor_id, ""),
                "verdict": text,
                "diverges": diverges,
            }
        )
    return pd.DataFrame(rows)


def _words(actor: object) -> str:
    if actor.record == NO_RECORD:
        return "no statement"
    return stance_text(actor.record, actor.stance_label, actor.score)


def _date(date: pd.Timestamp) -> str:
    return "" if pd.isna(date) else f"{date:%Y-%m-%d}"
