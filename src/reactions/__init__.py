"""reactions: sourced statements in, regression-tested analytical briefs out."""

import sys

# jsonschema imports the optional `rfc3987_syntax` (installed with JupyterLab, through
# jupyter-events' jsonschema[format-nongpl]) when it is present: about a second of building a
# grammar for an "iri" format check nothing here uses. Every process that imports this package
# skips it (a warm or fresh kernel also does, in reactions.warm's prelude).
# (None in sys.modules makes an import fail at once; typeshed types the values as modules.)
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

__version__ = "0.1.0"
