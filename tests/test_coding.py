"""Cue-based proposals and agreement with the human coding."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest

from reactions import coding
from reactions.cli import main
from reactions.errors import DatasetError

CUES = {
    "explicit_rejection": {"en": ["never"], "ru": ["никогда"]},
    "implicit_rejection": {"en": ["territorial integrity"]},
    "ambiguous": {"en": ["national interests"]},
    "explicit_support": {"en": ["fully support"]},
}
ORDER = [
    "explicit_rejection",
    "explicit_support",
    "implicit_rejection",
    "implicit_support",
    "ambiguous",
]


def test_strongest_cue_wins_and_is_named():
    quote = "We will never accept it; territorial integrity matters"
    assert coding.propose(quote, "en", quote, CUES, ORDER) == ("explicit_rejection", "en: never")
    quote = "Territorial Integrity first"
    assert coding.propose(quote, "en", quote, CUES, ORDER) == (
        "implicit_rejection",
        "en: territorial integrity",
    )


def test_cues_match_the_original_language_and_the_translation():
    assert coding.propose("Мы никогда", "ru", "We shall not", CUES, ORDER) == (
        "explicit_rejection",
        "ru: никогда",
    )
    assert coding.propose("Национальные интересы", "ru", "our national interests", CUES, ORDER) == (
        "ambiguous",
        "en: national interests",
    )
    quote = "nothing relevant"
    assert coding.propose(quote, "en", quote, CUES, ORDER) == (coding.NO_CUE, "")


def test_stance_order_tries_explicit_first(mini):
    assert coding.stance_order(mini) == ORDER


def test_agreement_on_the_fixture(mini):
    cues = {
        "recognition": CUES | {"implicit_support": {"en": ["respects the will"]}},
        "mobilization": {"explicit_rejection": {"en": ["no mobilization"]}},
    }
    data = replace(mini, codebook=replace(mini.codebook, cues=cues))
    result = coding.check_coding(data)
    assert len(result.proposals) == 8  # quoted statements only: silences have no words
    assert set(result.disagreements["statement_id"]) == {"rs-rec", "by-rec-oct"}
    assert result.confusion.loc["implicit_support", "implicit_support"] == 1  # via quote_en
    assert result.confusion.loc["explicit_rejection", coding.NO_CUE] == 1
    assert -1 <= result.kappa <= 1
    assert math.isclose(result.kappa_where_cued, 1.0)


def test_code_check_prints_kappa_and_disagreements_and_exits_0(capsys):
    assert main(["code-check", "--data", "data"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("90 quoted statements; ")  # 93 rows of the 2022 story, 3 silences
    assert "Cohen's kappa: " in out and "Confusion matrix" in out
    assert "Disagreements to review (" in out
    assert "Cohen's kappa human vs blind, before resolution: " in out
    assert "per issue: recognition " in out and "belarus_involvement " in out
    assert "Disagreements resolved: 8 of 8 (6 kept, 2 recoded)." in out
    assert "Rule contradictions: 0 unjustified, " in out


def test_codebook_refuses_cues_for_unknown_codes_and_silence(tmp_path):
    from reactions.dataset import load_dataset
    from support.dataset import write_dataset

    folder = write_dataset(tmp_path / "cues")
    path = folder / "codebook.yml"
    text = path.read_text(encoding="utf-8").split("\ncues:")[0]
    path.write_text(
        text + "\ncues:\n  annexation:\n    ambiguous:\n      en: [x]\n"
        "  recognition:\n    silent:\n      en: [y]\n    ambiguous: [z]\n",
        encoding="utf-8",
    )
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    rules = {(p.column, p.rule) for p in raised.value.problems}
    assert ("cues.annexation", "unknown issue code") in rules
    assert (
        "cues.recognition.silent",
        "must be a scored stance code (silence has no words)",
    ) in rules
    assert any(column == "cues.recognition.ambiguous" for column, _ in rules)


def test_every_issue_of_the_2022_codebook_has_cues():
    from reactions.dataset import load_dataset
    from support.paths import DATA

    data = load_dataset(DATA)
    assert set(data.codebook.cues) == set(data.codebook.issues)
    assert "belarus_involvement" in data.codebook.cues
    proposals = coding.check_coding(data).proposals
    assert set(proposals["issue"]) == set(data.codebook.issues)
    assert len(proposals) == 90


def test_coding_sentence_reads_the_agreement(mini):
    from reactions.narrative import coding_sentence

    cues = {"recognition": CUES}
    result = coding.check_coding(replace(mini, codebook=replace(mini.codebook, cues=cues)))
    text = coding_sentence(result, 2)
    assert text.startswith(
        "Over all 8 quoted statements of the dataset, every date: cues from the codebook "
        f"propose a stance for {result.cued}; agreement with the human coding, Cohen's kappa "
    )
    assert "they are not a measure of reliability" in text
    assert text.endswith(
        f"Of {len(result.disagreements)} disagreements, 2 on record by this page's date are "
        "listed for review."
    )


# -- Cohen's kappa, computed by hand ---------------------------------------------------------------
#
# The mini fixture's 8 quoted statements (human) against a blind coding that differs on two:
#   id            issue         human               blind
#   g7-rec        recognition   explicit_rejection  explicit_rejection
#   by-mob        mobilization  explicit_rejection  explicit_rejection
#   by-rec-makei  recognition   ambiguous           implicit_rejection   <- differs
#   kz-rec        recognition   implicit_rejection  implicit_rejection
#   rs-rec        recognition   explicit_rejection  implicit_rejection   <- differs
#   so-rec        recognition   explicit_support    explicit_support
#   sy-rec        recognition   implicit_support    implicit_support
#   by-rec-oct    recognition   implicit_support    implicit_support
# Overall: p_o = 6/8; marginals human ER 3, A 1, IR 1, ES 1, IS 2 and blind ER 2, IR 3, ES 1,
# IS 2, so p_e = (3*2 + 1*0 + 1*3 + 1*1 + 2*2) / 64 = 14/64, kappa = (48/64 - 14/64) / (50/64)
# = 34/50 = 0.68. Recognition alone: p_o = 5/7; human ER 2, A 1, IR 1, ES 1, IS 2 and blind ER 1,
# IR 3, ES 1, IS 2, so p_e = (2 + 0 + 3 + 1 + 4) / 49 = 10/49, kappa = (35 - 10) / (49 - 10) =
# 25/39. Mobilization has one statement: kappa is undefined (NaN).
BLIND = {
    "g7-rec": "explicit_rejection",
    "by-mob": "explicit_rejection",
    "by-rec-makei": "implicit_rejection",
    "kz-rec": "implicit_rejection",
    "rs-rec": "implicit_rejection",
    "so-rec": "explicit_support",
    "sy-rec": "implicit_support",
    "by-rec-oct": "implicit_support",
}


def blind_frame(resolutions: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    resolutions = resolutions or {}
    return pd.DataFrame(
        [
            {
                "statement_id": statement_id,
                "stance": stance,
                "coder": "second",
                "reason": "fixture",
                "resolution": resolutions.get(statement_id, ("", ""))[0],
                "resolution_note": resolutions.get(statement_id, ("", ""))[1],
            }
            for statement_id, stance in {**BLIND, "retired-id": "ambiguous"}.items()
        ]
    )


def test_kappa_matches_the_hand_computation():
    assert math.isclose(
        coding.kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]), 0.5
    )  # (3/4-1/2)/(1/2)
    assert math.isclose(coding.kappa(["a", "b"], ["a", "b"]), 1.0)
    assert math.isnan(coding.kappa(["a", "a"], ["a", "a"]))  # one code only: chance agreement is 1
    assert math.isnan(coding.kappa(["a"], ["b"]))


def test_blind_kappa_overall_and_per_issue_by_hand(mini):
    second = coding.check_coding(mini, blind=blind_frame()).second_coding
    assert second.coder == "second"
    assert math.isclose(second.kappa, 0.68)
    assert math.isclose(second.kappa_by_issue["recognition"], 25 / 39)
    assert math.isnan(second.kappa_by_issue["mobilization"])
    assert list(second.kappa_by_issue) == ["recognition", "mobilization"]  # codebook order
    assert set(second.disagreements["statement_id"]) == {"by-rec-makei", "rs-rec"}
    assert second.not_compared == ("retired-id",)
    assert second.not_coded == ()
    assert second.resolved == 0


def test_blind_kappa_stays_as_before_resolution(tmp_path):
    from reactions.dataset import load_dataset
    from support.dataset import STATEMENTS, write_dataset

    recoded = [
        {**row, "stance": "implicit_rejection"} if row["statement_id"] == "rs-rec" else row
        for row in STATEMENTS
    ]
    data = load_dataset(write_dataset(tmp_path / "resolved", statements=recoded))
    blind = blind_frame(
        {
            "rs-rec": ("recoded", "Recoded from explicit_rejection to implicit_rejection: why."),
            "by-rec-makei": ("kept", "Kept ambiguous: why."),
        }
    )
    blind.to_csv(tmp_path / "resolved" / "blind_coding.csv", index=False, lineterminator="\n")
    second = coding.check_coding(data, blind=tmp_path / "resolved").second_coding
    assert math.isclose(second.kappa, 0.68)  # the human coding as it was, not as resolved
    assert second.resolved == 2
    assert second.recoded == ["rs-rec"] and second.kept == ["by-rec-makei"]
    text = coding.report(coding.check_coding(data, blind=blind))
    assert "Disagreements resolved: 2 of 2 (1 kept, 1 recoded)." in text
    assert (
        "rs-rec [recognition]: human explicit_rejection, blind implicit_rejection -> recoded"
        in text
    )

    blind.loc[blind["statement_id"] == "rs-rec", "resolution_note"] = "Blind coder right."
    with pytest.raises(DatasetError):
        coding.check_coding(data, blind=blind)


def test_second_coding_is_reported_absent_without_a_blind_file(mini):
    result = coding.check_coding(mini)  # the fixture folder has no blind_coding.csv
    assert result.second_coding is None
    assert "Second coding: absent" in coding.report(result)


def test_importing_coding_does_not_import_scikit_learn():
    code = "import sys, reactions.coding; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- Rule contradictions --------------------------------------------------------------------------


def test_contradictions_on_a_synthetic_dataset(tmp_path):
    from reactions.dataset import load_dataset
    from support.dataset import statement, write_dataset

    rows = [
        statement("ok", "2022-09-20", "serbia", "recognition", "explicit_rejection", "never"),
        statement("uncued", "2022-09-20", "serbia", "recognition", "explicit_rejection", "doubts"),
        statement("weaker", "2022-09-21", "belarus", "recognition", "implicit_rejection", "never"),
        statement("ambig", "2022-09-21", "kazakhstan", "recognition", "ambiguous", "never ever"),
        statement(
            "opposite",
            "2022-09-22",
            "syria",
            "recognition",
            "implicit_support",
            "territorial integrity",
        ),
        statement(
            "both",
            "2022-09-22",
            "south-ossetia",
            "recognition",
            "explicit_support",
            "never",
        ),
        statement(
            "justified",
            "2022-09-23",
            "g7",
            "recognition",
            "explicit_support",
            "words",
            notes="Said yes. rule-check: the yes is in words no cue knows.",
        ),
        statement(
            "empty-reason",
            "2022-09-23",
            "armenia",
            "recognition",
            "explicit_support",
            "words",
            notes="rule-check: ",
        ),
        statement(
            "silence", "2022-09-24", "tajikistan", "recognition", "silent", occasion="Summit"
        ),
    ]
    data = load_dataset(write_dataset(tmp_path / "rules", statements=rows))
    cues = {"recognition": CUES}
    data = replace(data, codebook=replace(data.codebook, cues=cues))
    result = coding.check_coding(
        data,
        blind=pd.DataFrame(
            columns=["statement_id", "stance", "coder", "reason", "resolution", "resolution_note"]
        ),
    )
    found = {
        (row.statement_id, row.contradiction)
        for row in result.contradictions.itertuples(index=False)
    }
    assert found == {
        ("uncued", coding.EXPLICIT_UNCUED),
        ("weaker", coding.EXPLICIT_CUE_WEAKER),
        ("ambig", coding.EXPLICIT_CUE_WEAKER),
        ("opposite", coding.OPPOSITE),
        ("both", coding.EXPLICIT_UNCUED),
        ("both", coding.OPPOSITE),
        ("justified", coding.EXPLICIT_UNCUED),
        ("empty-reason", coding.EXPLICIT_UNCUED),
    }
    assert set(result.justified["statement_id"]) == {"justified"}
    assert result.justified["justification"].tolist() == ["the yes is in words no cue knows."]
    assert "justified" not in set(result.unjustified["statement_id"])
    text = coding.report(result)
    assert "Rule contradictions: 6 unjustified, 1 justified" in text
    assert "rule-check: the yes is in words no cue knows." in text


def test_justification_needs_a_reason():
    assert coding.justification("x. rule-check: cue misreads it") == "cue misreads it"
    assert coding.justification("rule-check: ") == ""
    assert coding.justification("rule-check:no space") == ""
    assert coding.justification("") == ""


# -- The real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    from reactions.dataset import load_dataset
    from support.paths import DATA

    data = load_dataset(DATA)
    return data, coding.check_coding(data)


def test_real_data_has_no_unjustified_rule_contradiction(real):
    _, result = real
    assert result.unjustified.empty, result.unjustified[["statement_id", "contradiction"]]
    assert (result.justified["justification"] != "").all()


def test_real_blind_coding_has_kappa_per_issue_and_every_disagreement_resolved(real):
    data, result = real
    second = result.second_coding
    assert second is not None and second.coder == "blind-coder-2"
    quoted = data.statements[data.statements["quote"] != ""]
    assert list(second.kappa_by_issue) == list(data.codebook.issues)  # all four issues
    assert set(second.kappa_by_issue) == set(quoted["issue"])
    assert all(-1 <= value <= 1 for value in second.kappa_by_issue.values())
    assert -1 <= second.kappa <= 1
    assert second.not_coded == ()  # every quoted statement was coded blind
    assert len(second.compared) == len(quoted)
    disagreements = second.disagreements
    assert len(disagreements) == 8 and second.resolved == 8
    # a recoded row now carries the blind stance; a kept one still differs from it
    recoded = disagreements[disagreements["resolution"] == "recoded"]
    assert (recoded["current"] == recoded["blind"]).all()
    kept = disagreements[disagreements["resolution"] == "kept"]
    assert (kept["current"] != kept["blind"]).all()


def test_the_sochi_neighbours_keep_their_stances(real):
    data, _ = real
    stances = data.statements.set_index("statement_id")["stance"]
    assert stances["kazakhstan-recognition-2022-09-26-smadiyarov"] == "implicit_rejection"
    assert stances["belarus-recognition-2022-09-24-makei"] == "ambiguous"
    # issue 20: South Ossetia 26 Sep recoded +2 -> +1 (his words back the operation; the yes to the
    # referendums was Lenta.ru's narration); Belarus (0) still stands between Kazakhstan and it.
    assert stances["south-ossetia-recognition-2022-09-26-gagloev"] == "implicit_support"
