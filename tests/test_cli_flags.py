"""`reactions render PAGE --NAME VALUE`: a flag is any parameter the chosen page declares, by
name or by a documented alias; an ambiguous or unknown flag exits 2 naming the page's
parameters, before any kernel starts."""

from __future__ import annotations

import time

import nbformat
import pytest

from reactions.cli import FLAG_ALIASES, main, page_flag_values, split_page_flags
from reactions.errors import ParameterError
from support.paths import ACTOR_STEM, DATA, NOTEBOOKS

BRIEF = {
    "focal_actor": "",
    "issue": "",
    "as_of": "",
    "compare_to": "",
    "compare_with": None,
    "data_dir": "",
}
ACTOR = {"actor": "", "as_of": "", "data_dir": ""}
COMPARE = {"issues": "all", "as_of": "", "group": "all", "data_dir": ""}
KNOWN = {"-p": 2, "--parameters": 2, "--data": 1, "--out": 1, "--pdf": 0}


def values(declared: dict, *tokens: str, page: str = "page") -> dict:
    rest, flags = split_page_flags(list(tokens), KNOWN)
    assert rest == []
    return page_flag_values(page, declared, flags)


@pytest.mark.parametrize(
    ("declared", "tokens", "expected"),
    [
        (BRIEF, ["--actor", "belarus"], {"focal_actor": "belarus"}),
        (BRIEF, ["--focal-actor", "belarus"], {"focal_actor": "belarus"}),
        (BRIEF, ["--focal_actor=belarus"], {"focal_actor": "belarus"}),
        (ACTOR, ["--actor", "belarus"], {"actor": "belarus"}),
        (COMPARE, ["--issue", "recognition"], {"issues": "recognition"}),
        (COMPARE, ["--issues", "all"], {"issues": "all"}),
        # text stays text where the page's default is text: the date check names it
        (BRIEF, ["--as-of", "2022"], {"as_of": "2022"}),
        (
            BRIEF,
            ["--compare-with", "serbia", "kazakhstan"],
            {"compare_with": ["serbia", "kazakhstan"]},
        ),
        (BRIEF, ["--compare-with", "serbia,kazakhstan"], {"compare_with": "serbia,kazakhstan"}),
        (BRIEF, ["--compare-with"], {"compare_with": []}),
        (BRIEF, ["--data-dir", "data"], {"data_dir": "data"}),
        (BRIEF, ["--actor", "belarus", "--focal-actor", "serbia"], {"focal_actor": "serbia"}),
        # a parameter whose default is neither text nor a list is read as papermill reads -p
        ({"top": 10}, ["--top", "5"], {"top": 5}),
        ({"shift": 0}, ["--shift", "-3"], {"shift": -3}),
    ],
)
def test_a_flag_sets_the_page_parameter_it_names_or_aliases(declared, tokens, expected):
    assert values(declared, *tokens) == expected


def test_the_commands_own_options_stay_with_it():
    tokens = ["--out", "r", "--actor", "belarus", "-p", "as_of", "2022-10-31", "--pdf", "--x=1"]
    rest, flags = split_page_flags(tokens, KNOWN)
    assert rest == ["--out", "r", "-p", "as_of", "2022-10-31", "--pdf"]
    assert flags == [("--actor", ["belarus"]), ("--x", ["1"])]


def test_every_alias_fits_a_parameter_of_a_shipped_page():
    from reactions.page import notebook_parameters

    declared = set().union(*(notebook_parameters(path) for path in NOTEBOOKS.glob("*.ipynb")))
    for alias, targets in FLAG_ALIASES.items():
        assert set(targets) <= declared, alias


@pytest.mark.parametrize(
    ("declared", "tokens", "message"),
    [
        (
            {"actor": "", "focal_actor": "", "as_of": ""},
            ["--actor", "belarus"],
            "page: --actor is ambiguous: this page has actor and focal_actor; give one by name "
            "(-p actor VALUE, -p focal_actor VALUE)",
        ),
        (
            ACTOR,
            ["--issue", "recognition"],
            "page: unknown option '--issue': not a parameter of this page; page takes --actor, "
            "--as-of, --data-dir, or -p NAME VALUE",
        ),
        (
            BRIEF,
            ["--actor", "belarus", "brief"],
            "page: --actor takes one value, got 'belarus', 'brief' (the page's name goes first: "
            "reactions render PAGE --actor VALUE)",
        ),
        (BRIEF, ["--as-of"], "page: --as-of needs a value (--as-of VALUE)"),
    ],
)
def test_a_flag_that_fits_no_parameter_or_two_is_refused(declared, tokens, message):
    with pytest.raises(ParameterError) as refused:
        values(declared, *tokens)
    assert str(refused.value) == message


def test_an_ambiguous_flag_exits_2_naming_the_page_parameters(tmp_path, capsys):
    notebook = nbformat.read(NOTEBOOKS / "actor.ipynb", as_version=4)
    parameters = next(
        cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])
    )
    parameters.source += '\nfocal_actor: str = ""  # a second actor parameter'
    pages = tmp_path / "pages"
    pages.mkdir()
    nbformat.write(notebook, pages / "pair.ipynb")
    out = tmp_path / "out"
    started = time.perf_counter()
    code = main(
        ["render", "pair", "--actor", "belarus", "--notebooks", str(pages), "--out", str(out)]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "error: pair: --actor is ambiguous: this page has actor and focal_actor; give one by "
        "name (-p actor VALUE, -p focal_actor VALUE)\n"
    )
    assert not out.exists()
    assert time.perf_counter() - started < 30  # diagnostic only: no kernel was started


def test_an_unknown_flag_exits_2_naming_the_page_parameters(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["render", "brief", "--bogus", "1", "--notebooks", str(NOTEBOOKS), "--out", str(out)]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "error: brief: unknown option '--bogus': not a parameter of this page; brief takes "
        "--focal-actor, --issue, --as-of, --compare-to, --compare-with, --data-dir (aliases: "
        "--actor for focal_actor), or -p NAME VALUE\n"
    )
    assert not out.exists()


def test_render_actor_with_the_actor_flag_and_p(actor_report):
    """The alias `--actor` sets the actor page's `actor`; `-p` still works beside it (conftest's
    actor_report is `reactions render actor --actor belarus -p as_of 2022-10-31`)."""
    assert (actor_report / f"{ACTOR_STEM}.html").is_file()
    executed = nbformat.read(actor_report / f"{ACTOR_STEM}.ipynb", as_version=4)
    assert executed.metadata["papermill"]["parameters"] == {
        "actor": "belarus",
        "as_of": "2022-10-31",
        "data_dir": str(DATA),
    }
