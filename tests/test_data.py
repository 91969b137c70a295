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
