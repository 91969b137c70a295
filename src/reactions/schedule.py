"""A publish schedule (schedule.yml): the pages to publish, each checked before anything runs
by the rules a render applies (reactions.page.prepare), and the run's limits.

A schedule lists pages: any notebook of `notebooks/` with its parameters, single or as a matrix
(every combination of the listed values), for one story or several (`data:` per entry), each
also printed to PDF where `pdf: true` says so (at the top for every page, or per entry).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from reactions.errors import DatasetError, ParameterError, Problem, RenderError, ScheduleError
from reactions.page import Page, Site, find_notebook, prepare, site_text, site_url
from reactions.reference import Reference
from reactions.yamlfile import compose, construct, line_of, mapping_items

TOP_KEYS = {"pages", "timeout", "retries", "cell_timeout", "pdf", "site"}
SITE_KEYS = {"url", "title", "licence"}  # the `site:` block
# `pdf: true|false` at the top is every page's default; in an entry, that entry's pages'.
ENTRY_KEYS = {"notebook", "data", "matrix", "pdf"}  # the rest of an entry: the page's parameters
MAX_SECONDS = 7 * 24 * 3600  # a timeout beyond a week is a typo
MAX_PAGES = 1_000  # a schedule beyond this is a typo in a matrix (--max-pages raises it)


@dataclass(frozen=True)
class Schedule:
    jobs: list[Page]
    timeout: int
    retries: int
    cell_timeout: int
    site: Site = field(default_factory=lambda: Site(shared_runtime=True))


def _as_date(value: object, today: dt.date) -> object:
    return today.isoformat() if value == "today" else value


def load_schedule(
    path: Path,
    notebooks: Path = Path("notebooks"),
    data: str | Path | None = None,
    today: dt.date | None = None,
    allow_outside: bool = False,
    max_pages: int = MAX_PAGES,
    url: str | None = None,
    on_counted: Callable[[int], object] | None = None,
) -> Schedule:
    """Read schedule.yml and check every page against its notebook and dataset before anything
    runs; every problem is reported with its line. An entry's notebook must be one of
    `notebooks` unless `allow_outside` (`--allow-notebooks-outside`). A schedule of more than
    `max_pages` pages is refused once counted, before any is expanded or checked. `url`: the
    site's public base URL, checked (`--site-url`), in place of the `site:` block's.
    `on_counted` is called with the number of pages once they are counted, before any is checked
    (a publish run starts its Dask workers then, when it is sure to use them)."""
    today = today or dt.date.today()
    name = path.name
    root = compose(path, ScheduleError)
    if not isinstance(root, yaml.MappingNode):
        raise ScheduleError(
            [Problem(name, 1, None, "", "schedule must be a mapping with a list of pages")]
        )
    problems: list[Problem] = []
    jobs: list[Page] = []
    references: dict[Path, Reference] = {}
    settings = {"timeout": 600, "retries": 2, "cell_timeout": 0}
    items = mapping_items(root)
    pdf = next(
        (_flag(value, name, key, line, problems) for key, line, value in items if key == "pdf"),
        False,
    )
    site = Site()
    for key, line, value_node in items:
        if key == "pdf":
            continue
        if key == "site":
            site = _site(value_node, name, line, problems)
            continue
        if key not in TOP_KEYS:
            problems.append(
                Problem(name, line, key, key, f"unknown key; use {', '.join(sorted(TOP_KEYS))}")
            )
        elif key in settings:
            value = construct(value_node)
            minimum = 0 if key == "retries" else 1
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not minimum <= value <= MAX_SECONDS
            ):
                problems.append(
                    Problem(
                        name,
                        line,
                        key,
                        str(value)[:40],
                        f"must be a whole number from {minimum} to {MAX_SECONDS}",
                    )
                )
            else:
                settings[key] = value
        else:
            items_of_pages = _items(value_node, name, key, problems)
            counted = [(_page_count(item), line_of(item)) for item in items_of_pages]
            total = sum(count for count, _ in counted)
            if total > max_pages:
                biggest = max(counted)
                raise ScheduleError(
                    [
                        Problem(
                            name,
                            biggest[1],
                            "matrix",
                            f"{total:,} pages",
                            f"a schedule may hold at most {max_pages:,} pages (--max-pages "
                            f"raises it); this entry alone makes {biggest[0]:,}",
                        )
                    ]
                )
            if on_counted is not None:
                on_counted(total)
            for item in items_of_pages:
                jobs += _page_jobs(
                    item, notebooks, data, today, name, problems, pdf, references, allow_outside
                )
    stems = [job.stem for job in jobs]
    problems += [
        Problem(name, None, "pages", stem, "the same page is scheduled twice")
        for stem in sorted({stem for stem in stems if stems.count(stem) > 1})
    ]
    if not jobs and not problems:
        problems.append(Problem(name, 1, None, "", "the schedule lists no page"))
    problems += _pdf_problems(jobs, name)
    if problems:
        raise ScheduleError(problems)
    site = replace(site, url=url or site.url, shared_runtime=True)
    jobs = [replace(job, site=site) for job in jobs]
    return Schedule(jobs, settings["timeout"], settings["retries"], settings["cell_timeout"], site)


def _site(node: yaml.Node, name: str, line: int, problems: list[Problem]) -> Site:
    """The `site:` block: `url` (absolute http(s)), `title`, `licence`; each checked with its
    line (reactions.page.site_url, site_text)."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(
            Problem(name, line, "site", "", f"must be a mapping of {', '.join(sorted(SITE_KEYS))}")
        )
        return Site()
    given: dict[str, str] = {}
    for key, key_line, value_node in mapping_items(node):
        value = construct(value_node)
        if key not in SITE_KEYS:
            rule = f"unknown key; use {', '.join(sorted(SITE_KEYS))}"
            problems.append(Problem(name, key_line, f"site.{key}", key, rule))
            continue
        try:
            given[key] = site_url(value) if key == "url" else site_text(value, key)
        except ParameterError as error:
            problems.append(Problem(name, key_line, f"site.{key}", str(value)[:80], str(error)))
    return Site(given.get("url", ""), given.get("title", ""), given.get("licence", ""))


def _page_count(node: yaml.Node) -> int:
    """How many pages an entry makes (the product of its matrix's lengths), before expanding."""
    if not isinstance(node, yaml.MappingNode):
        return 1
    for key, _, value in mapping_items(node):
        if key == "matrix" and isinstance(value, yaml.MappingNode):
            return math.prod(
                len(choices.value) if isinstance(choices, yaml.SequenceNode) else 1
                for _, choices in value.value
            )
    return 1


def _flag(node: yaml.Node, name: str, key: str, line: int, problems: list[Problem]) -> bool:
    """A yes/no setting (`pdf`): true or false."""
    value = construct(node)
    if not isinstance(value, bool):
        problems.append(Problem(name, line, key, str(value)[:40], "must be true or false"))
        return False
    return value


def _pdf_problems(jobs: list[Page], name: str) -> list[Problem]:
    """A schedule that prints PDFs needs a browser to print with: said before anything runs."""
    if not any(job.pdf for job in jobs):
        return []
    from reactions.pdf import chromium

    try:
        chromium()
    except RenderError as error:
        return [Problem(name, None, "pdf", "true", str(error))]
    return []


def _items(node: yaml.Node, name: str, key: str, problems: list[Problem]) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(name, line_of(node), key, "", "must be a list"))
        return []
    return node.value


def _page_jobs(
    node: yaml.Node,
    notebooks: Path,
    data: str | Path | None,
    today: dt.date,
    name: str,
    problems: list[Problem],
    pdf: bool,
    references: dict[Path, Reference],
    allow_outside: bool = False,
) -> list[Page]:
    """The pages of one entry: `notebook`, optional `data`, parameters, and an optional `matrix`
    of parameters whose every combination is a page; `pdf` unless the entry says otherwise.
    `references`: the datasets read so far (render.prepare)."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(name, line_of(node), None, "", "each page must be a mapping"))
        return []
    entry = {key: (construct(value), line) for key, line, value in mapping_items(node)}
    for key, line, value in mapping_items(node):
        if key == "pdf":
            pdf = _flag(value, name, key, line, problems)
    if "notebook" not in entry:
        problems.append(Problem(name, line_of(node), "notebook", "", "required key is missing"))
        return []
    notebook_name, line = entry["notebook"]
    try:
        notebook = find_notebook(str(notebook_name), notebooks)
    except ParameterError as error:
        problems.append(Problem(name, line, "notebook", str(notebook_name), str(error)))
        return []
    if not allow_outside and not notebook.resolve().is_relative_to(notebooks.resolve()):
        problems.append(
            Problem(
                name,
                line,
                "notebook",
                str(notebook_name),
                f"must be a notebook of {notebooks} (--allow-notebooks-outside runs others)",
            )
        )
        return []
    fixed = {
        key: _as_date(value, today) for key, (value, _) in entry.items() if key not in ENTRY_KEYS
    }
    matrix = entry.get("matrix", ({}, line))[0]
    if not isinstance(matrix, dict):
        problems.append(Problem(name, line, "matrix", str(matrix)[:40], "must be a mapping"))
        return []
    twice = sorted(str(key) for key in matrix if key in fixed)
    if twice:
        matrix_line = entry["matrix"][1]
        problems += [
            Problem(
                name,
                matrix_line,
                f"matrix.{key}",
                key,
                "is also given a fixed value in this entry: give it once",
            )
            for key in twice
        ]
        return []
    names = list(matrix)
    choices = [value if isinstance(value, list) else [value] for value in matrix.values()]
    jobs = []
    for combination in itertools.product(*choices):
        given = fixed | {
            key: _as_date(value, today) for key, value in zip(names, combination, strict=True)
        }
        try:
            page = prepare(notebook, given, entry.get("data", (data, 0))[0], references)
        except (ParameterError, DatasetError) as error:
            problems.append(
                Problem(
                    name,
                    line,
                    "notebook",
                    f"{notebook.stem} {given}"[:80],
                    str(error).replace("\n", "; "),
                )
            )
            continue
        jobs.append(replace(page, pdf=pdf))
    return jobs
