"""Bringing work together: merging other annotty databases, and importing exported annotations.

Articles are matched by id (a hash of their text) and decisions by sentence span, so work done on
different machines lines up. When the same annotator decided the same sentence in both places,
the later `updated_at` wins; the earlier is counted as a conflict, never silently mixed in.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from annotations.decisions import ANNOTATIONS, GOLD, Decisions, Layer, write_decision
from annotations.errors import InputError, SchemeError, StoreError
from annotations.model import AnnotationInput, Decision
from annotations.scheme import get_labels, in_scheme_order
from annotations.store import APPLICATION_ID, SCHEMA_VERSION, Store, utc_now

Key = tuple[str, int, int, str]


@dataclass
class MergeCounts:
    """What a merge or an annotation import did."""

    articles_added: int = 0
    articles_known: int = 0
    added: int = 0
    """Decisions new to this database."""
    updated: int = 0
    """Decisions replaced by a later one."""
    kept: int = 0
    """Decisions where this database's was the later (or the same)."""
    conflicts: int = 0
    """Sentences both sides decided differently (the later was kept)."""
    unmatched: int = 0
    """Decisions on a sentence span this database's analysis does not have."""


def _offer(store: Store, layer: Layer, key: Key, incoming: Decision, counts: MergeCounts) -> None:
    """Write `incoming` unless this database holds a later decision for the same key."""
    article_id, start, end, actor = key
    mine = Decisions(store, layer, actor, ()).get(article_id, (start, end))
    if mine.updated_at is not None and incoming.updated_at is not None:
        differs = (mine.labels, mine.decided) != (incoming.labels, incoming.decided)
        counts.conflicts += differs
        if mine.updated_at >= incoming.updated_at:
            counts.kept += 1
            return
        counts.updated += 1
    else:
        counts.added += 1
    write_decision(store, layer, actor, article_id, (start, end), incoming)


def import_annotations(store: Store, lines: Sequence[AnnotationInput]) -> int:
    """Write annotation (and gold) lines of an annotty export. Call inside `store.write()`.

    Every line is checked before anything is written: its article and sentence must be in the
    database, its text must equal the stored sentence, its labels must be in the scheme.

    Returns:
        How many decisions were added or updated.

    Raises:
        InputError: `line N: ...` for the first line that does not fit.
    """
    scheme = get_labels(store)
    sentences: dict[str, dict[tuple[int, int], str]] = {}
    for line in lines:
        if line.article_id not in sentences:
            rows = store.conn.execute(
                'SELECT start, "end", text FROM sentences WHERE article_id = ?', (line.article_id,)
            ).fetchall()
            if not rows:
                raise InputError(
                    f"line {line.line}: no article {line.article_id!r} in the database"
                )
            sentences[line.article_id] = {(start, end): text for start, end, text in rows}
        stored = sentences[line.article_id].get((line.start, line.end))
        if stored is None:
            raise InputError(
                f"line {line.line}: article {line.article_id} has no sentence at"
                f" {line.start}-{line.end}"
            )
        if stored != line.text:
            raise InputError(
                f"line {line.line}: text does not match sentence {line.start}-{line.end}"
                f" of article {line.article_id}"
            )
        labels = set(line.labels) | {name for vote in (line.votes or {}).values() for name in vote}
        unknown = sorted(labels - set(scheme))
        if unknown:
            raise InputError(
                f"line {line.line}: label {unknown[0]!r} is not in the scheme ({', '.join(scheme)})"
            )
    counts = MergeCounts()
    for line in lines:
        layer = GOLD if line.votes is not None else ANNOTATIONS
        decision = Decision(
            in_scheme_order(line.labels, scheme),
            True,
            line.updated_at or utc_now(),
            ignored=line.ignored,
        )
        key = (line.article_id, line.start, line.end, line.annotator)
        _offer(store, layer, key, decision, counts)
    return counts.added + counts.updated


def _open_other(path: Path, store: Store) -> sqlite3.Connection:
    """Open another annotty database read-only, after checking it is one we can read."""
    if not path.is_file():
        raise StoreError(f"no such database: {path}")
    if path.resolve() == store.path.resolve():
        raise StoreError(f"{path} is the database being merged into")
    uri = f"file:{quote(os.fspath(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError:
        raise StoreError(f"{path} is not an annotty database") from None
    if application_id != APPLICATION_ID:
        conn.close()
        raise StoreError(f"{path} is not an annotty database")
    if version != SCHEMA_VERSION:
        conn.close()
        newer = version > SCHEMA_VERSION
        raise StoreError(
            f"{path} has schema {version}, this annotty {SCHEMA_VERSION}: "
            + ("upgrade annotty" if newer else f"open it once with this annotty ({path} stats)")
        )
    return conn


def _check_schemes(mine: list[str], theirs: list[str], path: Path) -> None:
    if mine == theirs:
        return
    only_theirs = [name for name in theirs if name not in mine]
    only_mine = [name for name in mine if name not in theirs]
    if only_theirs:
        raise SchemeError(
            f"label schemes differ: {path} has {', '.join(only_theirs)}, this database does not"
        )
    if only_mine:
        raise SchemeError(
            f"label schemes differ: this database has {', '.join(only_mine)}, {path} does not"
        )
    raise SchemeError(
        f"label schemes differ in order: {', '.join(theirs)} in {path}, {', '.join(mine)} here"
    )


def merge_database(store: Store, path: Path) -> MergeCounts:
    """Copy another annotty database's articles, analyses and decisions into this one.

    Raises:
        StoreError: the other file is not an annotty database this annotty can read.
        SchemeError: the label schemes differ (nothing is merged).
    """
    other = _open_other(path, store)
    try:
        theirs = [row[0] for row in other.execute("SELECT name FROM labels ORDER BY position")]
        _check_schemes(get_labels(store), theirs, path)
        counts = MergeCounts()
        with store.write():
            _copy_articles(store, other, counts)
            _merge_layer(store, other, ANNOTATIONS, counts)
            _merge_layer(store, other, GOLD, counts)
        return counts
    finally:
        other.close()


_ARTICLE_COLUMNS = "id, title, source, text, meta, imported_at, pipeline, sentence_count"


def _copy_articles(store: Store, other: sqlite3.Connection, counts: MergeCounts) -> None:
    conn = store.conn
    for row in other.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY rowid"):
        if conn.execute("SELECT 1 FROM articles WHERE id = ?", (row[0],)).fetchone():
            counts.articles_known += 1
            continue
        counts.articles_added += 1
        conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row
        )
        conn.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
            other.execute(
                'SELECT article_id, idx, start, "end", text FROM sentences WHERE article_id = ?',
                (row[0],),
            ),
        )
        conn.executemany(
            'INSERT INTO entities (article_id, start, "end", label, text) VALUES (?, ?, ?, ?, ?)',
            other.execute(
                'SELECT article_id, start, "end", label, text FROM entities WHERE article_id = ?',
                (row[0],),
            ),
        )


def _merge_layer(
    store: Store, other: sqlite3.Connection, layer: Layer, counts: MergeCounts
) -> None:
    rows = other.execute(
        f'SELECT article_id, start, "end", {layer.actor_column}, labels, decided, updated_at'
        + (", note" if layer is GOLD else ", NULL")
        + f" FROM {layer.table}"
    )
    for article_id, start, end, actor, labels, decided, updated_at, note in rows:
        known = store.conn.execute(
            'SELECT 1 FROM sentences WHERE article_id = ? AND start = ? AND "end" = ?',
            (article_id, start, end),
        ).fetchone()
        if not known:
            counts.unmatched += 1
            continue
        decision = Decision(tuple(json.loads(labels)), bool(decided), updated_at, note)
        _offer(store, layer, (article_id, start, end, actor), decision, counts)
