"""Load the dataset's files and validate them against the contract (../shared/data-contract.md).

Well-formed CSVs are read by Arrow; a file Arrow refuses is read again by a strict csv-module
reader that reports every structural problem. Problems are located by the line a person sees
in an editor (quoted fields may span lines), found only when there is a problem to report.
pandera then checks every rule on every row, lazily, so that one run lists all problems.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.csv as arrow_csv
import pycountry

from reactions.codebook import Codebook, load_codebook
from reactions.errors import DatasetError, Problem
from reactions.reference import ID_PATTERN, Reference
from reactions.story import Story, load_story

if TYPE_CHECKING:
    from _csv import _reader as CsvReader

DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
MAX_FIELD_CHARS = 20_000  # a long speech fits; a runaway quote or a pasted file does not
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
)
ACTOR_COLUMNS = ("actor_id", "name", "kind", "iso3", "group", "memberships", "region")
EVENT_COLUMNS = ("event_id", "date", "title", "description", "source_title", "source_url")
VOTE_COLUMNS = ("resolution", "date", "actor_id", "iso3", "vote", "source_title", "source_url")
VOTES = ("yes", "no", "abstain", "absent")
TRANSLATORS = ("source", "coder")  # who made the English a brief shows

# pandera's names for its built-in checks, as an analyst would read them.
BUILTIN_RULES = {
    "not_nullable": "a value is required",
    "field_uniqueness": "must be unique in the file",
    "column_in_dataframe": "required column is missing",
}


@dataclass(frozen=True)
class Dataset:
    """Validated frames: dates are timestamps, missing optional text is ''."""

    codebook: Codebook
    story: Story
    actors: pd.DataFrame
    statements: pd.DataFrame
    events: pd.DataFrame
    votes: pd.DataFrame

    @property
    def reference(self) -> Reference:
        return Reference(self.codebook, self.actor_names, self.story, self.latest_date)

    @property
    def latest_date(self) -> str:
        """The date of the latest statement: the neutral default for a page's as-of date."""
        return f"{self.statements['date'].max():%Y-%m-%d}"

    @property
    def actor_names(self) -> dict[str, str]:
        return dict(zip(self.actors["actor_id"], self.actors["name"], strict=True))

    def actor_name(self, actor_id: str) -> str:
        return self.actor_names[actor_id]


def english_quotes(statements: pd.DataFrame) -> pd.Series:
    """Each statement's words in English: the translation, or the quote when it is English."""
    return statements["quote_en"].where(statements["quote_en"] != "", statements["quote"])


@dataclass
class Table:
    """A CSV file as strings; each record's first line in the file is found when needed."""

    name: str
    frame: pd.DataFrame
    path: Path
    lines: pd.Series | None = None

    def line_of(self, index: object) -> int | None:
        if index is None or (isinstance(index, float) and pd.isna(index)):
            return 1  # a problem of the whole file is shown at its header line
        if self.lines is None:
            self.lines = _record_lines(self.path)
        return int(self.lines.loc[index])


def _csv_reader(lines: Iterator[str]) -> CsvReader:
    """The one way this module reads CSV: strict quoting, and fields long enough that an overlong
    one is reported by its rule (MAX_FIELD_CHARS) instead of breaking the reader."""
    csv.field_size_limit(max(csv.field_size_limit(), 2**24))
    return csv.reader(lines, strict=True)


def _record_lines(path: Path) -> pd.Series:
    """The first line of every record (blank lines skipped), counting quoted newlines."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = _csv_reader(stream)
        _header(reader)
        lines, start = [], reader.line_num + 1
        for record in reader:
            if record:
                lines.append(start)
            start = reader.line_num + 1
    return pd.Series(lines, dtype=int)


def read_table(path: Path) -> Table:
    """Read a CSV file strictly: UTF-8, a header row, the same number of fields on every row.

    Arrow's CSV reader reads well-formed files fast and refuses ragged rows; anything it
    refuses is read again by the strict reader, which reports every structural problem with its
    line. A UTF-8 byte-order mark and CRLF line ends are accepted (spreadsheets write them);
    nothing is ever written back.
    """
    if not path.exists():
        raise DatasetError([Problem(path.name, None, None, str(path), "file is missing")])
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            raw_header = _header(_csv_reader(stream))
        header = [column.strip() for column in raw_header]
        if len(set(header)) != len(header) or (len(header) == 1 and _other_delimiter(header[0])):
            return _read_strictly(path)
        table = arrow_csv.read_csv(
            path,
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(raw_header, arrow.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (arrow.ArrowInvalid, UnicodeDecodeError, csv.Error, StopIteration):
        return _read_strictly(path)
    frame = table.to_pandas()
    frame.columns = header
    frame = frame.apply(lambda column: column.str.strip())
    frame = frame[(frame != "").any(axis=1)].replace("", None)
    return Table(path.name, frame, path)


def _header(reader: Iterator[list[str]]) -> list[str]:
    """The first record that is not a blank line (Arrow's reader skips them too)."""
    return next(record for record in reader if record)


def _other_delimiter(header: str) -> bool:
    return header.count(";") + header.count("\t") > 0


def _read_strictly(path: Path) -> Table:
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        bad = repr(raw[error.start : error.end])
        raise DatasetError([Problem(name, line, None, bad, "file must be UTF-8")]) from None
    if not text.strip():
        raise DatasetError([Problem(name, 1, None, "", "file is empty: a header row is required")])
    reader = _csv_reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    header: list[str] = []
    records, lines = [], []
    try:
        header = [column.strip() for column in _header(reader)]
        start = reader.line_num + 1
        for record in reader:
            if not any(field.strip() for field in record):
                start = reader.line_num + 1
                continue  # blank lines carry nothing
            if len(record) != len(header):
                problems.append(
                    Problem(
                        name,
                        start,
                        None,
                        ",".join(record)[:80],
                        f"row has {len(record)} fields, the header has {len(header)}",
                    )
                )
            else:
                records.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(name, reader.line_num, None, "", f"malformed CSV: {error}"))
    duplicated = {column for column in header if header.count(column) > 1}
    problems += [
        Problem(name, 1, column, column, "column appears twice in the header")
        for column in sorted(duplicated)
    ]
    if len(header) == 1 and _other_delimiter(header[0]):
        problems.append(
            Problem(name, 1, None, header[0][:80], "fields must be separated by commas")
        )
    if problems:
        raise DatasetError(problems)
    frame = pd.DataFrame(records, columns=header, dtype=str)
    frame = frame.apply(lambda column: column.str.strip()).replace("", None)
    return Table(name, frame, path, pd.Series(lines, index=frame.index, dtype=int))


def _rule(test: Callable[[pd.Series], pd.Series], rule: str) -> pa.Check:
    """A vectorized rule on present values; missing values are the `required` rule's job."""

    def check(series: pd.Series) -> pd.Series:
        passed = pd.Series(True, index=series.index)
        present = series.notna()
        if present.any():
            passed[present] = test(series[present]).fillna(False).astype(bool)
        return passed

    return pa.Check(check, name=rule)


def _is_id(values: pd.Series) -> pd.Series:
    return values.str.fullmatch(ID_PATTERN.pattern)


def _is_date(values: pd.Series) -> pd.Series:
    return (
        values.str.fullmatch(DATE_PATTERN)
        & pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").notna()
    )


def _is_http_url(values: pd.Series) -> pd.Series:
    return values.str.fullmatch(r"https?://[^\s/?#]+[^\s]*")


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
ACTOR_RULE = "must be an actor_id of actors.csv"
LANGUAGE_RULE = "must be an ISO 639-1 language code (en, ru, ...)"
COUNTRY_RULE = "must be an ISO 3166-1 alpha-3 country code"


def _column(required: bool, *checks: pa.Check, unique: bool = False) -> pa.Column:
    return pa.Column(
        None,  # text of any string dtype (object or pyarrow-backed)
        checks=list(checks),
        nullable=not required,
        unique=unique,
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


def _statement_row_rules(codebook: Codebook) -> RowRules:
    silent = codebook.silent_codes

    def is_silent(frame: pd.DataFrame) -> pd.Series:
        return (
            frame["stance"].isin(silent)
            if "stance" in frame
            else pd.Series(False, index=frame.index)
        )

    return {
        "occasion is required when stance is silent": (
            "occasion",
            lambda f: ~is_silent(f) | _present(f, "occasion"),
        ),
        "quote is required unless stance is silent": (
            "quote",
            lambda f: is_silent(f) | _present(f, "quote"),
        ),
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
    }


def _is_english(frame: pd.DataFrame) -> pd.Series:
    return frame.get("quote_language", pd.Series(index=frame.index)) == "en"


def _translation_marked(frame: pd.DataFrame) -> pd.Series:
    """Datasets that carry the translation columns are held to them; contract-only ones are not."""
    return pd.Series("translated_by" in frame, index=frame.index)


def _is_translation(frame: pd.DataFrame) -> pd.Series:
    """The English a brief shows is not the words as said: a quote_en, or a source's rendering."""
    spoken = frame.get("spoken_language", pd.Series(index=frame.index))
    said_otherwise = spoken.notna() & (spoken != "en")
    return _present(frame, "quote") & (
        ~_is_english(frame) | (said_otherwise & _is_english(frame))
    )


ACTOR_ROW_RULES: RowRules = {
    "iso3 is required for a state (UN member)": (
        "iso3",
        lambda f: (f.get("kind") != "state") | _present(f, "iso3"),
    ),
}
def _voter(frame: pd.DataFrame) -> pd.Series:
    """Who cast a vote: the actor, or the member state (iso3) of a roll call beyond the actors."""
    actor = frame.get("actor_id", pd.Series(index=frame.index, dtype=object))
    country = frame.get("iso3", pd.Series(index=frame.index, dtype=object))
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


def statements_schema(codebook: Codebook, actor_ids: set[str]) -> pa.DataFrameSchema:
    optional_text = (
        "speaker",
        "speaker_role",
        "occasion",
        "quote",
        "quote_en",
        "publisher",
        "coder",
        "notes",
    )
    return _schema(
        {
            "statement_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "date_precision": _column(
                True, _rule(_is_in(DATE_PRECISIONS), "must be one of day, week, month")
            ),
            "actor_id": _column(True, _rule(_is_in(actor_ids), ACTOR_RULE)),
            "issue": _column(True, _codes(codebook.issues, "issue")),
            "stance": _column(True, _codes(codebook.stances, "stance")),
            "quote_language": _column(False, _rule(_is_in(_languages()), LANGUAGE_RULE)),
            "spoken_language": _column(False, _rule(_is_in(_languages()), LANGUAGE_RULE)),
            "translated_by": _column(
                False, _rule(_is_in(TRANSLATORS), f"must be one of {', '.join(TRANSLATORS)}")
            ),
            "source_title": _column(True),
            "source_date": _column(True, _rule(_is_date, DATE_RULE)),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
            **{column: _column(False) for column in optional_text},
        },
        _statement_row_rules(codebook),
    )


def actors_schema(codebook: Codebook) -> pa.DataFrameSchema:
    return _schema(
        {
            "actor_id": _column(True, _rule(_is_id, ID_RULE), unique=True),
            "name": _column(True),
            "kind": _column(
                True, _rule(_is_in(ACTOR_KINDS), f"must be one of {', '.join(ACTOR_KINDS)}")
            ),
            "iso3": _column(False, _rule(_is_in(_countries()), COUNTRY_RULE)),
            "group": _column(True, _codes(codebook.groups, "group")),
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
        }
    )


def votes_schema(actor_ids: set[str]) -> pa.DataFrameSchema:
    return _schema(
        {
            "resolution": _column(True),
            "date": _column(True, _rule(_is_date, DATE_RULE)),
            "actor_id": _column(False, _rule(_is_in(actor_ids), ACTOR_RULE)),
            "iso3": _column(False, _rule(_is_in(_countries()), COUNTRY_RULE)),
            "vote": _column(True, _rule(_is_in(VOTES), f"must be one of {', '.join(VOTES)}")),
            "source_title": _column(True),
            "source_url": _column(False, _rule(_is_http_url, URL_RULE)),
        },
        VOTE_ROW_RULES,
    )


def _problems(
    table: Table, schema: pa.DataFrameSchema, row_rules: RowRules | None = None
) -> list[Problem]:
    """Run a schema lazily and turn every failure case into a located Problem."""
    try:
        schema.validate(table.frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    columns_at_fault = {rule: column for rule, (column, _) in (row_rules or {}).items()}
    problems = set()
    for case in cases.itertuples(index=False):
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
        shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        problems.add(Problem(table.name, table.line_of(index), column, shown, rule))
    return sorted(problems)


def _problems_or_table(path: Path) -> tuple[Table | None, list[Problem]]:
    try:
        return read_table(path), []
    except DatasetError as error:
        return None, error.problems


def _shape_problems(table: Table, needs_rows: bool) -> list[Problem]:
    """Rules of every file: rows present where they must be, no field of runaway length."""
    problems = []
    if needs_rows and table.frame.empty:
        problems.append(Problem(table.name, 1, None, "", "the file has a header but no rows"))
    for column in table.frame.columns:
        lengths = table.frame[column].str.len()
        for index in lengths.index[lengths > MAX_FIELD_CHARS]:
            value = str(table.frame.at[index, column])
            problems.append(
                Problem(
                    table.name,
                    table.line_of(index),
                    column,
                    f"{value[:40]}... ({len(value)} characters)",
                    f"a field may hold at most {MAX_FIELD_CHARS} characters",
                )
            )
    return problems


def load_dataset(data_dir: Path | str) -> Dataset:
    """Read and validate the whole dataset; raise DatasetError listing every problem found.

    votes.csv is optional (a dataset without recorded votes still loads); the others are required.
    """
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    try:
        codebook = load_codebook(data_dir / "codebook.yml")
    except DatasetError as error:
        problems += error.problems
        codebook = None
    tables = {}
    for name in ("actors", "statements", "events", "votes"):
        path = data_dir / f"{name}.csv"
        if name == "votes" and not path.exists():
            tables[name] = Table(path.name, pd.DataFrame(columns=list(VOTE_COLUMNS)), path)
            continue
        tables[name], found = _problems_or_table(path)
        problems += found
        if tables[name] is not None:
            problems += _shape_problems(tables[name], needs_rows=name in ("actors", "statements"))
    actors, statements = tables["actors"], tables["statements"]
    actor_ids = (
        set(actors.frame["actor_id"].dropna())
        if actors is not None and "actor_id" in actors.frame
        else set()
    )
    if codebook is not None:
        if actors is not None:
            problems += _problems(actors, actors_schema(codebook), ACTOR_ROW_RULES)
        if statements is not None:
            problems += _problems(
                statements, statements_schema(codebook, actor_ids), _statement_row_rules(codebook)
            )
    if tables["events"] is not None:
        problems += _problems(tables["events"], events_schema())
    if tables["votes"] is not None and actors is not None:
        problems += _problems(tables["votes"], votes_schema(actor_ids), VOTE_ROW_RULES)
    story = None
    if codebook is not None and actors is not None:
        try:
            story = load_story(data_dir, codebook, actor_ids)
        except DatasetError as error:
            problems += error.problems
    if problems or story is None or any(table is None for table in tables.values()):
        raise DatasetError(problems)
    return Dataset(
        codebook=codebook,
        story=story,
        statements=_typed(statements.frame, STATEMENT_COLUMNS, ("date", "source_date")),
        actors=_typed(actors.frame, ACTOR_COLUMNS, ()),
        events=_typed(tables["events"].frame, EVENT_COLUMNS, ("date",)),
        votes=_typed(tables["votes"].frame, VOTE_COLUMNS, ("date",)),
    )


def _typed(
    frame: pd.DataFrame, columns: tuple[str, ...], date_columns: tuple[str, ...]
) -> pd.DataFrame:
    """Contract columns first (optional ones added empty), extra columns kept after them."""
    typed = frame.copy()
    for column in columns:
        if column not in typed:
            typed[column] = None
    extra = [column for column in typed.columns if column not in columns]
    typed = typed[list(columns) + extra]
    text_columns = [column for column in typed.columns if column not in date_columns]
    typed[text_columns] = typed[text_columns].fillna("").astype(str)
    for column in date_columns:
        typed[column] = pd.to_datetime(typed[column], format="%Y-%m-%d")
    return typed.reset_index(drop=True)
