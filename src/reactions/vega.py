"""Vega-Lite specs drawn by vl-convert: the version a spec is written for, its static SVG, the
PNG of an SVG; each picture drawn once per process.

Apart from `reactions.charts` (which builds specs with altair and pandas) so that exporting a
page, which only reads specs, imports neither.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

# Charts are this wide (axes and legend included) in notebooks and in the static picture; the
# published page makes a chart marked charts.FIT_TO_PAGE as wide as its column (Vega-Lite width
# "container"). Notebooks keep the number: JupyterLab's renderer loops on "container" until
# the browser tab crashes.
STATIC_WIDTH = 720
PNG_SCALE = 2  # sharp on high-density screens and as a share card

# The pictures drawn in this process live in a module outside the package, so a warm kernel's
# reset (reactions.warm), which drops the package's modules, keeps them: a batch's pages share
# charts (every brief of one issue and date has the same timeline), and drawing one costs
# 0.1-0.2 s. A picture is found again only by a digest of its whole input, so it is the picture
# vl-convert would draw now; the oldest are forgotten beyond MEMO_CHARACTERS.
MEMO_MODULE = "_reactions_drawn"
MEMO_CHARACTERS = 32 * 2**20

Picture = TypeVar("Picture", str, bytes)


def vegalite_version(spec: dict) -> str:
    """The Vega-Lite version (major.minor) a spec was written for, from its $schema."""
    found = re.search(r"/v(\d+)\.(\d+)[.\d]*\.json$", str(spec.get("$schema", "")))
    if found:
        return f"{found[1]}.{found[2]}"
    import vl_convert

    return vl_convert.get_vegalite_versions()[-1]


def static_svg(spec: dict) -> str:
    """The chart drawn as SVG by vl-convert, offline: the picture every front end can show.

    A chart as wide as its container (there is none here) is drawn STATIC_WIDTH wide."""
    import vl_convert  # only pages with charts pay for it

    if spec.get("width") == "container":
        spec = {**spec, "width": STATIC_WIDTH}
    version = vegalite_version(spec)
    source = f"svg {version} {json.dumps(spec, ensure_ascii=False)}"
    return _drawn(source, lambda: vl_convert.vegalite_to_svg(spec, vl_version=version))


def static_png(svg: str) -> bytes:
    """The SVG drawn as PNG by vl-convert, PNG_SCALE times its size."""
    import vl_convert

    return _drawn(f"png {PNG_SCALE} {svg}", lambda: vl_convert.svg_to_png(svg, scale=PNG_SCALE))


def _drawn(source: str, draw: Callable[[], Picture]) -> Picture:
    """The picture drawn from `source` (all that decides it, in words), drawn once per process."""
    import vl_convert

    memo = _memo()
    made_by = getattr(vl_convert, "__version__", "")
    key = hashlib.sha256(f"{made_by} {source}".encode()).digest()
    with memo.lock:
        if key in memo.pictures:
            memo.pictures.move_to_end(key)
            return memo.pictures[key]
    picture = draw()
    with memo.lock:
        if key not in memo.pictures:
            memo.pictures[key] = picture
            memo.characters += len(picture)
        while memo.characters > MEMO_CHARACTERS and len(memo.pictures) > 1:
            memo.characters -= len(memo.pictures.popitem(last=False)[1])
    return picture


def _memo() -> Any:  # a module holding pictures (an OrderedDict), characters and a lock
    memo: Any = sys.modules.get(MEMO_MODULE)
    if memo is None:
        memo = types.ModuleType(MEMO_MODULE, "Pictures drawn in this process (reactions.vega).")
        memo.pictures = OrderedDict()
        memo.characters = 0
        memo.lock = threading.Lock()
        sys.modules[MEMO_MODULE] = memo
    return memo
