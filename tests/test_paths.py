"""Parameters and ids can never write outside the report folder; two briefs never share a file."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from reactions.cli import main
from reactions.render import BriefRequest

SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--actor", "../../etc/passwd"),
        ("--actor", "belarus/../../x"),
        ("--actor", "belarus x"),
        ("--actor", "беларусь"),
        ("--issue", "../recognition"),
        ("--as-of", "../2022-09-26"),
        ("--as-of", "2022-09-26/../../x"),
        ("--compare-to", "../../x"),
    ],
)
def test_hostile_parameters_are_refused_before_anything_is_written(tmp_path, capsys, option, value):
    arguments = {"--actor": "belarus", "--issue": "recognition", "--as-of": "2022-10-31"}
    arguments[option] = value
    out = tmp_path / "sandbox" / "report"
    flat = [part for pair in arguments.items() for part in pair]
    assert main(["render", *flat, "--data", str(DATA), "--out", str(out)]) == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "sandbox").exists()


actor_ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")
issue_codes = st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z")
dates = st.dates().map(lambda day: day.isoformat())
requests = st.builds(
    BriefRequest,
    actor=actor_ids,
    issue=issue_codes,
    as_of=dates,
    compare_to=st.one_of(st.just(""), dates),
    compare_with=st.one_of(st.none(), st.lists(actor_ids, max_size=4)),
)


@settings(max_examples=300, deadline=None)
@given(first=requests, second=requests)
def test_output_names_are_safe_slugs_and_distinct(first, second):
    for request in (first, second):
        assert SAFE_NAME.match(request.stem), request.stem
        assert "/" not in request.stem and ".." not in request.stem
    same_brief = (
        first.actor,
        first.issue,
        first.as_of,
        first.compare_to,
        sorted(set(first.compare_with)) if first.compare_with is not None else None,
    ) == (
        second.actor,
        second.issue,
        second.as_of,
        second.compare_to,
        sorted(set(second.compare_with)) if second.compare_with is not None else None,
    )
    assert (first.stem == second.stem) == same_brief


def test_comparison_names_never_collide_with_briefs():
    from reactions.dataset import load_dataset
    from reactions.render import check_comparison

    stem = check_comparison(load_dataset(DATA).reference, "2022-10-31")
    assert "." in stem and all(c in string.ascii_lowercase + string.digits + "._-" for c in stem)
