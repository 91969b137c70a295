"""The notebook is the product: every Jupyter client runs it right and shows its charts.

Real clients only: the plain papermill CLI (from the repo root and from notebooks/), stock
`jupyter nbconvert --to html`, and JupyterLab on loopback driven by headless Chromium with every
request off the machine blocked.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from support.paths import ROOT
from support.processes import wait_for

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
# Every chart output drawn by JupyterLab's Vega renderer, wide, with marks painted: pixels on
# its canvas (or shapes in its SVG), not only an element of the right size.
CHARTS_PAINTED = """charts => {
  const drawn = [...document.querySelectorAll(
    ".jp-RenderedVegaLite canvas.marks, .jp-RenderedVegaLite svg.marks")]
    .filter(element => element.getBoundingClientRect().width > 100);
  const painted = element => {
    if (element.tagName.toLowerCase() === "svg") {
      return element.querySelectorAll("path, rect, text").length > 0;
    }
    const pixels = element.getContext("2d").getImageData(0, 0, element.width, element.height);
    return pixels.data.some((value, index) => index % 4 === 3 && value > 0);
  };
  return drawn.length >= charts && drawn.every(painted);
}"""
SCREENSHOTS = ROOT / "report" / "screenshots"  # kept as CI artefacts (report/ is not committed)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def shown(notebook: nbformat.NotebookNode, call: str) -> str:
    """The text a cell whose source is `call` shows."""
    cell = next(cell for cell in notebook.cells if cell.source == call)
    return cell.outputs[0]["data"]["text/plain"]


def papermill(cwd: Path, notebook: str, out: Path, *parameters: str):
    return subprocess.run(
        [str(BIN / "papermill"), notebook, str(out), *parameters],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("cwd", [ROOT, ROOT / "notebooks"], ids=["repo-root", "notebooks"])
def test_plain_papermill_renders_the_default_brief_from_any_folder(tmp_path, cwd):
    notebook = "notebooks/brief.ipynb" if cwd == ROOT else "brief.ipynb"
    run = papermill(cwd, notebook, tmp_path / "out.ipynb", "-p", "focal_actor", "kazakhstan")
    assert run.returncode == 0, run.stderr[-2000:]
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    title = shown(executed, "brief.title(page)")
    assert title == (
        "Kazakhstan implicitly rejects recognition of the “referendums” as Serbia rejects it "
        "and South Ossetia leans toward it"
    )


BAD = [
    (("-p", "as_of", "20221031"), "ParameterError: as_of: expected a date written YYYY-MM-DD"),
    (
        ("-p", "as_of", "2022-13-45"),
        "ParameterError: as_of: expected a real date written YYYY-MM-DD",
    ),
    (("-p", "focal_actor", "narnia"), "ParameterError: focal_actor: unknown actor 'narnia'"),
    (("-p", "issue", "recogniton"), "issue: unknown issue 'recogniton' (closest: recognition)"),
    (("-p", "compare_with", "7"), "compare_with: expected a list of actor_ids"),
]


@pytest.mark.parametrize(("parameters", "message"), BAD, ids=[b[1][:30] for b in BAD])
def test_plain_papermill_refuses_bad_parameters_in_one_line(tmp_path, parameters, message):
    run = papermill(ROOT, "notebooks/brief.ipynb", tmp_path / "out.ipynb", *parameters)
    assert run.returncode != 0
    lines = [line for line in run.stderr.splitlines() if message in line]
    assert len(lines) == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr.split("Exception encountered at")[-1]


def test_a_list_parameter_given_as_text_is_read_as_ids(tmp_path):
    run = papermill(
        ROOT, "notebooks/brief.ipynb", tmp_path / "out.ipynb", "-p", "compare_with", "serbia"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    headline = shown(executed, "brief.headline(page)")
    assert (
        "Among Serbia, Belarus stands closest to Moscow's position; next below it is Serbia "
        "(explicit rejection, -2)."
    ) in headline


def test_help_notebook_types_and_explains_every_parameter():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        run = subprocess.run(
            [str(BIN / "papermill"), "--help-notebook", str(notebook)],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Unknown type" not in run.stdout, notebook.name
        assert "data_dir: str" in run.stdout, notebook.name
        assert "as_of: str" in run.stdout and "YYYY-MM-DD" in run.stdout, notebook.name


def test_stock_nbconvert_html_shows_every_chart_as_a_picture(tmp_path):
    shutil.copy(ROOT / "notebooks" / "brief.ipynb", tmp_path / "brief.ipynb")
    run = subprocess.run(
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--execute", "brief.ipynb"],
        cwd=tmp_path,
        env=ENV | {"REACTIONS_DATA": str(ROOT / "data")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    pictures = html.count('data-mime-type="image/svg+xml"')
    assert pictures == 2  # the spectrum and the timeline
    assert html.count('src="data:image/svg+xml;base64,') == 2


def test_committed_notebooks_carry_no_volatile_metadata_and_no_spec_twice():
    """Charts are committed as their SVG only (make refresh strips the spec), so a one-stance
    change moves a line per chart, not the chart's whole data."""
    charts = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        assert "papermill" not in notebook.metadata, path.name
        for cell in notebook.cells:
            assert "execution" not in cell.metadata, path.name
            assert "papermill" not in cell.metadata, path.name
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert [key for key in data if "vegalite" in key] == [], path.name
                if "image/svg+xml" in data:
                    charts += 1
                    assert set(data) == {"image/svg+xml", "text/plain"}, path.name
    # brief: spectrum, timeline; compare: heatmap (its vote, 12 October, is after its date); actor
    assert charts == 4


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="needs Chromium")
def test_jupyterlab_run_all_draws_every_chart(tmp_path):
    """Run All on each notebook in a real JupyterLab, offline: every chart output is drawn."""
    from playwright.sync_api import sync_playwright

    root = tmp_path / "lab"
    (root / "notebooks").mkdir(parents=True)
    for path in (ROOT / "notebooks").glob("*.ipynb"):  # outputs cleared: charts must be drawn
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(notebook, root / "notebooks" / path.name)
    port, token = _free_port(), "reactions-test"
    server = subprocess.Popen(
        [
            str(BIN / "jupyter"),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False",
            "--allow-root",
        ],
        env=ENV
        | {"REACTIONS_DATA": str(ROOT / "data"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for(lambda: _listening(port), what=f"JupyterLab listening on port {port}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, charts in (("brief", 2), ("compare", 1), ("actor", 1)):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                context.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith(f"http://127.0.0.1:{port}")
                        or route.request.url.startswith(("data:", "blob:"))
                        else route.abort()
                    ),
                )
                page = context.new_page()
                connected: list[bool] = []  # the kernel answered JupyterLab's kernel_info_request

                def on_frame(payload: str | bytes, seen: list[bool] = connected) -> None:
                    text = payload if isinstance(payload, str) else payload.decode("latin-1")
                    if "kernel_info_reply" in text:
                        seen.append(True)

                page.on(
                    "websocket",
                    lambda opened: (
                        opened.on("framereceived", on_frame)
                        if "/api/kernels/" in opened.url
                        else None
                    ),
                )
                page.goto(
                    f"http://127.0.0.1:{port}/lab/workspaces/{name}/tree/notebooks/{name}.ipynb"
                    f"?token={token}"
                )
                page.wait_for_selector(".jp-Notebook", timeout=60_000)
                dialog = page.locator(".jp-Dialog button.jp-mod-accept").first  # "Select Kernel"
                idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first
                # Whichever comes first: the dialog asking for a kernel, or the kernel it would
                # ask for, started without asking, connected (it answered kernel_info) and idle.
                limit = time.monotonic() + 60
                while not dialog.is_visible() and not (connected and idle.is_visible()):
                    assert time.monotonic() < limit, f"{name}: no kernel connected within 60 s"
                    page.wait_for_timeout(100)  # Playwright's events are delivered meanwhile
                if dialog.is_visible():
                    dialog.click()
                idle.wait_for(timeout=60_000)
                page.get_by_role("menuitem", name="Run").click()
                page.get_by_text("Run All Cells", exact=True).click()
                try:
                    page.wait_for_function(CHARTS_PAINTED, arg=charts, timeout=120_000)
                finally:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    chart = page.locator(".jp-RenderedVegaLite").first
                    if chart.count():
                        chart.scroll_into_view_if_needed()
                        chart.screenshot(path=str(SCREENSHOTS / f"jupyterlab-{name}-chart.png"))
                    page.screenshot(path=str(SCREENSHOTS / f"jupyterlab-{name}.png"))
                errors = page.locator(
                    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                )
                assert "Error" not in " ".join(errors.all_inner_texts())
                context.close()
            browser.close()
    finally:
        os.killpg(server.pid, 9)
        server.wait()
