"""What a reader sees is right as prose and as of its date, on every page kind of every shipped
story and of a fixture story whose labels hold proper nouns (and give no sentence forms).

Each page is rendered as published (`reactions render`; those the suite's session fixtures
render alike are read from them), and its reader-visible text is read:
the body's text, alternative text, figure captions, link titles and chart tooltips' titles, the
provenance footer excepted (it states when the page was rendered, which is after any as_of).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reactions.cli import main
from reactions.codebook import load_codebook
from support.paths import ACTOR_STEM, BRIEF_STEM, COMPARE_STEM, DATA, SINCE_STEM, STORY_2008

# (story folder, notebook, parameters): every page kind of both stories at their default date,
# and the scheduled pages that read later dates.
PAGES = [
    (DATA, "brief", {}),
    (DATA, "brief", {"as_of": "2022-10-31", "compare_to": "2022-09-26"}),
    (DATA, "compare", {}),
    (DATA, "compare", {"as_of": "2022-10-31"}),
    (DATA, "actor", {"as_of": "2022-10-31"}),
    (STORY_2008, "brief", {}),
    (STORY_2008, "compare", {"as_of": "2010-12-31"}),
    (STORY_2008, "actor", {"as_of": "2008-12-31"}),
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _fixture_story(folder: Path) -> Path:
    """The 2022 story with labels that hold proper nouns and no sentence forms or verbs: a
    label must then keep its case in sentences."""
    shutil.copytree(DATA, folder)
    codebook = folder / "codebook.yml"
    lines = [
        line
        for line in codebook.read_text(encoding="utf-8").splitlines()
        if not re.match(r"\s+(in_sentence|verb|verb_plural|pronoun):", line)
    ]
    text = "\n".join(lines) + "\n"
    text = text.replace("label: Recognition", "label: Moscow's annexation claims")
    text = text.replace("label: Explicit support", "label: Backs Moscow outright")
    text = text.replace("label: Implicit rejection", "label: Cites the UN Charter")
    codebook.write_text(text, encoding="utf-8")
    return folder


def _render(out: Path, data: Path, notebook: str, parameters: dict[str, str]) -> Path:
    before = set(out.glob("*.html"))
    arguments = ["render", notebook, "--data", str(data), "--out", str(out)]
    for name, value in parameters.items():
        arguments += ["-p", name, value]
    assert main(arguments) == 0
    pages = {path for path in out.glob("*.html") if not path.name.endswith(".method.html")}
    (page,) = pages - before
    return page


def reader_text(page: Path) -> str:
    """Everything a reader can see or hear of the page, but its provenance footer."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for hidden in soup(["script", "style", "footer", "head"]):
        hidden.decompose()
    parts = [soup.get_text(" ")]
    parts += [tag["alt"] for tag in soup.find_all(alt=True)]
    parts += [tag["title"] for tag in soup.find_all(title=True)]
    return re.sub(r"\s+", " ", " ".join(parts))


# Pages of PAGES that conftest's session fixtures render alike (`reactions render` alone in its
# folder, the story's defaults spelled out): read there, not rendered again. (page, fixture, stem)
SHARED = [
    ((DATA, "brief", {}), "brief_report", BRIEF_STEM),
    (
        (DATA, "brief", {"as_of": "2022-10-31", "compare_to": "2022-09-26"}),
        "since_report",
        SINCE_STEM,
    ),
    ((DATA, "actor", {"as_of": "2022-10-31"}), "actor_report", ACTOR_STEM),
    ((DATA, "compare", {"as_of": "2022-10-31"}), "pages_report", COMPARE_STEM),
    (
        (STORY_2008, "brief", {}),
        "pages_2008",
        "georgia-recognition-2008.brief.belarus.recognition.2008-09-30",
    ),
    (
        (STORY_2008, "compare", {"as_of": "2010-12-31"}),
        "pages_2008",
        "georgia-recognition-2008.compare.all.2010-12-31.all",
    ),
]


@pytest.fixture(scope="module")
def pages(
    tmp_path_factory, brief_report, pages_report, pages_2008, since_report, actor_report
) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(story, notebook, as_of) -> (the page's reader text, its as_of date)."""
    out = tmp_path_factory.mktemp("prose")
    fixture = _fixture_story(tmp_path_factory.mktemp("story") / "proper-nouns")
    folders = {
        "brief_report": brief_report,
        "pages_report": pages_report,
        "pages_2008": pages_2008,
        "since_report": since_report,
        "actor_report": actor_report,
    }
    shared = {
        (data, notebook, repr(given)): (name, stem)
        for (data, notebook, given), name, stem in SHARED
    }
    rendered = {}
    for data, notebook, parameters in [
        *PAGES,
        *[(fixture, kind, {}) for kind in ("brief", "compare", "actor")],
    ]:
        if (data, notebook, repr(parameters)) in shared:
            name, stem = shared[(data, notebook, repr(parameters))]
            page = folders[name] / f"{stem}.html"
        else:
            page = _render(out, data, notebook, parameters)
        as_of = re.search(r"\d{4}-\d{2}-\d{2}", page.name.split(".", 2)[2]).group(0)
        rendered[(data.name, notebook, page.name)] = (reader_text(page), as_of)
    assert len(rendered) == len(PAGES) + 3  # each page, once (a shared one read from its fixture)
    return rendered


def test_every_page_kind_of_every_story_is_rendered(pages):
    kinds = {(story, notebook) for story, notebook, _ in pages}
    assert kinds == {
        (story, notebook)
        for story in ("ukraine-annexation-2022", "georgia-recognition-2008", "proper-nouns")
        for notebook in ("brief", "compare", "actor")
    }


def _hits(pattern: str, text: str, flags: int = 0) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in re.finditer(pattern, text, flags)]


PROSE_FAULTS = {
    # "a" before a vowel sound ("a actor"), but "a one", "a UN", "a European", "a united"
    "a before a vowel": r"\b[Aa] (?!one\b|once\b|UN\b|Eu|eu|uni|Uni|use)[aeiouAEIOU]\w*",
    "a Python list in prose": r"\['",
    "None as a word": r"\bNone\b(?! of)",
    "nan as a word": r"\b(nan|NaN|NaT)\b",
    "a snake_case token": r"\b[a-z]+_[a-z_]+\b",
    "'is' before a list": r"\bit is [A-Z][^.;:()]* and [A-Z]",
    "'no record' as words": r"\bno record\b",
    "a silence counted as a statement": r"first (worded )?statement on record from [^.;]*silent",
}


@pytest.mark.parametrize("fault", sorted(PROSE_FAULTS))
def test_no_page_has_a_known_prose_fault(pages, fault):
    found = {
        name: _hits(PROSE_FAULTS[fault], text)
        for (_, _, name), (text, _) in pages.items()
        if _hits(PROSE_FAULTS[fault], text)
    }
    assert found == {}


def test_no_codebook_label_is_lower_cased_in_a_sentence(pages):
    for story, folder in (
        ("ukraine-annexation-2022", DATA),
        ("georgia-recognition-2008", STORY_2008),
    ):
        codebook = load_codebook(folder / "codebook.yml")
        allowed = {stance.in_sentence for stance in codebook.stances.values()}
        allowed |= {words.in_sentence for words in codebook.issue_words.values()}
        labels = [*codebook.issues.values(), *codebook.groups.values()]
        labels += [stance.label for stance in codebook.stances.values()]
        # A one-word label lower-cased is a common word a quote or a story text may use too.
        lowered = [label.lower() for label in labels if label.lower() != label and " " in label]
        lowered = [label for label in lowered if label not in allowed]
        for (page_story, _, name), (text, _) in pages.items():
            if page_story == story:
                for phrase in allowed:  # a sentence form may hold a label's words
                    text = text.replace(phrase, " ")
                found = [label for label in lowered if re.search(rf"\b{re.escape(label)}\b", text)]
                assert found == [], name


def test_proper_nouns_in_labels_keep_their_case(pages):
    texts = [text for (story, _, _), (text, _) in pages.items() if story == "proper-nouns"]
    whole = " ".join(texts)
    for label in ("Moscow's annexation claims", "Backs Moscow outright", "Cites the UN Charter"):
        assert label in whole
        assert label.lower() not in whole


def _later_dates(text: str, as_of: str) -> list[str]:
    """Dates and years in `text` after `as_of` (YYYY-MM-DD), written as pages write them."""
    year, month, day = (int(part) for part in as_of.split("-"))
    found = []
    for match in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", text):
        if tuple(int(part) for part in match.groups()) > (year, month, day):
            found.append(match.group(0))
    names = "|".join(MONTHS)
    for match in re.finditer(rf"\b(?:(\d{{1,2}}) )?({names}) (\d{{4}})\b", text):
        written = (int(match.group(3)), MONTHS.index(match.group(2)) + 1, int(match.group(1) or 1))
        if written[:2] > (year, month) or (
            written[:2] == (year, month) and written > (year, month, day)
        ):
            found.append(match.group(0))
    for match in re.finditer(r"\b(19\d\d|20\d\d)\b", text):
        if int(match.group(1)) > year:
            found.append(match.group(0))
    return found


def test_nothing_after_a_pages_date_is_in_its_text(pages):
    later = {
        name: _later_dates(text, as_of)
        for (story, _, name), (text, as_of) in pages.items()
        if story != "proper-nouns" and _later_dates(text, as_of)
    }
    assert later == {}


def test_the_framing_is_shown_on_every_brief(pages):
    for (story, notebook, name), (text, _) in pages.items():
        if notebook == "brief" and story != "proper-nouns":
            assert "(Source: " in text, name


def test_no_page_prints_a_week_precision_date_as_a_day(pages):
    """Makei's interview is dated to the week of 24 September 2022, in words and in tables."""
    text, _ = pages[
        (
            "ukraine-annexation-2022",
            "brief",
            "ukraine-annexation-2022.brief.belarus.recognition.2022-09-26.html",
        )
    ]
    assert "Foreign Minister, in the week of 24 September 2022" in text
    assert "Belarus Russia's allies (Union State, CSTO) Ambiguous 0 week of 2022-09-24 " in text
