"""The brief: one actor on one issue as of a date, placed among its peers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from reactions import charts, compare, narrative, present, tables, votes
from reactions.dataset import Dataset
from reactions.provenance import Provenance
from reactions.sections import footer
from reactions.sections.footer import provenance as provenance  # the page's last section
from reactions.sections.opening import heading, open_dataset
from reactions.sections.sourcing import (
    framing_sources,
    quote_sources,
    result_sources,
    vote_sources,
)
from reactions.story import VoteOfRecord
from reactions.wording import issue_words


@dataclass(frozen=True)
class Brief:
    data: Dataset
    actor: str
    issue: str
    as_of: pd.Timestamp
    compare_to: pd.Timestamp | None
    among: tuple[str, ...]
    table: pd.DataFrame  # compare.positions on the issue as of the date
    near: compare.Neighbours
    provenance: Provenance  # what the page is made from: its footer

    @property
    def subject(self) -> str:
        """The issue as a sentence names it."""
        return issue_words(self.data.codebook, self.issue)

    @property
    def actor_name(self) -> str:
        return self.data.actor_name(self.actor)

    @property
    def vote_of_record(self) -> VoteOfRecord | None:
        return self.data.story.vote_for(self.issue)

    @cached_property
    def focal_vote(self) -> pd.Series | None:
        """The focal actor's row of votes.words_and_votes for the vote of record (read by the
        headline, the lede and the votes section: computed once)."""
        vote = self.vote_of_record
        if vote is None:
            return None
        frame = votes.words_and_votes(self.data, self.as_of, vote)
        return frame[frame["actor_id"] == self.actor].iloc[0]


def open(
    focal_actor: str = "",
    issue: str = "",
    as_of: str = "",
    compare_to: str = "",
    compare_with: object = None,
    data_dir: str = "",
) -> Brief:
    data, checked = open_dataset(
        {
            "focal_actor": focal_actor,
            "issue": issue,
            "as_of": as_of,
            "compare_to": compare_to,
            "compare_with": compare_with,
            "data_dir": data_dir,
        }
    )
    table = compare.positions(data, checked["issue"], checked["as_of"])
    return Brief(
        data=data,
        actor=checked["focal_actor"],
        issue=checked["issue"],
        as_of=compare.as_timestamp(checked["as_of"]),
        compare_to=compare.as_timestamp(checked["compare_to"]) if checked["compare_to"] else None,
        among=checked["compare_with"],
        table=table,
        near=compare.neighbours(table, checked["focal_actor"], list(checked["compare_with"])),
        provenance=footer.record(data, checked),
    )


def title(brief: Brief) -> present.Heading:
    """The headline: a finding, made from codes."""
    text = narrative.brief_title(
        brief.table,
        brief.near,
        brief.actor,
        brief.issue,
        [actor for actor in brief.among if actor != brief.actor],
        brief.data.codebook,
    )
    if brief.focal_vote is not None:
        text += narrative.diverging_vote_clause(brief.focal_vote)
    return heading(text, brief.data, brief.as_of)


def framing(brief: Brief) -> present.Paragraph:
    text = narrative.story_framing(brief.data.story, brief.as_of)
    return present.Paragraph(
        text or "This dataset describes no story of its own.",
        "note",
        framing_sources(brief.data.story),
    )


def headline(brief: Brief) -> present.Paragraph:
    among = [brief.data.actor_name(actor) for actor in brief.among if actor != brief.actor]
    text = narrative.lede(
        brief.table,
        brief.near,
        brief.actor,
        brief.issue,
        brief.as_of,
        among,
        brief.data.codebook,
        brief.data.story.pole_name,
    )
    vote, focal = brief.vote_of_record, brief.focal_vote
    if vote is not None and focal is not None:  # a vote that tells against the words
        held = votes.resolution_date(brief.data, vote.resolution)
        text += narrative.vote_in_lede(focal, vote, held, brief.data.codebook)
    own = brief.table[brief.table["actor_id"] == brief.actor]
    return present.Paragraph(text, "headline", quote_sources(row for _, row in own.iterrows()))


def field(brief: Brief) -> present.Paragraph:
    return present.Paragraph(narrative.field_sentence(brief.table, brief.subject, brief.as_of))


def silence_note(brief: Brief) -> present.Paragraph:
    return present.Paragraph(narrative.silence_note(brief.data.story, brief.as_of), "note")


def unsaid(brief: Brief) -> present.Paragraph:
    silences = compare.silences(brief.data, brief.actor, brief.as_of)
    return present.Paragraph(
        narrative.unsaid_sentence(silences, brief.actor_name, brief.data.codebook)
    )


def scale_note(brief: Brief) -> present.Paragraph:
    pole = brief.data.story.pole_name
    return present.Paragraph(
        f"+2 says yes to {pole} outright, -2 says no outright; silence is shown apart, "
        "never as a zero.",
        "note",
    )


def spectrum(brief: Brief) -> present.Chart:
    chart = charts.stance_spectrum(brief.table, brief.actor, brief.data.codebook)
    return present.Chart(chart, narrative.spectrum_title(brief.table, brief.subject, brief.as_of))


def comparison(brief: Brief) -> present.Table:
    return present.Table(tables.comparison_table(brief.table, brief.data.codebook), "comparison")


def groups(brief: Brief) -> present.Table:
    summary = compare.group_summary(brief.table, brief.data.codebook)
    return present.Table(tables.group_table(summary, brief.data.codebook), "groups")


def changes(brief: Brief) -> list[object]:
    if brief.compare_to is None:
        return [present.Paragraph("This brief sets no comparison date.", "note")]
    before = compare.positions(brief.data, brief.issue, brief.compare_to)
    moved = compare.changes(before, brief.table)
    codebook = brief.data.codebook
    sentence = narrative.change_sentence(
        moved, brief.actor, brief.actor_name, brief.compare_to, brief.as_of, codebook
    )
    return [
        present.Paragraph(sentence),
        present.Table(tables.changes_table(moved, codebook), "changes"),
    ]


def votes_section(brief: Brief) -> present.Paragraph:
    vote, focal = brief.vote_of_record, brief.focal_vote
    recorded = votes.votes_as_of(brief.data, brief.actor, brief.as_of)
    text = narrative.vote_sentence(
        focal, recorded, brief.actor_name, vote, brief.as_of, brief.data.codebook
    )
    if vote is None:
        text += f" This dataset reads no vote against {brief.subject}."
    events = compare.events_as_of(brief.data, brief.as_of)
    missing = narrative.missing_votes_sentence(events, set(brief.data.votes["resolution"]))
    sources = vote_sources(recorded) + result_sources([vote])
    return present.Paragraph(f"{text} {missing}".strip(), sources=sources)


def timeline(brief: Brief) -> present.Chart:
    said = compare.statements_as_of(brief.data, brief.as_of, brief.issue)
    events = compare.events_as_of(brief.data, brief.as_of)
    chart = charts.timeline(said, events, brief.data.codebook, brief.data.actor_names)
    return present.Chart(chart, narrative.timeline_title(brief.subject, brief.as_of))


def sources_note(brief: Brief) -> present.Paragraph:
    return present.Paragraph(narrative.sources_note(brief.data.story, brief.as_of), "note")


def coverage(brief: Brief) -> present.Table:
    counts = compare.coverage(brief.data, brief.as_of)
    return present.Table(tables.coverage_table(counts, brief.data.codebook), "coverage")
