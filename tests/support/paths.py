"""Where the suite's inputs are: the repository, its default story and notebooks, and the
default brief's page (the one `support.rendering.render_cli` renders)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "ukraine-annexation-2022"
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "brief.ipynb"
STORY_2008 = ROOT / "data" / "georgia-recognition-2008"  # the second shipped story
STORY = "ukraine-annexation-2022"  # data/default.txt: the story a page reads by default
BRIEF_STEM = f"{STORY}.brief.belarus.recognition.2022-09-26"  # render_cli's page
# Its headline, a finding (as pinned in notebooks/brief.ipynb's reference output).
BRIEF_TITLE = (
    "Belarus hedges on recognition of the “referendums” as Serbia rejects it, Kazakhstan "
    "implicitly rejects it and South Ossetia leans toward it"
)
COMPARE_STEM = f"{STORY}.compare.all.2022-10-31.all"  # after ES-11/4: its votes chart too
ACTOR_STEM = f"{STORY}.actor.belarus.2022-10-31"  # conftest's actor_report
SINCE_STEM = f"{STORY}.brief.belarus.recognition.2022-10-31.since-2022-09-26"  # since_report's
SCREENSHOTS = ROOT / "report" / "screenshots"  # phone and share pictures a run keeps (CI artefacts)
