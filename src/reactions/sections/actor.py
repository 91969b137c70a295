"""One actor across every issue over time: its stance history, silences, votes, first and last
words per issue."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reactions import charts, compare, narrative, present, tables, votes
from reactions.dataset import Dataset
from reactions.provenance import Provenance
from reactions.sections import footer
from reactions.sections.footer import provenance as provenance  # the page's last section
from reactions.sections.opening import heading, open_dataset
from reactions.sections.sourcing import quote_sources, result_sources, vote_sources
from reactions.wording import format_day


@dataclass(frozen=True)
class ActorPage:
    data: Dataset
    actor: str
    as_of: pd.Timestamp
    history: pd.DataFrame  # compare.stance_history over every issue
    positions: pd.DataFrame  # the actor's compare.positions row on each issue, with `issue`
    provenance: Provenance  # what the page is made from: its footer

    @property
    def name(self) -> str:
        return self.data.actor_name(self.actor)


def open(actor: str = "", as_of: str = "", data_dir: str = "") -> ActorPage:
    data, checked = open_dataset({"actor": actor, "as_of": as_of, "data_dir": data_dir})
    long = compare.matrix(data, checked["as_of"], list(data.codebook.issues))
    return ActorPage(
        data=data,
        actor=checked["actor"],
        as_of=compare.as_timestamp(checked["as_of"]),
        history=compare.stance_history(data, checked["actor"], checked["as_of"]),
        positions=long[long["actor_id"] == checked["actor"]].reset_index(drop=True),
        provenance=footer.record(data, checked),
    )


def title(page: ActorPage) -> present.Heading:
    """The headline: the actor's position on each issue it addressed."""
    text = narrative.actor_title(page.positions, page.name, page.data.codebook)
    return heading(text, page.data, page.as_of)


def first_and_last(page: ActorPage) -> present.Paragraph:
    """The lede: its position on each issue with the words that set it, then first and latest
    words per issue."""
    codebook = page.data.codebook
    sentences = [
        narrative.position_sentence(row, codebook, row["issue"], page.as_of)
        for _, row in page.positions.iterrows()
        if row["record"] != compare.NO_RECORD
    ]
    sentences.append(narrative.first_and_last_sentence(page.history, page.name, codebook))
    sources = quote_sources(row for _, row in page.positions.iterrows())
    return present.Paragraph(" ".join(sentences), "headline", sources)


def history_chart(page: ActorPage) -> present.Chart:
    chart = charts.actor_history(page.history, page.data.codebook)
    caption = f"Every statement and silence of {page.name} up to {format_day(page.as_of)}, by issue"
    return present.Chart(chart, caption)


def history(page: ActorPage) -> present.Table:
    return present.Table(tables.history_table(page.history, page.data.codebook), "history")


def unsaid(page: ActorPage) -> present.Paragraph:
    silences = compare.silences(page.data, page.actor, page.as_of)
    return present.Paragraph(narrative.unsaid_sentence(silences, page.name, page.data.codebook))


def votes_section(page: ActorPage) -> list[present.Paragraph]:
    """Its recorded votes, and its words beside each vote of record of the story."""
    recorded = votes.votes_as_of(page.data, page.actor, page.as_of)
    codebook = page.data.codebook
    paragraphs: list[present.Paragraph] = []
    for vote in page.data.story.votes or (None,):
        focal = None
        if vote is not None:
            frame = votes.words_and_votes(page.data, page.as_of, vote)
            focal = frame[frame["actor_id"] == page.actor].iloc[0]
        sentence = narrative.vote_sentence(focal, recorded, page.name, vote, page.as_of, codebook)
        if all(sentence != paragraph.text for paragraph in paragraphs):  # one vote's words once
            sources = vote_sources(recorded) + result_sources([vote])
            paragraphs.append(present.Paragraph(sentence, sources=sources))
    return paragraphs
