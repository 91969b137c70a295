"""A warm kernel's memory over many pages: 200 briefs in one kernel, reset between pages, as a
publish worker runs them; its resident memory may not creep up page after page."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import papermill
import psutil
import pytest

from reactions.page import prepare
from reactions.warm import BATCH_WARM_UP, Kernel
from support.paths import DATA, NOTEBOOK, NOTEBOOKS

PAGES = 200
MEASURED_FROM = 20  # by then every library's caches and the drawn pictures are filled
GROWTH_LIMIT = 50 * 2**20  # bytes of RSS between page MEASURED_FROM and the last
# Briefs of one issue and date, in turn (as a schedule renders them): the same pictures again.
ACTORS = ("belarus", "serbia", "kazakhstan", "armenia")
FROZEN = "__import__('gc').get_freeze_count()"


def resident(pid: int) -> int:
    """RSS of the kernel and any process it started."""
    process = psutil.Process(pid)
    return sum(member.memory_info().rss for member in (process, *process.children(True)))


@pytest.mark.slow
def test_a_warm_kernel_does_not_grow_over_200_pages(tmp_path: Path) -> None:
    pages = [
        prepare(
            NOTEBOOK, {"focal_actor": actor, "issue": "recognition", "as_of": "2022-09-26"}, DATA
        )
        for actor in ACTORS
    ]
    kernel = Kernel(NOTEBOOKS, warm_up=BATCH_WARM_UP, check=True)  # as a publish worker's
    rss: dict[int, int] = {}
    frozen: dict[int, int] = {}
    started = time.perf_counter()
    try:
        assert kernel.pid is not None
        for number in range(1, PAGES + 1):
            page = pages[number % len(pages)]
            papermill.execute_notebook(  # as reactions.render.execute
                str(page.notebook),
                str(tmp_path / f"{page.stem}.ipynb"),
                parameters=page.parameters,
                kernel_name="python3",
                km=kernel.km,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
            )
            kernel.stop_clients()
            kernel.reset()  # raises if the page left what cannot be put back
            gc.collect()  # this process's own clients, before the next page
            rss[number] = resident(kernel.pid)
            if number in (MEASURED_FROM, PAGES):
                found = kernel._run("", expressions={"frozen": FROZEN})
                frozen[number] = int(found["frozen"]["data"]["text/plain"])
    finally:
        kernel.shutdown()
    seconds = time.perf_counter() - started
    mib = {number: round(value / 2**20, 1) for number, value in rss.items()}
    print(
        f"{PAGES} pages in {seconds:.0f} s ({seconds / PAGES:.2f} s a page); kernel RSS MiB: "
        f"page 1 {mib[1]}, {MEASURED_FROM} {mib[MEASURED_FROM]}, 100 {mib[100]}, "
        f"{PAGES} {mib[PAGES]} (peak {max(mib.values())}); frozen objects {frozen}"
    )
    assert rss[PAGES] - rss[MEASURED_FROM] <= GROWTH_LIMIT, mib
    assert frozen[PAGES] <= frozen[MEASURED_FROM], frozen  # frozen once, never again
