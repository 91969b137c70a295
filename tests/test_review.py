"""`make diff` (reactions.review): only findings that moved are shown, never text nbval's
sanitize file replaces (object addresses). The kernel's provenance footer holds no commit and no
time (the exporter adds them to published pages only), so a new data version is all it moves."""

from __future__ import annotations

import nbformat

from reactions.review import moved_findings, sanitizers
from support.paths import ROOT

VOLATILE = sanitizers(ROOT / "notebooks" / "sanitize.cfg")


def notebook(headline: str, footer: str) -> nbformat.NotebookNode:
    page = nbformat.v4.new_notebook()
    for source, text in (("brief.headline(page)", headline), ("brief.provenance(page)", footer)):
        output = nbformat.v4.new_output("execute_result", {"text/plain": text})
        page.cells.append(nbformat.v4.new_code_cell(source, outputs=[output]))
    return page


FOOTER = "story ukraine; data version 1a2b3c4d5e6f; a chart object at {address}"


def test_object_addresses_never_show_as_moved():
    before = notebook("Belarus is ambiguous.", FOOTER.format(address="0x7f00aa"))
    after = notebook("Belarus is ambiguous.", FOOTER.format(address="0x7f00bb"))
    assert moved_findings(before, after, VOLATILE) == []
    assert moved_findings(before, after) == [  # without the sanitizers the address moves
        "@@ brief.provenance(page)",
        "-" + FOOTER.format(address="0x7f00aa"),
        "+" + FOOTER.format(address="0x7f00bb"),
    ]


def test_a_moved_finding_and_a_new_data_version_show():
    before = notebook("Belarus is ambiguous.", FOOTER.format(address="0x1"))
    after = notebook(
        "Belarus rejects.", FOOTER.replace("1a2b3c4d5e6f", "99aa88bb77cc").format(address="0x2")
    )
    assert moved_findings(before, after, VOLATILE) == [
        "@@ brief.headline(page)",
        "-Belarus is ambiguous.",
        "+Belarus rejects.",
        "@@ brief.provenance(page)",
        "-story ukraine; data version 1a2b3c4d5e6f; a chart object at 0xADDRESS",
        "+story ukraine; data version 99aa88bb77cc; a chart object at 0xADDRESS",
    ]
