"""Print a rendered page to PDF with headless Chromium: offline, charts drawn, A4.

The browser is Debian's Chromium (`apt-get install chromium`) driven by Playwright; nothing is
downloaded. The page is opened from a scratch folder holding its files (its chart pictures are
files beside it, the site's shared Vega runtime in `_static/` when it loads that); every request
other than file: and data: is aborted. It is printed once every chart is drawn (the Vega bundle
replaces each static picture with the chart drawn from its spec, as in any browser), with the
page's print stylesheet (templates/brief/print.css: A4, charts scaled to the paper, nothing
split across pages that should not be). The PDF is tagged:
each chart is a Figure whose alternative text describes it, and its outline follows the
headings. Links to files beside the page are left out of the PDF (they would point into the
scratch folder; the footer names those files); links to sources stay links, their addresses
printed after them. Every page is headed by the page's title and the day it was rendered, and
numbered.

A page that logs an error or leaves a chart undrawn is not printed: RenderError, as for any
other part of a page that cannot be published.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import shlex
import shutil
import signal
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html import escape
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
# Links to the page's own files (method, CSVs) would point into the scratch folder from the PDF.
DROP_LOCAL_LINKS = (
    "() => document.querySelectorAll('a[href]').forEach(link => {"
    " if (!/^(https?:|mailto:|#)/i.test(link.getAttribute('href')))"
    " link.removeAttribute('href'); })"
)
PAGE_NUMBERS = (
    '<div style="width:100%;text-align:center;font:8px Arial,sans-serif;color:#5f6368">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)
# Every printed page is headed by the page's title (Chromium fills in the document's title)
# and the day the page was rendered, from its provenance footer (`<time datetime>`), or else the
# day it is printed. Inside print.css's margins (14 mm each side); a long title wraps.
RUNNING_HEAD = (
    '<div style="width:100%;margin:0 14mm;display:flex;justify-content:space-between;'
    'align-items:baseline;gap:8mm;font:8px/1.3 Arial,sans-serif;color:#5f6368">'
    '<span class="title"></span><span style="white-space:nowrap">{date}</span></div>'
)
RENDERED_AT = (
    "() => (document.querySelector('footer.provenance time[datetime]') || {getAttribute: "
    "() => ''}).getAttribute('datetime')"
)
TIMEOUT_MS = 60_000
KILL_WAIT = 10.0  # seconds a killed browser is waited for (a hang bound: it takes milliseconds)
# The page is laid out as wide as A4's text column (210 mm less print.css's 14 mm margins, at
# 96 px per inch), so charts as wide as their container are drawn at the paper's width.
PAPER: ViewportSize = {"width": round((210 - 2 * 14) / 25.4 * 96), "height": round(297 / 25.4 * 96)}


def running_head(rendered_at: str | None) -> str:
    """The header template of every printed page: the title, and "Rendered 5 May 2025" from the
    page's render time (ISO 8601, as its footer records it), or the day it is printed."""
    try:
        day = datetime.datetime.fromisoformat(str(rendered_at).replace("Z", "+00:00")).date()
    except ValueError:
        return RUNNING_HEAD.format(date='<span class="date"></span>')
    return RUNNING_HEAD.format(date=escape(f"Rendered {day.day} {day:%B %Y}"))


def chromium() -> str:
    """Debian's Chromium, or a clear error saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RenderError(
            "printing a page to PDF needs Chromium, and there is none on PATH: "
            "install Debian's (apt-get install chromium)"
        )
    return path


def print_pdf(files: dict[str, bytes], page: str, seconds: float | None = None) -> bytes:
    """The PDF of the HTML page `page` (a name in `files`), its other files beside it, within
    `seconds` (None: the printer's own limits): past them the browser is killed and the page
    is not printed (RenderError)."""
    browser = chromium()
    if seconds is not None and seconds <= 0:
        raise RenderError("printing to PDF failed: no time left of the page's timeout")
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: Playwright's sync API may run in this thread
        return _print(files, page, browser, seconds)
    with ThreadPoolExecutor(max_workers=1) as pool:  # inside an event loop (a notebook)
        return pool.submit(_print, files, page, browser, seconds).result()


def _launcher(folder: Path, browser_path: str) -> Path:
    """A script that starts the browser so that it dies with whoever started it: Playwright
    starts Chromium in a process group of its own, which a render's killed group would leave
    running. The browser gets SIGKILL when its parent (Playwright's driver, in the render's
    group) dies (`setpriv --pdeathsig`, util-linux), and writes its process id for the
    printer's own deadline."""
    script = folder / "chromium-launcher.sh"
    setpriv = shutil.which("setpriv")
    guard = f"{shlex.quote(setpriv)} --pdeathsig KILL " if setpriv else ""
    script.write_text(
        "#!/bin/sh\n"
        f"echo $$ > {shlex.quote(str(folder / 'chromium.pid'))}\n"
        f'exec {guard}{shlex.quote(browser_path)} "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o700)
    return script


def _kill_browser(folder: Path) -> None:
    """SIGKILL the browser and the process group it leads (Playwright starts it as a group's
    leader: its renderer, GPU and zygote processes are in it), then wait, at most KILL_WAIT,
    until none of them runs: reaped here when the browser is this process's child, else dead
    (gone, or a zombie its parent reaps). No browser outlives the print that failed."""
    try:
        pid = int((folder / "chromium.pid").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # never started
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)  # no such group: it was not started as a leader
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    limit = time.monotonic() + KILL_WAIT
    while time.monotonic() < limit:
        if not _alive(pid) and not _group_running(pid):
            return
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    """Whether the process runs: reaped here when it is this process's child and has died;
    otherwise its parent reaps it, and dead (a zombie) or gone it does not run."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != pid
    except ChildProcessError:  # not a child of this process
        pass
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc to read: the kernel says whether it exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            pass
        return True
    return text.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _group_running(group: int) -> bool:
    """Whether a process of the process group runs, a zombie aside (/proc's view; without a
    /proc to read, none is known)."""
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                text = entry.joinpath("stat").read_text(encoding="utf-8", errors="replace")
            except OSError:  # ended since it was listed
                continue
            fields = text.rsplit(")", 1)[-1].split()  # state, parent, group, ...
            if fields[2] == str(group) and fields[0] not in ("Z", "X"):
                return True
    return False


def _print(
    files: dict[str, bytes], page: str, browser_path: str, seconds: float | None = None
) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Route, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    problems: list[str] = []
    limit_ms = TIMEOUT_MS if seconds is None else max(1, min(TIMEOUT_MS, int(seconds * 1000)))
    with tempfile.TemporaryDirectory(prefix="reactions-pdf-") as scratch:
        folder = Path(scratch)
        for name, content in files.items():  # the site's shared runtime (_static/) too
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        launcher = str(_launcher(folder, browser_path))
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _kill_browser(folder)

        deadline = threading.Timer(limit_ms / 1000, expire)
        deadline.daemon = True
        deadline.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=launcher, args=FLAGS, timeout=limit_ms
                )
                try:
                    context = browser.new_context(offline=True, viewport=PAPER)
                    tab = context.new_page()
                    tab.set_default_timeout(limit_ms)

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
                        header_template=running_head(tab.evaluate(RENDERED_AT)),
                        footer_template=PAGE_NUMBERS,
                        tagged=True,
                        outline=True,
                    )
                finally:
                    browser.close()
        except PlaywrightError as error:
            _kill_browser(folder)  # killed at the deadline (by the timer's thread) or not: gone
            detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
            if expired.is_set():
                detail = f"not done within {limit_ms / 1000:.0f} s, the browser killed"
            if problems:
                detail = f"{detail}; {'; '.join(problems[:5])}"
            raise RenderError(f"printing to PDF failed: {detail}") from None
        except BaseException:
            _kill_browser(folder)  # no browser outlives a page that failed
            raise
        finally:
            deadline.cancel()
