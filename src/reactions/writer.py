"""The one way page files reach the report folder: staged beside their targets, renamed into
place together, so readers see the last good page or the new one, never half; a file shared by
pages (`_static/`, named by its content) written once and kept while a page names it; and a
failed page's notebook kept in `_failed/` so the error can be read where it happened."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path

import nbformat

PUBLISHED_MODE = 0o644  # mkstemp makes files private; a published page is for reading
FAILED_DIR = "_failed"
PUBLISH_PARENT = "REACTIONS_PUBLISH_PARENT"  # set by a publish run for the renders it starts
PAGE_LINKS = "REACTIONS_PAGE_LINKS"  # and each page's links (page.SiteLinks as JSON)
DOWNLOADS_DIR = "downloads"  # a story's dataset, one folder per story (reactions.downloads)
STAGED = re.compile(r"\.pid(\d+)\.[^.]*\.tmp")  # a staging file's end: the writer's process id
# A file shared by the pages of a site (the Vega runtime): `_static/NAME-SHA12.EXT`, named by
# the first 12 hex digits of its content's SHA-256, so one name is one content, for ever.
SHARED_DIR = "_static"
SHARED_FILE = re.compile(
    re.escape(SHARED_DIR) + r"/[A-Za-z0-9][A-Za-z0-9._-]*-([0-9a-f]{12})\.[a-z0-9]+"
)


def publish_files(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write every file to a temporary name first, then rename them all into place.

    A failure while writing (a full disk, a permission) leaves the published files as they
    were and no temporary file behind; only the renames, which do not fail for lack of space,
    touch what readers see. The last file named appears last (a page's HTML, after its parts).
    """
    publish_copies(out_dir, {}, files)


def page_file_pattern(stem: str) -> re.Pattern[str]:
    """The names of a page's own files: STEM.html|ipynb|pdf|key, STEM.FINDING.csv (a finding
    is one name, no dot), STEM-chart-N.svg|png, its share image STEM.share.png, and the
    retired STEM.review.txt. No name of another page matches, even one whose stem starts with
    this one (`STEM.2022-09-30.html`)."""
    own = (
        r"\.(?:html|ipynb|pdf|key)",
        r"\.review\.txt",
        r"\.[a-z][a-z0-9_-]*\.csv",
        r"-chart-\d+\.(?:svg|png)",
        r"\.share\.png",
    )
    return re.compile(re.escape(stem) + "(?:" + "|".join(own) + ")")


def publish_page(out_dir: Path, stem: str, files: dict[str, bytes]) -> None:
    """Publish a page's files, then remove the files of that page it no longer makes (a chart
    or a finding gone, its old `STEM.review.txt`): a page's files are what it last made. The
    shared files it names (`_static/`) are written first, each only when missing or not what
    its name says (publish_shared)."""
    shared = {name: content for name, content in files.items() if _is_shared(name)}
    for name, content in shared.items():
        publish_shared(out_dir, name, content)
    own = {name: content for name, content in files.items() if name not in shared}
    publish_files(out_dir, own)
    remove_page(out_dir, stem, keep=own.keys())


def _is_shared(name: str) -> bool:
    return name.startswith(f"{SHARED_DIR}/")


def shared_mismatch(name: str, content: bytes) -> str:
    """Why `content` cannot be published as the shared file `name` ("" when it can)."""
    found = SHARED_FILE.fullmatch(name)
    if found is None:
        return f"{name!r} is not a shared file's name ({SHARED_DIR}/NAME-SHA12.EXT)"
    if hashlib.sha256(content).hexdigest()[:12] != found[1]:
        return f"{name} does not hold what its name's digest says"
    return ""


def publish_shared(out_dir: Path, name: str, content: bytes) -> bool:
    """Write a shared file unless it is there and holds what its name says (then it is left:
    written once however many pages name it); True when written. ValueError when `content`
    is not what the name says: nothing is written."""
    problem = shared_mismatch(name, content)
    if problem:
        raise ValueError(problem)
    target = out_dir / name
    try:
        if not shared_mismatch(name, target.read_bytes()):
            return False
    except OSError:  # missing or unreadable: written again
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, content)
    return True


SHARED_REFERENCE = re.compile(re.escape(SHARED_DIR).encode() + rb"/[A-Za-z0-9][A-Za-z0-9._-]*")


def prune_shared(out_dir: Path) -> list[str]:
    """Remove every shared file (`_static/`) that no page of the folder (`*.html`) names: an old
    runtime stays while a page still loads it. Returns the names removed."""
    folder = out_dir / SHARED_DIR
    if not folder.is_dir():
        return []
    named: set[str] = set()
    for page in out_dir.glob("*.html"):
        with contextlib.suppress(OSError):
            named |= {found.decode() for found in SHARED_REFERENCE.findall(page.read_bytes())}
    removed = []
    for path in sorted(folder.iterdir()):
        name = f"{SHARED_DIR}/{path.name}"
        if path.is_file() and SHARED_FILE.fullmatch(name) and name not in named:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(name)
    return removed


def remove_page(out_dir: Path, stem: str, keep: Collection[str] = ()) -> list[str]:
    """Remove a page's files (reactions: a page dropped from the schedule), but `keep`."""
    pattern, removed = page_file_pattern(stem), []
    for path in out_dir.glob(f"{glob.escape(stem)}*"):
        if pattern.fullmatch(path.name) and path.name not in keep and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path.name)
    return sorted(removed)


def write_atomically(target: Path, content: bytes) -> None:
    """One file, written beside the target, then renamed."""
    publish_files(target.parent, {target.name: content})


def _staging_prefix(name: str) -> str:
    """A staging file is `.NAME.pidPID.RANDOM.tmp`: a later run can tell whose it is."""
    return f".{name}.pid{os.getpid()}."


def clean_stale_temporaries(out_dir: Path, every: bool = False) -> list[Path]:
    """Remove the staging files (`.*.tmp`, in the report folder, `_failed/`, `_static/` and the
    downloads) that a killed render or run left: those whose writer is gone, or `every` one (a
    publish run, under its lock). Never fails a render: a file that cannot be removed is left."""
    stale = []
    downloads = out_dir / DOWNLOADS_DIR
    stories = sorted(downloads.iterdir()) if downloads.is_dir() else []
    for folder in (out_dir, out_dir / FAILED_DIR, out_dir / SHARED_DIR, *stories):
        for path in sorted(folder.glob(".*.tmp")) if folder.is_dir() else []:
            found = STAGED.search(path.name)
            if every or (found is not None and not _alive(int(found.group(1)))):
                with contextlib.suppress(OSError):
                    path.unlink()
                    stale.append(path)
    return stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def keep_failed(
    notebook: Path, out_dir: Path, stem: str, reason: str, content: bytes | None = None
) -> str:
    """Keep the notebook as far as it ran (`content`); if nothing was saved (a dead kernel, a
    killed run), the source notebook with the reason on top, so that `_failed/` always says what
    happened. Returns where it is, in words."""
    if content is None:
        source = nbformat.read(notebook, as_version=4)
        source.cells.insert(0, nbformat.v4.new_markdown_cell(f"**Render failed:** {reason}"))
        content = nbformat.writes(source).encode("utf-8")
    target = out_dir / FAILED_DIR / f"{stem}.ipynb"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, content)
    except OSError as error:  # a read-only or full disk, --out a file: say so, do not crash
        return f"the error notebook could not be kept at {target} ({error.strerror or error})"
    return f"the error notebook is {target}"


def publish_copies(folder: Path, sources: dict[str, Path], files: dict[str, bytes]) -> None:
    """Copy each source file (by its name in `folder`) and write `files`, all staged first and
    renamed into place together, the `files` last (a manifest appears after what it lists):
    large files are copied in chunks, never held in memory."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, source in sources.items():
            handle, temporary = tempfile.mkstemp(
                dir=folder, prefix=_staging_prefix(name), suffix=".tmp"
            )
            staged.append((temporary, folder / name))
            with os.fdopen(handle, "wb") as stream, source.open("rb") as original:
                shutil.copyfileobj(original, stream, 1 << 20)
            os.chmod(temporary, PUBLISHED_MODE)
        for name, content in files.items():
            handle, temporary = tempfile.mkstemp(
                dir=folder, prefix=_staging_prefix(name), suffix=".tmp"
            )
            staged.append((temporary, folder / name))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.chmod(temporary, PUBLISHED_MODE)
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
