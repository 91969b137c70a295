"""Cue-based proposals and agreement with the human coding."""

from __future__ import annotations

import math
from dataclasses import replace

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


def test_codebook_refuses_cues_for_unknown_codes_and_silence(tmp_path):
    from conftest import write_dataset
    from reactions.dataset import load_dataset

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
    from conftest import DATA
    from reactions.dataset import load_dataset

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
    text = coding_sentence(result)
    assert text.startswith(f"Cues from the codebook propose a stance for {result.cued} of 8 ")
    assert f"{len(result.disagreements)} disagreements are listed" in text
