"""Shareable: every page carries Open Graph and Twitter card meta (title, the headline sentence
clipped at a word, the page's address and its share image `STEM.share.png`: 1200 x 630, the
headline in lines, the key chart, source and date), escaped whatever the text. Addresses are
absolute under the site's URL (schedule.yml `site:`, `--site-url`), relative without one."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import altair as alt
import nbformat
import pandas as pd
import pytest

from reactions.exporter import export_page, share_image
from reactions.html import SHARED_DESCRIPTION_LIMIT, share_card
from reactions.page import Site
from reactions.present import Chart, Heading, Paragraph
from reactions.share import (
    HEADLINE_SIZES,
    HEIGHT,
    MARGIN,
    WIDTH,
    ShareImage,
    compose,
    draw,
    fit_headline,
    font,
    layout,
    png_size,
)
from support.paths import BRIEF_STEM, BRIEF_TITLE, STORY

HOSTILE = "Ba\"r <script>alert(1)</script> & 'x' </title><b>"
SITE = Site("https://example.org/reactions", "Reactions desk", "CC BY 4.0")


class Meta(HTMLParser):
    """Every <meta> of the page by its property or name, and every <link> by its rel,
    unescaped as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and ("property" in attributes or "name" in attributes):
            key = attributes.get("property") or attributes.get("name") or ""
            self.meta[key] = attributes.get("content") or ""
        if tag == "link":
            self.links[attributes.get("rel") or ""] = attributes.get("href") or ""
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)


def meta_of(html: str) -> Meta:
    parsed = Meta()
    parsed.feed(html)
    return parsed


def output_of(value) -> nbformat.NotebookNode:
    data, metadata = value._repr_mimebundle_()
    return nbformat.v4.new_output("display_data", data=data, metadata=metadata)


def page(*values) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x", outputs=[output_of(v)]) for v in values]
    return notebook


def chart(description: str) -> Chart:
    frame = pd.DataFrame({"name": ["a", "b"], "score": [1, 2]})
    drawn = alt.Chart(frame).mark_point().encode(x="score:Q", y="name:N")
    return Chart(drawn.properties(description=description), "A chart")


def headline_lines(svg: str) -> list[str]:
    """The headline as the share image's SVG writes it: its bold lines, unescaped."""
    found = re.findall(r'<text [^>]*font-weight="bold"[^>]*>([^<]*)</text>', svg)
    return [line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for line in found]


def test_the_brief_previews_its_headline_and_its_share_image(brief_report):
    html = (brief_report / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    parsed = meta_of(html)
    meta = parsed.meta
    assert "".join(parsed.title) == BRIEF_TITLE
    assert meta["og:title"] == meta["twitter:title"] == BRIEF_TITLE
    assert meta["og:type"] == "article"
    # The description is the headline sentence (a finding in words), not the lede's
    # "... is ambiguous (0), set by ...: “We will ...": no score, no quote cut mid-way.
    assert meta["og:description"] == meta["twitter:description"] == meta["description"]
    assert meta["description"] == BRIEF_TITLE
    assert len(meta["description"]) <= SHARED_DESCRIPTION_LIMIT
    # Without a site URL (reactions render): every address relative to the page.
    assert meta["og:url"] == parsed.links["canonical"] == f"{BRIEF_STEM}.html"
    image = f"{BRIEF_STEM}.share.png"
    assert meta["og:image"] == meta["twitter:image"] == image
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:image:type"] == "image/png"
    assert png_size((brief_report / image).read_bytes()) == (1200, 630)
    assert meta["og:image:alt"] == meta["twitter:image:alt"]
    assert meta["og:image:alt"].startswith(f"{BRIEF_TITLE}. Positions of 16 actors: ")
    assert meta["twitter:card"] == "summary_large_image"
    assert "og:site_name" not in meta and "dcterms.license" not in meta


def test_the_share_image_is_drawn_from_the_headline_the_key_chart_source_and_date(brief_report):
    executed = nbformat.read(brief_report / f"{BRIEF_STEM}.ipynb", as_version=4)
    card = share_image(executed, Site())
    assert card.headline == BRIEF_TITLE
    first_chart = (brief_report / f"{BRIEF_STEM}-chart-1.svg").read_text(encoding="utf-8")
    assert card.chart_svg == first_chart  # the stance spectrum, the brief's key chart
    record = executed.metadata["reactions"]["provenance"]
    assert card.source == f"Source: dataset {STORY}, data version {record['data_version']}"
    assert card.date == "As of 26 September 2022"
    svg = compose(card)
    lines = headline_lines(svg)
    assert len(lines) > 1 and " ".join(lines) == BRIEF_TITLE  # split in lines, every word kept
    placed = layout(card)
    _, _, room = placed.headline_box
    assert all(
        font().width(line, placed.headline.size, bold=True) <= room
        for line in placed.headline.lines
    )
    assert placed.chart_box is not None
    left, top, width, height = placed.chart_box
    assert left >= MARGIN and left + width <= WIDTH - MARGIN + 0.5 and top + height <= HEIGHT
    assert 'href="data:image/svg+xml;base64,' in svg  # the chart, as a picture of itself
    assert "As of 26 September 2022" in svg and f"dataset {STORY}" in svg
    # The published image is exactly this SVG drawn: the headline's lines are in it.
    published = (brief_report / f"{BRIEF_STEM}.share.png").read_bytes()
    assert published == draw(svg)
    assert png_size(published) == (WIDTH, HEIGHT)


def test_with_a_site_url_every_address_is_absolute_and_the_site_is_named():
    notebook = page(Heading("Who stands where"), chart("Positions of 3 actors on 1 issue."))
    html, files, _ = export_page(notebook, "story.compare.all", site=SITE)
    parsed = meta_of(html)
    meta = parsed.meta
    base = "https://example.org/reactions/"
    assert meta["og:url"] == parsed.links["canonical"] == f"{base}story.compare.all.html"
    assert meta["og:image"] == meta["twitter:image"] == f"{base}story.compare.all.share.png"
    assert meta["og:site_name"] == "Reactions desk"
    assert meta["dcterms.license"] == "CC BY 4.0" and "license" not in parsed.links
    assert png_size(files["story.compare.all.share.png"]) == (1200, 630)
    licensed = export_page(
        notebook, "s", site=Site(SITE.url, licence="https://creativecommons.org/licenses/by/4.0/")
    )[0]
    assert meta_of(licensed).links["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_hostile_title_and_headline_are_escaped_in_every_meta_and_in_the_image():
    notebook = page(Heading(HOSTILE), Paragraph(f"Headline {HOSTILE}", "headline"), chart(HOSTILE))
    html, files, _ = export_page(notebook, "page", site=Site(title=HOSTILE))
    head = html[: html.index("</head>")]
    assert "<script>alert(1)" not in html and "<b>" not in head
    meta = meta_of(html).meta
    assert meta["og:title"] == meta["twitter:title"] == HOSTILE  # the text itself, exactly
    assert meta["og:description"] == meta["twitter:description"] == HOSTILE  # the headline
    assert meta["og:site_name"] == HOSTILE
    assert meta["og:image:alt"] == HOSTILE  # headline and chart finding: one text
    assert meta["og:image"] == "page.share.png"
    escaped = "Ba&quot;r &lt;script&gt;alert(1)&lt;/script&gt; &amp; 'x' &lt;/title&gt;&lt;b&gt;"
    assert f'<meta content="{escaped}" property="og:title"/>' in head
    svg = compose(share_image(notebook, Site(title=HOSTILE)))
    assert "<script" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg
    assert " ".join(headline_lines(svg)).startswith(HOSTILE.split()[0])
    assert png_size(files["page.share.png"]) == (1200, 630)


def test_a_page_without_title_shares_its_lead_paragraph_else_its_first_chart_finding():
    notebook = page(Paragraph("The lead sentence.", "headline"), chart("Positions of 3 actors."))
    assert share_card(notebook, "s").description == "The lead sentence."
    notebook = page(chart("Positions of 3 actors on 1 issue."))
    card = share_card(notebook, "stem.compare")
    assert card.description == card.image_alt == "Positions of 3 actors on 1 issue."
    assert card.image == "stem.compare.share.png" and card.url == "stem.compare.html"


def test_a_page_without_chart_still_has_its_headline_as_a_large_card():
    notebook = page(Heading("Only words"), Paragraph("A finding.", "finding"))
    html, files, _ = export_page(notebook, "page")
    meta = meta_of(html).meta
    assert meta["og:description"] == "Only words"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == "page.share.png"
    svg = compose(share_image(notebook, Site()))
    assert headline_lines(svg) == ["Only words"] and "<image" not in svg
    assert png_size(files["page.share.png"]) == (1200, 630)


def test_a_long_headline_is_cut_at_a_word():
    words = "word " * 100
    card = share_card(page(Heading(words)), "s")
    assert card.description == ("word " * 59).strip() + "…"
    assert len(card.description) <= SHARED_DESCRIPTION_LIMIT


@pytest.mark.parametrize(
    "chart_svg", ["", '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="400"/>']
)
def test_a_headline_too_long_for_the_card_ends_in_an_ellipsis_at_the_smallest_size(chart_svg):
    text = " ".join(f"word{number}" for number in range(200))
    placed = layout(ShareImage(text, chart_svg))
    assert placed.headline.size == HEADLINE_SIZES[-1]
    assert placed.headline.lines[-1].endswith("…")
    shown = " ".join(placed.headline.lines).removesuffix("…").split()
    assert shown == text.split()[: len(shown)]  # whole words, in order
    box_width = placed.headline_box[2]
    assert all(
        font().width(line, placed.headline.size, bold=True) <= box_width
        for line in placed.headline.lines
    )


def test_a_short_headline_is_drawn_large():
    assert fit_headline("Belarus hedges", 1088, 400, 3).size == HEADLINE_SIZES[0]


def test_only_the_headline_paragraph_is_marked_as_the_lead_sentence():
    data, metadata = Paragraph("Lead <b>", "headline")._repr_mimebundle_()
    assert data == {"text/plain": "Lead <b>", "text/html": '<p class="headline">Lead &lt;b&gt;</p>'}
    assert metadata == {"reactions": {"role": "headline"}}
    assert Paragraph("A finding.")._repr_mimebundle_()[1] == {}
    assert Paragraph("A note.", "note")._repr_mimebundle_()[1] == {}
