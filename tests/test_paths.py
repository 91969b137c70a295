"""Parameters and ids can never write outside the report folder; two pages never share a file;
the story a page reads is found the same way from anywhere."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactions.cli import main
from reactions.errors import ParameterError
from reactions.locate import resolve_data_dir
from reactions.page import prepare
from reactions.parameters import load_reference, output_stem
from support.dataset import write_dataset
from support.paths import DATA, NOTEBOOKS, ROOT, STORY

SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--actor", "../../etc/passwd", "focal_actor: unknown actor '../../etc/passwd'; valid: "),
        ("--actor", "belarus/../../x", "focal_actor: unknown actor 'belarus/../../x'"),
        ("--actor", "belarus x", "focal_actor: unknown actor 'belarus x'"),
        ("--actor", "беларусь", "focal_actor: unknown actor 'беларусь'; valid: "),
        ("--issue", "../recognition", "issue: unknown issue '../recognition'"),
        ("--as-of", "../2022-09-26", "as_of: expected a real date written YYYY-MM-DD"),
        ("--as-of", "2022-09-26/../../x", "got '2022-09-26/../../x'"),
        ("--compare-to", "../../x", "compare_to: expected a real date written YYYY-MM-DD"),
        ("--compare-with", "../x", "compare_with: unknown actor '../x'"),
    ],
)
def test_hostile_parameters_are_refused_before_anything_is_written(
    tmp_path, capsys, option, value, expected
):
    arguments = {"--actor": "belarus", "--issue": "recognition", "--as-of": "2022-10-31"}
    arguments[option] = value
    out = tmp_path / "sandbox" / "report"
    flat = [part for pair in arguments.items() for part in pair]
    assert main(["render", "brief", *flat, "--data", str(DATA), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and expected in error, error
    assert not (tmp_path / "sandbox").exists()


def test_a_hostile_page_name_is_not_a_notebook(tmp_path, capsys):
    out = tmp_path / "sandbox" / "report"
    code = main(["render", "../../etc/passwd", "--notebooks", str(NOTEBOOKS), "--out", str(out)])
    assert code == 2
    assert (
        f"error: notebook '../../etc/passwd' not found; pages in {NOTEBOOKS}: actor, brief, compare"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "sandbox").exists()


@pytest.fixture(scope="module")
def reference():
    return load_reference(DATA)


actor_ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")
issue_codes = st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z")
dates = st.dates().map(lambda day: day.isoformat())


def brief_parameters(focal_actor, issue, as_of, compare_to, compare_with) -> dict:
    """Checked brief parameters, in the brief's declared order (as `prepare` passes them)."""
    return {
        "focal_actor": focal_actor,
        "issue": issue,
        "as_of": as_of,
        "compare_to": compare_to,
        "compare_with": tuple(dict.fromkeys(compare_with)),
        "data_dir": str(DATA),
    }


briefs = st.builds(
    brief_parameters,
    actor_ids,
    issue_codes,
    dates,
    st.one_of(st.just(""), dates),
    st.one_of(
        st.lists(actor_ids, max_size=4),
        st.permutations(list(load_reference(DATA).story.compare_with)),  # the default peers
    ),
)


@settings(max_examples=300, deadline=None)
@given(first=briefs, second=briefs)
def test_output_names_are_safe_and_distinct_briefs_never_share_one(reference, first, second):
    stems = [output_stem("brief", brief, reference) for brief in (first, second)]
    for stem in stems:
        assert SAFE_NAME.match(stem), stem
        assert "/" not in stem and ".." not in stem
        assert stem.startswith(f"{STORY}.brief.")

    def meaning(brief: dict) -> tuple:
        among = brief["compare_with"]
        return (
            brief["focal_actor"],
            brief["issue"],
            brief["as_of"],
            brief["compare_to"],
            None if set(among) == set(reference.story.compare_with) else frozenset(among),
        )

    if stems[0] == stems[1]:
        assert meaning(first) == meaning(second)
    if meaning(first) == meaning(second):
        assert stems[0] == stems[1]


def test_output_name_parts(reference):
    checked = {
        "focal_actor": "belarus",
        "issue": "recognition",
        "as_of": "2022-10-31",
        "compare_to": "2022-09-26",
        "compare_with": reference.story.compare_with,
        "data_dir": str(DATA),
    }
    assert output_stem("brief", checked, reference) == (
        f"{STORY}.brief.belarus.recognition.2022-10-31.since-2022-09-26"
    )
    other = output_stem("brief", checked | {"compare_with": ("serbia",)}, reference)
    assert re.fullmatch(
        rf"{STORY}\.brief\.belarus\.recognition\.2022-10-31\.since-2022-09-26\.among-[0-9a-f]{{8}}",
        other,
    )


def test_the_default_peers_in_another_order_are_the_default_page(reference):
    default = reference.story.compare_with
    assert len(default) > 1
    checked = {"focal_actor": "belarus", "issue": "recognition", "as_of": "2022-10-31"}
    assert output_stem("brief", checked | {"compare_with": default[::-1]}, reference) == (
        output_stem("brief", checked | {"compare_with": default}, reference)
    )


def test_page_names_never_collide_across_notebooks():
    stems = {
        prepare(NOTEBOOKS / "brief.ipynb", {"as_of": "2022-10-31"}, DATA).stem,
        prepare(NOTEBOOKS / "compare.ipynb", {"as_of": "2022-10-31"}, DATA).stem,
        prepare(NOTEBOOKS / "actor.ipynb", {"as_of": "2022-10-31"}, DATA).stem,
    }
    assert stems == {
        f"{STORY}.brief.belarus.recognition.2022-10-31",
        f"{STORY}.compare.all.2022-10-31.all",
        f"{STORY}.actor.belarus.2022-10-31",
    }
    for stem in stems:
        assert SAFE_NAME.match(stem), stem


def test_data_takes_a_story_folder_or_a_folder_of_stories(tmp_path, monkeypatch):
    monkeypatch.delenv("REACTIONS_DATA", raising=False)
    assert (ROOT / "data" / "default.txt").read_text(encoding="utf-8").strip() == STORY
    assert resolve_data_dir(ROOT / "data") == DATA
    assert resolve_data_dir(DATA) == DATA
    assert resolve_data_dir("") == DATA
    monkeypatch.chdir(tmp_path)  # relative paths are also read from the project root
    assert resolve_data_dir("data") == DATA
    assert resolve_data_dir(f"data/{STORY}") == DATA
    story = write_dataset(tmp_path / "stories" / "fixture-story")
    (tmp_path / "stories" / "default.txt").write_text("fixture-story\n", encoding="utf-8")
    assert resolve_data_dir(tmp_path / "stories") == story
    monkeypatch.setenv("REACTIONS_DATA", str(story))
    assert resolve_data_dir("") == story
    page = prepare(NOTEBOOKS / "actor.ipynb", {"actor": "serbia", "as_of": "2022-09-26"})
    assert page.stem == "fixture-story.actor.serbia.2022-09-26"
    assert page.parameters["data_dir"] == str(story)
    (tmp_path / "stories" / "default.txt").write_text("../elsewhere\n", encoding="utf-8")
    with pytest.raises(
        ParameterError, match=r"names '\.\./elsewhere', which is not a story folder"
    ):
        resolve_data_dir(tmp_path / "stories")
    with pytest.raises(ParameterError, match="is not a dataset folder"):
        resolve_data_dir(tmp_path / "nowhere")
