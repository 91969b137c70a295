"""Findings as sentences, generated from the comparison's codes so that the text moves with the
data. Event-specific words come from the dataset's story, never from here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from reactions.codebook import Codebook
from reactions.compare import NO_RECORD, SILENT, STATED, Neighbours, field_counts
from reactions.story import Story, VoteOfRecord, text_as_of
from reactions.votes import CANNOT_VOTE, NOT_ON_RECORD, VOTED
from reactions.wording import (
    DIRECTION_WORDS,
    format_date,
    format_day,
    format_iso,
    join_names,
    position_text,
    quoted,
    stance_phrase,
    translation_note,
    vote_words,
)

if TYPE_CHECKING:
    from reactions.coding import Agreement

GENERIC_SILENCE = (
    "Silence is data here: an occasion on which an actor could have addressed an issue and "
    "did not. It is shown as silence, never scored as a middle position."
)
GENERIC_SOURCES = (
    "Each statement carries its source; the dataset's review log, where it has one, records "
    "how rows were chosen and coded."
)


def _peer_phrase(peers: pd.DataFrame, codebook: Codebook) -> str:
    """Peers at one score: "Kazakhstan and Serbia (implicit rejection, -1)"."""
    first = peers.iloc[0]
    return (
        f"{join_names(list(peers['name']))} "
        f"({stance_phrase(codebook, first['stance'], first['score'])})"
    )


def _speaker(row: pd.Series) -> str:
    parts = [part for part in (row["speaker"], row["speaker_role"]) if part]
    return ", ".join(parts) if parts else "an unnamed speaker"


def title(actor_name: str, issue_label: str, as_of: pd.Timestamp) -> str:
    return f"{actor_name} on {issue_label.lower()}, as of {format_day(as_of)}"


def story_framing(story: Story, as_of: pd.Timestamp) -> str:
    """The story's framing as of the page's date, with its source; nothing for a dataset
    without one."""
    framing = text_as_of(story.framing, format_iso(as_of))
    if not framing:
        return ""
    source = f" (Source: {story.framing_source_title}.)" if story.framing_source_title else ""
    return framing + source


def silence_note(story: Story, as_of: pd.Timestamp) -> str:
    return text_as_of(story.silence_text, format_iso(as_of)) or GENERIC_SILENCE


def sources_note(story: Story, as_of: pd.Timestamp) -> str:
    return text_as_of(story.sources_text, format_iso(as_of)) or GENERIC_SOURCES


def position_sentence(
    focal: pd.Series, codebook: Codebook, issue_label: str, as_of: pd.Timestamp
) -> str:
    """The focal actor's latest stance, with date, speaker and words."""
    as_of_text = format_day(as_of)
    issue_text = issue_label.lower()
    if focal["record"] == NO_RECORD:
        return f"{focal['name']}: no statement on {issue_text} on record as of {as_of_text}."
    when = format_date(focal["date"], focal["date_precision"])
    if focal["record"] == SILENT:
        return (
            f"As of {as_of_text}, {focal['name']} has not addressed {issue_text}: "
            f"it was silent at {focal['occasion']} {when}."
        )
    words = quoted(focal["quote_en"], translation_note(focal))
    return (
        f"As of {as_of_text}, {focal['name']}'s latest stance on {issue_text} is "
        f"{stance_phrase(codebook, focal['stance'], focal['score'])}: {_speaker(focal)}, "
        f"said {when}: {words}"
    )


def neighbour_sentence(
    focal: pd.Series, near: Neighbours, among_names: list[str], codebook: Codebook, pole: str
) -> str:
    """Where the focal actor stands between its nearest neighbours on the scale."""
    if focal["record"] != STATED:
        return ""
    scope = f"Among {join_names(among_names)}" if among_names else "Among all actors on record"
    name = focal["name"]
    if not near.below.empty and not near.above.empty:
        place = (
            f"{name} stands between {_peer_phrase(near.below, codebook)}, below, and "
            f"{_peer_phrase(near.above, codebook)}, above"
        )
    elif not near.above.empty:
        place = (
            f"{name} stands furthest from {pole}; next above it is "
            f"{_peer_phrase(near.above, codebook)}"
        )
    elif not near.below.empty:
        place = (
            f"{name} stands closest to {pole}; next below it is "
            f"{_peer_phrase(near.below, codebook)}"
        )
    elif not near.level.empty:
        return f"{scope}, {name} stands level with {join_names(list(near.level['name']))}."
    else:
        return f"{scope}, no other actor has a worded stance to compare with."
    if not near.level.empty:
        place += f"; it is level with {join_names(list(near.level['name']))}"
    return f"{scope}, {place}."


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
    counts = field_counts(table)
    return (
        f"Of the {counts['on_record']} actors on record on {issue_label.lower()} as of "
        f"{format_day(as_of)}: rejecting {counts['rejecting']} (explicitly or implicitly), "
        f"ambiguous {counts['ambiguous']}, supporting {counts['supporting']}, only silent "
        f"{counts[SILENT]} (silence is not scored). No statement on record: "
        f"{counts[NO_RECORD]} actors."
    )


def group_sentence(table: pd.DataFrame, focal_actor: str, codebook: Codebook) -> str:
    """How the focal actor's own group is spread on the issue."""
    focal = table[table["actor_id"] == focal_actor].iloc[0]
    group_label = codebook.groups[focal["group"]]
    members = table[table["group"] == focal["group"]]
    if len(members) < 2:
        return f"{focal['name']} is the only actor of its group ({group_label}) in the data."
    parts = []
    stated = members[members["record"] == STATED].sort_values(["score", "name"])
    for (code, score), rows in stated.groupby(["stance", "score"], sort=False):
        parts.append(
            f"{position_text(codebook, STATED, code, score)}: {join_names(list(rows['name']))}"
        )
    silent = members[members["record"] == SILENT]
    if not silent.empty:
        parts.append(f"only silent: {join_names(sorted(silent['name']))}")
    missing = members[members["record"] == NO_RECORD]
    if not missing.empty:
        parts.append(f"no statement on record: {join_names(sorted(missing['name']))}")
    return f"Within its group, {group_label}, {len(members)} actors: {'; '.join(parts)}."


def _side(row: pd.Series, side: str, codebook: Codebook) -> str:
    return position_text(
        codebook, row[f"record_{side}"], row[f"stance_{side}"], row[f"score_{side}"]
    )


def change_sentence(
    moved: pd.DataFrame,
    focal_actor: str,
    focal_name: str,
    compare_to: pd.Timestamp,
    as_of: pd.Timestamp,
    codebook: Codebook,
) -> str:
    """What changed between two dates, the focal actor first."""
    span = f"Between {format_day(compare_to)} and {format_day(as_of)}"
    own = moved[moved["actor_id"] == focal_actor]
    if own.empty:
        text = f"{span}, {focal_name}'s position did not change"
    else:
        row = own.iloc[0]
        text = (
            f"{span}, {focal_name} moved from {_side(row, 'before', codebook)} to "
            f"{_side(row, 'after', codebook)}"
        )
    others = moved[moved["actor_id"] != focal_actor]
    shifted = others[others["record_before"] != NO_RECORD]
    newcomers = others[others["record_before"] == NO_RECORD]
    parts = [text]
    if not shifted.empty:
        listed = [
            f"{row['name']} ({_side(row, 'before', codebook)} \u2192 "
            f"{_side(row, 'after', codebook)})"
            for _, row in shifted.iterrows()
        ]
        parts.append(f"changed position: {join_names(listed)}")
    if not newcomers.empty:
        parts.append(
            f"first statement on record from {len(newcomers)} more actors "
            f"({join_names(sorted(newcomers['name']))})"
        )
    if len(parts) == 1:
        parts.append("no other actor's position changed")
    return "; ".join(parts) + "."


def unsaid_sentence(silences: pd.DataFrame, focal_name: str, codebook: Codebook) -> str:
    """What the focal actor left unaddressed, on which occasions (all issues)."""
    if silences.empty:
        return f"No silence of {focal_name} is on record: on every occasion recorded it spoke."
    parts = []
    row: Any  # a record of `silences`: its fields' types are the columns'
    for row in silences.itertuples(index=False):
        issues = [codebook.issues[code].lower() for code in row.issues]
        what = issues[0] if len(issues) == 1 else "neither " + " nor ".join(issues)
        verb = "did not address" if len(issues) == 1 else "addressed"
        parts.append(f"at {row.occasion} {format_date(row.date)}, {focal_name} {verb} {what}")
    return "Left unsaid: " + "; ".join(parts) + "."


def _verdict(row: pd.Series, codebook: Codebook) -> str:
    """How an actor's words and vote relate: "hedged in words, voted no"."""
    vote = vote_words(row["vote"])
    if row["record"] == STATED:
        direction = int(row["score"] > 0) - int(row["score"] < 0)
        return f"{DIRECTION_WORDS[direction]} in words, {vote}"
    said = "silent in words" if row["record"] == SILENT else "no statement"
    return f"{said}; {vote}"


def vote_sentence(
    focal_votes: pd.Series | None,
    recorded: pd.DataFrame,
    focal_name: str,
    vote_of_record: VoteOfRecord | None,
    as_of: pd.Timestamp,
    codebook: Codebook,
) -> str:
    """The focal actor's recorded votes up to the date, and its words beside the vote of record."""
    as_of_text = format_day(as_of)
    if focal_votes is not None and focal_votes["status"] == CANNOT_VOTE:
        return f"{focal_name} cannot vote in the UN General Assembly: it is not a member state."
    if recorded.empty:
        return f"No UN General Assembly vote of {focal_name} is on record as of {as_of_text}."
    listed = join_names(
        [
            f"{row.resolution} ({format_day(cast(pd.Timestamp, row.date))}): {row.vote}"
            for row in recorded.itertuples(index=False)
        ]
    )
    text = f"Recorded UN General Assembly votes of {focal_name} up to {as_of_text}: {listed}."
    if focal_votes is not None and focal_votes["status"] == VOTED:
        assert vote_of_record is not None  # focal_votes is a row of this vote's words_and_votes
        issue = codebook.issues[vote_of_record.issue].lower()
        words = position_text(
            codebook, focal_votes["record"], focal_votes["stance"], focal_votes["score"]
        )
        text += (
            f" On {vote_of_record.resolution}, its last words on {issue} before the vote were "
            f"{words}: {_verdict(focal_votes, codebook)}"
            + (", a divergence." if focal_votes["diverges"] else ".")
        )
    return text


def headline(
    table: pd.DataFrame,
    near: Neighbours,
    focal_actor: str,
    issue_label: str,
    as_of: pd.Timestamp,
    among_names: list[str],
    codebook: Codebook,
    pole: str,
) -> str:
    """The brief's headline paragraph: position, neighbours, later silence, own group."""
    focal = table[table["actor_id"] == focal_actor].iloc[0]
    sentences = [
        position_sentence(focal, codebook, issue_label, as_of),
        neighbour_sentence(focal, near, among_names, codebook, pole),
        silence_sentence(focal, issue_label),
        group_sentence(table, focal_actor, codebook),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def divergence_sentence(
    table: pd.DataFrame, vote_of_record: VoteOfRecord, roll: dict[str, int], codebook: Codebook
) -> str:
    """Whose words and votes part ways; who voted without words; whose vote is not on record;
    who cannot vote; and the whole recorded roll call."""
    issue = codebook.issues[vote_of_record.issue].lower()
    diverging = table[table["diverges"]]
    listed = join_names(
        [f"{row['name']} ({_verdict(row, codebook)})" for _, row in diverging.iterrows()]
    )
    voted = table[table["status"] == VOTED]
    without_words = int((voted["record"] != STATED).sum())
    missing = int((table["status"] == NOT_ON_RECORD).sum())
    cannot = int((table["status"] == CANNOT_VOTE).sum())
    text = (
        f"On {vote_of_record.resolution}, read against {issue}: {len(diverging)} actors' last "
        f"words diverge from their vote" + (f": {listed}." if listed else ".")
    )
    return (
        text + f" {without_words} actors voted with no worded stance on record; {missing} member "
        f"states among the actors have no vote on record (never guessed); {cannot} actors cannot "
        f"vote (not UN member states). The recorded roll call holds {roll['recorded']} member "
        f"states: {roll['yes']} yes, {roll['no']} no, {roll['abstain']} abstaining, "
        f"{roll['absent']} absent."
    )


def coding_sentence(agreement: Agreement) -> str:
    """How far the codebook's cues agree with the human coding (a coding.Agreement)."""
    return (
        f"Cues from the codebook propose a stance for {agreement.cued} of "
        f"{len(agreement.proposals)} quoted statements. Agreement with the human coding: "
        f"Cohen's kappa {agreement.kappa:.2f} over all quoted statements, "
        f"{agreement.kappa_where_cued:.2f} where a cue fired; {len(agreement.disagreements)} "
        f"disagreements are listed for review."
    )


def first_and_last_sentence(history: pd.DataFrame, name: str, codebook: Codebook) -> str:
    """Per issue, an actor's first and latest words (and how often it was silent)."""
    if history.empty:
        return f"No statement of {name} is on record."
    parts = []
    for issue, rows in history.groupby("issue", sort=False):
        label = codebook.issues[cast(str, issue)].lower()
        worded = rows[rows["score"].notna()]
        silent = len(rows) - len(worded)
        quiet = f"; silent on {silent} occasion{'s' if silent != 1 else ''}" if silent else ""
        if worded.empty:
            parts.append(f"on {label}, no worded stance{quiet}")
            continue
        first, last = worded.iloc[0], worded.iloc[-1]

        def said(row: pd.Series) -> str:
            phrase = stance_phrase(codebook, row["stance"], row["score"])
            return f"{format_date(row['date'], row['date_precision'])} ({phrase})"

        if len(worded) == 1:
            parts.append(f"on {label}, one worded stance, {said(first)}{quiet}")
        else:
            parts.append(
                f"on {label}, {len(worded)} worded stances, first {said(first)}, "
                f"latest {said(last)}{quiet}"
            )
    return f"{name}: " + "; ".join(parts) + "."
