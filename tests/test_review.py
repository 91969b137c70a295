"""`make refresh` and `make diff` (reactions.review): a committed notebook stores findings only,
and a diff shows only findings that moved. Text nbval's sanitize file replaces (object
addresses, the data version) is stored replaced and never shows as moved; the footer's record
keeps no data version; a table shows as its rows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pandas as pd

from reactions.present import Table
from reactions.review import clean, moved_findings, sanitizers
from support.notebooks import tiny_page
from support.paths import DATA, ROOT

VOLATILE = sanitizers(ROOT / "notebooks" / "sanitize.cfg")
FOOTER = "story: ukraine\ndata version: {version} (sha256 of statements.csv)\nchart {address}"
FOOTER_HTML = "<dd><code>{version}</code> (sha256 of statements.csv)</dd>"


def footer_output(version: str, address: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "execute_result",
        {
            "text/plain": FOOTER.format(version=version, address=address),
            "text/html": FOOTER_HTML.format(version=version),
        },
        metadata={"reactions": {"provenance": {"story": "ukraine", "data_version": version}}},
    )


def notebook(headline: str, version: str, address: str, *tables) -> nbformat.NotebookNode:
    page = nbformat.v4.new_notebook()
    headline_output = nbformat.v4.new_output("execute_result", {"text/plain": headline})
    page.cells.append(nbformat.v4.new_code_cell("brief.headline(page)", outputs=[headline_output]))
    for table in tables:
        data, metadata = table._repr_mimebundle_()
        shown = nbformat.v4.new_output("execute_result", data, metadata=metadata)
        page.cells.append(nbformat.v4.new_code_cell("brief.groups(page)", outputs=[shown]))
    footer = footer_output(version, address)
    page.cells.append(nbformat.v4.new_code_cell("brief.provenance(page)", outputs=[footer]))
    return page


def test_a_committed_notebook_stores_no_data_version_and_no_address():
    page = clean(notebook("Belarus is ambiguous.", "1a2b3c4d5e6f", "at 0x7f00aa"), VOLATILE)
    footer = page.cells[-1].outputs[0]
    assert footer.data["text/plain"] == (
        "story: ukraine\ndata version: DATA-VERSION (sha256 of statements.csv)\nchart at 0xADDRESS"
    )
    assert (
        footer.data["text/html"] == "<dd><code>DATA-VERSION</code> (sha256 of statements.csv)</dd>"
    )
    assert footer.metadata == {"reactions": {"provenance": {"story": "ukraine"}}}
    assert page.cells[0].outputs[0].data["text/plain"] == "Belarus is ambiguous."


def test_a_new_data_version_and_object_addresses_never_show_as_moved():
    before = notebook("Belarus is ambiguous.", "1a2b3c4d5e6f", "at 0x7f00aa")
    after = notebook("Belarus is ambiguous.", "99aa88bb77cc", "at 0x7f00bb")
    assert moved_findings(before, after, VOLATILE) == []
    assert moved_findings(before, after) == [  # without the sanitizers both move
        "@@ brief.provenance(page)",
        "-" + FOOTER.format(version="1a2b3c4d5e6f", address="at 0x7f00aa").splitlines()[1],
        "-" + FOOTER.format(version="1a2b3c4d5e6f", address="at 0x7f00aa").splitlines()[2],
        "+" + FOOTER.format(version="99aa88bb77cc", address="at 0x7f00bb").splitlines()[1],
        "+" + FOOTER.format(version="99aa88bb77cc", address="at 0x7f00bb").splitlines()[2],
    ]


def test_a_moved_finding_shows_as_its_sentence_and_a_table_as_its_rows():
    groups = pd.DataFrame({"group": ["EU", "CSTO"], "rejecting": [27, 1]})
    moved = groups.assign(rejecting=[27, 2])
    before = notebook("Belarus is ambiguous.", "1a2b3c4d5e6f", "", Table(groups, "groups"))
    after = notebook("Belarus rejects.", "99aa88bb77cc", "", Table(moved, "groups"))
    assert moved_findings(before, after, VOLATILE) == [
        "@@ brief.headline(page)",
        "-Belarus is ambiguous.",
        "+Belarus rejects.",
        "@@ brief.groups(page)",
        "-CSTO,1",
        "+CSTO,2",
    ]


def refresh(*paths) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reactions.review", "refresh", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"PYTHONWARNINGS": "default"},
        check=False,
    )


def test_make_refresh_stores_outputs_through_the_render_engine_and_keeps_a_failed_notebook(
    tmp_path,
):
    """`make refresh` runs each notebook with its defaults through papermill's `reactions`
    engine (no parameters injected, a kernel over IPC: no TCP warning), stores it cleaned,
    and leaves a notebook whose cell fails exactly as it was, saying which."""
    shutil.copy(ROOT / "notebooks" / "sanitize.cfg", tmp_path / "sanitize.cfg")
    good = tiny_page(tmp_path, "print(f'actor={actor!r}'); object()", name="good")
    bad = tiny_page(tmp_path, "raise ValueError('no such actor')", name="bad")
    bad_before = bad.read_bytes()
    result = refresh(good, bad)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"{good}: refreshed",
        f"{bad}: cell 2 failed: ValueError: no such actor",
        f"{bad}: left as it was",
    ]
    assert "TCP" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert bad.read_bytes() == bad_before
    stored = nbformat.read(good, as_version=4)
    assert len(stored.cells) == 3  # no parameters injected: the notebook's own defaults
    assert stored.cells[0].metadata["tags"] == ["parameters"]
    outputs = stored.cells[1].outputs
    assert outputs[0].text == "actor=''\n"
    assert outputs[1].data["text/plain"].endswith(" at 0xADDRESS>")  # stored as nbval sees it
    assert "papermill" not in stored.metadata
    assert all(
        "papermill" not in cell.metadata and "execution" not in cell.metadata
        for cell in stored.cells
    )


def test_one_recoded_stance_moves_fewer_than_40_notebook_lines_and_no_provenance(tmp_path):
    """The issue's measure: kazakhstan-recognition-2022-09-26-smadiyarov recoded from implicit
    to explicit rejection, then `make refresh`: the three committed notebooks move 35 lines,
    every one a finding (title, headline, a kappa sentence, three charts, table rows, a row
    count), none of provenance or metadata."""
    data = shutil.copytree(DATA, tmp_path / DATA.name)
    statements = (data / "statements.csv").read_text(encoding="utf-8")
    row = "kazakhstan-recognition-2022-09-26-smadiyarov,"
    start = statements.index(row)
    line = statements[start : statements.index("\n", start)]
    assert ",recognition,implicit_rejection," in line
    recoded = line.replace(",recognition,implicit_rejection,", ",recognition,explicit_rejection,")
    (data / "statements.csv").write_text(statements.replace(line, recoded), encoding="utf-8")
    notebooks = shutil.copytree(
        ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns("*.html")
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reactions.review",
            "refresh",
            *sorted(map(str, notebooks.glob("*.ipynb"))),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"REACTIONS_DATA": str(data)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    moved = []  # as git counts them (what a reviewer's diff shows)
    for path in sorted(notebooks.glob("*.ipynb")):
        diff = subprocess.run(
            [
                "git",
                "diff",
                "--no-index",
                "--no-color",
                "-U0",
                str(ROOT / "notebooks" / path.name),
                str(path),
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        moved += [
            line
            for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
    assert len(moved) == 35, "\n".join(line[:160] for line in moved)
    volatile = ("data version", "data_version", "DATA-VERSION", "commit", "rendered", '"metadata"')
    assert [line for line in moved if any(word in line for word in volatile)] == []
    assert sum("<svg" in line for line in moved) == 6  # three charts, each one line
