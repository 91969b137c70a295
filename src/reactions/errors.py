"""The project's exceptions, under one root; input problems are reported all at once.

Every error of ours renders as its message alone inside a notebook (IPython calls
`_render_traceback_`), so an analyst in JupyterLab or a plain `papermill` run reads one clear
report instead of a wall of library frames. Beside that report the kernel displays the error as
data (`ErrorRecord`: kind, exit code, message, in an output's metadata): a render reads what
happened from the executed notebook, never by matching the words of a message.

Exit codes: 0 done; 1 failed (nothing replaced); 2 bad input (data, parameters, schedule);
75 a kernel that did not start (worth a retry, as sysexits' EX_TEMPFAIL); 130 interrupted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

FAILED = 1
BAD_INPUT = 2
TRY_AGAIN = 75
ERROR_KEY = "reactions-error"  # an output's metadata key holding an ErrorRecord


@dataclass(frozen=True)
class ErrorRecord:
    """An error as it crosses a process boundary: a kernel's, a worker's, a render's."""

    kind: str  # the class's name, for people; never matched
    exit_code: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class ReactionsError(Exception):
    """Root of the project's errors."""

    exit_code = FAILED

    def record(self) -> ErrorRecord:
        return ErrorRecord(type(self).__name__, self.exit_code, str(self))

    def _render_traceback_(self) -> list[str]:
        _display_record(self.record())
        return [f"{type(self).__name__}: {line}" for line in str(self).splitlines()[:1]] + [
            f"    {line}" for line in str(self).splitlines()[1:]
        ]


def _display_record(record: ErrorRecord) -> None:
    """In a kernel, the error as data: an output with no text (a Jupyter client shows nothing
    for it) and the record in its metadata."""
    try:
        from IPython import get_ipython
        from IPython.display import publish_display_data
    except ImportError:  # not in a Jupyter kernel: the message is all there is
        return
    if get_ipython() is not None:
        publish_display_data({"text/plain": ""}, metadata={ERROR_KEY: record.as_dict()})


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule, located so an analyst can find it in a spreadsheet or editor."""

    file: str
    line: int | None
    column: str | None
    value: str
    rule: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f" column {self.column!r}" if self.column else ""
        return f"{where}:{column} {self.rule} (value: {self.value!r})"


class InputError(ReactionsError):
    """Raised with every problem of an input, so one run shows the whole repair list."""

    exit_code = BAD_INPUT

    subject = "the input"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=_sort_key)
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{len(self.problems)} problem(s) in {self.subject}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class DatasetError(InputError):
    subject = "the dataset"


class ScheduleError(InputError):
    subject = "the schedule"


class ParameterError(ReactionsError, ValueError):
    """A page was asked for with a parameter the notebook or the dataset cannot answer."""

    exit_code = BAD_INPUT


class RenderError(ReactionsError):
    """The notebook ran into an error or produced an unpublishable page; nothing was replaced."""


class DataRejected(ReactionsError):
    """The notebook refused its input (dataset or parameters); its message says why."""

    exit_code = BAD_INPUT


class KernelNotStarted(RenderError):
    """No kernel to run the page in (a port or socket race, a slow machine): worth a retry."""

    exit_code = TRY_AGAIN


class SchedulerUnavailable(ReactionsError):
    """A Dask scheduler address that is malformed (`bad_address`: bad input), cannot be reached
    or does not speak Dask's protocol; found before a publish run takes its lock."""

    def __init__(self, message: str, bad_address: bool = False) -> None:
        super().__init__(message)
        self.bad_address = bad_address


class PublishLocked(ReactionsError):
    """Another publish run is writing the same report folder."""


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.column or "", problem.rule)
