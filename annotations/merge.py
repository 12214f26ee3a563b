"""Bringing work together: merging other annotty databases, and importing exported annotations.

Articles are matched by id (a hash of their text) and decisions by sentence span, so work done on
different machines lines up. When the same annotator decided the same sentence in both places,
the later `updated_at` wins (for the same time, a fixed order of the content decides, so merges
in any order end alike); the earlier is counted as a conflict, never silently mixed in.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from annotations.decisions import ANNOTATIONS, GOLD, Decisions, Layer, end_history, write_decision
from annotations.errors import SchemeError, StoreError
from annotations.model import Decision
from annotations.scheme import get_labels
from annotations.store import APPLICATION_ID, SCHEMA_VERSION, Store

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


def offer(store: Store, layer: Layer, key: Key, incoming: Decision, counts: MergeCounts) -> None:
    """Write `incoming` unless this database holds a decision for the same key that comes later.

    "Later" is a total order, so that merging the same decisions in any order, any number of
    times, ends in the same database: the later `updated_at` first, then, for the same time, the
    greater content (labels, decided, ignored, note, source, and the gold reviewer). A decision
    written here ends the undo history of its sentence on that layer (whole steps): an undo
    must not put back a state from before work that came from elsewhere.
    """
    article_id, start, end, actor = key
    with store.write():
        mine, mine_actor = _current(store, layer, key)
        if mine is not None:
            differs = _content(mine, mine_actor) != _content(incoming, actor)
            counts.conflicts += differs
            if _order(mine, mine_actor) >= _order(incoming, actor):
                counts.kept += 1
                return
            counts.updated += 1
        else:
            counts.added += 1
        write_decision(store, layer, actor, article_id, (start, end), incoming)
        end_history(store, layer, article_id, [(start, end)], actor)


_offer = offer  # the name foreign_import.py imports


def _current(store: Store, layer: Layer, key: Key) -> tuple[Decision | None, str]:
    """This database's decision for a key, and whose it is (gold: the reviewer who made it)."""
    article_id, start, end, actor = key
    if layer is GOLD:
        reviewer = store.value(
            'SELECT reviewer FROM gold WHERE article_id = ? AND start = ? AND "end" = ?',
            (article_id, start, end),
        )
        if reviewer is None:
            return None, actor
        actor = str(reviewer)
    mine = Decisions(store, layer, actor, ()).get(article_id, (start, end))
    return (None if mine.updated_at is None else mine), actor


def _content(decision: Decision, actor: str) -> str:
    return json.dumps(
        [list(decision.labels), decision.decided, decision.ignored, decision.note or "",
         decision.source or "", actor],
        ensure_ascii=False,
    )  # fmt: skip


def _order(decision: Decision, actor: str) -> tuple[str, str]:
    return (decision.updated_at or "", _content(decision, actor))


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
        # An ignored sentence must stay ignored (not become "no label"); keep how it was made.
        + (", note, ignored, NULL" if layer is GOLD else ", NULL, ignored, source")
        + f" FROM {layer.table}"
    )
    for article_id, start, end, actor, labels, decided, updated_at, *rest in rows:
        note, ignored, source = rest
        known = store.conn.execute(
            'SELECT 1 FROM sentences WHERE article_id = ? AND start = ? AND "end" = ?',
            (article_id, start, end),
        ).fetchone()
        if not known:
            counts.unmatched += 1
            continue
        decision = Decision(
            tuple(json.loads(labels)), bool(decided), updated_at, note, bool(ignored), source
        )
        offer(store, layer, (article_id, start, end, actor), decision, counts)
