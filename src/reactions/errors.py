"""The project's exceptions, under one root; input problems are reported all at once.

Every error of ours renders as its message alone inside a notebook (IPython calls
`_render_traceback_`), so an analyst in JupyterLab or a plain `papermill` run reads one clear
report instead of a wall of library frames.
"""

from __future__ import annotations

from dataclasses import dataclass


class ReactionsError(Exception):
    """Root of the project's errors."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {line}" for line in str(self).splitlines()[:1]] + [
            f"    {line}" for line in str(self).splitlines()[1:]
        ]


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


class RenderError(ReactionsError):
    """The notebook ran into an error or produced an unpublishable page; nothing was replaced."""


class DataRejected(ReactionsError):
    """The notebook refused its input (dataset or parameters); its message says why."""


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
