"""The data contract (../shared/data-contract.md and the project's additions), as code.

What a valid dataset is: its files and their columns, the codes and vocabularies a value may
take, the limits every file is held to (bytes, columns, rows, characters per field and per
name, problems listed), the characters no text may hold, and the rules of every value and row
(pandera schemas, `file_rules`). `schema_problems` runs a file's schema lazily, so that one run
lists every problem (the first MAX_PROBLEMS, then how many more), each located by the line a
person sees in an editor; `capped` orders and caps a whole report.

The readers (`reactions.scan`, `reactions.read`) hold files to these limits and characters;
the loader (`reactions.dataset`) applies the rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from functools import cache
from typing import Protocol

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as compute
import pycountry

from reactions.categories import TEXT, distinct_at_least, uncoded
from reactions.codebook import Codebook
from reactions.errors import Problem
from reactions.reference import ID_PATTERN
from reactions.story import STORY_FILE, Story
from reactions.yamlfile import shown

DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
MAX_FIELD_CHARS = 20_000  # a long speech fits; a runaway quote or a pasted file does not
MAX_NAME_CHARS = 200  # an actor's name is drawn on charts
MAX_COLUMNS = 100
MAX_ROWS = 5_000_000
MAX_CSV_BYTES = 2_000_000_000
MAX_HEADER_BYTES = 65_536
MAX_PROBLEMS = 1_000  # listed; the rest are counted
DATE_PRECISIONS = ("day", "week", "month")
ACTOR_KINDS = ("state", "unrecognized_state", "organization", "group")

STATEMENT_COLUMNS = (
    "statement_id",
    "date",
    "date_precision",
    "actor_id",
    "speaker",
    "speaker_role",
    "occasion",
    "issue",
    "stance",
    "quote",
    "quote_language",
    "quote_en",
    "spoken_language",
    "translated_by",
    "source_title",
    "source_date",
    "source_url",
    "publisher",
    "coder",
    "notes",
    "source_kind",
    "via_url",
    "excerpt",
    "excerpt_en",
    "supersedes",
)
DATASET_FILES = ("actors", "statements", "events", "votes")  # NAME.csv
OPTIONAL_FILES = ("votes",)  # a dataset without recorded votes still loads
ROWS_REQUIRED = ("actors", "statements")  # a header alone is refused
ACTOR_COLUMNS = ("actor_id", "name", "kind", "iso3", "group", "memberships", "region")
EVENT_COLUMNS = (
    "event_id",
    "date",
    "title",
    "description",
    "source_title",
    "source_url",
    "resolution",  # optional: the vote of votes.csv this event is
)
VOTE_COLUMNS = (
    "resolution",
    "date",
    "actor_id",
    "iso3",
    "vote",
    "source_title",
    "source_url",
    "source_kind",
    "via_url",
)
FILE_COLUMNS = {
    "actors": ACTOR_COLUMNS,
    "statements": STATEMENT_COLUMNS,
    "events": EVENT_COLUMNS,
    "votes": VOTE_COLUMNS,
}
# What kind of publisher `source_url` is: primary sources first, a mirror only as what was read.
SOURCE_KINDS = ("official", "news_agency", "outlet", "aggregator", "forum")
VOTES = ("yes", "no", "abstain", "absent")
TRANSLATORS = ("source", "coder")  # who made the English a brief shows
NAME_COLUMNS = ("name",)  # held to MAX_NAME_CHARS
# Short fields allow no control character at all; these longer texts allow tab and line ends.
# (Columns beyond the contract count as long texts.)
SHORT_COLUMNS = frozenset(
    set(STATEMENT_COLUMNS + ACTOR_COLUMNS + EVENT_COLUMNS + VOTE_COLUMNS)
    - {"quote", "quote_en", "notes", "description", "occasion", "excerpt", "excerpt_en"}
)
# RE2 (Arrow) spelling of codebook.NAME_FORBIDDEN and codebook.TEXT_FORBIDDEN.
SHORT_FORBIDDEN = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
TEXT_FORBIDDEN = r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
CONTROL_RULE = "must not contain control or line-separator characters"
MORE_RULE = "more problems, not listed"

# pandera's names for its built-in checks, as an analyst would read them.
BUILTIN_RULES = {
    "not_nullable": "a value is required",
    "column_in_dataframe": "required column is missing",
}


def _rule(test: Callable[[pd.Series], pd.Series], rule: str, each_value: bool = True) -> pa.Check:
    """A vectorized rule on present values; missing values are the `required` rule's job. A rule
    of each value alone (`each_value`) tests a repeated column's distinct values only."""

    def check(series: pd.Series) -> pd.Series:
        if each_value and isinstance(series.dtype, pd.CategoricalDtype):
            return _by_category(test, series)
        present = series.notna()
        if present.all():  # no copy of a column that is complete (a large file's usual case)
            return test(series).fillna(False).astype(bool)
        passed = pd.Series(True, index=series.index)
        if present.any():
            passed[present] = test(series[present]).fillna(False).astype(bool)
        return passed

    return pa.Check(check, name=rule)


def _by_category(test: Callable[[pd.Series], pd.Series], series: pd.Series) -> pd.Series:
    """The test of each category, read for each row through its code (missing values pass)."""
    passed = test(pd.Series(series.cat.categories)).fillna(False).astype(bool).to_numpy()
    return pd.Series(np.append(passed, True)[series.cat.codes.to_numpy()], index=series.index)


def _fullmatch(values: pd.Series, pattern: str) -> pd.Series:
    """Whole values matched by RE2 in Arrow: pandas falls back to Python's `re` for some
    patterns (a million URLs: 0.55 s there, 0.07 s here)."""
    found = compute.match_substring_regex(arrow.array(values, type=TEXT), f"^(?:{pattern})$")
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _is_id(values: pd.Series) -> pd.Series:
    return _fullmatch(values, ID_PATTERN.pattern)


def _is_date(values: pd.Series) -> pd.Series:
    """Parsed once per distinct text: a dataset has few dates and many rows."""
    distinct = values.drop_duplicates()
    real = distinct[
        _fullmatch(distinct, DATE_PATTERN)
        & pd.to_datetime(distinct, format="%Y-%m-%d", errors="coerce").notna()
    ]
    return values.isin(real)


def _is_http_url(values: pd.Series) -> pd.Series:
    return _fullmatch(values, r"https?://[^\s/?#]+[^\s]*")


@cache
def _languages() -> frozenset[str]:
    return frozenset(
        language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2")
    )


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_3 for country in pycountry.countries)


ID_RULE = "must match [a-z0-9][a-z0-9-]*"
DATE_RULE = "must be a real date written YYYY-MM-DD"
URL_RULE = "must be an http(s) URL"
SOURCE_KIND_RULE = f"must be one of {', '.join(SOURCE_KINDS)}"
ACTOR_RULE = "must be an actor_id of actors.csv"
LANGUAGE_RULE = "must be an ISO 639-1 language code (en, ru, ...)"
COUNTRY_RULE = "must be an ISO 3166-1 alpha-3 country code"
UNIQUE_RULE = "must be unique in the file"


def is_unique(values: pd.Series) -> pd.Series:
    """Each value once in the file, proven without hashing when texts' keys differ (see
    `distinct_at_least`): pandas' `duplicated`, which pandera's own uniqueness check runs,
    held 0.9 GB for 5M ids, Arrow's count_distinct 1.4 GB; it runs only to find the repeats
    (a categorical column has some: it is one because its values repeat)."""
    coded = isinstance(values.dtype, pd.CategoricalDtype)
    if not coded and distinct_at_least(arrow.array(values, type=TEXT)) == len(values):
        return pd.Series(True, index=values.index)
    return ~values.duplicated(keep=False)


def _column(required: bool, *checks: pa.Check, unique: bool = False) -> pa.Column:
    if unique:
        checks = (*checks, _rule(is_unique, UNIQUE_RULE, each_value=False))
    return pa.Column(
        None,  # text of any string dtype (object or pyarrow-backed)
        checks=list(checks),
        nullable=not required,
        required=required,
        coerce=False,
    )


def _is_in(allowed: object) -> Callable[[pd.Series], pd.Series]:
    return lambda values: values.isin(list(allowed))  # type: ignore[call-overload]


def _codes(values: object, what: str) -> pa.Check:
    allowed = sorted(values)  # type: ignore[call-overload]
    return _rule(
        _is_in(allowed),
        f"must be one of the {what} codes of codebook.yml ({', '.join(allowed)})",
    )


# A rule across columns: the column at fault (the one reported) and a test of the whole frame.
RowRules = dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]]


def _schema(columns: dict[str, pa.Column], row_rules: RowRules | None = None) -> pa.DataFrameSchema:
    checks = [pa.Check(test, name=rule) for rule, (_, test) in (row_rules or {}).items()]
    return pa.DataFrameSchema(columns, checks=checks)


def _present(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].notna()


def _statement_row_rules(codebook: Codebook | None) -> RowRules:
    """Without a readable codebook the rules that need its silent stance are skipped."""
    silent = codebook.silent_codes if codebook is not None else set()

    def is_silent(frame: pd.DataFrame) -> pd.Series:
        return (
            frame["stance"].isin(silent)
            if "stance" in frame
            else pd.Series(False, index=frame.index)
        )

    silence_rules: RowRules = {
        "occasion is required when stance is silent": (
            "occasion",
            lambda f: ~is_silent(f) | _present(f, "occasion"),
        ),
        "quote is required unless stance is silent": (
            "quote",
            lambda f: is_silent(f) | _present(f, "quote"),
        ),
    }
    return {
        **(silence_rules if codebook is not None else {}),
        "quote_language is required when there is a quote": (
            "quote_language",
            lambda f: ~_present(f, "quote") | _present(f, "quote_language"),
        ),
        "quote_en is required when quote_language is not en": (
            "quote_en",
            lambda f: ~_present(f, "quote") | _is_english(f) | _present(f, "quote_en"),
        ),
        "translated_by (source or coder) is required when the English shown is a translation: "
        "quote_en is given, or spoken_language is not en": (
            "translated_by",
            lambda f: ~_translation_marked(f) | ~_is_translation(f) | _present(f, "translated_by"),
        ),
        "translated_by must be empty when the words were said in English as printed": (
            "translated_by",
            lambda f: ~_present(f, "translated_by") | _is_translation(f),
        ),
        "excerpt must be words of quote, verbatim": (
            "excerpt",
            lambda f: _within(f, "excerpt", "quote"),
        ),
        "excerpt_en must be words of quote_en, verbatim": (
            "excerpt_en",
            lambda f: _within(f, "excerpt_en", "quote_en"),
        ),
        "supersedes must name an earlier statement_id of the same actor and issue": (
            "supersedes",
            _supersedes_earlier,
        ),
    }


def _within(frame: pd.DataFrame, part: str, whole: str) -> pd.Series:
    """Rows whose `part` is empty or a verbatim substring of `whole` (few rows have a part)."""
    passed = pd.Series(True, index=frame.index)
    if part not in frame:
        return passed
    given = frame[part].notna()
    if given.any():
        parts = uncoded(frame.loc[given, part]).astype(str)
        wholes = (
            uncoded(frame.loc[given, whole]).fillna("").astype(str)
            if whole in frame
            else pd.Series("", index=parts.index)
        )
        inside = [p in w for p, w in zip(parts, wholes, strict=True)]
        passed[given] = pd.Series(inside, index=parts.index)
    return passed


def _supersedes_earlier(frame: pd.DataFrame) -> pd.Series:
    """A withdrawal names a statement of the same actor and issue, dated no later than itself."""
    passed = pd.Series(True, index=frame.index)
    if "supersedes" not in frame or not frame["supersedes"].notna().any():
        return passed
    keys = ["statement_id", "actor_id", "issue", "date"]
    if any(key not in frame for key in keys):
        return passed
    rows = frame[keys].assign(**{key: uncoded(frame[key]) for key in keys})
    named = frame["supersedes"].notna()
    wanted = rows[named].assign(target=uncoded(frame.loc[named, "supersedes"]))
    found = wanted.merge(
        rows, left_on="target", right_on="statement_id", how="left", suffixes=("", "_target")
    )
    ok = (
        (found["actor_id"] == found["actor_id_target"])
        & (found["issue"] == found["issue_target"])
        & (found["date_target"] <= found["date"])
        & (found["target"] != found["statement_id"])
    )
    passed[named] = ok.to_numpy()
    return passed


def _is_english(frame: pd.DataFrame) -> pd.Series:
    return frame.get("quote_language", pd.Series(index=frame.index)) == "en"


def _translation_marked(frame: pd.DataFrame) -> pd.Series:
    """Datasets that carry the translation columns are held to them; contract-only ones are not."""
    return pd.Series("translated_by" in frame, index=frame.index)


def _is_translation(frame: pd.DataFrame) -> pd.Series:
    """The English a brief shows is not the words as said: a quote_en, or a source's rendering."""
    spoken = frame.get("spoken_language", pd.Series(index=frame.index))
    said_otherwise = spoken.notna() & (spoken != "en")
    return _present(frame, "quote") & (~_is_english(frame) | (said_otherwise & _is_english(frame)))


def _name_shared(frame: pd.DataFrame) -> pd.Series:
    """Two actors of one group under one name (case aside) cannot be told apart on a chart."""
    if "name" not in frame or "group" not in frame:
        return pd.Series(False, index=frame.index)
    key = pd.DataFrame({"group": frame["group"], "name": frame["name"].str.casefold()})
    return key.duplicated(keep=False) & frame["name"].notna()


ACTOR_ROW_RULES: RowRules = {
    "iso3 is required for a state (UN member)": (
        "iso3",
        lambda f: (f.get("kind") != "state") | _present(f, "iso3"),
    ),
    "two actors of the same group must not share a name": (
        "name",
        lambda f: ~_name_shared(f),
    ),
}


def _voter(frame: pd.DataFrame) -> pd.Series:
    """Who cast a vote: the actor, or the member state (iso3) of a roll call beyond the actors."""
    actor = uncoded(frame.get("actor_id", pd.Series(index=frame.index, dtype=object)))
    country = uncoded(frame.get("iso3", pd.Series(index=frame.index, dtype=object)))
    return actor.where(actor.notna(), "iso3:" + country.fillna("").astype(str))


VOTE_ROW_RULES: RowRules = {
    "one vote per voter and resolution": (
        "actor_id",
        lambda f: (
            ~f.assign(_voter=_voter(f)).duplicated(["resolution", "_voter"], keep=False)
            if "resolution" in f
            else pd.Series(True, index=f.index)
        ),
    ),
    "actor_id or iso3 is required": (
        "actor_id",
        lambda f: _present(f, "actor_id") | _present(f, "iso3"),
    ),
}


def _membership(allowed: set[str] | None, rule: str) -> tuple[pa.Check, ...]:
    """The rule "must be one of the allowed", unless what is allowed could not be read."""
    return () if allowed is None else (_rule(_is_in(allowed), rule),)


def _code_checks(codebook: Codebook | None, section: str) -> tuple[pa.Check, ...]:
    return () if codebook is None else (_codes(getattr(codebook, section), section[:-1]),)


def statements_schema(codebook: Codebook | None, actor_ids: set[str] | None) -> pa.DataFrameSchema:
    """Rules that need the codebook or actors.csv are skipped when that file cannot be read:
    its own problems are reported, not one follow-on problem per row here."""
    optional_text = (
        "speaker",
        "speaker_role",
        "occasion",
        "quote",
        "quote_en",
        "publisher",
        "coder",
        "notes",
        "excerpt",
        "excerpt_en",
    )
    return _schema(
        {
            "statement_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "date_precision": _column(
                True, _rule(_is_in(DATE_PRECISIONS), "must be one of day, week, month")
            ),
            "actor_id": _column(True, *_membership(actor_ids, ACTOR_RULE)),
            "issue": _column(True, *_code_checks(codebook, "issues")),
            "stance": _column(True, *_code_checks(codebook, "stances")),
            "quote_language": _column(False, _rule(_is_in(_languages()), LANGUAGE_RULE)),
            "spoken_language": _column(False, _rule(_is_in(_languages()), LANGUAGE_RULE)),
            "translated_by": _column(
                False, _rule(_is_in(TRANSLATORS), f"must be one of {', '.join(TRANSLATORS)}")
            ),
            "source_title": _column(True),
            "source_date": _column(True, _rule(_is_date, DATE_RULE)),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
            **_source_columns(),
            "supersedes": _column(False, _rule(_is_id, ID_RULE)),
            **{column: _column(False) for column in optional_text},
        },
        _statement_row_rules(codebook),
    )


def _source_columns() -> dict[str, pa.Column]:
    """Where a row's source was read, beyond the contract: its kind and the copy read."""
    return {
        "source_kind": _column(False, _rule(_is_in(SOURCE_KINDS), SOURCE_KIND_RULE)),
        "via_url": _column(False, _rule(_is_http_url, URL_RULE)),
    }


def actors_schema(codebook: Codebook | None) -> pa.DataFrameSchema:
    return _schema(
        {
            "actor_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "name": _column(True),
            "kind": _column(
                True, _rule(_is_in(ACTOR_KINDS), f"must be one of {', '.join(ACTOR_KINDS)}")
            ),
            "iso3": _column(False, _rule(_is_in(_countries()), COUNTRY_RULE)),
            "group": _column(True, *_code_checks(codebook, "groups")),
            "memberships": _column(False),
            "region": _column(False),
        },
        ACTOR_ROW_RULES,
    )


def events_schema() -> pa.DataFrameSchema:
    return _schema(
        {
            "event_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "title": _column(True),
            "description": _column(False),
            "source_title": _column(True),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
            "resolution": _column(False),
        }
    )


def votes_schema(actor_ids: set[str] | None) -> pa.DataFrameSchema:
    return _schema(
        {
            "resolution": _column(True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "actor_id": _column(False, *_membership(actor_ids, ACTOR_RULE)),
            "iso3": _column(False, _rule(_is_in(_countries()), COUNTRY_RULE)),
            "vote": _column(True, _rule(_is_in(VOTES), f"must be one of {', '.join(VOTES)}")),
            "source_title": _column(True),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
            **_source_columns(),
        },
        VOTE_ROW_RULES,
    )


class Located(Protocol):
    """A file's rows as read (`reactions.read.Table`): its name, its frame, each row's line."""

    name: str
    frame: pd.DataFrame

    def line_of(self, index: object) -> int | None: ...


def file_rules(
    codebook: Codebook | None, actor_ids: set[str] | None
) -> dict[str, tuple[pa.DataFrameSchema, RowRules]]:
    """Each file's schema and its rules across columns, by name (DATASET_FILES), for
    `schema_problems`. Without the codebook or actors.csv their rules are skipped."""
    return {
        "actors": (actors_schema(codebook), ACTOR_ROW_RULES),
        "statements": (statements_schema(codebook, actor_ids), _statement_row_rules(codebook)),
        "events": (events_schema(), {}),
        "votes": (votes_schema(actor_ids), VOTE_ROW_RULES),
    }


def schema_problems(
    table: Located, schema: pa.DataFrameSchema, row_rules: RowRules | None = None
) -> list[Problem]:
    """Run a schema lazily and turn the failure cases into located Problems: the first
    MAX_PROBLEMS of them (by row), the rest counted, so that a file of garbage stays cheap."""
    try:
        schema.validate(table.frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    columns_at_fault = {rule: column for rule, (column, _) in (row_rules or {}).items()}
    cases = cases.assign(
        _order=pd.to_numeric(cases["index"], errors="coerce").fillna(-1)
    ).sort_values("_order", kind="stable")
    problems: set[Problem] = set()
    unlisted = 0
    for number, case in enumerate(cases.itertuples(index=False)):
        if number >= MAX_PROBLEMS:
            unlisted = len(cases) - number
            break
        check = str(case.check)
        rule = BUILTIN_RULES.get(check, check)
        index = None if pd.isna(case.index) else case.index
        if check in columns_at_fault:  # several columns: report the one at fault, once per row
            column = columns_at_fault[check]
            value = table.frame.at[index, column] if column in table.frame else None
        elif check == "column_in_dataframe":
            column, value = str(case.failure_case), ""
        else:
            column, value = case.column, case.failure_case
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        problems.add(Problem(table.name, table.line_of(index), column, shown(text), rule))
    listed = sorted(problems)
    if unlisted:
        listed.append(Problem(table.name, None, None, str(unlisted), MORE_RULE))
    return listed


def capped(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS problems in file and line order, then one saying how many more;
    no value longer than an error may show (a file's content is never echoed)."""
    unlisted = sum(int(problem.value) for problem in problems if problem.rule == MORE_RULE)
    listed = sorted(
        {
            Problem(problem.file, problem.line, problem.column, shown(problem.value), problem.rule)
            for problem in problems
            if problem.rule != MORE_RULE
        },
        key=lambda problem: (problem.file, problem.line or 0, problem.column or "", problem.rule),
    )
    unlisted += max(0, len(listed) - MAX_PROBLEMS)
    listed = listed[:MAX_PROBLEMS]
    if unlisted:  # "…" sorts after every file name: the report's last line
        listed.append(Problem("…", None, None, "", f"and {unlisted:,} more problems"))
    return listed


def votes_of_record_problems(story: Story, votes: pd.DataFrame) -> list[Problem]:
    """A vote of record must be a resolution of votes.csv: a typo would silently read no vote
    (and change what a page finds), so it is refused, naming the closest resolution."""
    recorded = sorted(set(uncoded(votes["resolution"]).dropna())) if "resolution" in votes else []
    problems = []
    for vote in story.votes:
        if vote.resolution in recorded:
            continue
        closest = difflib.get_close_matches(vote.resolution, recorded, n=1, cutoff=0)
        hint = f"; the closest is {closest[0]!r}" if closest else " (votes.csv holds no vote)"
        problems.append(
            Problem(
                STORY_FILE,
                vote.line,
                "votes.resolution",
                shown(vote.resolution),
                f"must be a resolution of votes.csv{hint}",
            )
        )
    return problems
