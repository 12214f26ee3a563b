"""What the other tools' formats share: one decision read from a foreign line, the export context,
and the checks every reader applies to a line before annotty trusts it.

Each tool's format is a module beside this one (prodigy.py, doccano.py, label_studio.py,
spacy_docbin.py) with pure functions over annotty's export records (the dicts
`annotations.export.export_records` yields) and over plain JSON objects; nothing here touches the
database. Matching what was read to stored sentences is `annotations.foreign_import`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from annotations.errors import InputError
from annotations.limits import check_name, check_time, shorten
from annotations.text import clean_line, clean_text

MAX_FOREIGN_LABELS = 64
"""More labels than this on one line is not a sentence tag: the line is refused."""


@dataclass(frozen=True)
class ExportContext:
    """What a writer needs besides the records: the scheme, how labels are shown, what to keep."""

    scheme: list[str]
    """The label names in key order."""
    display: Mapping[str, str] = field(default_factory=dict)
    """A label's display name, where it has one."""
    include_ignored: bool = False
    """Write ignored sentences (each format says how); otherwise they are left out."""
    entity_labels: list[str] = field(default_factory=list)
    """Every entity label in the database (Label Studio's config lists them)."""

    def shown(self, label: str) -> str:
        return self.display.get(label) or label.replace("_", " ")


@dataclass(frozen=True)
class ForeignDecision:
    """One decision read from another tool's line, before it is matched to a stored sentence."""

    line: int
    """Where it came from: the line (JSONL) or the task's position from 1 (a JSON list)."""
    text: str
    """The text the other tool's annotator labelled, cleaned like any text from outside."""
    labels: tuple[str, ...]
    """As given (cleaned): checked against the scheme when applied."""
    annotator: str | None
    """The line's own annotator, if it names one; else the importer's `--annotator`."""
    ignored: bool = False
    updated_at: str | None = None
    article_id: str | None = None
    """Hints from the line's meta (annotty's own exports carry them): where the text was."""
    start: int | None = None
    end: int | None = None
    sentence: int | None = None
    title: str | None = None
    source: str | None = None
    format: str = ""
    """The format's name, for messages."""
    unit: str = "line"
    """What `line` counts: `line` (JSONL) or `task` (a JSON list of tasks)."""

    @property
    def where(self) -> str:
        return f"{self.unit} {self.line}"


def check_labels(value: object, where: str, name: str) -> tuple[str, ...]:
    """A list of label names as a line gives them, cleaned. Raises InputError naming `where`."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f'{where}: "{name}" must be a list of label names')
    if len(value) > MAX_FOREIGN_LABELS:
        raise InputError(f'{where}: "{name}" holds {len(value)} labels (at most 64)')
    labels = tuple(clean_line(item) for item in value)
    if not all(labels):
        raise InputError(f'{where}: "{name}" holds an empty label name')
    return labels


def check_text(value: object, where: str, name: str = "text") -> str:
    """A task's text, cleaned; refused when missing, not a string or empty."""
    if not isinstance(value, str):
        kind = "missing" if value is None else "not a string"
        raise InputError(f'{where}: "{name}" is {kind}')
    text = clean_text(value).strip()
    if not text:
        raise InputError(f'{where}: "{name}" is empty')
    return text


def optional_name(value: object, where: str, what: str) -> str | None:
    """An annotator's name from a line, or None when the line has none."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    try:
        return check_name(value, what)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None


def optional_time(value: object, where: str, what: str) -> str | None:
    """An ISO-8601 time (or Unix seconds) from a line, as annotty stores times; None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            value = datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            raise InputError(f"{where}: {what} {value!r} is not a time") from None
    try:
        return check_time(value, what)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None


def meta_hints(meta: object) -> dict[str, Any]:
    """The location hints annotty's own exports put in a line's meta, where they are well-formed.

    A hint that is not well-formed is dropped: it only helps matching, and the text decides.
    """
    if not isinstance(meta, Mapping):
        return {}
    hints: dict[str, Any] = {}
    identity = meta.get("article_id")
    if isinstance(identity, str) and clean_line(identity):
        hints["article_id"] = clean_line(identity)
    start, end = meta.get("start"), meta.get("end")
    if _is_int(start) and _is_int(end) and 0 <= start < end:
        hints["start"], hints["end"] = start, end
    if _is_int(meta.get("sentence")) and meta["sentence"] >= 0:
        hints["sentence"] = meta["sentence"]
    for key, limit in (("title", 500), ("source", 2000)):
        value = meta.get(key)
        if isinstance(value, str) and clean_line(value):
            hints[key] = shorten(value, limit)
    return hints


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def unix_seconds(updated_at: str | None) -> int | None:
    """annotty's `2026-11-24T18:05:02.123456Z` as whole Unix seconds."""
    if not updated_at:
        return None
    moment = datetime.fromisoformat(updated_at.replace("Z", "+00:00"))
    return int(moment.timestamp())


def sentence_meta(record: Mapping[str, Any]) -> dict[str, Any]:
    """Where an exported sentence is: the meta every format carries so it can come back."""
    return {
        "article_id": record["article_id"],
        "title": record["title"],
        "source": record["source"],
        "sentence": record["sentence"],
        "start": record["start"],
        "end": record["end"],
    }


# MurmurHash3 (x86, 32-bit), as Prodigy hashes its tasks. Written out here (it is short) so that
# a hash is the same on every machine and in every run, whatever is installed.
_MASK = 0xFFFFFFFF


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (32 - shift))) & _MASK


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3_x86_32 of `data`, as a signed 32-bit integer (like `mmh3.hash`)."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & _MASK
    blocks = len(data) // 4 * 4
    for offset in range(0, blocks, 4):
        k = int.from_bytes(data[offset : offset + 4], "little")
        k = _rotl((k * c1) & _MASK, 15) * c2 & _MASK
        h = (_rotl(h ^ k, 13) * 5 + 0xE6546B64) & _MASK
    tail = data[blocks:]
    k = 0
    for position in reversed(range(len(tail))):
        k ^= tail[position] << (8 * position)
    if tail:
        h ^= _rotl((k * c1) & _MASK, 15) * c2 & _MASK
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h
