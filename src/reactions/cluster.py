"""The Dask side of a publish run: a local cluster whose workers start their kernels as they
start (reactions.warm), so the first pages find them ready instead of waiting a kernel's start
and the page libraries' imports after the cluster is up.

Apart from reactions.publish so that only the run's parent and its workers import Dask.
"""

from __future__ import annotations

import logging
from pathlib import Path

import dask
from distributed import LocalCluster, WorkerPlugin


class KernelAtStart(WorkerPlugin):
    """Starts a worker's warm kernel in `cwd` (the pages' folder) as the worker starts; shuts
    it down as the worker closes."""

    name = "reactions-kernel-at-start"

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd

    def setup(self, worker: object) -> None:
        from reactions.warm import start_kernel

        start_kernel(Path(self.cwd))

    def teardown(self, worker: object) -> None:
        from reactions.warm import drop_kernel

        drop_kernel()


def local_cluster(workers: int, cwd: Path, scratch: str) -> LocalCluster:
    """An in-process cluster of single-threaded worker processes, each with a kernel in `cwd`."""
    # Dask's statistical profiler samples each worker's stack every 10 ms: CPU a page needs,
    # for a profile of a task that mostly waits on its kernel.
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # a kernel stays on one thread
            processes=True,
            dashboard_address="127.0.0.1:0",
            local_directory=scratch,
            silence_logs=logging.ERROR,
            plugins=(KernelAtStart(str(cwd)),),
        )
