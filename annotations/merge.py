"""Bringing work together: merging other annotty databases, and importing exported annotations.

Articles are matched by id (a hash of their text) and decisions by sentence span, so work done on
different machines lines up. When the same annotator decided the same sentence in both places,
the later `updated_at` wins (for the same time, a fixed order of the content decides, so merges
in any order end alike); the earlier is counted as a conflict, never silently mixed in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from annotations.dbfile import open_foreign, read_header
from annotations.decisions import ANNOTATIONS, GOLD, Decisions, Layer, end_history, write_decision
from annotations.errors import SchemeError, StoreError
from annotations.merge_source import ARTICLE_COLUMNS, MergeSource, OtherArticle
from annotations.model import Decision
from annotations.scheme import get_labels
from annotations.store import APPLICATION_ID, SCHEMA_VERSION, Store
from annotations.text import printable

Key = tuple[str, int, int, str]
T = TypeVar("T")


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
    greater content (labels as a set, decided, ignored, note, source, and the gold reviewer;
    labels as a set, because a stored row keeps the label order of its scheme). A decision
    written here ends the undo history of its sentence on that layer (whole steps): an undo
    must not put back a state from before work that came from elsewhere.
    """
    article_id, start, end, actor = key
    with store.write():
        mine, mine_actor = _current(store, layer, key)
        if mine is not None:
            differs = content_order(mine, mine_actor) != content_order(incoming, actor)
            counts.conflicts += differs
            if not comes_later(incoming, actor, mine, mine_actor):
                counts.kept += 1
                return
            counts.updated += 1
        else:
            counts.added += 1
        write_decision(store, layer, actor, article_id, (start, end), incoming)
        end_history(store, layer, article_id, [(start, end)], actor)


def comes_later(incoming: Decision, actor: str, mine: Decision, mine_actor: str) -> bool:
    """Whether `incoming` (by `actor`) comes after `mine` in `offer`'s order: the later
    `updated_at`, then, for the same time, the greater content. Content is only compared
    (and so only serialised) when the times are equal."""
    theirs, ours = incoming.updated_at or "", mine.updated_at or ""
    if theirs != ours:
        return theirs > ours
    return content_order(incoming, actor) > content_order(mine, mine_actor)


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


def content_order(decision: Decision, actor: str) -> str:
    """What `comes_later` compares for decisions made at the same time: the content (labels as
    a set, decided, ignored, note, source, and whose it is) as one string."""
    return json.dumps(
        [sorted(decision.labels), decision.decided, decision.ignored, decision.note or "",
         decision.source or "", actor],
        ensure_ascii=False,
    )  # fmt: skip


def _open_other(path: Path, store: Store) -> sqlite3.Connection:
    """Open another annotty database read-only, after checking it is one we can read."""
    try:
        same = path.resolve() == store.path.resolve()
    except (OSError, RuntimeError):
        same = False
    if same:
        raise StoreError(f"{printable(path)} is the database being merged into")
    try:
        exists = path.exists()
    except OSError:
        exists = False
    if not exists:
        raise StoreError(f"no such database: {printable(path)}")
    header = read_header(path)  # one line of its own: not SQLite, truncated, unreadable
    if header.application_id != APPLICATION_ID:
        raise StoreError(f"{printable(path)} is not an annotty database")
    if header.user_version != SCHEMA_VERSION:
        newer = header.user_version > SCHEMA_VERSION
        raise StoreError(
            f"{printable(path)} has schema {header.user_version}, this annotty {SCHEMA_VERSION}: "
            + (
                "upgrade annotty"
                if newer
                else f"open it once with this annotty (annotty --db {printable(path)} stats)"
            )
        )
    conn, _ = open_foreign(path)
    return conn


def _check_schemes(mine: list[str], theirs: list[str], path: Path) -> None:
    if mine == theirs:
        return
    shown = printable(path)
    only_theirs = [name for name in theirs if name not in mine]
    only_mine = [name for name in mine if name not in theirs]
    if only_theirs:
        raise SchemeError(
            f"label schemes differ: {shown} has {', '.join(only_theirs)}, this database does not"
        )
    if only_mine:
        raise SchemeError(
            f"label schemes differ: this database has {', '.join(only_mine)}, {shown} does not"
        )
    raise SchemeError(
        f"label schemes differ in order: {', '.join(theirs)} in {shown}, {', '.join(mine)} here"
    )


def merge_database(
    store: Store,
    path: Path,
    tick: Callable[[int], None] | None = None,
    *,
    sized: Callable[[int], None] | None = None,
) -> MergeCounts:
    """Copy another annotty database's articles, analyses and decisions into this one.

    Every row of the other database is checked first (merge_source.py), without holding this
    database's write lock; only when all of them pass is anything written, in one transaction.
    The other file is opened read-only and nothing is created beside it (dbfile.py).

    Raises:
        StoreError: the other file is not an annotty database this annotty can read, or a row
            of it is not what annotty writes (the message names the first); nothing is merged.
        SchemeError: the label schemes differ (nothing is merged).

    For a progress bar: `sized`, if given, is told once how many rows will be read (each
    article and decision is read twice: to check it, then to copy it), and `tick` is called
    with 1 for each row read.
    """
    other = _open_other(path, store)
    try:
        scheme = get_labels(store)
        _check_schemes(scheme, MergeSource(other, path, scheme).labels(), path)
        if sized is not None:
            sized(2 * _rows(other, path))
        # First pass: read and check everything; the second reads again and writes.
        checking = MergeSource(other, path, scheme)
        for _ in _ticking(checking.articles(), tick):
            pass
        for layer in (ANNOTATIONS, GOLD):
            for _ in _ticking(checking.decisions(layer), tick):
                pass
        counts = MergeCounts()
        source = MergeSource(other, path, scheme)
        with store.write():
            _copy_articles(store, _ticking(source.articles(), tick), counts)
            for layer in (ANNOTATIONS, GOLD):
                _merge_layer(store, _ticking(source.decisions(layer), tick), layer, counts)
        return counts
    finally:
        other.close()


def _rows(other: sqlite3.Connection, path: Path) -> int:
    """How many articles and decisions the other database holds."""
    try:
        return sum(
            other.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", ANNOTATIONS.table, GOLD.table)
        )
    except sqlite3.Error as error:
        raise StoreError(f"cannot merge {printable(path)}: {error}") from None


def _ticking(items: Iterable[T], tick: Callable[[int], None] | None) -> Iterator[T]:
    """The items, with `tick(1)` after each."""
    if tick is None:
        yield from items
        return
    for item in items:
        yield item
        tick(1)


def _copy_articles(store: Store, articles: Iterable[OtherArticle], counts: MergeCounts) -> None:
    conn = store.conn
    for article in articles:
        if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article.id,)).fetchone():
            counts.articles_known += 1
            continue
        counts.articles_added += 1
        conn.execute(
            f"INSERT INTO articles ({ARTICLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            article.row,
        )
        conn.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
            [(article.id, *sentence) for sentence in article.sentences],
        )
        conn.executemany(
            'INSERT OR IGNORE INTO entities (article_id, start, "end", label, text)'
            " VALUES (?, ?, ?, ?, ?)",
            [(article.id, *entity) for entity in article.entities],
        )


def _merge_layer(
    store: Store, decisions: Iterable[tuple[Key, Decision]], layer: Layer, counts: MergeCounts
) -> None:
    for key, decision in decisions:
        article_id, start, end, _ = key
        known = store.conn.execute(
            'SELECT 1 FROM sentences WHERE article_id = ? AND start = ? AND "end" = ?',
            (article_id, start, end),
        ).fetchone()
        if not known:
            counts.unmatched += 1
            continue
        offer(store, layer, key, decision, counts)
