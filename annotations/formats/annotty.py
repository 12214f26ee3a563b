"""annotty's own JSON lines: written by `annotty export`, recognised and read by `import`
(applied to a database, a batch at a time, by `annotations.line_import`).

One line per decided (sentence, actor):

    article_id, title, source, sentence, start, end, text, labels, annotator, updated_at,
    entities                       always (as every version of annotty has written them)
    ignored: true                  an ignored sentence (`--include-ignored`; labels then [])
    origin                         how an annotator's decision was made: typed, suggested, pattern
    votes                          gold lines (`--gold`): each annotator's labels
    note                           gold lines: the reviewer's note (e.g. "auto: unanimous")

`source` is the article's source (a path or URL). A line is recognised as annotty's by its
fields taken together: every field an annotty line has always carried (REQUIRED), or, to report
what is missing rather than read it as an article, `labels` with most of the
rest. The optional fields may be absent (files exported by earlier versions import as they are).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson

from annotations.errors import InputError
from annotations.formats.foreign import ExportContext
from annotations.limits import MAX_NOTE, check_name, time_checker
from annotations.model import AnnotationInput
from annotations.scheme import in_scheme_order
from annotations.text import clean_line, has_controls

NAME = "annotty"
REQUIRED = ("article_id", "start", "end", "text", "labels", "annotator", "updated_at")
"""The fields every annotty line has carried since the first version."""
_REQUIRED_SET = frozenset(REQUIRED)
ORIGINS = ("typed", "suggested", "pattern")
"""How a decision can have been made (`origin`)."""
_LINE_KEYS = (
    "article_id", "title", "source", "sentence", "start", "end", "text", "labels", "annotator",
    "updated_at", "entities",
)  # fmt: skip


def write_lines(records: Iterable[Mapping[str, Any]], context: ExportContext) -> Iterator[dict]:
    """annotty's lines for export records (ignored ones only with `context.include_ignored`)."""
    for record in records:
        ignored = bool(record.get("ignored"))
        if ignored and not context.include_ignored:
            continue
        line = {key: record[key] for key in _LINE_KEYS}
        if ignored:
            line["ignored"] = True
            line["labels"] = []
        if record.get("origin"):
            line["origin"] = record["origin"]
        if "votes" in record:
            line["votes"] = record["votes"]
        if record.get("note"):
            line["note"] = record["note"]
        yield line


def recognise(obj: Mapping[str, Any]) -> bool:
    """Whether a JSON object is an annotty line (or so nearly one that it is reported as one)."""
    if obj.keys() >= _REQUIRED_SET:
        return True
    present = sum(key in obj for key in REQUIRED)
    return present == len(REQUIRED) or ("labels" in obj and present >= 5)


def read_line(record: Mapping[str, Any], number: int) -> AnnotationInput:
    """The decision one annotty line holds, checked and cleaned.

    Raises:
        InputError: `line N: reason` for a field that is missing or not what it must be.
    """
    return LineReader().read(record, number)


class LineReader:
    """Reads the annotty lines of one file as `read_line` does, remembering the values it has
    already checked and cleaned: a file repeats its article ids, names, label sets and
    sentence texts line after line, and an export's times are already in the stored form."""

    CACHED = 4096
    """Values remembered per kind, at most (the memory of a long import stays flat)."""

    def __init__(self) -> None:
        self._check_time = time_checker()
        self._ids: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._labels: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._text = ""
        """The last text found free of control characters (lines come sentence by sentence)."""

    def read(self, record: Mapping[str, Any], number: int) -> AnnotationInput:
        """The decision one annotty line holds, checked and cleaned.

        Raises:
            InputError: `line N: reason` for a field that is missing or not what it must be.
        """
        quick = self._quick(record, number)
        if quick is not None:
            return quick
        where = f"line {number}"

        def need(name: str, kind: type, description: str) -> Any:
            if name not in record:
                raise InputError(f'{where}: missing "{name}"')
            value = record[name]
            # bool is an int in Python, but `true` is no offset.
            if not isinstance(value, kind) or isinstance(value, bool):
                raise InputError(f'{where}: "{name}" is {json_type(value)}, not {description}')
            return value

        identity = _remembered(self._ids, need("article_id", str, "a string"), clean_line)
        start = need("start", int, "an integer")
        end = need("end", int, "an integer")
        text = need("text", str, "a string")
        labels = need("labels", list, "a list of label names")
        if not identity:
            raise InputError(f'{where}: empty "article_id"')
        if not 0 <= start < end:
            raise InputError(f'{where}: "start" and "end" must satisfy 0 <= start < end')
        # The text must match the stored sentence exactly, so it is checked, never cleaned.
        if text != self._text:
            if has_controls(text):
                raise InputError(f'{where}: "text" holds control characters or escape sequences')
            self._text = text
        if len(text) != end - start:
            raise InputError(f'{where}: "text" is {len(text)} characters but spans {end - start}')
        cleaned = self._label_names(labels)
        if cleaned is None:
            raise InputError(f'{where}: "labels" must be a list of non-empty strings')
        if "annotator" not in record:
            raise InputError(f'{where}: missing "annotator"')
        annotator = (
            self._names.get(record["annotator"]) if isinstance(record["annotator"], str) else None
        )
        if annotator is None:
            annotator = _checked(check_name, record["annotator"], where, "annotator")
            _remember(self._names, record["annotator"], annotator)
        if "updated_at" not in record:
            raise InputError(f'{where}: missing "updated_at"')
        updated_at = record["updated_at"]
        if updated_at is not None:
            updated_at = _checked(self._check_time, updated_at, where, '"updated_at"')
        ignored = record.get("ignored", False)
        if not isinstance(ignored, bool):
            raise InputError(f'{where}: "ignored" is {json_type(ignored)}, not true or false')
        if ignored and labels:
            raise InputError(f'{where}: an ignored sentence has no labels ("labels" must be [])')
        return AnnotationInput(
            line=number,
            article_id=identity,
            start=start,
            end=end,
            text=text,
            labels=cleaned,
            annotator=annotator,
            updated_at=updated_at,
            votes=_votes(record.get("votes"), where),
            ignored=ignored,
            note=_note(record.get("note"), where),
            origin=_origin(record.get("origin"), where),
        )

    def _quick(self, record: Mapping[str, Any], number: int) -> AnnotationInput | None:
        """The common line (every value already seen, or plainly right; no gold fields) read
        in a few lookups; None for anything else, which `read` checks field by field."""
        try:
            identity = self._ids[record["article_id"]]
            start, end, text = record["start"], record["end"], record["text"]
            labels = self._labels[tuple(record["labels"])]
            annotator = self._names[record["annotator"]]
            updated_at = record["updated_at"]
        except (KeyError, TypeError):  # a field missing, a value not seen, a list in a list
            return None
        ignored = record.get("ignored", False)
        origin = record.get("origin")
        if (
            type(start) is not int
            or type(end) is not int
            or not 0 <= start < end
            or type(text) is not str
            or len(text) != end - start
            or type(record["labels"]) is not list
            or not identity
            or (ignored is not False and (ignored is not True or labels))
            or (origin is not None and origin not in ORIGINS)
            or record.get("votes") is not None
            or record.get("note") is not None
        ):
            return None
        if text != self._text:
            if has_controls(text):
                return None
            self._text = text
        else:
            text = self._text  # one string for a sentence's lines: a batch holds less
        if updated_at is not None:
            try:
                updated_at = self._check_time(updated_at)
            except InputError:
                return None
        return AnnotationInput(
            number, identity, start, end, text, labels, annotator, updated_at, None, ignored,
            None, origin,
        )  # fmt: skip

    def _label_names(self, labels: list[Any]) -> tuple[str, ...] | None:
        """The cleaned label names, or None unless every one is a non-empty string."""
        if not all(isinstance(label, str) for label in labels):
            return None
        key = tuple(labels)
        cleaned = self._labels.get(key)
        if cleaned is None:
            cleaned = tuple(clean_line(label) for label in labels)
            if not all(cleaned):
                return None
            _remember(self._labels, key, cleaned)
        return cleaned


def _remembered(cache: dict[str, str], value: str, clean: Any) -> str:
    cleaned = cache.get(value)
    if cleaned is None:
        cleaned = clean(value)
        _remember(cache, value, cleaned)
    return cleaned


def _remember(cache: dict, key: Any, value: Any) -> None:
    if len(cache) >= LineReader.CACHED:
        cache.clear()
    cache[key] = value


def _checked(check: Any, value: object, where: str, what: str) -> str:
    try:
        return check(value, what)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None


def _note(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f'{where}: "note" is {json_type(value)}, not a string')
    note = clean_line(value)
    if len(note) > MAX_NOTE:
        raise InputError(f'{where}: "note" is {len(note)} characters long (at most {MAX_NOTE})')
    return note or None


def _origin(value: object, where: str) -> str | None:
    if value is None:
        return None
    if value not in ORIGINS:
        raise InputError(f'{where}: "origin" must be one of {", ".join(ORIGINS)}')
    assert isinstance(value, str)
    return value


def _votes(value: object, where: str) -> dict[str, list[str]] | None:
    """A gold line's votes: each annotator's labels."""
    if value is None:
        return None
    problem = f'{where}: "votes" must map annotator names to lists of label names'
    if not isinstance(value, dict):
        raise InputError(problem)
    votes: dict[str, list[str]] = {}
    for name, labels in value.items():
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise InputError(problem)
        cleaned = [clean_line(label) for label in labels]
        if not all(cleaned):
            raise InputError(problem)
        votes[_checked(check_name, name, where, "a voter's name")] = cleaned
    return votes


def json_type(value: object) -> str:
    """How a JSON value's type reads in a message: "a number", "null", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# --- writing lines fast --------------------------------------------------------------------------


class LineEncoder:
    """annotty's lines as bytes, exactly as `json.dumps(line, ensure_ascii=False)` of
    `write_lines`' dicts writes them (the same keys in the same order, `", "` and `": "` between
    them), each assembled from pieces encoded once: an article's head, a sentence's text and
    entities, a label set, a name. Strings are escaped by orjson, which escapes as `json` does
    without `ensure_ascii` (quote, backslash, the C0 controls, nothing else).

    Rows are those `export.export_annotty` reads: (the article's key, sentence index, start,
    end, text, actor, labels as stored, updated_at, ignored, origin or note).
    """

    def __init__(self, scheme: Sequence[str]) -> None:
        self.scheme = scheme
        self._labels: dict[str, bytes] = {}
        self._names: dict[str, bytes] = {}
        self._tails: dict[tuple[int, str | None], bytes] = {}
        self._entity_labels: dict[str, bytes] = {}

    def article(self, identity: str, title: str | None, source: str | None) -> bytes:
        """The line's start up to the sentence: `{"article_id": ..., "title": ..., "source": `."""
        return b"".join(
            (b'{"article_id": ', _dumps(identity), b', "title": ', _dumps(title),
             b', "source": ', _dumps(source), b', "sentence": ')
        )  # fmt: skip

    def entities(
        self, spans: Sequence[tuple[int, int]], rows: Iterable[tuple[int, int, str, str]]
    ) -> dict[tuple[int, int], bytes]:
        """Each sentence's `entities` list, encoded: the (start, end, label, text) rows lying
        wholly inside it, in the order given, offsets made relative to it.

        The same sweep as `model.entities_by_sentence` (sentences do not overlap: the only one
        that can hold an entity is the last starting at or before it), each entity encoded as
        it is placed.

        Args:
            spans: the sentences' (start, end), sorted by start and not overlapping.
            rows: entities in the same article, offsets in the article.
        """
        starts = [start for start, _ in spans]
        found: list[list[bytes]] = [[] for _ in spans]
        labels = self._entity_labels
        for start, end, label, text in rows:
            index = bisect_right(starts, start) - 1
            if index < 0 or end > spans[index][1]:
                continue
            offset = starts[index]
            encoded = labels.get(label)
            if encoded is None:
                encoded = labels[label] = b', "label": ' + _dumps(label) + b', "text": '
            found[index].append(
                b'{"start": %d, "end": %d%b%b}'
                % (start - offset, end - offset, encoded, _dumps(text))
            )
        return {
            span: b"[" + b", ".join(each) + b"]" for span, each in zip(spans, found, strict=True)
        }

    def lines(
        self,
        head: bytes,
        rows: Iterable[Sequence[Any]],
        entities: Mapping[tuple[int, int], bytes],
        votes: Mapping[tuple[int, int], dict[str, list[str]]] | None,
    ) -> Iterator[bytes]:
        """One article's lines (`entities` as `entities()` encodes them; `votes` given: gold
        lines, the last column their note)."""
        gold = votes is not None
        span: tuple[int, int] | None = None
        sentence = found = voted = b""
        names, tails, label_list = self._names, self._tails, self._label_list
        for _, idx, start, end, text, actor, labels, updated_at, ignored, extra in rows:
            if (start, end) != span:
                span = (start, end)
                sentence = b'%b%d, "start": %d, "end": %d, "text": %b, "labels": ' % (
                    head,
                    idx,
                    start,
                    end,
                    _dumps(text),
                )
                found = entities[span]
                if gold:
                    voted = b', "votes": ' + _vote_map(votes.get(span, {}))  # type: ignore[union-attr]
            name = names.get(actor)
            if name is None:
                name = names[actor] = b', "annotator": ' + _dumps(actor) + b', "updated_at": '
            if gold:
                tail = b"%b%b%b}\n" % (
                    b', "ignored": true' if ignored else b"",
                    voted,
                    b', "note": ' + _dumps(extra) if extra else b"",
                )
            else:
                tail = tails.get((ignored, extra))
                if tail is None:
                    tail = tails[ignored, extra] = b"%b%b}\n" % (
                        b', "ignored": true' if ignored else b"",
                        b', "origin": ' + _dumps(extra) if extra else b"",
                    )
            yield b'%b%b%b%b, "entities": %b%b' % (
                sentence, b"[]" if ignored else label_list(labels), name,
                _dumps(updated_at), found, tail,
            )  # fmt: skip

    def _label_list(self, stored: str) -> bytes:
        encoded = self._labels.get(stored)
        if encoded is None:
            chosen = in_scheme_order(json.loads(stored), self.scheme)
            encoded = self._labels[stored] = _list(chosen)
        return encoded


def _vote_map(votes: Mapping[str, Sequence[str]]) -> bytes:
    return b"{" + b", ".join(_dumps(k) + b": " + _list(v) for k, v in votes.items()) + b"}"


def _list(strings: Iterable[str]) -> bytes:
    return b"[" + b", ".join(_dumps(s) for s in strings) + b"]"


_dumps = orjson.dumps
"""A JSON scalar as `json.dumps(value, ensure_ascii=False)` writes it, in UTF-8 (strings read
from SQLite are valid UTF-8, so never hold the lone surrogates orjson refuses)."""
