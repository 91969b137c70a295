"""The bad-input corpus (tests/fixtures/bad/cases.py): every case gets a clear error, exit 2,
unchanged data files and nothing written to the report folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fixtures.bad.cases import CASES
from reactions.cli import main
from support.dataset import write_dataset
from support.rendering import render_cli


def break_dataset(folder: Path, file: str, mutation) -> Path:
    write_dataset(folder)
    path = folder / file
    if mutation is None:
        path.unlink()
    else:
        original = path.read_text(encoding="utf-8") if path.exists() else ""  # optional files
        text = mutation(original)
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return folder


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    ("name", "file", "mutation", "where", "line", "column", "rule"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    tmp_path, capsys, name, file, mutation, where, line, column, rule
):
    folder = break_dataset(tmp_path / "data", file, mutation)
    before = digest(folder)
    assert main(["validate", "--data", str(folder)]) == 2
    error = capsys.readouterr().err
    matching = [text for text in error.splitlines() if rule in text]
    assert matching, error[:3000]
    located = f"{where}:{line}:" if line else f"{where}:"
    assert any(text.strip().startswith(located) for text in matching), error[:3000]
    if column:
        assert any(f"column {column!r}" in text for text in matching), error[:3000]
    assert digest(folder) == before


# Rendering starts a kernel when the problem is past the parameter check (statements, events,
# votes): one case per file keeps this affordable; codebook and actors cases never reach a kernel.
RENDERED = {
    "unknown actor",
    "non-UTF-8 bytes",
    "too few fields",
    "vote for unknown actor",
    "missing codebook",
    "invalid codebook YAML",
    "bad iso3",
    "actors header only",
    "path in actor id",
    "missing actors file",
}


@pytest.mark.parametrize(
    "case", [case for case in CASES if case[0] in RENDERED], ids=lambda case: case[0]
)
def test_bad_input_never_writes_to_the_report(tmp_path, capsys, case):
    _, file, mutation, where, *_ = case
    folder = break_dataset(tmp_path / "data", file, mutation)
    before = digest(folder)
    out = tmp_path / "report"
    code = render_cli(out, data=folder)
    assert code == 2
    assert where in capsys.readouterr().err
    assert not out.exists()
    assert digest(folder) == before


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


def test_bom_and_crlf_are_accepted_everywhere(tmp_path, capsys):
    """The one documented repair: a byte-order mark and CRLF line ends, on every file."""
    folder = write_dataset(tmp_path / "excel")
    for path in folder.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["validate", "--data", str(folder)]) == 0
    out = tmp_path / "report"
    assert render_cli(out, data=folder) == 0
    pages = [page.name for page in out.rglob("*.html")]
    assert any("belarus" in page and "recognition" in page for page in pages), pages
