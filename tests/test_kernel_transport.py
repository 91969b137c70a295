"""Every kernel this package starts (reactions.warm.Kernel: fresh renders and warm workers alike)
talks over Unix sockets in a directory only its user can enter: no TCP port, no "running over
TCP without encryption" warning, nothing another user of the machine can connect to or read.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import papermill
import psutil
import pytest

from reactions import warm
from reactions.warm import SOCKET_PATH_MAX, Kernel, KernelFailed, private_directory
from support.notebooks import tiny_page
from support.paths import DATA, NOTEBOOKS, ROOT

SETPRIV = shutil.which("setpriv")
as_another_user = pytest.mark.skipif(
    os.geteuid() != 0 or SETPRIV is None, reason="needs root and setpriv to drop privileges"
)
TCP_WARNING = "without encryption"  # ipykernel's "Kernel is running over TCP without encryption"

# A cell whose forked child prints: its output reaches the page through the kernel's IOPub pipe
# (reactions.kernel_side: a Unix socket, where ipykernel would listen on 127.0.0.1).
FORKED = """
import os, sys
child = os.fork()
if child == 0:
    print('from a forked child', flush=True)
    sys.stdout.flush()
    os._exit(0)
os.waitpid(child, 0)
import time; time.sleep(0.5)
print('parent done')
"""


def listening(pid: int) -> list[tuple[int, object]]:
    """The internet sockets of a process and its children (none, over IPC)."""
    process = psutil.Process(pid)
    found = []
    for member in (process, *process.children(recursive=True)):
        found += [(member.pid, connection) for connection in member.net_connections(kind="inet")]
    return found


def unix_paths(pid: int) -> list[str]:
    process = psutil.Process(pid)
    return sorted({c.laddr for c in process.net_connections(kind="unix") if c.laddr})


def test_a_kernel_talks_over_unix_sockets_in_its_own_private_folder(tmp_path, capfd):
    """The connection file says `transport: ipc`; the kernel holds no internet socket; its
    sockets (the five channels and the IOPub pipe) are in a 0700 folder, their paths within
    AF_UNIX's limit; a page run by papermill with `km=` (as reactions.render.execute does)
    connects over them, and output of a forked child arrives through the pipe; nothing warns
    of TCP; shutdown removes the folder."""
    notebooks = tmp_path / "notebooks"
    page = tiny_page(notebooks, FORKED)
    kernel = Kernel(notebooks)
    runtime = kernel.km.runtime
    clients: list[tuple[str, str]] = []
    try:
        info = json.loads(Path(kernel.km.connection_file).read_text(encoding="utf-8"))
        assert info["transport"] == "ipc", info
        assert Path(info["ip"]).parent == runtime
        assert Path(kernel.km.connection_file).parent == runtime
        assert stat.S_IMODE(runtime.stat().st_mode) & 0o077 == 0  # this user only
        assert stat.S_IMODE(Path(kernel.km.connection_file).stat().st_mode) == 0o600
        assert kernel.pid is not None
        assert listening(kernel.pid) == []
        paths = unix_paths(kernel.pid)
        names = {Path(path).name for path in paths}
        assert {"k-1", "k-2", "k-3", "k-4", "k-5", "k-pipe"} <= names, paths
        assert all(Path(path).parent == runtime for path in paths), paths
        longest = max(len(os.fsencode(path)) for path in paths)
        with capfd.disabled():
            print(f"socket paths: {len(paths)}, longest {longest} bytes: {max(paths, key=len)}")
        assert longest <= SOCKET_PATH_MAX

        executed = papermill.execute_notebook(
            str(page),
            str(tmp_path / "out.ipynb"),
            parameters={"actor": "belarus"},
            kernel_name="python3",
            km=kernel.km,
            progress_bar=False,
            on_cell_executed=lambda **_: clients.extend(
                (client.transport, client.ip) for client in kernel.km.made
            ),
        )
        kernel.stop_clients()
        text = "".join(
            output.get("text", "") for cell in executed.cells for output in cell.get("outputs", [])
        )
        assert "from a forked child" in text and "parent done" in text, text
        assert clients and set(clients) == {("ipc", info["ip"])}, clients
        assert listening(kernel.pid) == []  # after a page too
        kernel.reset()
    finally:
        kernel.shutdown()
    assert not runtime.exists()
    assert TCP_WARNING not in capfd.readouterr().err


def test_no_render_warns_of_tcp_and_no_kernel_folder_is_left(tmp_path):
    """`reactions render` (a fresh kernel) prints no TCP warning and leaves no socket folder."""
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "print(actor)")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "TMPDIR": str(scratch),  # the kernel's folder is made here (short enough)
    }
    env.pop("XDG_RUNTIME_DIR", None)
    run = subprocess.run(
        [
            *(sys.executable, "-m", "reactions.cli", "render", "tiny"),
            *("--notebooks", str(notebooks), "-p", "actor", "belarus"),
            *("--data", str(DATA), "--out", str(tmp_path / "out")),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert TCP_WARNING not in run.stderr and "eavesdropping" not in run.stderr, run.stderr
    assert not list(scratch.glob(f"{warm.DIRECTORY_PREFIX}*")), list(scratch.iterdir())


def test_the_socket_folder_is_short_whatever_tmpdir_says(tmp_path, monkeypatch):
    """$XDG_RUNTIME_DIR first when it is this user's and private, then TMPDIR, then /tmp; a
    folder whose socket paths would pass AF_UNIX's 107 bytes is passed over; if none is short
    enough, the kernel fails to start, in words."""
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    long_tmp = tmp_path / ("t" * 60) / ("u" * 60)
    long_tmp.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(long_tmp))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    made = private_directory()
    try:
        assert made.parent == Path("/tmp"), made
        assert stat.S_IMODE(made.stat().st_mode) == 0o700
        assert len(os.fsencode(made)) + warm.NAME_ROOM <= SOCKET_PATH_MAX
    finally:
        made.rmdir()

    runtime = Path(tempfile.mkdtemp(prefix="xdg-", dir="/tmp"))  # 0700, this user's
    try:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        made = private_directory()
        assert made.parent == runtime
        made.rmdir()
        runtime.chmod(0o755)  # readable by others: not a runtime folder to trust
        assert private_directory_parent() != runtime
    finally:
        shutil.rmtree(runtime)

    monkeypatch.setattr(warm, "runtime_bases", lambda: [long_tmp])
    with pytest.raises(KernelFailed, match="too long for a socket path"):
        private_directory()

    # and a kernel started with that TMPDIR works, its sockets under /tmp
    monkeypatch.undo()
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setenv("TMPDIR", str(long_tmp))
    kernel = Kernel(NOTEBOOKS)
    try:
        assert kernel.km.runtime.parent == Path("/tmp")
        assert kernel.alive()
    finally:
        kernel.shutdown()
    assert not kernel.km.runtime.exists()


def private_directory_parent() -> Path:
    made = private_directory()
    made.rmdir()
    return made.parent


# Run as another user, with nothing but the standard library: try to read a kernel's connection
# file, list its folder and connect to each of its sockets; print what happened to each.
INTRUDER = """
import json, os, socket, sys
runtime, connection_file = sys.argv[1], sys.argv[2]
found = {"uid": os.getuid()}
try:
    open(connection_file).read()
    found["read connection file"] = "read"
except OSError as error:
    found["read connection file"] = type(error).__name__
try:
    os.listdir(runtime)
    found["list folder"] = "listed"
except OSError as error:
    found["list folder"] = type(error).__name__
for name in ("k-1", "k-2", "k-3", "k-4", "k-5", "k-pipe"):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(os.path.join(runtime, name))
        found[name] = "connected"
    except OSError as error:
        found[name] = type(error).__name__
    finally:
        sock.close()
print(json.dumps(found))
"""
REFUSED = {
    "read connection file": "PermissionError",
    "list folder": "PermissionError",
    **{name: "PermissionError" for name in ("k-1", "k-2", "k-3", "k-4", "k-5", "k-pipe")},
}


def intrude(
    runtime: Path, connection_file: str, *user: str, python: str = sys.executable
) -> dict[str, object]:
    """INTRUDER's findings, run as `user` (setpriv's options), else as this user."""
    command = [python, "-I", "-c", INTRUDER, str(runtime), connection_file]
    if user:
        command = [str(SETPRIV), *user, "--clear-groups", "--", *command]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@as_another_user
def test_another_user_cannot_reach_a_kernel_started_as_root():
    kernel = Kernel(NOTEBOOKS)
    try:
        mine = intrude(kernel.km.runtime, kernel.km.connection_file)
        theirs = intrude(
            kernel.km.runtime, kernel.km.connection_file, "--reuid=nobody", "--regid=nogroup"
        )
    finally:
        kernel.shutdown()
    # the probe does reach a kernel as its own user: the refusals below are permissions
    assert {mine[name] for name in ("k-1", "k-2", "k-3", "k-4", "k-5", "k-pipe")} == {
        "connected"
    }, mine
    assert mine["read connection file"] == "read"
    print(f"as nobody: {theirs}")
    assert theirs["uid"] == pwd.getpwnam("nobody").pw_uid
    assert {key: value for key, value in theirs.items() if key != "uid"} == REFUSED


# Started as another user (nobody): a kernel, its folder's path printed, kept until told.
AS_NOBODY = """
import json, sys
from pathlib import Path
from reactions.warm import Kernel
kernel = Kernel(Path(sys.argv[1]))
print(json.dumps({"runtime": str(kernel.km.runtime), "pid": kernel.pid,
                  "connection_file": kernel.km.connection_file}), flush=True)
sys.stdin.readline()
kernel.shutdown()
print(json.dumps({"removed": not kernel.km.runtime.exists()}), flush=True)
"""


def python_for_nobody(env: dict[str, str]) -> str | None:
    """An interpreter nobody can run this package's kernel with: this one, or (when it lives
    where nobody cannot go, as a pyenv build under /root) the system's of the same version,
    with this environment's packages on PYTHONPATH."""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for candidate in (sys.executable, shutil.which(version, path="/usr/bin:/usr/local/bin")):
        if candidate is None:
            continue
        check = subprocess.run(
            [*NOBODY, candidate, "-c", RUNS_ITSELF],
            capture_output=True,
            env=env,
            cwd="/",
            timeout=120,
        )
        if check.returncode == 0:
            return candidate
    return None


# The kernel is started by sys.executable: nobody must be able to start it, not only be it.
RUNS_ITSELF = (
    "import subprocess, sys; "
    "subprocess.run([sys.executable, '-c', 'import reactions.warm, pandas'], check=True)"
)
NOBODY = [str(SETPRIV), "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


@as_another_user
def test_a_kernel_started_by_nobody_is_private_to_nobody():
    """nobody's kernel (its own folder under /tmp) listens on no TCP port; a third user (uid
    65533, no name) can neither read its connection file nor connect to its sockets; its
    shutdown removes the folder."""
    nobody = pwd.getpwnam("nobody")
    home = Path(tempfile.mkdtemp(prefix="nobody-home-", dir="/tmp"))
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    env = {
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",  # the kernel spec's `python` is the parent's sys.executable
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), sysconfig.get_paths()["purelib"]]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": "/tmp",
    }
    started = None
    try:
        python = python_for_nobody(env)
        if python is None:
            pytest.skip("no Python interpreter with this environment's packages runs as nobody")
        started = subprocess.Popen(
            [*NOBODY, python, "-c", AS_NOBODY, str(home)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(home),
        )
        assert started.stdout is not None and started.stdin is not None
        line = started.stdout.readline()
        assert line, started.stderr.read() if started.stderr else ""
        kernel = json.loads(line)
        runtime = Path(kernel["runtime"])
        assert runtime.stat().st_uid == nobody.pw_uid
        assert stat.S_IMODE(runtime.stat().st_mode) & 0o077 == 0
        assert psutil.Process(kernel["pid"]).uids().real == nobody.pw_uid
        assert listening(kernel["pid"]) == []
        info = json.loads(Path(kernel["connection_file"]).read_text(encoding="utf-8"))
        assert info["transport"] == "ipc"
        third = intrude(
            runtime, kernel["connection_file"], "--reuid=65533", "--regid=65533", python=python
        )
        print(f"as uid 65533, nobody's kernel: {third}")
        assert third["uid"] == 65533
        assert {key: value for key, value in third.items() if key != "uid"} == REFUSED
        started.stdin.write("\n")
        started.stdin.flush()
        assert json.loads(started.stdout.readline()) == {"removed": True}
        assert started.wait(timeout=60) == 0
        stderr = started.stderr.read() if started.stderr else ""
        assert TCP_WARNING not in stderr, stderr
    finally:
        if started is not None and started.poll() is None:
            started.kill()
            started.wait()
        shutil.rmtree(home, ignore_errors=True)


def test_the_kernel_command_is_ipykernels_with_the_ipc_pipe():
    """The kernel spec's command, `-m ipykernel_launcher` replaced by reactions.kernel_side's
    launcher (and the history argument kept)."""
    kernel = Kernel(NOTEBOOKS)
    try:
        assert kernel.pid is not None
        command = psutil.Process(kernel.pid).cmdline()
    finally:
        kernel.shutdown()
    assert command[1:3] == ["-c", warm.LAUNCH], command
    assert "ipykernel_launcher" not in command
    assert command[-1] == "--HistoryManager.hist_file=:memory:"
