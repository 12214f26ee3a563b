"""Handing out: a database of its own for one annotator, holding the articles assigned to them.

The new file is made by `Store.open` like any annotty database, then filled from the lead's: the
assigned articles exactly as analysed (ids, sentences and entities unchanged, so that a merge
lines the work up again), the label scheme with its display names, the patterns, the project's
settings and the annotator's own, and the annotator's assignment rows. Of the decisions, only
the annotator's own go out (with their undo history and where they were), unless
`with_decisions` asks for everyone's on those articles (the gold set's too).

The file is written beside its destination and renamed into place when complete, so a failed
hand-out leaves nothing half-made.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotations.errors import AnnottyError, StoreError
from annotations.settings import PROJECT, get_setting, set_setting
from annotations.store import Store

HANDED_OUT_TO = "handout.annotator"
"""Project setting of a hand-out database: the annotator it was written for."""


def handed_out_to(store: Store) -> str | None:
    """The annotator a hand-out database was written for (None: not a hand-out)."""
    return get_setting(store, PROJECT, HANDED_OUT_TO)


@dataclass(frozen=True)
class HandedOut:
    """What went into a hand-out database."""

    path: Path
    annotator: str
    articles: int
    sentences: int
    entities: int
    decisions: int
    """Decision rows (annotations and gold) copied."""


def handout(
    store: Store,
    annotator: str,
    path: Path | str,
    *,
    with_decisions: bool = False,
    force: bool = False,
) -> HandedOut:
    """Write a new database at `path` with what `annotator` needs to do their assignments.

    Args:
        store: the lead's database.
        annotator: whose assignments (a checked name).
        path: the new database file.
        with_decisions: also copy every other annotator's decisions (and gold) on those articles.
        force: replace a file already at `path` (never the lead's own database).

    Raises:
        AnnottyError: nothing is assigned to the annotator, or `path` exists (and not `force`),
            is the lead's database, or cannot be written.
    """
    path = Path(path).expanduser()
    if path.exists() and path.resolve() == store.path.resolve():
        raise StoreError(f"{path} is the database being handed out from")
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    if not path.parent.is_dir():
        raise StoreError(f"cannot create {path}: folder {path.parent} does not exist")
    if path.exists() and not force:
        raise StoreError(f"{path} already exists: choose another name, or --force to replace it")
    ids = [
        row[0]
        for row in store.conn.execute(
            "SELECT g.article_id FROM assignments g JOIN articles a ON a.id = g.article_id"
            " WHERE g.annotator = ? ORDER BY a.rowid",
            (annotator,),
        )
    ]
    if not ids:
        raise AnnottyError(f"nothing is assigned to {annotator}: run annotty assign first")
    partial = path.with_name(path.name + ".partial")
    _remove_database_files(partial)
    try:
        with Store.open(partial) as target:
            counts = _fill(store, target, annotator, ids, with_decisions)
        # Closing the last connection checkpointed the WAL: the file alone is the database.
        if force:
            _remove_database_files(path, keep_main=True)
        partial.replace(path)
    except BaseException:
        _remove_database_files(partial)
        raise
    return HandedOut(path, annotator, len(ids), *counts)


def _remove_database_files(path: Path, *, keep_main: bool = False) -> None:
    """Delete a database file and what SQLite keeps beside it (a stale WAL would be replayed
    into the file that replaces it)."""
    for suffix in ("-wal", "-shm", "-journal") + (() if keep_main else ("",)):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fill(
    store: Store, target: Store, annotator: str, ids: Sequence[str], with_decisions: bool
) -> tuple[int, int, int]:
    """Copy into `target`. Returns (sentences, entities, decisions) copied."""
    source = store.conn
    with store.write(), target.write():  # the lead's side for one consistent snapshot
        target.conn.execute("DELETE FROM labels")  # the new file's default scheme
        _copy(source, target.conn, "labels", "1", ())
        _copy(source, target.conn, "patterns", "1", ())
        _copy(source, target.conn, "settings", "scope IN (?, ?)", (PROJECT, annotator))
        _copy(source, target.conn, "models", "annotator = ?", (annotator,))
        set_setting(target, PROJECT, HANDED_OUT_TO, annotator)
        copied = {"sentences": 0, "entities": 0, "annotations": 0, "gold": 0}
        theirs = "article_id = ? AND annotator = ?"
        for identity in ids:
            article, own = (identity,), (identity, annotator)
            parts = [
                ("articles", "id = ?", article),
                ("sentences", "article_id = ?", article),
                ("entities", "article_id = ?", article),
                ("assignments", theirs, own),
                ("annotations", "article_id = ?", article) if with_decisions
                else ("annotations", theirs, own),
                # The annotator's own undo history and place, to carry on where they were.
                ("history", "article_id = ? AND layer = 'annotation' AND actor = ?", own),
                ("positions", theirs, own),
            ]  # fmt: skip
            if with_decisions:
                parts.append(("gold", "article_id = ?", article))
            for table, where, params in parts:
                count = _copy(source, target.conn, table, where, params)
                if table in copied:
                    copied[table] += count
    decisions = copied["annotations"] + copied["gold"]
    return copied["sentences"], copied["entities"], decisions


def _copy(
    source: sqlite3.Connection,
    target: sqlite3.Connection,
    table: str,
    where: str,
    params: tuple,
) -> int:
    """Copy the rows of `table` matching `where`, every column as it is. Returns how many.

    Both databases have this annotty's schema (the target was just created by it, the source
    was opened by it), so the columns are the same.
    """
    cursor = source.execute(f"SELECT * FROM {table} WHERE {where}", params)
    columns = ", ".join(f'"{d[0]}"' for d in cursor.description)
    marks = ", ".join("?" * len(cursor.description))
    rows = cursor.fetchall()
    target.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    return len(rows)
