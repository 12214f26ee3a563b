"""Every format annotty writes or reads, one module each, found by name in one table: FORMATS.

A format module (annotty.py, prodigy.py, doccano.py, label_studio.py, spacy_docbin.py) holds
pure functions over plain data; nothing in a format module opens the database (annotty's own
lines are applied by `annotations.line_import`). Its entry here says what it can do:

- **write** `(records, context) -> Iterator[dict]`: turns export records (the dicts
  `annotations.export.export_records` yields, one per decided sentence and actor) into the
  format's JSON objects, honouring `context.include_ignored`. `shape` says how the objects are
  written: `jsonl` (one per line), `json` (one list) or `docbin` (spaCy's binary, written by the
  module itself, so `write` is None). `unit` names one object in the summary line.
- **recognise** `(obj) -> bool` and **read** `(obj, line_number) -> AnnotationInput |
  ForeignDecision`: for a JSONL import, whether a line is this format's, and the decision it holds.
  `read` raises InputError (`line N: reason`) for a line of this format that cannot be used; the
  importer reports that line and goes on. Lines are offered to the formats in LINE_ORDER, annotty's
  own first; a line no format recognises is an article (`text`, `title`, `meta`).

To add a format: write its module beside the others and add its entry to FORMATS (and, if it
reads JSONL lines, to LINE_ORDER).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from annotations.formats import annotty, doccano, label_studio, prodigy, spacy_docbin
from annotations.formats.foreign import ExportContext

Records = Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class Format:
    """One format: how it is written and how its JSONL lines are recognised and read."""

    name: str
    shape: str
    """`jsonl` (a JSON object per line), `json` (one JSON list) or `docbin` (spaCy's binary)."""
    write: Callable[[Records, ExportContext], Iterator[dict]] | None
    """Turns export records into the format's objects (None for `docbin`, written whole)."""
    unit: str = "decision"
    """What one written object is, for the summary line."""
    recognise: Callable[[Mapping[str, Any]], bool] | None = None
    """Whether a JSONL line is this format's (None: the format has no lines to import)."""
    read: Callable[[Mapping[str, Any], int], Any] | None = None
    """The decision a recognised line holds; raises InputError `line N: ...`."""


FORMATS: dict[str, Format] = {
    annotty.NAME: Format(
        annotty.NAME, "jsonl", annotty.write_lines, recognise=annotty.recognise,
        read=annotty.read_line,
    ),
    prodigy.NAME: Format(
        prodigy.NAME, "jsonl", prodigy.write_tasks, recognise=prodigy.recognise,
        read=prodigy.read_task,
    ),
    doccano.NAME: Format(
        doccano.NAME, "jsonl", doccano.write_classification, recognise=doccano.recognise,
        read=doccano.read_line,
    ),
    doccano.NER_NAME: Format(
        doccano.NER_NAME, "jsonl", doccano.write_sequence_labelling, unit="sentence"
    ),
    label_studio.NAME: Format(label_studio.NAME, "json", label_studio.write_tasks, unit="task"),
    spacy_docbin.NAME: Format(spacy_docbin.NAME, "docbin", None, unit="doc"),
}  # fmt: skip

LINE_ORDER: tuple[str, ...] = (annotty.NAME, prodigy.NAME, doccano.NAME)
"""The formats a JSONL line is offered to, in this order (annotty's own lines first)."""


def format_of_line(obj: Mapping[str, Any]) -> Format | None:
    """The format a JSONL line is written in, or None for an article line."""
    for name in LINE_ORDER:
        fmt = FORMATS[name]
        if fmt.recognise is not None and fmt.recognise(obj):
            return fmt
    return None
