"""Committed charts in JupyterLab: a committed chart holds its SVG (the spec is stripped by
`make refresh`), which JupyterLab draws only in a trusted notebook; untrusted, it shows the
chart's text, "[chart] " and the finding in words. The project's choice (README: "Charts in
JupyterLab"): trust, not a PNG in every committed chart. `make refresh` trusts the notebooks it
wrote; anyone else runs `jupyter trust notebooks/*.ipynb` once. Trusting writes nothing into the
notebook (a signature in the user's own Jupyter data folder)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import nbformat
import pytest

from support.paths import NOTEBOOKS, ROOT
from support.processes import wait_for
from test_jupyter_clients import BIN, CHROMIUM, ENV, SCREENSHOTS, _free_port, _listening


def chart_outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]


def test_committed_charts_carry_their_finding_as_text_and_no_png():
    """What an untrusted JupyterLab shows instead of the SVG: the chart's finding in words.
    No PNG fallback (README: about 1.5 MB more notebook, rewritten at every chart change)."""
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for output in chart_outputs(nbformat.read(path, as_version=4)):
            assert "image/png" not in output["data"], path.name
            text = output["data"]["text/plain"]
            assert text.startswith("[chart] ") and len(text) > 30, (path.name, text)


def test_make_refresh_trusts_what_it_wrote():
    recipe = re.search(r"^refresh:.*?(?=^\S|\Z)", (ROOT / "Makefile").read_text(), re.S | re.M)
    assert recipe is not None
    steps = [line.strip() for line in recipe.group(0).splitlines()[1:] if line.strip()]
    assert steps[-1] == "jupyter trust notebooks/*.ipynb"  # after what rewrote them
    assert any("reactions.review refresh" in step for step in steps[:-1])  # ran and cleaned


def test_trust_writes_nothing_into_the_notebook(tmp_path):
    shutil.copy(NOTEBOOKS / "actor.ipynb", tmp_path / "actor.ipynb")
    before = (tmp_path / "actor.ipynb").read_bytes()
    env = ENV | {"JUPYTER_DATA_DIR": str(tmp_path / "data")}
    run = subprocess.run(
        [str(BIN / "jupyter"), "trust", str(tmp_path / "actor.ipynb")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "actor.ipynb").read_bytes() == before
    check = subprocess.run(
        [
            *(str(BIN / "python"), "-c"),
            "import sys, nbformat; from nbformat.sign import NotebookNotary; "
            "sys.exit(0 if NotebookNotary().check_signature(nbformat.read(sys.argv[1], 4)) else 3)",
            str(tmp_path / "actor.ipynb"),
        ],
        env=env,
    )
    assert check.returncode == 0  # trusted here...
    other = env | {"JUPYTER_DATA_DIR": str(tmp_path / "someone-else")}
    assert subprocess.run(check.args, env=other).returncode == 3  # ...and nowhere else


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="needs Chromium")
def _stored_outputs(path) -> int:
    notebook = nbformat.read(path, as_version=4)
    return sum(len(cell.get("outputs", [])) for cell in notebook.cells)


def test_jupyterlab_draws_committed_charts_once_trusted(tmp_path):
    """A real JupyterLab, offline, nothing run: the untrusted brief shows each chart's finding
    as text; the actor page, trusted with `jupyter trust`, shows its chart as an <img>."""
    from playwright.sync_api import sync_playwright

    root = tmp_path / "lab"
    (root / "notebooks").mkdir(parents=True)
    for name in ("brief", "actor"):
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", root / "notebooks" / f"{name}.ipynb")
    env = ENV | {
        "REACTIONS_DATA": str(ROOT / "data"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),  # a trust database of its own
    }
    settings = tmp_path / "cfg" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)  # every cell rendered, not only those in view
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    subprocess.run(
        [str(BIN / "jupyter"), "trust", str(root / "notebooks" / "actor.ipynb")],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port, token = _free_port(), "reactions-test"
    server = subprocess.Popen(
        [
            *(str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1"),
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False",
            "--allow-root",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for(lambda: _listening(port), 60, f"JupyterLab listening on port {port}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            shown = {}
            for name in ("brief", "actor"):
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
                page.goto(
                    f"http://127.0.0.1:{port}/lab/workspaces/{name}/tree/notebooks/{name}.ipynb"
                    f"?token={token}"
                )
                page.wait_for_function(  # every stored output rendered, every picture loaded
                    """stored => document.querySelectorAll(".jp-OutputArea-output").length
                        >= stored && [...document.querySelectorAll(".jp-RenderedSVG img")]
                        .every(img => img.complete)""",
                    arg=_stored_outputs(root / "notebooks" / f"{name}.ipynb"),
                    timeout=60_000,
                )
                shown[name] = page.evaluate(
                    """() => ({
                      pictures: [...document.querySelectorAll(".jp-RenderedSVG img")]
                        .filter(img => img.complete && img.naturalWidth > 100).length,
                      texts: [...document.querySelectorAll(".jp-RenderedText")]
                        .map(element => element.innerText)
                        .filter(text => text.startsWith("[chart] ")).length,
                    })"""
                )
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"jupyterlab-committed-{name}.png"))
                context.close()
            browser.close()
    finally:
        os.killpg(server.pid, 9)
        server.wait()
    assert shown["brief"] == {"pictures": 0, "texts": 2}  # untrusted: the findings in words
    assert shown["actor"] == {"pictures": 1, "texts": 0}  # trusted: the committed SVG drawn
