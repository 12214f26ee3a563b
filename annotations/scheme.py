"""The label scheme: which labels a sentence can get, in the order of their keys (1..9)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from annotations.errors import SchemeError
from annotations.store import Store
from annotations.text import clean_line

DEFAULT_LABELS = ("military", "diplomatic", "heritage_damage")
MAX_LABELS = 9
"""The reader toggles labels with the keys 1..9."""
_LABEL_NAME = re.compile(r"^[\w][\w.\-]*$")


def get_labels(store: Store) -> list[str]:
    """The scheme's label names in key order."""
    return [row["name"] for row in store.rows("SELECT name FROM labels ORDER BY position")]


def parse_labels(text: str) -> list[str]:
    """Read a comma-separated list of label names as the user typed it.

    Raises:
        SchemeError: a name is empty, repeated or not a plain word, or there are too many.
    """
    return validate_labels(text.split(","))


def validate_labels(names: Iterable[str]) -> list[str]:
    """Check a scheme: 1 to 9 distinct names of letters, digits, `_`, `-` or `.`."""
    labels = [clean_line(name) for name in names]
    if not labels or labels == [""]:
        raise SchemeError("a label scheme needs at least one label")
    for name in labels:
        if not name:
            raise SchemeError("empty label name in the list")
        if not _LABEL_NAME.match(name) or len(name) > 64:
            raise SchemeError(
                f"label {name!r} is not allowed: use letters, digits, '_', '-' or '.' "
                "(at most 64 characters)"
            )
    repeated = sorted({name for name in labels if labels.count(name) > 1})
    if repeated:
        raise SchemeError(f"label {repeated[0]!r} appears twice")
    if len(labels) > MAX_LABELS:
        raise SchemeError(f"at most {MAX_LABELS} labels (one per key 1-9); got {len(labels)}")
    return labels


def labels_in_use(store: Store) -> set[str]:
    """Every label some annotation or gold decision gives."""
    used: set[str] = set()
    for table in ("annotations", "gold"):
        query = f"SELECT DISTINCT labels FROM {table} WHERE labels != '[]'"
        for row in store.rows(query):
            used.update(json.loads(row["labels"]))
    return used


def set_labels(store: Store, labels: Sequence[str]) -> list[str]:
    """Replace the scheme. Refused while an annotation uses a label the new scheme drops.

    Returns:
        The new scheme.

    Raises:
        SchemeError: the scheme is invalid, or would orphan annotations.
    """
    labels = validate_labels(labels)
    with store.write():
        dropped = sorted(labels_in_use(store) - set(labels))
        if dropped:
            raise SchemeError(
                f"cannot drop label {dropped[0]!r}: annotations use it "
                "(the scheme can only grow or be reordered once labels are in use)"
            )
        _forget_history_of(store, set(get_labels(store)) - set(labels))
        store.conn.execute("DELETE FROM labels")
        store.conn.executemany(
            "INSERT INTO labels (position, name) VALUES (?, ?)",
            [(position, name) for position, name in enumerate(labels, start=1)],
        )
    return labels


def _forget_history_of(store: Store, dropped: set[str]) -> None:
    """Drop the undo steps that mention a dropped label, whole steps (a step of several
    sentences is undone together or not at all): undo must not bring a label back into the data
    after the scheme lost it."""
    if not dropped:
        return
    doomed = {
        row["step"]
        for row in store.rows("SELECT step, before, after FROM history")
        if dropped & {*json.loads(row["before"])["labels"], *json.loads(row["after"])["labels"]}
    }
    store.conn.executemany("DELETE FROM history WHERE step = ?", [(step,) for step in doomed])


def in_scheme_order(labels: Iterable[str], scheme: Sequence[str]) -> tuple[str, ...]:
    """Sort a label set by the scheme's order (labels outside the scheme last, by name)."""
    order = {name: position for position, name in enumerate(scheme)}
    return tuple(sorted(set(labels), key=lambda name: (order.get(name, len(order)), name)))
