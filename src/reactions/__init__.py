"""reactions: sourced statements in, regression-tested analytical briefs out."""

__version__ = "0.1.0"
