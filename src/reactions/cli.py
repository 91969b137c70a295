"""The `reactions` command: validate the dataset and render briefs.

Exit codes: 0 success, 2 bad input (dataset or parameters), 1 a render that failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from reactions.dataset import load_dataset
from reactions.errors import DatasetError, ParameterError
from reactions.render import BriefRequest, RenderError, render_brief

BAD_INPUT, FAILED = 2, 1


def _validate(arguments: argparse.Namespace) -> int:
    dataset = load_dataset(arguments.data)
    print(
        f"{arguments.data}: valid: {len(dataset.statements)} statements, "
        f"{dataset.statements['actor_id'].nunique()} actors with statements "
        f"({len(dataset.actors)} in actors.csv), {len(dataset.events)} events, "
        f"{dataset.statements['issue'].nunique()} issues"
    )
    return 0


def _render(arguments: argparse.Namespace) -> int:
    dataset = load_dataset(arguments.data)
    request = BriefRequest(
        actor=arguments.actor,
        issue=arguments.issue,
        as_of=arguments.as_of,
        data_dir=arguments.data,
        out_dir=arguments.out,
        notebook=arguments.notebook,
        compare_with=arguments.compare_with,
    )
    started = time.perf_counter()
    path = render_brief(dataset, request)
    print(
        f"rendered {path} ({path.stat().st_size / 1024:.0f} KiB, "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="reactions", description=__doc__.splitlines()[0])
    commands = main_parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check the dataset against the contract")
    validate.add_argument("--data", type=Path, default=Path("data"), help="dataset folder")
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
    render.add_argument("--data", type=Path, default=Path("data"), help="dataset folder")
    render.add_argument("--out", type=Path, default=Path("report"), help="output folder")
    render.add_argument("--notebook", type=Path, default=Path("notebooks/brief.ipynb"))
    render.set_defaults(run=_render)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return arguments.run(arguments)
    except (DatasetError, ParameterError) as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    except RenderError as error:
        print(f"render failed, nothing replaced: {error}", file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
