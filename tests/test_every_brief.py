"""Every actor x issue: the brief's sections (what the notebook shows) run, and say something
honest."""

from __future__ import annotations

import json
import re

import pytest

from reactions import present
from reactions.dataset import load_dataset
from reactions.sections import brief
from support.paths import DATA, ROOT

BRIEF = ROOT / "notebooks" / "brief.ipynb"

# The sections of reactions.sections.brief, in the notebook's order (checked against it below).
SECTIONS = [
    "title",
    "headline",
    "field",
    "silence_note",
    "unsaid",
    "scale_note",
    "spectrum",
    "comparison",
    "groups",
    "changes",
    "votes_section",
    "timeline",
    "framing",
    "sources_note",
    "coverage",
    "provenance",
]


def notebook_code() -> str:
    cells = json.loads(BRIEF.read_text(encoding="utf-8"))["cells"]
    return "\n".join(
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", [])
    )


def plain_text(item: object, draw_charts: bool = False) -> str:
    """What a notebook shows as text/plain for one output.

    A chart's SVG is drawn only when asked (vl-convert is slow over every actor x issue); its
    spec is always built, and an empty chart gives its "nothing on record" note as the real
    mimebundle would.
    """
    if isinstance(item, present.Chart) and not draw_charts:
        spec = item.chart.to_dict()
        if not any(spec.get("datasets", {}).values()):
            return f"{item.description}: nothing on record to chart."
        return repr(item)
    bundle = item._repr_mimebundle_() if hasattr(item, "_repr_mimebundle_") else None
    if bundle is None:
        return repr(item)
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    return data["text/plain"]


def run_brief(parameters: dict[str, object], draw_charts: bool = False) -> list[str]:
    """Open the brief and run every section; return each output's text/plain, in order."""
    page = brief.open(
        parameters.get("focal_actor", ""),
        parameters.get("issue", ""),
        parameters.get("as_of", ""),
        parameters.get("compare_to", ""),
        parameters.get("compare_with"),
        parameters.get("data_dir", ""),
    )
    shown: list[str] = []
    for name in SECTIONS:
        output = getattr(brief, name)(page)
        for item in output if isinstance(output, list) else [output]:
            shown.append(plain_text(item, draw_charts))
    return shown


def test_the_notebook_shows_exactly_these_sections():
    called = set(re.findall(r"\bbrief\.(\w+)\(", notebook_code()))
    assert called == {"open", *SECTIONS}


DATASET = load_dataset(DATA)
ACTORS = list(DATASET.actors["actor_id"])
ISSUES = list(DATASET.codebook.issues)


def test_the_2022_dataset_has_its_four_issues():
    assert ISSUES == ["recognition", "mobilization", "war_participation", "belarus_involvement"]
    assert len(ACTORS) == 42


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
    assert len(outputs) == len(SECTIONS) + 1  # changes gives a sentence and a table
    assert all(text.strip() for text in outputs)
    name = DATASET.actor_name(actor)
    subject = DATASET.codebook.issue_words[issue].in_sentence
    title, headline, field = outputs[:3]
    # A headline states a finding: the actor's stance in a verb, never "X on Y, as of D".
    assert title.startswith((f"{name} ", f"No statement by {name} on {subject} is on record"))
    assert subject in title and ", as of " not in title
    assert headline.startswith(
        (
            f"As of 31 October 2022, {name}'s position on {subject} is ",
            f"As of 31 October 2022, no statement by {name} on {subject} is on record.",
            f"As of 31 October 2022, {name} has not addressed {subject}",
        )
    )
    assert "its group" in headline
    assert field.startswith(("Of the ", "No actor is on record")) and (
        f"on {subject} as of 31 October 2022" in field
    )
    changes = outputs[SECTIONS.index("changes")]
    assert changes.startswith(f"Between 26 September 2022 and 31 October 2022, {name}")
    assert "nan" not in headline and "None" not in headline


def test_a_date_before_any_statement_gives_honest_sections():
    outputs = run_brief(
        {
            "focal_actor": "belarus",
            "issue": "recognition",
            "as_of": "2022-01-01",
            "compare_to": "",
            "data_dir": str(DATA),
            "compare_with": [],
        },
        draw_charts=True,
    )
    text = "\n".join(outputs)
    assert (
        "As of 1 January 2022, no statement by Belarus on recognition of the “referendums” "
        "is on record."
    ) in text
    assert (
        "Where the actors stand on recognition of the “referendums”, 1 January 2022: "
        "0 rejecting, 0 ambiguous, 0 supporting: nothing on record to chart."
    ) in text
    assert (
        "Every statement on recognition of the “referendums” up to 1 January 2022, "
        "against the events it answers: nothing on record to chart."
    ) in text
    assert "This brief sets no comparison date." in text


def test_the_story_defaults_fill_empty_parameters():
    outputs = run_brief({"data_dir": str(DATA)})
    assert outputs[0] == (
        "Belarus hedges on recognition of the “referendums” as Serbia rejects it, Kazakhstan "
        "implicitly rejects it and South Ossetia leans toward it"
    )
    assert (
        "Among Kazakhstan, Serbia and South Ossetia, Belarus stands between Kazakhstan "
        "(implicit rejection, -1), below, and South Ossetia (implicit support, +1), above."
    ) in outputs[1]
