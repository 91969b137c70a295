"""A story's dataset published for download, once per story: `downloads/STORY/` in the report
folder holds the files its pages read (provenance.DATA_FILES: the contract's CSVs, codebook,
story and blind coding), `SHA256SUMS` (each file's SHA-256, as `sha256sum -c` checks them) and
`data-version.txt` (the data version pages cite). Written by a publish run through the one
writer (reactions.writer), only when the version differs from what is there; a lone render
links it when it is there and of the version the page read.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from reactions.columnar import digest
from reactions.provenance import DATA_FILES, data_version
from reactions.writer import DOWNLOADS_DIR, publish_copies

DOWNLOADS = DOWNLOADS_DIR
VERSION_FILE = "data-version.txt"
SUMS_FILE = "SHA256SUMS"


def folder_of(story: str) -> str:
    """The story's download folder, relative to the report folder (and to every page in it)."""
    return f"{DOWNLOADS}/{story}"


def dataset_files(data_dir: Path) -> list[str]:
    """The files of the dataset folder that are published: those of DATA_FILES present."""
    return [name for name in sorted(DATA_FILES) if (data_dir / name).is_file()]


def published_version(out_dir: Path, story: str) -> str:
    """The data version of the story's published dataset, "" when none is published."""
    try:
        text = (out_dir / folder_of(story) / VERSION_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    return text.strip()


def published_files(out_dir: Path, story: str) -> tuple[str, ...]:
    """The story's published data files, relative to the report folder ("" version: none)."""
    folder = out_dir / folder_of(story)
    if not published_version(out_dir, story):
        return ()
    return tuple(
        f"{folder_of(story)}/{name}" for name in sorted(DATA_FILES) if (folder / name).is_file()
    )


def publish_dataset(out_dir: Path, story: str, data_dir: Path) -> tuple[str, ...]:
    """Publish the dataset in `data_dir` as the story's download (unless that version is there
    already); return its files relative to the report folder. Data files are only read."""
    version, _ = data_version(data_dir)
    names = dataset_files(data_dir)
    folder = out_dir / folder_of(story)
    current = published_version(out_dir, story) == version and all(
        (folder / name).is_file() for name in names
    )
    if not current:
        sums = "".join(f"{digest(data_dir / name)}  {name}\n" for name in names)
        publish_copies(
            folder,
            {name: data_dir / name for name in names},
            {SUMS_FILE: sums.encode(), VERSION_FILE: f"{version}\n".encode()},
        )
        for stale in sorted(folder.iterdir()):  # a file the dataset no longer has
            if stale.name not in {*names, SUMS_FILE, VERSION_FILE} and stale.is_file():
                with contextlib.suppress(OSError):
                    stale.unlink()
    return tuple(f"{folder_of(story)}/{name}" for name in names)


def remove_datasets(out_dir: Path, keep: set[str]) -> list[str]:
    """Remove the downloads of stories not in `keep` (a story no page of the site reads)."""
    removed = []
    root = out_dir / DOWNLOADS
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
