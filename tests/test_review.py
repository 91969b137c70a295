"""`make diff` (reactions.review): only findings that moved are shown, never the render time or
the commit a provenance footer carries (the same text nbval's sanitize file replaces)."""

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


FOOTER = "data 1a2b3c4d5e6f; code reactions 0.1.0 ({commit}); rendered: {time} UTC"


def test_render_time_and_commit_never_show_as_moved():
    before = notebook(
        "Belarus is ambiguous.", FOOTER.format(commit="commit abc1234", time="2026-11-25 19:00:00")
    )
    after = notebook(
        "Belarus is ambiguous.",
        FOOTER.format(commit="commit def5678, modified", time="2026-11-26 07:30:12"),
    )
    assert moved_findings(before, after, VOLATILE) == []
    assert moved_findings(before, after) == [  # without the sanitizers the footer moves
        "@@ brief.provenance(page)",
        "-" + FOOTER.format(commit="commit abc1234", time="2026-11-25 19:00:00"),
        "+" + FOOTER.format(commit="commit def5678, modified", time="2026-11-26 07:30:12"),
    ]


def test_a_moved_finding_and_a_new_data_version_show():
    before = notebook(
        "Belarus is ambiguous.", FOOTER.format(commit="commit abc1234", time="2026-11-25 19:00:00")
    )
    after = notebook(
        "Belarus rejects.",
        FOOTER.replace("1a2b3c4d5e6f", "99aa88bb77cc").format(
            commit="commit abc1234", time="2026-11-25 19:00:00"
        ),
    )
    assert moved_findings(before, after, VOLATILE) == [
        "@@ brief.headline(page)",
        "-Belarus is ambiguous.",
        "+Belarus rejects.",
        "@@ brief.provenance(page)",
        "-data 1a2b3c4d5e6f; code reactions 0.1.0 (COMMIT); rendered: RENDER-TIME",
        "+data 99aa88bb77cc; code reactions 0.1.0 (COMMIT); rendered: RENDER-TIME",
    ]
