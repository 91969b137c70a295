"""Faults while rendering: a killed kernel, a cell timeout, a failed write, two runs at once.
In every case the last good brief is intact, the reason is said, and the exit code is not 0."""

from __future__ import annotations

import errno
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from conftest import DATA, ROOT, notebook_with, publish_cli, render_cli

STEM = "belarus-recognition-2022-09-26"
LAST_GOOD = b"<p>last good brief</p>"


def report_with_last_good(tmp_path: Path) -> Path:
    out = tmp_path / "report"
    out.mkdir()
    (out / f"{STEM}.html").write_bytes(LAST_GOOD)
    return out


def render(out: Path, notebooks: Path, *extra: str) -> int:
    return render_cli(out, *extra, notebook=notebooks / "brief.ipynb")


def assert_nothing_replaced(out: Path) -> None:
    assert (out / f"{STEM}.html").read_bytes() == LAST_GOOD
    assert not (out / f"{STEM}.ipynb").exists()
    assert not [path for path in out.rglob("*.tmp")]


KILL = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"


def test_killed_kernel(tmp_path, capsys):
    out = report_with_last_good(tmp_path)
    assert render(out, notebook_with(tmp_path, KILL)) == 1
    error = capsys.readouterr().err
    assert "render failed, nothing replaced" in error and "DeadKernelError" in error
    assert_nothing_replaced(out)
    kept = nbformat.read(out / "_failed" / f"{STEM}.ipynb", as_version=4)
    assert "DeadKernelError" in "".join(cell.source for cell in kept.cells)


def test_cell_timeout(tmp_path, capsys):
    out = report_with_last_good(tmp_path)
    notebooks = notebook_with(tmp_path, "import time\ntime.sleep(60)")
    started = time.perf_counter()
    assert render(out, notebooks, "--cell-timeout", "3") == 1
    assert time.perf_counter() - started < 50
    error = capsys.readouterr().err
    assert "CellTimeoutError" in error or "timed out" in error.lower()
    assert_nothing_replaced(out)
    assert (out / "_failed" / f"{STEM}.ipynb").exists()


def test_write_error_while_saving_the_html(tmp_path, capsys, monkeypatch):
    import reactions.render as render_module

    out = report_with_last_good(tmp_path)
    real_mkstemp = render_module.tempfile.mkstemp

    def disk_full(*args, **kwargs):
        if kwargs.get("prefix", "").startswith(f".{STEM}.html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(render_module.tempfile, "mkstemp", disk_full)
    assert render(out, ROOT / "notebooks") == 1
    error = capsys.readouterr().err
    assert "No space left on device" in error and "last good brief is unchanged" in error
    assert_nothing_replaced(out)
    assert not list(out.glob(f"{STEM}-chart-*"))  # the parts were not published either


def test_in_a_batch_the_others_still_publish(tmp_path, capsys):
    notebooks = notebook_with(tmp_path, KILL, only_for="serbia")
    out = tmp_path / "report"
    schedule = (
        "matrix:\n  actors: [belarus, serbia]\n  issues: [recognition]\n  as_of: 2022-09-26\n"
    )
    assert publish_cli(tmp_path, schedule, out, notebooks) == 1
    assert (out / f"{STEM}.html").exists()
    assert not (out / "serbia-recognition-2022-09-26.html").exists()
    assert (out / "_failed" / "serbia-recognition-2022-09-26.ipynb").exists()
    assert "DeadKernelError" in capsys.readouterr().err


def test_two_publish_runs_at_once(tmp_path):
    out = tmp_path / "report"
    schedule = tmp_path / "schedule.yml"
    schedule.write_text(
        "briefs:\n  - actor: belarus\n    issue: recognition\n    as_of: 2022-09-26\n",
        encoding="utf-8",
    )
    command = [
        sys.executable,
        "-m",
        "reactions.cli",
        "publish",
        "--schedule",
        str(schedule),
        "--data",
        str(DATA),
        "--out",
        str(out),
        "--notebooks",
        str(ROOT / "notebooks"),
    ]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / ".publish.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    _, first_error = first.communicate(timeout=300)
    assert first.returncode == 0, first_error[-2000:]
    assert second.returncode == 1
    assert "another publish run holds" in second.stderr
    assert (out / f"{STEM}.html").exists()
    assert not list(out.rglob("*.tmp"))
    waiting = subprocess.run(
        [*command, "--lock-timeout", "300"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert waiting.returncode == 0, waiting.stderr[-2000:]


def test_a_page_past_its_timeout_is_killed_and_said(tmp_path, capsys):
    notebooks = notebook_with(tmp_path, "import time\ntime.sleep(120)", only_for="serbia")
    out = tmp_path / "report"
    schedule = (
        "timeout: 20\nmatrix:\n  actors: [belarus, serbia]\n  issues: [recognition]\n"
        "  as_of: 2022-09-26\n"
    )
    started = time.perf_counter()
    assert publish_cli(tmp_path, schedule, out, notebooks) == 1
    assert time.perf_counter() - started < 100
    assert "timeout" in capsys.readouterr().err
    assert (out / f"{STEM}.html").exists()
    kept = nbformat.read(out / "_failed" / "serbia-recognition-2022-09-26.ipynb", as_version=4)
    assert "no result after 20 s; killed" in kept.cells[0].source
    assert not list(out.rglob("*.tmp"))
