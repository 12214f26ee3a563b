"""The errors a user can cause. Each carries a message fit to print as one line."""

from __future__ import annotations


class AnnottyError(Exception):
    """Something the user can fix: the front end prints the message and exits non-zero."""


class InputError(AnnottyError):
    """A file or line that cannot be imported."""


class StoreError(AnnottyError):
    """A database that annotty cannot or must not use."""


class SchemeError(AnnottyError):
    """A label scheme, or a label, that is not allowed."""


class PipelineError(AnnottyError):
    """No usable spaCy pipeline."""


class DatabaseLocked(StoreError):
    """Another program held the database's write lock longer than annotty waits."""
