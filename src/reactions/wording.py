"""The words for codes and numbers: the one place where a stance code becomes a label.

Analysis modules pass codes (stance, record kind, vote, group) and numbers; sentences
(`narrative`), display tables (`tables`) and charts take their words from here and from the
codebook, so a label change in the codebook changes text and never a count.
"""

from __future__ import annotations

import pandas as pd

from reactions.codebook import Codebook
from reactions.compare import NO_RECORD, SILENT, STATED
from reactions.votes import CANNOT_VOTE, DID_NOT_VOTE, NOT_HELD, NOT_ON_RECORD

OPENING_QUOTES = "\"'“‘«„"
CLOSING_QUOTES = "\"'”’»“"
SENTENCE_END = ".!?…"
RECORD_WORDS = {SILENT: "silent", NO_RECORD: "no statement on record"}
VOTE_WORDS = {
    "yes": "voted yes",
    "no": "voted no",
    "abstain": "abstained",
    "absent": "did not vote",
}
DIRECTION_WORDS = {-1: "rejected", 0: "hedged", 1: "supported"}
STATUS_WORDS = {  # why an actor has no vote beside its words
    NOT_ON_RECORD: "not on record",
    CANNOT_VOTE: "cannot vote (not a member)",
    NOT_HELD: "not yet held",
    DID_NOT_VOTE: "did not vote (every vote cast is in the record)",
}


SOURCE_KIND_WORDS = {  # what kind of publisher a source is, as a reader reads it
    "official": "official",
    "news_agency": "news agency",
    "outlet": "news outlet",
    "aggregator": "copy on an aggregator",
    "forum": "forum or blog",
}


def publisher_words(publisher: str, kind: str) -> str:
    """ "TASS (news agency)": who published a source and what kind of publisher it is."""
    shown = SOURCE_KIND_WORDS.get(kind, "")
    if publisher and shown and f"({shown})" not in publisher:
        return f"{publisher} ({shown})"
    return publisher or shown


def short_title(title: str) -> str:
    """A source's title as a page shows it beside a link: up to its first "; " (what follows
    says how the record was read, e.g. "read in ... commit ..."; the dataset keeps it whole)."""
    return str(title or "").split("; ", 1)[0]


def format_score(score: float | None) -> str:
    """Scores as the codebook writes them: +2, +1, 0, -1, -2; nothing for silence."""
    if score is None or pd.isna(score):
        return ""
    return f"{int(score):+d}" if score else "0"


def format_day(date: pd.Timestamp) -> str:
    return f"{date.day} {date:%B %Y}"


def format_iso(date: pd.Timestamp) -> str:
    return "" if pd.isna(date) else f"{date:%Y-%m-%d}"


def date_cell(date: pd.Timestamp, precision: str = "day") -> str:
    """A table cell's date as its precision allows: "2022-09-24", "week of 2022-09-24"."""
    if pd.isna(date):
        return ""
    if precision == "week":
        return f"week of {date:%Y-%m-%d}"
    if precision == "month":
        return f"{date:%B %Y}"
    return f"{date:%Y-%m-%d}"


def format_date(date: pd.Timestamp, precision: str = "day") -> str:
    """A statement's date as its precision allows: "on 26 September 2022", "in the week of ..."."""
    day = format_day(date)
    if precision == "week":
        return f"in the week of {day}"
    if precision == "month":
        return f"in {date:%B %Y}"
    return f"on {day}"


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def is_are(count: int) -> str:
    return "is" if count == 1 else "are"


def stance_label(codebook: Codebook, code: str) -> str:
    return codebook.stance_label(code) if code in codebook.stances else RECORD_WORDS[NO_RECORD]


def stance_words(codebook: Codebook, code: str) -> str:
    """A stance as a sentence writes it: the codebook's `in_sentence` form, else its label as
    written (a label is never lower-cased here: it may hold a proper noun)."""
    stance = codebook.stances.get(code)
    if stance is None:
        return RECORD_WORDS[NO_RECORD]
    return stance.in_sentence or stance.label


def issue_words(codebook: Codebook, code: str) -> str:
    """An issue as a sentence names it ("recognition", "Belarus's part in the war")."""
    found = codebook.issue_words.get(code)
    return found.in_sentence if found else codebook.issues.get(code, code)


def issue_pronoun(codebook: Codebook, code: str) -> str:
    found = codebook.issue_words.get(code)
    return found.pronoun if found else "it"


def stance_phrase(codebook: Codebook, code: str, score: float | None) -> str:
    """ "implicit rejection, -1" for a worded stance; the words alone for a silence."""
    words = stance_words(codebook, code)
    shown = format_score(score)
    return f"{words}, {shown}" if shown else words


def position_text(codebook: Codebook, record: str, code: str, score: float | None) -> str:
    """A position in a cell or a list: "implicit rejection (-1)", "silent", "no statement on
    record"."""
    if record == NO_RECORD:
        return RECORD_WORDS[NO_RECORD]
    words = stance_words(codebook, code)
    shown = format_score(score)
    return f"{words} ({shown})" if shown else words


def stance_clause(codebook: Codebook, code: str, names: list[str], issue: str) -> str:
    """Who takes a stance on what, in the codebook's verb ("Serbia rejects them"), or in
    neutral words when the codebook gives none ("Serbia takes the position “Rejection” on it")."""
    stance = codebook.stances[code]
    many = len(names) > 1
    verb = (stance.verb_plural if many else stance.verb) or ""
    if not verb:
        takes = "take" if many else "takes"
        return f"{join_names(names)} {takes} the position \u201c{stance.label}\u201d on {issue}"
    return f"{join_names(names)} {verb} {issue}"


def vote_result_words(yes: int, no: int, abstain: int, absent: int) -> str:
    """ "adopted 143-5-35, 10 absent": an official result as a wire writes it."""
    outcome = "adopted" if yes > no else "rejected"
    return f"{outcome} {yes}-{no}-{abstain}, {absent} absent"


def cell_texts(long: pd.DataFrame) -> pd.Series:
    """A matrix cell per position: the score, "silent", or empty for no record."""
    silent = long["record"].map({SILENT: RECORD_WORDS[SILENT]}).fillna("")
    return long["score"].map(format_score).where(long["record"] == STATED, silent)


def quoted(text: str, note: str = "") -> str:
    """Words in quotation marks ending a sentence, an optional note after them: no doubled
    quotation marks or full stops, and always one full stop at the end of the sentence."""
    words = text.strip()
    if not words:
        return ""
    shown = words if words[0] in OPENING_QUOTES else f"\u201c{words}\u201d"
    if note:
        return f"{shown}{note}."
    inner = shown.rstrip(CLOSING_QUOTES)
    ends_sentence = inner[-1:] in SENTENCE_END if inner else False
    return shown if ends_sentence else shown + "."


def excerpt(row: pd.Series) -> str:
    """The words that carry a statement's coding in English: its excerpt where the dataset
    marks one (the full quote is in the tables and at the source), else the quote. `quote_en`
    is the English shown: the translation, or the quote itself when it is English."""
    english = row.get("quote_en", "")
    marked = row.get("excerpt_en", "") or (
        row.get("excerpt", "") if english == row.get("quote", "") else ""
    )
    return str(marked or english)


def translation_note(row: pd.Series) -> str:
    """Who made the English shown: " (translated by PUBLISHER)", " (our translation)", or ""."""
    translator = str(row.get("translated_by", "") or "")
    if translator == "coder":
        return " (our translation)"
    if translator == "source":
        source = row.get("publisher") or row.get("source_title") or "the source"
        return f" (translated by {source})"
    language = str(row.get("quote_language", "") or "")
    return " (translation)" if language and language != "en" else ""


def vote_words(vote: str) -> str:
    return VOTE_WORDS.get(vote, vote)
