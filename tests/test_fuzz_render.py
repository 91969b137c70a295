"""Fuzzing names and labels through the whole page: any text that validates renders (exit 0),
and any text that does not is refused (exit 2), never a traceback.

The in-process test runs every section of the brief and the offline HTML export on each example
(fast); one example per run also goes through `reactions render` with a real kernel.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reactions.cli import main
from reactions.errors import DatasetError
from support.dataset import write_dataset

NAME = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def dataset_with(folder: Path, actor_name: str, issue_label: str, group_label: str) -> Path:
    data = write_dataset(folder)
    with (data / "actors.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    rows[0]["name"] = actor_name  # belarus, the default focal actor
    with (data / "actors.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    codebook = yaml.safe_load((data / "codebook.yml").read_text(encoding="utf-8"))
    codebook["issues"]["recognition"]["label"] = issue_label
    codebook["groups"]["russia_allies"]["label"] = group_label
    (data / "codebook.yml").write_text(yaml.safe_dump(codebook, allow_unicode=True), "utf-8")
    return data


def render_sections(data: Path) -> str:
    """Every section of the brief and the offline export, in this process."""
    from IPython.core.formatters import DisplayFormatter

    from reactions.exporter import export_page
    from reactions.sections import brief

    page = brief.open(data_dir=str(data), as_of="2022-10-31")
    shown = [
        brief.title(page),
        brief.headline(page),
        brief.field(page),
        brief.unsaid(page),
        brief.spectrum(page),
        brief.comparison(page),
        brief.groups(page),
        brief.votes_section(page),
        brief.timeline(page),
        brief.coverage(page),
    ]
    formatter = DisplayFormatter()
    notebook = nbformat.v4.new_notebook()
    for number, item in enumerate(shown, start=1):
        data_, metadata = formatter.format(item)
        cell = nbformat.v4.new_code_cell("", execution_count=number)
        cell.outputs = [nbformat.v4.new_output("execute_result", data_, metadata=metadata)]
        notebook.cells.append(cell)
    return export_page(notebook, "page")[0]


@SETTINGS
@given(actor_name=NAME, issue_label=NAME, group_label=NAME)
def test_any_name_or_label_renders_or_is_refused(
    tmp_path_factory, actor_name, issue_label, group_label
):
    data = dataset_with(tmp_path_factory.mktemp("fuzz"), actor_name, issue_label, group_label)
    try:
        html = render_sections(data)
    except DatasetError:
        return  # refused with located problems: the other allowed ending
    assert "<html" in html


@settings(
    max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actor_name=NAME, issue_label=NAME)
def test_a_sample_renders_through_the_real_command(tmp_path_factory, actor_name, issue_label):
    folder = tmp_path_factory.mktemp("fuzz-render")
    data = dataset_with(folder / "story", actor_name, issue_label, "Allies")
    code = main(["render", "--data", str(data), "--out", str(folder / "out")])
    assert code in (0, 2)
    if code == 0:
        assert len(list((folder / "out").glob("story.brief.*.html"))) == 1


@pytest.mark.parametrize("name", ["\u2028", "a\u2029b", "x" * 201, "<script>alert(1)</script>"])
def test_known_hard_names(tmp_path, name):
    data = dataset_with(tmp_path / "story", name, "Recognition", "Allies")
    code = main(["render", "--data", str(data), "--out", str(tmp_path / "out")])
    assert code == (0 if name.startswith("<") else 2)
