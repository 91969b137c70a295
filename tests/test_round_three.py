"""Issue 23, reliability round three: each test is one case of the issue (its id in the name),
failing on the code before the round and passing after. The harness rules of the bad-input and
fault suites hold: the exit code, one line naming file, line and rule, a generous deadline,
data files unchanged, the last good page intact."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from support.dataset import write_dataset
from support.notebooks import tiny_page
from support.paths import DATA
from support.processes import KernelTrap, deadline, running, wait_for

CLI = [sys.executable, "-m", "reactions.cli"]
DEADLINE = 60  # seconds: generous; a hang fails instead of stalling the suite


def run(*arguments: str, prefix: tuple[str, ...] = (), timeout: float = DEADLINE, **kwargs):
    return subprocess.run(
        [*prefix, *CLI, *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and os.access(p, os.R_OK)
    }


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


# --- 1. unreadable files [T1-59, T1-61, T1-64, T1-65] ---------------------------------------


def unreadable_prefix() -> tuple[str, ...]:
    """How to run a command that a mode-000 file refuses: as root, chmod 000 blocks nothing, so
    the command runs without the capabilities that override file permissions (still uid 0,
    owner of the files, so the rest of the tree stays readable)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a mode-000 file cannot be made unreadable")
    prefix = (setpriv, "--bounding-set", "-dac_override,-dac_read_search")
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr[:200]!r}")
    return prefix


def unreadable(folder: Path, name: str) -> tuple[str, ...]:
    prefix = unreadable_prefix()
    (folder / name).chmod(0)
    return prefix


@pytest.mark.parametrize(
    ("case", "name"),
    [
        ("T1-59", "statements.csv"),
        ("T1-59", "actors.csv"),
        ("T1-59", "votes.csv"),
        ("T1-64", "codebook.yml"),
    ],
)
def test_t1_59_64_validate_names_an_unreadable_file(tmp_path, case, name):
    folder = write_dataset(tmp_path / "data")
    prefix = unreadable(folder, name)
    result = run("validate", "--data", str(folder), prefix=prefix)
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    assert f"{name}: file cannot be read (permission denied)" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("case", "name", "trapped"),
    [
        ("T1-65", "statements.csv", True),
        ("T1-61", "events.csv", True),  # read first in the kernel: refused before one starts
        ("T1-61", "events.csv", False),  # the error, exit 2, without the trap too
        ("T1-61", "votes.csv", True),
        ("T1-61", "story.yml", True),
        ("T1-61", "blind_coding.csv", True),  # the full validation does not read it, a page does
    ],
    ids=[
        "statements.csv", "events.csv-before-a-kernel", "events.csv", "votes.csv", "story.yml",
        "blind_coding.csv",
    ],
)  # fmt: skip
def test_t1_61_65_render_refuses_an_unreadable_file_before_a_kernel(tmp_path, case, name, trapped):
    folder = write_dataset(tmp_path / "data")
    if name in ("story.yml", "blind_coding.csv"):  # optional: there to be unreadable
        shutil.copy(DATA / name, folder / name)
    prefix = unreadable(folder, name)
    out = tmp_path / "report"
    trap = KernelTrap(tmp_path / "trap")
    result = run(
        "render", "brief", "--actor", "belarus", "--as-of", "2022-09-26",
        "--data", str(folder), "--out", str(out), prefix=prefix,
        env=os.environ | (trap.environ if trapped else {}),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    assert f"{name}: file cannot be read" in result.stderr, result.stderr
    assert not out.exists()
    if trapped:
        assert not trap.started  # refused before any kernel was started


# --- 2. validate reads blind_coding.csv [N01g, N01] (text cases: tests/fixtures/bad/cases.py) -


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero"])
def test_n01g_blind_coding_linked_out_of_the_folder_is_refused(tmp_path, target):
    folder = write_dataset(tmp_path / "data")
    (folder / "blind_coding.csv").symlink_to(target)
    result = run("validate", "--data", str(folder))
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    assert "blind_coding.csv: must be a regular file" in result.stderr, result.stderr
    assert "root:" not in result.stderr  # never echoed


# --- 3. `-y` through the bounded YAML reader [N33-N38b] -------------------------------------

ALIAS_BOMB = (
    "{a: &a [x,x,x,x,x,x,x,x,x], b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], "
    + ", ".join(
        f"{y}: &{y} [{','.join([f'*{x}'] * 9)}]" for x, y in zip("bcdefg", "cdefgh", strict=True)
    )
    + "}"
)


@pytest.mark.parametrize(
    ("case", "yaml_text", "rule"),
    [
        ("N33 alias bomb", ALIAS_BOMB, "aliases may expand"),
        ("N34 python tag", "{as_of: !!python/object/apply:os.system [true]}", "valid YAML"),
        ("N35 bad syntax", "{as_of: [2022-09-26", "valid YAML"),
        ("N36 unhashable key", "{? [a, b] : x}", "a key must be plain text"),
        ("N37 impossible date", "{as_of: 2022-02-30}", "as_of: expected a real date"),
        ("N38 not a mapping", "[as_of, 2022-09-26]", "-y must be a YAML mapping"),
        ("N38b number keys", "{1: x}", "-y must be a YAML mapping"),
    ],
)
def test_n33_n38_y_parameters_are_read_by_the_bounded_reader(tmp_path, case, yaml_text, rule):
    out = tmp_path / "report"
    result = run("render", "brief", "-y", yaml_text, "--out", str(out))
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and rule in lines[0], lines[:5]
    assert len(lines[0]) < 600, len(lines[0])
    assert not out.exists()


def test_n37_p_value_is_echoed_capped(tmp_path):
    out = tmp_path / "report"
    result = run("render", "brief", "-p", "as_of", "x" * 5000, "--out", str(out))
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 600, lines[:2]


# --- 4. columnar copies: detected when stale or damaged, checked as the CSV [N53-N56] ---------


def copied_dataset(tmp_path: Path) -> Path:
    from reactions.cli import main

    folder = write_dataset(tmp_path / "data")
    assert main(["validate", "--data", str(folder), "--parquet"]) == 0
    return folder


def edited_copy(folder: Path, column: str, row: int, value: str):
    """The statements' copy with one value replaced, as a table, and the CSV's digest."""
    import pyarrow
    import pyarrow.parquet as parquet

    from reactions import columnar

    csv_path = folder / "statements.csv"
    table = parquet.read_table(columnar.copy_of(csv_path))
    header = csv_path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    position = header.index(column)
    values = table.column(position).to_pylist()
    values[row] = value
    table = table.set_column(position, table.field(position).name, pyarrow.array(values))
    return table, columnar.digest(csv_path)


def test_n53b_a_copy_edited_with_the_csv_hash_kept_is_ignored_with_a_notice(tmp_path, capfd):
    import pyarrow.parquet as parquet

    from reactions.dataset import load_dataset

    folder = copied_dataset(tmp_path)
    copy = folder / "statements.parquet"
    kept = parquet.read_schema(copy).metadata  # the forger keeps every key, the CSV's hash too
    table, _ = edited_copy(folder, "stance", 5, "explicit_support")  # kz-rec, line 7
    parquet.write_table(table.replace_schema_metadata(kept), copy, compression="zstd")
    capfd.readouterr()
    statements = load_dataset(folder).statements.set_index("statement_id")
    assert statements.at["kz-rec", "stance"] == "implicit_rejection"  # the CSV's truth
    notices = [line for line in capfd.readouterr().err.splitlines() if "notice:" in line]
    assert len(notices) == 1 and "statements.parquet ignored" in notices[0], notices


def test_n53_n53a_a_bad_value_in_a_copy_is_refused_naming_the_copy(tmp_path):
    from reactions import columnar
    from reactions.dataset import load_dataset
    from reactions.errors import DatasetError

    folder = copied_dataset(tmp_path)
    table, source = edited_copy(folder, "quote", 5, "fixture: bell \x07 here")  # line 7
    columnar.write_copy(folder / "statements.csv", source, table, check_characters=False)
    assert columnar.status(folder / "statements.csv") == "fresh"  # its digest holds
    with pytest.raises(DatasetError) as raised:
        load_dataset(folder)
    problems = [p for p in raised.value.problems if "control" in p.rule]
    assert [(p.file, p.line, p.column) for p in problems] == [("statements.parquet", 7, "quote")]


def test_n53_validate_reads_the_csvs_and_says_whether_each_copy_agrees(tmp_path):
    folder = copied_dataset(tmp_path)
    copy = folder / "events.parquet"
    damaged = bytearray(copy.read_bytes())
    damaged[12] ^= 0xFF  # one bit of rot in its first data page
    copy.write_bytes(bytes(damaged))
    result = run("validate", "--data", str(folder))
    assert result.returncode == 0, result.stderr
    assert "statements.parquet: agrees with its CSV" in result.stdout, result.stdout
    assert "events.parquet: damaged" in result.stdout, result.stdout


def test_n56_validate_parquet_on_a_read_only_dataset_says_so(tmp_path):
    folder = write_dataset(tmp_path / "data")
    folder.chmod(0o555)
    try:
        result = run("validate", "--data", str(folder), "--parquet", prefix=unreadable_prefix())
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr[-3000:]
    no_traceback(result)
    assert "error: no columnar copy written: cannot write in" in result.stderr, result.stderr
    assert not list(folder.glob("*.parquet")) and not list(folder.glob(".*.tmp"))


# --- 5. the run's own files cannot be written [N68, N69, N70d, T1-50] -----------------------


def publish_run(tmp_path: Path, schedule: str, out: Path, notebooks: Path, *extra: str):
    path = tmp_path / "schedule.yml"
    path.write_text(schedule, encoding="utf-8")
    return run(
        "publish", "--schedule", str(path), "--jobs", "1", "--data", str(DATA),
        "--out", str(out), "--notebooks", str(notebooks), *extra, timeout=120,
    )  # fmt: skip


def test_n68_n69_n70d_t1_50_feed_changes_and_index_failures_are_in_the_summary(tmp_path):
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "print('tiny')")
    out = tmp_path / "re[/x]port"  # rich markup in --out (T1-50)
    (out / "feed.xml").mkdir(parents=True)  # N68: a folder where the feed goes
    (out / "changes.json").mkdir()  # N69
    (out / "index.html").mkdir()  # N70d
    schedule = "pages:\n  - {notebook: tiny, actor: belarus}\n"
    result = publish_run(tmp_path, schedule, out, notebooks, "--fresh-kernels")
    assert result.returncode == 1, result.stderr[-3000:]
    no_traceback(result)
    assert (out / "ukraine-annexation-2022.tiny.belarus.html").is_file()  # the page published
    error = " ".join(result.stderr.split())
    for name in ("changes.json", "feed.xml", "index.html"):
        assert f"{name} │ failed" in error, result.stderr
    assert "1 published, 3 failed in " in error
    assert f"index: {out / 'index.html'}" in result.stderr.replace("\n", "")


# --- 6. notebooks: truncated, non-literal defaults, outside notebooks/ [N24, N25, N21, N22] --


def test_n24_a_truncated_notebook_is_exit_2_naming_it(tmp_path):
    notebooks = tmp_path / "notebooks"
    path = tiny_page(notebooks, "print('tiny')")
    path.write_bytes(path.read_bytes()[:200])
    result = run("render", str(path), "-p", "actor", "belarus", "--out", str(tmp_path / "r"))
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{path}: not a readable notebook" in lines[0], lines[:3]


def test_n25_a_truncated_notebook_in_a_schedule_is_refused_by_line(tmp_path):
    notebooks = tmp_path / "notebooks"
    path = tiny_page(notebooks, "print('tiny')")
    path.write_bytes(path.read_bytes()[:200])
    schedule = "pages:\n  - {notebook: tiny, actor: belarus}\n"
    out = tmp_path / "report"
    result = publish_run(tmp_path, schedule, out, notebooks)
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    assert "schedule.yml:2: column 'notebook'" in result.stderr, result.stderr
    assert "not a readable notebook" in result.stderr
    assert not out.exists()


def test_n21_a_non_literal_default_must_be_passed(tmp_path):
    import nbformat

    notebooks = tmp_path / "notebooks"
    path = tiny_page(notebooks, "print(as_of)")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].source = 'import datetime\nactor = ""\nas_of = str(datetime.date.today())'
    nbformat.write(notebook, path)
    result = run("render", str(path), "-p", "actor", "belarus", "--out", str(tmp_path / "r"))
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    assert "as_of must be given" in result.stderr, result.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_n22_a_schedule_runs_only_notebooks_of_notebooks(tmp_path, where, monkeypatch):
    from reactions.errors import ScheduleError
    from reactions.schedule import load_schedule

    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "print('tiny')")
    elsewhere = tiny_page(tmp_path / "elsewhere", "print('outside')", name="other")
    monkeypatch.chdir(tmp_path)
    named = "elsewhere/other.ipynb" if where == "relative" else str(elsewhere)
    path = tmp_path / "schedule.yml"
    path.write_text(f"pages:\n  - {{notebook: tiny, actor: belarus}}\n"
                    f"  - {{notebook: '{named}', actor: belarus}}\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ScheduleError) as raised:
        load_schedule(path, notebooks, DATA)
    [problem] = raised.value.problems
    assert (problem.line, problem.column) == (3, "notebook")
    assert "--allow-notebooks-outside" in problem.rule
    allowed = load_schedule(path, notebooks, DATA, allow_outside=True)
    assert [job.notebook.name for job in allowed.jobs] == ["tiny.ipynb", "other.ipynb"]


# --- 9. before anything runs: --out, stale staging files, page count, twice-named parameters -


def test_t1_22_out_that_is_a_file_is_refused_before_the_kernel(tmp_path):
    out = tmp_path / "report"
    out.write_text("a file", encoding="utf-8")
    trap = KernelTrap(tmp_path / "trap")
    result = run("render", "brief", "--out", str(out / "sub"), env=os.environ | trap.environ)
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    assert "is a file, not a folder" in result.stderr, result.stderr
    assert not trap.started
    assert out.read_text(encoding="utf-8") == "a file"


DEAD = 2**22 + 12345  # above the default pid_max: no process has this id


def test_t1_51_render_removes_the_staging_files_killed_runs_left(tmp_path):
    notebooks = tmp_path / "notebooks"
    path = tiny_page(notebooks, "print('tiny')")
    out = tmp_path / "report"
    (out / "_failed").mkdir(parents=True)
    stale = [
        out / f".page.html.pid{DEAD}.abcd1234.tmp",
        out / "_failed" / f".page.ipynb.pid{DEAD}.abcd1234.tmp",
    ]
    live = out / f".other.html.pid{os.getpid()}.abcd1234.tmp"  # a writer still running
    for file in [*stale, live]:
        file.write_bytes(b"half a page")
    result = run("render", str(path), "-p", "actor", "belarus", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert not any(file.exists() for file in stale)
    assert live.exists()


def test_t1_51_publish_removes_stale_staging_files_in_failed(tmp_path):
    from reactions.publish import publish
    from reactions.schedule import Schedule

    out = tmp_path / "report"
    (out / "_failed").mkdir(parents=True)
    stale = out / "_failed" / ".page.ipynb.abcd1234.tmp"  # an older run's name: no pid
    stale.write_bytes(b"half a notebook")
    publish(Schedule([], 10, 0, 0), out, 1, fresh_kernels=True)
    assert not stale.exists()


def test_n77_a_schedule_of_too_many_pages_is_refused_before_expansion(tmp_path):
    path = tmp_path / "schedule.yml"
    ids = ", ".join(f"a{number}" for number in range(40))
    dates = ", ".join(f"2022-10-{day:02d}" for day in range(1, 29))
    path.write_text(
        "pages:\n  - {notebook: brief, issue: recognition}\n  - notebook: brief\n"
        f"    matrix: {{focal_actor: [{ids}], as_of: [{dates}], compare_to: [{dates}], "
        f"issue: [recognition, war_participation, mobilization]}}\n",
        encoding="utf-8",
    )  # 40 x 28 x 28 x 3 = 94,080 pages, and one
    result = run("publish", "--schedule", str(path), "--out", str(tmp_path / "r"))
    assert result.returncode == 2, result.stderr[-3000:]
    no_traceback(result)
    assert "schedule.yml:3: column 'matrix' a schedule may hold at most 1,000 pages" in (
        result.stderr
    ), result.stderr
    assert "94,081 pages" in result.stderr
    assert not (tmp_path / "r").exists()


def test_n77_max_pages_raises_the_cap(tmp_path):
    from reactions.errors import ScheduleError
    from reactions.schedule import load_schedule

    path = tmp_path / "schedule.yml"
    path.write_text(
        "pages:\n  - notebook: brief\n    as_of: 2022-10-01\n"
        "    matrix: {focal_actor: [belarus, kazakhstan], issue: [recognition]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScheduleError, match="at most 1 pages"):
        load_schedule(path, max_pages=1)
    assert len(load_schedule(path, max_pages=2).jobs) == 2


def test_n78_a_fixed_value_and_a_matrix_naming_one_parameter_are_refused(tmp_path):
    from reactions.errors import ScheduleError
    from reactions.schedule import load_schedule

    path = tmp_path / "schedule.yml"
    path.write_text(
        "pages:\n  - notebook: brief\n    focal_actor: serbia\n    as_of: 2022-10-01\n"
        "    matrix: {focal_actor: [belarus, kazakhstan]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScheduleError) as raised:
        load_schedule(path)
    [problem] = raised.value.problems
    assert (problem.line, problem.column) == (5, "matrix.focal_actor")
    assert "also given a fixed value" in problem.rule


# --- 7. a scheduler that cannot serve is refused in seconds [N63-N66b] ----------------------


def serve(answer: bytes | None) -> tuple[str, threading.Event]:
    """A loopback server that accepts, sends `answer` (None: an HTTP server waiting for its
    request, saying nothing) and keeps the connection open until stopped, longer than any
    deadline: a client without a limit of its own hangs; its tcp:// address."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def accept() -> None:
        with server:
            server.settimeout(0.2)
            while not stop.is_set():
                try:
                    connection, _ = server.accept()
                except TimeoutError:
                    continue
                if answer:
                    connection.sendall(answer)
                stop.wait()
                connection.close()

    threading.Thread(target=accept, daemon=True).start()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}", stop


def closed_port() -> str:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return f"tcp://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize(
    ("case", "how", "code", "said"),
    [
        ("N63 an HTTP server", "http", 1, "does not speak Dask's protocol"),
        ("N64 a closed port", "closed", 1, "cannot be reached"),
        ("N65 not a url", "not a url", 2, "not a scheduler address"),
        ("N66 garbage in the environment", "env", 2, "not a scheduler address"),
        ("N66b an address answering garbage", "garbage", 1, "does not speak Dask's protocol"),
    ],
)
def test_n63_n66b_a_scheduler_that_cannot_serve_is_refused_fast(tmp_path, case, how, code, said):
    stop = threading.Event()
    environment = dict(os.environ)
    environment.pop("DASK_SCHEDULER_ADDRESS", None)
    extra: tuple[str, ...] = ()
    if how == "http":
        address, stop = serve(None)
    elif how == "garbage":
        address, stop = serve(b"\xff" * 7 + b"\x2f" + b"garbage" * 100)  # a length of 3 EiB
    elif how == "closed":
        address = closed_port()
    elif how == "env":
        address = ""
        environment["DASK_SCHEDULER_ADDRESS"] = "garbage:://x"
    else:
        address = how
    if address:
        extra = ("--scheduler", address)
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "print('tiny')")
    out = tmp_path / "report"
    try:
        path = tmp_path / "schedule.yml"
        path.write_text("pages:\n  - {notebook: tiny, actor: belarus}\n", encoding="utf-8")
        result = run(
            "publish", "--schedule", str(path), "--data", str(DATA), "--out", str(out),
            "--notebooks", str(notebooks), *extra, env=environment,
        )  # fmt: skip
    finally:
        stop.set()
    assert result.returncode == code, result.stderr[-3000:]
    no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], lines[:5]  # within DEADLINE: the probe's 10 s
    assert not out.exists()  # no lock, no index


# --- 10. defence in depth: no script but the page's own runtime [issue item 1] --------------

INJECTED = "from IPython.display import HTML, display\ndisplay(HTML({!r}))\n"


@pytest.mark.parametrize(
    ("case", "markup", "said"),
    [
        ("event handler", '<span onmouseover="alert(1)">x</span>', "an event handler"),
        ("javascript link", '<a href=" java\tscript:alert(1)">x</a>', "a script link"),
        ("foreign script", "<script>alert(1)</script>", "not the page's own runtime"),
    ],
)
def test_defence_in_depth_a_page_that_could_run_code_is_not_published(tmp_path, case, markup, said):
    notebooks = tmp_path / "notebooks"
    path = tiny_page(notebooks, INJECTED.format(markup))
    out = tmp_path / "report"
    out.mkdir()
    stem = "ukraine-annexation-2022.tiny.belarus"
    (out / f"{stem}.html").write_bytes(b"<p>last good page</p>")
    result = run("render", str(path), "-p", "actor", "belarus", "--out", str(out))
    assert result.returncode == 1, result.stderr[-3000:]
    no_traceback(result)
    assert "markup that could run code" in result.stderr and said in result.stderr, result.stderr
    assert (out / f"{stem}.html").read_bytes() == b"<p>last good page</p>"
    assert (out / "_failed" / f"{stem}.ipynb").is_file()


def test_defence_in_depth_the_briefs_own_runtime_passes(brief_report, monkeypatch):
    from reactions import html as html_module
    from reactions.html import unsafe_markup
    from reactions.render import refuse_unsafe
    from support.paths import BRIEF_STEM

    monkeypatch.setattr(html_module, "_RUNTIME", set())  # as in a publishing client

    files = {
        f"{BRIEF_STEM}.{suffix}": (brief_report / f"{BRIEF_STEM}.{suffix}").read_bytes()
        for suffix in ("html", "ipynb")
    }
    refuse_unsafe(files, BRIEF_STEM)  # the charts' bundle and the footer's script are its own
    html = files[f"{BRIEF_STEM}.html"].decode("utf-8")
    assert unsafe_markup(html.replace("</body>", "<script>alert(1)</script></body>"))


# --- 8. printing stays inside the page's time, its browser dies with it [N60b, N60c, N59] ---
# (N59, render --pdf without Chromium is exit 2 as publish's: tests/test_pdf.py)


def hung_chromium(folder: Path) -> tuple[Path, Path]:
    """A `chromium` on PATH that starts and never answers; the file it writes its pid to."""
    folder.mkdir(parents=True, exist_ok=True)
    pid_file = folder / "hung.pid"
    script = folder / "chromium"
    script.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 300\n", encoding="utf-8")
    script.chmod(0o755)
    return folder, pid_file


def test_n60b_printing_stops_at_the_time_left_and_kills_its_browser(tmp_path, monkeypatch):
    from reactions.errors import RenderError
    from reactions.pdf import print_pdf

    folder, pid_file = hung_chromium(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    with (
        pytest.raises(RenderError, match="printing to PDF failed"),
        deadline(DEADLINE, "printing within 3 s to a browser that never answers"),
    ):
        print_pdf({"page.html": b"<p>page</p>"}, "page.html", seconds=3)
    pid = int(pid_file.read_text())
    wait_for(lambda: not running(pid), what=f"the browser {pid} to end (SIGKILL, not waited)")


def test_n60c_a_page_killed_at_its_timeout_leaves_no_browser(tmp_path):
    folder, pid_file = hung_chromium(tmp_path / "bin")
    notebooks = tmp_path / "notebooks"
    tiny_page(notebooks, "print('tiny')")
    out = tmp_path / "report"
    path = tmp_path / "schedule.yml"
    # the page's timeout: time for a busy machine to reach the browser, under the printer's 60 s
    path.write_text("timeout: 30\npdf: true\npages:\n  - {notebook: tiny, actor: belarus}\n")
    environment = os.environ | {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    result = run(
        "publish", "--schedule", str(path), "--data", str(DATA), "--out", str(out),
        "--notebooks", str(notebooks), "--fresh-kernels", env=environment, timeout=90,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    assert "timeout" in result.stderr
    assert pid_file.exists()
    pid = int(pid_file.read_text())
    wait_for(lambda: not running(pid), what=f"the browser {pid} to end with its page")
