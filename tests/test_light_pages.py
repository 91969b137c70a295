"""Light pages: on a published site the Vega runtime is one shared, versioned file
(`_static/vega-VERSION-SHA12.js`, named by its content's digest), written once, loaded after the
text, kept while a page names it; a page is its text and its specs (at most 150 KB). The
offline guard lets a page load exactly that file and nothing else; its PDF still draws every
chart; `reactions render` alone still makes a page that stands alone."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from reactions.errors import RenderError
from reactions.exporter import export_page
from reactions.html import RUNTIME_FILE, chart_outputs, external_resources, unsafe_markup
from reactions.page import Page, Site
from reactions.render import refuse_unsafe
from reactions.share import png_size
from reactions.site import publish_built
from reactions.writer import (
    page_file_pattern,
    prune_shared,
    publish_shared,
    remove_page,
)
from support.paths import BRIEF_STEM, DATA, NOTEBOOK, SCREENSHOTS
from support.rendering import publish_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser checks: install Debian's chromium (.ci/run does)")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here (apt-get install chromium)"
)
LIGHT = 150_000  # bytes: a published brief without its runtime
BASE = "https://example.org/reactions/"
SCHEDULE = f"""
site:
  url: {BASE}
  title: Reactions desk
  licence: CC BY 4.0
pdf: {"true" if CHROMIUM else "false"}
pages:
  - {{notebook: brief, focal_actor: belarus, issue: recognition, as_of: 2022-09-26}}
  - {{notebook: brief, focal_actor: kazakhstan, as_of: 2022-09-26, pdf: false}}
"""
KAZAKHSTAN = BRIEF_STEM.replace(".belarus.", ".kazakhstan.")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The default brief (printed) and another published by `reactions publish` with a site
    block, in one warm kernel on Dask (`--jobs 1`: the worker returns each page's files, the
    runtime too, and the client publishes them)."""
    folder = tmp_path_factory.mktemp("light")
    out = folder / "report"
    with contextlib.redirect_stderr(io.StringIO()) as error:
        code = publish_cli(folder, SCHEDULE, out, NOTEBOOK.parent, "--jobs", "1")
    assert code == 0, error.getvalue()
    assert "dask dashboard" in error.getvalue()
    return out


def runtime_of(html: str) -> str:
    found = re.findall(r'<script src="([^"]+)"', html)
    assert len(found) == 1, found
    return found[0]


def test_a_published_brief_is_light_and_loads_the_shared_runtime_by_its_digest(published):
    html = (published / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    size = len(html.encode("utf-8"))
    print(f"published brief: {size:,} bytes")
    assert size <= LIGHT
    assert "window.vegaEmbed" not in html  # not inlined
    name = runtime_of(html)
    found = RUNTIME_FILE.fullmatch(name)
    assert found is not None, name
    content = (published / name).read_bytes()
    assert hashlib.sha256(content).hexdigest()[:12] == found[2]
    assert b"vegaEmbed" in content and len(content) > 500_000
    # one file for the site: the other page names the same
    other = (published / f"{KAZAKHSTAN}.html").read_text(encoding="utf-8")
    assert runtime_of(other) == name
    assert sorted(path.name for path in (published / "_static").iterdir()) == [Path(name).name]


def test_the_runtime_loads_after_the_text(published):
    html = (published / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    assert "<script" not in head
    runtime = html.index('<script src="_static/')
    assert runtime > html.index("</main>") and runtime > html.index("</footer>")
    assert html.index("<h1") < runtime


def test_a_published_page_previews_with_absolute_addresses_and_its_share_image(published):
    from test_share import meta_of

    parsed = meta_of((published / f"{BRIEF_STEM}.html").read_text(encoding="utf-8"))
    meta = parsed.meta
    assert meta["og:url"] == parsed.links["canonical"] == f"{BASE}{BRIEF_STEM}.html"
    assert meta["og:image"] == meta["twitter:image"] == f"{BASE}{BRIEF_STEM}.share.png"
    assert meta["og:site_name"] == "Reactions desk"
    image = (published / f"{BRIEF_STEM}.share.png").read_bytes()
    assert png_size(image) == (1200, 630)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # kept for review beside the phone shots
    (SCREENSHOTS / "share-brief.png").write_bytes(image)


@needs_chromium
def test_charts_draw_in_chromium_from_the_shared_runtime_offline(published, browser):
    from reactions.pdf import CHARTS_DRAWN

    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 812})
    tab = context.new_page()
    errors: list[str] = []
    requested: list[str] = []
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.on("pageerror", lambda error: errors.append(str(error)))

    def only_local(route):
        requested.append(route.request.url)
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    tab.route("**/*", only_local)
    tab.goto((published / f"{BRIEF_STEM}.html").as_uri())
    tab.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    marks = tab.eval_on_selector_all(
        ".vega-chart svg", "nodes => nodes.map(n => n.querySelectorAll('path, text').length)"
    )
    assert len(marks) == 2 and all(count > 10 for count in marks), marks
    assert errors == []
    assert all(url.startswith("file:") for url in requested), requested
    assert any("/_static/vega-" in url for url in requested)
    context.close()


@needs_chromium
def test_the_pdf_of_a_published_page_draws_both_charts(published):
    from pypdf import PdfReader

    from test_pdf import outermost_figures, painted, paints

    reader = PdfReader(published / f"{BRIEF_STEM}.pdf")
    counts = painted(reader)
    figures = outermost_figures(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
    assert len(figures) == 2
    for figure in figures:
        assert paints(figure, counts, "path") >= 16
        assert paints(figure, counts, "text") >= 50


def test_a_runtime_stays_while_a_page_names_it_and_goes_when_none_does(published, tmp_path):
    out = shutil.copytree(published, tmp_path / "report")
    html = (out / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    current = runtime_of(html)
    old = b"/* an older runtime */"
    old_name = f"_static/vega-5.20-{hashlib.sha256(old).hexdigest()[:12]}.js"
    assert publish_shared(out, old_name, old)
    (out / "older.page.html").write_text(f'<script src="{old_name}"></script>', encoding="utf-8")
    unused = b"/* nobody's */"
    unused_name = f"_static/vega-5.21-{hashlib.sha256(unused).hexdigest()[:12]}.js"
    publish_shared(out, unused_name, unused)
    assert prune_shared(out) == [unused_name]
    assert (out / old_name).is_file() and (out / current).is_file()
    (out / "older.page.html").unlink()
    assert prune_shared(out) == [old_name]
    # a publish run prunes too: nothing to build (every key current), the unused one goes
    publish_shared(out, unused_name, unused)
    with contextlib.redirect_stderr(io.StringIO()) as error:
        code = publish_cli(tmp_path, SCHEDULE, out, NOTEBOOK.parent, "--jobs", "1")
    assert code == 0, error.getvalue()
    assert "2 unchanged" in error.getvalue()
    assert not (out / unused_name).exists() and (out / current).is_file()


def test_a_shared_file_is_written_once_and_again_only_when_it_is_not_what_its_name_says(tmp_path):
    content = b"runtime"
    name = f"_static/vega-6.4-{hashlib.sha256(content).hexdigest()[:12]}.js"
    assert publish_shared(tmp_path, name, content) is True
    assert publish_shared(tmp_path, name, content) is False  # there, and right: left as it is
    (tmp_path / name).write_bytes(b"damaged")
    assert publish_shared(tmp_path, name, content) is True
    assert (tmp_path / name).read_bytes() == content
    with pytest.raises(ValueError, match="does not hold what its name's digest says"):
        publish_shared(tmp_path, f"_static/vega-6.4-{'0' * 12}.js", content)
    with pytest.raises(ValueError, match="is not a shared file's name"):
        publish_shared(tmp_path, "_static/vega.js", content)
    assert sorted(path.name for path in (tmp_path / "_static").iterdir()) == [Path(name).name]


def test_the_share_image_is_one_of_its_pages_files():
    pattern = page_file_pattern(BRIEF_STEM)
    assert pattern.fullmatch(f"{BRIEF_STEM}.share.png")
    assert not pattern.fullmatch(f"{BRIEF_STEM}.2022-09-30.share.png")  # another page's
    assert not page_file_pattern(f"{BRIEF_STEM}.2022-09-30").fullmatch(f"{BRIEF_STEM}.share.png")


def test_a_dropped_page_takes_its_share_image_and_leaves_the_runtime(tmp_path):
    (tmp_path / f"{BRIEF_STEM}.share.png").write_bytes(b"png")
    (tmp_path / f"{BRIEF_STEM}.html").write_bytes(b"page")
    runtime = f"_static/vega-6.4-{hashlib.sha256(b'x').hexdigest()[:12]}.js"
    publish_shared(tmp_path, runtime, b"x")
    assert remove_page(tmp_path, BRIEF_STEM) == [f"{BRIEF_STEM}.html", f"{BRIEF_STEM}.share.png"]
    assert len(list((tmp_path / "_static").iterdir())) == 1


@pytest.fixture(scope="module")
def shared_files(brief_report) -> dict[str, bytes]:
    """The default brief exported for a site with the shared runtime, from its executed
    notebook: what a worker returns to the publishing client."""
    executed = nbformat.read(brief_report / f"{BRIEF_STEM}.ipynb", as_version=4)
    html, files, notebook = export_page(executed, BRIEF_STEM, site=Site(shared_runtime=True))
    files[f"{BRIEF_STEM}.ipynb"] = notebook
    files[f"{BRIEF_STEM}.html"] = html.encode("utf-8")
    return files


def runtime_name(files: dict[str, bytes]) -> str:
    names = [name for name in files if RUNTIME_FILE.fullmatch(name)]
    assert len(names) == 1
    return names[0]


def test_the_publishing_client_checks_the_runtime_and_writes_it_once(shared_files, tmp_path):
    page = Page(NOTEBOOK, {}, BRIEF_STEM)
    name = runtime_name(shared_files)
    publish_built(page, shared_files, tmp_path)
    written = (tmp_path / name).stat()
    publish_built(page, shared_files, tmp_path)  # a second page naming it: not written again
    assert (tmp_path / name).stat().st_mtime_ns == written.st_mtime_ns
    assert (tmp_path / name).stat().st_ino == written.st_ino
    assert external_resources(
        (tmp_path / f"{BRIEF_STEM}.html").read_text(encoding="utf-8"),
        beside={path.name for path in tmp_path.iterdir()} | {name},
    ) == []


def test_a_runtime_file_that_is_not_what_its_name_says_is_refused(shared_files, tmp_path):
    name = runtime_name(shared_files)
    tampered = dict(shared_files)
    tampered[name] = shared_files[name] + b"\nalert(1);"
    with pytest.raises(RenderError, match="does not hold what its name's digest says"):
        publish_built(Page(NOTEBOOK, {}, BRIEF_STEM), tampered, tmp_path)
    assert not (tmp_path / name).exists() and not (tmp_path / f"{BRIEF_STEM}.html").exists()


def test_the_offline_guard_allows_exactly_the_shared_runtime_and_nothing_else(
    shared_files, monkeypatch
):
    from reactions import html as html_module

    monkeypatch.setattr(html_module, "_RUNTIME", set())  # as in a publishing client
    name = runtime_name(shared_files)
    page = shared_files[f"{BRIEF_STEM}.html"].decode("utf-8")
    executed = nbformat.reads(shared_files[f"{BRIEF_STEM}.ipynb"], as_version=4)
    specs = [chart.spec for chart in chart_outputs(executed)]
    refuse_unsafe(shared_files, BRIEF_STEM)  # its own runtime, by its digest: passes
    shared = {name: shared_files[name]}
    assert unsafe_markup(page, specs, shared) == []  # the bundle of the charts' version
    # the page may not load it when it is not published with it
    assert "not the site's shared runtime" in unsafe_markup(page, specs, {})[0]
    # another script, a file beside the page or elsewhere, is refused
    evil = b"alert(1)"
    evil_name = f"_static/vega-6.4-{hashlib.sha256(evil).hexdigest()[:12]}.js"
    for source, files in (
        ("https://cdn.example/vega.js", shared),
        ("_static/evil.js", shared | {"_static/evil.js": evil}),
        ("evil.js", shared | {"evil.js": evil}),
        (evil_name, shared | {evil_name: evil}),  # shaped and named right, not the runtime
    ):
        hostile = page.replace("</body>", f'<script src="{source}"></script></body>')
        found = unsafe_markup(hostile, specs, files)
        assert found and source[:40] in found[0], (source, found)
    # and the resource check names any file that is not published beside the page
    beside = set(shared_files)
    assert external_resources(page, beside) == []
    assert external_resources(page, beside - {name}) == [f"<script src={name!r}>"]
    hostile = page.replace("</body>", '<script src="https://cdn.example/x.js"></script></body>')
    assert external_resources(hostile, beside) == ["<script src='https://cdn.example/x.js'>"]


def test_render_alone_still_makes_a_page_that_stands_alone(brief_report):
    html = (brief_report / f"{BRIEF_STEM}.html").read_text(encoding="utf-8")
    assert "<script src" not in html and "window.vegaEmbed" in html
    assert html.index("window.vegaEmbed") > html.index("</main>")  # after the text here too
    assert not (brief_report / "_static").exists()
    assert DATA.is_dir()
