"""Any story: a dataset defines its event; the 2008 story renders with no word of the 2022 one;
a contract-only dataset renders with neutral defaults; a bad story file is refused by line."""

from __future__ import annotations

import shutil

import pytest

from reactions.cli import main
from support.dataset import write_dataset
from support.paths import DATA, ROOT, STORY_2008

STORY_2022 = ROOT / "data" / "ukraine-annexation-2022"
# Names and dates that belong to the 2022 story only.
WORDS_2022 = ("Sochi", "ES-11/4", "Makei", "referendums", "2022-09-26", "26 September 2022")
# The 2008 pages (the briefs of Belarus and Kazakhstan, the compare page): conftest's pages_2008.


def test_the_2008_story_validates():
    assert main(["validate", "--data", str(STORY_2008)]) == 0


def test_2008_pages_carry_no_word_of_the_2022_story(pages_2008):
    pages = sorted(pages_2008.glob("*.html"))
    assert [page.name for page in pages] == [
        "georgia-recognition-2008.brief.belarus.recognition.2008-09-30.html",
        "georgia-recognition-2008.brief.kazakhstan.recognition.2008-09-30.html",
        "georgia-recognition-2008.compare.all.2010-12-31.all.html",
        "georgia-recognition-2008.method.html",  # its method, published once for the story
    ]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert [word for word in WORDS_2022 if word in text] == [], page.name


def test_the_2008_belarus_headline_is_about_2008(pages_2008):
    executed = (
        pages_2008 / "georgia-recognition-2008.brief.belarus.recognition.2008-09-30.ipynb"
    ).read_text(encoding="utf-8")
    # The 2008 codebook's own in_sentence forms: the issue is the 2008 one.
    assert (
        "As of 30 September 2008, Belarus's position on recognition of Abkhazia and South "
        "Ossetia is ambiguous (0), set by Valentin Rybakov" in executed
    )
    assert "Among Kazakhstan, Nicaragua and Georgia, Belarus stands between Georgia" in executed


def test_the_package_names_no_story():
    hits = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in (ROOT / "src").rglob("*")
        if path.suffix in (".py", ".j2")
        for word in ("Sochi", "ES-11/4", "Lukashenk", "Makei", "Abkhazia", "Moscow", "2022-09-26")
        if word in path.read_text(encoding="utf-8")
    ]
    assert hits == []


def test_parameter_errors_give_examples_from_the_story_at_hand():
    """A 2008 reader is shown 2008 dates and actors, not the 2022 story's."""
    from reactions.errors import ParameterError
    from reactions.parameters import check_parameters, load_reference

    reference = load_reference(STORY_2008)
    with pytest.raises(ParameterError) as raised:
        check_parameters({"as_of": "2008-02-30", "compare_with": 7}, reference)
    assert str(raised.value).splitlines() == [
        "as_of: expected a real date written YYYY-MM-DD (e.g. '2008-09-30'), got '2008-02-30'",
        "compare_with: expected a list of actor_ids (e.g. ['kazakhstan', 'nicaragua']), got 7",
    ]


def test_notebook_sources_name_no_story():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        sources = "\n".join(cell.source for cell in notebook.cells)
        assert [w for w in ("Sochi", "ES-11/4", "Makei", "belarus", "2022") if w in sources] == []


def test_a_contract_only_dataset_renders_with_neutral_defaults(tmp_path):
    """No story file, and none of the 2022 trio: every page renders, with generic words."""
    data = write_dataset(tmp_path / "plain")
    (data / "votes.csv").unlink()
    out = tmp_path / "out"
    assert main(["render", "--data", str(data), "--actor", "belarus", "--out", str(out)]) == 0
    html = next(out.glob("plain.brief.belarus.*.html")).read_text(encoding="utf-8")
    assert "Among all actors on record" in html
    assert "reads no vote against" in html
    assert "This dataset describes no story of its own." in html
    assert "the supporting end of the scale" in html  # the neutral pole
    story_2022 = ("Moscow", "analyst", "central point", "Lukashenka said nothing", "REVIEW.md")
    assert [words for words in story_2022 if words in html] == []


def test_a_story_with_an_unknown_default_actor_is_refused_by_line(tmp_path, capsys):
    data = tmp_path / "story"
    shutil.copytree(STORY_2022, data)
    text = (data / "story.yml").read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(n for n, row in enumerate(lines, 1) if row.strip().startswith("compare_with:"))
    (data / "story.yml").write_text(text.replace("south-ossetia]", "narnia]"), encoding="utf-8")
    assert main(["validate", "--data", str(data)]) == 2
    error = capsys.readouterr().err
    assert f"story.yml:{line}: column 'defaults.compare_with' must be an actor_id" in error
    assert "'narnia'" in error
    out = tmp_path / "out"
    assert main(["render", "--data", str(data), "--out", str(out)]) == 2
    assert not out.exists()


def test_a_folder_of_stories_stands_for_its_default(capsys):
    assert main(["validate", "--data", str(ROOT / "data")]) == 0
    assert "ukraine-annexation-2022: valid" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("written", "closest"),
    [("A/RES/NOPE/1", "A/RES/ES-11/1"), ("68/262", "A/RES/68/262")],
)
def test_a_vote_of_record_that_matches_no_resolution_is_refused_naming_the_closest(
    tmp_path, capsys, written, closest
):
    """A typo would silently read no vote and change what a page finds: exit 2 instead."""
    data = shutil.copytree(DATA, tmp_path / "story")
    story_file = data / "story.yml"
    text = story_file.read_text(encoding="utf-8")
    story_file.write_text(text.replace("resolution: A/RES/ES-11/4", f"resolution: {written}"))
    line = next(
        number
        for number, content in enumerate(story_file.read_text().splitlines(), start=1)
        if content.strip() == f"- resolution: {written}"
    )
    assert main(["validate", "--data", str(data)]) == 2
    assert (
        f"story.yml:{line}: column 'votes.resolution' must be a resolution of votes.csv; "
        f"the closest is '{closest}' (value: '{written}')"
    ) in capsys.readouterr().err
