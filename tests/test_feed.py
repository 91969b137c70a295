"""The Atom feed as readers get it: valid by RFC 4287's own schema (Appendix B, in
tests/fixtures/atom.rng) and read by feedparser without an error, with and without a base URL;
and kept from day to day: the scheduled workflow restores the previous site before it
publishes, and two publishes in a row into the restored folder keep the earlier entries."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import feedparser
import pytest
import yaml
from lxml import etree

from reactions.changes import Move, PageChange, PageFacts, Snapshot, compare_snapshots
from reactions.feed import XML_BASE, read_feed, site_base, updated_feed
from support.notebooks import tiny_page
from support.paths import ROOT
from support.rendering import publish_cli

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = Path(__file__).parent / "fixtures" / "atom.rng"
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
RUN = dt.datetime(2026, 11, 25, 6, 0, 3, tzinfo=dt.UTC)
BASE = "https://example.org/reactions"  # no trailing slash: the site's folder all the same
STEM = "ukraine-annexation-2022.brief.belarus.recognition.2022-09-26"


def assert_valid_atom(feed: bytes) -> feedparser.FeedParserDict:
    """The feed is valid Atom by RFC 4287's RELAX NG schema and by the two rules the RFC's
    schema states as Schematron (an author for every entry, an alternate link or content),
    and feedparser reads it as Atom 1.0 without an error. Returns what feedparser read."""
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    document = etree.fromstring(feed)
    assert schema.validate(document), schema.error_log
    root = ElementTree.fromstring(feed)
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in root.iter(f"{ATOM}entry"):
        links = [node.get("rel", "alternate") for node in entry.iter(f"{ATOM}link")]
        assert "alternate" in links or entry.find(f"{ATOM}content") is not None
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_schema_is_rfc_4287_s_and_refuses_what_atom_forbids():
    schema = etree.RelaxNG(etree.parse(str(SCHEMA)))
    rnc = (SCHEMA.parent / "atom.rnc").read_text(encoding="utf-8")
    assert "# Atom Format Specification Version 11" in rnc and "start = atomFeed | atomEntry" in rnc
    good = updated_feed(None, [PageChange("a.b", "new", title="A")], RUN, Path("/r"))
    assert schema.validate(etree.fromstring(good))
    no_id = good.replace(b"<id>", b"<icon>", 1).replace(b"</id>", b"</icon>", 1)
    bad_date = good.replace(b"2026-11-25T06:00:03+00:00", b"25 November 2026", 1)
    no_title = good.replace(b"<title>Site first published: 1 page</title>", b"")
    for bad in (no_id, bad_date, no_title):
        assert not schema.validate(etree.fromstring(bad))


def feed_of_every_kind(base_url: str | None) -> bytes:
    """A first publish, then a correction with a moved headline and title, then hostile text."""
    before = PageFacts("Old title", "Kazakhstan implicitly rejects it.", "9fa7b969c7b7")
    after = PageFacts("New title", "Kazakhstan rejects it.", "0123456789ab")
    first = updated_feed(
        None, [PageChange(STEM, "new", title="Old title")], RUN, Path("/r"), base_url
    )
    correction = compare_snapshots(
        STEM,
        Snapshot({"comparison": "actor,stance\nKazakhstan,Implicit\n"}, before),
        Snapshot({"comparison": "actor,stance\nKazakhstan,Explicit\n"}, after),
    )
    hostile = PageChange(
        "s.b", "changed", (Move("<x>", '<script>alert("&")</script>\x01'),), title="<b>&</b>"
    )
    later = RUN + dt.timedelta(days=1)
    second = updated_feed(first, [correction, hostile], later, Path("/r"), base_url)
    assert second is not None
    return second


def test_without_a_base_url_links_are_relative_and_the_feed_is_valid():
    feed = feed_of_every_kind(None)
    parsed = assert_valid_atom(feed)
    root = ElementTree.fromstring(feed)
    assert root.get(XML_BASE) is None
    hrefs = {node.get("rel"): node.get("href") for node in root.findall(f"{ATOM}link")}
    assert hrefs == {"alternate": "index.html", "self": "feed.xml"}
    # a run's changed pages by name, then the pages it published for the first time
    assert [entry.link for entry in parsed.entries] == ["s.b.html", f"{STEM}.html", "index.html"]
    titles = ["<b>&</b>", "New title", "Site first published: 1 page"]
    assert [entry.title for entry in parsed.entries] == titles
    assert parsed.entries[1].content[0].value.startswith("<p><b>Headline changed:</b>")


def test_with_a_base_url_every_link_is_absolute_the_feed_says_its_base_and_is_valid():
    feed = feed_of_every_kind(BASE)
    parsed = assert_valid_atom(feed)
    root = ElementTree.fromstring(feed)
    assert root.get(XML_BASE) == f"{BASE}/"
    hrefs = {node.get("rel"): node.get("href") for node in root.findall(f"{ATOM}link")}
    assert hrefs == {"alternate": f"{BASE}/index.html", "self": f"{BASE}/feed.xml"}
    assert [entry.link for entry in parsed.entries] == [
        f"{BASE}/s.b.html",
        f"{BASE}/{STEM}.html",
        f"{BASE}/index.html",
    ]
    assert f'<a href="{BASE}/{STEM}.html">Old title</a>' in parsed.entries[2].content[0].value
    # an entry written before there was a base is made absolute when the feed is next written
    relative = feed_of_every_kind(None)
    _, entries = read_feed(relative)
    rewritten = updated_feed(relative, [], RUN + dt.timedelta(days=2), Path("/r"), BASE)
    assert rewritten is not None  # nothing moved, but the base is new: written again
    assert [entry.link for entry in assert_valid_atom(rewritten).entries] == [
        f"{BASE}/{entry.link}" for entry in entries
    ]
    assert updated_feed(rewritten, [], RUN + dt.timedelta(days=3), Path("/r"), BASE) is None


def test_a_base_url_is_an_absolute_http_url_taken_as_a_folder():
    assert site_base(None) is None and site_base("") is None
    assert site_base(BASE) == f"{BASE}/" and site_base(f"{BASE}/") == f"{BASE}/"
    for bad in ("example.org/reactions", "ftp://example.org/", "/reactions/", "https://"):
        with pytest.raises(ValueError, match="absolute http"):
            site_base(bad)


# --- from day to day: the workflow restores the site, and the feed keeps its entries --------


def workflow_steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["publish"]["steps"]


def step_index(steps: list[dict], predicate) -> int:
    (index,) = [n for n, step in enumerate(steps) if predicate(step)]
    return index


def restore_step(steps: list[dict]) -> dict:
    return steps[step_index(steps, lambda s: s.get("uses", "").startswith("actions/cache/restore"))]


def test_the_workflow_restores_the_previous_site_before_it_publishes_and_saves_it_after():
    steps = workflow_steps()
    restore = step_index(steps, lambda s: s.get("uses", "").startswith("actions/cache/restore"))
    publish = step_index(steps, lambda s: "make publish" in s.get("run", ""))
    save = step_index(steps, lambda s: s.get("uses", "").startswith("actions/cache/save"))
    deploy = step_index(steps, lambda s: s.get("uses", "").startswith("actions/deploy-pages"))
    assert restore < publish < save < deploy
    restored, saved = steps[restore]["with"], steps[save]["with"]
    assert restored["path"] == saved["path"]  # a cache is found by the paths it was saved with
    assert restored["path"].split()[0] == "report/"
    assert restored["key"] == saved["key"]
    assert "${{ github.ref_name }}" in restored["key"]  # keyed by branch
    assert restored["key"].startswith(restored["restore-keys"])  # the newest of the branch
    assert steps[save].get("if") == "always()"  # what was published is kept, failures or not


TINY = (
    "import pandas as pd\n"
    "from IPython.display import display\n"
    "from reactions import present\n"
    "word = 'WORD'\n"
    "display(present.Heading(f'What {actor} said'))\n"
    "display(present.Paragraph(f'{actor} said {word}.', 'headline'))\n"
    "display(present.Table(pd.DataFrame({'actor': [actor], 'word': [word]}), 'comparison'))\n"
)


def restore(previous: Path, target: Path) -> Path:
    """What the workflow's restore step gives the next run: the saved folder without the
    paths its `path` excludes (`!report/...`)."""
    excluded = {
        line.removeprefix("!report/").strip("/")
        for line in restore_step(workflow_steps())["with"]["path"].split()
        if line.startswith("!")
    }
    shutil.copytree(previous, target, ignore=lambda folder, names: excluded & set(names))
    return target


def test_two_publishes_in_a_row_after_the_workflow_s_restore_keep_the_feed(tmp_path):
    notebooks = tmp_path / "notebooks"
    stem = "ukraine-annexation-2022.tiny.belarus"
    schedule = "pages:\n  - {notebook: tiny, actor: belarus}\n"
    days = []
    for day, word in enumerate(("yes", "no")):
        tiny_page(notebooks, TINY.replace("WORD", word))
        out = tmp_path / f"day-{day}" / "report"
        if days:
            (days[-1] / "_failed").mkdir(exist_ok=True)
            (days[-1] / "_failed" / "old.ipynb").write_text("{}", encoding="utf-8")
            restore(days[-1], out)
            assert not (out / "_failed").exists()  # the workflow does not carry it over
        error = io.StringIO()
        with contextlib.redirect_stderr(error):
            assert publish_cli(tmp_path, schedule, out, notebooks) == 0, error.getvalue()[-3000:]
        days.append(out)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    (first,) = assert_valid_atom((days[0] / "feed.xml").read_bytes()).entries
    assert first.title == "Site first published: 1 page"
    changed, kept = assert_valid_atom((days[1] / "feed.xml").read_bytes()).entries
    assert kept.id == first.id and kept.title == first.title  # yesterday's entry kept
    assert changed.title == "What belarus said"  # the page's title
    assert changed.content[0].value.startswith(
        "<p><b>Headline changed:</b> «belarus said yes.» → «belarus said no.»</p>"
    )
    history = json.loads((days[1] / "history.json").read_text(encoding="utf-8"))["pages"]
    assert history[stem] == {"published": today, "last_changed": today, "corrections": []}
