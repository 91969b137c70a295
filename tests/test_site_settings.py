"""Site settings: schedule.yml's `site:` block (`url`, `title`, `licence`) or `reactions publish
--site-url URL`, checked like the rest of the schedule (file:line, exit 2; a URL must be
absolute http(s)), carried by every scheduled page (reactions.page.Site) and in its key, so a
change of site re-renders its pages."""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from pathlib import Path

import pytest

from reactions.errors import ParameterError, ScheduleError
from reactions.keys import page_key
from reactions.page import Site, site_url
from reactions.schedule import load_schedule
from support.notebooks import tiny_page
from support.paths import NOTEBOOKS
from support.rendering import publish_cli

ONE_PAGE = "pages:\n  - {notebook: brief, focal_actor: belarus, as_of: 2022-09-26}\n"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://example.org/reactions", "https://example.org/reactions/"),
        ("https://example.org/reactions/", "https://example.org/reactions/"),
        ("http://localhost:8000", "http://localhost:8000/"),
        ("HTTPS://Example.org/a%20b/", "HTTPS://Example.org/a%20b/"),
    ],
)
def test_a_site_url_is_an_absolute_http_folder(given, expected):
    assert site_url(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "example.org/reactions",  # relative
        "/reactions/",
        "ftp://example.org/",
        "javascript:alert(1)",
        "https://",
        "https:///path",
        "https://user:secret@example.org/",
        "https://example.org/?page=1",
        "https://example.org/#top",
        "https://example.org/a b/",
        "https://example.org/\x00",
        "https://example.org:99999/",
        "https://example.org/" + "a" * 2_000,
        "",
        2022,
        None,
    ],
)
def test_anything_else_is_refused(given):
    with pytest.raises(ParameterError):
        site_url(given)


def test_a_site_checks_itself_when_made():
    assert Site("https://example.org").url == "https://example.org/"
    with pytest.raises(ParameterError):
        Site("example.org")
    with pytest.raises(ParameterError):
        Site(title="a\nb")
    with pytest.raises(ParameterError):
        Site(licence="x" * 201)


def schedule_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_site_block_reaches_every_scheduled_page(tmp_path):
    text = (
        "site:\n"
        "  url: https://example.org/reactions\n"
        "  title: Reactions desk\n"
        "  licence: CC BY 4.0\n" + ONE_PAGE
    )
    schedule = load_schedule(schedule_file(tmp_path, text), NOTEBOOKS)
    expected = Site("https://example.org/reactions/", "Reactions desk", "CC BY 4.0", True)
    assert schedule.site == expected
    assert [job.site for job in schedule.jobs] == [expected]
    # --site-url wins over the block's
    other = load_schedule(schedule_file(tmp_path, text), NOTEBOOKS, url="https://b.example/")
    assert [job.site.url for job in other.jobs] == ["https://b.example/"]
    assert other.jobs[0].site.title == "Reactions desk"


def test_without_a_site_block_pages_are_relative_but_still_share_the_runtime(tmp_path):
    schedule = load_schedule(schedule_file(tmp_path, ONE_PAGE), NOTEBOOKS)
    assert [job.site for job in schedule.jobs] == [Site(shared_runtime=True)]


def test_a_bad_site_block_is_refused_with_its_lines(tmp_path):
    text = (
        "site:\n"
        "  url: ftp://example.org/\n"
        "  title: [not, text]\n"
        "  licence: CC BY 4.0\n"
        "  colour: blue\n" + ONE_PAGE
    )
    with pytest.raises(ScheduleError) as raised:
        load_schedule(schedule_file(tmp_path, text), NOTEBOOKS)
    shown = [str(problem) for problem in raised.value.problems]
    assert len(shown) == 3
    assert shown[0].startswith("schedule.yml:2: column 'site.url' a site URL must be absolute")
    assert shown[1].startswith("schedule.yml:3: column 'site.title' a site's title must be text")
    assert shown[2].startswith("schedule.yml:5: column 'site.colour' unknown key; use licence")
    with pytest.raises(ScheduleError) as raised:
        load_schedule(schedule_file(tmp_path, "site: https://example.org\n" + ONE_PAGE), NOTEBOOKS)
    assert str(raised.value.problems[0]).startswith("schedule.yml:1: column 'site' must be")


def test_publish_refuses_a_bad_site_before_anything_runs(tmp_path):
    notebooks, out = tmp_path / "notebooks", tmp_path / "report"
    tiny_page(notebooks, "x = 1")
    bad_block = "site:\n  url: example.org\npages:\n  - {notebook: tiny, actor: belarus}\n"
    with contextlib.redirect_stderr(io.StringIO()) as error:
        assert publish_cli(tmp_path, bad_block, out, notebooks) == 2
    assert "schedule.yml:2: column 'site.url' a site URL must be absolute http(s)" in (
        error.getvalue()
    )
    good = "pages:\n  - {notebook: tiny, actor: belarus}\n"
    with contextlib.redirect_stderr(io.StringIO()) as error:
        assert publish_cli(tmp_path, good, out, notebooks, "--site-url", "file:///srv/") == 2
    assert "error: a site URL must be absolute http(s)" in error.getvalue()
    assert not out.exists()  # refused before the lock, the index, anything


def test_a_page_key_holds_its_site_so_a_change_of_site_renders_it_again(tmp_path):
    schedule = load_schedule(schedule_file(tmp_path, ONE_PAGE), NOTEBOOKS)
    page = schedule.jobs[0]
    key = page_key(page, ())
    assert key["settings"]["site"] == {
        "url": "",
        "title": "",
        "licence": "",
        "shared_runtime": True,
    }
    for changed in (
        Site("https://example.org/", shared_runtime=True),
        Site(title="Desk", shared_runtime=True),
        Site(licence="CC BY 4.0", shared_runtime=True),
        Site(),
    ):
        assert page_key(replace(page, site=changed), ()) != key


def test_a_fresh_kernel_render_is_told_the_site():
    from reactions.cli import parser
    from reactions.publish import site_options

    site = Site("https://example.org/r", "Desk", "CC BY 4.0", True)
    options = site_options(site)
    assert options == [
        "--shared-runtime",
        "--site-url",
        "https://example.org/r/",
        "--site-title",
        "Desk",
        "--site-licence",
        "CC BY 4.0",
    ]
    arguments = parser().parse_args(["render", "brief", *options])
    assert (arguments.site_url, arguments.site_title, arguments.site_licence) == (
        "https://example.org/r/",
        "Desk",
        "CC BY 4.0",
    )
    assert arguments.shared_runtime
    assert site_options(Site()) == []
