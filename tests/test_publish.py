"""Scheduled publishing: schedule checks, isolated failures, atomic publish, index, lock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pytest
from filelock import FileLock

from conftest import DATA, ROOT, notebook_with, publish_cli
from reactions.cli import main
from reactions.dataset import load_dataset
from reactions.errors import ScheduleError
from reactions.html import external_resources, render_index
from reactions.publish import LOCK_NAME, load_schedule


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA)


def schedule_problems(tmp_path: Path, data, text: str) -> list:
    path = tmp_path / "schedule.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScheduleError) as raised:
        load_schedule(path, data)
    return raised.value.problems


def test_default_schedule_is_valid(data):
    schedule = load_schedule(ROOT / "schedule.yml", data)
    stems = [job.stem for job in schedule.jobs]
    assert "belarus-recognition-2022-09-26" in stems
    assert "comparison.all.all.2022-10-31" in stems
    assert len(stems) == len(set(stems))


def test_matrix_expands_and_today_is_allowed(tmp_path, data):
    path = tmp_path / "schedule.yml"
    path.write_text(
        "matrix:\n  actors: [belarus, serbia]\n  issues: recognition\n"
        "  as_of: [2022-09-26, today]\n",
        encoding="utf-8",
    )
    schedule = load_schedule(path, data, today=dt.date(2026, 11, 25))
    assert sorted(job.stem for job in schedule.jobs) == [
        "belarus-recognition-2022-09-26",
        "belarus-recognition-2026-11-25",
        "serbia-recognition-2022-09-26",
        "serbia-recognition-2026-11-25",
    ]


@pytest.mark.parametrize(
    ("text", "line", "key", "rule"),
    [
        (
            "briefs:\n  - actor: belarus\n    issue: recognition\n    asof: 2022-09-26\n",
            4,
            "asof",
            "unknown key",
        ),
        ("briefs:\n  - actor: belarus\n    issue: recognition\n", 2, "as_of", "required key"),
        (
            "briefs:\n  - actor: belarusia\n    issue: recognition\n    as_of: 2022-09-26\n",
            2,
            "actor",
            "unknown actor 'belarusia'",
        ),
        (
            "briefs:\n  - actor: belarus\n    issue: recognition\n    as_of: 2022-02-30\n",
            2,
            "actor",
            "bad as-of date",
        ),
        ("brief:\n  - actor: belarus\n", 1, "brief", "unknown key"),
        ("timeout: soon\nbriefs: []\n", 1, "timeout", "whole number"),
        (
            "comparisons:\n  - as_of: 2022-10-31\n    group: allies\n",
            2,
            "comparisons",
            "unknown group",
        ),
        ("briefs: [unclosed\n", 2, None, "valid UTF-8 YAML"),
    ],
)
def test_bad_schedule_names_line_and_key(tmp_path, data, text, line, key, rule):
    problems = schedule_problems(tmp_path, data, text)
    assert any(p.line == line and p.column == key and rule in p.rule for p in problems), problems


def test_bad_schedule_exits_2_before_anything_runs(tmp_path, capsys):
    path = tmp_path / "schedule.yml"
    path.write_text(
        "briefs:\n  - actor: nowhere\n    issue: recognition\n    as_of: 2022-09-26\n",
        encoding="utf-8",
    )
    out = tmp_path / "report"
    assert main(["publish", "--schedule", str(path), "--out", str(out)]) == 2
    assert "schedule.yml:2: column 'actor'" in capsys.readouterr().err
    assert not out.exists()


def test_index_escapes_and_is_offline():
    html = render_index(
        [
            {
                "file": "a<b>.html",
                "actor": "<script>alert(1)</script>",
                "issue": "recognition",
                "as_of": "2022-09-26",
                "compare_to": "",
                "rendered": "2026-11-25 00:00:00",
                "seconds": "1.0",
            }
        ]
    )
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="a%3Cb%3E.html"' in html
    assert external_resources(html) == []


@pytest.fixture(scope="module")
def failing_publish(tmp_path_factory):
    """Publish three briefs with --jobs 2 where Serbia's notebook raises mid-run."""
    root = tmp_path_factory.mktemp("publish")
    notebooks = notebook_with(
        root, 'raise RuntimeError("made to fail while it runs")', only_for="serbia"
    )
    out = root / "report"
    out.mkdir()
    last_good = out / "serbia-recognition-2022-10-31.html"
    last_good.write_text("<p>last good brief</p>", encoding="utf-8")
    schedule = (
        "matrix:\n  actors: [belarus, serbia, kazakhstan]\n"
        "  issues: [recognition]\n  as_of: 2022-10-31\n"
    )
    code = publish_cli(root, schedule, out, notebooks)
    return code, out


def test_one_failure_never_stops_the_others(failing_publish):
    code, out = failing_publish
    assert code == 1
    for actor in ("belarus", "kazakhstan"):
        assert (out / f"{actor}-recognition-2022-10-31.html").exists()
        assert (out / f"{actor}-recognition-2022-10-31-chart-1.svg").exists()
        assert (out / f"{actor}-recognition-2022-10-31-chart-1.png").exists()


def test_failed_brief_keeps_last_good_copy_and_its_error_notebook(failing_publish):
    _, out = failing_publish
    assert (out / "serbia-recognition-2022-10-31.html").read_text() == "<p>last good brief</p>"
    failed = nbformat.read(out / "_failed" / "serbia-recognition-2022-10-31.ipynb", as_version=4)
    assert any(
        output.get("evalue") == "made to fail while it runs"
        for cell in failed.cells
        for output in cell.get("outputs", [])
    )
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_index_lists_every_published_brief(failing_publish):
    _, out = failing_publish
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="belarus-recognition-2022-10-31.html"' in index
    assert 'href="kazakhstan-recognition-2022-10-31.html"' in index
    assert "serbia-recognition-2022-10-31.html" not in index  # no executed notebook beside it
    assert external_resources(index) == []


def test_second_publish_on_a_locked_report_stops_with_a_clear_message(tmp_path, capsys):
    out = tmp_path / "report"
    out.mkdir()
    with FileLock(str(out / LOCK_NAME)):
        code = main(["publish", "--schedule", str(ROOT / "schedule.yml"), "--out", str(out)])
    assert code == 1
    assert "another publish run holds" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
