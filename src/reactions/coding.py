"""Check human coding against the codebook's cues: propose a stance per quote, measure agreement.

A cue is a phrase that suggests a stance on an issue. Proposals try the clearest stances first
(explicit, then implicit, then ambiguous) and report the cue that fired, so every disagreement can
be reviewed by reading one phrase. The check advises; it never changes the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from reactions.dataset import Dataset, english_quotes

NO_CUE = "no cue"


def stance_order(dataset: Dataset) -> list[str]:
    """Stances to try: strongest |score| first, rejection before support at equal strength."""
    scored = dataset.codebook.scored_stances
    return [s.code for s in sorted(scored, key=lambda s: (-abs(s.score), s.score))]


def propose(
    quote: str,
    language: str,
    english: str,
    issue_cues: dict[str, dict[str, list[str]]],
    order: list[str],
) -> tuple[str, str]:
    """The first stance whose cue occurs in the quote (its language) or its English words."""
    texts = {language: quote.casefold(), "en": english.casefold()}
    for stance in order:
        for cue_language, cues in issue_cues.get(stance, {}).items():
            text = texts.get(cue_language)
            if text is None:
                continue
            for cue in cues:
                if cue.casefold() in text:
                    return stance, f"{cue_language}: {cue}"
    return NO_CUE, ""


@dataclass(frozen=True)
class Agreement:
    proposals: pd.DataFrame  # one row per quoted statement: coded, proposed, cue
    confusion: pd.DataFrame  # rows: coded; columns: proposed
    kappa: float  # over every quoted statement ("no cue" counts as a disagreement)
    kappa_where_cued: float  # over the statements where a cue fired

    @property
    def cued(self) -> int:
        return int((self.proposals["proposed"] != NO_CUE).sum())

    @property
    def disagreements(self) -> pd.DataFrame:
        return self.proposals[self.proposals["coded"] != self.proposals["proposed"]]


def check_coding(dataset: Dataset) -> Agreement:
    """Propose a stance for each quoted statement and compare with the coded one."""
    order = stance_order(dataset)
    quoted = dataset.statements[dataset.statements["quote"] != ""]
    quoted = quoted.assign(english=english_quotes(quoted))
    rows = []
    for statement in quoted.itertuples(index=False):
        issue_cues = dataset.codebook.cues.get(statement.issue, {})
        proposed, cue = propose(
            statement.quote, statement.quote_language, statement.english, issue_cues, order
        )
        rows.append(
            {
                "statement_id": statement.statement_id,
                "issue": statement.issue,
                "coded": statement.stance,
                "proposed": proposed,
                "cue": cue,
                "quote_en": statement.english,
            }
        )
    proposals = pd.DataFrame(rows)
    labels = [*order, NO_CUE]
    matrix = confusion_matrix(proposals["coded"], proposals["proposed"], labels=labels)
    confusion = pd.DataFrame(matrix, index=labels, columns=labels).loc[order]
    cued = proposals[proposals["proposed"] != NO_CUE]
    return Agreement(
        proposals=proposals,
        confusion=confusion.rename_axis(index="coded \\ proposed"),
        kappa=float(cohen_kappa_score(proposals["coded"], proposals["proposed"])),
        kappa_where_cued=float(cohen_kappa_score(cued["coded"], cued["proposed"]))
        if len(cued) > 1
        else float("nan"),
    )


def report(agreement: Agreement) -> str:
    """The plain-text report printed by `reactions code-check`."""
    proposals = agreement.proposals
    lines = [
        f"{len(proposals)} quoted statements; a cue fired on {agreement.cued}; coded and proposed "
        f"agree on "
        f"{len(proposals) - len(agreement.disagreements)}.",
        f"Cohen's kappa: {agreement.kappa:.3f} over all quoted statements "
        f"({NO_CUE!r} counts as disagreement); {agreement.kappa_where_cued:.3f} where a cue fired.",
        "",
        "Confusion matrix (rows: coded; columns: proposed from cues):",
        agreement.confusion.to_string(),
        "",
        f"Disagreements to review ({len(agreement.disagreements)}):",
    ]
    for row in agreement.disagreements.itertuples(index=False):
        cue = f" (cue {row.cue!r})" if row.cue else ""
        lines.append(
            f"  {row.statement_id} [{row.issue}]: coded {row.coded}, "
            f"proposed {row.proposed}{cue}: {row.quote_en[:110]}"
        )
    return "\n".join(lines)
