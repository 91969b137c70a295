"""Words on a page linked to where they come from: a quote to its statement's source, a vote
to its record, an official result to its publisher, the story's framing to its source. The
text stays as the narrative made it; its HTML links the words (present.Source)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import pandas as pd

from reactions.present import Source
from reactions.story import Story, VoteOfRecord
from reactions.wording import excerpt, format_day, publisher_words, short_title


def _note(title: object, publisher: object = "", kind: object = "") -> str:
    """ "Source: TITLE (PUBLISHER (kind))", what a link says it leads to."""
    who = publisher_words(str(publisher or ""), str(kind or ""))
    title = short_title(str(title or ""))
    if not title:
        return f"Source: {who}" if who else ""
    return f"Source: {title}" + (f" ({who})" if who else "")


def quote_sources(rows: Iterable[pd.Series]) -> list[Source]:
    """Each row's quoted words (the excerpt that carries its coding, else its English words)
    and its latest words, where a position row has them, linked to their sources."""
    found = []
    for row in rows:
        url = str(row.get("source_url", "") or "")
        note = _note(row.get("source_title"), row.get("publisher"), row.get("source_kind"))
        for words in dict.fromkeys([excerpt(row), str(row.get("english", "") or "")]):
            if words.strip() and url:
                found.append(Source(words.strip(), url, note))
        latest = str(row.get("latest_quote_en", "") or "").strip()
        latest_url = str(row.get("latest_source_url", "") or "")
        if latest and latest_url:
            latest_note = _note(row.get("latest_source_title"), row.get("latest_publisher"))
            found.append(Source(latest, latest_url, latest_note))
    return found


def vote_sources(recorded: pd.DataFrame) -> list[Source]:
    """Recorded votes as sentences name them, "A/RES/1/1 (31 January 2000)", linked to their
    records."""
    found = []
    row: Any  # a record of votes.csv
    for row in recorded.itertuples(index=False):
        when = format_day(cast(pd.Timestamp, row.date))
        note = _note(row.source_title, "", getattr(row, "source_kind", ""))
        found.append(Source(f"{row.resolution} ({when})", str(row.source_url or ""), note))
    return found


def roll_call_source(votes: pd.DataFrame, resolution: str) -> list[Source]:
    """A resolution's symbol linked to where its roll call is on record (the source most of its
    rows in votes.csv cite)."""
    rows = votes[(votes["resolution"] == resolution) & (votes["source_url"] != "")]
    if rows.empty:
        return []
    url = str(rows["source_url"].value_counts().index[0])
    first = rows[rows["source_url"] == url].iloc[0]
    note = _note(first["source_title"], "", first.get("source_kind", ""))
    return [Source(resolution, url, note)]


def result_sources(votes: Iterable[VoteOfRecord | None]) -> list[Source]:
    """Each official result's source, as narrative.result_sentence names it."""
    return [
        Source(vote.result.source_title, vote.result.source_url, "Source of the official result")
        for vote in votes
        if vote is not None and vote.result is not None and vote.result.source_title
    ]


def framing_sources(story: Story) -> list[Source]:
    """The story's framing source, as narrative.story_framing names it."""
    if not story.framing_source_title:
        return []
    return [Source(story.framing_source_title, story.framing_source_url, "Source of the framing")]
