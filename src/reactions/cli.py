"""The `reactions` command: validate the dataset and render briefs.

Exit codes: 0 success, 2 bad input (dataset or parameters), 1 a render that failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from reactions.errors import (
    DataRejected,
    InputError,
    ParameterError,
    PublishLocked,
    RenderError,
)

if TYPE_CHECKING:
    from reactions.reference import Reference

# Each command imports what it needs when it runs: a render should not pay for scikit-learn.

BAD_INPUT, FAILED = 2, 1


def _reference(data_dir: Path) -> Reference:
    """What a render checks its parameters against: read quickly, without pandas, when actors.csv
    reads cleanly; otherwise the full validation, which reports every problem with its line."""
    from reactions.reference import quick_reference

    reference = quick_reference(data_dir)
    if reference is None:
        from reactions.dataset import load_dataset

        reference = load_dataset(data_dir).reference
    return reference


def _validate(arguments: argparse.Namespace) -> int:
    from reactions.dataset import load_dataset

    dataset = load_dataset(arguments.data)
    print(
        f"{arguments.data}: valid: {len(dataset.statements)} statements, "
        f"{dataset.statements['actor_id'].nunique()} actors with statements "
        f"({len(dataset.actors)} in actors.csv), {len(dataset.events)} events, "
        f"{dataset.statements['issue'].nunique()} issues"
    )
    return 0


def _compare(arguments: argparse.Namespace) -> int:
    from reactions.render import render_comparison

    reference = _reference(arguments.data)
    return _rendered(
        lambda: render_comparison(
            reference,
            arguments.as_of,
            arguments.issue,
            arguments.group,
            arguments.data,
            arguments.out,
            arguments.notebook,
            arguments.cell_timeout,
        )
    )


def _rendered(render: Callable[[], Path]) -> int:
    """Run a render and say what it wrote, how big, how long it took."""
    started = time.perf_counter()
    path = render()
    print(
        f"rendered {path} ({path.stat().st_size / 1024:.0f} KiB, "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return 0


def _publish(arguments: argparse.Namespace) -> int:
    from rich.console import Console

    from reactions.dataset import load_dataset
    from reactions.publish import load_schedule, publish, summary_table

    dataset = load_dataset(arguments.data)  # once, up front: bad data stops the run here
    schedule = load_schedule(arguments.schedule, dataset.reference)
    console = Console(stderr=True)
    started = time.perf_counter()
    outcomes = publish(
        schedule,
        arguments.data,
        arguments.out,
        arguments.jobs,
        console,
        arguments.lock_timeout,
        arguments.notebooks,
    )
    console.print(summary_table(outcomes))
    failed = [outcome for outcome in outcomes if outcome.status != "published"]
    console.print(
        f"{len(outcomes) - len(failed)} published, {len(failed)} failed in "
        f"{time.perf_counter() - started:.1f} s; index: {arguments.out / 'index.html'}"
    )
    return FAILED if failed else 0


def _index(arguments: argparse.Namespace) -> int:
    from reactions.publish import write_index

    print(f"wrote {write_index(arguments.out)}")
    return 0


def _code_check(arguments: argparse.Namespace) -> int:
    from reactions.coding import check_coding, report
    from reactions.dataset import load_dataset

    print(report(check_coding(load_dataset(arguments.data))))
    return 0  # advice, not a gate


def _render(arguments: argparse.Namespace) -> int:
    from reactions.render import BriefRequest, render_brief

    reference = _reference(arguments.data)
    request = BriefRequest(
        actor=arguments.actor,
        issue=arguments.issue,
        as_of=arguments.as_of,
        data_dir=arguments.data,
        out_dir=arguments.out,
        notebook=arguments.notebook,
        compare_with=arguments.compare_with,
        compare_to=arguments.compare_to,
        cell_timeout=arguments.cell_timeout,
    )
    return _rendered(lambda: render_brief(reference, request))


def _data_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--data", type=Path, default=Path("data"), help="dataset folder")


def _rendering_options(command: argparse.ArgumentParser, notebook: Path) -> None:
    _data_option(command)
    command.add_argument("--out", type=Path, default=Path("report"), help="output folder")
    command.add_argument("--notebook", type=Path, default=notebook)
    command.add_argument(
        "--cell-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="stop a cell that runs longer (default: no limit)",
    )


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="reactions", description=__doc__.splitlines()[0])
    commands = main_parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check the dataset against the contract")
    _data_option(validate)
    validate.set_defaults(run=_validate)
    render = commands.add_parser("render", help="render one brief to HTML")
    render.add_argument("--actor", required=True, help="focal actor_id, e.g. belarus")
    render.add_argument("--issue", required=True, help="issue code, e.g. recognition")
    render.add_argument("--as-of", required=True, help="use statements up to this date, YYYY-MM-DD")
    render.add_argument(
        "--compare-with",
        nargs="*",
        default=None,
        metavar="ACTOR",
        help="actors to place the focal actor among (default: the notebook's)",
    )
    render.add_argument(
        "--compare-to", default="", metavar="DATE", help="also report what changed since DATE"
    )
    _rendering_options(render, Path("notebooks/brief.ipynb"))
    render.set_defaults(run=_render)
    compare = commands.add_parser(
        "compare", help="render the cross-actor notebook (actors x issues, votes, coding)"
    )
    compare.add_argument("--as-of", required=True, help="use statements up to this date")
    compare.add_argument("--issue", default="all", help="an issue code, or all")
    compare.add_argument("--group", default="all", help="a group code, or all")
    _rendering_options(compare, Path("notebooks/compare.ipynb"))
    compare.set_defaults(run=_compare)
    publish_parser = commands.add_parser("publish", help="render every brief of a schedule")
    publish_parser.add_argument("--schedule", type=Path, default=Path("schedule.yml"))
    publish_parser.add_argument("--jobs", type=int, default=2, help="briefs rendered at once")
    publish_parser.add_argument(
        "--lock-timeout",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another publish run (default: stop)",
    )
    _data_option(publish_parser)
    publish_parser.add_argument("--out", type=Path, default=Path("report"), help="output folder")
    publish_parser.add_argument(
        "--notebooks",
        type=Path,
        default=Path("notebooks"),
        help="folder holding brief.ipynb and compare.ipynb",
    )
    publish_parser.set_defaults(run=_publish)
    index = commands.add_parser("index", help="rebuild report/index.html")
    index.add_argument("--out", type=Path, default=Path("report"), help="output folder")
    index.set_defaults(run=_index)
    code_check = commands.add_parser(
        "code-check", help="propose stances from the codebook's cues and measure agreement"
    )
    _data_option(code_check)
    code_check.set_defaults(run=_code_check)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return arguments.run(arguments)
    except (InputError, ParameterError, DataRejected) as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    except RenderError as error:
        print(f"render failed, nothing replaced: {error}", file=sys.stderr)
        return FAILED
    except PublishLocked as error:
        print(f"error: {error}", file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
