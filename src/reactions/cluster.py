"""The Dask side of a publish run: a local cluster whose workers start their kernels as they
start (reactions.warm), so the first pages find them ready instead of waiting a kernel's start
and the page libraries' imports after the cluster is up.

Apart from reactions.publish so that only the run's parent and its workers import Dask.
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import time
from pathlib import Path

import dask
from distributed import LocalCluster, WorkerPlugin

from reactions.errors import SchedulerUnavailable


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


PROBE_SECONDS = 4.0  # to connect, then again to hear the handshake: refused within 10 s
MAX_HANDSHAKE_BYTES = 1 << 20  # a scheduler's handshake is a few hundred bytes
HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+")
SCHEMES = ("tcp", "tls")


def check_scheduler(address: str) -> None:
    """Refuse, within about 2 x PROBE_SECONDS, a scheduler address that is malformed, cannot be
    reached, or does not speak Dask's protocol (an HTTP server, anything else listening):
    before a publish run takes its lock. A Dask scheduler speaks first: on a new connection it
    sends its handshake, a framed msgpack mapping (distributed.comm.tcp); a plain tcp://
    address must send one, read here with bounded size and time (never allocating what a
    garbage length asks for). A tls:// address is only connected to."""
    from distributed.comm.addressing import parse_address, parse_host_port

    shown = repr(address[:80])
    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location, default_port=8786) if scheme in SCHEMES else ("", 0)
    except (ValueError, TypeError) as error:
        raise SchedulerUnavailable(f"not a scheduler address: {shown} ({error})", True) from None
    if scheme not in SCHEMES or not HOST.fullmatch(str(host)) or not 0 < int(port) < 65536:
        raise SchedulerUnavailable(
            f"not a scheduler address: {shown} (expected tcp://HOST:PORT)", True
        )
    try:
        connection = socket.create_connection((str(host).strip("[]"), int(port)), PROBE_SECONDS)
    except OSError as error:
        raise SchedulerUnavailable(
            f"the scheduler {shown} cannot be reached: {error.strerror or error}"
        ) from None
    with connection:
        if scheme != "tcp":
            return
        connection.settimeout(PROBE_SECONDS)
        deadline = time.monotonic() + PROBE_SECONDS
        try:
            size = struct.unpack("<Q", _read(connection, 8, deadline))[0]
            if not 16 <= size <= MAX_HANDSHAKE_BYTES:
                raise ValueError(f"a frame of {size:,} bytes")
            handshake = _handshake(_read(connection, size, deadline))
        except (OSError, ValueError, EOFError) as error:
            raise SchedulerUnavailable(
                f"{shown} does not speak Dask's protocol (no scheduler handshake: {error})"
            ) from None
    if not isinstance(handshake, dict) or "compression" not in handshake:
        raise SchedulerUnavailable(f"{shown} does not speak Dask's protocol (no handshake)")


def _read(connection: socket.socket, count: int, deadline: float) -> bytes:
    data = bytearray()
    while len(data) < count:
        connection.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = connection.recv(min(count - len(data), 65536))
        except TimeoutError:
            raise TimeoutError(f"nothing in {PROBE_SECONDS:.0f} s") from None
        if not chunk:
            raise EOFError("the connection closed")
        data += chunk
    return bytes(data)


def _handshake(frames_nosplit: bytes) -> object:
    from distributed.protocol import loads
    from distributed.protocol.utils import unpack_frames

    try:
        frames, buffers = unpack_frames(memoryview(frames_nosplit), partial=True)
        if buffers:
            raise ValueError("a handshake carries no buffers")
        return loads(frames, deserialize=False)
    except ValueError:
        raise
    except Exception as error:  # msgpack's and struct's own errors: not Dask
        raise ValueError(type(error).__name__) from None
