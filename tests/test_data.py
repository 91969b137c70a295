"""The published dataset itself: valid, sourced, and covering what the source article reports."""

from __future__ import annotations

import pytest

from conftest import DATA, ROOT
from reactions.dataset import load_dataset

ARTICLE = ROOT.parent / "shared" / "sources" / "sochi-2022-09-26-analysis.txt"


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA)


def test_size_and_coverage(data):
    statements = data.statements
    assert len(statements) >= 60
    assert statements["actor_id"].nunique() >= 30
    assert set(statements["issue"]) == set(data.codebook.issues)


def test_every_statement_is_sourced(data):
    statements = data.statements
    assert (statements["source_title"] != "").all()
    assert statements["source_date"].notna().all()
    unlinked = statements[statements["source_url"] == ""]
    assert (unlinked["source_title"].str.startswith("Analysis:")).all()


def test_the_article_reactions_are_in_the_dataset(data):
    article = data.statements[data.statements["source_title"].str.startswith("Analysis:")]
    found = set(zip(article["actor_id"], article["issue"], article["stance"], strict=True))
    assert {
        ("belarus", "recognition", "silent"),
        ("belarus", "war_participation", "silent"),
        ("belarus", "recognition", "ambiguous"),
        ("serbia", "recognition", "explicit_rejection"),
        ("kazakhstan", "recognition", "implicit_rejection"),
        ("south-ossetia", "recognition", "explicit_support"),
    } <= found


@pytest.mark.skipif(not ARTICLE.exists(), reason="../shared/sources is not beside the checkout")
def test_article_quotes_are_verbatim(data):
    text = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    article = data.statements[data.statements["source_title"].str.startswith("Analysis:")]
    for quote in article["quote"]:
        assert " ".join(quote.split()) in text


def test_recorded_votes_are_not_statements(data):
    assert not data.statements["speaker_role"].str.contains("recorded vote", case=False).any()


def brief_outputs(as_of: str, compare_to: str = "") -> str:
    from test_every_brief import run_brief

    return "\n".join(
        run_brief(
            {
                "focal_actor": "belarus",
                "issue": "recognition",
                "as_of": as_of,
                "compare_to": compare_to,
                "data_dir": str(DATA),
                "compare_with": ["kazakhstan", "serbia", "south-ossetia"],
            }
        )
    )


def test_belarus_brief_before_and_after_the_annexation_vote():
    before, after = brief_outputs("2022-09-26"), brief_outputs("2022-10-31", "2022-09-26")
    for text in (before, after):
        assert (
            "Belarus stands between Kazakhstan (implicit rejection, -1) and South Ossetia "
            "(explicit support, +2)"
        ) in text
        assert ("Belarus addressed neither recognition nor war participation") in text
    assert "A/RES/ES-11/4" not in before.split("Words and votes")[0]
    assert "A/RES/ES-11/4 (12 October 2022): no" not in before
    assert "A/RES/ES-11/4 (12 October 2022): no" in after
    assert "hedged in words, voted no, a divergence" in after
    assert (
        "Between 26 September 2022 and 31 October 2022, Belarus&#x27;s position did not change"
        in after
    )


def test_votes_are_sourced_and_never_guessed(data):
    assert (data.votes["source_title"] != "").all()
    es_11_4 = data.votes[data.votes["resolution"] == "A/RES/ES-11/4"]
    assert es_11_4.set_index("actor_id").loc["belarus", "vote"] == "no"
    assert "united-states" not in set(es_11_4["actor_id"])  # partial roll call: not on record
