"""Fuzzing: random bytes and mutations of valid files reach the loader and the schedule reader,
and only ever produce the project's own error, never another exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactions.dataset import load_dataset
from reactions.errors import DatasetError, ScheduleError
from reactions.reference import quick_reference
from reactions.schedule import load_schedule
from support.dataset import write_dataset
from support.paths import ROOT
from support.processes import deadline

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TRICKY = st.sampled_from(
    [
        '"',
        ",",
        "\n",
        "\r\n",
        ";",
        "\t",
        "\x00",
        "\ufeff",
        "é",
        "\u2028",
        "'",
        ":",
        "-",
        "[",
        "{",
        "#",
        "&",
        "<script>",
        "NaN",
        " ",
    ]
)


@st.composite
def mutated(draw, text: str) -> bytes:
    """A valid file with a few characters inserted, deleted or replaced."""
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.one_of(TRICKY, st.text(max_size=3)))
        if action == "insert":
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 20)) :]
        else:
            text = text[:position] + piece + text[position + len(piece) :]
    raw = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        raw = raw.replace(b"\n", b"\r\n")
    return raw


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("valid") / "data")


def loads_or_refuses(folder: Path) -> None:
    try:
        load_dataset(folder)
    except DatasetError as error:
        assert error.problems and all(problem.file for problem in error.problems)
    try:
        quick_reference(folder)  # a Reference, None (the full validation then speaks), or ours
    except DatasetError as error:
        assert error.problems


def fuzz_file(valid: Path, tmp_path: Path, name: str, content: bytes) -> None:
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    for path in valid.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / name).write_bytes(content)
    loads_or_refuses(folder)


@pytest.mark.parametrize(
    "name", ["statements.csv", "actors.csv", "events.csv", "votes.csv", "codebook.yml"]
)
@FUZZ
@given(data=st.data())
def test_mutated_files_only_raise_our_error(valid, tmp_path, name, data):
    text = (valid / name).read_text(encoding="utf-8")
    fuzz_file(valid, tmp_path, name, data.draw(mutated(text)))


@pytest.mark.parametrize("name", ["statements.csv", "actors.csv", "codebook.yml"])
@FUZZ
@given(content=st.binary(max_size=400))
def test_random_bytes_only_raise_our_error(valid, tmp_path, name, content):
    fuzz_file(valid, tmp_path, name, content)


@FUZZ
@given(data=st.data())
def test_mutated_schedule_only_raises_our_error(valid, tmp_path, data):
    text = (
        (ROOT / "schedule.yml")
        .read_text(encoding="utf-8")
        .replace("kazakhstan, serbia, south-ossetia", "serbia")
    )
    path = tmp_path / "schedule.yml"
    path.write_bytes(data.draw(st.one_of(mutated(text), st.binary(max_size=300))))
    try:
        load_schedule(path, ROOT / "notebooks", valid)
    except ScheduleError as error:
        assert error.problems


# The codebook's structure: generated documents of every shape (types, aliases, odd keys) reach
# load_codebook and end as a Codebook or our DatasetError, each within a hang deadline.
CODEBOOK_KEYS = st.sampled_from(
    [
        "issues",
        "stances",
        "groups",
        "cues",
        "label",
        "score",
        "meaning",
        "rule",
        "question",
        "recognition",
        "silent",
        "west",
        "en",
        "ru",
        "explicit_support",
        "Bad Code",
        "1",
        "<<",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(st.sampled_from("ab \n\t\u2028\x07:-#&*!|>'\"[]{}"), max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(CODEBOOK_KEYS, children, max_size=4)
    ),
    max_leaves=25,
)


@st.composite
def codebook_documents(draw) -> str:
    """A codebook-like mapping dumped as YAML, sometimes with an anchor and aliases to it, a
    non-text key, a merge key or a tag spliced in."""
    import yaml

    document = draw(st.dictionaries(CODEBOOK_KEYS, VALUES, max_size=5))
    text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=draw(st.booleans()))
    extra = draw(
        st.sampled_from(
            [
                "",
                "anchor: &a {label: x, score: 1}\nissues: {recognition: *a, mobilization: *a}\n",
                "? [a, b]\n: x\n",
                "? {a: 1}\n: x\n",
                "base: &b {label: x}\ngroups: {west: {<<: *b}}\n",
                "stances: {silent: {score: !!int x}}\n",
                "stances: {silent: {score: !!binary '%%%'}}\n",
                "issues: {recognition: {label: !!python/object:os.system x}}\n",
                "l: &l [*l]\n",
                "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
                "deep: " + "[" * 300 + "]" * 300 + "\n",
            ]
        )
    )
    return text + extra


@FUZZ
@given(text=codebook_documents())
def test_generated_codebooks_only_raise_our_error(tmp_path, text):
    from reactions.codebook import Codebook, load_codebook

    path = tmp_path / "codebook.yml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        with deadline(60, "load_codebook of one generated document"):  # a hang, not a slow one
            assert isinstance(load_codebook(path), Codebook)
    except DatasetError as error:
        assert error.problems and all(problem.file == "codebook.yml" for problem in error.problems)


@FUZZ
@given(data=st.data())
def test_mutated_story_file_only_raises_our_error(valid, tmp_path, data):
    """story.yml (the shipped story's file) mutated, or random bytes, beside a valid dataset."""
    text = (ROOT / "data" / "ukraine-annexation-2022" / "story.yml").read_text(encoding="utf-8")
    fuzz_file(
        valid, tmp_path, "story.yml", data.draw(st.one_of(mutated(text), st.binary(max_size=300)))
    )


YAML_PARAMETERS = (
    "focal_actor: belarus\nissue: recognition\nas_of: 2022-09-26\n"
    "compare_with: [kazakhstan, serbia]\ncompare_to: ''\n"
)


@FUZZ
@given(data=st.data())
def test_mutated_yaml_parameters_only_raise_our_error(valid, data):
    """`-y` text, mutated or random, through the one bounded reader and the parameter checks:
    a dict of checked parameters or a ParameterError, nothing else."""
    from reactions.cli import _yaml_parameters
    from reactions.errors import ParameterError
    from reactions.parameters import check_parameters, load_reference

    raw = data.draw(st.one_of(mutated(YAML_PARAMETERS), st.binary(max_size=300)))
    text = raw.decode("utf-8", errors="replace")
    try:
        values = _yaml_parameters(text)
        check_parameters({**values, "data_dir": str(valid)}, load_reference(valid))
    except ParameterError as error:
        assert str(error)
