"""Scheduled publishing: schedule checks, isolated failures, atomic publish, index, lock."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from reactions.cli import main
from reactions.errors import ScheduleError
from reactions.html import external_resources
from reactions.index import render_index
from reactions.publish import LOCK_NAME
from reactions.schedule import load_schedule
from reactions.site import write_index
from support.dataset import write_dataset
from support.notebooks import notebook_with
from support.paths import BRIEF_STEM, DATA, NOTEBOOKS, ROOT, STORY
from support.rendering import publish_cli


def schedule_problems(tmp_path: Path, text: str) -> list:
    path = tmp_path / "schedule.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleError) as raised:
        load_schedule(path, NOTEBOOKS, DATA)
    return raised.value.problems


def test_default_schedule_is_valid():
    schedule = load_schedule(ROOT / "schedule.yml", NOTEBOOKS, DATA)
    stems = [job.stem for job in schedule.jobs]
    assert f"{STORY}.brief.belarus.recognition.2022-09-26" in stems
    assert f"{STORY}.brief.belarus.recognition.2022-10-31.since-2022-09-26" in stems
    assert f"{STORY}.brief.south-ossetia.war_participation.2022-10-31" in stems
    assert f"{STORY}.compare.all.2022-10-31.all" in stems
    assert f"{STORY}.actor.belarus.2022-10-31" in stems
    # the second story publishes beside the first, its names carrying its slug
    assert "georgia-recognition-2008.brief.belarus.recognition.2008-09-30" in stems
    assert "georgia-recognition-2008.compare.all.2010-12-31.all" in stems
    assert "georgia-recognition-2008.actor.belarus.2008-12-31" in stems  # an as-of of its story
    assert len(stems) == len(set(stems)) == 16
    assert (schedule.timeout, schedule.retries, schedule.cell_timeout) == (300, 2, 0)


def test_a_schedule_reads_each_dataset_once(monkeypatch):
    import reactions.page

    read = []
    load = reactions.page.load_reference
    monkeypatch.setattr(
        reactions.page, "load_reference", lambda folder: read.append(folder) or load(folder)
    )
    schedule = load_schedule(ROOT / "schedule.yml", NOTEBOOKS, DATA)
    assert len(schedule.jobs) == 16
    assert sorted(folder.name for folder in read) == [
        "georgia-recognition-2008",
        "ukraine-annexation-2022",
    ]


def test_matrix_expands_today_is_allowed_and_data_is_per_entry(tmp_path):
    story = write_dataset(tmp_path / "fixture-story")
    path = tmp_path / "schedule.yml"
    path.write_text(
        "pages:\n"
        "  - notebook: brief\n"
        "    issue: recognition\n"
        "    matrix:\n"
        "      focal_actor: [belarus, serbia]\n"
        "      as_of: [2022-09-26, today]\n"
        "  - notebook: actor\n"
        f"    data: {story}\n"
        "    as_of: 2022-09-30\n"
        "    matrix:\n"
        "      actor: [belarus, kazakhstan]\n",
        encoding="utf-8",
    )
    schedule = load_schedule(path, NOTEBOOKS, DATA, today=dt.date(2026, 11, 25))
    assert sorted(job.stem for job in schedule.jobs) == [
        "fixture-story.actor.belarus.2022-09-30",
        "fixture-story.actor.kazakhstan.2022-09-30",
        f"{STORY}.brief.belarus.recognition.2022-09-26",
        f"{STORY}.brief.belarus.recognition.2026-11-25",
        f"{STORY}.brief.serbia.recognition.2022-09-26",
        f"{STORY}.brief.serbia.recognition.2026-11-25",
    ]
    actor_job = next(job for job in schedule.jobs if job.stem.startswith("fixture-story"))
    assert actor_job.notebook == NOTEBOOKS / "actor.ipynb"
    assert actor_job.parameters == {
        "actor": "belarus",
        "as_of": "2022-09-30",
        "data_dir": str(story),
    }
    assert (schedule.timeout, schedule.retries, schedule.cell_timeout) == (600, 2, 0)


@pytest.mark.parametrize(
    ("text", "line", "key", "rule"),
    [
        (
            "pages:\n  - notebook: brief\n    focal_actor: belarus\n    asof: 2022-09-26\n",
            2,
            "notebook",
            "brief: unknown parameter(s) asof; this page takes focal_actor, issue, as_of, "
            "compare_to, compare_with, data_dir",
        ),
        ("pages:\n  - focal_actor: belarus\n", 2, "notebook", "required key is missing"),
        (
            "pages:\n  - notebook: brief\n    focal_actor: belarusia\n",
            2,
            "notebook",
            "focal_actor: unknown actor 'belarusia' (closest: belarus, ",
        ),
        (
            "pages:\n  - notebook: brief\n    as_of: 2022-02-30\n",
            2,
            "notebook",
            "as_of: expected a real date written YYYY-MM-DD (e.g. '2022-09-26'), got '2022-02-30'",
        ),
        (
            "pages:\n  - notebook: brief\n    as_of: 20221031\n",
            2,
            "notebook",
            "as_of: expected a date written YYYY-MM-DD (e.g. '2022-09-26') as text, "
            "got the int 20221031",
        ),
        (
            "pages:\n  - notebook: nosuch\n",
            2,
            "notebook",
            "notebook 'nosuch' not found; pages in",
        ),
        ("page:\n  - notebook: brief\n", 1, "page", "unknown key; use cell_timeout, pages"),
        ("timeout: soon\npages: []\n", 1, "timeout", "must be a whole number from 1 to 604800"),
        (
            "pages:\n  - notebook: actor\nretries: -1\n",
            3,
            "retries",
            "must be a whole number from 0 to 604800",
        ),
        (
            "pages:\n  - notebook: actor\ncell_timeout: 604801\n",
            3,
            "cell_timeout",
            "must be a whole number from 1 to 604800",
        ),
        (
            "pages:\n  - notebook: compare\n    as_of: 2022-10-31\n    group: allies\n",
            2,
            "notebook",
            "group: unknown group 'allies' (closest: all, russia_allies)",
        ),
        ("pages:\n  - notebook: brief\n    matrix: [1]\n", 2, "matrix", "must be a mapping"),
        ("pages: [unclosed\n", 2, None, "valid YAML"),
        ("pages: []\n", 1, None, "the schedule lists no page"),
    ],
)
def test_bad_schedule_names_line_and_key(tmp_path, text, line, key, rule):
    problems = schedule_problems(tmp_path, text)
    assert any(p.line == line and p.column == key and rule in p.rule for p in problems), problems


def test_the_same_page_twice_is_refused(tmp_path):
    problems = schedule_problems(
        tmp_path,
        "pages:\n  - notebook: actor\n    actor: belarus\n  - notebook: actor\n",
    )
    assert [(p.column, p.value, p.rule) for p in problems] == [
        ("pages", f"{STORY}.actor.belarus.2022-09-26", "the same page is scheduled twice")
    ]


@pytest.mark.parametrize("value", ["99999999999999999999", "0"])
def test_an_impossible_timeout_is_refused_with_its_line(tmp_path, capsys, value):
    path = tmp_path / "schedule.yml"
    path.write_text(f"pages:\n  - notebook: actor\ntimeout: {value}\n", encoding="utf-8")
    out = tmp_path / "report"
    code = main(
        [
            *("publish", "--schedule", str(path), "--notebooks", str(NOTEBOOKS)),
            *("--data", str(DATA), "--out", str(out)),
        ]
    )
    assert code == 2
    assert (
        "error: 1 problem(s) in the schedule:\n"
        f"  schedule.yml:3: column 'timeout' must be a whole number from 1 to 604800 "
        f"(value: '{value}')\n"
    ) == capsys.readouterr().err
    assert not out.exists()


def test_bad_schedule_exits_2_before_anything_runs(tmp_path, capsys):
    path = tmp_path / "schedule.yml"
    path.write_text(
        "pages:\n  - notebook: brief\n    focal_actor: nowhere\n    as_of: 2022-09-26\n",
        encoding="utf-8",
    )
    out = tmp_path / "report"
    code = main(
        [
            *("publish", "--schedule", str(path), "--notebooks", str(NOTEBOOKS)),
            *("--data", str(DATA), "--out", str(out)),
        ]
    )
    assert code == 2
    assert (
        "schedule.yml:2: column 'notebook' focal_actor: unknown actor 'nowhere'"
        in capsys.readouterr().err
    )
    assert not out.exists()


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_below_one_exit_2_without_a_lock(tmp_path, capsys, jobs):
    out = tmp_path / "report"
    out.mkdir()
    with pytest.raises(SystemExit) as exited:
        main(
            [
                *("publish", "--schedule", str(ROOT / "schedule.yml"), "--jobs", jobs),
                *("--notebooks", str(NOTEBOOKS), "--data", str(DATA), "--out", str(out)),
            ]
        )
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert f"error: argument --jobs: must be a whole number above 0: '{jobs}'" in error
    assert list(out.iterdir()) == []  # no lock file, nothing else


def test_index_escapes_and_is_offline():
    html = render_index(
        [
            {
                "file": "a<b>.html",
                "story": "<i>story</i>",
                "page": "<script>alert(1)</script>",
                "title": "<img src=x onerror=alert(2)>",
                "label": "<b onclick=alert(3)>",
            }
        ]
    )
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;</a>" in html
    assert "<b " not in html and "&lt;b onclick=alert(3)&gt;" in html
    assert "&lt;i&gt;story&lt;/i&gt;</h2>" in html and "<i>" not in html
    assert 'href="a%3Cb%3E.html"' in html
    assert external_resources(html) == []


class IndexReader(HTMLParser):
    """The index as (story, file, kind of page, label) rows, in page order: the story's heading,
    each page's headline link, the heading of its kind, and what it is in words."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.story = self.kind = ""
        self._text: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("h2", "h3") or (tag == "p" and attributes.get("class") == "page-meta"):
            self._text = []
        if tag == "a" and self._text is None and attributes.get("href", "").endswith(".html"):
            self._href = attributes["href"] or ""

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        text = "".join(self._text or [])
        if tag == "h2":
            self.story = text
        elif tag == "h3":
            self.kind = text.split(" (")[0]
        elif tag == "p" and self._text is not None:
            self.rows.append([self.story, self._href, self.kind, text.split(" · ")[0]])
        if tag in ("h2", "h3", "p"):
            self._text = None


def index_rows(out: Path) -> list[list[str]]:
    reader = IndexReader()
    reader.feed((out / "index.html").read_text(encoding="utf-8"))
    return reader.rows


def test_index_skips_a_broken_notebook_and_lists_the_rest(brief_report, tmp_path, capsys):
    out = tmp_path / "report"
    out.mkdir()
    for suffix in (".html", ".ipynb"):
        source = brief_report / f"{BRIEF_STEM}{suffix}"
        (out / source.name).write_bytes(source.read_bytes())
    truncated = f"{STORY}.brief.serbia.recognition.2022-09-26"
    (out / f"{truncated}.html").write_text("<p>a page</p>", encoding="utf-8")
    notebook = (brief_report / f"{BRIEF_STEM}.ipynb").read_bytes()
    (out / f"{truncated}.ipynb").write_bytes(notebook[: len(notebook) // 2])
    assert write_index(out) == out / "index.html"
    assert f"index: skipped {truncated}.html: " in capsys.readouterr().err
    assert index_rows(out) == [
        [
            TITLE,
            f"{BRIEF_STEM}.html",
            "Briefs",
            "Brief: Belarus, Recognition, 26 September 2022",
        ]
    ]
    assert main(["index", "--out", str(out)]) == 0  # the command too
    assert f"wrote {out / 'index.html'}" in capsys.readouterr().out


TITLE = 'Russia\'s "referendums" and annexation of four regions of Ukraine (2022)'  # its h2
SERBIA = f"{STORY}.brief.serbia.recognition.2022-10-31"
BELARUS = f"{STORY}.brief.belarus.recognition.2022-10-31"
TRUNCATED = f"{STORY}.brief.kazakhstan.recognition.2022-10-31"
ACTORS = ("fixture-story.actor.belarus.2022-09-30", "fixture-story.actor.kazakhstan.2022-09-30")
STALE = f".{BELARUS}.html.x1y2z3.tmp"


@pytest.fixture(scope="module")
def failing_publish(tmp_path_factory):
    """Publish, with --jobs 2, two briefs of the default story (Serbia's raises mid-run) and an
    actor matrix of a second story, into a report holding a last good Serbia brief, a page whose
    notebook is truncated and a staging file left by a killed run."""
    root = tmp_path_factory.mktemp("publish")
    notebooks = notebook_with(
        root, 'raise RuntimeError("made to fail while it runs")', only_for="serbia"
    )
    story = write_dataset(root / "fixture-story")
    out = root / "report"
    out.mkdir()
    (out / f"{SERBIA}.html").write_text("<p>last good brief</p>", encoding="utf-8")
    (out / f"{TRUNCATED}.html").write_text("<p>old page</p>", encoding="utf-8")
    (out / f"{TRUNCATED}.ipynb").write_text('{"cells": [{"cell_type": "mark', encoding="utf-8")
    (out / STALE).write_text("half a page", encoding="utf-8")
    schedule = (
        "pages:\n"
        "  - notebook: brief\n"
        "    issue: recognition\n"
        "    as_of: 2022-10-31\n"
        "    matrix:\n"
        "      focal_actor: [belarus, serbia]\n"
        "  - notebook: actor\n"
        f"    data: {story}\n"
        "    as_of: 2022-09-30\n"
        "    matrix:\n"
        "      actor: [belarus, kazakhstan]\n"
    )
    error = io.StringIO()
    with contextlib.redirect_stderr(error):
        code = publish_cli(root, schedule, out, notebooks)
    return code, out, error.getvalue()


def test_one_failure_never_stops_the_others(failing_publish):
    code, out, error = failing_publish
    assert code == 1
    for stem in (BELARUS, *ACTORS):
        assert (out / f"{stem}.html").exists(), error[-3000:]
        assert (out / f"{stem}.ipynb").exists()
        assert (out / f"{stem}-chart-1.svg").exists()
        assert (out / f"{stem}-chart-1.png").exists()
    assert (out / f"{BELARUS}.comparison.csv").exists()
    assert (out / f"{ACTORS[0]}.history.csv").exists()
    assert "3 published, 1 failed in " in error


def test_failed_page_keeps_last_good_copy_and_its_error_notebook(failing_publish):
    _, out, _ = failing_publish
    assert (out / f"{SERBIA}.html").read_text() == "<p>last good brief</p>"
    assert not list(out.glob(f"{SERBIA}*.csv")) and not list(out.glob(f"{SERBIA}-chart-*"))
    failed = nbformat.read(out / "_failed" / f"{SERBIA}.ipynb", as_version=4)
    assert any(
        output.get("evalue") == "made to fail while it runs"
        for cell in failed.cells
        for output in cell.get("outputs", [])
    )
    assert sorted(path.name for path in (out / "_failed").iterdir()) == [f"{SERBIA}.ipynb"]
    # its sibling links it still: its last good page is there (reactions.site.linkable)
    belarus = (out / f"{BELARUS}.html").read_text(encoding="utf-8")
    header = belarus[belarus.index('<header class="site-header">') : belarus.index("</header>")]
    linked = re.findall(r'href="([^"]+)"', header)
    assert f"{SERBIA}.html" in linked and all((out / name).is_file() for name in linked)


def test_stale_temporaries_are_removed_and_none_are_left(failing_publish):
    _, out, _ = failing_publish
    assert not (out / STALE).exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_index_groups_pages_by_story_and_survives_a_truncated_notebook(failing_publish):
    _, out, error = failing_publish
    assert f"index: skipped {TRUNCATED}.html: " in error
    assert f"index: skipped {SERBIA}.html: " in error  # no executed notebook beside it
    assert index_rows(out) == [  # the default story first
        [TITLE, f"{BELARUS}.html", "Briefs", "Brief: Belarus, Recognition, 31 October 2022"],
        ["fixture-story", f"{ACTORS[0]}.html", "Actors", "Actor: Belarus, 30 September 2022"],
        ["fixture-story", f"{ACTORS[1]}.html", "Actors", "Actor: Kazakhstan, 30 September 2022"],
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{BELARUS}.html"' in index
    assert external_resources(index) == []


def test_second_publish_on_a_locked_report_stops_with_a_clear_message(tmp_path, capsys):
    out = tmp_path / "report"
    out.mkdir()
    staging = out / STALE  # the running publish's staging file: not ours to remove
    staging.write_text("being written", encoding="utf-8")
    with FileLock(str(out / LOCK_NAME)):
        code = main(
            [
                *("publish", "--schedule", str(ROOT / "schedule.yml")),
                *("--notebooks", str(NOTEBOOKS), "--data", str(DATA), "--out", str(out)),
            ]
        )
    assert code == 1
    assert (
        f"error: another publish run holds {out / LOCK_NAME}; nothing was rendered "
        "(try again when it has finished)"
    ) in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted([LOCK_NAME, STALE])
    assert staging.read_text(encoding="utf-8") == "being written"
