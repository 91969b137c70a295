"""The site around the pages (issue 21): the front page, each page's header, sourced pages.

- the front page leads with the default story, shows every published page's headline, lede and
  dateline by story and kind of page, prints no parameter and no timing, and stays text;
- every page's header links the index, its story's method and the other published pages of its
  story, nearest in date, each a file that exists (a sibling that never published is not
  linked); a lone render links only what is in its folder;
- every quote, vote and official result links its source (the compare page: every statement
  row and every vote it shows); every page links its findings CSVs and its story's dataset,
  published once per story in downloads/STORY/, and shows a citation line;
- "Data as of" (the newest statement on record by the page's date) under every title.

One small publish run (three pages of the default story, one of the 2008 story) is shared by
the module; the browser checks open its pages at 1280 and 375 px, offline.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from reactions.downloads import SUMS_FILE, VERSION_FILE, publish_dataset
from reactions.index import page_label, render_index
from reactions.page import Page, Sibling, SiteLinks, prepare
from reactions.present import Heading, Paragraph, Source, linked_text
from reactions.reference import quick_reference
from reactions.site import MAX_SIBLINGS, linkable, run_links, write_index
from support.paths import BRIEF_STEM, BRIEF_TITLE, DATA, NOTEBOOKS, ROOT, STORY
from support.rendering import publish_cli
from test_browser import CHROMIUM, open_offline

GEORGIA = ROOT / "data" / "georgia-recognition-2008"
KAZAKHSTAN_STEM = f"{STORY}.brief.kazakhstan.recognition.2022-09-30"
COMPARE_STEM = f"{STORY}.compare.all.2022-10-31.all"
GEORGIA_STEM = "georgia-recognition-2008.brief.belarus.recognition.2008-09-30"
STEMS = [BRIEF_STEM, KAZAKHSTAN_STEM, COMPARE_STEM, GEORGIA_STEM]
HOSTILE = '<img src=x onerror="window.__pwned=1"> & <script>window.__pwned=2</script>'


# --- what a page is, in words, and the front page as a template renders it -------------------


def test_a_page_is_named_in_words_from_its_story_never_by_its_codes():
    reference = quick_reference(DATA)
    assert reference is not None
    brief = {"focal_actor": "south-ossetia", "issue": "recognition", "as_of": "2022-09-26"}
    brief |= {"compare_to": "2022-09-20", "compare_with": ["serbia"], "data_dir": "/x"}
    said = "Brief: South Ossetia, Recognition, 26 September 2022, changes since 20 September 2022"
    assert page_label("brief", brief, reference) == said
    assert page_label("brief", dict(sorted(brief.items())), reference) == said  # any order
    compare = {"issues": "all", "as_of": "2022-10-31", "group": "all"}
    assert page_label("compare", compare, reference) == "Comparison: all issues, 31 October 2022"
    assert page_label("actor", {"actor": "belarus", "as_of": "2022-10-31"}, None) == (
        "Actor: belarus, 31 October 2022"  # no reference: the code, never a crash
    )
    assert page_label("tiny_page", {}, None) == "Tiny page"


def front_entry(**extra: str) -> dict[str, str]:
    return {
        "file": "s.brief.x.html",
        "story": "s",
        "page": "brief",
        "title": "A finding",
        "headline": "The lede.",
        "dateline": "Data as of 1 January 2000",
        "as_of": "2000-01-31",
        "label": "Brief: X, 31 January 2000",
    } | extra


def test_the_front_page_groups_by_story_and_kind_the_lead_story_first():
    pages = [
        front_entry(story="b-story", file="b.html", title="Finding of B"),
        front_entry(story="a-story", file="a1.html", as_of="2000-01-01", title="Older brief"),
        front_entry(story="a-story", file="a2.html", as_of="2000-02-01", title="Newer brief"),
        front_entry(story="a-story", file="a3.html", page="compare", title="The comparison"),
    ]
    stories = [
        {"slug": "b-story", "title": "The B story", "framing": "What B is."},
        {"slug": "a-story", "title": "The A story", "framing": ""},
    ]
    html = render_index(pages, stories)
    order = [html.index(text) for text in ("The B story", "Finding of B", "The A story")]
    assert order == sorted(order)  # the stories in the order given: the lead first
    a_story = html[html.index("The A story") :]
    order = [a_story.index(text) for text in ("Comparisons", "Briefs", "Newer", "Older")]
    assert order == sorted(order)  # comparisons, then briefs, newest first
    assert "What B is." in html


def test_the_front_page_escapes_every_text_it_shows():
    hostile = front_entry(title=HOSTILE, headline=HOSTILE, dateline=HOSTILE, label=HOSTILE)
    story = {"slug": "s", "title": HOSTILE, "framing": HOSTILE, "framing_source": HOSTILE}
    story["framing_url"] = "https://example.org/?a=1&b=2"
    html = render_index([hostile | {"status": "changed", "changed": HOSTILE}], [story])
    assert "<img" not in html and "<script>" not in html
    assert html.count("&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;") == 8
    assert 'href="https://example.org/?a=1&amp;b=2"' in html
    assert "No page is published yet" in render_index([])


# --- a paragraph's sources -------------------------------------------------------------------


def test_a_paragraph_links_its_sources_in_its_html_and_keeps_its_text():
    text = 'Belarus said “no <never>” and voted A/RES/1 (1 May 2000): voted no (source: "R").'
    sources = [
        Source("no <never>", "https://example.org/q?x=1&y=2", "Source: T (P)"),
        Source("A/RES/1 (1 May 2000)", "javascript:alert(1)", "the vote"),
        Source('"R"', "https://example.org/r"),
        Source("absent words", "https://example.org/none"),
    ]
    paragraph = Paragraph(text, "headline", sources)
    data, metadata = paragraph._repr_mimebundle_()
    assert data["text/plain"] == text and metadata == {"reactions": {"role": "headline"}}
    html = data["text/html"]
    assert (
        '<a href="https://example.org/q?x=1&amp;y=2" rel="noopener noreferrer nofollow" '
        'title="Source: T (P)">no &lt;never&gt;</a>' in html
    )
    assert "javascript" not in html and "A/RES/1 (1 May 2000): voted no" in html  # inert text
    assert (
        '<a href="https://example.org/r" rel="noopener noreferrer nofollow">&quot;R&quot;</a>'
        in (html)
    )
    assert "example.org/none" not in html
    assert linked_text("a b a", [Source("a b", "https://x.org"), Source("b a", "https://y.org")])
    assert linked_text("<b>", []) == "&lt;b&gt;"


def test_a_title_carries_its_dateline_and_the_date_it_stands_for():
    data, metadata = Heading(
        "A <b>title</b>", "Data as of 1 May 2000", "2000-05-01"
    )._repr_mimebundle_()
    assert data["text/plain"] == "A <b>title</b>"  # the page's <title> and share card read it
    assert data["text/html"] == (
        '<h1>A &lt;b&gt;title&lt;/b&gt;</h1>\n<p class="dateline">Data as of 1 May 2000</p>'
    )
    assert metadata["reactions"] == {
        "role": "title",
        "dateline": "Data as of 1 May 2000",
        "data_as_of": "2000-05-01",
    }


# --- a story's dataset, published once ------------------------------------------------------


def test_a_story_s_dataset_is_published_once_with_its_sums_and_version(tmp_path):
    out = tmp_path / "report"
    files = publish_dataset(out, STORY, DATA)
    folder = out / "downloads" / STORY
    assert files == tuple(
        f"downloads/{STORY}/{name}"
        for name in sorted(
            name
            for name in (
                "actors.csv",
                "blind_coding.csv",
                "codebook.yml",
                "events.csv",
                "statements.csv",
                "story.yml",
                "votes.csv",
            )
        )
    )
    for line in (folder / SUMS_FILE).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
        assert (folder / name).read_bytes() == (DATA / name).read_bytes()
    written = (folder / "statements.csv").stat().st_mtime_ns
    (folder / "stray.txt").write_text("left by hand", encoding="utf-8")
    assert publish_dataset(out, STORY, DATA) == files  # this version is there: not rewritten
    assert (folder / "statements.csv").stat().st_mtime_ns == written
    (folder / VERSION_FILE).write_text("another\n", encoding="utf-8")
    publish_dataset(out, STORY, DATA)  # another version there: written again, strays removed
    assert not (folder / "stray.txt").exists()
    assert not list(folder.glob(".*.tmp"))


# --- siblings: what a page's header may link ------------------------------------------------


def _pages(data: Path) -> list[Page]:
    notebook = NOTEBOOKS / "brief.ipynb"
    return [
        prepare(notebook, {"focal_actor": actor, "as_of": as_of}, data)
        for actor, as_of in (
            ("belarus", "2022-09-26"),
            ("kazakhstan", "2022-09-30"),
            ("serbia", "2022-10-31"),
            ("armenia", "2022-09-27"),
        )
    ]


def test_siblings_are_the_story_s_other_pages_nearest_in_date_that_exist_or_are_built(tmp_path):
    out = tmp_path / "report"
    (out / "_failed").mkdir(parents=True)
    pages = _pages(DATA)
    belarus, kazakhstan, serbia, armenia = pages
    (out / kazakhstan.html).write_text("published", encoding="utf-8")
    (out / "_failed" / armenia.executed).write_text("{}", encoding="utf-8")  # never published
    failed = {serbia.stem}  # the last run's changes.json says so
    (out / "changes.json").write_text(json.dumps({"failed": [serbia.stem]}), encoding="utf-8")
    assert linkable(out, belarus, set())  # being built, never failed
    assert linkable(out, kazakhstan, failed | {kazakhstan.stem})  # its last good page is there
    assert not linkable(out, serbia, failed) and not linkable(out, armenia, set())
    links = run_links(pages, out, {"url": "https://example.org/site/", "licence": "CC BY 4.0"})
    assert [sibling.file for sibling in links[belarus.stem].siblings] == [kazakhstan.html]
    assert links[serbia.stem].url == "https://example.org/site/"
    assert links[serbia.stem].licence == "CC BY 4.0"
    (out / "changes.json").write_text(json.dumps({"failed": []}), encoding="utf-8")
    (out / "_failed" / armenia.executed).unlink()
    links = run_links(pages, out, {"url": 3})  # a setting that is not text is not used
    nearest = [sibling.as_of for sibling in links[belarus.stem].siblings]
    assert nearest == ["2022-09-27", "2022-09-30", "2022-10-31"]  # nearest in date first
    assert links[belarus.stem].siblings[0] == Sibling(
        armenia.html, "Brief: Armenia, Recognition, 27 September 2022", "2022-09-27"
    )
    assert links[belarus.stem].index == "index.html"
    assert (
        links[belarus.stem].story_title
        == 'Russia\'s "referendums" and annexation of four regions of Ukraine (2022)'
    )
    assert links[belarus.stem].url == "" and links[belarus.stem].licence == ""
    assert SiteLinks.from_json(links[belarus.stem].as_json()) == links[belarus.stem]


def test_a_page_links_at_most_its_nearest_siblings(tmp_path):
    notebook, known = NOTEBOOKS / "brief.ipynb", {}  # each dataset read once
    pages = [prepare(notebook, {"as_of": f"2022-10-{d:02d}"}, DATA, known) for d in range(1, 13)]
    links = run_links(pages, tmp_path)
    siblings = links[pages[0].stem].siblings
    assert len(siblings) == MAX_SIBLINGS
    assert [sibling.as_of for sibling in siblings] == [f"2022-10-{day:02d}" for day in range(2, 10)]


# --- a real publish run ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Three pages of the default story and one of the 2008 story, published by one run."""
    root = tmp_path_factory.mktemp("front")
    out = root / "report"
    schedule = (
        "timeout: 600\n"
        "pages:\n"
        "  - {notebook: brief, focal_actor: belarus, issue: recognition, as_of: 2022-09-26}\n"
        "  - {notebook: brief, focal_actor: kazakhstan, issue: recognition, as_of: 2022-09-30}\n"
        "  - {notebook: compare, as_of: 2022-10-31}\n"
        f"  - {{notebook: brief, data: {GEORGIA}, as_of: 2008-09-30}}\n"
    )
    error = io.StringIO()
    with contextlib.redirect_stderr(error):
        code = publish_cli(root, schedule, out, NOTEBOOKS)
    assert code == 0, error.getvalue()[-3000:]
    return out


class Links(HTMLParser):
    """Every link of a page, where it is (header, main, footer) and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.where: list[str] = []
        self.open: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("header", "main", "footer", "tr", "p", "h1"):
            self.where.append(f"{tag}.{attributes.get('class') or ''}")
        if tag == "a" and attributes.get("href"):
            self.open = {"href": str(attributes["href"]), "in": "/".join(self.where), "text": ""}
            self.links.append(self.open)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("header", "main", "footer", "tr", "p", "h1") and self.where:
            self.where.pop()
        if tag == "a":
            self.open = None

    def handle_data(self, data: str) -> None:
        if self.open is not None:
            self.open["text"] += data


def links_of(html: str) -> list[dict[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


def local_target(out: Path, page: Path, href: str) -> Path | None:
    """The file a relative link names (None for a link elsewhere or within the page)."""
    parsed = urlparse(href)
    if parsed.scheme or href.startswith("#"):
        return None
    return page.parent / unquote(parsed.path)


def test_every_scheduled_page_is_published_with_its_dataset(site):
    for stem in STEMS:
        assert (site / f"{stem}.html").is_file()
    for story in (STORY, "georgia-recognition-2008"):
        assert (site / "downloads" / story / "statements.csv").is_file()
        assert (site / "downloads" / story / SUMS_FILE).is_file()


def test_the_index_leads_with_the_default_story_and_shows_every_page_s_headline(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert headings[0].startswith("Russia&#39;s &#34;referendums&#34;")  # data/default.txt's
    assert "Abkhazia and South Ossetia (2008)" in headings[1]
    for stem in STEMS:
        notebook = nbformat.read(site / f"{stem}.ipynb", as_version=4)
        (title,) = [
            output
            for cell in notebook.cells
            for output in cell.get("outputs", [])
            if output.get("metadata", {}).get("reactions", {}).get("role") == "title"
        ]
        shown = title["data"]["text/plain"]
        assert f'<a href="{stem}.html">{escape_like_jinja(shown)}</a>' in html
        dateline = title["metadata"]["reactions"]["dateline"]
        assert dateline.startswith("Data as of ") and escape_like_jinja(dateline) in html
    assert f'<a href="{BRIEF_STEM}.html">{escape_like_jinja(BRIEF_TITLE)}</a>' in html
    assert "Brief: Belarus, Recognition, 26 September 2022" in html
    for printed in ("compare_with=[", "focal_actor=", "as_of=", "seconds", "rendered"):
        assert printed not in html  # no parameter as code, no timing
    main = html[html.index(headings[0]) :]
    assert main.index("Comparisons") < main.index("Briefs")
    for link in links_of(html):
        target = local_target(site, site / "index.html", link["href"])
        assert target is None or target.is_file(), link


def escape_like_jinja(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def test_the_index_can_lead_with_another_story(site, tmp_path):
    target = write_index(site, lead="georgia-recognition-2008")
    html = target.read_text(encoding="utf-8")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert "Abkhazia" in headings[0]
    write_index(site)  # as the run left it


def test_every_header_link_resolves_and_siblings_are_the_story_s_own(site):
    for stem in STEMS:
        page = site / f"{stem}.html"
        html = page.read_text(encoding="utf-8")
        header = [link for link in links_of(html) if link["in"].startswith("header")]
        hrefs = [link["href"] for link in header]
        story = stem.split(".")[0]
        assert hrefs[:2] == ["index.html", f"{story}.method.html"], hrefs
        for link in header:
            target = local_target(site, page, link["href"])
            assert target is not None and target.is_file(), link
        siblings = hrefs[2:]
        own = [other for other in STEMS if other.startswith(f"{story}.") and other != stem]
        assert sorted(siblings) == sorted(f"{other}.html" for other in own)
    belarus = (site / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    texts = [link["text"] for link in links_of(belarus) if link["in"].startswith("header")]
    assert texts[2:] == [
        "Brief: Kazakhstan, Recognition, 30 September 2022",  # 4 days away
        "Comparison: all issues, 31 October 2022",  # 35 days away
    ]


def test_every_chart_says_its_source_and_links_the_page_s_csv_of_sources(site):
    charts = 0
    for stem in STEMS:
        html = (site / f"{stem}.html").read_text(encoding="utf-8")
        for figure in re.findall(r'<figure class="reactions-chart">.*?</figure>', html, re.DOTALL):
            charts += 1
            line = re.search(r'<span class="chart-source">(.*?)</span>', figure, re.DOTALL)
            assert line is not None, (stem, figure[:200])
            assert line.group(1).startswith("Source: the statements and votes of the dataset ")
            linked = re.search(r'href="([^"]+\.csv)"', line.group(1))
            assert linked is not None and (site / linked.group(1)).is_file(), line.group(1)
            header = (site / linked.group(1)).read_text(encoding="utf-8").split("\n")[0]
            assert "source_url" in header
    assert charts >= len(STEMS)  # every page kind draws at least one chart


def test_every_relative_link_of_every_page_names_a_file_that_exists(site):
    for stem in STEMS:
        page = site / f"{stem}.html"
        for link in links_of(page.read_text(encoding="utf-8")):
            target = local_target(site, page, link["href"])
            assert target is None or target.is_file(), (stem, link)


def test_every_page_links_its_csvs_its_dataset_and_shows_a_citation_line(site):
    for stem in STEMS:
        html = (site / f"{stem}.html").read_text(encoding="utf-8")
        footer = [link["href"] for link in links_of(html) if link["in"].startswith("footer")]
        csvs = sorted(path.name for path in site.glob(f"{stem}.*.csv"))
        assert csvs and set(csvs) <= set(footer)
        story = stem.split(".")[0]
        assert f"downloads/{story}/statements.csv" in footer
        assert f"downloads/{story}/codebook.yml" in footer
        provenance = nbformat.read(site / f"{stem}.ipynb", as_version=4).metadata["reactions"]
        record = provenance["provenance"]
        day = record["rendered_at"][:10]
        cited = re.search(r"<dt>Cite as</dt><dd>(.*?)</dd>", html)
        assert cited is not None
        assert cited.group(1).endswith(f", data version {record['data_version']}, {stem}.html"), (
            cited.group(1)
        )
        assert f"published {int(day[8:])} " in cited.group(1)
        assert "<dt>Licence</dt>" not in html  # the site's settings name none


def test_data_as_of_is_the_newest_statement_on_record_by_the_page_s_date(site):
    expected = {
        BRIEF_STEM: "Data as of 26 September 2022",
        KAZAKHSTAN_STEM: "Data as of 30 September 2022",
        COMPARE_STEM: "Data as of 14 October 2022",
    }
    with (DATA / "statements.csv").open(encoding="utf-8", newline="") as stream:
        dates = sorted(row["date"] for row in csv.DictReader(stream))
    assert max(date for date in dates if date <= "2022-10-31") == "2022-10-14"
    for stem, dateline in expected.items():
        html = (site / f"{stem}.html").read_text(encoding="utf-8")
        assert f'</h1>\n<p class="dateline">{dateline}</p>' in html
        top = html[html.index('<body class="jp-Notebook') : html.index("</h1>")]
        shown = re.sub(r"<[^>]+>", " ", top)  # what the page shows above its title
        assert "<time" not in top and "UTC" not in shown and "endered" not in shown
        assert re.search(r"\d\d:\d\d", shown) is None  # the render time is in the footer only


def rows_of(table: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]


def test_the_compare_page_links_a_source_for_every_statement_row_and_vote(site):
    html = (site / f"{COMPARE_STEM}.html").read_text(encoding="utf-8")
    main = html[html.index("<main") : html.index("</main>")]
    tables = re.findall(r'<table class="findings">.*?</table>', main, re.DOTALL)
    votes = next(table for table in tables if "<th>vote source</th>" in table)
    heads = re.findall(r"<th>(.*?)</th>", votes)
    vote_column, source_column = heads.index("vote"), heads.index("source")
    checked_votes = checked_words = 0
    for row in rows_of(votes):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        if cells[vote_column] in ("yes", "no", "abstain"):  # a recorded vote: its record
            assert 'href="http' in cells[heads.index("vote source")], row
            checked_votes += 1
        if cells[heads.index("set on")]:  # a position: the statement that set it
            assert 'href="http' in cells[source_column], row
            assert cells[heads.index("publisher")], row
            checked_words += 1
    assert checked_votes >= 15 and checked_words >= 30
    for head in ("<th>words that set it</th>", "<th>proposed by the cues</th>"):
        table = next(table for table in tables if head in table)
        rows = rows_of(table)
        assert rows and all('href="http' in row for row in rows), head
        assert "<th>publisher</th>" in table
    lede = re.search(r'<p class="headline">(.*?)</p>', main, re.DOTALL)
    assert lede is not None  # the official result of the vote of record, linked to its source
    assert 'href="https://en.interfax.com.ua/news/general/865264.html"' in lede.group(1)
    (votes_said,) = re.findall(r'<p class="finding">([^\n]*?The dataset records.*?)</p>', main)
    assert votes_said.startswith('<a href="https://')  # the resolution: its roll call's record
    assert votes_said.count('href="https://') == 2  # and its official result's source


def test_briefs_link_the_quotes_of_their_lede_and_their_framing(site):
    html = (site / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    lede = re.search(r'<p class="headline">(.*?)</p>', html, re.DOTALL)
    assert lede is not None
    assert re.search(
        r'“<a href="https://[^"]+"[^>]*title="Source: [^"]+">We will study', lede.group(1)
    )
    framing = html[html.index("An analyst") :]
    assert 'href="https://www.txtreport.com/' in framing[:2000]


# --- what readers see: a real browser --------------------------------------------------------

browser_only = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")


@browser_only
@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_readers_see_the_front_page_s_headlines_and_each_page_s_header(browser, site, width):
    page, errors, outside = open_offline(browser, site / "index.html", width=width)
    shown = page.inner_text("main")
    for stem in STEMS:
        link = page.locator(f'a[href="{stem}.html"]')
        assert link.count() == 1 and link.is_visible()
        assert link.inner_text().strip() in shown
    assert page.locator("h2").first.inner_text().startswith('Russia\'s "referendums"')
    assert "compare_with" not in shown and "Data as of 26 September 2022" in shown
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator(f'a[href="{BRIEF_STEM}.html"]').click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{BRIEF_STEM}.html")
    header = page.locator("header.site-header")
    assert header.is_visible()
    assert header.locator('a[href="index.html"]').is_visible()
    sibling = header.locator(f'a[href="{KAZAKHSTAN_STEM}.html"]')
    assert sibling.inner_text() == "Brief: Kazakhstan, Recognition, 30 September 2022"
    assert page.locator("p.dateline").inner_text() == "Data as of 26 September 2022"
    box, title = page.locator("p.dateline").bounding_box(), page.locator("h1").bounding_box()
    assert (
        box is not None
        and title is not None
        and 0 <= box["y"] - (title["y"] + title["height"]) < 40
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    sibling.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Kazakhstan")
    assert errors == [] and outside == []


@browser_only
def test_the_compare_page_shows_its_sources_to_readers(browser, site):
    page, errors, outside = open_offline(browser, site / f"{COMPARE_STEM}.html")
    cited = page.locator("table.findings a[href^='http']")
    assert cited.count() >= 80
    assert page.locator("footer.provenance").inner_text().count("Cite as") == 1
    assert errors == [] and outside == []


# --- a lone render: no siblings, only what its folder holds ----------------------------------


def test_a_lone_render_links_no_sibling_and_only_files_in_its_folder(brief_report):
    page = brief_report / f"{BRIEF_STEM}.html"
    html = page.read_text(encoding="utf-8")
    header = [link for link in links_of(html) if link["in"].startswith("header")]
    assert [link["href"] for link in header] == [f"{STORY}.method.html"]  # no index there
    assert "Other pages of this story" not in html
    for link in links_of(html):
        target = local_target(brief_report, page, link["href"])
        assert target is None or target.is_file(), link
    assert "<dt>Cite as</dt>" in html and "<dt>Dataset</dt>" not in html  # none published


def test_a_render_started_by_a_publish_run_takes_the_run_s_links(tmp_path, monkeypatch):
    from reactions.render import PAGE_LINKS, PUBLISH_PARENT, page_links

    (page,) = _pages(DATA)[:1]
    given = SiteLinks("index.html", "A story", (Sibling("other.html", "Other", "2000-01-31"),))
    monkeypatch.setenv(PAGE_LINKS, given.as_json())
    monkeypatch.delenv(PUBLISH_PARENT, raising=False)
    lone = page_links(page, tmp_path)  # not under a run: what the folder holds
    assert lone.index == "" and lone.siblings == () and lone.dataset == ()
    assert lone.story_title.startswith("Russia's")
    (tmp_path / "index.html").write_text("an index", encoding="utf-8")
    publish_dataset(tmp_path, STORY, DATA)
    lone = page_links(page, tmp_path)
    assert lone.index == "index.html" and f"downloads/{STORY}/statements.csv" in lone.dataset
    monkeypatch.setenv(PUBLISH_PARENT, "1")
    assert page_links(page, tmp_path) == given


@browser_only
@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", ["index.html", f"{BRIEF_STEM}.html"], ids=["index", "brief"])
def test_the_published_site_passes_axe(browser, site, name, width):
    """The front page and a page with its header of siblings, as a publish run made them."""
    from test_accessibility import AXE, BLOCKING, axe_violations, described

    if not AXE.exists():
        pytest.skip("axe-core is not installed: `make test` installs it (npm)")
    page, errors, outside = open_offline(browser, site / name, width=width)
    violations = axe_violations(page)
    blocking = [item for item in violations if item["impact"] in BLOCKING]
    assert blocking == [], described(blocking)
    assert errors == [] and outside == []
