"""The export formats by name, and the context their writers need from the database.

(This is the interop formats' own table until the one registry of `annotations.formats` lands;
each entry only names a module's writer.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from annotations.errors import InputError
from annotations.formats import doccano, label_studio, prodigy, spacy_docbin
from annotations.formats.foreign import ExportContext, ForeignDecision
from annotations.store import Store

Records = Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class ExportFormat:
    """How one format is written."""

    name: str
    shape: str
    """`jsonl` (a JSON object per line), `json` (one JSON list) or `docbin` (spaCy's binary)."""
    write: Callable[[Records, ExportContext], Iterator[dict]] | None
    """Turns export records into the format's objects (None for `docbin`, written whole)."""
    unit: str = "decision"
    """What one written object is, for the summary line."""


def _annotty_lines(records: Records, context: ExportContext) -> Iterator[dict]:
    # export_records already leaves ignored sentences out unless they were asked for.
    for record in records:
        yield dict(record)


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "annotty": ExportFormat("annotty", "jsonl", _annotty_lines),
    prodigy.NAME: ExportFormat(prodigy.NAME, "jsonl", prodigy.write_tasks),
    doccano.NAME: ExportFormat(doccano.NAME, "jsonl", doccano.write_classification),
    doccano.NER_NAME: ExportFormat(
        doccano.NER_NAME, "jsonl", doccano.write_sequence_labelling, unit="sentence"
    ),
    label_studio.NAME: ExportFormat(
        label_studio.NAME, "json", label_studio.write_tasks, unit="task"
    ),
    spacy_docbin.NAME: ExportFormat(spacy_docbin.NAME, "docbin", None, unit="doc"),
}


def export_context(store: Store, *, include_ignored: bool = False) -> ExportContext:
    """The scheme, its display names and the entity labels of a database, for a writer."""
    rows = store.conn.execute("SELECT name, display FROM labels ORDER BY position").fetchall()
    entity_labels = [
        row[0] for row in store.conn.execute("SELECT DISTINCT label FROM entities ORDER BY label")
    ]
    return ExportContext(
        scheme=[name for name, _ in rows],
        display={name: display for name, display in rows if display},
        include_ignored=include_ignored,
        entity_labels=entity_labels,
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
