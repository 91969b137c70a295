"""What changed in a publish run: moves in words, changes.json, the Atom feed, the index mark."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from conftest import DATA, NOTEBOOKS, STORY, publish_cli
from reactions.changes import (
    Move,
    PageChange,
    compare_page,
    finding_files,
    finding_moves,
    index_marks,
    read_findings,
    report_json,
    run_report,
)
from reactions.feed import MAX_ENTRIES, entry_id, read_feed, updated_feed
from reactions.html import external_resources
from reactions.index import render_index
from reactions.site import Outcome, record_changes

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
    assert change.moves == (
        Move("comparison", "Kazakhstan: Implicit rejection → Explicit rejection, score -1 → -2"),
        Move("coverage", "table added (1 row)"),
        Move("groups", "Non-aligned: actors 4 → 5"),
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
                "summary": "row 0: added (and 13 more)",
                "moves": [{"finding": "m", "move": f"row {n}: added"} for n in range(12)],
                "more": 2,
            }
        ],
        "new": ["a"],
        "unchanged": 2,
        "failed": ["e"],
    }


# --- the feed -------------------------------------------------------------------------------

HOSTILE = PageChange(
    f"{STORY}.brief.belarus.recognition.2022-09-26",
    "changed",
    (Move("<groups>", 'A&B <script>alert("x")</script>: \x01 → "q"'),),
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
    assert entry.findtext(f"{ATOM}title") == (
        f'{HOSTILE.stem}: A&B <script>alert("x")</script>: \ufffd → "q"'
    )
    assert entry.findtext(f"{ATOM}updated") == "2026-11-25T06:00:03+00:00"
    # relative: the pages live beside the feed. feedgen 1.0.0 writes an entry's link without
    # its rel, which Atom reads as "alternate" anyway
    link = entry.find(f"{ATOM}link")
    assert link.get("href") == f"{HOSTILE.stem}.html"
    assert link.get("rel", "alternate") == "alternate"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == (
        '<ul><li><b>&lt;groups&gt;</b>: A&amp;B &lt;script&gt;alert("x")'
        '&lt;/script&gt;: \ufffd → "q"</li></ul>'
    )


def test_the_feed_accumulates_newest_first_keeps_its_id_and_is_capped(tmp_path):
    first = updated_feed(None, [PageChange("new-page", "new")], RUN, tmp_path)
    assert first is not None and entries(first) == []  # an empty feed to subscribe to
    identifier, _ = read_feed(first)
    assert updated_feed(first, [PageChange("p", "unchanged")], RUN, tmp_path) is None
    feed = first
    for day in range(MAX_ENTRIES + 3):
        run = RUN + dt.timedelta(days=day)
        change = PageChange(f"page-{day}", "changed", (Move("m", f"row {day}: added"),))
        feed = updated_feed(feed, [change], run, tmp_path)
    kept_id, kept = read_feed(feed)
    assert kept_id == identifier
    assert len(kept) == MAX_ENTRIES
    assert [entry.title for entry in kept[:2]] == [
        f"page-{MAX_ENTRIES + 2}: row {MAX_ENTRIES + 2}: added",
        f"page-{MAX_ENTRIES + 1}: row {MAX_ENTRIES + 1}: added",
    ]
    root = ElementTree.fromstring(feed)
    assert root.findtext(f"{ATOM}updated") == kept[0].updated.isoformat()
    # an unreadable feed is replaced by a good one rather than stopping the run
    assert entries(updated_feed(b"<feed", [], RUN, tmp_path)) == []


def test_a_run_records_its_changes_and_a_failed_page_changes_nothing(tmp_path):
    moved = PageChange("s.brief.a", "changed", (Move("comparison", "A: x → y"),))
    outcomes = [
        Outcome("s.brief.a", "published", 1.0, 1, "", moved),
        Outcome("s.brief.b", "failed", 1.0, 1, "it broke"),
        Outcome("s.brief.c", "published", 1.0, 1, "", PageChange("s.brief.c", "new")),
        Outcome("s.brief.d", "cancelled", 0.0, 0, ""),
    ]
    assert record_changes(tmp_path, RUN, outcomes) == [moved, PageChange("s.brief.c", "new")]
    report = json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))
    assert [page["page"] for page in report["changed"]] == ["s.brief.a"]
    assert (report["new"], report["unchanged"], report["failed"]) == (
        ["s.brief.c"],
        0,
        ["s.brief.b"],
    )
    (entry,) = entries((tmp_path / "feed.xml").read_bytes())
    assert entry.findtext(f"{ATOM}title") == "s.brief.a: A: x → y"
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
    first publishes both; then Kazakhstan's stance moves (warm kernels on Dask); then it moves
    back (one subprocess per page); then nothing moves. Each run's feed, changes and index."""
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
        (("implicit_rejection", "explicit_rejection"), ()),
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
                "index": (out / "index.html").read_text(encoding="utf-8"),
            }
        )
    return results


def test_a_first_publish_is_new_pages_and_an_empty_feed(runs):
    first = runs[0]
    assert first["changes"]["changed"] == []
    assert first["changes"]["new"] == [ACTOR, BRIEF]
    assert (first["changes"]["unchanged"], first["changes"]["failed"]) == (0, [])
    assert entries(first["feed"]) == []
    assert first["index"].count("<mark>new</mark>") == 2


def test_one_stance_changed_yields_exactly_one_entry_naming_it(runs):
    second = runs[1]
    (entry,) = entries(second["feed"])
    assert entry.findtext(f"{ATOM}title") == f"{BRIEF}: {MOVE} (and 2 more)"
    assert entry.find(f"{ATOM}link").get("href") == f"{BRIEF}.html"
    assert f"<li><b>comparison</b>: {MOVE}</li>" in entry.findtext(f"{ATOM}content")
    changed = second["changes"]["changed"]
    assert [page["page"] for page in changed] == [BRIEF]
    assert changed[0]["moves"][0] == {"finding": "comparison", "move": MOVE}
    assert [move["finding"] for move in changed[0]["moves"]] == [
        "comparison",
        "coverage",
        "groups",
    ]
    # coverage counts what is on record as of the brief's date (26 September 2022)
    assert changed[0]["moves"][1]["move"].startswith(
        "Recognition: Explicit rejection 11 → 12, Implicit rejection 2 → 1"
    )
    assert (second["changes"]["new"], second["changes"]["unchanged"]) == ([], 1)
    assert f"<mark>changed</mark> {MOVE} (and 2 more)" in second["index"]
    assert second["index"].count("<mark>") == 1


def test_the_move_back_is_found_by_fresh_kernels_too_and_the_feed_keeps_both(runs):
    third = runs[2]
    titles = [entry.findtext(f"{ATOM}title") for entry in entries(third["feed"])]
    assert titles == [
        f"{BRIEF}: Kazakhstan: Explicit rejection → Implicit rejection, score -2 → -1 (and 2 more)",
        f"{BRIEF}: {MOVE} (and 2 more)",
    ]


def test_a_run_that_moved_nothing_adds_no_entry(runs):
    third, fourth = runs[2], runs[3]
    assert fourth["feed"] == third["feed"]  # not even rewritten
    assert fourth["changes"]["changed"] == [] and fourth["changes"]["unchanged"] == 2
    assert "<mark>" not in fourth["index"]
    assert "moved the findings of 0 pages" in fourth["index"]
