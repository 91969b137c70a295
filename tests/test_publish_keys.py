"""Publish only what changed: each page's key (reactions.keys) is stored beside it; a publish
builds only pages whose key changed, removes pages the schedule dropped and files a page no
longer makes, and leaves the feed alone when nothing moved."""

from __future__ import annotations

import json

import nbformat

from reactions.feed import FEED_NAME
from support.notebooks import tiny_page
from support.rendering import publish_cli

SCHEDULE = "pages:\n  - notebook: tiny\n    matrix:\n      actor: [belarus, serbia]\n"
STEMS = ["ukraine-annexation-2022.tiny.belarus", "ukraine-annexation-2022.tiny.serbia"]


def _published(out):
    return json.loads((out / "changes.json").read_text(encoding="utf-8"))


def _rendered_at(out, stem):
    return nbformat.read(out / f"{stem}.ipynb", as_version=4).metadata["papermill"]["end_time"]


def test_a_second_publish_with_no_change_builds_nothing_and_keeps_the_feed(tmp_path, capsys):
    notebooks, out = tmp_path / "notebooks", tmp_path / "report"
    tiny_page(notebooks, "from IPython.display import display\ndisplay(actor)")
    assert publish_cli(tmp_path, SCHEDULE, out, notebooks) == 0
    assert sorted(p.name for p in out.glob("*.key")) == [f"{stem}.key" for stem in STEMS]
    key = json.loads((out / f"{STEMS[0]}.key").read_text(encoding="utf-8"))
    assert set(key) == {
        "notebook",
        "parameters",
        "data_version",
        "code",
        "runtime",
        "settings",
        "pdf",
        "siblings",
    }
    assert key["siblings"] == [STEMS[1]]
    first = {stem: _rendered_at(out, stem) for stem in STEMS}
    feed = (out / FEED_NAME).read_bytes() if (out / FEED_NAME).exists() else None
    capsys.readouterr()
    assert publish_cli(tmp_path, SCHEDULE, out, notebooks) == 0
    said = capsys.readouterr()
    assert "0 published, 2 unchanged, 0 failed" in said.err
    assert {stem: _rendered_at(out, stem) for stem in STEMS} == first  # not built again
    assert ((out / FEED_NAME).read_bytes() if (out / FEED_NAME).exists() else None) == feed
    assert _published(out)["changed"] == []


def test_a_changed_notebook_rebuilds_its_pages_and_force_rebuilds_all(tmp_path, capsys):
    notebooks, out = tmp_path / "notebooks", tmp_path / "report"
    tiny_page(notebooks, "x = 1")
    assert publish_cli(tmp_path, SCHEDULE, out, notebooks) == 0
    first = {stem: _rendered_at(out, stem) for stem in STEMS}
    tiny_page(notebooks, "x = 2")  # the same page, its source changed
    capsys.readouterr()
    assert publish_cli(tmp_path, SCHEDULE, out, notebooks) == 0
    assert "2 published, 0 failed" in capsys.readouterr().err
    second = {stem: _rendered_at(out, stem) for stem in STEMS}
    assert all(second[stem] != first[stem] for stem in STEMS)
    assert publish_cli(tmp_path, SCHEDULE, out, notebooks, "--force") == 0
    assert "2 published, 0 failed" in capsys.readouterr().err


def test_a_page_dropped_from_the_schedule_is_removed_with_every_file_it_made(tmp_path):
    notebooks, out = tmp_path / "notebooks", tmp_path / "report"
    tiny_page(notebooks, "x = 1")
    assert publish_cli(tmp_path, SCHEDULE, out, notebooks) == 0
    (out / "ukraine-annexation-2022.tiny.serbia.2022-10-01.html").write_text("another page's")
    one = "pages:\n  - notebook: tiny\n    actor: belarus\n"
    assert publish_cli(tmp_path, one, out, notebooks) == 0
    left = sorted(path.name for path in out.iterdir() if "serbia" in path.name)
    assert left == ["ukraine-annexation-2022.tiny.serbia.2022-10-01.html"]  # not its file
    assert (out / f"{STEMS[0]}.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "tiny.serbia.html" not in index
