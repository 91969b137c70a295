"""Problems found in input, reported all at once rather than at the first one."""

from __future__ import annotations

from dataclasses import dataclass


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


class InputError(Exception):
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


class RenderError(RuntimeError):
    """The notebook ran into an error or produced an unpublishable page; nothing was replaced."""


class DataRejected(RuntimeError):
    """The notebook refused the dataset on loading; its message lists every problem."""


class PublishLocked(RuntimeError):
    """Another publish run is writing the same report folder."""


class ParameterError(ValueError):
    """A brief was asked for with an actor, issue or date the dataset does not know."""


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.column or "", problem.rule)
