"""The `reactions` command: validate the dataset and render briefs.

Exit codes: 0 success, 2 bad input (dataset or parameters), 1 a render that failed.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from reactions.errors import (
    BAD_INPUT,
    FAILED,
    DataRejected,
    InputError,
    ParameterError,
    PublishLocked,
    RenderError,
    SchedulerUnavailable,
)

# Each command imports what it needs when it runs: a render should not pay for scikit-learn.


def _data_dir(arguments: argparse.Namespace) -> Path:
    from reactions.locate import resolve_data_dir

    return resolve_data_dir(arguments.data)


def _validate(arguments: argparse.Namespace) -> int:
    from reactions import columnar
    from reactions.coding import blind_coding_problems
    from reactions.contract import DATASET_FILES, capped
    from reactions.copies import write_columnar_copies
    from reactions.dataset import load_dataset
    from reactions.errors import DatasetError

    data_dir = _data_dir(arguments)
    try:  # every file, the optional ones too, and every problem at once; the CSVs themselves
        dataset = load_dataset(data_dir, copies=False)
        problems = blind_coding_problems(data_dir)
    except DatasetError as error:
        problems = error.problems + (blind_coding_problems(data_dir) if data_dir.is_dir() else [])
    if problems:
        raise DatasetError(capped(problems))
    print(
        f"{data_dir.name}: valid: {len(dataset.statements)} statements, "
        f"{dataset.statements['actor_id'].nunique()} actors with statements "
        f"({len(dataset.actors)} in actors.csv), {len(dataset.events)} events, "
        f"{dataset.statements['issue'].nunique()} issues"
    )
    for name in DATASET_FILES:  # each columnar copy: does it agree with its CSV?
        state = columnar.status(data_dir / f"{name}.csv")
        if state is not None and not (arguments.parquet and state != "fresh"):
            print(f"{name}.parquet: {COPY_STATES[state]}")
    if arguments.parquet:
        try:
            written = write_columnar_copies(data_dir)
        except OSError as error:
            print(
                f"error: no columnar copy written: cannot write in {data_dir} "
                f"({error.strerror or error}); the dataset is valid and unchanged",
                file=sys.stderr,
            )
            return FAILED
        for copy in written:
            print(f"wrote {copy} ({copy.stat().st_size / 2**20:,.1f} MiB)")
    return 0


COPY_STATES = {
    "fresh": "agrees with its CSV (read in its place)",
    "stale": "made from another version of its CSV: ignored (validate --parquet renews it)",
    "damaged": "damaged or edited since it was written: ignored (validate --parquet renews it)",
}


def _compare(arguments: argparse.Namespace) -> int:
    """Shortcut: the cross-actor page."""
    from reactions.page import find_notebook

    _out_folder(arguments.out)
    given = {"issues": arguments.issue, "as_of": arguments.as_of, "group": arguments.group}
    notebook = find_notebook(arguments.notebook or "compare", arguments.notebooks)
    return _render_named(arguments, notebook, given)


def _render(arguments: argparse.Namespace) -> int:
    """Any page: `render PAGE -y YAML -p NAME VALUE --NAME VALUE`, later ones winning; a flag is
    any parameter the page declares, by name or by a documented alias (FLAG_ALIASES)."""
    from reactions.page import find_notebook, notebook_parameters

    _out_folder(arguments.out)
    notebook = find_notebook(arguments.notebook or arguments.page, arguments.notebooks)
    given: dict[str, object] = {}
    for text in arguments.parameters_yaml:
        given |= _yaml_parameters(text)
    given |= {name: _p_value(name, value) for name, value in arguments.parameters}
    if arguments.page_flags:
        declared = notebook_parameters(notebook)
        given |= page_flag_values(notebook.stem, declared, arguments.page_flags)
    return _render_named(arguments, notebook, given)


# `--NAME VALUE` sets the page's parameter NAME (dashes or underscores); these aliases also fit
# whichever of their parameters the page declares. A flag that fits two parameters of one page
# (`--actor` on a page declaring both `actor` and `focal_actor`) is refused as ambiguous.
FLAG_ALIASES: dict[str, tuple[str, ...]] = {
    "actor": ("focal_actor", "actor"),  # brief: focal_actor; actor: actor
    "issue": ("issue", "issues"),  # brief: issue; compare: issues (a code or all)
}
NUMBER = re.compile(r"-\d[\d._eE+-]*")  # a negative number is a value, not an option


def split_page_flags(
    tokens: list[str], known: dict[str, int]
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The render command's own options (`known`: option string -> how many values it takes)
    kept for argparse, and every other `--NAME [VALUE ...]` taken out as a page flag, with the
    values that follow it up to the next option (`--NAME=VALUE` holds one)."""
    kept: list[str] = []
    flags: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        option = token.split("=", 1)[0]
        if token == "--":
            kept += tokens[index - 1 :]
            break
        if option in known:
            taken = 0 if "=" in token else known[option]
            kept += tokens[index - 1 : index + taken]
            index += taken
        elif token.startswith("--") and len(option) > 2:
            values = [token.split("=", 1)[1]] if "=" in token else []
            while "=" not in token and index < len(tokens) and _is_value(tokens[index]):
                values.append(tokens[index])
                index += 1
            flags.append((option, values))
        else:
            kept.append(token)
    return kept, flags


def _is_value(token: str) -> bool:
    return not token.startswith("-") or bool(NUMBER.fullmatch(token))


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _flag_help(page: str, declared: dict[str, object]) -> str:
    flags = ", ".join(_flag(name) for name in declared)
    aliases = "; ".join(
        f"{_flag(alias)} for {' or '.join(fits)}"
        for alias, targets in FLAG_ALIASES.items()
        if (fits := [name for name in targets if name in declared and name != alias])
    )
    return f"{page} takes {flags}{f' (aliases: {aliases})' if aliases else ''}, or -p NAME VALUE"


def flag_parameter(page: str, declared: dict[str, object], flag: str) -> str:
    """The page's parameter a flag sets: its name (dashes read as underscores) or an alias's
    parameter that the page declares. ParameterError when none or more than one fits."""
    from reactions.yamlfile import shown

    name = flag.removeprefix("--").replace("-", "_")
    fits = [
        parameter
        for parameter in declared
        if parameter == name or parameter in FLAG_ALIASES.get(name, ())
    ]
    if len(fits) == 1:
        return fits[0]
    if not fits:
        raise ParameterError(
            f"{page}: unknown option {shown(flag)!r}: not a parameter of this page; "
            + _flag_help(page, declared)
        )
    raise ParameterError(
        f"{page}: {flag} is ambiguous: this page has {' and '.join(fits)}; "
        f"give one by name ({', '.join(f'-p {fit} VALUE' for fit in fits)})"
    )


def page_flag_values(
    page: str, declared: dict[str, object], flags: list[tuple[str, list[str]]]
) -> dict[str, object]:
    """The page's parameters from its flags. A parameter whose default is text takes one value,
    as text (`--as-of 1999` is the text '1999', which the date check refuses by name); a list
    parameter (default a list or None) takes its values as a list (none: the empty list), one
    value as papermill reads -p (a list given as text, `--compare-with one,other`, is
    read as ids by its check); any other takes one value as -p reads it."""
    from reactions.yamlfile import shown

    values: dict[str, object] = {}
    for flag, texts in flags:
        name = flag_parameter(page, declared, flag)  # given twice: the later wins, as with -p
        default = declared[name]
        listed = default is None or isinstance(default, list | tuple)
        if len(texts) == 1:
            values[name] = texts[0] if isinstance(default, str) else _p_value(name, texts[0])
        elif listed:
            values[name] = [_p_value(name, text) for text in texts]
        elif not texts:
            raise ParameterError(f"{page}: {flag} needs a value ({_flag(name)} VALUE)")
        else:
            quoted = ", ".join(repr(shown(text)) for text in texts)
            raise ParameterError(
                f"{page}: {flag} takes one value, got {quoted} (the page's name goes first: "
                f"reactions render PAGE {flag} VALUE)"
            )
    return values


def _p_value(name: str, value: str) -> object:
    """A `-p NAME VALUE` value as papermill reads it (numbers, booleans, None; else the text),
    bounded as `-y` is."""
    from papermill.cli import _resolve_type  # papermill's own reading of -p values

    from reactions.yamlfile import MAX_YAML_BYTES, shown

    if len(value) + len(name) > MAX_YAML_BYTES:
        raise ParameterError(f"-p {shown(name)}: at most {MAX_YAML_BYTES:,} characters")
    return _resolve_type(value)


def _yaml_parameters(text: str) -> dict[str, object]:
    """Parameters from `-y YAML` through the one bounded YAML reader (reactions.yamlfile:
    size, aliases, nesting, plain keys, safe tags, dates kept as text, so that `as_of:
    2022-02-30` meets the date check as `-p` does), refused in one line."""
    from reactions.errors import InputError
    from reactions.yamlfile import compose_text, construct, shown

    try:
        root = compose_text(text, "-y", InputError)
    except InputError as error:
        raise ParameterError("; ".join(str(problem) for problem in error.problems)) from None
    loaded = construct(root) if root is not None else None
    if not isinstance(loaded, dict) or not all(isinstance(key, str) for key in loaded):
        raise ParameterError(
            f"-y must be a YAML mapping of parameters by name, got {shown(text)!r}"
        )
    return loaded


def _out_folder(out: Path) -> None:
    """--out must be a folder or become one: said before anything runs (a kernel, a lock)."""
    for path in (out, *out.parents):
        if path.exists():
            if not path.is_dir():
                raise ParameterError(f"--out {str(out)!r}: {str(path)!r} is a file, not a folder")
            return


def _render_named(arguments: argparse.Namespace, notebook: Path, given: dict[str, object]) -> int:
    from reactions.page import Site, site_url
    from reactions.render import render_page

    site = Site(  # checked here: a bad URL or title is bad input (exit 2), before any kernel
        "" if arguments.site_url is None else site_url(arguments.site_url),
        arguments.site_title or "",
        arguments.site_licence or "",
        arguments.shared_runtime,
    )
    return _rendered(
        lambda: render_page(
            notebook,
            given,
            arguments.out,
            arguments.data,
            arguments.cell_timeout,
            arguments.pdf,
            site,
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

    from reactions.page import site_url
    from reactions.publish import EarlyStart, publish, summary_table, terminate_as_interrupt
    from reactions.schedule import load_schedule

    _out_folder(arguments.out)
    url = None if arguments.site_url is None else site_url(arguments.site_url)
    started = time.perf_counter()
    early = EarlyStart(  # Dask's workers start while the schedule is checked, when sure
        arguments.out,
        arguments.jobs,
        arguments.notebooks,
        arguments.fresh_kernels or None,
        arguments.scheduler,
        arguments.force,
    )
    with terminate_as_interrupt():  # SIGTERM: the started workers are shut down too
        try:
            schedule = load_schedule(
                arguments.schedule,
                arguments.notebooks,
                arguments.data,
                allow_outside=arguments.allow_notebooks_outside,
                max_pages=arguments.max_pages,
                url=url,
                on_counted=early.counted,
            )
        except BaseException:  # refused: nothing was built, nothing is left running
            early.close()
            raise
        console = Console(stderr=True)
        outcomes = publish(
            schedule,
            arguments.out,
            arguments.jobs,
            console,
            arguments.lock_timeout,
            fresh_kernels=arguments.fresh_kernels or None,
            scheduler=arguments.scheduler,
            force=arguments.force,
            early=early.started,
        )
    console.print(summary_table(outcomes))
    failed = [o for o in outcomes if o.status not in ("published", "unchanged")]
    unchanged = sum(outcome.status == "unchanged" for outcome in outcomes)
    console.print(  # a path is text, never rich markup
        f"{len(outcomes) - len(failed) - unchanged} published, "
        + (f"{unchanged} unchanged, " if unchanged else "")
        + f"{len(failed)} failed in "
        f"{time.perf_counter() - started:.1f} s; index: {arguments.out / 'index.html'}",
        markup=False,
        highlight=False,
    )
    return FAILED if failed else 0


def _index(arguments: argparse.Namespace) -> int:
    from reactions.site import write_index

    print(f"wrote {write_index(arguments.out)}")
    return 0


PAGE_TEMPLATE = Path(__file__).parent / "templates" / "page.ipynb"
PAGE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")  # a part of output names: no dot, no slash


def new_page(name: str, notebooks: Path) -> Path:
    """notebooks/NAME.ipynb from the page template (templates/page.ipynb): a parameters cell,
    the dataset opened and checked, one call per section, the footer. Never overwrites."""
    import nbformat

    from reactions.yamlfile import shown

    if not PAGE_NAME.fullmatch(name):
        raise ParameterError(
            f"new-page: {shown(name)!r} is not a page name: lowercase letters, digits, '-' and "
            "'_', starting with a letter, at most 40 (it becomes part of every output's name)"
        )
    target = notebooks / f"{name}.ipynb"
    if target.exists():
        raise ParameterError(f"new-page: {target} exists; choose another name or remove it")
    if not notebooks.is_dir():
        raise ParameterError(f"new-page: {notebooks} is not a folder of pages")
    page = nbformat.read(PAGE_TEMPLATE, as_version=4)
    for number, cell in enumerate(page.cells):
        cell.id = f"{name}-{number:02d}"
    with target.open("x", encoding="utf-8") as file:  # never over a page made meanwhile
        nbformat.write(page, file)
    return target


def _new_page(arguments: argparse.Namespace) -> int:
    target = new_page(arguments.name, arguments.notebooks)
    print(
        f"wrote {target} from the page template. Next: edit its parameters, sections and text; "
        f"`make refresh` stores its reference outputs (the suite fails on a page without them); "
        f"`reactions render {arguments.name}` publishes it (README: Add a page)"
    )
    return 0


def _code_check(arguments: argparse.Namespace) -> int:
    from reactions.coding import check_coding, report
    from reactions.dataset import load_dataset

    print(report(check_coding(load_dataset(_data_dir(arguments)))))
    return 0  # advice, not a gate


def _data_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--data",
        default=None,
        help="a story folder, or a folder of stories (default: $REACTIONS_DATA, else data/)",
    )


def _rendering_options(command: argparse.ArgumentParser) -> None:
    _data_option(command)
    command.add_argument("--out", type=Path, default=Path("report"), help="output folder")
    command.add_argument(
        "--notebooks", type=Path, default=Path("notebooks"), help="folder of the pages"
    )
    command.add_argument(
        "--notebook", default=None, help="a page's notebook path (default: by its name)"
    )
    command.add_argument(
        "--pdf",
        action="store_true",
        help="also print the page to STEM.pdf (A4, charts drawn; needs Debian's chromium)",
    )
    command.add_argument(
        "--cell-timeout",
        type=_positive,
        default=None,
        metavar="SECONDS",
        help="stop a cell that runs longer (default: no limit)",
    )
    command.add_argument(
        "--shared-runtime",
        action="store_true",
        help="load the Vega runtime from the site's shared _static/vega-VERSION-SHA12.js "
        "(written beside the page when missing) instead of inlining it (default: the page "
        "stands alone)",
    )
    _site_url_option(command)
    command.add_argument("--site-title", default=None, metavar="TEXT", help="the site's title")
    command.add_argument(
        "--site-licence", default=None, metavar="TEXT", help="the licence of the site's pages"
    )


def _site_url_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--site-url",
        default=None,
        metavar="URL",
        help="the site's public base URL, absolute http(s), e.g. https://example.org/reactions/: "
        "link previews and canonical links become absolute (without it they are relative, and "
        "X, Facebook and LinkedIn show no image)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number above 0: {text!r}")
    return value


RENDER_FLAGS = """page parameters as flags:
  --NAME VALUE, --NAME=VALUE  any parameter the page declares, dashes or underscores
                              (`papermill --help-notebook notebooks/PAGE.ipynb` lists them):
                              --as-of YYYY-MM-DD, --compare-to YYYY-MM-DD, --data-dir PATH
  --NAME V1 V2 ...            a list parameter's values (--compare-with ACTOR ACTOR);
                              with no value, the empty list
  aliases                     --actor: focal_actor (brief) or actor (actor);
                              --issue: issue (brief) or issues (compare)
  A flag that fits no parameter of the page, or two (an alias on a page that declares both of
  its parameters), exits 2 naming the page's parameters. The page's name goes first
  (reactions render actor --actor ACTOR); without one, the brief."""


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="reactions", description=__doc__.splitlines()[0])
    commands = main_parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a dataset against the contract")
    _data_option(validate)
    validate.add_argument(
        "--parquet",
        action="store_true",
        help="also write NAME.parquet beside each CSV (read instead while the CSV is unchanged)",
    )
    validate.set_defaults(run=_validate)
    render = commands.add_parser(
        "render",
        help="render any page (a notebook of notebooks/) to HTML",
        description="Render any page: its parameters by -y YAML, -p NAME VALUE or --NAME VALUE "
        "(later ones win).",
        epilog=RENDER_FLAGS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # --as would otherwise be read as an abbreviation of one of these
    )
    render.add_argument(
        "page", nargs="?", default="brief", help="page name or notebook path (default: brief)"
    )
    render.add_argument(
        "-p",
        "--parameters",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter, as papermill reads it",
    )
    render.add_argument(
        "-y",
        "--parameters-yaml",
        action="append",
        default=[],
        metavar="YAML",
        help="parameters as a YAML mapping",
    )
    _rendering_options(render)
    render.set_defaults(run=_render)
    compare = commands.add_parser(
        "compare", help="shortcut: render the cross-actor page (actors x issues, votes, coding)"
    )
    compare.add_argument("--as-of", default="", help="use statements up to this date")
    compare.add_argument("--issue", default="all", help="an issue code, or all")
    compare.add_argument("--group", default="all", help="a group code, or all")
    _rendering_options(compare)
    compare.set_defaults(run=_compare)
    publish_parser = commands.add_parser("publish", help="render every page of a schedule")
    publish_parser.add_argument("--schedule", type=Path, default=Path("schedule.yml"))
    publish_parser.add_argument("--jobs", type=_positive, default=2, help="pages rendered at once")
    publish_parser.add_argument(
        "--lock-timeout",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another publish run (default: stop)",
    )
    publish_parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="one render subprocess and kernel per page (default: warm kernels on Dask when "
        "there are more pages to build than --jobs, else a fresh kernel per page, each built "
        "in the publishing process)",
    )
    publish_parser.add_argument(
        "--force",
        action="store_true",
        help="build every page (default: only pages whose key changed: notebook, parameters, "
        "data, code, runtime, settings, siblings)",
    )
    publish_parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a Dask scheduler, tcp://HOST:8786 (default: $DASK_SCHEDULER_ADDRESS, else a "
        "LocalCluster of --jobs workers)",
    )
    _data_option(publish_parser)
    publish_parser.add_argument("--out", type=Path, default=Path("report"), help="output folder")
    publish_parser.add_argument(
        "--notebooks", type=Path, default=Path("notebooks"), help="folder of the pages"
    )
    publish_parser.add_argument(
        "--allow-notebooks-outside",
        action="store_true",
        help="let schedule entries name notebooks outside --notebooks (by path)",
    )
    publish_parser.add_argument(
        "--max-pages",
        type=_positive,
        default=1_000,
        metavar="N",
        help="refuse a schedule of more pages than this (default: 1000)",
    )
    _site_url_option(publish_parser)
    publish_parser.set_defaults(run=_publish)
    index = commands.add_parser("index", help="rebuild report/index.html")
    index.add_argument("--out", type=Path, default=Path("report"), help="output folder")
    index.set_defaults(run=_index)
    page_parser = commands.add_parser(
        "new-page", help="start a page: notebooks/NAME.ipynb from the page template"
    )
    page_parser.add_argument("name", help="the page's name (lowercase, digits, - and _)")
    page_parser.add_argument(
        "--notebooks", type=Path, default=Path("notebooks"), help="folder of the pages"
    )
    page_parser.set_defaults(run=_new_page)
    code_check = commands.add_parser(
        "code-check", help="propose stances from the codebook's cues and measure agreement"
    )
    _data_option(code_check)
    code_check.set_defaults(run=_code_check)
    return main_parser


def _render_command(main_parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    commands = next(
        action for action in main_parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return cast(argparse.ArgumentParser, commands.choices["render"])


def _arity(action: argparse.Action) -> int:
    if action.nargs is None:
        return 1
    return action.nargs if isinstance(action.nargs, int) else 1


def main(argv: list[str] | None = None) -> int:
    tokens = list(sys.argv[1:] if argv is None else argv)
    main_parser = parser()
    flags: list[tuple[str, list[str]]] = []
    if tokens[:1] == ["render"]:  # the page's own flags are known once its notebook is
        known = {
            option: _arity(action)
            for action in _render_command(main_parser)._actions
            for option in action.option_strings
        }
        rest, flags = split_page_flags(tokens[1:], known)
        tokens = ["render", *rest]
    arguments = main_parser.parse_args(tokens)
    arguments.page_flags = flags
    try:
        return arguments.run(arguments)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (InputError, ParameterError, DataRejected) as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    except RenderError as error:
        print(f"render failed, nothing replaced: {error}", file=sys.stderr)
        return error.exit_code
    except PublishLocked as error:
        print(f"error: {error}", file=sys.stderr)
        return FAILED
    except SchedulerUnavailable as error:
        print(f"error: {error}; nothing was rendered", file=sys.stderr)
        return BAD_INPUT if error.bad_address else FAILED


if __name__ == "__main__":
    sys.exit(main())
