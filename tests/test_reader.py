"""One reader, one truth: the fast Arrow path and the strict line-reporting reader agree on
every input. Whatever one accepts the other accepts, with the same frame, the same lines and
the same faults; whatever one refuses the other refuses."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reactions import read
from reactions.copies import write_columnar_copies
from reactions.errors import DatasetError
from reactions.read import read_table

AGREE = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PIECES = st.sampled_from(
    ['"', '""', ",", "\n", "\r\n", "\r", " ", "\t", "\x00", "\ufeff", "é", "\u2028", "x", "ab", ";"]
)


def outcome(path: Path, strict: bool) -> tuple:
    try:
        table = read_table(path, strict=strict)
    except DatasetError:
        return ("refused",)
    values = [
        [None if pd.isna(value) else value for value in row] for row in table.frame.values.tolist()
    ]
    lines = [table.line_of(index) for index in table.frame.index]
    faults = sorted(
        (lines[list(table.frame.index).index(index)], column, rule)
        for index, column, _, rule in table.faults
    )
    return ("read", list(table.frame.columns), values, lines, faults)


def assert_agree(tmp_path: Path, content: bytes) -> None:
    """Both readers agree, and so does the file's columnar copy (`validate --parquet`)."""
    path = tmp_path / "events.csv"
    path.write_bytes(content)
    fast, strict = outcome(path, strict=False), outcome(path, strict=True)
    assert fast == strict, content
    for copy in write_columnar_copies(tmp_path) if fast[0] == "read" else []:
        assert outcome(path, strict=False) == fast, content
        copy.unlink()


@st.composite
def csv_files(draw) -> bytes:
    """Well-formed files from csv.writer, then a few pieces inserted, deleted or replaced."""
    columns = draw(st.integers(1, 4))
    rows = draw(
        st.lists(
            st.lists(
                st.text(st.sampled_from('ab ,"\n\t\u2028é'), max_size=6),
                min_size=columns,
                max_size=columns,
            ),
            max_size=5,
        )
    )
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow([f"c{number}" for number in range(columns)])
    writer.writerows(rows)
    text = stream.getvalue()
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(text)))
        piece = draw(PIECES)
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 4)) :]
        else:
            text = text[:position] + piece + text[position + len(piece) :]
    prefix = draw(st.sampled_from(["", "\ufeff"]))
    return (prefix + text).encode("utf-8")


@AGREE
@given(content=csv_files())
@example(content=b'a,b\n"Justin" Trudeau,1\n')
@example(content=b'a,b\n"x,1\n')
@example(content=b'a,b\n1,"2\n')
@example(content=b'a,b\nJus"tin,1\n')
@example(content=b'a,b\n"a,"b",1\n')
@example(content=b'a,b\n"a""b",1\n')
@example(content=b'a,b\n"""a",1\n')
@example(content=b'a,b\n"",1\n')
@example(content=b'a,b\n""a,1\n')
@example(content=b'a,b\n1,"x\xe2\x80\xa8y"\n')
@example(content=b'a,b\n1,"x\ny"\n')
@example(content=b'\xef\xbb\xbf"a",b\n1,2\n')
@example(content=b"a,b\n1,2\r3,4\n\r\n")
@example(content=b"a,b\n \n1,2\n")
@example(content=b"a,b\n,\n1,2\n")
def test_both_readers_agree_on_generated_files(tmp_path, content):
    assert_agree(tmp_path, content)


@AGREE
@given(text=st.lists(st.one_of(PIECES, st.characters(max_codepoint=0x2030)), max_size=30))
def test_both_readers_agree_on_arbitrary_text(tmp_path, text):
    assert_agree(tmp_path, ("a,b\n" + "".join(text)).encode("utf-8", errors="surrogatepass"))


def test_stray_quote_is_refused_by_both_with_its_line(tmp_path):
    path = tmp_path / "actors.csv"
    path.write_text('actor_id,name\ncanada,"Justin" Trudeau\n', encoding="utf-8")
    for strict in (False, True):
        with pytest.raises(DatasetError) as raised:
            read_table(path, strict=strict)
        assert [(p.line, "malformed CSV" in p.rule) for p in raised.value.problems] == [(2, True)]


def test_quoted_fields_still_take_the_fast_path(tmp_path, monkeypatch):
    """Well-formed quoting (commas, doubled quotes, line ends inside quotes) is Arrow's to read."""
    path = tmp_path / "events.csv"
    path.write_text('a,b\n"x, y","say ""no"""\n"1\n2",3\n', encoding="utf-8")
    monkeypatch.setattr(read, "_read_strictly", lambda path: pytest.fail("strict path"))
    table = read_table(path)
    assert table.frame.values.tolist() == [["x, y", 'say "no"'], ["1\n2", "3"]]
    assert pd.Series([table.line_of(i) for i in table.frame.index]).tolist() == [2, 3]
