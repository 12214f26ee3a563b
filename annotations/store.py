"""The SQLite database: where it is, opening it safely, its schema and migrations, transactions.

Everything annotty knows lives in one SQLite file the user owns. It is opened in WAL mode with
`synchronous=FULL`, so each committed change survives the process being killed (and the machine
losing power).

Transactions are explicit. The connection is in autocommit mode (`isolation_level=None`): Python
never opens a transaction behind our back, so a statement outside `Store.write()` is committed at
once and no call can leave a transaction open for later "committed" changes to join silently.
Every core function that writes opens `store.write()` itself; nested uses are savepoints of the
outer transaction. The outer one takes the write lock up front with `BEGIN IMMEDIATE`, because a
deferred transaction that reads and then writes fails with "database is locked" against another
writer whatever the busy timeout.

Waiting for another program's lock happens in one place, `Store.write()`: it retries `BEGIN
IMMEDIATE` for up to `lock_wait` seconds, telling `on_wait` once when it starts waiting (the
command line prints a line, the app shows "waiting for the database…"), and then raises
`DatabaseLocked`, having changed nothing. Readers never wait for writers (WAL), and opening a
database whose schema is current does not write, so commands that only read never take the lock.

A file that is not an annotty database, or one written by a newer annotty, is refused before
anything is written to it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from annotations.errors import DatabaseLocked, StoreError
from annotations.text import clean_line, clean_text_line, printable

if TYPE_CHECKING:
    from sqlite_utils import Database

APPLICATION_ID = 0x414E4E54
"""`PRAGMA application_id` of every annotty database ("ANNT"): how a file is known as ours."""
BUSY_TIMEOUT_MS = 10_000
"""SQLite's own wait for a lock on any statement other than a writer's `BEGIN IMMEDIATE` (rare in
WAL mode: a reader only waits while another connection recovers the log)."""
LOCK_SLICE_MS = 250
"""How long each attempt at `BEGIN IMMEDIATE` waits inside SQLite before `write()` looks at the
clock again: also how soon `on_wait` is told that another program holds the lock."""
LOCK_WAIT = 60.0
"""Seconds a writer waits for another program's lock before giving up with DatabaseLocked."""


def default_db_path() -> Path:
    """Where the database lives when neither `--db` nor `ANNOTTY_DB` says."""
    from platformdirs import user_data_path

    return user_data_path("annotty", appauthor=False) / "annotty.db"


_clock_lock = threading.Lock()
_last_time: datetime | None = None


def utc_now() -> str:
    """The current time as ISO-8601 UTC with microseconds, e.g. `2026-11-24T18:05:02.123456Z`.

    Strictly increasing within a process, so that "the later change wins" is well defined even
    for two changes in the same microsecond. The fixed format sorts as text in time order.
    """
    global _last_time
    with _clock_lock:
        now = datetime.now(UTC)
        if _last_time is not None and now <= _last_time:
            now = _last_time + timedelta(microseconds=1)
        _last_time = now
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Each migration brings the schema from version N to N+1; `user_version` is N. Statements run one
# by one inside the migration's transaction (executescript would commit half-way).
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            title TEXT,
            source TEXT,
            text TEXT NOT NULL,
            meta TEXT,
            imported_at TEXT NOT NULL,
            pipeline TEXT,
            sentence_count INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE sentences (
            article_id TEXT NOT NULL REFERENCES articles(id),
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (article_id, idx)
        )""",
        'CREATE UNIQUE INDEX sentences_span ON sentences(article_id, start, "end")',
        """CREATE TABLE entities (
            article_id TEXT NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (article_id, start, "end", label)
        )""",
        """CREATE TABLE labels (
            position INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        )""",
        """CREATE TABLE annotations (
            article_id TEXT NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            annotator TEXT NOT NULL,
            labels TEXT NOT NULL DEFAULT '[]',
            decided INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (article_id, start, "end", annotator)
        )""",
        "CREATE INDEX annotations_by_annotator ON annotations(annotator, article_id)",
        """CREATE TABLE gold (
            article_id TEXT NOT NULL REFERENCES articles(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            reviewer TEXT NOT NULL,
            labels TEXT NOT NULL DEFAULT '[]',
            decided INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL,
            note TEXT,
            PRIMARY KEY (article_id, start, "end")
        )""",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            layer TEXT NOT NULL,
            actor TEXT NOT NULL,
            article_id TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            step INTEGER NOT NULL,
            before TEXT NOT NULL,
            after TEXT NOT NULL,
            at TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX history_by_actor ON history(layer, actor, article_id, step)",
        """CREATE TABLE positions (
            annotator TEXT NOT NULL,
            screen TEXT NOT NULL,
            article_id TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (annotator, screen, article_id)
        )""",
        "INSERT INTO labels (position, name) VALUES"
        " (1, 'military'), (2, 'diplomatic'), (3, 'heritage_damage')",
    ],
    # 2: ignored sentences, where a decision came from, languages, label display names, and the
    # tables of team work (assignments), per-annotator settings, patterns and suggestion models.
    [
        # A sentence set aside (not article text, or not worth a decision): decided, no labels.
        "ALTER TABLE annotations ADD COLUMN ignored INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE gold ADD COLUMN ignored INTEGER NOT NULL DEFAULT 0",
        # How a decision was made: 'typed', 'suggested' (a model's, accepted), 'pattern'; NULL
        # for decisions made before annotty recorded it.
        "ALTER TABLE annotations ADD COLUMN source TEXT",
        "ALTER TABLE articles ADD COLUMN language TEXT",
        "ALTER TABLE labels ADD COLUMN display TEXT",
        """CREATE TABLE assignments (
            article_id TEXT NOT NULL REFERENCES articles(id),
            annotator TEXT NOT NULL,
            calibration INTEGER NOT NULL DEFAULT 0,
            assigned_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator)
        )""",
        "CREATE INDEX assignments_by_annotator ON assignments(annotator, article_id)",
        # Key/value settings; scope is an annotator's name, or '' for the whole project.
        """CREATE TABLE settings (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (scope, key)
        )""",
        # Prodigy-style patterns per label: `pattern` is the JSON of one patterns-file line.
        """CREATE TABLE patterns (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            pattern TEXT NOT NULL
        )""",
        # A suggestion model per annotator and label scheme (scheme: the labels, comma-joined).
        """CREATE TABLE models (
            annotator TEXT NOT NULL,
            scheme TEXT NOT NULL,
            trained_at TEXT NOT NULL,
            decisions INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (annotator, scheme)
        )""",
    ],
    # 3: titles and sources stored before the sanitiser knew bidi controls and zero-width
    # characters (and sources that were raw file names, escape sequences and all) are cleaned.
    # Texts are not: an article's id is the hash of its text. Names are not either: cleaning
    # could make two annotators one.
    [
        "UPDATE articles SET title = annotty_clean_text_line(title)"
        " WHERE title IS NOT NULL AND title != annotty_clean_text_line(title)",
        "UPDATE articles SET source = annotty_clean_line(source)"
        " WHERE source IS NOT NULL AND source != annotty_clean_line(source)",
    ],
    # 4: the library at scale: full-text search over titles and texts (sqlite-utils' layout, so
    # `sqlite-utils search` works too), kept in sync by triggers; an index that lists articles
    # and sums their sizes without reading their texts; one that counts each annotator's
    # progress per article without reading the annotations.
    [
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles',"
        " content_rowid='rowid')",
        "CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN"
        " INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);"
        " END",
        "CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN"
        " INSERT INTO articles_fts (articles_fts, rowid, title, text)"
        " VALUES ('delete', old.rowid, old.title, old.text); END",
        "CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN"
        " INSERT INTO articles_fts (articles_fts, rowid, title, text)"
        " VALUES ('delete', old.rowid, old.title, old.text);"
        " INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);"
        " END",
        "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
        "CREATE INDEX articles_sizes ON articles(sentence_count)",
        "CREATE INDEX annotations_progress ON annotations(annotator, decided, article_id)",
    ],
    # 5: each article's size in a narrow table keyed by its rowid, kept by triggers: the
    # library's totals over a filter look each match up here, not in the articles' rows (whose
    # texts come before their sizes), nor by scanning an index of the whole library.
    [
        "CREATE TABLE article_sizes (article INTEGER PRIMARY KEY, sentences INTEGER NOT NULL)",
        "INSERT INTO article_sizes (article, sentences) SELECT rowid, sentence_count FROM articles",
        "CREATE TRIGGER article_sizes_ai AFTER INSERT ON articles BEGIN"
        " INSERT OR REPLACE INTO article_sizes (article, sentences)"
        " VALUES (new.rowid, new.sentence_count); END",
        "CREATE TRIGGER article_sizes_ad AFTER DELETE ON articles BEGIN"
        " DELETE FROM article_sizes WHERE article = old.rowid; END",
        "CREATE TRIGGER article_sizes_au AFTER UPDATE OF sentence_count ON articles BEGIN"
        " UPDATE article_sizes SET sentences = new.sentence_count WHERE article = new.rowid; END",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


_open_files: dict[str, int] = {}
"""How many Stores of this process have each file open (by resolved path)."""
_open_files_lock = threading.Lock()


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions migrations may use: `annotty_clean_line(text)` and
    `annotty_clean_text_line(text)` are the sanitiser's (NULL and non-text stay as they are)."""
    for name, clean in (
        ("annotty_clean_line", clean_line),
        ("annotty_clean_text_line", clean_text_line),
    ):
        conn.create_function(
            name,
            1,
            lambda value, clean=clean: clean(value) if isinstance(value, str) else value,
            deterministic=True,
        )


class Store:
    """An open annotty database. Use one per thread: the connection belongs to its thread."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        on_wait: Callable[[], None] | None = None,
        lock_wait: float | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        self.on_wait = on_wait
        """Called (in the writing thread) when a write starts waiting for another's lock."""
        self.lock_wait = LOCK_WAIT if lock_wait is None else lock_wait
        """Seconds a write waits for another program's lock before DatabaseLocked."""
        self._depth = 0
        self._key: str | None = None

    @cached_property
    def db(self) -> Database:
        """A sqlite-utils view of the connection, made on first use: sqlite-utils imports
        pandas and numpy when they are installed, half a second the reader must not wait for."""
        from sqlite_utils import Database

        return Database(self.conn)

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        on_wait: Callable[[], None] | None = None,
        lock_wait: float | None = None,
    ) -> Store:
        """Open (and, if `create`, create or upgrade) the database at `path`.

        Args:
            path: the database file.
            create: create a missing file (else StoreError), and upgrade an older schema.
            on_wait: told when a write starts waiting for another program's lock.
            lock_wait: seconds a write waits for such a lock (default LOCK_WAIT).

        Raises:
            StoreError: the file is missing (and not `create`), is not an annotty database, or
                comes from a newer annotty. Such a file is never modified.
            DatabaseLocked: the schema needed an upgrade and another program held the lock.
        """
        path = Path(path).expanduser()
        if path.is_dir():
            raise StoreError(f"{path} is a directory, not a database file")
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise StoreError(f"no annotty database at {path}: import articles first")
        key = os.fspath(path.resolve())
        with _open_files_lock:
            # Already open here, it was checked; and reading its header now would drop this
            # process's SQLite locks on it (closing any descriptor of a file does, in POSIX),
            # so that another process could delete the WAL under our connections.
            checked = _open_files.get(key, 0) > 0
        if exists and not checked:
            _check_foreign(path)
        elif not exists and not path.parent.exists():
            raise StoreError(f"cannot create {path}: folder {path.parent} does not exist")
        try:
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True
            )
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {path}: {error}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            register_functions(conn)
            store = cls(conn, path, on_wait=on_wait, lock_wait=lock_wait)
            store._migrate()
        except sqlite3.Error as error:
            conn.close()
            raise StoreError(f"cannot use {path}: {error}") from None
        except BaseException:
            conn.close()
            raise
        with _open_files_lock:
            _open_files[key] = _open_files.get(key, 0) + 1
        store._key = key
        return store

    @classmethod
    def open_reader(cls, path: Path | str) -> Store:
        """A second, read-only connection to a database already open: for a worker thread, since
        a connection belongs to the thread that made it. Never creates, migrates or writes.

        Raises:
            StoreError: the file cannot be opened.
        """
        from annotations.dbfile import connect_readonly

        path = Path(path).expanduser()
        # Not immutable: the reader's own connection is writing to the file meanwhile.
        conn = connect_readonly(path, immutable=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except sqlite3.Error as error:
            conn.close()
            raise StoreError(f"cannot open {path}: {error}") from None
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()
        if self._key is not None:
            with _open_files_lock:
                _open_files[self._key] -= 1
                if not _open_files[self._key]:
                    del _open_files[self._key]
            self._key = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Store]:
        """A write transaction: the lock taken at once (`BEGIN IMMEDIATE`), committed on exit,
        rolled back if the block raises.

        Nested, it is a savepoint of the outer transaction: an error rolls back the inner block
        only (the outer one goes on if the caller handles the error), and nothing is committed
        before the outermost block ends.

        Raises:
            DatabaseLocked: another program held the lock for `lock_wait` seconds.
        """
        if self._depth:
            name = f"write_{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled it all back already
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            self.conn.execute(f"RELEASE {name}")
            return
        if self.conn.in_transaction:
            # Only a caller's own BEGIN gets here: annotty never leaves one open.
            raise StoreError("a transaction is already open on this connection")
        self._begin()
        self._depth = 1
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    def _begin(self) -> None:
        """`BEGIN IMMEDIATE`, waiting up to `lock_wait` seconds for another program's lock."""
        deadline: float | None = None
        self.conn.execute(f"PRAGMA busy_timeout = {LOCK_SLICE_MS}")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if not is_locked(error):
                        raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self.lock_wait
                    if self.on_wait is not None:
                        self.on_wait()
                if now >= deadline:
                    raise DatabaseLocked(
                        f"{self.path} stayed locked by another program for"
                        f" {self.lock_wait:g} s: nothing was changed; try again when it is done"
                    )
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def rows(self, sql: str, params: tuple | dict = ()) -> Iterator[dict]:
        """Rows of a query as dicts."""
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description or ()]
        return (dict(zip(names, row, strict=True)) for row in cursor)

    def value(self, sql: str, params: tuple | dict = ()) -> object:
        """The first column of the first row of a query, or None."""
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def _migrate(self) -> None:
        """Bring the schema up to date. A current schema is only read: no write lock taken."""
        if self._schema_version() == SCHEMA_VERSION:
            return
        with self.write():
            version = self._schema_version()  # again, under the lock: another may have won
            for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements:
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
            if version == 0:
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _schema_version(self) -> int:
        version = self.value("PRAGMA user_version")
        assert isinstance(version, int)
        if version > SCHEMA_VERSION:
            raise StoreError(_newer_message(self.path, version))
        return version


def is_locked(error: sqlite3.Error) -> bool:
    """Whether an error is SQLite's "database is locked" (another connection holds the lock)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error)


def _newer_message(path: Path, version: int) -> str:
    return (
        f"{printable(path)} was written by a newer annotty (schema {version}; this annotty"
        f" knows up to {SCHEMA_VERSION}): upgrade annotty to open it"
    )


def _check_foreign(path: Path) -> None:
    """Refuse, without writing to it or leaving a file beside it, a file that is not an annotty
    database we can use (see annotations.dbfile)."""
    from annotations.dbfile import connect_readonly, read_header

    wal = Path(f"{path}-wal")
    header = read_header(path, check_size=not (wal.exists() and wal.stat().st_size))
    try:
        conn = connect_readonly(path)
        try:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(f"{printable(path)} is not a usable SQLite database: {error}") from None
    # Another application's id marks the file as theirs even before it has any table.
    if header.application_id != APPLICATION_ID and (tables or header.application_id):
        raise StoreError(
            f"{printable(path)} is an SQLite database, but not annotty's; refusing to change it"
        )
    if header.user_version > SCHEMA_VERSION:
        raise StoreError(_newer_message(path, header.user_version))
