"""annotty's core: articles, their analysis, annotations, and the SQLite store that holds them.

This package never imports Textual; a script or a notebook can use it directly.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # `__version__` is looked up on first use: importlib.metadata costs tens of milliseconds of
    # every start, and only `annotty --version` needs it.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("annotty")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0.0.0"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
