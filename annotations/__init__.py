"""annotty's core: articles, their analysis, annotations, and the SQLite store that holds them.

This package never imports Textual; a script or a notebook can use it directly.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("annotty")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
