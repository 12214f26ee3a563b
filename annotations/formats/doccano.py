"""doccano: text-classification JSONL (`doccano`) and sequence-labelling JSONL (`doccano-ner`).

doccano reads one JSON object per line: the text column (`text`), the label column (`label`),
and every other key as the example's metadata, which its own export writes back beside `text` and
`label`. annotty writes its location and annotator there (`article_id`, `title`, `source`,
`sentence`, `start`, `end`, `annotator`), so a line can come back to its sentence.

Offsets (`doccano-ner`) are Python string indices, code points: doccano counts characters the
same way since its offsets were changed from JavaScript's UTF-16 units (doccano pull #108).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from annotations.errors import InputError
from annotations.formats.foreign import (
    ExportContext,
    ForeignDecision,
    check_labels,
    check_text,
    meta_hints,
    optional_name,
    sentence_meta,
)

NAME = "doccano"
NER_NAME = "doccano-ner"


def write_classification(
    records: Iterable[Mapping[str, Any]], context: ExportContext
) -> Iterator[dict]:
    """One line per decided (sentence, annotator).

    doccano has no "ignored" state: with `include_ignored` an ignored sentence is written with
    no label and `"ignored": true` among its metadata (annotty reads it back as ignored).
    """
    for record in records:
        ignored = bool(record.get("ignored"))
        if ignored and not context.include_ignored:
            continue
        line: dict[str, Any] = {
            "text": record["text"],
            "label": [] if ignored else list(record["labels"]),
            **sentence_meta(record),
            "annotator": record["annotator"],
        }
        if ignored:
            line["ignored"] = True
        if "votes" in record:
            line["votes"] = record["votes"]
        yield line


def write_sequence_labelling(
    records: Iterable[Mapping[str, Any]], context: ExportContext
) -> Iterator[dict]:
    """One line per exported sentence (once, however many annotators decided it) with its
    entities as `[start, end, "LABEL"]`, offsets relative to the text."""
    previous = None
    for record in records:
        if record.get("ignored") and not context.include_ignored:
            continue
        key = (record["article_id"], record["start"], record["end"])
        if key == previous:
            continue
        previous = key
        yield {
            "text": record["text"],
            "label": [[e["start"], e["end"], e["label"]] for e in record["entities"]],
            **sentence_meta(record),
        }


def recognise(obj: Mapping[str, Any]) -> bool:
    """Whether a JSON object is a doccano line (a text and its `label` column)."""
    return "text" in obj and "label" in obj


def read_line(obj: Mapping[str, Any], line: int) -> ForeignDecision:
    """The decision of one text-classification line.

    Raises:
        InputError: `line N: ...` for a sequence-labelling line (entities, not sentence labels)
            or a malformed one.
    """
    where = f"line {line}"
    label = obj.get("label")
    if isinstance(label, list) and any(isinstance(item, list) for item in label):
        raise InputError(
            f"{where}: a doccano sequence-labelling line (entity spans): annotty imports"
            " sentence labels (text classification) only"
        )
    text = check_text(obj.get("text"), where)
    ignored = obj.get("ignored") is True
    # doccano reads a single label given as a string as that one label; so does annotty.
    labels = check_labels([label] if isinstance(label, str) else label, where, "label")
    if ignored and labels:
        raise InputError(f"{where}: an ignored line cannot have labels")
    meta = obj.get("meta") if isinstance(obj.get("meta"), Mapping) else obj
    user = obj.get("annotator") or obj.get("user") or obj.get("username")
    if isinstance(meta, Mapping) and not user:
        user = meta.get("annotator")
    return ForeignDecision(
        line=line,
        text=text,
        labels=labels,
        annotator=optional_name(user, where, "annotator"),
        ignored=ignored,
        format=NAME,
        **meta_hints(meta),
    )
