"""Waiting in tests: for a positive signal, with a deadline that fails a hang instead of stalling
the suite. Never sleep and then check that something did not happen: wait for the event that
settles it (the process exited, the lock was released, the file appeared), then check.

Every limit here is a generous deadline for a hang, not a speed target: speed is measured and
printed by `make bench` (bench/run.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HANG = 120  # seconds: what a test gives a step that takes a few on an idle machine


def wait_for(condition: Callable[[], object], seconds: float = HANG, what: str = "") -> None:
    """Poll `condition` until it holds; fail (AssertionError) once `seconds` have passed."""
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, f"timed out after {seconds:g} s: {what or condition}"
        time.sleep(0.05)


def running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


class Hang(BaseException):
    """A block ran past its deadline. Not an Exception: no `except Exception` in the code under
    test can turn a hang into a pass (pytest reports it as the test's failure)."""


@contextlib.contextmanager
def deadline(seconds: float = HANG, what: str = "the block") -> Iterator[None]:
    """Fail a block still running after `seconds` (SIGALRM, in the main thread): for in-process
    calls, as a subprocess's `timeout=` is for commands."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("deadline() works in the main thread only")

    def expired(signum: int, frame: object) -> None:
        raise Hang(f"{what} still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class KernelTrap:
    """A Jupyter path whose 'python3' kernel only records that it was started, then exits: a
    command run with `environ` (or a test with it set) that must refuse before any kernel
    leaves `started` False. Checked once the command has ended, this replaces timing a refusal
    as a proxy for "no kernel was started"."""

    def __init__(self, folder: Path) -> None:
        self.marker = folder / "kernel-started"
        spec = folder / "jupyter" / "kernels" / "python3"
        spec.mkdir(parents=True, exist_ok=True)
        command = f"echo started >> '{self.marker}'; exit 1"
        argv = ["/bin/sh", "-c", command, "trap", "{connection_file}"]
        kernel = {"argv": argv, "display_name": "kernel trap", "language": "python"}
        (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
        self.path = str(folder / "jupyter")

    @property
    def environ(self) -> dict[str, str]:
        """What to add to a command's environment (JUPYTER_PATH is searched first)."""
        searched = [self.path, *filter(None, [os.environ.get("JUPYTER_PATH")])]
        return {"JUPYTER_PATH": os.pathsep.join(searched)}

    @property
    def started(self) -> bool:
        return self.marker.exists()
