"""Label Studio: a JSON list of tasks and the labelling config to create a project from them.

A task is one exported sentence: `data.text` (and where the sentence is, beside it in `data`),
and one annotation per annotator who decided it, whose `result` holds the sentence labels as a
`choices` region (`from_name` "label", `to_name` "text") and the entities as `labels` regions with
`start`/`end` offsets into the text. Label Studio counts offsets in code points, like Python's
string indices (its frontend stopped using JavaScript's UTF-16 lengths in 2022).

Annotators: `completed_by` is a user number, counted from 1 in the order the export meets the
annotators, and `created_username` (as Label Studio's own exports have it) is the name. An ignored
sentence (with `--include-ignored`) is a cancelled annotation (`was_cancelled`, Label Studio's
"skip"); a gold decision is an annotation with `ground_truth` set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from annotations.errors import InputError
from annotations.formats.foreign import (
    ExportContext,
    ForeignDecision,
    check_text,
    meta_hints,
    optional_name,
    optional_time,
    sentence_meta,
)
from annotations.text import clean_line

NAME = "label-studio"
TEXT_NAME = "text"
CHOICES_NAME = "label"
ENTITIES_NAME = "entities"
_USERNAME_ID = re.compile(r",\s*\d+$")

# spaCy's displaCy colours, which annotators know (spacy/displacy/render.py).
ENTITY_COLOURS = {
    "ORG": "#7aecec", "PRODUCT": "#bfeeb7", "GPE": "#feca74", "LOC": "#ff9561",
    "PERSON": "#aa9cfc", "NORP": "#c887fb", "FAC": "#9cc9cc", "EVENT": "#ffeb80",
    "LAW": "#ff8197", "LANGUAGE": "#ff8197", "WORK_OF_ART": "#f0d0ff", "DATE": "#bfe1d9",
    "TIME": "#bfe1d9", "MONEY": "#e4e7d2", "QUANTITY": "#e4e7d2", "ORDINAL": "#e4e7d2",
    "CARDINAL": "#e4e7d2", "PERCENT": "#e4e7d2",
}  # fmt: skip


def labelling_config(context: ExportContext) -> str:
    """The `<View>` XML of a Label Studio project that the exported tasks fit."""
    # Here, not at the top: xml.sax imports urllib's HTTP client and ssl, for every command.
    from xml.sax.saxutils import quoteattr

    lines = [
        "<View>",
        f'  <Text name="{TEXT_NAME}" value="${TEXT_NAME}"/>',
        f'  <Choices name="{CHOICES_NAME}" toName="{TEXT_NAME}" choice="multiple"'
        ' showInline="true">',
    ]
    for label in context.scheme:
        hint = quoteattr(context.shown(label))
        lines.append(f"    <Choice value={quoteattr(label)} hint={hint}/>")
    lines.append("  </Choices>")
    if context.entity_labels:
        lines.append(f'  <Labels name="{ENTITIES_NAME}" toName="{TEXT_NAME}">')
        for label in context.entity_labels:
            colour = ENTITY_COLOURS.get(label, "#ddd")
            lines.append(f"    <Label value={quoteattr(label)} background={quoteattr(colour)}/>")
        lines.append("  </Labels>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def write_tasks(records: Iterable[Mapping[str, Any]], context: ExportContext) -> Iterator[dict]:
    """One task per exported sentence, with an annotation per annotator (records arrive grouped
    by sentence, as `export_records` yields them)."""
    users: dict[str, int] = {}
    task: dict[str, Any] | None = None
    key = None
    for record in records:
        ignored = bool(record.get("ignored"))
        if ignored and not context.include_ignored:
            continue
        record_key = (record["article_id"], record["start"], record["end"])
        if record_key != key:
            if task is not None:
                yield task
            key = record_key
            task = {
                "id": (task["id"] + 1) if task is not None else 1,
                "data": {TEXT_NAME: record["text"], **sentence_meta(record)},
                "annotations": [],
                "predictions": [],
            }
        assert task is not None
        name = record["annotator"]
        user = users.setdefault(name, len(users) + 1)
        number = len(task["annotations"]) + 1
        annotation: dict[str, Any] = {
            "id": task["id"] * 1000 + number,
            "completed_by": user,
            "created_username": name,
            "result": _result(record, ignored, f"t{task['id']}a{number}"),
            "was_cancelled": ignored,
            "ground_truth": "votes" in record,
            "created_at": record.get("updated_at"),
            "updated_at": record.get("updated_at"),
            "lead_time": None,
        }
        task["annotations"].append(annotation)
    if task is not None:
        yield task


def _result(record: Mapping[str, Any], ignored: bool, prefix: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    if record["labels"] and not ignored:
        result.append(
            {
                "id": f"{prefix}-label",
                "from_name": CHOICES_NAME,
                "to_name": TEXT_NAME,
                "type": "choices",
                "origin": "manual",
                "value": {"choices": list(record["labels"])},
            }
        )
    for number, entity in enumerate(record["entities"], start=1):
        result.append(
            {
                "id": f"{prefix}-e{number}",
                "from_name": ENTITIES_NAME,
                "to_name": TEXT_NAME,
                "type": "labels",
                "origin": "prediction",
                "value": {
                    "start": entity["start"],
                    "end": entity["end"],
                    "text": entity["text"],
                    "labels": [entity["label"]],
                },
            }
        )
    return result


def recognise(document: object) -> bool:
    """Whether a JSON document is a Label Studio task export (a list of tasks with `data`)."""
    return (
        isinstance(document, list)
        and bool(document)
        and all(isinstance(task, Mapping) and "data" in task for task in document)
    )


def read_task(task: Mapping[str, Any], number: int) -> list[ForeignDecision | InputError]:
    """Each annotation of a task as a decision, or the error that stops it (`task N: ...`)."""
    where = f"task {number}"
    data = task.get("data")
    if not isinstance(data, Mapping):
        return [InputError(f'{where}: "data" is not an object')]
    try:
        text = check_text(_text_of(data), where, "data.text")
    except InputError as error:
        return [error]
    annotations = task.get("annotations", task.get("completions", []))
    if not isinstance(annotations, list):
        return [InputError(f'{where}: "annotations" is not a list')]
    hints = meta_hints(data)
    found: list[ForeignDecision | InputError] = []
    for annotation in annotations:
        try:
            found.append(_decision(annotation, text, hints, number))
        except InputError as error:
            found.append(error)
    return found


def _text_of(data: Mapping[str, Any]) -> object:
    """The task's text: `data.text`, or the one string value of a project that named it else."""
    if TEXT_NAME in data:
        return data[TEXT_NAME]
    strings = [value for value in data.values() if isinstance(value, str)]
    return strings[0] if len(strings) == 1 else None


def _decision(annotation: object, text: str, hints: dict[str, Any], number: int) -> ForeignDecision:
    where = f"task {number}"
    if not isinstance(annotation, Mapping):
        raise InputError(f"{where}: an annotation is not an object")
    result = annotation.get("result") or []
    if not isinstance(result, list):
        raise InputError(f'{where}: an annotation\'s "result" is not a list')
    labels: list[str] = []
    for region in result:
        if isinstance(region, Mapping) and region.get("type") == "choices":
            choices = (region.get("value") or {}).get("choices")
            if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
                raise InputError(f"{where}: a choices region without a list of choices")
            labels.extend(clean_line(choice) for choice in choices)
    if not all(labels):
        raise InputError(f"{where}: an empty choice")
    ignored = bool(annotation.get("was_cancelled") or annotation.get("skipped"))
    return ForeignDecision(
        line=number,
        text=text,
        labels=() if ignored else tuple(labels),
        annotator=_annotator(annotation, where),
        ignored=ignored,
        updated_at=optional_time(
            annotation.get("updated_at") or annotation.get("created_at"), where, "updated_at"
        ),
        format=NAME,
        unit="task",
        **hints,
    )


def _annotator(annotation: Mapping[str, Any], where: str) -> str | None:
    """One name per Label Studio user: the username the export gives, else the user's email,
    else `label-studio-N` for user number N."""
    username = annotation.get("created_username")
    if isinstance(username, str) and _USERNAME_ID.sub("", username).strip():
        return optional_name(_USERNAME_ID.sub("", username), where, "created_username")
    user = annotation.get("completed_by")
    if isinstance(user, Mapping):
        user = user.get("email") or user.get("id")
    if isinstance(user, int) and not isinstance(user, bool):
        return f"label-studio-{user}"
    return optional_name(user, where, "completed_by")
