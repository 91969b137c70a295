"""Audit of the SHIPPED stories against the data standards.

Every file is read directly (csv, PyYAML); no expected value is computed with the `reactions`
package. Expected vote totals are written out by hand from the official results cited in each
story.yml (and, for A/RES/68/262, from the UN Digital Library record 767565 named in votes.csv).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
STORY_2022 = "ukraine-annexation-2022"
STORY_2008 = "georgia-recognition-2008"
STORIES = (STORY_2022, STORY_2008)
SOURCE_KINDS = {"official", "news_agency", "outlet", "aggregator", "forum"}
EXPLICIT = {"explicit_support", "explicit_rejection"}  # scores +2 / -2


def rows(story: str, name: str) -> list[dict[str, str]]:
    with (DATA / story / name).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def read_yaml(story: str, name: str) -> dict:
    with (DATA / story / name).open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def vote_counts(story: str, resolution: str) -> Counter:
    return Counter(r["vote"] for r in rows(story, "votes.csv") if r["resolution"] == resolution)


def story_result(story: str, resolution: str) -> dict:
    (vote,) = [v for v in read_yaml(story, "story.yml")["votes"] if v["resolution"] == resolution]
    return vote["result"]


def cues(story: str) -> list[tuple[str, str, str, str]]:
    """(issue, stance, language, phrase) for every cue of the story's codebook."""
    return [
        (issue, stance, language, phrase)
        for issue, stances in (read_yaml(story, "codebook.yml").get("cues") or {}).items()
        for stance, languages in stances.items()
        for language, phrases in languages.items()
        for phrase in phrases
    ]


# --- source_kind -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["statements.csv", "votes.csv"])
@pytest.mark.parametrize("story", STORIES)
def test_every_row_has_a_source_kind(story, name):
    table = rows(story, name)
    assert table, f"{story}/{name} is empty"
    assert "source_kind" in table[0], f"{story}/{name} has no source_kind column"
    key = "statement_id" if name == "statements.csv" else "iso3"
    missing = [
        (line, r.get(key) or r.get("actor_id"))
        for line, r in enumerate(table, start=2)
        if not r["source_kind"].strip()
    ]
    assert not missing, f"{story}/{name}: rows without source_kind (line, id): {missing}"
    unknown = {r["source_kind"] for r in table} - SOURCE_KINDS
    assert not unknown, f"{story}/{name}: source_kind outside {sorted(SOURCE_KINDS)}: {unknown}"


@pytest.mark.parametrize("story", STORIES)
def test_no_explicit_statement_rests_on_a_forum(story):
    bad = [
        (r["statement_id"], r["stance"])
        for r in rows(story, "statements.csv")
        if r["stance"] in EXPLICIT and r["source_kind"] == "forum"
    ]
    assert not bad, f"{story}: ±2 statements sourced to a forum: {bad}"


@pytest.mark.parametrize("story", STORIES)
def test_no_vote_row_rests_on_a_forum(story):
    bad = [
        (r["resolution"], r["iso3"] or r["actor_id"])
        for r in rows(story, "votes.csv")
        if r["source_kind"] == "forum"
    ]
    assert not bad, f"{story}: vote rows sourced to a forum: {bad}"


# --- votes against the official results --------------------------------------------------------

# Hand-written official results (yes, no, abstain).
COMPLETE_ROLL_CALLS = [
    (STORY_2008, "A/RES/64/296", 50, 17, 86, True),  # 7 September 2010 (Civil Georgia)
    (STORY_2008, "A/RES/65/287", 57, 13, 74, True),  # recorded vote, 29 June 2011
    (STORY_2022, "A/RES/68/262", 100, 11, 58, False),  # not a vote of record in story.yml
]


@pytest.mark.parametrize(
    ("story", "resolution", "yes", "no", "abstain", "of_record"),
    COMPLETE_ROLL_CALLS,
    ids=[f"{s}:{r}" for s, r, *_ in COMPLETE_ROLL_CALLS],
)
def test_complete_roll_call_matches_the_official_result(
    story, resolution, yes, no, abstain, of_record
):
    counts = vote_counts(story, resolution)
    got = (counts["yes"], counts["no"], counts["abstain"])
    assert got == (yes, no, abstain), f"{story} {resolution}: votes.csv gives {got}"
    if of_record:
        result = story_result(story, resolution)
        assert (result["yes"], result["no"], result["abstain"]) == (yes, no, abstain)


# A/RES/ES-11/4: 143 yes, 5 no, 35 abstain, 10 absent (Interfax-Ukraine, 13 October 2022); the
# dataset holds a partial roll call.
ES_11_4 = {"yes": 143, "no": 5, "abstain": 35, "absent": 10}


def test_partial_roll_call_es_11_4_never_exceeds_the_result():
    assert {k: story_result(STORY_2022, "A/RES/ES-11/4")[k] for k in ES_11_4} == ES_11_4
    counts = vote_counts(STORY_2022, "A/RES/ES-11/4")
    assert sum(counts.values()) > 0
    assert set(counts) <= set(ES_11_4)
    over = {k: (counts[k], n) for k, n in ES_11_4.items() if counts[k] > n}
    assert not over, f"A/RES/ES-11/4 rows exceed the result (rows, result): {over}"


def test_every_es_11_4_row_has_a_source_url():
    table = [r for r in rows(STORY_2022, "votes.csv") if r["resolution"] == "A/RES/ES-11/4"]
    assert table
    bad = [r["iso3"] or r["actor_id"] for r in table if not r["source_url"].strip()]
    assert not bad, f"A/RES/ES-11/4 rows without source_url: {bad}"


@pytest.mark.parametrize("story", STORIES)
def test_no_vote_of_record_has_more_rows_than_its_result(story):
    with_result = [v for v in read_yaml(story, "story.yml").get("votes") or [] if "result" in v]
    assert with_result, f"{story}: no vote of record with a result"
    for vote in with_result:
        counts = vote_counts(story, vote["resolution"])
        assert sum(counts.values()) > 0, f"{story}: no rows for {vote['resolution']}"
        for key in ("yes", "no", "abstain", "absent"):
            if key in vote["result"]:
                assert counts[key] <= vote["result"][key], (story, vote["resolution"], key)


# --- codebooks ---------------------------------------------------------------------------------

FOREIGN_TO_2008 = [
    "referendum",
    "annexation",
    "mobiliz",
    "Belarus's part",
    "special military operation",
]


def test_2008_stance_rules_carry_no_2022_wording():
    stances = read_yaml(STORY_2008, "codebook.yml")["stances"]
    rules = {code: (s.get("rule") or "") for code, s in stances.items()}
    assert any(rules.values())
    found = [
        (code, term)
        for code, rule in rules.items()
        for term in FOREIGN_TO_2008
        if term.lower() in rule.lower()
    ]
    assert not found, f"2008 stance rules carry 2022 wording (stance, term): {found}"


def quote_texts(row: dict[str, str]) -> str:
    return "\n".join((row.get("quote") or "", row.get("quote_en") or "")).lower()


@pytest.mark.parametrize("story", STORIES)
def test_no_multi_word_cue_matches_exactly_one_quote(story):
    phrases = sorted({phrase for *_, phrase in cues(story)})
    assert phrases, f"{story}: codebook has no cues"
    texts = [(r["statement_id"], quote_texts(r)) for r in rows(story, "statements.csv")]
    single = {}
    for phrase in phrases:
        if len(phrase.split()) < 2:
            continue
        hits = [sid for sid, text in texts if phrase.lower() in text]
        if len(hits) == 1:
            single[phrase] = hits[0]
    assert not single, f"{story}: multi-word cues matching one quote only: {single}"


def actor_terms(actor: dict[str, str]) -> set[str]:
    """actor_id, the id with spaces, the name, the name without and within its parentheses."""
    name = actor["name"].strip()
    terms = {actor["actor_id"], actor["actor_id"].replace("-", " "), name}
    inner = re.search(r"\(([^)]*)\)", name)
    if inner:
        terms |= {name[: inner.start()].strip(), inner.group(1).strip()}
    return {t.lower() for t in terms if t}


@pytest.mark.parametrize("story", STORIES)
def test_no_cue_names_an_actor(story):
    terms = {t for a in rows(story, "actors.csv") for t in actor_terms(a)}
    phrases = {phrase for *_, phrase in cues(story)}
    assert phrases, f"{story}: codebook has no cues"
    # A whole-word match: actor_id "eu" or "un" is not named by "neutrality" or "unfounded".
    found = sorted(
        (phrase, term)
        for phrase in phrases
        for term in terms
        if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", phrase, re.IGNORECASE)
    )
    assert not found, f"{story}: cues naming an actor (cue, actor term): {found}"
