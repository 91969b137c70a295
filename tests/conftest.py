"""pytest's fixtures and hooks only; what the tests share otherwise is in tests/support."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from support.dataset import write_dataset
from support.paths import DATA, NOTEBOOKS, STORY_2008
from support.rendering import copy_report, render_cli


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked slow (minutes each) run only when asked: `-m slow` (or any -m naming them)
    or REACTIONS_SLOW=1; `make test` and a plain `pytest` skip them, saying how to run them."""
    if os.environ.get("REACTIONS_SLOW") == "1" or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or REACTIONS_SLOW=1")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def brief_report(tmp_path_factory) -> Path:
    """One real render of the default brief (support.paths.BRIEF_STEM), shared by every module;
    a module that changes the folder works on its own copy (support.rendering.copy_report)."""
    out = tmp_path_factory.mktemp("brief-report")
    assert render_cli(out) == 0
    return out


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


@pytest.fixture(scope="session")
def actor_report(tmp_path_factory) -> Path:
    """The actor page of Belarus as of 31 October 2022 (support.paths.ACTOR_STEM), rendered by
    `reactions render actor --actor belarus -p as_of 2022-10-31` (the alias flag beside -p:
    tests/test_cli_flags.py checks what it made); the prose checks read it too."""
    from reactions.cli import main

    out = tmp_path_factory.mktemp("actor") / "report"
    code = main(
        [
            *("render", "actor", "--actor", "belarus", "-p", "as_of", "2022-10-31"),
            *("--data", str(DATA), "--notebooks", str(NOTEBOOKS), "--out", str(out)),
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="session")
def since_report(tmp_path_factory) -> Path:
    """The brief of Belarus on recognition as of 31 October 2022 with its changes since
    26 September (support.paths.SINCE_STEM), a real render: shared by the render checks
    (tests/test_render.py) and the prose checks, which only read it."""
    out = tmp_path_factory.mktemp("since") / "report"
    assert render_cli(out, "--compare-to", "2022-09-26", as_of="2022-10-31") == 0
    return out


@pytest.fixture(scope="session")
def pages_2008(tmp_path_factory) -> Path:
    """The 2008 story's briefs of Belarus (its default page) and Kazakhstan as of 30 September
    2008 and its compare page of 31 December 2010, each a real `reactions render` into one
    folder: shared by the story checks (tests/test_stories.py) and the prose checks
    (tests/test_prose.py), which only read them."""
    from reactions.cli import main

    out = tmp_path_factory.mktemp("story2008")
    for actor in ("belarus", "kazakhstan"):
        code = main(
            [
                *("render", "--data", str(STORY_2008), "--actor", actor),
                *("--issue", "recognition", "--as-of", "2008-09-30", "--out", str(out)),
            ]
        )
        assert code == 0
    code = main(["compare", "--data", str(STORY_2008), "--as-of", "2010-12-31", "--out", str(out)])
    assert code == 0
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
