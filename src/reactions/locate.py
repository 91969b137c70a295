"""Where a dataset is: the same answer from any working directory and any Jupyter client.

`data/` holds one folder per story; `data/default.txt` names the one a page uses when none
is given. A page's `data_dir` (or the `--data` option) may name a story folder, a folder of
stories (its default is taken), or nothing: then `$REACTIONS_DATA`, else the project's default.
Relative paths are read from the working directory, then from the project root, so a notebook
run from the repo root, from `notebooks/` or under `papermill --cwd` finds the same data.
"""

from __future__ import annotations

import os
from pathlib import Path

from reactions.errors import ParameterError

ENVIRONMENT_VARIABLE = "REACTIONS_DATA"
DEFAULT_MARKER = "default.txt"
STORY_MARKER = "statements.csv"


def project_root() -> Path | None:
    """The checkout holding `data/`: above the working directory, or above this package."""
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "data" / DEFAULT_MARKER).is_file():
                return folder
    return None


def resolve_data_dir(value: str | os.PathLike[str] | None = None) -> Path:
    """The story folder a page reads, as an absolute path."""
    given = str(value or "").strip() or os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    root = project_root()
    if not given:
        if root is None:
            raise ParameterError(
                f"data_dir: no dataset given and no project found; pass data_dir or set "
                f"${ENVIRONMENT_VARIABLE} to a dataset folder"
            )
        return _story_folder(root / "data")
    path = Path(given).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path]
    if root is not None and not path.is_absolute():
        candidates.append(root / path)
    for candidate in candidates:
        if candidate.is_dir():
            return _story_folder(candidate.resolve())
    raise ParameterError(f"data_dir: {given!r} is not a dataset folder (looked in {candidates[0]})")


def _story_folder(folder: Path) -> Path:
    """A folder of stories stands for its default story; a story folder for itself."""
    marker = folder / DEFAULT_MARKER
    if (folder / STORY_MARKER).exists() or not marker.is_file():
        return folder
    slug = marker.read_text(encoding="utf-8").strip()
    story = folder / slug
    if not slug or "/" in slug or not story.is_dir():
        raise ParameterError(f"{marker}: names {slug!r}, which is not a story folder beside it")
    return story
