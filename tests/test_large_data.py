"""Large datasets stay small in memory: columns of repeated values are held as categoricals with
sorted categories (decided on the values, alike for the CSV and its columnar copy), pages read
text columns as before, and problems are reported exactly as they were; the quoting scan reads
a file in pieces and decides as it did on the whole."""

from __future__ import annotations

import copy
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactions import compare, contract, scan
from reactions.categories import as_text
from reactions.cli import main
from reactions.dataset import load_dataset
from reactions.errors import DatasetError, Problem
from reactions.read import read_table
from support.dataset import STATEMENTS, write_dataset

REPEATED = ("date_precision", "speaker_role", "issue", "publisher", "coder")
DISTINCT = ("statement_id", "actor_id", "stance", "quote", "source_url")  # over 11 rows


def test_repeated_columns_are_categoricals_with_sorted_categories(mini):
    statements = mini.statements
    for column in REPEATED:
        assert isinstance(statements[column].dtype, pd.CategoricalDtype), column
        categories = list(statements[column].cat.categories)
        assert categories == sorted(set(statements[column])), column
    for column in DISTINCT:
        assert statements[column].dtype == "str", column
    assert list(statements["issue"].sort_values()) == sorted(statements["issue"])


def test_the_columnar_copy_holds_the_same_categoricals(mini_dir):
    from_csv = load_dataset(mini_dir)
    assert main(["validate", "--data", str(mini_dir), "--parquet"]) == 0
    from_copy = load_dataset(mini_dir)
    pd.testing.assert_frame_equal(from_copy.statements, from_csv.statements)
    assert isinstance(from_copy.statements["issue"].dtype, pd.CategoricalDtype)


def test_a_column_is_categorical_when_at_most_half_its_values_differ(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("a,b\nx,1\nx,2\ny,3\ny,3\n", encoding="utf-8")
    frame = read_table(path).frame
    assert isinstance(frame["a"].dtype, pd.CategoricalDtype)  # 2 values over 4 rows
    assert frame["b"].dtype == "str"  # 3 values over 4 rows


def test_pages_read_text_columns(mini):
    said = compare.statements_as_of(mini, "2022-10-31", "recognition")
    assert not any(isinstance(kind, pd.CategoricalDtype) for kind in said.dtypes)
    assert said["stance"].dtype == "str" and said["english"].dtype == "str"


def test_pages_read_the_same_from_codes_as_from_text(mini):
    text = replace(mini, statements=as_text(mini.statements))
    assert not any(isinstance(kind, pd.CategoricalDtype) for kind in text.statements.dtypes)
    for as_of in ("2022-09-20", "2022-09-26", "2022-10-31"):
        pd.testing.assert_frame_equal(
            compare.statements_as_of(mini, as_of), compare.statements_as_of(text, as_of)
        )
        for issue in mini.codebook.issues:
            pd.testing.assert_frame_equal(
                compare.positions(mini, issue, as_of), compare.positions(text, issue, as_of)
            )
        pd.testing.assert_frame_equal(
            compare.silences(mini, "belarus", as_of), compare.silences(text, "belarus", as_of)
        )
    pd.testing.assert_frame_equal(
        compare.coverage(mini, "2022-09-26"), compare.coverage(text, "2022-09-26")
    )


def problems_of(tmp_path, rows) -> list[Problem]:
    with pytest.raises(DatasetError) as raised:
        load_dataset(write_dataset(tmp_path / "broken", statements=rows))
    return raised.value.problems


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("date_precision", "year", "must be one of day, week, month"),
        ("quote_language", "xx", "must be an ISO 639-1 language code (en, ru, ...)"),
        ("coder", "te\tsts", "must not contain control or line-separator characters"),
    ],
)
def test_a_bad_value_in_a_repeated_column_is_located_as_before(tmp_path, column, value, rule):
    rows = copy.deepcopy(STATEMENTS)
    rows[5][column] = value
    written = write_dataset(tmp_path / "read", statements=rows) / "statements.csv"
    assert isinstance(read_table(written).frame[column].dtype, pd.CategoricalDtype)
    assert Problem("statements.csv", 7, column, value, rule) in problems_of(tmp_path, rows)


def test_ids_alike_in_length_and_ends_are_checked_unique(tmp_path):
    """Ids alike in their length, first and last eight bytes: uniqueness is not taken for
    granted from those, nor refused."""
    rows = copy.deepcopy(STATEMENTS)
    for number, row in enumerate(rows):
        row["statement_id"] = f"abcdefgh-{number % 10}-ijklmnop"
    load_dataset(write_dataset(tmp_path / "unique", statements=rows[:10]))
    problems = problems_of(tmp_path, rows)
    assert [(p.line, p.column, p.value) for p in problems] == [
        (2, "statement_id", "abcdefgh-0-ijklmnop"),
        (12, "statement_id", "abcdefgh-0-ijklmnop"),
    ]
    assert {p.rule for p in problems} == {"must be unique in the file"}


CONTENTS = [
    b'a,b\n"x\ny","1"\n"z",2\n',
    b'\xef\xbb\xbf"a",b\n"say ""no""",2\n',
    b'a,b\n"x"y,1\n',
    b'a,b\nx,"1\n',
    b'a,b\n"x\ty",1\n',
    b'a,b\n"x\xe2\x80\xa8",1\n',
    b'a,b\n"\xc2\x85",1\n',
    b'a,b\nx,\r\n"y\r\nz",1\r\n',
    b"",
]


@pytest.mark.parametrize("content", CONTENTS)
def test_the_scan_decides_alike_whatever_its_piece_size(tmp_path, monkeypatch, content):
    path = tmp_path / "events.csv"
    path.write_bytes(content)
    whole = scan.scan_bytes(path)
    for size in (1, 2, 3, 5):
        monkeypatch.setattr(scan, "SCAN_CHUNK", size)
        assert scan.scan_bytes(path) == whole, size


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["", "a", "ab", "abcdefgh", "abcdefghi"]),
            st.text(alphabet="ab-é", max_size=20),
        ),
        max_size=40,
    )
)
def test_uniqueness_is_found_as_python_counts_it(values):
    present = pd.Series([value for value in values if value], dtype="str")
    repeated = {value for value in present if list(present).count(value) > 1}
    unique = contract.is_unique(present)
    assert list(unique) == [value not in repeated for value in present]
