"""Provenance on every page: the record (data version, code version, render time), the footer
every Jupyter client shows, the executed notebook's metadata, the published page's <footer>
with its links to the review and the sources, and nbval's sanitizers (the data version and
object addresses only)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

from reactions import coding, story
from reactions.exporter import export_page
from reactions.method import method_name
from reactions.present import METADATA_KEY, ProvenanceFooter, PublishedFiles
from reactions.provenance import (
    DATA_FILES,
    Provenance,
    code_commit,
    data_version,
    of_page,
    render_time,
)
from support.dataset import write_dataset
from support.paths import BRIEF_STEM, DATA, NOTEBOOKS, ROOT, STORY

SANITIZERS = get_sanitize_patterns((NOTEBOOKS / "sanitize.cfg").read_text(encoding="utf-8"))
PARAMETERS = {"focal_actor": "belarus", "as_of": "2022-09-26", "compare_with": ("serbia",)}


def sanitized(text: str) -> str:
    for regex, replace in SANITIZERS:
        text = re.sub(regex, replace, text)
    return text


def record(**changes: object) -> Provenance:
    values = {
        "story": "a-story",
        "parameters": {"focal_actor": "belarus", "compare_to": "", "compare_with": ["serbia"]},
        "data_version": "0123456789ab",
        "data_files": ("actors.csv", "statements.csv"),
        "package_version": "0.1.0",
        "commit": "abcdef1",
        "modified": False,
        "rendered_at": "2026-11-25T06:00:00Z",
        "method": "METHODS.md",
    }
    return Provenance(**(values | changes))  # type: ignore[arg-type]


# --- the record ---------------------------------------------------------------------------


def test_the_data_version_is_the_content_of_the_files_pages_read(tmp_path):
    copy = shutil.copytree(DATA, tmp_path / "copy")
    version, files = data_version(DATA)
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert files == tuple(sorted(name for name in DATA_FILES if (DATA / name).is_file()))
    assert data_version(copy) == (version, files)  # another folder, the same data
    (copy / "REVIEW.md").write_text("notes are not data\n", encoding="utf-8")
    (copy / "METHODS.md").write_text("# nor is the method\n", encoding="utf-8")
    (copy / "notes.txt").write_text("neither is this\n", encoding="utf-8")
    assert data_version(copy)[0] == version
    events = (copy / "events.csv").read_bytes()
    (copy / "events.csv").write_bytes(events.replace(b"\n", b"\r\n"))  # one byte per line
    assert data_version(copy)[0] != version
    (copy / "events.csv").write_bytes(events)
    (copy / "votes.csv").unlink()  # a file less
    assert data_version(copy) != (version, files)


def test_the_data_version_hashes_names_so_moved_bytes_count(tmp_path):
    for folder, (first, second) in (("a", ("x", "y")), ("b", ("y", "x"))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "actors.csv").write_text(first, encoding="utf-8")
        (tmp_path / folder / "events.csv").write_text(second, encoding="utf-8")
    assert data_version(tmp_path / "a")[0] != data_version(tmp_path / "b")[0]


def test_data_files_are_the_files_the_loaders_read():
    loaded = {f"{name}.csv" for name in ("actors", "statements", "events", "votes")}
    assert set(DATA_FILES) == loaded | {"codebook.yml", story.STORY_FILE, coding.BLIND_FILE}


def test_the_commit_is_this_checkouts_and_nothing_elsewhere(tmp_path, monkeypatch):
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    commit, modified = code_commit()
    assert commit == head[:7] and isinstance(modified, bool)
    # git's own variables (a hook's GIT_DIR) do not redirect it to another repository
    monkeypatch.setenv("GIT_DIR", str(tmp_path))
    assert code_commit()[0] == head[:7]
    assert code_commit(tmp_path) == ("", False)  # not a checkout
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.delenv("GIT_DIR")
    assert code_commit(tmp_path) == ("", False)  # a checkout, but the package is not tracked
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all: never fails the page
    assert code_commit() == ("", False)


def test_the_render_time_is_utc_to_the_second_and_source_date_epoch_pins_it(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", render_time())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1664200800")
    assert render_time() == "2022-09-26T14:00:00Z"


def test_the_kernels_record_is_deterministic_with_no_commit_and_no_time(monkeypatch):
    first = of_page(DATA, STORY, PARAMETERS | {"data_dir": str(DATA)})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    second = of_page(DATA, STORY, PARAMETERS | {"data_dir": "/elsewhere"})
    assert first == second
    assert (first.commit, first.modified, first.rendered_at) == ("", False, "")
    stamped = first.stamped("abcdef1", True, render_time())
    assert stamped.rendered_at == "1970-01-01T00:00:00Z" and stamped.commit == "abcdef1"
    assert stamped.as_dict() | {"commit": "", "modified": False, "rendered_at": ""} == (
        first.as_dict()
    )
    assert "data_dir" not in first.parameters  # a path names a machine, not the data
    assert first.parameters["compare_with"] == ["serbia"]  # JSON-ready
    assert first.method == "METHODS.md"
    assert Provenance.from_dict(json.loads(json.dumps(first.as_dict()))) == first


# --- the footer every client shows --------------------------------------------------------


def test_the_footer_carries_the_record_and_escapes_every_value():
    hostile = record(story="<b>x</b>", parameters={"actor": "<script>alert(1)</script>"})
    data, metadata = ProvenanceFooter(hostile)._repr_mimebundle_()
    assert metadata == {METADATA_KEY: {"role": "provenance", "provenance": hostile.as_dict()}}
    assert "<script>" not in data["text/html"] and "<b>x" not in data["text/html"]
    assert data["text/html"].startswith('<footer class="provenance">')
    assert data["text/plain"].splitlines() == [
        "Provenance",
        "story: <b>x</b>",
        "parameters: actor=<script>alert(1)</script>",
        "data version: 0123456789ab (sha256 of actors.csv, statements.csv)",
        "code version: reactions 0.1.0 (commit abcdef1)",
        "rendered: 2026-11-25 06:00:00 UTC",
        "method: METHODS.md in the dataset's folder: how this story's statements were chosen, "
        "coded and checked",
        "sources: every statement's source (title, date, address) is in the dataset's "
        "statements.csv; a table that quotes a statement links its source",
    ]


def test_the_published_footer_links_the_files_beside_the_page():
    published = PublishedFiles("s.method.html", ("p.comparison.csv",))
    data, _ = ProvenanceFooter(record(), published)._repr_mimebundle_()
    assert '<a href="s.method.html">s.method.html</a>: how this story' in data["text/html"]
    linked = '<a href="p.comparison.csv">p.comparison.csv</a> (column source_url)'
    assert linked in data["text/html"]
    data, _ = ProvenanceFooter(record(method=""), PublishedFiles("", ()))._repr_mimebundle_()
    assert "method: this story publishes no method" in data["text/plain"]
    assert "METHODS" not in data["text/html"] and "<a " not in data["text/html"]


def test_the_kernels_footer_shows_nothing_that_moves_between_runs():
    """What JupyterLab, nbval and `make refresh` show: no code version, no time; the exporter
    adds both to the published page (test_the_executed_notebook_holds_the_record...)."""
    unstamped = record(commit="", modified=False, rendered_at="")
    text = ProvenanceFooter(unstamped)._repr_mimebundle_()[0]["text/plain"]
    labels = [line.split(":")[0] for line in text.splitlines()[1:]]
    assert labels == ["story", "parameters", "data version", "method", "sources"]
    stamped = ProvenanceFooter(record())._repr_mimebundle_()[0]["text/plain"]
    assert "code version: reactions 0.1.0 (commit abcdef1)" in stamped.splitlines()
    assert "rendered: 2026-11-25 06:00:00 UTC" in stamped.splitlines()


def test_the_sanitizers_touch_only_the_footer_of_an_executed_page(brief_report):
    """nbval's sanitize file (and `make refresh`, which stores what it replaces) never hides a
    finding: in the published executed notebook, only the footer holds volatile text."""
    notebook = nbformat.read(brief_report / f"{BRIEF_STEM}.ipynb", as_version=4)
    touched = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            role = output.get("metadata", {}).get(METADATA_KEY, {}).get("role")
            for value in output.get("data", {}).values():
                if isinstance(value, str) and sanitized(value) != value:
                    touched.append(role)
    assert touched == ["provenance", "provenance"]  # its text and its HTML: the data version


def test_committed_notebooks_store_no_data_version():
    """`make refresh` stores the footer as nbval compares it: the data version replaced in its
    text and HTML, and not in its record (README: Reviewing a change)."""
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        footers = [
            output
            for cell in notebook.cells
            for output in cell.get("outputs", [])
            if output.get("metadata", {}).get(METADATA_KEY, {}).get("role") == "provenance"
        ]
        assert len(footers) == 1, path.name
        footer = footers[0]
        assert "data version: DATA-VERSION (sha256 of " in footer.data["text/plain"], path.name
        assert "<code>DATA-VERSION</code> (sha256 of " in footer.data["text/html"], path.name
        assert "data_version" not in footer.metadata[METADATA_KEY]["provenance"], path.name
        others = json.dumps(
            [
                cell.get("outputs", [])
                for cell in notebook.cells
                if footer not in cell.get("outputs", [])
            ]
        )
        assert "DATA-VERSION" not in others and "0xADDRESS" not in others, path.name


def test_every_page_ends_with_its_provenance_one_call():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        last = nbformat.read(path, as_version=4).cells[-1]
        assert last.cell_type == "code" and re.fullmatch(r"\w+\.provenance\(page\)", last.source)


# --- the published page -------------------------------------------------------------------


class _Landmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.footers: list[list[str]] = []  # the open elements around each <footer>
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "footer":
            self.footers.append(list(self.stack))
        if tag == "a" and self.footers and "footer" in self.stack:
            self.links.append(dict(attrs).get("href") or "")
        if tag not in ("meta", "link", "br", "img", "input", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]


def test_the_published_page_closes_with_a_footer_linking_its_method_and_sources(brief_report):
    html = (brief_report / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    landmarks = _Landmarks()
    landmarks.feed(html)
    assert landmarks.footers == [["html", "body"]]  # the page's own footer, outside <main>
    method, sources = method_name(STORY), f"{BRIEF_STEM}.comparison.csv"
    findings = [f"{BRIEF_STEM}.{name}.csv" for name in ("comparison", "groups", "coverage")]
    assert landmarks.links == [method, sources, *findings]  # and every finding as CSV
    assert all((brief_report / name).is_file() for name in landmarks.links)
    assert not (brief_report / f"{BRIEF_STEM}.review.txt").exists()  # the desk's log stays in
    published = (brief_report / method).read_text(encoding="utf-8")
    assert "<h1>" in published and "<script" not in published
    assert html.count("<h2>Provenance</h2>") == 1  # shown once, not also inside <main>
    version = data_version(DATA)[0]
    assert f"<code>{version}</code>" in html


def test_the_executed_notebook_holds_the_record_in_its_metadata(brief_report):
    executed = nbformat.read(brief_report / f"{BRIEF_STEM}.ipynb", as_version=4)
    kept = executed.metadata[METADATA_KEY]["provenance"]
    outputs = [o for o in executed.cells[-1].outputs if "data" in o]
    assert outputs[0].metadata[METADATA_KEY] == {"role": "provenance", "provenance": kept}
    assert kept["story"] == STORY and kept["data_version"] == data_version(DATA)[0]
    assert kept["parameters"] == {
        "focal_actor": "belarus",
        "issue": "recognition",
        "as_of": "2022-09-26",
        "compare_to": "",
        "compare_with": ["kazakhstan", "serbia", "south-ossetia"],
    }
    # the published notebook's footer points at the files beside it, as the page's does
    assert f"method: {method_name(STORY)}: how this story" in outputs[0].data["text/plain"]
    # stamped once by the exporter: the render time and the code version, in both
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", kept["rendered_at"])
    assert kept["commit"] == code_commit()[0]
    footer_text = outputs[0].data["text/plain"]
    assert footer_text.count("rendered: ") == 1 and footer_text.count("code version: ") == 1
    html = (brief_report / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    assert html.count(f'<time datetime="{kept["rendered_at"]}">') == 1


def _executed_with(footer: ProvenanceFooter, data_dir: Path) -> nbformat.NotebookNode:
    data, metadata = footer._repr_mimebundle_()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["papermill"] = {"parameters": {"data_dir": str(data_dir)}}
    cell = nbformat.v4.new_code_cell("page.provenance(page)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    notebook.cells = [cell]
    return notebook


@pytest.mark.parametrize("method", ["none", "symlink", "review only"])
def test_no_method_is_published_unless_the_story_has_one_of_its_own(tmp_path, method):
    folder = write_dataset(tmp_path / "plain")
    (tmp_path / "secret.md").write_text("not for the page\n", encoding="utf-8")
    if method == "symlink":  # a link out of the dataset's folder is never published
        (folder / "METHODS.md").symlink_to(tmp_path / "secret.md")
    if method == "review only":  # the review log is the desk's, never published
        shutil.copy(tmp_path / "secret.md", folder / "REVIEW.md")
    footer = ProvenanceFooter(of_page(folder, "plain", {}))
    html, files, _ = export_page(_executed_with(footer, folder), "plain.page")
    assert sorted(files) == ["plain.page.share.png"]  # no method beside the page
    assert "not for the page" not in html
    assert "<a " not in html.split("<footer")[1]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")
def test_the_footers_links_open_offline_in_a_browser(brief_report):
    """Followed from the published folder, with the network blocked: the method opens as a
    page, its UTF-8 read right (the sources CSV, which browsers download, is checked above)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            page.goto((brief_report / f"{BRIEF_STEM}.html").as_uri())
            links = page.locator("footer.provenance a")
            assert links.count() == 5  # the method, the sources, the three findings
            links.nth(0).click()
            page.wait_for_url(f"**/{method_name(STORY)}")
            shown = page.locator("h1").first.inner_text()
            heading = next(
                line[2:]
                for line in (DATA / "METHODS.md").read_text(encoding="utf-8").splitlines()
                if line.startswith("# ")
            )
            assert shown.strip() == heading.strip()  # read as UTF-8, not as Latin-1
        finally:
            browser.close()
