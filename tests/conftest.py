"""pytest's fixtures and hooks only; what the tests share otherwise is in tests/support."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.dataset import write_dataset
from support.rendering import render_cli


@pytest.fixture(scope="session")
def brief_report(tmp_path_factory) -> Path:
    """One real render of the default brief (support.paths.BRIEF_STEM), shared by every module;
    a module that changes the folder works on its own copy (support.rendering.copy_report)."""
    out = tmp_path_factory.mktemp("brief-report")
    assert render_cli(out) == 0
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
