"""`make refresh` and `make diff` (reactions.review): a committed notebook stores findings only,
and a diff shows only findings that moved. Text nbval's sanitize file replaces (object
addresses, the data version) is stored replaced and never shows as moved; the footer's record
keeps no data version; a table shows as its rows."""

from __future__ import annotations

import nbformat
import pandas as pd

from reactions.present import Table
from reactions.review import clean, moved_findings, sanitizers
from support.paths import ROOT

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
