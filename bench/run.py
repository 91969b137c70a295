"""Benchmark: prints figures and writes bench/results.json. Not a test: it asserts nothing.

(a) floor: papermill running a trivial notebook that imports pandas and altair
(b) the default brief cold (`reactions render brief --data data --out TMP`) and b / a
(c) 20 briefs: fresh kernels (one subprocess per page, --jobs 2) against warm kernels on a
    2-worker Dask LocalCluster (`reactions publish --jobs 2`), and the ratio
(d) synthetic datasets of 10k, 100k, 1M and 5M statements: brief time, HTML size, peak RSS
(e) publishing: a one-page publish against a render of that page; 6 pages warm (Dask) against
    fresh kernels; schedule.yml published, then published again with nothing changed
and the per-phase breakdown of one render (kernel start, execute, export, images, publish).

Every timing is the wall time of a fresh process, as a scheduled run would see it; peak RSS is
the largest total resident memory of the process and all its children (the kernel), sampled.
    python bench/run.py [--quick] [--runs N] [--publishing: (e) alone]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from synthetic import write as write_synthetic  # noqa: E402

TARGETS = {
    "b_seconds": 5,
    "warm_speedup": 3,
    "seconds_1m": 15,
    "seconds_5m": 60,
    "rss_gb": 3,
    "html_mb": 2,
}
SIZES = [10_000, 100_000, 1_000_000, 5_000_000]


def measured(
    command: list[str],
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    first: Path | None = None,
) -> dict[str, float]:
    """Wall time and peak resident memory (process tree) of one command; fails loudly. With
    `first` (a folder), also when the first page's HTML appeared in it (sampled every 50 ms)."""
    first_page = None
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | (env or {}),
    )
    watched, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(member.memory_info().rss for member in tree))
        except psutil.Error:
            pass
        if first is not None and first_page is None and any(first.glob("*.*.*.html")):
            first_page = time.perf_counter() - started
        time.sleep(0.05)
    _, err = process.communicate()
    if process.returncode not in (0,):
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    figures = {"seconds": time.perf_counter() - started, "peak_rss_mb": peak / 2**20}
    return figures if first_page is None else figures | {"first_page_s": first_page}


def floor(scratch: Path) -> dict[str, float]:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import pandas as pd\nimport altair as alt")]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = scratch / "trivial.ipynb"
    nbformat.write(notebook, path)
    code = (
        "import papermill; papermill.execute_notebook("
        f"{str(path)!r}, {str(scratch / 'out.ipynb')!r}, kernel_name='python3', "
        "progress_bar=False)"
    )
    return measured([sys.executable, "-c", code])


def reactions(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "reactions.cli", *arguments]


def brief(data: Path, out: Path, *parameters: str) -> dict:
    figures = measured(
        reactions("render", "brief", *parameters, "--data", str(data), "--out", str(out))
    )
    (html,) = out.glob("*.brief.*.html")
    return figures | {"html_mb": html.stat().st_size / 2**20}


def twenty_pairs(as_of: str = "2022-10-31") -> list[tuple[str, str]]:
    """20 (actor, issue) briefs of the default story: pairs with a statement by `as_of`."""
    story = ROOT / "data" / "ukraine-annexation-2022"
    with (story / "statements.csv").open(encoding="utf-8-sig", newline="") as stream:
        pairs = {
            (row["actor_id"], row["issue"])
            for row in csv.DictReader(stream)
            if row["date"] <= as_of
        }
    return sorted(pairs)[:20]


def twenty(scratch: Path, fresh: bool) -> dict[str, float]:
    schedule = scratch / "twenty.yml"
    lines = ["timeout: 600", "pages:"]
    for actor, issue in twenty_pairs():
        lines += [
            "  - notebook: brief",
            f"    focal_actor: {actor}",
            f"    issue: {issue}",
            "    as_of: 2022-10-31",
        ]
    schedule.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = scratch / f"twenty-{'fresh' if fresh else 'warm'}"
    env = {"REACTIONS_FRESH_KERNELS": "1" if fresh else "0"}
    command = ["publish", "--schedule", str(schedule), "--jobs", "2", "--data", "data"]
    return measured(reactions(*command, "--out", str(out)), env=env)


def phases(scratch: Path) -> dict[str, float]:
    """Where one cold render of the default brief goes, phase by phase (in this process)."""
    code = f"""
import json, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
from reactions.page import prepare
from reactions.render import kernel_uses_this_python, execute
from reactions.exporter import export_page, warm_up
from reactions.html import chart_outputs
from reactions.vega import static_png
from reactions.writer import publish_files
from reactions.warm import Kernel
kernel_uses_this_python()
t = {{"parent imports": time.perf_counter() - t0}}
page = prepare(Path("notebooks/brief.ipynb"), {{}}, "data")
mark = time.perf_counter(); kernel = Kernel(page.notebook.parent)
t["kernel start (incl. lean prelude)"] = time.perf_counter() - mark
mark = time.perf_counter(); executed = execute(page, None, kernel)
t["execute"] = time.perf_counter() - mark
mark = time.perf_counter(); kernel.shutdown()
t["kernel shutdown (immediate)"] = time.perf_counter() - mark
mark = time.perf_counter(); warm_up()
t["exporter warm-up (beside the kernel)"] = time.perf_counter() - mark
mark = time.perf_counter(); html, _, _ = export_page(executed, "page", lambda svg: b"")
t["export"] = time.perf_counter() - mark
mark = time.perf_counter(); pngs = [static_png(c.svg) for c in chart_outputs(executed)]
t["images (drawn while cells run)"] = time.perf_counter() - mark
files = {{"page.html": html.encode(), **{{f"c{{i}}.png": p for i, p in enumerate(pngs)}}}}
mark = time.perf_counter(); publish_files(Path({str(scratch / "phases")!r}), files)
t["publish"] = time.perf_counter() - mark
print(json.dumps(t))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def publishing(scratch: Path, runs: int = 3) -> dict[str, float]:
    """(e): what a publish run adds to the renders it makes, and what a run that has nothing
    to build costs. A one-page publish (built in the publishing process) and a render of that
    page alternate, `runs` times each, into fresh folders: medians. Six briefs warm (Dask) and
    with fresh kernels (`REACTIONS_FRESH_KERNELS=1`: a render subprocess each), a first
    publish into a fresh folder: medians of total time and of the first page's arrival."""
    one = scratch / "one.yml"
    one.write_text("pages:\n  - notebook: brief\n", encoding="utf-8")
    six = scratch / "six.yml"
    six.write_text(
        "pages:\n  - notebook: brief\n    as_of: 2022-10-31\n    matrix:\n"
        "      focal_actor: [belarus, kazakhstan, serbia]\n"
        "      issue: [recognition, war_participation]\n",
        encoding="utf-8",
    )
    renders, publishes = [], []
    for n in range(runs):
        renders.append(brief(ROOT / "data", scratch / f"e-render-{n}")["seconds"])
        command = reactions("publish", "--schedule", str(one), "--out", str(scratch / f"e1-{n}"))
        publishes.append(measured(command)["seconds"])
    figures: dict[str, float] = {
        "render_s": statistics.median(renders),
        "one_page_publish_s": statistics.median(publishes),
        "runs": runs,
    }
    for kind, env in (("fresh", "1"), ("warm", "0")):
        totals, firsts = [], []
        for n in range(runs if kind == "warm" else 1):
            out = scratch / f"e6-{kind}-{n}"
            command = reactions("publish", "--schedule", str(six), "--jobs", "2", "--out", str(out))
            result = measured(command, env={"REACTIONS_FRESH_KERNELS": env}, first=out)
            totals.append(result["seconds"])
            firsts.append(result.get("first_page_s", result["seconds"]))
        figures[f"six_pages_{kind}_s"] = statistics.median(totals)
        figures[f"six_pages_{kind}_first_page_s"] = statistics.median(firsts)
    site = scratch / "e-site"
    command = reactions("publish", "--schedule", "schedule.yml", "--jobs", "2", "--out", str(site))
    figures["schedule_first_s"] = measured(command)["seconds"]
    figures["schedule_no_change_s"] = statistics.median(
        measured(command)["seconds"] for _ in range(runs)
    )
    return figures


def print_publishing(e: dict[str, float]) -> None:
    print(
        f"(e) one-page publish {e['one_page_publish_s']:.2f} s / render "
        f"{e['render_s']:.2f} s = {e['one_page_publish_s'] / e['render_s']:.2f} "
        f"(target <= 1.2; medians of {e['runs']:.0f}); 6 pages warm "
        f"{e['six_pages_warm_s']:.1f} s (first page {e['six_pages_warm_first_page_s']:.1f} s) "
        f"/ fresh {e['six_pages_fresh_s']:.1f} s = "
        f"{e['six_pages_warm_s'] / e['six_pages_fresh_s']:.2f}; schedule.yml "
        f"{e['schedule_first_s']:.1f} s, again with no change "
        f"{e['schedule_no_change_s']:.2f} s (target < 3 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="reactions benchmark")
    parser.add_argument("--quick", action="store_true", help="skip (c) and the 1M and 5M data")
    parser.add_argument(
        "--publishing", action="store_true", help="(e) alone, printed; results.json untouched"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each (e) figure: medians")
    arguments = parser.parse_args()
    if arguments.publishing:
        with tempfile.TemporaryDirectory(prefix="reactions-bench-") as folder:
            print_publishing(publishing(Path(folder), arguments.runs))
        return
    results: dict[str, object] = {"targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="reactions-bench-") as folder:
        scratch = Path(folder)
        a = min((floor(scratch) for _ in range(2)), key=lambda r: r["seconds"])
        b = min(
            (brief(ROOT / "data", scratch / f"b{n}") for n in range(2)),
            key=lambda r: r["seconds"],
        )
        results["a_floor"] = a
        results["b_default_brief"] = b | {"ratio_to_floor": b["seconds"] / a["seconds"]}
        print(f"(a) floor, papermill + trivial notebook: {a['seconds']:.2f} s")
        print(
            f"(b) default brief cold: {b['seconds']:.2f} s, {b['html_mb']:.2f} MB; "
            f"b / a = {b['seconds'] / a['seconds']:.2f} (target <= {TARGETS['b_seconds']} s)"
        )
        breakdown = phases(scratch)
        results["phases"] = breakdown
        print(
            "    one render, by phase: " + ", ".join(f"{k} {v:.2f} s" for k, v in breakdown.items())
        )
        if not arguments.quick:
            fresh, warm = twenty(scratch, fresh=True), twenty(scratch, fresh=False)
            speedup = fresh["seconds"] / warm["seconds"]
            results["c_twenty_briefs"] = {
                "fresh_jobs_2": fresh,
                "warm_dask_2": warm,
                "speedup": speedup,
            }
            print(
                f"(c) 20 briefs: fresh kernels --jobs 2 {fresh['seconds']:.1f} s, warm kernels on "
                f"2 Dask workers {warm['seconds']:.1f} s; ratio {speedup:.2f} "
                f"(target >= {TARGETS['warm_speedup']})"
            )
        e = publishing(scratch, arguments.runs)
        results["e_publishing"] = e
        print_publishing(e)
        sizes = SIZES[:2] if arguments.quick else SIZES
        results["d_synthetic"] = {}
        for size in sizes:
            data = write_synthetic(size, scratch / f"data-{size}")
            # the CSV as analysts keep it, then with its Parquet copy (validate --parquet)
            for variant in ("csv", "parquet"):
                if variant == "parquet":
                    subprocess.run(
                        reactions("validate", "--data", str(data), "--parquet"),
                        check=True,
                        capture_output=True,
                    )
                figures = brief(
                    data,
                    scratch / f"out-{size}-{variant}",
                    *("-p", "focal_actor", "c-abw", "-p", "issue", "recognition"),
                    *("-p", "as_of", "2022-12-31", "-y", "compare_with: []"),
                )
                results["d_synthetic"][f"{size} {variant}"] = figures
                print(
                    f"(d) {size:>9,} statements ({variant:>7}): {figures['seconds']:.1f} s, "
                    f"HTML {figures['html_mb']:.2f} MB, peak RSS {figures['peak_rss_mb']:.0f} MB"
                )
            shutil.rmtree(data)
    print(
        f"    targets: 1M <= {TARGETS['seconds_1m']} s, 5M <= {TARGETS['seconds_5m']} s, "
        f"peak RSS <= {TARGETS['rss_gb']} GB, HTML <= {TARGETS['html_mb']} MB"
    )
    target = ROOT / "bench" / "results.json"
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
