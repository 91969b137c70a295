"""Findings tables for display: the comparison's codes turned into labelled columns.

Each function takes a frame of codes and numbers (from `compare` or `votes`) and returns the
table a reader sees; the words come from the codebook and `wording`.
"""

from __future__ import annotations

import pandas as pd

from reactions.codebook import Codebook
from reactions.compare import NO_RECORD, SILENT, STATED, stance_codes
from reactions.wording import (
    STATUS_WORDS,
    cell_texts,
    format_iso,
    format_score,
    position_text,
    stance_label,
    translation_note,
)


def _percent(share: float) -> str:
    return "" if pd.isna(share) else f"{share:.0%}"


def _median(median: float) -> str:
    return "" if pd.isna(median) else ("0" if median == 0 else f"{median:+g}")


def comparison_table(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Worded positions from most rejecting to most supporting, then the silent actors."""
    order = table.assign(
        _record=table["record"].map({STATED: 0, SILENT: 1, NO_RECORD: 2}),
    ).sort_values(["_record", "score", "name"], na_position="last")
    order = order[order["record"] != NO_RECORD]
    words = [
        f"{row['quote_en']}{translation_note(row)}"
        if row["record"] == STATED
        else f"(silent) {row['occasion']}"
        for _, row in order.iterrows()
    ]
    return pd.DataFrame(
        {
            "actor": order["name"],
            "group": order["group"].map(codebook.groups),
            "stance": order["stance"].map(lambda code: stance_label(codebook, code)),
            "score": order["score"].map(format_score),
            "date": order["date"].map(format_iso),
            "quote (English)": words,
            "source": order["source_title"],
            "source_url": order["source_url"],
        }
    ).reset_index(drop=True)


def group_table(summary: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """compare.group_summary (or group_summaries) with labels for its codes."""
    labelled = summary.assign(
        group=summary["group"].map(codebook.groups),
        share_rejecting=summary["share_rejecting"].map(_percent),
        median_score=summary["median_score"].map(_median),
    )
    if "issue" in labelled:
        labelled["issue"] = labelled["issue"].map(codebook.issues)
    names = {stance.code: stance.label for stance in codebook.scored_stances}
    names |= {
        SILENT: "silent",
        NO_RECORD: "no record",
        "share_rejecting": "rejecting",
        "median_score": "median score",
    }
    return labelled.rename(columns=names)


def changes_table(moved: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    def side(row: pd.Series, which: str) -> str:
        return position_text(
            codebook, row[f"record_{which}"], row[f"stance_{which}"], row[f"score_{which}"]
        )

    return pd.DataFrame(
        {
            "actor": moved["name"],
            "before": [side(row, "before") for _, row in moved.iterrows()],
            "after": [side(row, "after") for _, row in moved.iterrows()],
            "shift": moved["shift"].map(format_score),
            "date": moved["date"].map(format_iso),
        }
    )


def coverage_table(coverage: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    labels = {code: stance_label(codebook, code) for code in stance_codes(codebook)}
    return coverage.assign(issue=coverage["issue"].map(codebook.issues)).rename(columns=labels)


def matrix_table(long: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Actors x issues: one row per actor, issues in codebook order, each cell the score, or
    "silent", or empty for no record."""
    frame = long.assign(
        group_label=long["group"].map(codebook.groups),
        issue_label=long["issue"].map(codebook.issues),
        cell=cell_texts(long),
    )
    wide = frame.pivot(index=["group_label", "name"], columns="issue_label", values="cell")
    wide = wide[list(dict.fromkeys(frame["issue_label"]))]
    return (
        wide.reset_index()
        .rename(columns={"group_label": "group", "name": "actor"})
        .rename_axis(columns=None)
    )


def words_and_votes_table(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per actor: last words before the vote, the vote (or why there is none), earlier votes."""
    words = [
        position_text(codebook, row["record"], row["stance"], row["score"])
        for _, row in frame.iterrows()
    ]
    votes = [
        row["vote"] if row["vote"] else STATUS_WORDS.get(row["status"], "")
        for _, row in frame.iterrows()
    ]
    earlier = frame["earlier"].map(
        lambda votes: (
            "; ".join(f"{name} ({date.year}): {vote}" for name, date, vote in votes)
            if isinstance(votes, list)
            else ""
        )
    )
    return pd.DataFrame(
        {
            "actor": frame["name"],
            "group": frame["group"].map(codebook.groups),
            "words": words,
            "words date": frame["words_date"].map(format_iso),
            "vote": votes,
            "earlier votes": earlier,
            "diverges": frame["diverges"].map({True: "yes", False: ""}),
        }
    )


def history_table(history: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """An actor's statements, oldest first: date, issue, stance, speaker, words, source."""
    return pd.DataFrame(
        {
            "date": history["date"].map(format_iso),
            "issue": history["issue"].map(codebook.issues),
            "stance": history["stance"].map(lambda code: stance_label(codebook, code)),
            "score": history["score"].map(format_score),
            "speaker": history["speaker"],
            "words": [
                f"{row['english']}{translation_note(row)}"
                if row["quote"]
                else f"(silent) {row['occasion']}"
                for _, row in history.iterrows()
            ],
            "source": history["source_title"],
            "source_url": history["source_url"],
        }
    ).reset_index(drop=True)
