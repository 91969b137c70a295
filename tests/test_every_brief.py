"""Every actor x issue: the brief notebook's own code runs, and says something honest."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from reactions.dataset import load_dataset

BRIEF = ROOT / "notebooks" / "brief.ipynb"


def notebook_code(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", [])
    ]


def run_brief(parameters: dict[str, object]) -> list[str]:
    """Execute the brief's code cells in-process; return every output as rendered HTML."""
    shown: list[object] = []
    namespace: dict[str, object] = {**parameters, "display": shown.append}
    for source in notebook_code(BRIEF):
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "brief", "exec"), namespace)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), "brief", "eval"), namespace))
    html = []
    for item in shown:
        if item is None:
            continue
        bundle = (
            item._repr_mimebundle_()
            if hasattr(item, "_repr_mimebundle_")
            else {"text/html": item._repr_html_()}
        )
        html.append(bundle["text/html"])
    return html


ACTORS = list(load_dataset(DATA).actors["actor_id"])
ISSUES = ["recognition", "mobilization", "war_participation"]


@pytest.mark.parametrize("issue", ISSUES)
@pytest.mark.parametrize("actor", ACTORS)
def test_every_actor_and_issue(actor, issue):
    outputs = run_brief(
        {
            "focal_actor": actor,
            "issue": issue,
            "as_of": "2022-10-31",
            "compare_to": "2022-09-26",
            "data_dir": str(DATA),
            "compare_with": [],
        }
    )
    headline = outputs[1]
    assert headline.startswith('<p class="headline">')
    assert "its group" in headline and "Between 26 September 2022" in headline
    assert len(outputs) >= 10


def test_a_date_before_any_statement_gives_honest_sections():
    outputs = run_brief(
        {
            "focal_actor": "belarus",
            "issue": "recognition",
            "as_of": "2022-01-01",
            "compare_to": "",
            "data_dir": str(DATA),
            "compare_with": [],
        }
    )
    text = "\n".join(outputs)
    assert "Belarus: no statement on recognition on record as of 1 January 2022." in text
    assert "Stance spectrum: Recognition: nothing on record to chart." in text
    assert "Timeline: Recognition: nothing on record to chart." in text
