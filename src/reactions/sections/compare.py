"""The cross-actor page: every actor on every issue, groups, words and votes, coding quality."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reactions import charts, compare, narrative, present, tables, votes
from reactions.dataset import Dataset
from reactions.provenance import Provenance
from reactions.sections import footer
from reactions.sections.footer import provenance as provenance  # the page's last section
from reactions.sections.opening import heading, open_dataset
from reactions.sections.sourcing import result_sources, roll_call_source
from reactions.wording import format_day

STATEMENT_SOURCE = ["source_title", "source_url", "publisher", "source_kind"]


@dataclass(frozen=True)
class Comparison:
    data: Dataset
    issues: list[str]
    group: str | None
    as_of: pd.Timestamp
    long: pd.DataFrame  # compare.matrix: actors x issues, long form
    provenance: Provenance  # what the page is made from: its footer


def open(
    issues: str = "all", as_of: str = "", group: str = "all", data_dir: str = ""
) -> Comparison:
    data, checked = open_dataset(
        {"issues": issues, "as_of": as_of, "group": group, "data_dir": data_dir}
    )
    chosen = list(data.codebook.issues) if checked["issues"] == "all" else [checked["issues"]]
    group_code = None if checked["group"] == "all" else checked["group"]
    return Comparison(
        data=data,
        issues=chosen,
        group=group_code,
        as_of=compare.as_timestamp(checked["as_of"]),
        long=compare.matrix(data, checked["as_of"], chosen, group_code),
        provenance=footer.record(data, checked),
    )


def title(page: Comparison) -> present.Heading:
    """The headline: how the actors on record divide on the first issue shown."""
    codebook = page.data.codebook
    text = narrative.compare_title(page.long, page.issues[0], codebook, page.as_of)
    return heading(text, page.data, page.as_of)


def lede(page: Comparison) -> present.Paragraph:
    """Per issue, how the field divides; per vote of record, its official result."""
    codebook = page.data.codebook
    text = narrative.compare_lede(page.long, page.issues, codebook, page.as_of)
    shown = _votes_read(page)
    for vote in shown:
        text += " " + narrative.result_sentence(vote)
    return present.Paragraph(text, "headline", result_sources(shown))


def heatmap(page: Comparison) -> present.Chart:
    caption = f"Where every actor stands on each issue, {format_day(page.as_of)}"
    return present.Chart(charts.coverage_heatmap(page.long, page.data.codebook), caption)


def matrix(page: Comparison) -> present.Table:
    return present.Table(tables.matrix_table(page.long, page.data.codebook), "matrix")


def groups(page: Comparison) -> present.Table:
    summaries = compare.group_summaries(page.long, page.data.codebook)
    return present.Table(tables.group_table(summaries, page.data.codebook), "groups")


def latest_words(page: Comparison) -> list[object]:
    """Where an actor's latest words are milder than its position: both, each with its words."""
    table = tables.latest_words_table(page.long, page.data.codebook)
    if table.empty:
        return [
            present.Paragraph(
                "Every actor's latest words on these issues are the words that set its position.",
                "note",
            )
        ]
    count = len(table)
    return [
        present.Paragraph(
            f"{count} {'position is' if count == 1 else 'positions are'} set by earlier, "
            "stronger words than the actor's latest, which are milder in the same direction "
            "(the codebook's position rule): both are shown."
        ),
        present.Table(table, "latest-words"),
    ]


def _votes_read(page: Comparison) -> list:
    """The votes of record read against an issue the page shows, held by the page's date (a
    later vote is not yet news: not even its symbol is shown)."""
    return [
        vote
        for vote in page.data.story.votes
        if vote.issue in page.issues
        and (held := votes.resolution_date(page.data, vote.resolution)) is not None
        and held <= page.as_of
    ]


def _slug(resolution: str) -> str:
    return resolution.lower().replace("/", "-").replace(".", "-")


def words_and_votes(page: Comparison) -> list[object]:
    """For each vote of record read against a shown issue: the finding and the table."""
    shown = _votes_read(page)
    if not shown:
        return [
            present.Paragraph(
                "No vote this dataset reads against these issues had been held by "
                f"{format_day(page.as_of)}.",
                "note",
            )
        ]
    codebook = page.data.codebook
    parts: list[object] = []
    for vote in shown:
        frame = votes.words_and_votes(page.data, page.as_of, vote, page.group)
        roll = votes.roll_call(page.data, vote.resolution)
        sources = roll_call_source(page.data.votes, vote.resolution) + result_sources([vote])
        parts += [
            present.Paragraph(
                narrative.divergence_sentence(frame, vote, roll, codebook), sources=sources
            ),
            present.Table(
                tables.words_and_votes_table(frame, codebook), f"votes-{_slug(vote.resolution)}"
            ),
        ]
    return parts


def votes_charts(page: Comparison) -> list[present.Chart]:
    """Per vote of record: how many actors said what and voted how."""
    codebook = page.data.codebook
    return [
        present.Chart(
            charts.words_and_votes(
                votes.words_and_votes(page.data, page.as_of, vote, page.group), codebook
            ),
            f"Positions the day before {vote.resolution} against the recorded votes",
        )
        for vote in _votes_read(page)
    ]


def coding_quality(page: Comparison) -> list[object]:
    from reactions import coding  # scikit-learn: only this section pays for it

    check = coding.check_coding(page.data)
    codebook = page.data.codebook
    said = compare.statements_as_of(page.data, page.as_of)  # none said after the page's date
    columns = ["statement_id", "actor_id", "date", "date_precision", *STATEMENT_SOURCE]
    shown = check.disagreements.merge(said[columns], on="statement_id")
    return [
        present.Paragraph(narrative.coding_sentence(check, len(shown))),
        present.Table(tables.coding_confusion_table(check.confusion, codebook), "coding-confusion"),
        present.Table(
            tables.coding_disagreements_table(shown, codebook, page.data.actor_names),
            "coding-disagreements",
        ),
    ]
