"""Shareable: every page carries Open Graph and Twitter card meta (title, the page's lead
sentence, the first chart's PNG named relative to the page), escaped whatever the text."""

from __future__ import annotations

from html.parser import HTMLParser

import altair as alt
import nbformat
import pandas as pd

from reactions.exporter import export_page
from reactions.html import SHARED_DESCRIPTION_LIMIT, share_card
from reactions.present import Chart, Heading, Paragraph
from support.paths import BRIEF_STEM, BRIEF_TITLE

HOSTILE = "Ba\"r <script>alert(1)</script> & 'x' </title><b>"


class Meta(HTMLParser):
    """Every <meta> of the page by its property or name, unescaped as a browser reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and ("property" in attributes or "name" in attributes):
            key = attributes.get("property") or attributes.get("name") or ""
            self.meta[key] = attributes.get("content") or ""
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


def test_the_brief_previews_its_title_headline_and_first_chart(brief_report):
    html = (brief_report / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    parsed = meta_of(html)
    title = BRIEF_TITLE
    image = f"{BRIEF_STEM}-chart-1.png"
    meta = parsed.meta
    assert "".join(parsed.title) == title
    assert meta["og:title"] == meta["twitter:title"] == title
    assert meta["og:type"] == "article"
    assert meta["og:description"] == meta["twitter:description"] == meta["description"]
    assert meta["og:description"].startswith(
        "As of 26 September 2022, Belarus's position on recognition of the “referendums” is "
        "ambiguous (0), set by Vladimir Makei, Foreign Minister, in the week of 24 September "
        "2022: "
    )
    assert len(meta["og:description"]) <= SHARED_DESCRIPTION_LIMIT
    assert meta["og:description"].endswith("…")  # the headline is longer: cut at a word
    assert meta["og:image"] == meta["twitter:image"] == image  # relative to the page
    assert (brief_report / image).read_bytes().startswith(b"\x89PNG")
    assert meta["og:image:alt"] == meta["twitter:image:alt"]
    assert meta["og:image:alt"].startswith("Positions of 16 actors: ")
    assert meta["twitter:card"] == "summary_large_image"


def test_hostile_title_and_headline_are_escaped_in_every_meta():
    notebook = page(Heading(HOSTILE), Paragraph(f"Headline {HOSTILE}", "headline"), chart(HOSTILE))
    html, _, _ = export_page(notebook, "page")
    head = html[: html.index("</head>")]
    assert "<script>alert(1)" not in html and "<b>" not in head
    meta = meta_of(html).meta
    assert meta["og:title"] == meta["twitter:title"] == HOSTILE  # the text itself, exactly
    assert meta["og:description"] == meta["twitter:description"] == f"Headline {HOSTILE}"
    assert meta["og:image:alt"] == HOSTILE
    assert meta["og:image"] == "page-chart-1.png"
    escaped = "Ba&quot;r &lt;script&gt;alert(1)&lt;/script&gt; &amp; 'x' &lt;/title&gt;&lt;b&gt;"
    assert f'<meta content="{escaped}" property="og:title"/>' in head


def test_a_page_without_headline_shares_its_first_chart_finding():
    notebook = page(Heading("Who stands where"), chart("Positions of 3 actors on 1 issue."))
    card = share_card(notebook, "stem.compare")
    assert card.title == "Who stands where"
    assert card.description == card.image_alt == "Positions of 3 actors on 1 issue."
    assert card.image == "stem.compare-chart-1.png"


def test_a_page_without_chart_is_a_summary_card_without_image():
    notebook = page(Heading("Only words"), Paragraph("A finding.", "finding"))
    html, _, _ = export_page(notebook, "page")
    meta = meta_of(html).meta
    assert meta["og:description"] == "Only words"  # no headline, no chart: the title
    assert meta["twitter:card"] == "summary"
    assert "og:image" not in meta and "twitter:image" not in meta


def test_a_long_lead_sentence_is_cut_at_a_word():
    words = "word " * 100
    card = share_card(page(Heading("T"), Paragraph(words, "headline")), "s")
    assert card.description == ("word " * 59).strip() + "…"
    assert len(card.description) <= SHARED_DESCRIPTION_LIMIT
    assert card.image == ""


def test_only_the_headline_paragraph_is_marked_as_the_lead_sentence():
    data, metadata = Paragraph("Lead <b>", "headline")._repr_mimebundle_()
    assert data == {"text/plain": "Lead <b>", "text/html": '<p class="headline">Lead &lt;b&gt;</p>'}
    assert metadata == {"reactions": {"role": "headline"}}
    assert Paragraph("A finding.")._repr_mimebundle_()[1] == {}
    assert Paragraph("A note.", "note")._repr_mimebundle_()[1] == {}
