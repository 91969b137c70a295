"""Findings as sentences, generated from the comparison's codes so that the text moves with the
data. Event-specific words come from the dataset's story, never from here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from reactions.codebook import Codebook
from reactions.compare import NO_RECORD, SILENT, STATED, Neighbours, field_counts
from reactions.story import Story, VoteOfRecord, text_as_of
from reactions.votes import CANNOT_VOTE, DID_NOT_VOTE, NOT_ON_RECORD, VOTED
from reactions.wording import (
    DIRECTION_WORDS,
    excerpt,
    format_date,
    format_day,
    format_iso,
    is_are,
    issue_pronoun,
    issue_words,
    join_names,
    position_text,
    quoted,
    stance_clause,
    stance_phrase,
    translation_note,
    vote_result_words,
    vote_words,
)

if TYPE_CHECKING:
    from reactions.coding import Agreement

GENERIC_SILENCE = (
    "Silence is data here: an occasion on which an actor could have addressed an issue and "
    "did not. It is shown as silence, never scored as a middle position."
)
GENERIC_SOURCES = (
    "Each statement carries its source; the story's method, where it publishes one, says how "
    "rows were chosen and coded."
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


def _stated(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["record"] == STATED]


def _clauses(rows: pd.DataFrame, codebook: Codebook, issue: str) -> list[str]:
    """One clause per stance, most rejecting first: "Kazakhstan and Serbia reject it"."""
    clauses = []
    for (code, _), peers in rows.sort_values(["score", "name"]).groupby(
        ["stance", "score"], sort=False
    ):
        clauses.append(stance_clause(codebook, str(code), list(peers["name"]), issue))
    return clauses


def brief_title(
    table: pd.DataFrame,
    near: Neighbours,
    focal_actor: str,
    issue: str,
    among: list[str],
    codebook: Codebook,
) -> str:
    """The brief's headline, a finding: the focal actor's position in words, and its
    comparators' ("Belarus hedges on X as Kazakhstan declines to back them and ...")."""
    focal = table[table["actor_id"] == focal_actor].iloc[0]
    subject = issue_words(codebook, issue)
    if focal["record"] == NO_RECORD:
        lead = f"No statement by {focal['name']} on {subject} is on record"
    else:
        lead = stance_clause(codebook, focal["stance"], [focal["name"]], subject)
    peers = _stated(table)
    peers = peers[peers["actor_id"] != focal_actor]
    if among:
        peers = peers[peers["actor_id"].isin(among)]
    if not among or len(peers) > 4:  # too many to name: the nearest on each side
        peers = pd.concat([near.below, near.level, near.above])
    clauses = _clauses(peers, codebook, issue_pronoun(codebook, issue))
    return f"{lead} as {join_names(clauses)}" if clauses else lead


def data_as_of_line(newest: pd.Timestamp | None, as_of: pd.Timestamp) -> str:
    """ "Data as of 31 January 2000": the date of the newest statement on record by the page's
    date (reactions.compare.data_as_of), shown under a page's headline."""
    if newest is None:
        return f"No statement on record by {format_day(as_of)}"
    return f"Data as of {format_day(newest)}"


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


def position_sentence(focal: pd.Series, codebook: Codebook, issue: str, as_of: pd.Timestamp) -> str:
    """The focal actor's position, the statement that sets it, and its latest words where they
    differ (latest words are not a position)."""
    as_of_text = format_day(as_of)
    subject = issue_words(codebook, issue)
    if focal["record"] == NO_RECORD:
        return f"As of {as_of_text}, no statement by {focal['name']} on {subject} is on record."
    when = format_date(focal["date"], focal["date_precision"])
    if focal["record"] == SILENT:
        return (
            f"As of {as_of_text}, {focal['name']} has not addressed {subject}: "
            f"it was silent at {focal['occasion']} {when}."
        )
    words = quoted(excerpt(focal), translation_note(focal))
    text = (
        f"As of {as_of_text}, {focal['name']}'s position on {subject} is "
        f"{position_text(codebook, STATED, focal['stance'], focal['score'])}, "
        f"set by {_speaker(focal)}, "
        f"{when}: {words}"
    )
    return text + latest_words_sentence(focal, codebook)


def latest_words_sentence(row: pd.Series, codebook: Codebook) -> str:
    """ " Its latest words, on D, are milder: ..." where they differ from the position (under
    the codebook's position rule, they can differ only by being milder in its direction)."""
    if not row.get("latest_statement_id"):
        return ""
    when = format_date(row["latest_date"], row["latest_date_precision"])
    phrase = stance_phrase(codebook, row["latest_stance"], row["latest_score"])
    return (
        f" Its latest words, {when} ({phrase}), are milder words in the same direction, which "
        f"do not change it: {quoted(str(row['latest_quote_en']))}"
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
            f"{name} stands furthest from {pole}; next above it {is_are(len(near.above))} "
            f"{_peer_phrase(near.above, codebook)}"
        )
    elif not near.below.empty:
        place = (
            f"{name} stands closest to {pole}; next below it {is_are(len(near.below))} "
            f"{_peer_phrase(near.below, codebook)}"
        )
    elif not near.level.empty:
        return f"{scope}, {name} stands level with {join_names(list(near.level['name']))}."
    else:
        return f"{scope}, no other actor has a worded stance to compare with."
    if not near.level.empty:
        place += f"; it is level with {join_names(list(near.level['name']))}"
    return f"{scope}, {place}."


def silence_sentence(focal: pd.Series, subject: str) -> str:
    """What the focal actor left unsaid after its latest words."""
    if focal["record"] != STATED or pd.isna(focal["silent_since"]):
        return ""
    return (
        f"On its latest occasion ({focal['silent_occasion']}, "
        f"{format_day(focal['silent_since'])}), {focal['name']} did not address {subject}."
    )


def field_sentence(table: pd.DataFrame, subject: str, as_of: pd.Timestamp) -> str:
    """How the whole field divides, with silence and missing records counted apart."""
    counts = field_counts(table)
    missing = counts[NO_RECORD]
    absent = f"No statement on record: {missing} {'actor' if missing == 1 else 'actors'}."
    if counts["on_record"] == 0:
        return f"No actor is on record on {subject} as of {format_day(as_of)}. {absent}"
    actors = "actor" if counts["on_record"] == 1 else "actors"
    return (
        f"Of the {counts['on_record']} {actors} on record on {subject} as of "
        f"{format_day(as_of)}: rejecting {counts['rejecting']} (explicitly or implicitly), "
        f"ambiguous {counts['ambiguous']}, supporting {counts['supporting']}, only silent "
        f"{counts[SILENT]} (silence is not scored). {absent}"
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
    spoke = newcomers[newcomers["record_after"] == STATED]
    if not spoke.empty:
        parts.append(
            f"first worded stance on record from {len(spoke)} more "
            f"{'actor' if len(spoke) == 1 else 'actors'} ({join_names(sorted(spoke['name']))})"
        )
    quiet = newcomers[newcomers["record_after"] == SILENT]
    if not quiet.empty:
        parts.append(f"first silence on record: {join_names(sorted(quiet['name']))}")
    if len(parts) == 1:
        parts.append("no other actor's position changed")
    return "; ".join(parts) + "."


def unsaid_sentence(silences: pd.DataFrame, focal_name: str, codebook: Codebook) -> str:
    """What the focal actor left unaddressed, on which occasions (all issues)."""
    if silences.empty:
        return f"No silence of {focal_name} is on record."
    parts = []
    row: Any  # a record of `silences`: its fields' types are the columns'
    for row in silences.itertuples(index=False):
        issues = [issue_words(codebook, code) for code in row.issues]
        what = issues[0] if len(issues) == 1 else "neither " + " nor ".join(issues)
        verb = "did not address" if len(issues) == 1 else "addressed"
        when = format_day(cast(pd.Timestamp, row.date))
        parts.append(f"on {when} ({row.occasion}), {focal_name} {verb} {what}")
    return "Left unsaid: " + "; ".join(parts) + "."


def _verdict(row: pd.Series, codebook: Codebook) -> str:
    """How an actor's words and vote relate: "hedged in words, voted no"."""
    vote = vote_words(row["vote"])
    if row["record"] == STATED:
        direction = int(row["score"] > 0) - int(row["score"] < 0)
        return f"{DIRECTION_WORDS[direction]} in words, {vote}"
    said = "silent in words" if row["record"] == SILENT else "no statement"
    return f"{said}; {vote}"


def result_sentence(vote_of_record: VoteOfRecord) -> str:
    """The official result of a vote of record, or that the dataset does not hold it."""
    result = vote_of_record.result
    if result is None:
        return f"The official result of {vote_of_record.resolution} is not in this dataset."
    source = f" (source: {result.source_title})" if result.source_title else ""
    words = vote_result_words(result.yes, result.no, result.abstain, result.absent)
    return f"{vote_of_record.resolution} was {words}{source}."


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
        return f"No UN General Assembly vote of {focal_name} up to {as_of_text} is in this dataset."
    listed = join_names(
        [
            f"{row.resolution} ({format_day(cast(pd.Timestamp, row.date))}): "
            + vote_words(str(row.vote))
            for row in recorded.itertuples(index=False)
        ]
    )
    text = f"Recorded UN General Assembly votes of {focal_name} up to {as_of_text}: {listed}."
    if focal_votes is not None and focal_votes["status"] == VOTED:
        assert vote_of_record is not None  # focal_votes is a row of this vote's words_and_votes
        subject = issue_words(codebook, vote_of_record.issue)
        text += " " + result_sentence(vote_of_record)
        if focal_votes["record"] == NO_RECORD:
            text += (
                f" {focal_name} had no statement on {subject} on record before the vote; it "
                f"{vote_words(focal_votes['vote'])}."
            )
        else:
            words = position_text(
                codebook, focal_votes["record"], focal_votes["stance"], focal_votes["score"]
            )
            text += (
                f" Its position on {subject} the day before the vote was {words}: "
                f"{_verdict(focal_votes, codebook)}"
                + (", a divergence." if focal_votes["diverges"] else ".")
            )
    return text


def diverging_vote_clause(focal_votes: pd.Series) -> str:
    """ "; at the UN General Assembly it voted no": a headline's vote that tells against the
    words (nothing when the vote agrees with them or was not cast by the page's date)."""
    if focal_votes["status"] != VOTED or not focal_votes["diverges"]:
        return ""
    return f"; at the UN General Assembly it {vote_words(focal_votes['vote'])}"


def vote_in_lede(
    focal_votes: pd.Series,
    vote_of_record: VoteOfRecord,
    held: pd.Timestamp | None,
    codebook: Codebook,
) -> str:
    """ " On D it voted no on RESOLUTION (adopted 143-5-35, 10 absent):
    hedged in words, voted no, a divergence." when the focal actor voted by the page's date."""
    if focal_votes["status"] != VOTED or held is None:
        return ""
    result = vote_of_record.result
    outcome = (
        f" ({vote_result_words(result.yes, result.no, result.abstain, result.absent)})"
        if result is not None
        else ""
    )
    verdict = _verdict(focal_votes, codebook) + (
        ", a divergence" if focal_votes["diverges"] else ""
    )
    return (
        f" On {format_day(held)} it {vote_words(focal_votes['vote'])} on "
        f"{vote_of_record.resolution}{outcome}: {verdict}."
    )


def missing_votes_sentence(events: pd.DataFrame, recorded: set[str]) -> str:
    """Votes the timeline marks whose roll call this dataset does not hold."""
    marked = events[(events["resolution"] != "") & ~events["resolution"].isin(recorded)]
    if marked.empty:
        return ""
    listed = join_names(
        [
            f"{row.resolution} ({format_day(cast(pd.Timestamp, row.date))})"
            for row in marked.itertuples(index=False)
        ]
    )
    return f"The timeline marks {listed}; its roll call is not in this dataset."


def lede(
    table: pd.DataFrame,
    near: Neighbours,
    focal_actor: str,
    issue: str,
    as_of: pd.Timestamp,
    among_names: list[str],
    codebook: Codebook,
    pole: str,
) -> str:
    """The brief's lede: the position and the words that set it, neighbours, a later silence,
    the actor's own group."""
    focal = table[table["actor_id"] == focal_actor].iloc[0]
    subject = issue_words(codebook, issue)
    sentences = [
        position_sentence(focal, codebook, issue, as_of),
        neighbour_sentence(focal, near, among_names, codebook, pole),
        silence_sentence(focal, subject),
        group_sentence(table, focal_actor, codebook),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def divergence_sentence(
    table: pd.DataFrame, vote_of_record: VoteOfRecord, roll: dict[str, int], codebook: Codebook
) -> str:
    """The official result beside how much of it the dataset records; then, over recorded
    votes, whose words and votes part ways, who voted without words, whose vote is missing."""
    subject = issue_words(codebook, vote_of_record.issue)
    result = vote_of_record.result
    held = (table["status"] != "not_held").any()
    if not held:
        return f"{vote_of_record.resolution} had not been held by the page's date."
    record = (
        f"The dataset records {roll['recorded']} of its {result.members} member states' votes"
        if result is not None
        else f"The dataset records {roll['recorded']} member states' votes"
    )
    text = (
        f"{result_sentence(vote_of_record)} {record}: {roll['yes']} yes, {roll['no']} no, "
        f"{roll['abstain']} abstaining, {roll['absent']} absent. What follows is read over "
        "recorded votes only."
    )
    diverging = table[table["diverges"]]
    if diverging.empty:
        text += f" No actor's position on {subject} the day before diverges from its vote."
    else:
        listed = join_names(
            [f"{row['name']} ({_verdict(row, codebook)})" for _, row in diverging.iterrows()]
        )
        count = len(diverging)
        text += (
            f" Position on {subject} the day before and vote diverge for {count} "
            f"{'actor' if count == 1 else 'actors'}: {listed}."
        )
    voted = table[(table["status"] == VOTED) & (table["vote"] != "absent")]
    without_words = int((voted["record"] != STATED).sum())
    missing = int((table["status"] == NOT_ON_RECORD).sum())
    absent = sorted(table.loc[table["status"] == DID_NOT_VOTE, "name"])
    cannot = int((table["status"] == CANNOT_VOTE).sum())
    text += f" Voted with no worded stance on record: {without_words}."
    if absent:  # every vote cast is recorded: a member without a row did not vote
        text += f" Did not vote: {join_names(absent)}."
    else:
        text += f" Member states among the actors whose vote this dataset does not hold: {missing}."
    return text + f" Actors that cannot vote (not UN member states): {cannot}."


def _named_or_counted(rows: pd.DataFrame, limit: int = 3) -> str:
    names = sorted(rows["name"])
    return join_names(names) if len(names) <= limit else f"{len(names)} actors"


def compare_title(long: pd.DataFrame, issue: str, codebook: Codebook, as_of: pd.Timestamp) -> str:
    """The cross-actor page's headline: how the actors on record divide on its first issue."""
    table = long[long["issue"] == issue]
    counts = field_counts(table)
    subject, pronoun = issue_words(codebook, issue), issue_pronoun(codebook, issue)
    stated = _stated(table)
    supporting = stated[stated["score"] > 0]
    head = (
        f"{counts['rejecting']} of {counts['on_record']} actors on record reject {subject} "
        f"as of {format_day(as_of)}"
    )
    if supporting.empty:
        return f"{head}; none supports {pronoun}"
    verb = "supports" if len(supporting) == 1 else "support"
    return f"{head}; {_named_or_counted(supporting)} {verb} {pronoun}"


def compare_lede(
    long: pd.DataFrame, issues: list[str], codebook: Codebook, as_of: pd.Timestamp
) -> str:
    """Per issue shown: how the field divides, the ambiguous and the silent named."""
    sentences = []
    for issue in issues:
        table = long[long["issue"] == issue]
        sentences.append(field_sentence(table, issue_words(codebook, issue), as_of))
    return " ".join(sentences)


def actor_title(page_positions: pd.DataFrame, name: str, codebook: Codebook) -> str:
    """The actor page's headline: its position on each issue it addressed, in the codebook's
    verbs ("Belarus hedges on recognition and stays silent on Belarus's part in the war")."""
    known = page_positions[page_positions["record"] != NO_RECORD]
    if known.empty:
        return f"No statement by {name} is on record"
    clauses = [
        stance_clause(codebook, row["stance"], [name], issue_words(codebook, row["issue"]))
        for _, row in known.iterrows()
    ]
    first, rest = clauses[0], [clause.removeprefix(f"{name} ") for clause in clauses[1:]]
    return join_names([first, *rest])


def spectrum_title(table: pd.DataFrame, subject: str, as_of: pd.Timestamp) -> str:
    """What the spectrum shows, with its finding: how the actors on record divide."""
    counts = field_counts(table)
    return (
        f"Where the actors stand on {subject}, {format_day(as_of)}: "
        f"{counts['rejecting']} rejecting, {counts['ambiguous']} ambiguous, "
        f"{counts['supporting']} supporting"
    )


def timeline_title(subject: str, as_of: pd.Timestamp) -> str:
    return f"Every statement on {subject} up to {format_day(as_of)}, against the events it answers"


def coding_sentence(agreement: Agreement, listed: int) -> str:
    """How far the codebook's cues agree with the human coding (a coding.Agreement, over the
    whole dataset), and how many of their disagreements the page lists (those on record by its
    date)."""
    return (
        f"Over all {len(agreement.proposals)} quoted statements of the dataset, every date: "
        f"cues from the codebook propose a stance for {agreement.cued}; agreement with the human "
        f"coding, Cohen's kappa {agreement.kappa:.2f} over all, {agreement.kappa_where_cued:.2f} "
        f"where a cue fired. The cues advise; they are not a measure of reliability (the "
        f"story's method gives the agreement of two human coders). Of "
        f"{len(agreement.disagreements)} disagreements, {listed} on record by this page's date "
        "are listed for review."
    )


def first_and_last_sentence(history: pd.DataFrame, name: str, codebook: Codebook) -> str:
    """Per issue, an actor's first and latest words (and how often it was silent)."""
    if history.empty:
        return f"No statement of {name} is on record."
    parts = []
    for issue, rows in history.groupby("issue", sort=False):
        label = issue_words(codebook, cast(str, issue))
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
