"""The docs work as written: docs/story-yml.md's example is a valid story naming every key the
loader knows; papermill's Python API limits that README states hold; README's commands run
from a fresh shell (activated environment or .venv/bin/) and leave nothing untracked."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import nbformat
import papermill
import pytest
import yaml

from reactions import story as story_module
from reactions.dataset import load_dataset
from reactions.errors import ParameterError
from reactions.page import prepare
from support.paths import DATA, NOTEBOOKS, ROOT

STORY_DOC = ROOT / "docs" / "story-yml.md"
README = ROOT / "README.md"


def story_example() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", STORY_DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/story-yml.md holds one complete example"
    return blocks[0]


def keys(node: object, prefix: str = "") -> set[str]:
    """Every key path of a YAML value, lists read through ("votes.result.yes")."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}{key}"
            found |= {path} | keys(value, f"{path}.")
    elif isinstance(node, list):
        for item in node:
            found |= keys(item, prefix)
    return found


def test_the_story_yml_example_loads_through_the_story_loader(tmp_path):
    dataset = tmp_path / "story"
    shutil.copytree(DATA, dataset, ignore=shutil.ignore_patterns("*.parquet"))
    (dataset / "story.yml").write_text(story_example(), encoding="utf-8")
    story = load_dataset(dataset).story
    assert story.title.startswith("Russia's")
    assert story.event_date == "2022-09-30"
    assert [part.since for part in story.framing] == ["", "2022-09-30"]
    assert story.framing_source_url == "https://example.org/analysis-2022-09-26"
    assert story.pole == "Moscow's position"
    assert (story.default_actor, story.default_issue, story.default_as_of) == (
        "belarus",
        "recognition",
        "2022-09-26",
    )
    assert story.compare_with == ("kazakhstan", "serbia", "south-ossetia")
    (vote,) = story.votes
    assert (vote.resolution, vote.issue, vote.title) == (
        "A/RES/ES-11/4",
        "recognition",
        "Territorial integrity of Ukraine",
    )
    assert vote.result is not None and vote.result.members == 193
    assert story.silence_text and [part.since for part in story.sources_text] == [
        "",
        "2022-10-12",
    ]


def test_the_story_yml_example_names_every_key_the_loader_knows():
    example = keys(yaml.safe_load(story_example()))
    known = (
        set(story_module.TOP_KEYS)
        | {f"framing_source.{key}" for key in story_module.SOURCE_KEYS}
        | {f"defaults.{key}" for key in story_module.DEFAULT_KEYS}
        | {f"votes.{key}" for key in story_module.VOTE_KEYS}
        | {f"votes.result.{key}" for key in story_module.RESULT_KEYS}
        | {f"texts.{key}" for key in story_module.SECTION_TEXT_KEYS}
        | {f"framing.{key}" for key in story_module.PART_KEYS}
        | {f"texts.sources.{key}" for key in story_module.PART_KEYS}
    )
    assert example == known
    table = STORY_DOC.read_text(encoding="utf-8").split("## Every key", 1)[1]
    for key in known - {"framing_source", "defaults", "texts"}:  # each key of theirs has a row
        if not key.startswith(("framing.", "texts.sources.", "votes.result.")):
            shown = "votes[]" if key == "votes" else key.replace("votes.", "votes[].")
            assert f"| `{shown}` |" in table, key


def test_papermill_python_api_cannot_pass_a_date(tmp_path):
    """README: dates go to papermill's Python API as text; a datetime.date fails in papermill
    itself, before any kernel, writing the notebook's JSON."""
    with pytest.raises(TypeError, match="Object of type date is not JSON serializable"):
        papermill.execute_notebook(
            str(NOTEBOOKS / "brief.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={"as_of": dt.date(2022, 9, 26)},
            prepare_only=True,  # parameterize and write, no kernel
            progress_bar=False,
        )


def test_papermill_python_api_passes_a_tuple_as_its_text_which_the_check_names(tmp_path):
    papermill.execute_notebook(
        str(NOTEBOOKS / "brief.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"compare_with": ("serbia",)},
        prepare_only=True,
        progress_bar=False,
    )
    injected = next(
        cell.source
        for cell in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
        if "injected-parameters" in cell.metadata.get("tags", [])
    )
    assert "compare_with = \"('serbia',)\"" in injected
    with pytest.raises(ParameterError) as refused:
        prepare(NOTEBOOKS / "brief.ipynb", {"compare_with": "('serbia',)"}, DATA)
    assert str(refused.value).startswith(
        "compare_with: got the text \"('serbia',)\", a tuple or list written out as text "
        "(papermill's Python API passes a tuple so): pass a list (e.g. ["
    )
    checked = prepare(NOTEBOOKS / "brief.ipynb", {"compare_with": ["serbia"]}, DATA)
    assert checked.parameters["compare_with"] == ["serbia"]


def readme_commands() -> list[str]:
    """README's shell lines that run a tool of the environment."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [
        line.split("  #")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if re.match(r"(\.venv/bin/)?(papermill|jupyter|reactions|pytest|python) ", line.strip())
    ]


def test_readme_tool_commands_run_from_the_environment():
    """Every papermill/jupyter/reactions line either carries .venv/bin/ or follows the
    activation step README gives first."""
    text = README.read_text(encoding="utf-8")
    activation = text.index(". .venv/bin/activate")
    for line in readme_commands():
        if not line.startswith(".venv/bin/"):
            assert text.index(line) > activation, line


def test_readme_nbconvert_leaves_nothing_untracked():
    (line,) = [line for line in readme_commands() if "nbconvert --to html" in line]
    assert "--output-dir" in line or "notebooks/*.html" in (ROOT / ".gitignore").read_text()
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "notebooks/actor.html"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0  # even without --output-dir, git status stays clean
