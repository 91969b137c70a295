"""What a page was made from: its story, parameters, data version, code version and render time.

- **Data version**: the first 12 hex digits of a sha256 over the dataset's files that pages read
  (`DATA_FILES`, those present), in sorted order, each as its name and its own sha256: the
  same data in another folder has the same version; any byte changed, added or removed, or a
  file renamed, gives another. The method, the review log and other notes beside the data are
  not part of it.
- **Code version**: the installed package's version and, when the package is a tracked folder
  of a git checkout, its commit (marked modified when a tracked file of the package differs from
  it). Asking git costs a few milliseconds and never fails the page: no git, no checkout, an
  error or a slow answer all mean "no commit".
- **Render time**: now, in UTC, to the second; `$SOURCE_DATE_EPOCH` (the reproducible-builds
  convention) pins it, so two renders of the same page can be compared byte for byte.

The kernel records what every Jupyter client can show (`of_page`: story, parameters, data
version): a notebook run in JupyterLab, by nbval or by `make refresh` holds neither commit nor
time, so committed notebooks move only when findings do. The exporter (reactions.exporter)
stamps the code version and render time once, into the published page and its notebook.

The record is plain data: `as_dict` is what the output's metadata and the executed notebook's
metadata hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from pathlib import Path

from reactions.columnar import digest

METHOD_FILE = "METHODS.md"  # the story's method for readers, in its folder (not data)

# Every file of a dataset folder that a page reads: the contract's CSVs and codebook
# (reactions.contract), the story (reactions.story.STORY_FILE) and the second, blind coding
# (reactions.coding.BLIND_FILE). tests/test_provenance.py keeps this list in step with them.
DATA_FILES = (
    "actors.csv",
    "blind_coding.csv",
    "codebook.yml",
    "events.csv",
    "statements.csv",
    "story.yml",
    "votes.csv",
)
DATA_VERSION_DIGITS = 12
PACKAGE = "reactions"
GIT_TIMEOUT = 5.0  # seconds; a git that hangs (a network file system) costs a page no more


@dataclass(frozen=True)
class Provenance:
    """One page's provenance (see the module's docstring)."""

    story: str  # the dataset folder's name
    parameters: dict[str, object]  # as the page ran with them, defaults resolved, no data path
    data_version: str
    data_files: tuple[str, ...]  # the files the data version covers
    package_version: str
    method: str  # the story's method for readers (METHODS.md), "" when it has none
    # Stamped by the exporter (`stamped`), empty in the kernel's record:
    commit: str = ""  # short commit of the package's checkout; "" when it is not one
    modified: bool = False  # a tracked file of the package differs from the commit
    rendered_at: str = ""  # ISO 8601 in UTC, to the second: 2000-01-31T18:30:00Z

    def stamped(self, commit: str, modified: bool, rendered_at: str) -> Provenance:
        """The record as published: with the code's commit and the render time."""
        return replace(self, commit=commit, modified=modified, rendered_at=rendered_at)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (the executed notebook's and the output's metadata)."""
        plain = asdict(self)
        plain["data_files"] = list(self.data_files)
        return plain

    @classmethod
    def from_dict(cls, plain: dict[str, object]) -> Provenance:
        values = dict(plain)
        values["data_files"] = tuple(values["data_files"])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


def data_version(folder: Path) -> tuple[str, tuple[str, ...]]:
    """The data version of a dataset folder and the files it covers (see the module). Each
    file's own SHA-256 is columnar.digest's, computed once per version of the file: the check
    of a Parquet copy has usually made it already, and a warm kernel keeps it across pages."""
    combined = hashlib.sha256()
    covered = []
    for name in sorted(DATA_FILES):
        path = folder / name
        if path.is_file():
            combined.update(f"{name}\0{digest(path)}\0".encode())
            covered.append(name)
    return combined.hexdigest()[:DATA_VERSION_DIGITS], tuple(covered)


def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def _git(folder: Path, *arguments: str) -> str | None:
    """git's output in `folder`, or None if git is missing, fails or hangs. Git's own variables
    (GIT_DIR, set in a hook) are dropped: they would name another repository."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *arguments],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env=environment,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def code_commit(package: Path | None = None) -> tuple[str, bool]:
    """The package folder's commit (7 hex digits) and whether a tracked file of it differs from
    that commit; ("", False) when the folder is not tracked in a git checkout."""
    package = package or Path(__file__).resolve().parent
    if not _git(package, "ls-files", "--", "__init__.py"):  # not a checkout, or not tracked
        return "", False
    status = _git(
        package, "status", "--porcelain=v2", "--branch", "--untracked-files=no", "--", "."
    )
    if status is None:
        return "", False
    lines = status.splitlines()
    head = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), "")
    if not head or head == "(initial)":
        return "", False
    return head[:7], any(not line.startswith("#") for line in lines)


def utc_stamp(moment: dt.datetime) -> str:
    """A moment as pages, changes.json and the feed write it: UTC, to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(iso: str) -> str:
    """2000-01-31 as "31 January 2000", as pages, feed entries and share images write a day
    (any other text as it is)."""
    try:
        day = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def render_time(now: dt.datetime | None = None) -> str:
    """Now in UTC to the second, unless $SOURCE_DATE_EPOCH (whole seconds) pins it."""
    pinned = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if now is None and pinned.isdigit():
        now = dt.datetime.fromtimestamp(int(pinned), dt.UTC)
    return utc_stamp(now or dt.datetime.now(dt.UTC))


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def of_page(folder: Path, story: str, parameters: dict[str, object]) -> Provenance:
    """The provenance of a page opened on the dataset in `folder` with these (checked)
    parameters, as the kernel knows it (no commit, no time); `data_dir` is left out: the story
    names the data, a path names a machine."""
    version, files = data_version(folder)
    return Provenance(
        story=story,
        parameters={
            name: _plain(value) for name, value in parameters.items() if name != "data_dir"
        },
        data_version=version,
        data_files=files,
        package_version=package_version(),
        method=METHOD_FILE if (folder / METHOD_FILE).is_file() else "",
    )
