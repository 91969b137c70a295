"""The parts of jupyter_client, jupyter_core, ipykernel, nbclient and papermill that
reactions.warm and reactions.kernel_side override or call, as the pinned versions have them
(jupyter_client 8.10.0, jupyter_core 5.9.1, pyzmq 27.3.0, ipykernel 7.4.0, nbclient 0.11.0,
papermill 2.7.0): an upgrade that changes one fails here, by name, rather than somewhere in a
render. Signatures are compared without annotations (names, kinds, defaults).
"""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import version
from typing import Any

import pytest

# What is overridden (o) or called (c), and where.
SIGNATURES = {
    # ClientStoppingManager
    "jupyter_client.manager.AsyncKernelManager.client": "(self, **kwargs)",  # o
    "jupyter_client.manager.AsyncKernelManager.format_kernel_cmd": (  # o
        "(self, extra_arguments=None)"
    ),
    "jupyter_client.manager.AsyncKernelManager.cleanup_connection_file": "(self)",  # o
    "jupyter_client.manager.AsyncKernelManager.start_kernel": "(self, **kw)",  # c (Kernel)
    "jupyter_client.manager.AsyncKernelManager.shutdown_kernel": (  # c
        "(self, now=False, restart=False)"
    ),
    "jupyter_client.manager.AsyncKernelManager.is_alive": "(self)",  # c
    # PromptClient
    "jupyter_client.asynchronous.AsyncKernelClient.start_channels": (  # o
        "(self, shell=True, iopub=True, stdin=True, hb=True, control=True)"
    ),
    "jupyter_client.asynchronous.AsyncKernelClient.wait_for_ready": "(self, timeout=None)",  # o
    "jupyter_client.asynchronous.AsyncKernelClient.stop_channels": "(self)",  # c
    "jupyter_client.asynchronous.AsyncKernelClient.kernel_info": "(self, *args, **kwargs)",  # c
    "jupyter_client.asynchronous.AsyncKernelClient.is_alive": "(self)",  # c
    "jupyter_client.asynchronous.AsyncKernelClient._handle_kernel_info_reply": (  # c (private)
        "(self, msg)"
    ),
    "jupyter_client.asynchronous.AsyncKernelClient.execute_interactive": (  # c (Kernel._run)
        "(self, code, silent=False, store_history=True, user_expressions=None, allow_stdin=None, "
        "stop_on_error=True, timeout=None, output_hook=None, stdin_hook=None)"
    ),
    "jupyter_client.channels.AsyncZMQSocketChannel.get_msg": "(self, timeout=None)",  # c
    "jupyter_core.utils.run_sync": "(coro)",  # c
    # reactions.kernel_side.IOPubPipeOverIPC (private methods of ipykernel, overridden)
    "ipykernel.iostream.IOPubThread.__init__": "(self, socket, pipe=False, session=False)",
    "ipykernel.iostream.IOPubThread._setup_pipe_in": "(self)",  # o
    "ipykernel.iostream.IOPubThread._setup_pipe_out": "(self)",  # o
    "ipykernel.iostream.IOPubThread._handle_pipe_msg": "(self, msg)",  # c
    "ipykernel.kernelapp.launch_new_instance": "(argv=None, **kwargs)",  # c
    "ipykernel.kernelapp.IPKernelApp.initialized": "()",  # c (a bound classmethod)
    "ipykernel.kernelapp.IPKernelApp.instance": "(*args, **kwargs)",  # c
    # the kernel handed to papermill (reactions.render.execute: km=kernel.km)
    "nbclient.client.NotebookClient.__init__": "(self, nb, km=None, **kw)",
    "papermill.execute.execute_notebook": (
        "(input_path, output_path, parameters=None, engine_name=None, "
        "request_save_on_cell_execute=True, prepare_only=False, kernel_name=None, language=None, "
        "progress_bar=True, log_output=False, stdout_file=None, stderr_file=None, "
        "start_timeout=60, report_mode=False, cwd=None, **engine_kwargs)"
    ),
}
# Run through jupyter_core's run_sync or awaited: must stay coroutine functions.
COROUTINES = {
    "jupyter_client.manager.AsyncKernelManager.start_kernel",
    "jupyter_client.manager.AsyncKernelManager.shutdown_kernel",
    "jupyter_client.manager.AsyncKernelManager.is_alive",
    "jupyter_client.asynchronous.AsyncKernelClient.wait_for_ready",
    "jupyter_client.asynchronous.AsyncKernelClient.is_alive",
    "jupyter_client.asynchronous.AsyncKernelClient.execute_interactive",
    "jupyter_client.channels.AsyncZMQSocketChannel.get_msg",
}
PINNED = {
    "jupyter_client": "8.10.0",
    "jupyter_core": "5.9.1",
    "pyzmq": "27.3.0",
    "ipykernel": "7.4.0",
    "nbclient": "0.11.0",
    "papermill": "2.7.0",
}


def resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


def plain_signature(function: Any) -> str:
    signature = inspect.signature(function)
    parameters = [
        parameter.replace(annotation=inspect.Parameter.empty)
        for parameter in signature.parameters.values()
    ]
    return str(signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty))


def test_the_installed_versions_are_the_pinned_ones():
    """The signatures below were read from these versions (pyproject.toml pins them)."""
    assert {name: version(name) for name in PINNED} == PINNED


@pytest.mark.parametrize("dotted", sorted(SIGNATURES))
def test_what_the_kernel_code_overrides_or_calls_keeps_its_signature(dotted):
    function = resolve(dotted)
    assert plain_signature(function) == SIGNATURES[dotted], dotted
    assert inspect.iscoroutinefunction(function) == (dotted in COROUTINES), dotted


def test_the_traits_and_calls_the_ipc_transport_relies_on():
    """The manager takes transport/ip/connection_file and allows `ipc`; its shutdown cleans up
    through cleanup_connection_file (where the kernel's folder is removed); the kernel app makes
    its IOPub thread, with the subprocess pipe, through the module's IOPubThread name (which
    reactions.kernel_side replaces); the python3 kernel spec runs ipykernel's launcher (which
    ClientStoppingManager.format_kernel_cmd replaces); the local provisioner's process has a
    pid (Kernel.pid)."""
    from ipykernel import kernelapp
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager, KernelManager
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    traits = AsyncKernelManager.class_traits()
    for name in ("transport", "ip", "connection_file", "kernel_name", "client_class"):
        assert name in traits, name
    assert "ipc" in traits["transport"].values
    assert "self.cleanup_connection_file()" in inspect.getsource(
        KernelManager._async_cleanup_resources
    )
    assert "self._async_cleanup_resources(" in inspect.getsource(
        KernelManager._async_shutdown_kernel
    )
    app_traits = kernelapp.IPKernelApp.class_traits()
    assert "ipc" in app_traits["transport"].values and "ip" in app_traits
    init_iopub = inspect.getsource(kernelapp.IPKernelApp.init_iopub)
    assert "IOPubThread(self.iopub_socket, pipe=True" in init_iopub
    assert kernelapp.IOPubThread.__name__ in {"IOPubThread", "IOPubPipeOverIPC"}
    argv = KernelSpecManager().get_kernel_spec("python3").argv
    assert "-m" in argv and argv[argv.index("-m") + 1] == "ipykernel_launcher", argv
    assert hasattr(LocalProvisioner, "process")
