"""Warm kernels: run page after page in one kernel per worker, with nothing carried over.

Starting a kernel and importing pandas, altair and pandera costs seconds; rendering a page in a
kernel that already has them costs about one. Between two pages the kernel is reset to the state
it had when it was started (reactions.kernel_reset, a module loaded in the kernel by its
prelude): the user namespace, history and execution count (IPython's reset with a new session),
every module of the `reactions` package (dropped, so imported again by the next page: no
module-level cache survives), the working directory, warning filters and their once-registries,
pandas options, altair's data transformer, renderer and theme, and the random generators'
states. Everything else a page could change is checked against a snapshot taken when the kernel
started, after its warm-up imports, and put back: every attribute of every module and class
loaded then (a page's monkeypatch: `html.escape = ...`), sys.path, the environment, the locale,
numpy's error state, signal handlers and more (see reactions.kernel_reset). What cannot be put
back (a thread left running the page's code, a handler not set from Python) fails the reset:
the kernel is replaced. Third-party modules stay imported (an extension module cannot be
imported twice), and so do the pictures vl-convert has drawn (reactions.vega), found again only
by their whole input. tests/test_warm.py checks that every file of pages rendered warm, in any
order, after a page that changed all of these, is byte-identical to the same pages rendered in
fresh kernels.

A page that fails, runs past its timeout or kills its kernel leaves the kernel behind: the next
page gets a fresh one. `reactions.warm_page.render_task`, what a Dask worker runs, renders a
page in this kernel. Workers of a remote cluster need the same code, notebooks and data at the
same paths.

Every kernel here, warm or fresh, is reached over Unix sockets in a folder only its user can
enter (see SOCKET_PATH_MAX below): no kernel listens on TCP. The code the kernel runs is the
module reactions.kernel_side, called by the one-line strings below.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

log = logging.getLogger(__name__)

KERNEL_NAME = "python3"
START_TIMEOUT = 60
# What nbclient gives the kernels it starts (so papermill's fresh kernels): input history in
# memory. A history file on disk took a write per cell, 0.07 s of a warm page's kernel CPU,
# and filled the analyst's own IPython history with rendered cells.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


class KernelFailed(RuntimeError):
    """The kernel could not be started or reset."""


# The kernel's code is reactions.kernel_side, a module; these one-line strings call it.
# The kernel process: ipykernel's, with no TCP socket (reactions.kernel_side.launch), in place of
# the kernel spec's `-m ipykernel_launcher` (ClientStoppingManager.format_kernel_cmd).
LAUNCH = "from reactions.kernel_side import launch; launch()"
# Runs once in a new kernel (not stored in its history): records the state a reset returns to
# (reactions.kernel_reset; with check=True, what a page could change beside it as well).
PRELUDE = "import reactions.kernel_side; reactions.kernel_side.start(check={check})\n"
RESET = "__import__('sys').modules['_reactions_warm'].reset()"
# What the last reset put back, in words (read after it has run)
RESTORED = "__import__('sys').modules['_reactions_warm'].restored"

# Runs before the prelude in a kernel that will render a batch: every page module's imports
# (so the libraries pages use; the reset drops the package itself) and the start of vl-convert's
# engine (0.3 s), done before the first page, not during it. Page state is recorded after it.
BATCH_WARM_UP = "import reactions.kernel_side; reactions.kernel_side.warm_up()\n"

# The kernel talks to this process over Unix sockets (`transport: ipc`), in a directory of its
# own that only this user can enter (0700): no TCP port another user of the machine could
# connect to, no "running over TCP without encryption" warning. The directory holds the
# connection file (with the key) and the sockets DIRECTORY/k-1 ... k-5 and k-pipe (the IOPub
# pipe, reactions.kernel_side); it is removed when the kernel is shut down (or this process
# ends). A socket's path is at most SOCKET_PATH_MAX bytes (AF_UNIX: 108 with the final NUL),
# so the directory is made in the first of $XDG_RUNTIME_DIR (when it is this user's, private),
# the temporary folder (TMPDIR) and /tmp whose path leaves room for the names: a TMPDIR too
# long for a socket is passed over for /tmp.
SOCKET_PATH_MAX = 107
SOCKETS = "k"  # the sockets' prefix: the connection file's `ip`
NAME_ROOM = 16  # bytes kept for "/k-pipe", "/k-5" and the like after the directory
DIRECTORY_PREFIX = "rk-"  # mkdtemp adds 8 characters


def runtime_bases() -> list[Path]:
    """Where a kernel's directory may be made, in order of preference."""
    bases = []
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        with contextlib.suppress(OSError):
            found = os.stat(runtime)
            if (
                stat.S_ISDIR(found.st_mode)
                and found.st_uid == os.getuid()
                and not found.st_mode & 0o077
            ):
                bases.append(Path(runtime))
    for base in (Path(tempfile.gettempdir()), Path("/tmp")):
        if base not in bases:
            bases.append(base)
    return bases


def private_directory() -> Path:
    """A new directory only this user can enter, short enough for Unix socket paths."""
    room = SOCKET_PATH_MAX - NAME_ROOM - len(DIRECTORY_PREFIX) - 8 - 1
    tried = []
    for base in runtime_bases():
        if len(os.fsencode(base)) > room:
            tried.append(f"{base} (too long for a socket path)")
            continue
        try:
            return Path(tempfile.mkdtemp(prefix=DIRECTORY_PREFIX, dir=base))  # mode 0700
        except OSError as error:
            tried.append(f"{base} ({error.strerror})")
    raise KernelFailed(
        "no folder for the kernel's Unix sockets: "
        + "; ".join(tried)
        + f" (a socket's path is at most {SOCKET_PATH_MAX} bytes)"
    )


IOPUB_PROBE = 0.01  # seconds a client waits for an IOPub message before asking again


class PromptClient(AsyncKernelClient):
    """A kernel client that is ready as soon as its kernel answers on both channels.

    Every client papermill makes (one a page) waits until IOPub delivers; jupyter_client asks
    for the kernel's info, then waits 0.2 s for an IOPub message, which a new subscription has
    usually just missed: 0.2 s of an idle kernel a page. This one asks again after IOPUB_PROBE.

    It starts no heartbeat channel: nothing here reads it (a client made by its kernel's manager
    asks the manager whether the kernel lives), and jupyter_client's heartbeat thread, when its
    client stops before the thread has begun, misses the stop and reopens sockets in a loop
    until the process runs out of them (seen in a worker: 1,374 sockets in two seconds).
    """

    def start_channels(
        self,
        shell: bool = True,
        iopub: bool = True,
        stdin: bool = True,
        hb: bool = True,
        control: bool = True,
    ) -> None:
        super().start_channels(shell, iopub, stdin, False, control)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """jupyter_client's handshake and its errors' words (publish retries a start by them),
        with the short IOPub probe."""
        limit = START_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info") from None
                continue
            if reply["msg_type"] != "kernel_info_reply":
                continue
            try:
                await self.iopub_channel.get_msg(timeout=IOPUB_PROBE)
            except Empty:
                continue
            # jupyter_client's own step after the handshake (private: its wait_for_ready calls
            # it the same way): records the kernel's protocol version for later messages.
            self._handle_kernel_info_reply(reply)
            return
        raise RuntimeError(f"Kernel didn't respond in {limit:g} seconds")


class ClientStoppingManager(AsyncKernelManager):
    """A kernel manager whose kernel is reached over Unix sockets in a private directory
    (`runtime`, removed with the connection file), and that remembers the clients it makes, so
    that a page's are stopped when the page ends (`stop_clients`). nbclient stops a client it
    made only when it also owns the kernel; on a kernel it is given (every page here) each
    client kept its channels running: a heartbeat thread and 14 file descriptors a page, until
    a worker ran out of them. Every client it makes (papermill's, through `km=`) connects as
    the manager says: over the same sockets."""

    def __init__(self, **kwargs: Any) -> None:
        self.runtime = private_directory()
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", str(self.runtime / SOCKETS))
        kwargs.setdefault("connection_file", str(self.runtime / "kernel.json"))
        # this process ends without a shutdown (or the manager is dropped): removed then
        self._remove_runtime = weakref.finalize(
            self, shutil.rmtree, self.runtime, ignore_errors=True
        )
        super().__init__(**kwargs)
        self.made: list[AsyncKernelClient] = []

    def client(self, **kwargs: Any) -> Any:  # a PromptClient (the stub says a blocking one)
        made = super().client(**kwargs)
        self.made.append(made)
        return made

    def stop_clients(self) -> None:
        while self.made:
            with contextlib.suppress(Exception):  # its kernel already gone: nothing to stop
                self.made.pop().stop_channels()

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel spec's command, with reactions.kernel_side's launcher in place of
        `-m ipykernel_launcher` (the same kernel, with no TCP socket; see LAUNCH)."""
        command = super().format_kernel_cmd(extra_arguments=extra_arguments)
        for index in range(len(command) - 1):
            if command[index : index + 2] == ["-m", "ipykernel_launcher"]:
                command[index : index + 2] = ["-c", LAUNCH]
                return command
        log.warning(
            "kernel %s is not ipykernel's launcher: its IOPub pipe may listen on 127.0.0.1",
            command,
        )
        return command

    def cleanup_connection_file(self) -> None:
        """The connection file, then the kernel's directory (its sockets with it)."""
        super().cleanup_connection_file()
        self.remove_runtime()

    def remove_runtime(self) -> None:
        self._remove_runtime()  # once; later calls do nothing


class Kernel:
    """A started kernel with the reset state recorded, its working directory `cwd`; `warm_up`
    runs first (BATCH_WARM_UP for a kernel that renders page after page)."""

    def __init__(
        self,
        cwd: Path,
        startup_timeout: float = START_TIMEOUT,
        warm_up: str = "",
        check: bool = False,
    ) -> None:
        self.cwd = Path(cwd).resolve()
        self.restored: list[str] = []  # what the last reset put back, in words
        # nbclient drives an asynchronous manager's clients (a blocking one stalls its loop)
        self.km = ClientStoppingManager(
            kernel_name=KERNEL_NAME, client_class=f"{__name__}.{PromptClient.__name__}"
        )
        run_sync(self.km.start_kernel)(cwd=str(self.cwd), extra_arguments=KERNEL_ARGUMENTS)
        try:
            self._run(warm_up + PRELUDE.format(check=check), startup_timeout, starting=True)
            self.reset()
        except BaseException:
            self.shutdown()
            raise

    def _run(
        self,
        code: str,
        timeout: float = START_TIMEOUT,
        starting: bool = False,
        expressions: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Run code in the kernel, outside its history, through a client of its own (a page's
        messages are never read by it); return the values of `expressions` after it (their
        reprs: IPython's user expressions)."""
        client = self.km.client()
        client.start_channels()
        try:
            if starting:  # later the kernel is known to be up: waiting costs 0.2 s a page
                run_sync(client.wait_for_ready)(timeout=timeout)
            reply = run_sync(client.execute_interactive)(
                code,
                store_history=False,
                timeout=timeout,
                output_hook=lambda message: None,
                user_expressions=expressions or {},
            )
        finally:
            self.stop_clients()
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelFailed(f"{content.get('ename')}: {content.get('evalue')}")
        return dict(content.get("user_expressions", {}))

    def stop_clients(self) -> None:
        """Stop the channels of every client made for what has just run (a page, a reset)."""
        self.km.stop_clients()

    def reset(self) -> None:
        """Back to the state the kernel had when it started (see the module's docstring).
        Raises KernelFailed when a page changed what cannot be put back (NotRestored): the
        kernel is then to be replaced. `restored` says what was put back."""
        found = self._run(RESET, expressions={"restored": RESTORED}).get("restored", {})
        self.restored = ast.literal_eval(found.get("data", {}).get("text/plain", "[]"))
        if self.restored:
            log.debug("the kernel's reset put back what a page changed: %s", self.restored)

    @property
    def pid(self) -> int | None:
        process = getattr(self.km.provisioner, "process", None)
        return getattr(process, "pid", None)

    def kill(self) -> None:
        """Kill the kernel's process at once (from any thread): its run ends as a dead kernel."""
        pid = self.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def kill_group(self) -> None:
        """Kill the kernel's whole process group at once (from any thread): the kernel and
        whatever its page started. jupyter_client starts every kernel in a session of its own,
        so the group is the kernel's, never this process's; else only the kernel is killed."""
        pid = self.pid
        if pid is None:
            return
        try:
            group = os.getpgid(pid)
        except ProcessLookupError:
            return
        if group == pid and group != os.getpgrp():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        else:
            self.kill()

    def alive(self) -> bool:
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=True)
        self.kill()
        self.km.remove_runtime()  # its sockets and connection file, if the shutdown failed


# One kernel per worker process (a worker runs one task at a time: threads_per_worker=1),
# perhaps still starting (start_kernel).
_kernel: Kernel | None = None
_starting: Future[Kernel] | None = None
_kernel_lock = threading.Lock()
# One thread starts the kernel in the background and resets it beside every page's export: a
# thread a page would leave an event loop a page behind (jupyter_core's run_sync keeps one per
# thread), with its file descriptors.
_kernel_thread = ThreadPoolExecutor(1, "kernel")


def start_kernel(cwd: Path) -> None:
    """Start the worker's kernel in `cwd` in the background, and warm the exporter up beside it
    (reactions.cluster starts them with the worker); the first page waits for them."""
    global _starting
    with _kernel_lock:
        if _kernel is None and _starting is None:
            _starting = _kernel_thread.submit(Kernel, cwd, warm_up=BATCH_WARM_UP, check=True)
            threading.Thread(target=warm_up_exporter, daemon=True).start()


def warm_up_exporter() -> None:
    """The exporter's imports and first page (reactions.html.warm_up), done in the thread that
    calls this: beside a kernel's start."""
    from reactions.exporter import warm_up

    warm_up()


def _started() -> None:
    """Make the kernel started in the background the worker's kernel, once it is up (a start
    that failed leaves none: the page that needs one starts it, with retries)."""
    global _kernel, _starting
    with _kernel_lock:
        starting, _starting = _starting, None
    if starting is not None:
        with contextlib.suppress(Exception):  # started again, with retries, if needed
            _kernel = starting.result()


def worker_kernel(cwd: Path, attempts: int) -> tuple[Kernel, int]:
    """The worker's kernel if it is alive and in `cwd`, else a new one (start failures, such
    as a kernel that does not answer in time, are retried); and the attempts it took."""
    global _kernel
    _started()
    if _kernel is not None and (_kernel.cwd != cwd.resolve() or not _kernel.alive()):
        drop_kernel()
    if _kernel is not None:
        return _kernel, 1
    threading.Thread(target=warm_up_exporter, daemon=True).start()
    for attempt in range(1, attempts + 1):
        try:
            _kernel = Kernel(cwd, warm_up=BATCH_WARM_UP, check=True)
            return _kernel, attempt
        except Exception:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def reset_beside(kernel: Kernel) -> Future:
    """Reset the kernel on the worker's kernel thread while the caller goes on (exporting)."""
    return _kernel_thread.submit(kernel.reset)


def drop_kernel() -> None:
    """Shut the worker's kernel down (after a failed page, or when the worker closes)."""
    global _kernel
    _started()
    with _kernel_lock:
        kernel, _kernel = _kernel, None
    if kernel is not None:
        kernel.shutdown()


def kill_kernel() -> None:
    """Kill the worker's kernel now, even mid-page (an interrupted publish run), with whatever
    its page started (its process group)."""
    kernel = _kernel
    if kernel is not None:
        kernel.kill_group()
