"""Benchmark: prints figures and writes bench/results.json. Not a test: it asserts nothing.

(a) floor: papermill running a trivial notebook that imports pandas and altair
(b) the default brief end to end (`reactions render`: validate, papermill, HTML) and b / a
(c) 20 briefs published with --jobs 1 and --jobs 2, and the speed-up
(d) synthetic datasets of 10k, 100k and 1M statements: brief time, HTML size, peak RSS

Every timing is the wall time of a fresh process, as a scheduled run would see it; peak RSS is
the largest total resident memory of the process and all its children (the kernel), sampled.
    python bench/run.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
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

TARGETS = {"b_over_a": 1.5, "speedup": 1.7, "seconds_1m": 30, "html_mb_1m": 2, "rss_gb_1m": 2}
TWENTY = [
    ("belarus", "recognition"),
    ("belarus", "mobilization"),
    ("belarus", "war_participation"),
    ("kazakhstan", "recognition"),
    ("kazakhstan", "mobilization"),
    ("serbia", "recognition"),
    ("south-ossetia", "recognition"),
    ("russia", "recognition"),
    ("russia", "mobilization"),
    ("ukraine", "recognition"),
    ("ukraine", "war_participation"),
    ("china", "recognition"),
    ("india", "recognition"),
    ("syria", "recognition"),
    ("north-korea", "recognition"),
    ("united-states", "recognition"),
    ("eu", "recognition"),
    ("eu", "war_participation"),
    ("g7", "recognition"),
    ("nato", "mobilization"),
]


def measured(command: list[str], cwd: Path = ROOT) -> dict[str, float]:
    """Wall time and peak resident memory (process tree) of one command; fails loudly."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watched, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(member.memory_info().rss for member in tree))
        except psutil.Error:
            pass
        time.sleep(0.05)
    _, err = process.communicate()
    if process.returncode not in (0,):
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{err[-2000:]}")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak / 2**20}


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


def brief(data: Path, out: Path, actor: str, issue: str, as_of: str, *extra: str) -> dict:
    figures = measured(
        reactions(
            "render",
            "--actor",
            actor,
            "--issue",
            issue,
            "--as-of",
            as_of,
            "--data",
            str(data),
            "--out",
            str(out),
            *extra,
        )
    )
    (html,) = out.glob(f"{actor}-{issue}-{as_of}*.html")
    return figures | {"html_mb": html.stat().st_size / 2**20}


def twenty(scratch: Path, jobs: int) -> dict[str, float]:
    schedule = scratch / "twenty.yml"
    lines = ["timeout: 600", "briefs:"]
    for actor, issue in TWENTY:
        lines += [f"  - actor: {actor}", f"    issue: {issue}", "    as_of: 2022-10-31"]
    schedule.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = scratch / f"twenty-jobs-{jobs}"
    return measured(
        reactions("publish", "--schedule", str(schedule), "--jobs", str(jobs), "--out", str(out))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="reactions benchmark")
    parser.add_argument("--quick", action="store_true", help="skip (c) and the 1M dataset")
    arguments = parser.parse_args()
    results: dict[str, object] = {"targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="reactions-bench-") as folder:
        scratch = Path(folder)
        a = min((floor(scratch) for _ in range(3)), key=lambda r: r["seconds"])
        b = min(
            (
                brief(ROOT / "data", scratch / "b", "belarus", "recognition", "2022-09-26")
                for _ in range(3)
            ),
            key=lambda r: r["seconds"],
        )
        results["a_floor"] = a
        results["b_default_brief"] = b | {"ratio_to_floor": b["seconds"] / a["seconds"]}
        print(f"(a) floor, papermill + trivial notebook: {a['seconds']:.2f} s")
        print(
            f"(b) default brief end to end: {b['seconds']:.2f} s, {b['html_mb']:.2f} MB; "
            f"b / a = {b['seconds'] / a['seconds']:.2f} (target <= {TARGETS['b_over_a']})"
        )
        if not arguments.quick:
            one, two = twenty(scratch, 1), twenty(scratch, 2)
            speedup = one["seconds"] / two["seconds"]
            results["c_twenty_briefs"] = {"jobs_1": one, "jobs_2": two, "speedup": speedup}
            print(
                f"(c) 20 briefs: --jobs 1 {one['seconds']:.1f} s, --jobs 2 {two['seconds']:.1f} s"
                f"; speed-up {speedup:.2f} (target >= {TARGETS['speedup']})"
            )
        sizes = [10_000, 100_000] + ([] if arguments.quick else [1_000_000])
        results["d_synthetic"] = {}
        for size in sizes:
            data = write_synthetic(size, scratch / f"data-{size}")
            figures = brief(
                data,
                scratch / f"out-{size}",
                "c-abw",
                "recognition",
                "2022-12-31",
                "--compare-with",
            )
            results["d_synthetic"][str(size)] = figures
            print(
                f"(d) {size:>9,} statements: {figures['seconds']:.1f} s, "
                f"HTML {figures['html_mb']:.2f} MB, peak RSS {figures['peak_rss_mb']:.0f} MB"
            )
            shutil.rmtree(data)
    if not arguments.quick:
        print(
            f"    targets at 1M: < {TARGETS['seconds_1m']} s, HTML < {TARGETS['html_mb_1m']} MB,"
            f" peak RSS < {TARGETS['rss_gb_1m']} GB"
        )
    target = ROOT / "bench" / "results.json"
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
