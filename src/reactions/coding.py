"""Check the human coding: against the codebook's cues, its rules, and a second, blind coder.

**Cues.** A cue is a phrase that suggests a stance on an issue. Proposals try the clearest
stances first (explicit, then implicit, then ambiguous) and report the cue that fired, so every
disagreement can be reviewed by reading one phrase. Cohen's kappa compares coded and proposed
stances over every quoted statement ("no cue" counts as a disagreement) and where a cue fired.

**Rule contradictions.** Each stance's `rule:` in codebook.yml says what its words must show; the
cues are the rule's stock phrases. A quoted statement contradicts the rules when its coding and
the cues that fire on its words (every cue of its issue, matched as `propose` matches them: a
language's cues against the quote, the `en` cues against its English words) disagree in one of
three ways; a row may show more than one:

- `explicit without its cue`: coded explicit_* (|score| 2) and no cue of that same stance fires;
- `explicit cue on a weaker coding`: coded implicit_* or ambiguous (|score| < 2) and a cue of an
  explicit stance (either direction) fires;
- `opposite direction`: coded with a direction (score > 0 or < 0) and the proposal, the strongest
  cue that fires (the one `reactions code-check` reports), has a score of the other sign.

Silences are never checked (no words). A contradiction is *justified* when the row's `notes`
contain `rule-check: ` followed by a reason (the rest of the notes); it is then listed apart, never
counted as a contradiction. Justify only where the coding follows the rule and the cue misleads;
otherwise recode.

**Second coding.** `blind_coding.csv` beside statements.csv (optional) holds a second coder's
stance for each quoted statement, coded blind from the codebook, the quote and the occasion
(columns statement_id, stance, coder, reason; after reconciliation also `resolution`, `kept` or
`recoded`, and `resolution_note`, one sentence). Kappa is reported as it stood *before*
resolution: the human stance then is the current one, except for a `recoded` row, where it is
the code named by its note's opening words "Recoded from <code>" (the human coding moved to the
blind one). Blind rows whose statement_id is not (or no longer) a quoted statement are listed
and not compared. Nothing here changes the data; scikit-learn is imported only when a check runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from reactions.categories import as_text
from reactions.dataset import Dataset, english_quotes
from reactions.errors import Problem
from reactions.read import optional_table, read_table
from reactions.yamlfile import shown

NO_CUE = "no cue"
BLIND_FILE = "blind_coding.csv"
BLIND_COLUMNS = ("statement_id", "stance", "coder", "reason")
RESOLUTIONS = ("kept", "recoded")
JUSTIFICATION = re.compile(r"rule-check: +(\S.*)", re.DOTALL)
RECODED_FROM = re.compile(r"Recoded from ([a-z][a-z0-9_]*)\b")
RECODED_RULE = "a recoded row's note must open with 'Recoded from <stance code>'"
MISSING_RULE = "missing required columns"

EXPLICIT_UNCUED = "explicit without its cue"
EXPLICIT_CUE_WEAKER = "explicit cue on a weaker coding"
OPPOSITE = "opposite direction"
CONTRADICTION_COLUMNS = [
    "statement_id",
    "issue",
    "coded",
    "proposed",
    "contradiction",
    "cues",
    "justified",
    "justification",
    "quote_en",
]


def stance_order(dataset: Dataset) -> list[str]:
    """Stances to try: strongest |score| first, rejection before support at equal strength."""
    scored = dataset.codebook.scored_stances
    return [s.code for s in sorted(scored, key=lambda s: (-abs(cast(int, s.score)), s.score))]


def fired_cues(
    quote: str,
    language: str,
    english: str,
    issue_cues: dict[str, dict[str, list[str]]],
    order: Sequence[str],
) -> dict[str, list[str]]:
    """Every cue that occurs in the quote (its language) or its English words, per stance in
    `order` (stances without a firing cue are left out), each as "<language>: <cue>"."""
    texts = {language: quote.casefold(), "en": english.casefold()}
    found: dict[str, list[str]] = {}
    for stance in order:
        for cue_language, cues in issue_cues.get(stance, {}).items():
            text = texts.get(cue_language)
            if text is None:
                continue
            for cue in cues:
                if cue.casefold() in text:
                    found.setdefault(stance, []).append(f"{cue_language}: {cue}")
    return found


def propose(
    quote: str,
    language: str,
    english: str,
    issue_cues: dict[str, dict[str, list[str]]],
    order: list[str],
) -> tuple[str, str]:
    """The first stance whose cue occurs in the quote (its language) or its English words."""
    for stance, cues in fired_cues(quote, language, english, issue_cues, order).items():
        return stance, cues[0]
    return NO_CUE, ""


def kappa(first: Sequence[str] | pd.Series, second: Sequence[str] | pd.Series) -> float:
    """Cohen's kappa of two codings; NaN when it is undefined (fewer than two items, or both
    coders used one and the same code, so chance agreement is already 1)."""
    if len(first) < 2 or len(set(first) | set(second)) < 2:
        return float("nan")
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(list(first), list(second)))


def justification(notes: str) -> str:
    """The reason after `rule-check: ` in a row's notes, or '' when the row is not justified."""
    match = JUSTIFICATION.search(notes or "")
    return match.group(1).strip() if match else ""


def contradictions(
    row: dict[str, str], found: dict[str, list[str]], scores: dict[str, int | None], proposed: str
) -> list[str]:
    """The ways a quoted row's coding contradicts the cues that fire on it (module docstring)."""
    coded = row["stance"]
    score = scores.get(coded)
    if score is None:
        return []
    kinds = []
    if abs(score) == 2 and coded not in found:
        kinds.append(EXPLICIT_UNCUED)
    if abs(score) < 2 and any(abs(scores[stance] or 0) == 2 for stance in found):
        kinds.append(EXPLICIT_CUE_WEAKER)
    other = scores.get(proposed)
    if score and other and (score > 0) != (other > 0):
        kinds.append(OPPOSITE)
    return kinds


@dataclass(frozen=True)
class SecondCoding:
    """A second coder's blind coding compared with the human coding, as before resolution."""

    coder: str
    compared: pd.DataFrame  # statement_id, issue, human, blind, current, resolution, ...
    kappa: float
    kappa_by_issue: dict[str, float]
    not_compared: tuple[str, ...]  # blind rows naming no quoted statement (e.g. retired ids)
    not_coded: tuple[str, ...]  # quoted statements the blind file lacks

    @property
    def disagreements(self) -> pd.DataFrame:
        return self.compared[self.compared["human"] != self.compared["blind"]]

    @property
    def resolved(self) -> int:
        return int(self.disagreements["resolution"].isin(RESOLUTIONS).sum())

    @property
    def recoded(self) -> list[str]:
        rows = self.disagreements
        return list(rows.loc[rows["resolution"] == "recoded", "statement_id"])

    @property
    def kept(self) -> list[str]:
        rows = self.disagreements
        return list(rows.loc[rows["resolution"] == "kept", "statement_id"])


@dataclass(frozen=True)
class Agreement:
    proposals: pd.DataFrame  # one row per quoted statement: coded, proposed, cue
    confusion: pd.DataFrame  # rows: coded; columns: proposed
    kappa: float  # over every quoted statement ("no cue" counts as a disagreement)
    kappa_where_cued: float  # over the statements where a cue fired
    # one row per (statement, kind of contradiction), justified ones included (`justified`)
    contradictions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CONTRADICTION_COLUMNS)
    )
    second_coding: SecondCoding | None = None  # None: the dataset has no blind_coding.csv

    @property
    def cued(self) -> int:
        return int((self.proposals["proposed"] != NO_CUE).sum())

    @property
    def disagreements(self) -> pd.DataFrame:
        return self.proposals[self.proposals["coded"] != self.proposals["proposed"]]

    @property
    def unjustified(self) -> pd.DataFrame:
        """Rule contradictions without a `rule-check: ` reason: each one is to fix."""
        return self.contradictions[~self.contradictions["justified"].astype(bool)]

    @property
    def justified(self) -> pd.DataFrame:
        return self.contradictions[self.contradictions["justified"].astype(bool)]


def quoted_statements(dataset: Dataset) -> pd.DataFrame:
    """The statements with a quote, as text, with the `english` words a coder reads."""
    quoted = as_text(dataset.statements[dataset.statements["quote"] != ""])
    return quoted.assign(english=english_quotes(quoted))


def check_coding(dataset: Dataset, blind: Path | str | pd.DataFrame | None = None) -> Agreement:
    """Propose a stance for each quoted statement, compare with the coded one, list the rule
    contradictions and compare with the blind coding.

    `blind`: the blind coding (a frame, blind_coding.csv or its dataset folder); when not given
    it is looked up beside the dataset's statements.csv (`find_blind_coding`)."""
    from sklearn.metrics import confusion_matrix

    order = stance_order(dataset)
    scores = {code: stance.score for code, stance in dataset.codebook.stances.items()}
    quoted = quoted_statements(dataset)
    rows, found_rows = [], []
    for statement in cast(list[dict[str, Any]], quoted.to_dict("records")):
        issue_cues = dataset.codebook.cues.get(statement["issue"], {})
        found = fired_cues(
            statement["quote"], statement["quote_language"], statement["english"], issue_cues, order
        )
        proposed, cue = next(((s, c[0]) for s, c in found.items()), (NO_CUE, ""))
        rows.append(
            {
                "statement_id": statement["statement_id"],
                "issue": statement["issue"],
                "coded": statement["stance"],
                "proposed": proposed,
                "cue": cue,
                "quote_en": statement["english"],
            }
        )
        reason = justification(statement.get("notes") or "")
        for kind in contradictions(statement, found, scores, proposed):
            found_rows.append(
                {
                    "statement_id": statement["statement_id"],
                    "issue": statement["issue"],
                    "coded": statement["stance"],
                    "proposed": proposed,
                    "contradiction": kind,
                    "cues": "; ".join(f"{s} ({', '.join(c)})" for s, c in found.items()) or NO_CUE,
                    "justified": bool(reason),
                    "justification": reason,
                    "quote_en": statement["english"],
                }
            )
    proposals = pd.DataFrame(
        rows, columns=["statement_id", "issue", "coded", "proposed", "cue", "quote_en"]
    )
    labels = [*order, NO_CUE]
    matrix = confusion_matrix(proposals["coded"], proposals["proposed"], labels=labels)
    confusion = pd.DataFrame(matrix, index=labels, columns=labels).loc[order]
    cued = proposals[proposals["proposed"] != NO_CUE]
    if blind is None:
        blind = find_blind_coding(dataset)
    elif not isinstance(blind, pd.DataFrame):
        blind = read_blind_coding(Path(blind))
    return Agreement(
        proposals=proposals,
        confusion=confusion.rename_axis(index="coded \\ proposed"),
        kappa=kappa(proposals["coded"], proposals["proposed"]),
        kappa_where_cued=kappa(cued["coded"], cued["proposed"]),
        contradictions=pd.DataFrame(found_rows, columns=CONTRADICTION_COLUMNS),
        second_coding=None if blind is None else compare_blind(dataset, quoted, blind),
    )


def read_blind_coding(path: Path) -> pd.DataFrame:
    """blind_coding.csv (a path to it or to its dataset folder), read like the dataset's files."""
    from reactions.errors import DatasetError

    if path.is_dir():
        path = path / BLIND_FILE
    frame = as_text(read_table(path).frame).fillna("")
    missing = [column for column in BLIND_COLUMNS if column not in frame]
    if missing:
        raise DatasetError([Problem(path.name, 1, None, ", ".join(missing), MISSING_RULE)])
    for column in ("resolution", "resolution_note"):
        if column not in frame:
            frame[column] = ""
    return frame


def blind_coding_problems(folder: Path) -> list[Problem]:
    """Every problem of a dataset's blind_coding.csv (none when it has none), by the rules
    `read_blind_coding` and `compare_blind` apply, located by line: what `reactions validate`
    reports, so that a blind coding the compare page would refuse is never called valid."""
    table, problems = optional_table(folder / BLIND_FILE, folder)
    if table is None:
        return problems
    frame = as_text(table.frame).fillna("")
    missing = [column for column in BLIND_COLUMNS if column not in frame]
    if missing:
        problems.append(Problem(BLIND_FILE, 1, None, ", ".join(missing), MISSING_RULE))
        return problems
    for index, row in frame.iterrows():
        resolution = row.get("resolution", "")
        if resolution and resolution not in RESOLUTIONS:
            problems.append(
                Problem(
                    BLIND_FILE,
                    table.line_of(index),
                    "resolution",
                    shown(resolution),
                    f"must be empty or one of {', '.join(RESOLUTIONS)}",
                )
            )
        elif resolution == "recoded" and not RECODED_FROM.match(row.get("resolution_note", "")):
            problems.append(
                Problem(
                    BLIND_FILE,
                    table.line_of(index),
                    "resolution_note",
                    shown(row.get("resolution_note", "")),
                    RECODED_RULE,
                )
            )
    return problems


def find_blind_coding(dataset: Dataset) -> pd.DataFrame | None:
    """The blind coding beside this dataset's statements.csv, or None when it has none."""
    path = dataset.folder / BLIND_FILE
    return read_blind_coding(path) if path.is_file() else None


def compare_blind(dataset: Dataset, quoted: pd.DataFrame, blind: pd.DataFrame) -> SecondCoding:
    """Human (as before resolution) against blind stances, over the dataset's `quoted`
    statements (`quoted_statements`)."""
    quoted = quoted.assign(quote_en=quoted["english"])
    blind = blind.fillna("")
    merged = quoted[["statement_id", "issue", "stance", "quote_en"]].merge(
        blind, on="statement_id", how="inner", suffixes=("", "_blind")
    )
    human = []
    for row in merged.to_dict("records"):
        before = row["stance"]
        if row["resolution"] == "recoded":
            match = RECODED_FROM.match(row["resolution_note"])
            if match is None:
                from reactions.errors import DatasetError

                raise DatasetError(
                    [
                        Problem(
                            BLIND_FILE,
                            None,
                            "resolution_note",
                            row["resolution_note"][:80],
                            RECODED_RULE,
                        )
                    ]
                )
            before = match.group(1)
        human.append(before)
    compared = pd.DataFrame(
        {
            "statement_id": merged["statement_id"],
            "issue": merged["issue"],
            "human": human,
            "blind": merged["stance_blind"],
            "current": merged["stance"],
            "resolution": merged["resolution"],
            "resolution_note": merged["resolution_note"],
            "reason": merged["reason"],
            "quote_en": merged["quote_en"],
        }
    )
    by_issue = {
        issue: kappa(rows["human"], rows["blind"])
        for issue, rows in compared.groupby("issue", sort=False)
    }
    coders = sorted(set(blind["coder"]) - {""})
    return SecondCoding(
        coder=", ".join(coders) or "unnamed",
        compared=compared,
        kappa=kappa(compared["human"], compared["blind"]),
        kappa_by_issue={
            issue: by_issue[issue] for issue in dataset.codebook.issues if issue in by_issue
        },
        not_compared=tuple(sorted(set(blind["statement_id"]) - set(quoted["statement_id"]))),
        not_coded=tuple(sorted(set(quoted["statement_id"]) - set(blind["statement_id"]))),
    )


def _second_coding_lines(second: SecondCoding | None) -> list[str]:
    if second is None:
        return ["Second coding: absent (no blind_coding.csv beside statements.csv)."]
    compared = second.compared
    per_issue = ", ".join(
        f"{issue} {value:.3f} (n={int((compared['issue'] == issue).sum())})"
        for issue, value in second.kappa_by_issue.items()
    )
    disagreements = second.disagreements
    lines = [
        f"Second coding ({second.coder}, blind): {len(compared)} quoted statements compared; "
        f"human and blind agree on {len(compared) - len(disagreements)} before resolution.",
        f"Cohen's kappa human vs blind, before resolution: {second.kappa:.3f} overall; "
        f"per issue: {per_issue}.",
        f"Disagreements resolved: {second.resolved} of {len(disagreements)} "
        f"({len(second.kept)} kept, {len(second.recoded)} recoded).",
    ]
    row: Any  # a record of `compared`: its fields' types are the columns'
    for row in disagreements.itertuples(index=False):
        resolution = row.resolution or "UNRESOLVED"
        lines.append(
            f"  {row.statement_id} [{row.issue}]: human {row.human}, blind {row.blind} -> "
            f"{resolution} ({row.current})"
        )
    if second.not_compared:
        lines.append(
            f"Blind rows naming no quoted statement (not compared): {len(second.not_compared)}: "
            + ", ".join(second.not_compared)
        )
    if second.not_coded:
        lines.append(
            f"Quoted statements without a blind coding: {len(second.not_coded)}: "
            + ", ".join(second.not_coded)
        )
    return lines


def _contradiction_lines(agreement: Agreement) -> list[str]:
    lines = [
        f"Rule contradictions: {agreement.unjustified['statement_id'].nunique()} unjustified, "
        f"{agreement.justified['statement_id'].nunique()} justified (rows; definitions in "
        f"reactions.coding)."
    ]
    row: Any  # a record of `contradictions`: its fields' types are the columns'
    for title, rows in (("Unjustified", agreement.unjustified), ("Justified", agreement.justified)):
        if rows.empty:
            continue
        lines.append(f"{title} ({len(rows)}):")
        for row in rows.itertuples(index=False):
            why = f"; rule-check: {row.justification[:110]}" if row.justified else ""
            lines.append(
                f"  {row.statement_id} [{row.issue}]: coded {row.coded}, {row.contradiction} "
                f"(cues: {row.cues}){why}"
            )
    return lines


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
        *_second_coding_lines(agreement.second_coding),
        "",
        *_contradiction_lines(agreement),
        "",
        "Confusion matrix (rows: coded; columns: proposed from cues):",
        agreement.confusion.to_string(),
        "",
        f"Disagreements to review ({len(agreement.disagreements)}):",
    ]
    row: Any  # a record of `proposals`: its fields' types are the columns'
    for row in agreement.disagreements.itertuples(index=False):
        cue = f" (cue {row.cue!r})" if row.cue else ""
        lines.append(
            f"  {row.statement_id} [{row.issue}]: coded {row.coded}, "
            f"proposed {row.proposed}{cue}: {row.quote_en[:110]}"
        )
    return "\n".join(lines)
