"""Vega-Lite specs drawn by vl-convert: the version a spec is written for, its static SVG.

Apart from `reactions.charts` (which builds specs with altair and pandas) so that exporting a
page, which only reads specs, imports neither.
"""

from __future__ import annotations

import re

# Charts are this wide (axes and legend included) in notebooks and in the static picture; the
# published page makes a chart marked charts.FIT_TO_PAGE as wide as its column (Vega-Lite width
# "container"). Notebooks keep the number: JupyterLab's renderer loops on "container" until
# the browser tab crashes.
STATIC_WIDTH = 720


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
    return vl_convert.vegalite_to_svg(spec, vl_version=vegalite_version(spec))
