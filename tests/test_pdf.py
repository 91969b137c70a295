"""`reactions render --pdf` and a schedule's `pdf: true` print the page to PDF through Debian's
headless Chromium, offline: A4, the headline's text, both charts drawn.

Chromium prints a chart's SVG as vector drawing, not as an image: there is no image XObject to
count. The PDF is tagged, so each chart is a Figure of its structure tree, and the test counts
the outermost Figures and, in the page content, the paths each one's marked content paints (a
chart whose SVG came out empty paints a handful of operations, its caption; a drawn one
hundreds).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from reactions.cli import main
from reactions.errors import ScheduleError
from reactions.pdf import _kill_browser, running_head
from reactions.schedule import load_schedule
from support.notebooks import tiny_page
from support.paths import BRIEF_STEM, BRIEF_TITLE, DATA, NOTEBOOKS, STORY
from support.processes import deadline, running, wait_for
from support.rendering import publish_cli, render_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must print PDFs: install Debian's chromium (.ci/run does)")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here (apt-get install chromium)"
)
A4 = (595.28, 841.89)  # points: 210 x 297 mm (Chromium rounds to its pixels)
PATHS = {"f", "F", "f*", "S", "s", "B", "B*", "b", "b*"}  # operators that paint a path
TEXT = {"Tj", "TJ", "'", '"'}


def painted(reader: PdfReader) -> Counter:
    """Path and text painting operations per marked-content id: (page object, MCID, kind)."""
    counts: Counter = Counter()
    for page in reader.pages:
        properties = page["/Resources"].get("/Properties", {})
        open_ids: list[int | None] = []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            name = operator.decode("latin-1")
            if name == "BDC":
                tag = operands[1]
                if isinstance(tag, NameObject):
                    tag = properties[tag].get_object()
                mcid = tag.get("/MCID") if isinstance(tag, DictionaryObject) else None
                open_ids.append(None if mcid is None else int(mcid))
            elif name == "BMC":
                open_ids.append(None)
            elif name == "EMC" and open_ids:
                open_ids.pop()
            elif name in PATHS or name in TEXT:
                kind = "path" if name in PATHS else "text"
                for mcid in filter(lambda value: value is not None, open_ids):
                    counts[(page.indirect_reference.idnum, mcid, kind)] += 1
    return counts


def _kids(element: DictionaryObject) -> list:
    kids = element.get("/K")
    return kids if isinstance(kids, list) else [] if kids is None else [kids]


def outermost_figures(element: DictionaryObject, inside: bool = False) -> list[DictionaryObject]:
    found = []
    figure = element.get("/S") == "/Figure"
    if figure and not inside:
        found.append(element)
    for kid in _kids(element):
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            found += outermost_figures(kid, inside or figure)
    return found


def paints(element: DictionaryObject, counts: Counter, kind: str, page: object = None) -> int:
    """What a structure element's marked content (its own and its descendants') paints."""
    page = element.get("/Pg", page)
    total = 0
    for kid in _kids(element):
        if isinstance(kid, int):
            total += counts[(page.idnum, kid, kind)]
            continue
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
            total += counts[(kid.get("/Pg", page).idnum, int(kid["/MCID"]), kind)]
        elif isinstance(kid, DictionaryObject) and "/S" in kid:
            total += paints(kid, counts, kind, page)
    return total


def squeezed(text: str) -> str:
    """Text without whitespace: a PDF's text breaks lines where the page did."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    assert render_cli(out, "--pdf") == 0
    return out


@needs_chromium
def test_render_pdf_publishes_the_pdf_beside_the_page(printed, brief_report):
    assert sorted(path.name for path in printed.iterdir()) == sorted(
        [path.name for path in brief_report.iterdir()] + [f"{BRIEF_STEM}.pdf"]
    )
    reader = PdfReader(printed / f"{BRIEF_STEM}.pdf")
    assert reader.metadata.title == BRIEF_TITLE
    assert len(reader.pages) >= 3
    sizes = {(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages}
    assert all(size == pytest.approx(A4, abs=1.5) for size in sizes), sizes
    # links to sources stay; none points into the folder the page was printed from
    targets = [
        annotation.get_object()["/A"].get("/URI", "")
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert targets and all(str(uri).startswith(("http://", "https://")) for uri in targets)


@needs_chromium
def test_the_pdf_has_the_headline_text_and_the_footer(printed):
    executed = nbformat.read(printed / f"{BRIEF_STEM}.ipynb", as_version=4)
    headline = next(c for c in executed.cells if c.source == "brief.headline(page)")
    sentence = headline.outputs[0].data["text/plain"]
    assert sentence.startswith("As of 26 September 2022, Belarus's position on recognition")
    reader = PdfReader(printed / f"{BRIEF_STEM}.pdf")
    text = squeezed("\n".join(page.extract_text() for page in reader.pages))
    # on paper every link's address follows it (print.css): the sentence reads around them
    assert squeezed(sentence) in re.sub(r"\(https?://[^)]*\)", "", text)
    record = executed.metadata["reactions"]["provenance"]
    assert squeezed(f"Provenance Story {STORY}") in text
    assert squeezed(f"Data version {record['data_version']}") in text


@needs_chromium
def test_the_pdf_holds_both_charts_drawn(printed):
    reader = PdfReader(printed / f"{BRIEF_STEM}.pdf")
    counts = painted(reader)
    figures = outermost_figures(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    assert len(figures) == 2  # the stance spectrum and the timeline, and nothing else
    for figure in figures:
        # Drawn: at least a path per actor on record (16), and the axes' and legend's words.
        # A chart whose SVG came out empty paints no path, and its caption's few words only.
        assert paints(figure, counts, "path") >= 16
        assert paints(figure, counts, "text") >= 50


class ExternalLinks(HTMLParser):
    """Every http(s) address a page links to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith(("http://", "https://")):
            self.found.append(href)


@needs_chromium
def test_the_pdf_prints_every_source_address_and_asks_no_one_to_hover(printed):
    links = ExternalLinks()
    links.feed((printed / f"{BRIEF_STEM}.html").read_text(encoding="utf-8"))
    assert len(links.found) >= 16  # a source per actor on record, at least
    reader = PdfReader(printed / f"{BRIEF_STEM}.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    for address in links.found:
        assert squeezed(f"({address})") in squeezed(text), address
    assert not re.search(r"\bhover\b", text, re.IGNORECASE)


@needs_chromium
def test_the_pdf_starts_with_the_title_and_heads_every_page_with_it_and_the_date(printed):
    reader = PdfReader(printed / f"{BRIEF_STEM}.pdf")
    pages = [squeezed(page.extract_text()) for page in reader.pages]
    # the first page is the page's beginning: its title, then its headline
    assert squeezed(BRIEF_TITLE) in pages[0]
    assert squeezed("As of 26 September 2022, Belarus's position on recognition") in pages[0]
    # 12 pages while tables scrolled on paper (about 5 rows a page), 8 once fitted to it
    assert 3 <= len(pages) <= 9
    executed = nbformat.read(printed / f"{BRIEF_STEM}.ipynb", as_version=4)
    rendered = executed.metadata["reactions"]["provenance"]["rendered_at"][:10]
    day = datetime.date.fromisoformat(rendered)
    for text in pages[1:]:
        assert squeezed(BRIEF_TITLE) in text
        assert squeezed(f"Rendered {day.day} {day:%B %Y}") in text


def test_the_running_head_says_the_render_day_or_leaves_it_to_the_printer():
    assert "Rendered 5 May 2025" in running_head("2025-05-05T23:59:59Z")
    assert '<span class="title"></span>' in running_head("2025-05-05T23:59:59Z")
    assert '<span class="date"></span>' in running_head("")  # Chromium's: the day printed
    assert '<span class="date"></span>' in running_head(None)


def test_without_chromium_render_pdf_stops_before_a_kernel_starts(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("reactions.pdf.shutil.which", lambda name: None)
    assert render_cli(tmp_path / "out", "--pdf") == 2  # N59: as publish with `pdf: true`
    error = capsys.readouterr().err
    assert "needs Chromium" in error and "apt-get install chromium" in error
    assert not (tmp_path / "out").exists()


# --- a failed print leaves no browser --------------------------------------------------------


def test_killing_the_browser_waits_for_it_and_reaps_its_own_child(tmp_path):
    """A failed print kills its browser (a group's leader, as Playwright starts Chromium; here
    this process's child) and by the time `_kill_browser` returns it is gone: dead and reaped,
    no zombie left, and the renderer of its group dead too. Checked at once, not polled: a kill
    that only sent the signal leaves the process running or a zombie here. (A print that runs
    out of time kills its browser: tests/test_round_three.py, N60b.)"""
    pid_file = tmp_path / "renderer.pid"  # written whole (moved in place): read once it is there
    started = subprocess.Popen(
        [
            "/bin/sh",
            "-c",
            f"sleep 300 & echo $! > {tmp_path}/r; mv {tmp_path}/r {pid_file}; exec sleep 300",
        ],
        start_new_session=True,
    )
    wait_for(pid_file.exists, 60, "the renderer's pid")
    renderer = int(pid_file.read_text())
    (tmp_path / "chromium.pid").write_text(f"{started.pid}\n", encoding="utf-8")
    with deadline(60, "killing the browser"):
        _kill_browser(tmp_path)
    assert not Path(f"/proc/{started.pid}").exists()  # dead and reaped, not a zombie
    assert not running(renderer)
    _kill_browser(tmp_path / "none")  # no pid written (the browser never started): nothing


# --- schedules -----------------------------------------------------------------------------


def _schedule(tmp_path: Path, text: str):
    path = tmp_path / "schedule.yml"
    path.write_text(text, encoding="utf-8")
    return load_schedule(path, NOTEBOOKS, DATA)


def test_a_schedule_prints_pdfs_by_default_or_per_entry(tmp_path):
    pages = (
        "pages:\n"
        "  - {notebook: actor, actor: belarus}\n"
        "  - {notebook: actor, actor: serbia, pdf: false}\n"
        "  - {notebook: actor, actor: syria, pdf: true}\n"
    )
    jobs = _schedule(tmp_path, "pdf: true\n" + pages).jobs
    assert [job.pdf for job in jobs] == [True, False, True]
    jobs = _schedule(tmp_path, pages).jobs  # the default is no PDF
    assert [job.pdf for job in jobs] == [False, False, True]


def test_a_schedules_pdf_must_be_true_or_false(tmp_path):
    with pytest.raises(ScheduleError) as raised:
        _schedule(tmp_path, "pdf: yes please\npages:\n  - {notebook: actor, pdf: 1}\n")
    assert [(p.line, p.column, p.rule) for p in raised.value.problems] == [
        (1, "pdf", "must be true or false"),
        (3, "pdf", "must be true or false"),
    ]


def test_a_schedule_that_prints_pdfs_without_chromium_stops_before_anything_runs(
    tmp_path, monkeypatch
):
    monkeypatch.setattr("reactions.pdf.shutil.which", lambda name: None)
    _schedule(tmp_path, "pages:\n  - {notebook: actor}\n")  # no PDF: no browser needed
    with pytest.raises(ScheduleError) as raised:
        _schedule(tmp_path, "pdf: true\npages:\n  - {notebook: actor}\n")
    assert "needs Chromium" in str(raised.value)


@needs_chromium
@pytest.mark.parametrize("engine", ["dask", "fresh-kernels"])
def test_a_schedule_with_pdf_true_publishes_the_pdf(tmp_path, engine):
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "from IPython.display import HTML\nHTML(f'<h1>A page about {actor}</h1>')")
    schedule = (
        "pdf: true\n"
        "pages:\n"
        "  - {notebook: tiny, actor: belarus}\n"
        "  - {notebook: tiny, actor: serbia, pdf: false}\n"
    )
    out = tmp_path / "report"
    extra = ["--fresh-kernels"] if engine == "fresh-kernels" else []
    with contextlib.redirect_stderr(io.StringIO()) as error:
        assert publish_cli(tmp_path, schedule, out, notebooks, *extra) == 0, error.getvalue()
    printed = sorted(path.name for path in out.glob("*.pdf"))
    assert printed == [f"{STORY}.tiny.belarus.pdf"]
    text = PdfReader(out / printed[0]).pages[0].extract_text()
    assert "A page about belarus" in text


def test_render_help_names_the_pdf_option(capsys):
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    assert "--pdf" in capsys.readouterr().out
