"""Faults while rendering: a killed kernel, a cell timeout, a failed write, a dataset refused
inside the kernel, a page past its timeout, an interrupted publish, two runs at once. In every
case the last good page is intact, the reason is said, and the exit code is not 0."""

from __future__ import annotations

import contextlib
import copy
import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from reactions.publish import LOCK_NAME
from support.dataset import STATEMENTS, write_dataset
from support.notebooks import gate, notebook_with, tiny_page
from support.paths import BRIEF_STEM, DATA, NOTEBOOKS, STORY
from support.processes import KernelTrap, deadline, running, wait_for
from support.rendering import publish_cli, render_cli

STEM = BRIEF_STEM
LAST_GOOD = b"<p>last good brief</p>"


def report_with_last_good(tmp_path: Path, stem: str = STEM) -> Path:
    out = tmp_path / "report"
    out.mkdir()
    (out / f"{stem}.html").write_bytes(LAST_GOOD)
    return out


def render(out: Path, notebooks: Path, *extra: str, data: Path = DATA) -> int:
    return render_cli(out, *extra, notebook=notebooks / "brief.ipynb", data=data)


def assert_nothing_replaced(out: Path, stem: str = STEM) -> None:
    assert (out / f"{stem}.html").read_bytes() == LAST_GOOD
    assert sorted(path.name for path in out.iterdir() if path.is_file()) == [f"{stem}.html"]
    assert not list(out.rglob("*.tmp"))


def last_line(error: str) -> str:
    return [line for line in error.splitlines() if "WARNING" not in line][-1]


KILL = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"


def test_killed_kernel(tmp_path, capsys):
    out = report_with_last_good(tmp_path)
    assert render(out, notebook_with(tmp_path, KILL)) == 1
    error = last_line(capsys.readouterr().err)
    assert error.startswith("render failed, nothing replaced: the notebook run failed: ")
    assert "DeadKernelError" in error
    assert error.endswith(f"; the error notebook is {out / '_failed' / f'{STEM}.ipynb'}")
    assert_nothing_replaced(out)
    kept = (out / "_failed" / f"{STEM}.ipynb").read_text(encoding="utf-8")
    nbformat.reads(kept, as_version=4)  # a readable notebook
    assert "DeadKernelError" in kept


def test_cell_timeout(tmp_path, capsys):
    out = report_with_last_good(tmp_path)
    notebooks = notebook_with(tmp_path, "import time\ntime.sleep(600)")
    with deadline(what="a render whose cell passes --cell-timeout 3"):
        assert render(out, notebooks, "--cell-timeout", "3") == 1
    error = capsys.readouterr().err
    reported = error[error.index("render failed, nothing replaced: ") :]
    assert reported.startswith("render failed, nothing replaced: the notebook run failed: ")
    assert "CellTimeoutError" in reported and "timed out" in reported.lower()
    assert reported.rstrip().endswith(
        f"; the error notebook is {out / '_failed' / f'{STEM}.ipynb'}"
    )
    assert_nothing_replaced(out)
    assert (out / "_failed" / f"{STEM}.ipynb").exists()


def test_cell_timeout_must_be_a_positive_number(tmp_path, capsys):
    out = tmp_path / "report"
    try:
        render(out, NOTEBOOKS, "--cell-timeout", "0")
    except SystemExit as exited:
        assert exited.code == 2
    else:
        raise AssertionError("--cell-timeout 0 was accepted")
    assert "argument --cell-timeout: must be a whole number above 0: '0'" in (
        capsys.readouterr().err
    )
    assert not out.exists()


def test_write_error_while_saving_the_html(brief_report, tmp_path, capsys, monkeypatch):
    """The publish step under a full disk: the kernel's run is replayed from a real render."""
    import reactions.render as render_module

    out = report_with_last_good(tmp_path)
    executed = nbformat.read(brief_report / f"{STEM}.ipynb", as_version=4)
    runs = []

    def replay(notebook, output, **options):
        runs.append(options["parameters"])
        return copy.deepcopy(executed)

    monkeypatch.setattr(render_module.papermill, "execute_notebook", replay)
    real_mkstemp = render_module.tempfile.mkstemp

    def disk_full(*args, **kwargs):
        if kwargs.get("prefix", "").startswith(f".{STEM}.html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(render_module.tempfile, "mkstemp", disk_full)
    assert render(out, NOTEBOOKS) == 1
    assert runs and runs[0]["focal_actor"] == "belarus"
    assert last_line(capsys.readouterr().err) == (
        "render failed, nothing replaced: could not write the page ([Errno 28] No space left on "
        "device); the last good page is unchanged"
    )
    assert_nothing_replaced(out)  # neither the parts (charts, CSVs, notebook) nor the page
    monkeypatch.setattr(render_module.tempfile, "mkstemp", real_mkstemp)
    assert render(out, NOTEBOOKS) == 0  # with space again, the same run publishes everything
    assert (out / f"{STEM}.html").read_bytes() != LAST_GOOD
    assert (out / f"{STEM}-chart-2.png").exists() and (out / f"{STEM}.groups.csv").exists()


def test_a_dataset_refused_inside_the_kernel_exits_2(tmp_path, capsys):
    statements = copy.deepcopy(STATEMENTS)
    statements[-1]["stance"] = "maybe"  # only the full validation, in the kernel, sees rows
    data = write_dataset(tmp_path / "fixture-story", statements=statements)
    stem = "fixture-story.brief.belarus.recognition.2022-09-26"
    out = report_with_last_good(tmp_path, stem)
    assert render(out, NOTEBOOKS, data=data) == 2
    error = capsys.readouterr().err
    assert f"error: 1 problem(s) in the dataset:\n  statements.csv:{len(statements) + 1}:" in error
    assert "column 'stance'" in error and "(value: 'maybe')" in error
    assert "render failed" not in error
    assert_nothing_replaced(out, stem)


def tiny_stem(actor: str) -> str:
    return f"{STORY}.tiny.{actor}"


# A publish builds its pages on Dask warm kernels when there are more to build than --jobs
# (three pages, --jobs 2), else each in a fresh kernel in the publishing process itself (three
# pages, --jobs 3): every fault below holds for both.
BUILT = pytest.mark.parametrize("jobs", ["2", "3"], ids=["on dask", "in process"])


def record(folder: Path, name: str, value: str) -> str:
    """Page code that writes `value` (an expression) to the file `name` (an expression) in
    `folder` whole: a test polling for the file never reads it half-written."""
    return (
        f"_path = os.path.join({str(folder)!r}, {name})\n"
        f"with open(_path + '.tmp', 'w') as _file:\n    _file.write(str({value}))\n"
        "os.replace(_path + '.tmp', _path)\n"
    )


@BUILT
def test_a_killed_kernel_and_a_page_past_its_timeout_spare_the_others(tmp_path, capsys, jobs):
    """Serbia's page starts a process and hangs: at the timeout its kernel is killed with its
    process group; Kazakhstan's kills its own kernel (a failure, never retried); Belarus's
    publishes, and Serbia's last good page stays."""
    notebooks, seen = tmp_path / "notebooks", tmp_path / "seen"
    seen.mkdir()
    tiny_page(
        notebooks,
        "import os, signal, subprocess, time\n"
        f"with open({str(seen / 'runs')!r}, 'a') as runs:\n    runs.write(actor + '\\n')\n"
        + record(seen, "actor + '.parent'", "os.getppid()")
        + "if actor == 'serbia':\n"
        "    child = subprocess.Popen(['sleep', '600'])\n"
        + "".join(f"    {line}\n" for line in record(seen, "'child'", "child.pid").splitlines())
        + "    time.sleep(600)\n"
        "if actor == 'kazakhstan':\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    )
    out = report_with_last_good(tmp_path, tiny_stem("serbia"))
    schedule = (
        "timeout: 20\n"
        "pages:\n"
        "  - notebook: tiny\n"
        "    matrix:\n"
        "      actor: [serbia, belarus, kazakhstan]\n"
    )
    with deadline(what="a publish run whose page passes its 20 s timeout"):
        assert publish_cli(tmp_path, schedule, out, notebooks, "--jobs", jobs) == 1
    error = capsys.readouterr().err
    assert "1 published, 2 failed in " in error
    assert "timeout" in error
    assert (out / f"{tiny_stem('belarus')}.html").exists()
    assert (out / f"{tiny_stem('serbia')}.html").read_bytes() == LAST_GOOD
    assert not (out / f"{tiny_stem('kazakhstan')}.html").exists()
    killed = (out / "_failed" / f"{tiny_stem('kazakhstan')}.ipynb").read_text(encoding="utf-8")
    assert "DeadKernelError" in killed
    timed_out = nbformat.read(out / "_failed" / f"{tiny_stem('serbia')}.ipynb", as_version=4)
    assert timed_out.cells[0].source == "**Render failed:** no result after 20 s; killed"
    child = int((seen / "child").read_text())
    wait_for(lambda: not running(child), what="the hung page's own process, killed with it")
    runs = (seen / "runs").read_text().split()
    assert sorted(runs) == ["belarus", "kazakhstan", "serbia"]  # a dead kernel is not retried
    parent = int((seen / "belarus.parent").read_text())  # the process that ran its kernel
    assert (parent == os.getpid()) == (jobs == "3")  # in process: this one (main() here)
    assert not list(out.rglob("*.tmp"))
    assert 'href="ukraine-annexation-2022.tiny.belarus.html"' in (out / "index.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("fresh", [[], ["--fresh-kernels"]], ids=["in process", "subprocess"])
def test_a_kernel_that_does_not_start_is_retried_then_its_page_fails(
    tmp_path, capsys, monkeypatch, fresh
):
    """Retried by the error's type (in process) or the render's exit code 75 (subprocess),
    `retries` times, then the page fails, saying why; the last good page stays."""
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "pass")
    trap = KernelTrap(tmp_path / "trap")
    monkeypatch.setenv("JUPYTER_PATH", trap.environ["JUPYTER_PATH"])
    out = report_with_last_good(tmp_path, tiny_stem("belarus"))
    schedule = "retries: 2\npages:\n  - {notebook: tiny, actor: belarus}\n"
    with deadline(what="a publish run whose kernel never starts"):
        assert publish_cli(tmp_path, schedule, out, notebooks, *fresh) == 1
    error = capsys.readouterr().err
    assert "0 published, 1 failed in " in error
    assert trap.marker.read_text().split() == ["started"] * 3  # the first try and 2 retries
    assert (out / f"{tiny_stem('belarus')}.html").read_bytes() == LAST_GOOD


def publish_command(schedule: Path, out: Path, notebooks: Path, *extra: str) -> list[str]:
    return [
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
        str(notebooks),
        *extra,
    ]


@BUILT
def test_sigterm_kills_the_renders_cancels_the_queue_and_still_indexes(tmp_path, jobs):
    """Every kernel at work is killed with what its page started, no page waiting in the queue
    starts (on Dask two of three run; in process all three), no kernel is left running, and the
    index is written."""
    notebooks = tmp_path / "notebooks"
    pids, children = tmp_path / "pids", tmp_path / "children"
    pids.mkdir()
    children.mkdir()
    tiny_page(
        notebooks,
        "import os, subprocess, time\n"
        + record(children, "actor", "subprocess.Popen(['sleep', '600']).pid")
        + record(pids, "actor", "f'{os.getpid()} {os.getppid()}'")
        + "time.sleep(600)\n",
    )
    out = tmp_path / "report"
    out.mkdir()
    (out / f"{tiny_stem('armenia')}.html").write_bytes(LAST_GOOD)
    (out / f"{tiny_stem('armenia')}.ipynb").write_text(
        nbformat.writes(nbformat.v4.new_notebook()), encoding="utf-8"
    )
    schedule = tmp_path / "schedule.yml"
    schedule.write_text(
        "pages:\n  - notebook: tiny\n    matrix:\n      actor: [belarus, serbia, kazakhstan]\n",
        encoding="utf-8",
    )
    publish = subprocess.Popen(
        publish_command(schedule, out, notebooks, "--jobs", jobs),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    at_work = int(jobs)
    try:
        wait_for(lambda: len(list(pids.iterdir())) == at_work, what=f"{at_work} kernels at work")
        kernels = {path.name: path.read_text().split() for path in pids.iterdir()}
        publish.send_signal(signal.SIGTERM)
        _, error = publish.communicate(timeout=60)
    finally:
        if publish.poll() is None:
            publish.kill()
    assert publish.returncode == 130, error[-2000:]
    assert "interrupted" in error
    started = [int(pid) for pid, _ in kernels.values()]
    started += [int(path.read_text()) for path in children.iterdir()]
    wait_for(lambda: not any(running(pid) for pid in started), what="the killed kernels to end")
    expected = ["belarus", "serbia"] if jobs == "2" else ["belarus", "kazakhstan", "serbia"]
    assert sorted(path.name for path in pids.iterdir()) == expected  # the queue cancelled
    in_process = {int(parent) == publish.pid for _, parent in kernels.values()}
    assert in_process == {jobs == "3"}  # in process: the publish run started each kernel
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{tiny_stem("armenia")}.html"' in index
    assert not (out / LOCK_NAME).exists() or _lock_is_free(out / LOCK_NAME)
    assert not list(out.rglob("*.tmp"))


def _lock_is_free(path: Path) -> bool:
    from filelock import FileLock, Timeout

    try:
        with FileLock(str(path), timeout=0):
            return True
    except Timeout:
        return False


def test_two_publish_runs_at_once(tmp_path):
    notebooks = tmp_path / "notebooks"
    holding, release = tmp_path / "holding", tmp_path / "release"
    tiny_page(
        notebooks,
        "import os\n"
        "if actor == 'belarus':  # the first run holds the lock until the test lets it go\n"
        f"    open({str(holding)!r}, 'w').close()\n"
        + "".join(f"    {line}\n" for line in gate(release).splitlines())
        + "if actor == 'serbia':  # the waiting run renders only once the first has ended\n"
        f"    assert os.path.exists({str(release)!r}), 'rendered while the lock was held'\n",
    )
    out = tmp_path / "report"
    schedule = tmp_path / "schedule.yml"
    schedule.write_text("pages:\n  - notebook: tiny\n    actor: belarus\n", encoding="utf-8")
    later = tmp_path / "later.yml"
    # the site's whole schedule: a page a schedule drops is removed; belarus's is current
    later.write_text(
        "pages:\n  - notebook: tiny\n    matrix:\n      actor: [belarus, serbia]\n",
        encoding="utf-8",
    )
    command = publish_command(schedule, out, notebooks)
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = [first]
    try:
        wait_for(holding.exists, what="the first run rendering, under its lock")
        waiting = subprocess.Popen(
            [*publish_command(later, out, notebooks), "--lock-timeout", "300"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(waiting)
        second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert first.poll() is None  # held at the gate: the second run was refused meanwhile
        # (`waiting` started before `second`, which got as far as the lock and was refused: it
        # waits on the lock by now; had it not waited, its page's assertion fails the run)
        release.touch()
        _, first_error = first.communicate(timeout=300)
        _, waiting_error = waiting.communicate(timeout=300)
    finally:
        release.touch()
        for process in started:
            if process.poll() is None:
                process.kill()
    assert first.returncode == 0, first_error[-2000:]
    assert second.returncode == 1, second.stderr[-2000:]
    assert f"error: another publish run holds {out / LOCK_NAME}; nothing was rendered" in (
        second.stderr
    )
    assert (out / f"{tiny_stem('belarus')}.html").exists()
    assert waiting.returncode == 0, waiting_error[-2000:]  # it waited for the lock, then ran
    assert "2 published, 0 failed in " in waiting_error  # belarus again: its siblings changed
    assert (out / f"{tiny_stem('serbia')}.html").exists()
    assert not list(out.rglob("*.tmp"))


def test_a_publish_run_killed_outright_leaves_no_render_writing(tmp_path):
    """SIGKILL cannot be caught: the renders it started (one subprocess each, --fresh-kernels)
    outlive it, but each refuses to publish once the run that started it is gone."""
    notebooks = tmp_path / "notebooks"
    render_pid, release = tmp_path / "render.pid", tmp_path / "release"
    tiny_page(
        notebooks,
        "import os\n"
        f"with open({str(render_pid) + '.tmp'!r}, 'w') as pid:\n"
        "    pid.write(str(os.getppid()))  # the kernel's parent: the render\n"
        f"os.replace({str(render_pid) + '.tmp'!r}, {str(render_pid)!r})\n" + gate(release),
    )
    out = tmp_path / "report"
    schedule = tmp_path / "schedule.yml"
    schedule.write_text("pages:\n  - notebook: tiny\n    actor: belarus\n", encoding="utf-8")
    publish = subprocess.Popen(
        [*publish_command(schedule, out, notebooks), "--fresh-kernels"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    render = 0
    try:
        wait_for(render_pid.exists, what="the render's kernel at work")
        render = int(render_pid.read_text())
        command = Path(f"/proc/{render}/cmdline").read_bytes().split(b"\0")
        assert b"render" in command, command  # the process watched below is the render
        publish.kill()
        publish.wait(timeout=60)
        assert running(render)  # orphaned, held at the gate
        release.touch()  # the render finishes its page, then must not publish it
        wait_for(lambda: not running(render), what="the orphaned render to end")
    finally:
        release.touch()
        if publish.poll() is None:
            publish.kill()
        if render and running(render):  # its own process group, with its kernel
            with contextlib.suppress(ProcessLookupError):
                os.killpg(render, signal.SIGKILL)
    assert not list(out.glob("*.html")), list(out.iterdir())
    assert not list(out.rglob("*.tmp"))
