"""Findings tables for display: the comparison's codes turned into labelled columns.

Each function takes a frame of codes and numbers (from `compare` or `votes`) and returns the
table a reader sees; the words come from the codebook and `wording`.
"""

from __future__ import annotations

import pandas as pd

from reactions.codebook import Codebook
from reactions.compare import MIN_FOR_STATISTICS, NO_RECORD, SILENT, STATED, stance_codes
from reactions.wording import (
    RECORD_WORDS,
    STATUS_WORDS,
    cell_texts,
    date_cell,
    excerpt,
    format_score,
    position_text,
    publisher_words,
    short_title,
    stance_label,
    translation_note,
)


def _percent(share: float) -> str:
    return "" if pd.isna(share) else f"{share:.0%}"


def _median(median: float) -> str:
    return "" if pd.isna(median) else ("0" if median == 0 else f"{median:+g}")


def comparison_table(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Positions from most rejecting to most supporting, then the silent actors: the words that
    set each position (the excerpt that carries the coding, where marked), the full quote when
    it is longer, and the latest words where they are not the position."""
    order = table.assign(
        _record=table["record"].map({STATED: 0, SILENT: 1, NO_RECORD: 2}),
    ).sort_values(["_record", "score", "name"], na_position="last")
    order = order[order["record"] != NO_RECORD]
    rows = [row for _, row in order.iterrows()]
    words = [
        f"{excerpt(row)}{translation_note(row)}"
        if row["record"] == STATED
        else f"(silent) {row['occasion']}"
        for row in rows
    ]
    shown = pd.DataFrame(
        {
            "actor": order["name"],
            "group": order["group"].map(codebook.groups),
            "position": order["stance"].map(lambda code: stance_label(codebook, code)),
            "score": order["score"].map(format_score),
            "set on": [date_cell(row["date"], row["date_precision"]) for row in rows],
            "words (English)": words,
        }
    )
    if any(row["record"] == STATED and excerpt(row) != row["quote_en"] for row in rows):
        shown["full quote"] = [row["quote_en"] if row["record"] == STATED else "" for row in rows]
    if order["latest_statement_id"].ne("").any():
        shown["latest words, if not the position"] = [
            f"{position_text(codebook, STATED, row['latest_stance'], row['latest_score'])}, "
            f"{date_cell(row['latest_date'], row['latest_date_precision'])}: "
            f"{row['latest_quote_en']}"
            if row["latest_statement_id"]
            else ""
            for row in rows
        ]
    shown["source"] = order["source_title"]
    shown["publisher"] = [publisher_words(row["publisher"], row["source_kind"]) for row in rows]
    if "latest words, if not the position" in shown:  # where those words were said, linked
        shown["latest source"] = [
            f"{row['latest_source_title']} ({row['latest_publisher']})"
            if row["latest_statement_id"] and row["latest_publisher"]
            else row["latest_source_title"]
            for row in rows
        ]
    shown["source_url"] = order["source_url"]
    if "latest source" in shown:
        shown["latest_source_url"] = order["latest_source_url"]
    return shown.reset_index(drop=True)


def _members(members: list, codebook: Codebook) -> str:
    """A small group's stated members: "Kazakhstan, implicit rejection (-1); Belarus, ..."."""
    return "; ".join(
        f"{name}, {position_text(codebook, STATED, code, score)}" for name, code, score in members
    )


def group_table(summary: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """compare.group_summary (or group_summaries) with labels for its codes. A group with too
    few stated actors for statistics lists its members and their stances instead."""
    labelled = summary.assign(
        group=summary["group"].map(codebook.groups),
        share_rejecting=summary["share_rejecting"].map(_percent),
        median_score=summary["median_score"].map(_median),
        members=summary["members"].map(lambda members: _members(members, codebook)),
    )
    if "issue" in labelled:
        labelled["issue"] = labelled["issue"].map(codebook.issues)
    names = {stance.code: stance.label for stance in codebook.scored_stances}
    names |= {
        SILENT: "silent",
        NO_RECORD: RECORD_WORDS[NO_RECORD],
        "stated": "stated (n)",
        "share_rejecting": f"rejecting (n \u2265 {MIN_FOR_STATISTICS})",
        "median_score": f"median score (n \u2265 {MIN_FOR_STATISTICS})",
        "members": "stated members (n < 3)",
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
            "date": [
                date_cell(date, precision)
                for date, precision in zip(moved["date"], moved["date_precision"], strict=True)
            ],
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


def _latest(row: pd.Series, codebook: Codebook) -> str:
    """ "; latest words implicit support (+1)" where the latest words are not the position."""
    if not row["latest_stance"]:
        return ""
    latest = position_text(codebook, STATED, row["latest_stance"], row["latest_score"])
    return f"; latest words {latest}"


def words_and_votes_table(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per actor: last words before the vote, the vote (or why there is none), earlier votes;
    the source of the words (linked, with its publisher) and of the vote (linked)."""
    words = [
        position_text(codebook, row["record"], row["stance"], row["score"]) + _latest(row, codebook)
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
            "position the day before": words,
            "set on": [
                date_cell(date, precision)
                for date, precision in zip(
                    frame["words_date"], frame["words_date_precision"], strict=True
                )
            ],
            "vote": votes,
            "earlier votes": earlier,
            "diverges": frame["diverges"].map({True: "yes", False: ""}),
            "source": frame["source_title"],
            "publisher": [
                publisher_words(publisher, kind)
                for publisher, kind in zip(frame["publisher"], frame["source_kind"], strict=True)
            ],
            "vote source": [
                _vote_source(title, kind)
                for title, kind in zip(
                    frame["vote_source_title"], frame["vote_source_kind"], strict=True
                )
            ],
            "source_url": frame["source_url"],
            "vote_source_url": frame["vote_source_url"],
        }
    )


def _vote_source(title: str, kind: str) -> str:
    """A recorded vote's source as a table shows it: its title (which names its publisher:
    "UN Digital Library, voting record of ...") and the kind of publisher."""
    title, shown = short_title(title), publisher_words("", kind)
    return f"{title} ({shown})" if title and shown else title


def history_table(history: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """An actor's statements, oldest first: date, issue, stance, speaker, words, source."""
    return pd.DataFrame(
        {
            "date": [
                date_cell(date, precision)
                for date, precision in zip(history["date"], history["date_precision"], strict=True)
            ],
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
            "publisher": [
                publisher_words(publisher, kind)
                for publisher, kind in zip(
                    history["publisher"], history["source_kind"], strict=True
                )
            ],
            "source_url": history["source_url"],
        }
    ).reset_index(drop=True)


def _stance_or_none(codebook: Codebook, code: str) -> str:
    """A stance code's label; anything else (the cues' "no cue") as it is."""
    return stance_label(codebook, code) if code in codebook.stances else code


def coding_confusion_table(confusion: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """coding.Agreement.confusion (coded rows x proposed columns, codes) with labels."""
    labelled = confusion.rename(
        index=lambda code: _stance_or_none(codebook, str(code)),
        columns=lambda code: _stance_or_none(codebook, str(code)),
    )
    return labelled.rename_axis(index="coded \\ proposed by the cues", columns=None).reset_index()


def coding_disagreements_table(
    disagreements: pd.DataFrame, codebook: Codebook, actor_names: dict[str, str]
) -> pd.DataFrame:
    """Where the cues' proposal differs from the coding: who, when, on what, both stances, the
    cue that fired, the statement's source (rows of coding.Agreement.disagreements joined to
    their statements)."""
    return pd.DataFrame(
        {
            "actor": disagreements["actor_id"].map(actor_names),
            "date": [
                date_cell(date, precision)
                for date, precision in zip(
                    disagreements["date"], disagreements["date_precision"], strict=True
                )
            ],
            "issue": disagreements["issue"].map(codebook.issues),
            "coded": disagreements["coded"].map(lambda code: _stance_or_none(codebook, code)),
            "proposed by the cues": disagreements["proposed"].map(
                lambda code: _stance_or_none(codebook, code)
            ),
            "cue": disagreements["cue"],
            "source": disagreements["source_title"],
            "publisher": [
                publisher_words(publisher, kind)
                for publisher, kind in zip(
                    disagreements["publisher"], disagreements["source_kind"], strict=True
                )
            ],
            "source_url": disagreements["source_url"],
        }
    ).reset_index(drop=True)


def latest_words_table(long: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Where an actor's latest words are not its position (compare.matrix rows with
    `latest_*`): the position with the words that set it and their source, beside the latest
    words and theirs."""
    rows = [row for _, row in long[long["latest_statement_id"] != ""].iterrows()]
    return pd.DataFrame(
        {
            "actor": [row["name"] for row in rows],
            "issue": [codebook.issues[row["issue"]] for row in rows],
            "position": [
                position_text(codebook, STATED, row["stance"], row["score"]) for row in rows
            ],
            "set on": [date_cell(row["date"], row["date_precision"]) for row in rows],
            "words that set it": [f"{excerpt(row)}{translation_note(row)}" for row in rows],
            "source": [row["source_title"] for row in rows],
            "publisher": [publisher_words(row["publisher"], row["source_kind"]) for row in rows],
            "latest words": [
                position_text(codebook, STATED, row["latest_stance"], row["latest_score"])
                for row in rows
            ],
            "said on": [
                date_cell(row["latest_date"], row["latest_date_precision"]) for row in rows
            ],
            "their words": [row["latest_quote_en"] for row in rows],
            "latest source": [row["latest_source_title"] for row in rows],
            "latest publisher": [row["latest_publisher"] for row in rows],
            "source_url": [row["source_url"] for row in rows],
            "latest_source_url": [row["latest_source_url"] for row in rows],
        },
        columns=[
            "actor",
            "issue",
            "position",
            "set on",
            "words that set it",
            "source",
            "publisher",
            "latest words",
            "said on",
            "their words",
            "latest source",
            "latest publisher",
            "source_url",
            "latest_source_url",
        ],
    )
