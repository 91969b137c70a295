"""Publishing on an existing Dask cluster: a scheduler and two worker processes on loopback; a
worker is killed mid-run, and every page is still published (by the client alone)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import psutil
from rich.console import Console

from reactions.publish import publish
from reactions.schedule import load_schedule
from support.notebooks import gate, tiny_page
from support.paths import DATA, ROOT
from support.processes import HANG, running, wait_for
from support.rendering import publish_cli

BIN = Path(sys.executable).parent
ACTORS = ["armenia", "belarus", "brazil", "canada", "china", "cuba"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_worker_killed_mid_run_and_every_page_published(tmp_path):
    started, release = tmp_path / "started", tmp_path / "release"
    started.mkdir()
    notebooks = tmp_path / "notebooks"
    tiny_page(  # each page says it started (actor-kernel pid), then waits for the release
        notebooks,
        "import os\n"
        f"open(os.path.join({str(started)!r}, actor + '-' + str(os.getpid())), 'w').close()\n"
        + gate(release, 100),
    )
    schedule_path = tmp_path / "schedule.yml"
    schedule_path.write_text(
        f"timeout: 120\npages:\n  - notebook: tiny\n    matrix:\n      actor: {ACTORS}\n",
        encoding="utf-8",
    )
    schedule = load_schedule(schedule_path, notebooks, DATA)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    path = [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(path)}  # this source first, as here
    cluster = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    try:
        for _ in range(2):
            cluster.append(
                subprocess.Popen(
                    [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1"],
                    env=env,
                    cwd=tmp_path,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=90)
        out = tmp_path / "report"

        killed = []

        def kill_a_worker() -> None:  # once both workers are held mid-page: surely mid-run
            try:
                wait_for(
                    lambda: len(rendering_kernels(started)) >= 2, what="both workers rendering"
                )
                for process in psutil.Process(cluster[1].pid).children(recursive=True):
                    process.send_signal(signal.SIGKILL)  # the worker and its kernel
                    killed.append(process.pid)
            finally:
                release.touch()

        killer = threading.Thread(target=kill_a_worker)
        killer.start()
        outcomes = publish(schedule, out, 2, Console(stderr=True), scheduler=address)
        killer.join(timeout=HANG)
        assert not killer.is_alive()
        assert killed
    finally:
        for process in reversed(cluster):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert sorted(outcome.status for outcome in outcomes) == ["published"] * len(ACTORS), outcomes
    for actor in ACTORS:
        stem = f"{DATA.name}.tiny.{actor}"
        assert (out / f"{stem}.html").exists()
        assert (out / f"{stem}.ipynb").exists()
    assert (out / "index.html").exists()
    assert not list(out.rglob("*.tmp"))
    assert not (out / "_failed").exists()
    runs = Counter(name.rsplit("-", 1)[0] for name in os.listdir(started))
    assert max(runs.values()) == 2, runs  # the page the killed worker held ran again elsewhere


def rendering_kernels(started: Path) -> set[str]:
    """The kernels that have started a page (each page's file is named actor-pid)."""
    return {name.rsplit("-", 1)[1] for name in os.listdir(started)}


def _started_kernel() -> tuple[int, str]:
    """In a worker: its kernel, once the start its worker began has finished (pid, folder)."""
    from reactions import warm

    warm._started()
    assert warm._kernel is not None
    return warm._kernel.pid, str(warm._kernel.cwd)


def test_local_workers_start_their_kernels_as_they_start_and_stop_them_as_they_close(tmp_path):
    from distributed import Client

    from reactions.cluster import local_cluster

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    with (
        local_cluster(2, notebooks, str(tmp_path / "scratch")) as cluster,
        Client(cluster) as client,
    ):  # no task runs: each worker's kernel is started by the worker itself
        kernels = list(client.run(_started_kernel).values())
    pids = [pid for pid, _ in kernels]
    assert len(set(pids)) == 2
    assert {folder for _, folder in kernels} == {str(notebooks.resolve())}
    wait_for(lambda: not any(running(pid) for pid in pids), what="the workers' kernels to end")


def test_a_schedule_refused_while_its_workers_start_leaves_nothing_running(
    tmp_path, monkeypatch, capsys
):
    """A first publish of more pages than jobs starts its Dask workers (and their kernels) as
    soon as its pages are counted, while each is checked: a page refused then (an unknown
    actor) stops the run, exit 2, before anything is built, and every worker is shut down."""
    import reactions.on_dask as on_dask

    begun = []

    class Recorded(on_dask.DaskStart):
        def __init__(self, *arguments, **options):
            super().__init__(*arguments, **options)
            begun.append(self)

    monkeypatch.setattr(on_dask, "DaskStart", Recorded)
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "pass")
    own = psutil.Process()
    before = {child.pid for child in own.children(recursive=True)}
    out = tmp_path / "report"
    schedule = "pages:\n  - notebook: tiny\n    matrix:\n      actor: [belarus, serbia, narnia]\n"
    assert publish_cli(tmp_path, schedule, out, notebooks) == 2
    assert "'narnia'" in capsys.readouterr().err
    assert len(begun) == 1 and begun[0].client is not None  # the workers had really started
    assert not list(out.glob("*.html")) and not list(out.glob("*.key"))

    def left() -> list[str]:  # but multiprocessing's resource tracker, one per process for
        # its life, started with the first worker process (it holds no worker and no kernel)
        return [
            command
            for child in own.children(recursive=True)
            if child.pid not in before and running(child.pid)
            for command in [_command(child)]
            if command and "multiprocessing.resource_tracker" not in command
        ]

    wait_for(lambda: not left(), seconds=30, what=f"the started workers to end: {left()}")


def _command(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # ended meanwhile: not left
        return ""
