"""A small synthetic dataset (obviously fake quotes) whose positions are known by construction."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked slow (minutes each) run only when asked: `-m slow` (or any -m naming them)
    or REACTIONS_SLOW=1; `make test` and a plain `pytest` skip them, saying how to run them."""
    if os.environ.get("REACTIONS_SLOW") == "1" or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or REACTIONS_SLOW=1")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


DATA = ROOT / "data" / "ukraine-annexation-2022"

ACTORS = [
    {
        "actor_id": "belarus",
        "name": "Belarus",
        "kind": "state",
        "iso3": "BLR",
        "group": "russia_allies",
        "memberships": "CSTO;EAEU",
        "region": "Eastern Europe",
    },
    {
        "actor_id": "kazakhstan",
        "name": "Kazakhstan",
        "kind": "state",
        "iso3": "KAZ",
        "group": "russia_allies",
        "memberships": "CSTO",
        "region": "Central Asia",
    },
    {
        "actor_id": "serbia",
        "name": "Serbia",
        "kind": "state",
        "iso3": "SRB",
        "group": "russia_partners",
        "memberships": "",
        "region": "Balkans",
    },
    {
        "actor_id": "south-ossetia",
        "name": "South Ossetia",
        "kind": "unrecognized_state",
        "iso3": "",
        "group": "russia_backed_entities",
        "memberships": "",
        "region": "South Caucasus",
    },
    {
        "actor_id": "syria",
        "name": "Syria",
        "kind": "state",
        "iso3": "SYR",
        "group": "russia_partners",
        "memberships": "",
        "region": "Middle East",
    },
    {
        "actor_id": "g7",
        "name": "G7",
        "kind": "group",
        "iso3": "",
        "group": "west",
        "memberships": "",
        "region": "Global",
    },
    {
        "actor_id": "armenia",
        "name": "Armenia",
        "kind": "state",
        "iso3": "ARM",
        "group": "russia_allies",
        "memberships": "CSTO",
        "region": "South Caucasus",
    },
    {
        "actor_id": "tajikistan",
        "name": "Tajikistan",
        "kind": "state",
        "iso3": "TJK",
        "group": "russia_allies",
        "memberships": "CSTO",
        "region": "Central Asia",
    },
]


def statement(
    statement_id: str,
    date: str,
    actor_id: str,
    issue: str,
    stance: str,
    quote: str = "",
    **extra: str,
) -> dict[str, str]:
    row = {
        "statement_id": statement_id,
        "date": date,
        "date_precision": "day",
        "actor_id": actor_id,
        "speaker": f"Speaker of {actor_id}",
        "speaker_role": "Minister",
        "occasion": "",
        "issue": issue,
        "stance": stance,
        "quote": quote,
        "quote_language": "en" if quote else "",
        "quote_en": "",
        "source_title": f"Fixture source {statement_id}",
        "source_date": date,
        "source_url": f"https://example.org/{statement_id}",
        "publisher": "Fixture",
        "coder": "tests",
        "notes": "",
    }
    row.update(extra)
    return row


STATEMENTS = [
    statement("g7-rec", "2022-09-20", "g7", "recognition", "explicit_rejection", "fixture: never"),
    statement(
        "by-mob",
        "2022-09-23",
        "belarus",
        "mobilization",
        "explicit_rejection",
        "fixture: no mobilization",
    ),
    statement(
        "by-rec-makei",
        "2022-09-24",
        "belarus",
        "recognition",
        "ambiguous",
        "fixture: national interests",
        date_precision="week",
    ),
    statement(
        "by-rec-sochi",
        "2022-09-26",
        "belarus",
        "recognition",
        "silent",
        occasion="Fixture talks in Sochi",
    ),
    statement(
        "by-war-sochi",
        "2022-09-26",
        "belarus",
        "war_participation",
        "silent",
        occasion="Fixture talks in Sochi",
    ),
    statement(
        "kz-rec",
        "2022-09-26",
        "kazakhstan",
        "recognition",
        "implicit_rejection",
        "fixture: territorial integrity",
    ),
    statement(
        "rs-rec",
        "2022-09-26",
        "serbia",
        "recognition",
        "explicit_rejection",
        "fixture: cannot accept",
    ),
    statement(
        "so-rec",
        "2022-09-26",
        "south-ossetia",
        "recognition",
        "explicit_support",
        "fixture: fully support",
    ),
    statement(
        "sy-rec",
        "2022-09-27",
        "syria",
        "recognition",
        "implicit_support",
        "fixture: respects the will",
        quote_language="ar",
        quote_en="fixture: respects the will (English)",
    ),
    statement(
        "tj-rec", "2022-09-28", "tajikistan", "recognition", "silent", occasion="Fixture summit"
    ),
    statement(
        "by-rec-oct",
        "2022-10-05",
        "belarus",
        "recognition",
        "implicit_support",
        "fixture: later words",
    ),
]

EVENTS = [
    {
        "event_id": "referendums-announced",
        "date": "2022-09-20",
        "title": "Referendums announced",
        "description": "",
        "source_title": "Fixture",
        "source_url": "",
    },
    {
        "event_id": "sochi-talks",
        "date": "2022-09-26",
        "title": "Sochi talks",
        "description": "",
        "source_title": "Fixture",
        "source_url": "https://example.org/sochi",
    },
    {
        "event_id": "es-11-4",
        "date": "2022-10-12",
        "title": "ES-11/4",
        "description": "",
        "source_title": "Fixture",
        "source_url": "",
    },
]


VOTES = [
    {
        "resolution": "A/RES/68/262",
        "date": "2014-03-27",
        "actor_id": "belarus",
        "vote": "no",
        "source_title": "Fixture record",
        "source_url": "https://example.org/68-262",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "belarus",
        "vote": "no",
        "source_title": "Fixture record",
        "source_url": "https://example.org/es-11-4",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "kazakhstan",
        "vote": "abstain",
        "source_title": "Fixture record",
        "source_url": "",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "serbia",
        "vote": "yes",
        "source_title": "Fixture record",
        "source_url": "",
    },
    {
        "resolution": "A/RES/ES-11/4",
        "date": "2022-10-12",
        "actor_id": "armenia",
        "vote": "abstain",
        "source_title": "Fixture record",
        "source_url": "",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_dataset(
    folder: Path,
    statements: list[dict[str, str]] | None = None,
    actors: list[dict[str, str]] | None = None,
    votes: list[dict[str, str]] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "codebook.yml", folder / "codebook.yml")
    write_csv(folder / "actors.csv", actors or ACTORS)
    write_csv(folder / "statements.csv", statements or STATEMENTS)
    write_csv(folder / "events.csv", EVENTS)
    write_csv(folder / "votes.csv", votes or VOTES)
    return folder


NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "brief.ipynb"
STORY = "ukraine-annexation-2022"  # data/default.txt: the story a page reads by default
BRIEF_STEM = f"{STORY}.brief.belarus.recognition.2022-09-26"  # render_cli's page
# Its headline, a finding (as pinned in notebooks/brief.ipynb's reference output).
BRIEF_TITLE = (
    "Belarus hedges on recognition of the “referendums” as Serbia rejects it, Kazakhstan "
    "implicitly rejects it and South Ossetia leans toward it"
)


def render_cli(
    out: Path,
    *extra: str,
    data: Path = DATA,
    notebook: Path = NOTEBOOK,
    actor: str = "belarus",
    issue: str = "recognition",
    as_of: str = "2022-09-26",
) -> int:
    """`reactions render brief` as the command line runs it (the brief's shortcut flags);
    returns its exit code."""
    from reactions.cli import main

    return main(
        [
            "render",
            "brief",
            "--actor",
            actor,
            "--issue",
            issue,
            "--as-of",
            as_of,
            "--data",
            str(data),
            "--out",
            str(out),
            "--notebook",
            str(notebook),
            *extra,
        ]
    )


def notebook_with(
    folder: Path, source: str, only_for: str | None = None, page: str = "brief"
) -> Path:
    """A copy of the notebooks in `folder`/notebooks whose `page` runs `source` right after its
    opening cell (only for one actor, `page.actor`, if given): how the tests make a render fail
    mid-run. Returns the copied notebooks folder."""
    notebooks = folder / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks, dirs_exist_ok=True)
    if only_for:
        source = f"if page.actor == {only_for!r}:\n" + "\n".join(
            "    " + line for line in source.splitlines()
        )
    path = notebooks / f"{page}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert "page = " in notebook.cells[1].source  # the opening cell, where `page` is made
    notebook.cells.insert(2, nbformat.v4.new_code_cell(source))
    nbformat.write(notebook, path)
    return notebooks


def tiny_page(notebooks: Path, source: str, name: str = "tiny") -> Path:
    """A minimal page (any notebook with a parameters cell is one): parameter `actor`, then
    `source`. Its kernel starts and ends in a few seconds, for tests of the run, not the brief."""
    notebooks.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_code_cell('actor: str = ""', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(source),
        nbformat.v4.new_markdown_cell("## A tiny page"),
    ]
    path = notebooks / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def publish_cli(folder: Path, schedule: str, out: Path, notebooks: Path, *extra: str) -> int:
    """`reactions publish --jobs 2` of a schedule written to `folder`; returns its exit code."""
    from reactions.cli import main

    path = folder / "schedule.yml"
    path.write_text(schedule, encoding="utf-8")
    return main(
        [
            "publish",
            "--schedule",
            str(path),
            "--jobs",
            "2",
            "--data",
            str(DATA),
            "--out",
            str(out),
            "--notebooks",
            str(notebooks),
            *extra,
        ]
    )


@pytest.fixture(scope="session")
def brief_report(tmp_path_factory) -> Path:
    """One real render of the default brief (BRIEF_STEM), shared by every module; a module that
    changes the folder works on its own copy (`copy_report`)."""
    out = tmp_path_factory.mktemp("brief-report")
    assert render_cli(out) == 0
    return out


def copy_report(report: Path, target: Path) -> Path:
    shutil.copytree(report, target)
    return target


COMPARE_STEM = f"{STORY}.compare.all.2022-10-31.all"  # after ES-11/4: its votes chart too


@pytest.fixture(scope="session")
def pages_report(brief_report, tmp_path_factory) -> Path:
    """The default brief, the compare page of 31 October 2022 (after the vote of record, so
    that its votes chart is checked too), and their index: one render shared by the browser
    checks of accessibility, phones and print, which only read it."""
    from reactions.cli import main
    from reactions.site import write_index

    out = copy_report(brief_report, tmp_path_factory.mktemp("pages") / "report")
    code = main(
        [
            *("compare", "--as-of", "2022-10-31", "--data", str(DATA)),
            *("--out", str(out), "--notebooks", str(NOTEBOOKS)),
        ]
    )
    assert code == 0
    write_index(out)
    return out


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "mini")


@pytest.fixture
def mini(mini_dir: Path):
    from reactions.dataset import load_dataset

    return load_dataset(mini_dir)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright (never a downloaded browser), with the
    flags the PDF printer uses; the browser tests skip or fail before they ask for it. One per
    module: a test that starts Playwright itself needs none left running."""
    from playwright.sync_api import sync_playwright

    from reactions.pdf import FLAGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
            args=FLAGS,
        )
        yield launched
        launched.close()
