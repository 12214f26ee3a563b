"""Another annotty database, read for a merge: every row checked before annotty uses it.

A database to merge is a file from someone else's machine. It could have been damaged, edited by
hand or crafted, and what it holds goes straight into the team's database, where every command and
screen trusts it. So every row read here must look exactly as annotty would have written it:
column types, an article's id against the hash of its text, each sentence and entity against the
text at its span, labels against the scheme, clean names and titles within their bounds, times
well formed and not in the future. The first row that does not is an error naming it, and the
merge writes nothing (see merge.py): one damaged row says the file cannot be trusted, and half a
colleague's work merged without a word would be worse than none.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotations.dbfile import is_interrupted
from annotations.decisions import GOLD, Layer
from annotations.errors import InputError, StoreError
from annotations.limits import (
    EARLIEST,
    FUTURE_TOLERANCE,
    MAX_LABEL,
    MAX_NAME,
    MAX_NOTE,
    MAX_SOURCE,
    MAX_TITLE,
    check_time,
)
from annotations.model import Decision
from annotations.text import (
    article_id,
    clean_line,
    clean_meta,
    clean_text,
    clean_text_line,
    printable,
)

DECISION_SOURCES = frozenset({"typed", "suggested", "pattern"})
"""The values of `annotations.source` (None too: decisions from before it was recorded)."""
ARTICLE_COLUMNS = "id, title, source, text, meta, imported_at, pipeline, sentence_count, language"


class BadRow(Exception):
    """A value that annotty would never have written."""


@dataclass
class OtherArticle:
    """An article of the other database, checked, with its analysis."""

    row: tuple[Any, ...]
    """The values of ARTICLE_COLUMNS, `sentence_count` recomputed."""
    sentences: list[tuple[int, int, int, str]]
    """(idx, start, end, text) in order."""
    entities: list[tuple[int, int, str, str]]
    """(start, end, label, text)."""

    @property
    def id(self) -> str:
        return str(self.row[0])


class MergeSource:
    """The rows of another annotty database, checked one by one as they are read."""

    def __init__(self, conn: sqlite3.Connection, path: Path, scheme: Sequence[str]) -> None:
        self.conn = conn
        self.path = path
        self.scheme = list(scheme)
        self.article_ids: set[str] = set()
        """The ids of the articles read so far (decisions may only refer to these)."""
        # Names and label sets repeat on every row: each distinct value is checked once.
        self._good_names: set[tuple[str, str]] = set()
        self._good_labels: dict[str, tuple[str, ...]] = {}
        self._good_entity_labels: set[str] = set()
        self._latest = _format_time(datetime.now(UTC).replace(tzinfo=None) + FUTURE_TOLERANCE)

    def labels(self) -> list[str]:
        """The other database's label scheme, in key order."""
        query = "SELECT name FROM labels ORDER BY position"
        names = [row[0] for row in self._rows("labels", query)]
        for position, name in enumerate(names, start=1):
            self._check(f"label {position}", lambda name=name: _name(name, "its name", MAX_LABEL))
        return names

    def articles(self) -> Iterator[OtherArticle]:
        """Every article, in the other database's library order, checked with its analysis."""
        query = f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY rowid"
        for number, row in enumerate(self._rows("articles", query), start=1):
            where = f"article {number}"
            article = self._check(where, lambda row=row: self._article(row))
            self.article_ids.add(article.id)
            yield article

    def decisions(self, layer: Layer) -> Iterator[tuple[tuple[str, int, int, str], Decision]]:
        """Every decision of a layer (annotations or gold), checked: (key, decision)."""
        extra = "note, ignored, NULL" if layer is GOLD else "NULL, ignored, source"
        query = (
            f'SELECT article_id, start, "end", {layer.actor_column}, labels, decided,'
            f" updated_at, {extra} FROM {layer.table} ORDER BY rowid"
        )
        for number, row in enumerate(self._rows(layer.table, query), start=1):
            where = f"{layer.table} row {number}"
            yield self._check(where, lambda row=row: self._decision(row, layer))

    def _rows(self, table: str, query: str) -> Iterator[tuple[Any, ...]]:
        try:
            yield from self.conn.execute(query)
        except sqlite3.Error as error:
            raise self._refusal(f"reading its {table}", error) from None

    def _check(self, where: str, read: Any) -> Any:
        try:
            return read()
        except (BadRow, InputError) as problem:
            raise StoreError(
                f"cannot merge {printable(self.path)}: {where}: {problem}; nothing was merged"
            ) from None
        except sqlite3.Error as error:
            raise self._refusal(where, error) from None

    def _refusal(self, where: str, error: sqlite3.Error) -> StoreError:
        if is_interrupted(error):
            problem = "gave up (far more work than a database of its size needs)"
        else:
            problem = printable(str(error))
        return StoreError(f"cannot merge {printable(self.path)}: {where}: {problem}")

    def _article(self, row: tuple[Any, ...]) -> OtherArticle:
        identity, title, source, text, meta, imported_at, pipeline, _, language = row
        if not isinstance(text, str) or not text or clean_text(text) != text:
            raise BadRow("its text is not normalised text (control or invisible characters)")
        if identity != article_id(text):
            raise BadRow(f"id {printable(identity)!r} is not the hash of its text")
        _optional(title, "title", MAX_TITLE, clean=clean_text_line)
        _optional(source, "source", MAX_SOURCE)
        _optional(pipeline, "pipeline", 200)
        _optional(language, "language", 35)
        if meta is not None:
            value = _json(meta, "meta")
            if not isinstance(value, dict) or clean_meta(value) != value:
                raise BadRow("meta is not a JSON object of clean values")
        _time(imported_at, "imported_at", self._latest)
        sentences = self._sentences(identity, text)
        entities = self._entities(identity, text)
        values = (identity, title, source, text, meta, imported_at, pipeline, len(sentences))
        return OtherArticle((*values, language), sentences, entities)

    def _sentences(self, identity: str, text: str) -> list[tuple[int, int, int, str]]:
        query = 'SELECT idx, start, "end", text FROM sentences WHERE article_id = ? ORDER BY idx'
        sentences = []
        previous_end = 0
        for position, (idx, start, end, span_text) in enumerate(
            self.conn.execute(query, (identity,))
        ):
            if idx != position or type(idx) is not int:
                raise BadRow(f"sentence {printable(idx)} is out of order (expected {position})")
            _span(start, end, span_text, text, "sentence")
            if start < previous_end:
                raise BadRow(f"sentence {idx} overlaps the sentence before it")
            previous_end = end
            sentences.append((idx, start, end, span_text))
        return sentences

    def _entities(self, identity: str, text: str) -> list[tuple[int, int, str, str]]:
        query = 'SELECT start, "end", label, text FROM entities WHERE article_id = ?'
        entities = []
        for start, end, label, span_text in self.conn.execute(query, (identity,)):
            _span(start, end, span_text, text, "entity")
            if label not in self._good_entity_labels:
                _name(label, f"entity at {start}-{end}: label", MAX_LABEL)
                self._good_entity_labels.add(label)
            entities.append((start, end, label, span_text))
        return entities

    def _decision(
        self, row: tuple[Any, ...], layer: Layer
    ) -> tuple[tuple[str, int, int, str], Decision]:
        identity, start, end, actor, labels, decided, updated_at, note, ignored, source = row
        if identity not in self.article_ids:
            raise BadRow(f"article {printable(identity)!r} is not in the database")
        if type(start) is not int or type(end) is not int or not 0 <= start < end:
            raise BadRow(f"span {printable(start)}-{printable(end)} is not a span of text")
        if (actor, layer.actor_column) not in self._good_names:
            _name(actor, layer.actor_column, MAX_NAME)
            self._good_names.add((actor, layer.actor_column))
        names = self._labels(labels)
        _flag(decided, "decided")
        _flag(ignored, "ignored")
        if ignored and names:
            raise BadRow("an ignored sentence has labels")
        _time(updated_at, "updated_at", self._latest)
        _optional(note, "note", MAX_NOTE)
        if source is not None and source not in DECISION_SOURCES:
            raise BadRow(f"source {printable(source)!r} is not one annotty writes")
        decision = Decision(names, bool(decided), updated_at, note, bool(ignored), source)
        return (identity, start, end, actor), decision

    def _labels(self, value: Any) -> tuple[str, ...]:
        """A decision's `labels` column read and checked (each distinct value once)."""
        if isinstance(value, str) and value in self._good_labels:
            return self._good_labels[value]
        names = _json(value, "labels")
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise BadRow("labels are not a JSON list of label names")
        unknown = [name for name in names if name not in self.scheme]
        if unknown:
            raise BadRow(f"label {printable(unknown[0])!r} is not in the scheme")
        if len(set(names)) != len(names):
            raise BadRow("a label appears twice")
        self._good_labels[value] = tuple(names)
        return tuple(names)


def _span(start: Any, end: Any, span_text: Any, text: str, kind: str) -> None:
    if type(start) is not int or type(end) is not int:
        problem = "offsets are not integers"
    elif not 0 <= start < end <= len(text):
        problem = "offsets are outside the text or reversed"
    elif span_text != text[start:end]:
        problem = "its text is not the article's text at its offsets"
    else:
        return
    raise BadRow(f"{kind} at {printable(start)}-{printable(end)}: {problem}")


def _name(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BadRow(f"{what} is not text")
    if not value or clean_line(value) != value:
        raise BadRow(f"{what} is empty or holds control or invisible characters")
    if len(value) > limit:
        raise BadRow(f"{what} is {len(value)} characters long (at most {limit})")
    return value


def _optional(value: Any, what: str, limit: int, clean: Any = clean_line) -> None:
    if value is None:
        return
    if not isinstance(value, str) or clean(value) != value:
        raise BadRow(f"{what} is not clean one-line text")
    if len(value) > limit:
        raise BadRow(f"{what} is {len(value)} characters long (at most {limit})")


def _flag(value: Any, what: str) -> None:
    if type(value) is not int or value not in (0, 1):
        raise BadRow(f"{what} is {printable(repr(value))[:20]}, not 0 or 1")


_ANNOTTY_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_EARLIEST = EARLIEST.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time(value: Any, what: str, latest: str) -> None:
    """A time as annotty writes it, within limits.check_time's bounds.

    Times are compared as text ("the later wins"), so only annotty's own form will do; in that
    form text order is time order, so the bounds are compared as text too (fast, for the
    hundreds of thousands of decisions of a large merge).
    """
    if isinstance(value, str) and _ANNOTTY_TIME.fullmatch(value):
        try:
            datetime.fromisoformat(value[:-1])  # a real date: no 2024-13-45
        except ValueError:
            pass
        else:
            if _EARLIEST <= value <= latest:
                return
    if check_time(value, what) != value:  # the reason, as limits words it
        raise BadRow(f"{what} is not a time as annotty writes it")


def _json(value: Any, what: str) -> Any:
    if not isinstance(value, str):
        raise BadRow(f"{what} is not JSON text")
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        raise BadRow(f"{what} is not valid JSON") from None
