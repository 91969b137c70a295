"""A page's key: everything its files depend on, stored beside them (`STEM.key`), so a publish
re-builds only the pages whose key changed.

The key holds the notebook's bytes (digest), the resolved parameters, the data version of the
dataset it reads, a digest of the package's files and templates, the runtime (vl-convert and
its Vega-Lite), the site settings (the page's reactions.page.Site: URL, title, licence, shared
runtime; and any others the run gives) and the PDF flag, and the page's siblings (the other
scheduled pages of its story, which its links will name). A page whose key is missing or
differs, or whose HTML is gone, is built again.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

from reactions.page import Page
from reactions.provenance import data_version

PACKAGE = Path(__file__).resolve().parent
KEY_SUFFIX = ".key"


@cache
def code_digest(package: Path = PACKAGE) -> str:
    """The package's Python files and templates, by path and content."""
    combined = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            combined.update(f"{path.relative_to(package)}\0".encode())
            combined.update(hashlib.sha256(path.read_bytes()).digest())
    return combined.hexdigest()[:16]


@cache
def runtime_version() -> str:
    """vl-convert's version, which fixes the Vega-Lite and Vega it draws and bundles (read from
    the package's metadata: importing it costs a second)."""
    return f"vl-convert-python {metadata.version('vl-convert-python')}"


def _data_version(folder: str) -> str:
    """Read anew each time: a process that publishes twice must see the data change between
    (each file's digest is itself kept per version of the file: reactions.columnar)."""
    return data_version(Path(folder))[0] if folder else ""


def page_key(page: Page, siblings: tuple[str, ...]) -> dict:
    """The page's key as plain data (what `STEM.key` holds)."""
    return {
        "notebook": hashlib.sha256(page.notebook.read_bytes()).hexdigest()[:16],
        "parameters": page.parameters,
        "data_version": _data_version(page.data_dir),
        "code": code_digest(),
        "runtime": runtime_version(),
        "settings": {"site": page.site.as_dict()},
        "pdf": page.pdf,
        "siblings": list(siblings),
    }


def key_bytes(key: dict) -> bytes:
    return json.dumps(key, sort_keys=True, indent=1, default=str).encode("utf-8") + b"\n"


def is_current(out_dir: Path, page: Page, key: dict) -> bool:
    """The page is published and was built from exactly this key."""
    stored = out_dir / f"{page.stem}{KEY_SUFFIX}"
    try:
        return (out_dir / page.html).is_file() and stored.read_bytes() == key_bytes(key)
    except OSError:
        return False


def published_stems(out_dir: Path) -> list[str]:
    """Every page a publish run built into `out_dir` (those with a key)."""
    return sorted(path.name.removesuffix(KEY_SUFFIX) for path in out_dir.glob(f"*{KEY_SUFFIX}"))


def every_page_stale(out_dir: Path) -> bool:
    """Whether no page of `out_dir` can be current whatever its parameters: none has a key yet
    (a first publish), or the keys were made by other code or another runtime (every key names
    both; one is read). An unreadable key says nothing: False, the keys will tell."""
    stems = published_stems(out_dir) if out_dir.is_dir() else []
    if not stems:
        return True
    try:
        stored = json.loads((out_dir / f"{stems[0]}{KEY_SUFFIX}").read_bytes())
        return (stored.get("code"), stored.get("runtime")) != (code_digest(), runtime_version())
    except (OSError, ValueError, AttributeError):
        return False
