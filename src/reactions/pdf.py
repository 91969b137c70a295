"""Print a rendered page to PDF with headless Chromium: offline, charts drawn, A4.

The browser is Debian's Chromium (`apt-get install chromium`) driven by Playwright; nothing is
downloaded. The page is opened from a scratch folder holding its files (its chart pictures are
files beside it); every request other than file: and data: is aborted. It is printed once every
chart is drawn (the inlined Vega bundle replaces each static picture with the chart drawn from
its spec, as in any browser), with the page's print stylesheet (templates/brief/print.css: A4,
charts scaled to the paper, nothing split across pages that should not be). The PDF is tagged:
each chart is a Figure whose alternative text describes it, and its outline follows the
headings. Links to files beside the page are left out of the PDF (they would point into the
scratch folder; the footer names those files); links to sources stay links.

A page that logs an error or leaves a chart undrawn is not printed: RenderError, as for any
other part of a page that cannot be published.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from reactions.errors import RenderError

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, ViewportSize

FLAGS = [
    "--no-sandbox",  # root in a container has no user namespace to sandbox with
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every chart drawn by vega-embed: no static picture left, an SVG in every chart.
CHARTS_DRAWN = (
    "() => !document.querySelector('img.static-chart') && "
    "[...document.querySelectorAll('.vega-chart')].every(chart => chart.querySelector('svg'))"
)
# Links to the page's own files (review, CSVs) would point into the scratch folder from the PDF.
DROP_LOCAL_LINKS = (
    "() => document.querySelectorAll('a[href]').forEach(link => {"
    " if (!/^(https?:|mailto:|#)/i.test(link.getAttribute('href')))"
    " link.removeAttribute('href'); })"
)
PAGE_NUMBERS = (
    '<div style="width:100%;text-align:center;font:8px Arial,sans-serif;color:#5f6368">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)
TIMEOUT_MS = 60_000
# The page is laid out as wide as A4's text column (210 mm less print.css's 14 mm margins, at
# 96 px per inch), so charts as wide as their container are drawn at the paper's width.
PAPER: ViewportSize = {"width": round((210 - 2 * 14) / 25.4 * 96), "height": round(297 / 25.4 * 96)}


def chromium() -> str:
    """Debian's Chromium, or a clear error saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RenderError(
            "printing a page to PDF needs Chromium, and there is none on PATH: "
            "install Debian's (apt-get install chromium)"
        )
    return path


def print_pdf(files: dict[str, bytes], page: str) -> bytes:
    """The PDF of the HTML page `page` (a name in `files`), its other files beside it."""
    browser = chromium()
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: Playwright's sync API may run in this thread
        return _print(files, page, browser)
    with ThreadPoolExecutor(max_workers=1) as pool:  # inside an event loop (a notebook)
        return pool.submit(_print, files, page, browser).result()


def _print(files: dict[str, bytes], page: str, browser_path: str) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Route, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reactions-pdf-") as scratch:
        folder = Path(scratch)
        for name, content in files.items():
            (folder / name).write_bytes(content)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=browser_path, args=FLAGS)
                try:
                    context = browser.new_context(offline=True, viewport=PAPER)
                    tab = context.new_page()
                    tab.set_default_timeout(TIMEOUT_MS)

                    def console_error(message: ConsoleMessage) -> None:
                        if message.type == "error":
                            problems.append(message.text)

                    tab.on("console", console_error)
                    tab.on("pageerror", lambda error: problems.append(str(error)))

                    def only_local(route: Route) -> None:
                        if route.request.url.startswith(("file:", "data:")):
                            route.continue_()
                        else:
                            problems.append(f"blocked a request for {route.request.url}")
                            route.abort()

                    tab.route("**/*", only_local)
                    tab.goto((folder / page).as_uri(), wait_until="load")
                    try:
                        tab.wait_for_function(CHARTS_DRAWN)
                    except PlaywrightTimeout:
                        problems.insert(0, f"a chart was not drawn within {TIMEOUT_MS // 1000} s")
                    tab.evaluate("() => document.fonts.ready")
                    if problems:
                        raise RenderError(
                            "the page did not print cleanly: " + "; ".join(problems[:5])
                        )
                    tab.evaluate(DROP_LOCAL_LINKS)
                    return tab.pdf(
                        prefer_css_page_size=True,  # print.css: A4 and its margins
                        print_background=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=PAGE_NUMBERS,
                        tagged=True,
                        outline=True,
                    )
                finally:
                    browser.close()
        except PlaywrightError as error:
            detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
            if problems:
                detail = f"{detail}; {'; '.join(problems[:5])}"
            raise RenderError(f"printing to PDF failed: {detail}") from None
