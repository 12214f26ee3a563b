"""Prodigy: annotty's decisions as the `choice` tasks Prodigy's `db-out` writes, and back.

A line is one decided (sentence, annotator): the sentence's `text`, the whole scheme as `options`,
the chosen labels in `accept`, `answer` "accept" (or "ignore" for an ignored sentence, with
`--include-ignored`), the entities as `spans` (offsets are Python string indices into `text`, as
Prodigy's), and `meta` saying where the sentence is, so the line can come back to it.

Hashes follow Prodigy's `set_hashes`: `_input_hash` is MurmurHash3 (signed 32-bit) of the task's
input keys (here `text` alone) as sorted JSON, `_task_hash` the same over the task keys (here
`options`) prefixed with the input hash. Both depend on the text and the scheme only, so the same
sentence gets the same hashes on every machine and in every run; Prodigy keeps hashes a task
already has.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from annotations.errors import InputError
from annotations.formats.foreign import (
    ExportContext,
    ForeignDecision,
    check_text,
    meta_hints,
    murmurhash3_32,
    optional_name,
    optional_time,
    sentence_meta,
    unix_seconds,
)
from annotations.text import clean_line

NAME = "prodigy"
VIEW_ID = "choice"


def _hash(values: Mapping[str, Any], prefix: str = "") -> int:
    key = prefix + json.dumps(values, sort_keys=True, separators=(",", ":"))
    return murmurhash3_32(key.encode("utf-8"))


def input_hash(text: str) -> int:
    """The task's `_input_hash`: from the text alone."""
    return _hash({"text": text})


def task_hash(text: str, options: list[dict[str, str]]) -> int:
    """The task's `_task_hash`: from the text (through its input hash) and the options."""
    return _hash({"options": options}, prefix=str(input_hash(text)))


def write_tasks(records: Iterable[Mapping[str, Any]], context: ExportContext) -> Iterator[dict]:
    """One Prodigy task per record (ignored records only with `context.include_ignored`)."""
    options = [{"id": label, "text": context.shown(label)} for label in context.scheme]
    for record in records:
        ignored = bool(record.get("ignored"))
        if ignored and not context.include_ignored:
            continue
        text = record["text"]
        meta = sentence_meta(record)
        if "votes" in record:
            meta["votes"] = record["votes"]
        yield {
            "text": text,
            "meta": meta,
            "options": options,
            "_input_hash": input_hash(text),
            "_task_hash": task_hash(text, options),
            "_view_id": VIEW_ID,
            # Several labels may apply: shown as checkboxes when the task is loaded again.
            "config": {"choice_style": "multiple"},
            "accept": [] if ignored else list(record["labels"]),
            "answer": "ignore" if ignored else "accept",
            "_timestamp": unix_seconds(record.get("updated_at")),
            "_annotator_id": record["annotator"],
            "_session_id": record["annotator"],
            "spans": [
                {"start": e["start"], "end": e["end"], "label": e["label"], "text": e["text"]}
                for e in record["entities"]
            ],
        }


def recognise(obj: Mapping[str, Any]) -> bool:
    """Whether a JSON object is an answered Prodigy choice task."""
    return "text" in obj and "answer" in obj and ("accept" in obj or obj.get("_view_id") == VIEW_ID)


def read_task(obj: Mapping[str, Any], line: int) -> ForeignDecision:
    """The decision of one answered choice task.

    Raises:
        InputError: `line N: ...` when the task cannot be a sentence decision (a `reject`
            answer, a malformed `accept`, no text).
    """
    where = f"line {line}"
    text = check_text(obj.get("text"), where)
    answer = obj.get("answer")
    if answer not in ("accept", "ignore", "reject"):
        raise InputError(f'{where}: "answer" must be "accept", "ignore" or "reject"')
    if answer == "reject":
        raise InputError(
            f'{where}: answer "reject" says no option fits the task, which is no sentence'
            " decision annotty can record (accept with no option means no label)"
        )
    labels: tuple[str, ...] = ()
    if answer == "accept":
        labels = _accepted(obj.get("accept", []), obj.get("options"), where)
    return ForeignDecision(
        line=line,
        text=text,
        labels=labels,
        annotator=optional_name(
            obj.get("_annotator_id") or obj.get("_session_id"), where, "_annotator_id"
        ),
        ignored=answer == "ignore",
        updated_at=optional_time(obj.get("_timestamp"), where, "_timestamp"),
        format=NAME,
        **meta_hints(obj.get("meta")),
    )


def _accepted(accept: object, options: object, where: str) -> tuple[str, ...]:
    """The accepted options as label names: string ids as they are, other ids by their text."""
    if not isinstance(accept, list):
        raise InputError(f'{where}: "accept" must be a list of option ids')
    texts = {}
    if isinstance(options, list):
        texts = {
            json.dumps(option.get("id")): option.get("text")
            for option in options
            if isinstance(option, Mapping)
        }
    labels = []
    for choice in accept:
        if isinstance(choice, str):
            name = clean_line(choice)
        else:
            shown = texts.get(json.dumps(choice))
            if not isinstance(shown, str):
                raise InputError(f'{where}: accepted option {choice!r} is not among "options"')
            name = clean_line(shown)
        if not name:
            raise InputError(f'{where}: "accept" holds an empty option id')
        labels.append(name)
    return tuple(labels)
