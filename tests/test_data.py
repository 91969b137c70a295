"""The published dataset itself: valid, sourced, and covering what the source article reports.

Expected values here are read from the CSV files and REVIEW.md ("Integrity review (issue 10)"),
never computed with the code under test.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from reactions.dataset import load_dataset
from support.paths import DATA, ROOT

ARTICLE = ROOT.parent / "shared" / "sources" / "sochi-2022-09-26-analysis.txt"
ARTICLE_TITLE = '"Lukashenko is in Sochi again. Did he slip out of Putin\'s arms?" (analysis'


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA)


def raw(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_size_and_coverage(data):
    statements = data.statements
    assert len(statements) == len(raw("statements.csv")) == 93  # 98 less 5 merged doubles
    assert statements["actor_id"].nunique() >= 30
    assert set(statements["issue"]) == set(data.codebook.issues)
    assert Counter(statements["issue"]) == {
        "recognition": 71,
        "mobilization": 8,
        "war_participation": 8,
        "belarus_involvement": 6,
    }
    assert Counter(statements["stance"]) == {
        "explicit_rejection": 46,
        "implicit_rejection": 16,
        "ambiguous": 11,
        "silent": 3,
        "implicit_support": 8,
        "explicit_support": 9,
    }


def test_every_statement_is_sourced(data):
    statements = data.statements
    assert (statements["source_title"] != "").all()
    assert statements["source_date"].notna().all()
    assert (statements["source_url"] != "").all()  # the Sochi silences too (issue 20)
    sochi = statements[statements["statement_id"].str.endswith("sochi-silent")]
    assert set(sochi["source_url"]) == {
        "https://www.txtreport.com/news/2022-09-26-lukashenko-is-in-sochi-again--did-he-slip-"
        "out-of-putin-s-arms-.H1n6QB1Ms.html"
    }
    assert (sochi["source_title"].str.startswith(ARTICLE_TITLE)).all()


def test_the_article_reactions_are_in_the_dataset(data):
    article = data.statements[data.statements["source_title"].str.startswith(ARTICLE_TITLE)]
    assert set(zip(article["actor_id"], article["issue"], article["stance"], strict=True)) == {
        ("belarus", "recognition", "silent"),
        ("belarus", "war_participation", "silent"),
    }
    # The article's other reactions were merged into the sourced rows of the same statements.
    kept = data.statements.set_index("statement_id")
    assert {
        statement: kept.loc[statement, "stance"]
        for statement in (
            "belarus-recognition-2022-09-24-makei",
            "serbia-recognition-2022-09-25-selakovic",
            "kazakhstan-recognition-2022-09-26-smadiyarov",
            "south-ossetia-recognition-2022-09-26-gagloev",
        )
    } == {
        "belarus-recognition-2022-09-24-makei": "ambiguous",
        "serbia-recognition-2022-09-25-selakovic": "explicit_rejection",
        "kazakhstan-recognition-2022-09-26-smadiyarov": "implicit_rejection",
        "south-ossetia-recognition-2022-09-26-gagloev": "implicit_support",
    }
    retired = {
        "serbia-recognition-2022-09-26-analysis",
        "north-korea-recognition-2022-10-04-mfa",
        "south-ossetia-recognition-2022-09-26-gagloev-analysis",
        "belarus-recognition-2022-09-24-makei-analysis",
        "kazakhstan-recognition-2022-09-26-analysis",
    }
    assert not retired & set(kept.index)


def test_belarus_involvement_is_its_own_issue(data):
    moved = data.statements[data.statements["issue"] == "belarus_involvement"]
    assert dict(zip(moved["statement_id"], moved["stance"], strict=True)) == {
        "ukraine-war-participation-2022-10-09-mfa": "explicit_rejection",
        "eu-war-participation-2022-10-10-borrell": "explicit_rejection",
        "eu-war-participation-2022-10-10-stano-accusations": "implicit_rejection",
        "eu-war-participation-2022-10-10-stano-refrain": "explicit_rejection",
        "g7-war-participation-2022-10-11-leaders": "explicit_rejection",
        "ukraine-war-participation-2022-10-11-zelensky": "implicit_rejection",
    }
    belarus_own = data.statements[data.statements["actor_id"] == "belarus"]
    assert "belarus_involvement" not in set(belarus_own["issue"])


def test_translations_are_marked(data):
    statements = data.statements.set_index("statement_id")
    assert Counter(statements["translated_by"]) == {"": 48, "source": 39, "coder": 6}
    assert statements.loc["serbia-recognition-2022-09-25-selakovic", "spoken_language"] == "sr"
    assert statements.loc["serbia-recognition-2022-09-25-selakovic", "translated_by"] == "source"
    scholz = statements.loc["germany-recognition-2022-09-20-scholz"]
    assert (scholz["spoken_language"], scholz["translated_by"]) == ("de", "coder")
    translated = statements[statements["translated_by"] != ""]
    assert (translated["quote"] != "").all()


@pytest.mark.skipif(not ARTICLE.exists(), reason="../shared/sources is not beside the checkout")
def test_article_words_are_in_the_article(data):
    text = " ".join(ARTICLE.read_text(encoding="utf-8").split())
    # The rows the article's words were merged into keep the words the article quotes.
    assert '"national interests"' in text
    makei = data.statements.set_index("statement_id").loc["belarus-recognition-2022-09-24-makei"]
    assert "national interests" in makei["quote_en"]
    assert "Sochi" in text
    for occasion in data.statements.loc[
        data.statements["source_title"].str.startswith(ARTICLE_TITLE), "occasion"
    ]:
        assert "Sochi" in occasion


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
    # 26 September (issue 20): Serbia -2 (Selakovic, 25 Sep, TASS's "cannot accept") is further
    # below;
    # South Ossetia +1 (Gagloev, 26 Sep: backs the operation) above Belarus 0.
    assert (
        "Among Kazakhstan, Serbia and South Ossetia, Belarus stands between Kazakhstan "
        "(implicit rejection, -1), below, and South Ossetia (implicit support, +1), above."
    ) in before
    # 31 October: Serbia -2 (Vucic, 28 Sep), further away; Kazakhstan alone below.
    assert (
        "Among Kazakhstan, Serbia and South Ossetia, Belarus stands between Kazakhstan "
        "(implicit rejection, -1), below, and South Ossetia (explicit support, +2), above."
    ) in after
    for text in (before, after):
        assert "Belarus's position on recognition of the “referendums” is ambiguous (0)" in text
        assert (
            "Belarus addressed neither recognition of the “referendums” nor taking part in the war"
        ) in text
    assert "A/RES/ES-11/4" not in before
    assert (
        "Recorded UN General Assembly votes of Belarus up to 26 September 2022: A/RES/68/262 "
        "(27 March 2014): voted no and A/RES/ES-11/1 (2 March 2022): voted no."
    ) in before
    assert "A/RES/ES-11/4 (12 October 2022): voted no" in after
    assert "A/RES/ES-11/4 was adopted 143-5-35, 10 absent (source: " in after
    assert (
        "Its position on recognition of the “referendums” the day before the vote was "
        "ambiguous (0): hedged in words, voted no, a divergence."
    ) in after
    assert (
        "Between 26 September 2022 and 31 October 2022, Belarus's position did not change" in after
    )
    assert "South Ossetia (implicit support (+1) \u2192 explicit support (+2))" in after


def test_serbia_is_below_kazakhstan_on_26_september():
    from test_every_brief import run_brief

    headline = run_brief(
        {
            "focal_actor": "serbia",
            "issue": "recognition",
            "as_of": "2022-09-26",
            "data_dir": str(DATA),
            "compare_with": ["kazakhstan"],
        }
    )[1]
    assert (
        "Among Kazakhstan, Serbia stands furthest from Moscow's position; next above it is "
        "Kazakhstan (implicit rejection, -1)."
    ) in headline


def test_votes_are_sourced_and_never_guessed(data):
    assert (data.votes["source_title"] != "").all()
    es_11_4 = data.votes[data.votes["resolution"] == "A/RES/ES-11/4"]
    assert es_11_4[es_11_4["actor_id"] == "belarus"]["vote"].tolist() == ["no"]
    assert "united-states" not in set(es_11_4["actor_id"])  # partial roll call: not on record
    counts = Counter(zip(data.votes["resolution"], data.votes["vote"], strict=True))
    assert {
        vote: counts[("A/RES/ES-11/4", vote)] for vote in ("yes", "no", "abstain", "absent")
    } == {
        "yes": 27,
        "no": 5,
        "abstain": 35,
        "absent": 2,
    }
    assert Counter(data.votes["resolution"]) == {
        "A/RES/68/262": 193,
        "A/RES/ES-11/1": 193,
        "A/RES/ES-11/4": 69,
    }
