"""The export formats by name, and the context their writers need from the database; reading
other tools' lines and documents through the table in `annotations.formats`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotations.errors import InputError
from annotations.formats import FORMATS, Format, Records, doccano, label_studio, prodigy
from annotations.formats.foreign import ExportContext, ForeignDecision
from annotations.store import Store

__all__ = ["EXPORT_FORMATS", "ExportFormat", "Records", "export_context"]

ExportFormat = Format
EXPORT_FORMATS: dict[str, Format] = FORMATS
"""Every format `annotty export --format` writes (the one table in `annotations.formats`)."""


def export_context(
    store: Store, *, include_ignored: bool = False, entity_labels: bool = False
) -> ExportContext:
    """The scheme and its display names of a database, for a writer; with `entity_labels`, the
    labels its entities carry too (only Label Studio's labelling config needs them, and finding
    them reads every entity: a third of a second at 900,000)."""
    rows = store.conn.execute("SELECT name, display FROM labels ORDER BY position").fetchall()
    found = []
    if entity_labels:
        query = "SELECT DISTINCT label FROM entities ORDER BY label"
        found = [row[0] for row in store.conn.execute(query)]
    return ExportContext(
        scheme=[name for name, _ in rows],
        display={name: display for name, display in rows if display},
        include_ignored=include_ignored,
        entity_labels=found,
    )


def read_foreign_line(obj: Mapping[str, Any], number: int) -> ForeignDecision | InputError | None:
    """A JSONL line of another tool's format as a decision (or why it cannot be one); None when
    the line is none of the formats annotty reads (an article line, or annotty's own)."""
    if "answer" in obj and "text" in obj and not prodigy.recognise(obj):
        return InputError(
            f"line {number}: a Prodigy task that is not a choice task (a binary answer decides"
            " one label at a time): annotty imports choice tasks, with `accept`"
        )
    for recognise, read in (
        (prodigy.recognise, prodigy.read_task),
        (doccano.recognise, doccano.read_line),
    ):
        if recognise(obj):
            try:
                return read(obj, number)
            except InputError as error:
                return error
    return None


def read_foreign_document(document: object) -> list[ForeignDecision | InputError] | None:
    """A whole JSON document of another tool (a Label Studio task export) as decisions, or None
    when it is not one."""
    if not label_studio.recognise(document):
        return None
    assert isinstance(document, list)
    found: list[ForeignDecision | InputError] = []
    for number, task in enumerate(document, start=1):
        found.extend(label_studio.read_task(task, number))
    return found
