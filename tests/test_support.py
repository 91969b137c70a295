"""The harness's own checks: each helper of tests/support that stands in for a sleep or a timing
assert does fail when it should (a test that checks "no kernel started" with a trap that never
springs, or waits with a deadline that never expires, could not fail)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from reactions.errors import TRY_AGAIN, RenderError
from reactions.render import render_page
from support.notebooks import tiny_page
from support.paths import DATA
from support.processes import HANG, Hang, KernelTrap, deadline, running, wait_for


def test_the_kernel_trap_springs_on_a_kernel_start(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    path = tiny_page(notebooks, "print('tiny')")
    command = [sys.executable, "-m", "reactions.cli", "render", str(path), "-p", "actor", "belarus"]
    out = tmp_path / "out"
    trap = KernelTrap(tmp_path / "command")
    result = subprocess.run(
        [*command, "--out", str(out)],
        env=os.environ | trap.environ,
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )
    assert result.returncode == TRY_AGAIN, result.stderr[-2000:]  # worth a retry: 75
    assert "the kernel did not start" in result.stderr, result.stderr[-2000:]
    assert trap.started
    in_process = KernelTrap(tmp_path / "in-process")  # as a test sets it with monkeypatch
    monkeypatch.setenv("JUPYTER_PATH", in_process.environ["JUPYTER_PATH"])
    with pytest.raises(RenderError, match="the kernel did not start"):
        render_page(path, {"actor": "belarus"}, out, DATA)
    assert in_process.started
    assert not (out / "ukraine-annexation-2022.tiny.belarus.html").exists()


def test_a_deadline_fails_a_hang_and_puts_the_alarm_back():
    before = signal.getsignal(signal.SIGALRM)
    with deadline(30, "a quick block"):
        pass
    with (
        pytest.raises(Hang, match=r"a wait that never ends still running after 0\.5 s"),
        deadline(0.5, "a wait that never ends"),
    ):
        threading.Event().wait(HANG)  # interrupted by the deadline, not waited out
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert not issubclass(Hang, Exception)  # no `except Exception` swallows it


def test_wait_for_fails_at_its_deadline_and_running_knows_an_ended_process():
    with pytest.raises(AssertionError, match=r"timed out after 0\.2 s: a thing"):
        wait_for(lambda: False, 0.2, "a thing that never happens")
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    assert running(os.getpid())
    process.wait(timeout=HANG)
    assert not running(process.pid)
