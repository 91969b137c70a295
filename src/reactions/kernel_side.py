"""What runs inside the kernels reactions.warm starts, each part called by a one-line string.

- `launch`: the kernel process itself (instead of `python -m ipykernel_launcher`): ipykernel's
  kernel, whose pipe for the output of forked subprocesses is a Unix socket in the kernel's
  private directory rather than a TCP port on 127.0.0.1 (the kernel's channels are Unix sockets
  there too: reactions.warm starts every kernel with `transport: ipc`). No kernel listens on
  TCP, where any user of the machine could connect.
- `warm_up`: a kernel that renders a batch imports every page module's imports first and
  starts vl-convert's engine (0.3 s), before the first page rather than during it.
- `start`: the prelude; records the state a reset returns to (reactions.kernel_reset.install).

The reset (reactions.kernel_reset) drops every module of the package after each page but this
one and itself: it does not reset what runs it, and the class that runs the kernel's IOPub pipe
stays the one defined here.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

import zmq
from ipykernel import kernelapp
from ipykernel.iostream import IOPubThread
from zmq.eventloop.zmqstream import ZMQStream

PIPE_SUFFIX = "-pipe"  # the pipe's socket: the kernel's `ip` (a path prefix) and this


def pipe_address() -> str | None:
    """The IOPub pipe's address beside the kernel's IPC sockets (None over TCP, or outside a
    kernel app)."""
    if not kernelapp.IPKernelApp.initialized():
        return None
    app = kernelapp.IPKernelApp.instance()
    if app.transport != "ipc":
        return None
    return f"ipc://{app.ip}{PIPE_SUFFIX}"


class IOPubPipeOverIPC(IOPubThread):
    """ipykernel's IOPub thread with its subprocess pipe on a Unix socket.

    ipykernel binds that pipe, which carries the output of forked subprocesses to the kernel,
    to a random TCP port on 127.0.0.1 whatever the transport (ipykernel 7.4, iostream.py,
    `_setup_pipe_in` and `_setup_pipe_out`): a listening socket any local user can reach. These
    two private methods are the only place its address is chosen; they are overridden with the
    same steps and an `ipc://` address (tests/test_kernel_api.py checks that they still exist
    with these signatures). Over TCP, ipykernel's own are used.
    """

    def _setup_pipe_in(self) -> None:
        address = pipe_address()
        if address is None:
            super()._setup_pipe_in()
            return
        self._pipe_address = address
        self._pipe_uuid = os.urandom(16)  # as ipykernel: the messages' authentication
        pipe_in = self.socket.context.socket(zmq.PULL)
        pipe_in.linger = 0
        pipe_in.bind(address)
        self._pipe_in = ZMQStream(pipe_in, self.io_loop)
        self._pipe_in.on_recv(self._handle_pipe_msg)

    def _setup_pipe_out(self) -> tuple[zmq.Context[Any], zmq.Socket[Any]]:
        address = getattr(self, "_pipe_address", None)
        if address is None:
            return super()._setup_pipe_out()
        context: zmq.Context[Any] = zmq.Context()  # a new one after the fork, as ipykernel's
        pipe_out = context.socket(zmq.PUSH)
        pipe_out.linger = 3000
        pipe_out.connect(address)
        return context, pipe_out


def launch() -> None:
    """Run ipykernel's kernel as `python -m ipykernel_launcher` does, with IOPubPipeOverIPC."""
    # As ipykernel_launcher: the working directory is not on the path while the kernel loads
    # (IPython puts it back for the user's code).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    # what IPKernelApp.init_iopub makes (mypy: a class is assigned to a module's name)
    kernelapp.IOPubThread = IOPubPipeOverIPC  # type: ignore[misc]
    kernelapp.launch_new_instance()


def warm_up() -> None:
    """Every page module's imports (the libraries pages use; the reset drops the package
    itself) and the start of vl-convert's engine, done before a batch's first page."""
    import vl_convert

    import reactions.sections

    for module in pkgutil.iter_modules(reactions.sections.__path__):
        importlib.import_module(f"reactions.sections.{module.name}")
    vl_convert.vegalite_to_svg({"mark": "point"})


def start(check: bool) -> None:
    """The prelude: record the state a reset returns to (see reactions.kernel_reset)."""
    from reactions import kernel_reset

    kernel_reset.install(check=check)
