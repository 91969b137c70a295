"""What changed in a publish run: moves in words, changes.json, history.json (last changed,
corrections), the corrections a page shows, the Atom feed, the index mark."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from reactions.changes import (
    CORRECTIONS_MARK,
    Move,
    PageChange,
    PageFacts,
    Snapshot,
    compare_page,
    compare_snapshots,
    excerpts,
    files_snapshot,
    finding_files,
    finding_moves,
    index_marks,
    last_changed,
    page_corrections,
    page_facts,
    read_findings,
    read_page,
    report_json,
    run_report,
    updated_history,
    with_corrections,
)
from reactions.feed import MAX_ENTRIES, entry_id, read_feed, updated_feed
from reactions.html import external_resources
from reactions.index import render_index
from reactions.provenance import long_date
from reactions.site import Outcome, record_changes
from support.paths import DATA, NOTEBOOKS, STORY
from support.rendering import publish_cli
from test_feed import assert_valid_atom

ATOM = "{http://www.w3.org/2005/Atom}"
RUN = dt.datetime(2026, 11, 25, 6, 0, 3, 412, tzinfo=dt.UTC)
HEADER = "actor,group,stance,score,date,quote (English),source,source_url\n"
KAZAKHSTAN = "Kazakhstan,Non-aligned,{stance},{score},2022-09-26,“We proceed…”,MFA,https://x.kz\n"
SERBIA = "Serbia,Russia's partners,Ambiguous,0,2022-09-27,Words,MFA,https://x.rs\n"


def comparison(stance: str = "Implicit rejection", score: str = "-1", *rows: str) -> str:
    return HEADER + KAZAKHSTAN.format(stance=stance, score=score) + SERBIA + "".join(rows)


# --- moves in words ------------------------------------------------------------------------


def test_a_changed_stance_is_named_with_its_row_and_both_labels():
    before = comparison()
    after = comparison("Explicit rejection", "-2")
    assert finding_moves(before, after) == [
        "Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2"
    ]


def test_a_single_changed_label_reads_as_the_issue_asks():
    before = comparison()
    after = comparison("Explicit rejection", "-1")
    assert finding_moves(before, after) == ["Kazakhstan: Implicit rejection → Explicit rejection"]


def test_rows_added_and_removed_are_named_and_order_alone_is_no_move():
    before = comparison()
    reordered = HEADER + SERBIA + KAZAKHSTAN.format(stance="Implicit rejection", score="-1")
    assert finding_moves(before, reordered) == []
    after = HEADER + SERBIA + "China,Non-aligned,Ambiguous,0,2022-10-12,Words,MFA,https://x.cn\n"
    assert finding_moves(before, after) == ["China: added", "Kazakhstan: removed"]


def test_numbers_are_named_by_their_column_long_cells_only_named_empty_cells_said():
    before = "issue,Explicit rejection,Implicit rejection,note,rejecting\nRecognition,37,12,a,\n"
    after = (
        "issue,Explicit rejection,Implicit rejection,note,rejecting\n"
        f"Recognition,38,11,{'b' * 61},50%\n"
    )
    assert finding_moves(before, after) == [
        "Recognition: Explicit rejection 37 → 38, Implicit rejection 12 → 11; "
        "also note, rejecting changed"
    ]
    before = "actor,words date,words\nOSCE,,\n"
    after = "actor,words date,words\nOSCE,2022-10-01,silent\n"
    assert finding_moves(before, after) == ["OSCE: (empty) → 2022-10-01, (empty) → silent"]
    assert finding_moves("actor,quote\nOSCE,a\n", f"actor,quote\nOSCE,{'q' * 80}\n") == [
        "OSCE: quote changed"
    ]


def test_rows_are_keyed_by_the_fewest_leading_columns_that_tell_them_apart():
    before = (
        "issue,group,actors,median score\n"
        "Recognition,Russia,1,+2\n"
        "Recognition,Non-aligned,4,-1\n"
        "Mobilization,Non-aligned,2,0\n"
    )
    after = before.replace("Recognition,Non-aligned,4,-1", "Recognition,Non-aligned,4,-1.5")
    assert finding_moves(before, after) == ["Recognition / Non-aligned: median score -1 → -1.5"]
    # whole rows repeated: told apart by their order
    twice = "date,issue\n2022-09-21,War\n2022-09-21,War\n"
    assert finding_moves(twice, twice + "2022-09-21,War\n") == ["2022-09-21 / War / #3: added"]


def test_columns_and_tables_added_or_removed_are_moves_too():
    before = "actor,stance\nSerbia,Ambiguous\n"
    after = "actor,stance,vote\nSerbia,Ambiguous,abstain\n"
    assert finding_moves(before, after) == ["columns added: vote"]
    assert finding_moves(after, before) == ["columns removed: vote"]
    assert finding_moves(None, after) == ["table added (1 row)"]
    assert finding_moves(after, None) == ["table removed"]
    assert finding_moves(after, after) == []
    assert finding_moves('a,b\n"x,1\n', "a,b\nx,1\n") == ["changed (not readable as a table)"]


def test_a_page_is_new_changed_or_unchanged_and_its_summary_is_short():
    findings = {"comparison": comparison(), "groups": "group,actors\nNon-aligned,4\n"}
    assert compare_page("p", None, findings) == PageChange("p", "new")
    assert compare_page("p", findings, dict(findings)) == PageChange("p", "unchanged")
    moved = findings | {
        "comparison": comparison("Explicit rejection", "-2"),
        "groups": "group,actors\nNon-aligned,5\n",
        "coverage": "issue,actors\nRecognition,35\n",
    }
    change = compare_page("p", findings, moved)
    assert change.status == "changed"
    assert change.moves == (  # the findings that count first, coverage counts last
        Move("comparison", "Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2"),
        Move("groups", "Non-aligned: actors 4 → 5"),
        Move("coverage", "table added (1 row)"),
    )
    assert change.summary() == (
        "Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2 (and 2 more)"
    )


def test_a_page_s_findings_are_its_own_csvs_not_a_longer_page_s(tmp_path):
    stem = f"{STORY}.brief.belarus.recognition.2022-10-31"
    names = [
        f"{stem}.comparison.csv",
        f"{stem}.since-2022-09-26.comparison.csv",  # another page
        f"{stem}-chart-1.svg",
        f"{stem}.html",
    ]
    assert finding_files(stem, names) == {f"{stem}.comparison.csv": "comparison"}
    assert read_findings(tmp_path, stem) is None  # not published: a first publish is "new"
    for name in names:
        (tmp_path / name).write_text("a,b\n1,2\n", encoding="utf-8")
    assert read_findings(tmp_path, stem) == {"comparison": "a,b\n1,2\n"}


def test_changes_json_describes_the_run():
    changes = [
        PageChange("b", "changed", tuple(Move("m", f"row {n}: added") for n in range(14))),
        PageChange("a", "new"),
        PageChange("c", "unchanged"),
        PageChange("d", "unchanged"),
    ]
    report = json.loads(report_json(run_report(RUN, changes, ["e"])))
    assert report == {
        "run": "2026-11-25T06:00:03Z",
        "changed": [
            {
                "page": "b",
                "file": "b.html",
                "title": "",
                "summary": "row 0: added (and 13 more)",
                "headline": None,
                "title_changed": None,
                "correction": None,
                "moves": [{"finding": "m", "move": f"row {n}: added"} for n in range(12)],
                "more": 2,
            }
        ],
        "new": ["a"],
        "recounted": [],
        "unchanged": 2,
        "failed": ["e"],
    }


# --- what counts: coverage counts, the title, the headline, the data version -----------------

COVERAGE = "issue,Explicit rejection,Implicit rejection,actors\nRecognition,{}\nWar,{}\n"
LEDE = (
    "As of 26 September 2022, Belarus's position on recognition is ambiguous (0). Among "
    "Kazakhstan, Serbia and South Ossetia, Belarus stands between Kazakhstan ({}), below, and "
    "South Ossetia (implicit support, +1), above. On its latest occasion, Belarus did not address "
    "recognition. Within its group, 4 actors: {}: Kazakhstan; ambiguous (0): Belarus; no "
    "statement on record: Armenia and Tajikistan."
)
BEFORE = PageFacts(
    "Belarus hedges as Kazakhstan implicitly rejects it",
    LEDE.format("implicit rejection, -1", "implicit rejection (-1)"),
    "9fa7b969c7b7",
)
AFTER = PageFacts(
    "Belarus hedges as Kazakhstan rejects it",
    LEDE.format("explicit rejection, -2", "explicit rejection (-2)"),
    "0123456789ab",
)


def test_coverage_counts_alone_are_no_change_and_beside_others_one_line():
    before = {"comparison": comparison(), "coverage": COVERAGE.format("37,12,30", "20,5,18")}
    recounted = before | {"coverage": COVERAGE.format("38,11,30", "21,4,18")}
    change = compare_page("p", before, recounted)
    assert change.status == "recounted"  # counts of what is on record: not a finding that moved
    assert change.moves == (Move("coverage", "counts moved in 2 rows"),)
    moved = recounted | {"comparison": comparison("Explicit rejection", "-2")}
    change = compare_page("p", before, moved)
    assert change.status == "changed"
    assert [move.text for move in change.moves] == [
        "Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2",
        "counts moved in 2 rows",
    ]
    report = run_report(RUN, [compare_page("q", before, recounted), change])
    assert report["recounted"] == ["q"] and [p["page"] for p in report["changed"]] == ["p"]


def test_a_moved_headline_or_title_is_a_change_and_a_changed_data_version_a_correction():
    findings = {"comparison": comparison()}
    same_data = PageFacts(AFTER.title, AFTER.headline, BEFORE.data_version)
    change = compare_snapshots("p", Snapshot(findings, BEFORE), Snapshot(findings, same_data))
    assert change.status == "changed" and change.moves == ()
    assert change.headline == (BEFORE.headline, AFTER.headline)
    assert change.retitled == (BEFORE.title, AFTER.title)
    assert change.title == AFTER.title and not change.correction
    assert change.summary() == "Headline changed"
    moved = {"comparison": comparison("Explicit rejection", "-2")}
    change = compare_snapshots("p", Snapshot(findings, BEFORE), Snapshot(moved, AFTER))
    assert change.correction and change.data_version == ("9fa7b969c7b7", "0123456789ab")
    assert change.summary() == (
        "Headline changed; Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2"
    )
    # the data changed but nothing the page says moved: no change, so no correction
    new_data = PageFacts(BEFORE.title, BEFORE.headline, "0" * 12)
    quiet = compare_snapshots("p", Snapshot(findings, BEFORE), Snapshot(findings, new_data))
    assert quiet.status == "unchanged" and not quiet.correction
    # an unreadable notebook (no facts) moves nothing: only what both versions say is compared
    blind = compare_snapshots("p", Snapshot(findings), Snapshot(findings, AFTER))
    assert blind.status == "unchanged" and blind.headline is None and blind.data_version is None
    assert compare_snapshots("p", None, Snapshot(findings, AFTER)) == PageChange(
        "p", "new", title=AFTER.title
    )


def test_a_long_headline_is_cut_to_what_moved_a_short_one_shown_whole():
    before, after = excerpts(BEFORE.headline, AFTER.headline)
    assert before == (  # four words either side of what moved
        "… Belarus stands between Kazakhstan (implicit rejection, -1), below, and South Ossetia "
        "… its group, 4 actors: implicit rejection (-1): Kazakhstan; ambiguous (0): Belarus; …"
    )
    assert after == (
        "… Belarus stands between Kazakhstan (explicit rejection, -2), below, and South Ossetia "
        "… its group, 4 actors: explicit rejection (-2): Kazakhstan; ambiguous (0): Belarus; …"
    )
    assert excerpts(BEFORE.title, AFTER.title) == (BEFORE.title, AFTER.title)


def executed(title: str = "", headline: str = "", version: str = "") -> bytes:
    """An executed notebook as a render publishes it: title, headline, provenance record."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    outputs = []
    for role, text in (("title", title), ("headline", headline)):
        if text:
            outputs.append(
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/plain": text},
                    metadata={"reactions": {"role": role}},
                )
            )
    notebook.cells = [nbformat.v4.new_code_cell("page", outputs=outputs)]
    if version:
        notebook.metadata["reactions"] = {"provenance": {"data_version": version}}
    return nbformat.writes(notebook).encode("utf-8")


def test_a_page_s_facts_come_from_its_executed_notebook_else_its_html_title(tmp_path):
    notebook = executed(AFTER.title, AFTER.headline, AFTER.data_version)
    assert page_facts(notebook) == AFTER
    html = b"<html><head><title>A &amp; B\n page</title></head><body><main></main></body></html>"
    assert page_facts(executed(), lambda: html) == PageFacts("A & B page")
    for odd in (b"{not json", b"[1, 2]", b'{"cells": 3}', b'{"cells": [], "metadata": 1}'):
        assert page_facts(odd, lambda: b"") == PageFacts()
    stem = "s.brief.x"
    files = {
        f"{stem}.html": html,
        f"{stem}.ipynb": notebook,
        f"{stem}.comparison.csv": comparison().encode(),
    }
    snapshot = files_snapshot(stem, files)
    assert snapshot == Snapshot({"comparison": comparison()}, AFTER)
    assert read_page(tmp_path, stem) is None
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    assert read_page(tmp_path, stem) == snapshot


def test_history_remembers_first_publish_last_change_and_corrections(tmp_path):
    findings = {"comparison": comparison()}
    moved = {"comparison": comparison("Explicit rejection", "-2")}
    correction = compare_snapshots("a", Snapshot(findings, BEFORE), Snapshot(moved, AFTER))
    history = updated_history({}, [PageChange("a", "new", on="2026-11-24")], RUN, {"a"})
    assert history == {
        "pages": {"a": {"published": "2026-11-24", "last_changed": None, "corrections": []}}
    }
    later = RUN + dt.timedelta(days=1)
    history = updated_history(history["pages"], [correction], later, {"a", "b"})
    record = history["pages"]["a"]
    assert record["published"] == "2026-11-24" and record["last_changed"] == "2026-11-26"
    (note,) = record["corrections"]
    assert note["date"] == "2026-11-26"
    assert note["data_version"] == {"before": "9fa7b969c7b7", "after": "0123456789ab"}
    assert note["moved"] == [
        f"the title (it was «{BEFORE.title}»)",
        "the headline",
        "comparison: Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2",
    ]
    (tmp_path / "history.json").write_text(json.dumps(history), encoding="utf-8")
    assert last_changed(tmp_path, "a") == "2026-11-26"
    assert last_changed(tmp_path, "b") is None  # published before any record: none
    assert page_corrections(tmp_path, "a") == [note]
    # a recount or nothing moving keeps the date; a page no longer published is forgotten
    kept = updated_history(history["pages"], [PageChange("a", "recounted")], later, {"a"})
    assert kept == history
    assert updated_history(history["pages"], [], later, set()) == {"pages": {}}
    (tmp_path / "history.json").write_text("[1,", encoding="utf-8")
    assert last_changed(tmp_path, "a") is None and page_corrections(tmp_path, "a") == []


PAGE = (
    b"<html><head><style>main::before { content: '<main>' }</style></head><body><main>"
    + CORRECTIONS_MARK.encode()
    + b"<h1>Title</h1></main></body></html>"
)


def test_corrections_replace_the_page_s_placeholder_dated_escaped_newest_first():
    first = {
        "date": "2026-11-25",
        "data_version": {"before": "aaa", "after": "bbb"},
        "moved": ["the headline", "comparison: <b>Kazakhstan</b> & co"],
        "more": 0,
    }
    second = first | {"date": "2026-12-01", "moved": ["a", "b", "c", "d"], "more": 2}
    assert with_corrections(PAGE, []) == PAGE
    page = with_corrections(PAGE, [first, second]).decode()
    assert CORRECTIONS_MARK not in page and "<b>Kazakhstan</b>" not in page
    assert page.index('<section id="corrections"') > page.index("<body>")
    assert page.count("<p class=") == 2 and page.index("2026-12-01") < page.index("2026-11-25")
    assert (
        '<p class="correction"><strong>Correction, <time datetime="2026-11-25">25 November 2026'
        "</time>:</strong> The data behind this page were corrected (data version aaa → bbb), "
        "which moved the headline; comparison: &lt;b&gt;Kazakhstan&lt;/b&gt; &amp; co.</p>"
    ) in page
    assert "which moved a; b; c (and 3 more).</p>" in page
    # a page made without the placeholder: right after <main> (the body's, not the styles')
    bare = PAGE.replace(CORRECTIONS_MARK.encode(), b"")
    assert b'<main><section id="corrections"' in with_corrections(bare, [first])
    assert with_corrections(b"<html><body>no main</body></html>", [first]).count(b"section") == 0


# --- the feed -------------------------------------------------------------------------------

HOSTILE = PageChange(
    f"{STORY}.brief.belarus.recognition.2022-09-26",
    "changed",
    (Move("<groups>", 'A&B <script>alert("x")</script>: \x01 → "q"'),),
    title='Belarus & <b>"Serbia"</b>',
)


def entries(feed: bytes) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(feed)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author/" + ATOM + "name"):
        assert root.findtext(ATOM + required), required
    return root.findall(f"{ATOM}entry")


def test_the_feed_escapes_hostile_text_and_carries_what_atom_requires(tmp_path):
    feed = updated_feed(None, [HOSTILE, PageChange("x", "unchanged")], RUN, tmp_path)
    assert feed is not None
    assert b"<script>" not in feed and b"\x01" not in feed
    (entry,) = entries(feed)
    assert entry.findtext(f"{ATOM}id") == entry_id(HOSTILE.stem, RUN)
    assert entry.findtext(f"{ATOM}id") == entry_id(HOSTILE.stem, RUN + dt.timedelta(0, 0, 5))
    assert entry.findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert entry.findtext(f"{ATOM}title") == 'Belarus & <b>"Serbia"</b>'  # the page's title
    assert entry.findtext(f"{ATOM}updated") == "2026-11-25T06:00:03+00:00"
    # relative without a base URL: the pages live beside the feed. feedgen 1.0.0 writes an
    # entry's link without its rel, which Atom reads as "alternate" anyway
    link = entry.find(f"{ATOM}link")
    assert link.get("href") == f"{HOSTILE.stem}.html"
    assert link.get("rel", "alternate") == "alternate"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == (
        '<ul><li><b>&lt;groups&gt;</b>: A&amp;B &lt;script&gt;alert("x")'
        '&lt;/script&gt;: \ufffd → "q"</li></ul>'
    )
    # a page without a title output or an HTML title is named by its file's stem
    untitled = PageChange("s.brief.a", "changed", (Move("m", "x: added"),))
    (entry,) = entries(updated_feed(None, [untitled], RUN, tmp_path))
    assert entry.findtext(f"{ATOM}title") == "s.brief.a"


def test_an_entry_says_first_that_the_headline_moved_then_the_title_then_the_correction(tmp_path):
    moved = {"comparison": comparison("Explicit rejection", "-2")}
    change = compare_snapshots(
        "s.brief.a", Snapshot({"comparison": comparison()}, BEFORE), Snapshot(moved, AFTER)
    )
    change = dataclasses.replace(change, on="2026-11-25")
    (entry,) = entries(updated_feed(None, [change], RUN, tmp_path))
    assert entry.findtext(f"{ATOM}title") == AFTER.title
    old, new = excerpts(BEFORE.headline, AFTER.headline)
    paragraphs = entry.findtext(f"{ATOM}content").split("</p>")
    assert paragraphs[0] == f"<p><b>Headline changed:</b> «{old}» → «{new}»"
    assert paragraphs[1] == f"<p><b>Title changed:</b> «{BEFORE.title}» → «{AFTER.title}»"
    assert paragraphs[2] == (
        "<p><b>Correction, 25 November 2026:</b> the data behind this page were corrected "
        "(data version 9fa7b969c7b7 → 0123456789ab); the page carries this correction."
    )
    assert paragraphs[3].startswith("<ul><li><b>comparison</b>: Kazakhstan: ")
    terms = [node.get("term") for node in entry.findall(f"{ATOM}category")]
    assert terms == ["s", "correction"]


def test_the_feed_accumulates_newest_first_keeps_its_id_and_is_capped(tmp_path):
    first = updated_feed(None, [PageChange("new-page", "new", title="A new page")], RUN, tmp_path)
    (published,) = entries(first)  # a first publish: one entry, the site and its pages
    assert published.findtext(f"{ATOM}title") == "Site first published: 1 page"
    assert published.find(f"{ATOM}link").get("href") == "index.html"
    assert published.findtext(f"{ATOM}content") == (
        '<ul><li><a href="new-page.html">A new page</a></li></ul>'
    )
    identifier, _ = read_feed(first)
    assert updated_feed(first, [PageChange("p", "unchanged")], RUN, tmp_path) is None
    assert updated_feed(first, [PageChange("p", "recounted")], RUN, tmp_path) is None
    feed = first
    for day in range(MAX_ENTRIES + 3):
        run = RUN + dt.timedelta(days=day)
        change = PageChange(f"page-{day}", "changed", (Move("m", f"row {day}: added"),))
        feed = updated_feed(feed, [change], run, tmp_path)
    kept_id, kept = read_feed(feed)
    assert kept_id == identifier
    assert len(kept) == MAX_ENTRIES
    assert [entry.title for entry in kept[:2]] == [
        f"page-{MAX_ENTRIES + 2}",
        f"page-{MAX_ENTRIES + 1}",
    ]
    root = ElementTree.fromstring(feed)
    assert root.findtext(f"{ATOM}updated") == kept[0].updated.isoformat()
    # pages published later are one entry of their run, after its changes
    later = RUN + dt.timedelta(days=MAX_ENTRIES + 3)
    more = [PageChange("b", "new", title="B"), PageChange("c", "new"), HOSTILE]
    _, kept = read_feed(updated_feed(feed, more, later, tmp_path))
    assert [entry.title for entry in kept[:2]] == [HOSTILE.title, "Published: 2 new pages"]
    # an unreadable feed is replaced by a good one rather than stopping the run
    assert entries(updated_feed(b"<feed", [], RUN, tmp_path)) == []


def test_a_run_records_its_changes_and_a_failed_page_changes_nothing(tmp_path):
    moved = PageChange("s.brief.a", "changed", (Move("comparison", "A: x → y"),), title="A")
    outcomes = [
        Outcome("s.brief.a", "published", 1.0, 1, "", moved),
        Outcome("s.brief.b", "failed", 1.0, 1, "it broke"),
        Outcome("s.brief.c", "published", 1.0, 1, "", PageChange("s.brief.c", "new")),
        Outcome("s.brief.d", "cancelled", 0.0, 0, ""),
    ]
    for stem in ("s.brief.a", "s.brief.b", "s.brief.c"):
        (tmp_path / f"{stem}.html").write_text("<html></html>", encoding="utf-8")
    assert record_changes(tmp_path, RUN, outcomes) == [moved, PageChange("s.brief.c", "new")]
    report = json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))
    assert [page["page"] for page in report["changed"]] == ["s.brief.a"]
    assert (report["new"], report["unchanged"], report["failed"]) == (
        ["s.brief.c"],
        0,
        ["s.brief.b"],
    )
    changed, published = entries((tmp_path / "feed.xml").read_bytes())
    assert changed.findtext(f"{ATOM}title") == "A"
    assert published.findtext(f"{ATOM}title") == "Site first published: 1 page"
    history = json.loads((tmp_path / "history.json").read_text(encoding="utf-8"))["pages"]
    assert sorted(history) == ["s.brief.a", "s.brief.c"]  # b failed: it has no record yet
    assert history["s.brief.a"]["last_changed"] == "2026-11-25"
    assert last_changed(tmp_path, "s.brief.a") == "2026-11-25"
    assert not list(tmp_path.glob(".*.tmp"))


# --- the index ------------------------------------------------------------------------------


def index_page(**extra: str) -> dict[str, str]:
    return {
        "file": "s.brief.x.html",
        "story": "s",
        "page": "brief",
        "parameters": "",
        "rendered": "",
        "seconds": "1.0",
    } | extra


def test_the_index_marks_changed_and_new_pages_in_words_escaped():
    html = render_index(
        [
            index_page(status="changed", changed='<img src=x onerror="alert(1)"> & more'),
            index_page(file="s.brief.y.html", status="new", changed=""),
            index_page(file="s.brief.z.html", status="", changed=""),
        ]
    )
    assert "<img" not in html
    assert "<mark>changed</mark> &lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; more" in html
    assert "<mark>new</mark>" in html
    assert "moved the findings of 1 page and published 1 new page" in html
    assert '<a href="feed.xml">feed.xml</a>' in html
    assert '<p class="moved"><mark>changed</mark>' in html
    assert external_resources(html) == []
    # callers that know of no run (no changes.json) pass no marks: no mark, no link
    plain = render_index([index_page()])
    assert "<mark>" not in plain and "feed.xml" not in plain


def test_index_marks_come_from_the_last_run_s_changes_json(tmp_path):
    assert index_marks(tmp_path) is None
    changes = [PageChange("a", "new"), PageChange("b", "changed", (Move("m", "x: added"),))]
    (tmp_path / "changes.json").write_bytes(report_json(run_report(RUN, changes)))
    assert index_marks(tmp_path) == {"a": ("new", ""), "b": ("changed", "x: added")}
    (tmp_path / "changes.json").write_text("[1, 2", encoding="utf-8")
    assert index_marks(tmp_path) is None


# --- end to end: publish, change one stance, publish again ------------------------------------

BRIEF = "story-copy.brief.belarus.recognition.2022-09-26"
ACTOR = "story-copy.actor.belarus.2022-09-26"
STATEMENT = "kazakhstan-recognition-2022-09-26-smadiyarov,"
MOVE = "Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2"
TITLE_AFTER = (  # the brief's title once Kazakhstan's words are coded an explicit rejection
    "Belarus hedges on recognition of the “referendums” as Kazakhstan and Serbia reject it and "
    "South Ossetia leans toward it"
)


def set_stance(story: Path, before: str, after: str) -> None:
    path = story / "statements.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (number,) = [n for n, line in enumerate(lines) if line.startswith(STATEMENT)]
    assert f",recognition,{before}," in lines[number]
    lines[number] = lines[number].replace(f",recognition,{before},", f",recognition,{after},")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four publish runs of a brief and an actor page over a copy of the default story: the
    first publishes both; then Kazakhstan's stance moves (warm kernels on Dask: two pages, one
    job); then it moves back (one subprocess per page); then nothing moves. Each run's feed,
    changes, history, index and brief page, and the day each run was made."""
    root = tmp_path_factory.mktemp("changes")
    story = root / "story-copy"
    shutil.copytree(DATA, story)
    out = root / "report"
    schedule = (
        "pages:\n"
        f"  - {{notebook: brief, data: {story}, focal_actor: belarus, as_of: 2022-09-26}}\n"
        f"  - {{notebook: actor, data: {story}, actor: belarus, as_of: 2022-09-26}}\n"
    )
    steps = [
        (None, ()),
        (("implicit_rejection", "explicit_rejection"), ("--jobs", "1")),
        (("explicit_rejection", "implicit_rejection"), ("--fresh-kernels",)),
        (None, ()),
    ]
    results = []
    for stance, extra in steps:
        if stance:
            set_stance(story, *stance)
        error = io.StringIO()
        with contextlib.redirect_stderr(error):
            code = publish_cli(root, schedule, out, NOTEBOOKS, *extra)
        assert code == 0, error.getvalue()[-3000:]
        results.append(
            {
                "feed": (out / "feed.xml").read_bytes(),
                "changes": json.loads((out / "changes.json").read_text(encoding="utf-8")),
                "history": json.loads((out / "history.json").read_text(encoding="utf-8")),
                "index": (out / "index.html").read_text(encoding="utf-8"),
                "brief": (out / f"{BRIEF}.html").read_text(encoding="utf-8"),
                "actor": (out / f"{ACTOR}.html").read_text(encoding="utf-8"),
                "day": dt.datetime.now(dt.UTC).date().isoformat(),
            }
        )
    return results


def test_a_first_publish_is_new_pages_and_one_published_entry(runs):
    first = runs[0]
    assert first["changes"]["changed"] == []
    assert first["changes"]["new"] == [ACTOR, BRIEF]
    assert (first["changes"]["unchanged"], first["changes"]["failed"]) == (0, [])
    (entry,) = entries(first["feed"])
    assert entry.findtext(f"{ATOM}title") == "Site first published: 2 pages"
    content = entry.findtext(f"{ATOM}content")
    assert f'<a href="{BRIEF}.html">Belarus hedges on recognition' in content
    assert f'<a href="{ACTOR}.html">' in content
    assert first["index"].count("<mark>new</mark>") == 2
    assert first["history"]["pages"][BRIEF] == {
        "published": first["day"],
        "last_changed": None,
        "corrections": [],
    }
    assert CORRECTIONS_MARK in first["brief"] and 'id="corrections"' not in first["brief"]
    assert "Last changed" not in first["brief"]  # a page that never moved has no such line
    assert_valid_atom(first["feed"])


def test_one_recoded_stance_is_one_entry_titled_with_the_page_headline_first_a_correction(runs):
    second = runs[1]
    entry, _published = entries(second["feed"])
    assert entry.findtext(f"{ATOM}title") == TITLE_AFTER  # the page's title, not its file
    assert entry.find(f"{ATOM}link").get("href") == f"{BRIEF}.html"
    content = entry.findtext(f"{ATOM}content")
    first_line = content.split("</p>")[0]
    assert first_line.startswith("<p><b>Headline changed:</b> «… Belarus stands between")
    assert "Kazakhstan (implicit rejection, -1), below" in first_line
    assert "Kazakhstan and Serbia (explicit rejection, -2), below" in first_line
    assert f"<li><b>comparison</b>: {MOVE}</li>" in content
    assert "<li><b>coverage</b>: counts moved in 1 row</li>" in content  # one line
    assert "correction" in [node.get("term") for node in entry.findall(f"{ATOM}category")]
    assert f"<p><b>Correction, {long_date(second['day'])}:</b> the data behind" in content
    (changed,) = second["changes"]["changed"]
    assert changed["page"] == BRIEF and changed["title"] == TITLE_AFTER
    assert "Kazakhstan (implicit rejection, -1)" in changed["headline"]["before"]
    assert "Kazakhstan and Serbia (explicit rejection, -2)" in changed["headline"]["after"]
    assert changed["title_changed"]["after"] == TITLE_AFTER
    versions = changed["correction"]["data_version"]
    assert changed["correction"]["date"] == second["day"]
    assert versions["before"] != versions["after"] and len(versions["after"]) == 12
    assert [move["finding"] for move in changed["moves"]] == ["comparison", "groups", "coverage"]
    assert changed["moves"][0] == {"finding": "comparison", "move": MOVE}
    assert changed["moves"][2]["move"] == "counts moved in 1 row"
    assert (second["changes"]["new"], second["changes"]["unchanged"]) == ([], 1)
    assert f"<mark>changed</mark> Headline changed; {MOVE} (and 2 more)" in second["index"]
    assert second["index"].count("<mark>") == 1
    # the page says so (written by the client as it published the Dask worker's files)
    assert CORRECTIONS_MARK not in second["brief"]
    assert second["brief"].count('<p class="correction">') == 1
    note = f'<time datetime="{second["day"]}">{long_date(second["day"])}</time>'
    assert note in second["brief"] and "which moved the title (it was «" in second["brief"]
    # the publisher dates the move on the page, above its corrections
    assert f'<p class="last-changed">Last changed {note}</p><section id="corrections"' in (
        second["brief"]
    )
    assert "Last changed" not in second["actor"]  # its findings stayed
    assert second["history"]["pages"][BRIEF]["last_changed"] == second["day"]
    assert second["history"]["pages"][ACTOR]["last_changed"] is None  # its findings stayed
    assert_valid_atom(second["feed"])


def test_the_move_back_is_found_by_fresh_kernels_too_and_the_feed_keeps_both(runs):
    third = runs[2]
    titles = [entry.findtext(f"{ATOM}title") for entry in entries(third["feed"])]
    assert titles == [
        "Belarus hedges on recognition of the “referendums” as Serbia rejects it, Kazakhstan "
        "implicitly rejects it and South Ossetia leans toward it",
        TITLE_AFTER,
        "Site first published: 2 pages",
    ]
    # both corrections on the page, newest first, written after the render by the client
    assert third["brief"].count('<p class="correction">') == 2
    assert third["brief"].count('<p class="last-changed">Last changed') == 1
    assert len(third["history"]["pages"][BRIEF]["corrections"]) == 2


def test_a_run_that_moved_nothing_adds_no_entry(runs):
    third, fourth = runs[2], runs[3]
    assert fourth["feed"] == third["feed"]  # not even rewritten
    assert fourth["changes"]["changed"] == [] and fourth["changes"]["unchanged"] == 2
    assert "<mark>" not in fourth["index"]
    assert "moved the findings of 0 pages" in fourth["index"]
    assert fourth["history"] == third["history"]
    assert fourth["brief"] == third["brief"]  # its corrections stay with it
