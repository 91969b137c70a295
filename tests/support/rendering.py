"""The command line as the tests run it in-process: a brief, a publish run, a copy of a report."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.paths import DATA, NOTEBOOK


def render_cli(
    out: Path,
    *extra: str,
    data: Path = DATA,
    notebook: Path = NOTEBOOK,
    actor: str = "belarus",
    issue: str = "recognition",
    as_of: str = "2022-09-26",
) -> int:
    """`reactions render brief` as the command line runs it (the brief's shortcut flags);
    returns its exit code."""
    from reactions.cli import main

    return main(
        [
            "render",
            "brief",
            "--actor",
            actor,
            "--issue",
            issue,
            "--as-of",
            as_of,
            "--data",
            str(data),
            "--out",
            str(out),
            "--notebook",
            str(notebook),
            *extra,
        ]
    )


def publish_cli(folder: Path, schedule: str, out: Path, notebooks: Path, *extra: str) -> int:
    """`reactions publish --jobs 2` of a schedule written to `folder`; returns its exit code."""
    from reactions.cli import main

    path = folder / "schedule.yml"
    path.write_text(schedule, encoding="utf-8")
    return main(
        [
            "publish",
            "--schedule",
            str(path),
            "--jobs",
            "2",
            "--data",
            str(DATA),
            "--out",
            str(out),
            "--notebooks",
            str(notebooks),
            *extra,
        ]
    )


def copy_report(report: Path, target: Path) -> Path:
    shutil.copytree(report, target)
    return target
