"""Looking at a database file before trusting it: read-only, leaving nothing beside it.

Two kinds of file come from outside: the file `--db` points at (checked before annotty writes
to it) and another annotator's database (read by `merge`). Both are opened here, and only here,
with `mode=ro&immutable=1`: a plain read-only connection to a WAL database creates a `-wal` and a
32 KB `-shm` beside the file and leaves them there, and it replays any `-wal` it finds, even one
copied from another database (SQLite cannot tell: a WAL's frames carry no identity of their
database). `immutable` makes SQLite read the main file alone, with no locks and no files of its
own. That is only safe when nobody is writing the file, which for a WAL database means when no
`-wal` is beside it. A database open in annotty elsewhere (or left by a process that was killed)
has a `-wal` and a `-shm` beside it: a merge then reads it with SQLite's locks and its log, as
any reader would, creating nothing (both files exist). Whose log it is SQLite cannot tell, but a
merge checks every row it reads whatever their origin. A `-wal` without its `-shm` (a copy made
half-way) or a hot rollback `-journal` is refused.

A merged file is a stranger's: its schema must be exactly annotty's (no views, triggers or
virtual tables, which run code when read), derived from a database created afresh by this
annotty's own migrations, and reading it is bounded by a progress handler, so that no crafted
file can keep annotty busy for ever.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from annotations.errors import StoreError
from annotations.text import printable

SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
MAX_VALUE_BYTES = 64 * 1024 * 1024
"""The largest string or blob read from another database (SQLite's own limit is 1 GB)."""
STEPS_PER_CALL = 10_000
"""SQLite virtual-machine instructions between two calls of the progress handler."""
BASE_CALLS = 5_000
"""Progress calls any file may take (50 million instructions: well under a second)."""
CALLS_PER_PAGE = 100
"""Progress calls allowed per page of the file: a hundred times what reading a page costs."""
_INTERNAL_TABLES = frozenset({"sqlite_stat1", "sqlite_stat4", "sqlite_sequence"})
"""Tables SQLite itself may add (ANALYZE, AUTOINCREMENT); allowed, never read."""


@dataclass(frozen=True)
class Header:
    """What the first 100 bytes of an SQLite file say."""

    page_size: int
    wal: bool
    """The file is in WAL mode (its read and write versions are 2)."""
    pages: int | None
    """The database's size in pages, when the header's count is valid."""
    user_version: int
    application_id: int


def read_header(path: Path, *, check_size: bool = True) -> Header:
    """The header of an SQLite file, read as bytes (SQLite is not asked, so nothing is created).

    `check_size` False skips the truncation check: a file with a `-wal` beside it may be caught
    half-way through a checkpoint, shorter than its header says until SQLite finishes it.

    Raises:
        StoreError: the file cannot be read, is not an SQLite file, or is shorter than its header
            says (truncated).
    """
    shown = printable(path)
    try:
        with path.open("rb") as handle:
            header = handle.read(HEADER_SIZE)
            size = os.fstat(handle.fileno()).st_size
    except OSError as error:
        raise StoreError(f"cannot read {shown}: {error.strerror or error}") from None
    if not header.startswith(SQLITE_HEADER):
        raise StoreError(f"{shown} is not an annotty database (not an SQLite file)")
    if len(header) < HEADER_SIZE:
        raise StoreError(f"{shown} is damaged: it ends inside its header")

    def number(offset: int, width: int = 4) -> int:
        return int.from_bytes(header[offset : offset + width], "big")

    page_size = number(16, 2)
    page_size = 65536 if page_size == 1 else page_size
    # The page count is valid only when written by a version that kept it (SQLite 3.7.0 on).
    valid = number(24) == number(92) and number(28) > 0
    parsed = Header(
        page_size=page_size,
        wal=header[18] == 2 and header[19] == 2,
        pages=number(28) if valid else None,
        user_version=number(60),
        application_id=number(68),
    )
    if page_size < 512 or page_size & (page_size - 1):
        raise StoreError(f"{shown} is damaged: its header gives a page size of {page_size}")
    if check_size and parsed.pages is not None and size < parsed.pages * page_size:
        raise StoreError(
            f"{shown} is damaged: it is truncated ({size} bytes of {parsed.pages * page_size})"
        )
    return parsed


def connect_readonly(path: Path, *, immutable: bool = True) -> sqlite3.Connection:
    """A read-only connection. `immutable`: it reads the main file alone and creates nothing
    beside it.

    Use `immutable` only on a file nobody is writing (see the module's note); for the `--db`
    file's first look that is fine, as what it reads is a committed state either way. Without
    it, the `-wal` and `-shm` must already exist (SQLite would create and leave them).
    """
    uri = f"file:{quote(os.fspath(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        return sqlite3.connect(uri, uri=True, check_same_thread=True)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open {printable(path)}: {error}") from None


def open_foreign(path: Path) -> tuple[sqlite3.Connection, Header]:
    """Open another annotty database to read it: checked, read-only, bounded.

    The file must be a regular file with no `-journal` beside it (nor a `-wal` without its
    `-shm`), pass SQLite's
    `quick_check`, and hold exactly annotty's schema objects. Every string or blob read is at
    most MAX_VALUE_BYTES; every statement is cut off once the connection has used its budget of
    work, which grows with the file's size (the error then says so).

    Raises:
        StoreError: one line naming the first problem.
    """
    shown = printable(path)
    try:
        if not path.is_file():
            raise StoreError(
                f"no such database: {shown}" if not path.exists() else f"{shown} is not a file"
            )
    except OSError as error:  # e.g. a symbolic link loop
        raise StoreError(f"cannot read {shown}: {error.strerror or error}") from None
    journal, wal, shm = (Path(f"{path}{suffix}") for suffix in ("-journal", "-wal", "-shm"))
    if journal.exists() and journal.stat().st_size > 0:
        raise StoreError(
            f"{shown} has a -journal beside it (a write was cut short): open it once with"
            " the program that wrote it, then merge again"
        )
    live = wal.exists() and wal.stat().st_size > 0
    if live and not shm.exists():
        raise StoreError(
            f"{shown} has a -wal beside it but no -shm (copied half-way?): copy the database"
            " again once annotty is closed on it"
        )
    header = read_header(path, check_size=not live)
    conn = connect_readonly(path, immutable=not live)
    try:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        pages = max(header.pages or 0, path.stat().st_size // header.page_size)
        conn.set_progress_handler(_budget(BASE_CALLS + CALLS_PER_PAGE * pages), STEPS_PER_CALL)
        check_integrity(conn, path)
        check_schema(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn, header


def _budget(calls: int) -> Callable[[], int]:
    """A progress handler that interrupts the statement running once `calls` are used up."""
    left = calls

    def handler() -> int:
        nonlocal left
        left -= 1
        return 1 if left < 0 else 0

    return handler


def is_interrupted(error: sqlite3.Error) -> bool:
    """Whether `error` is a statement stopped by the progress handler's budget."""
    return getattr(error, "sqlite_errorname", "") == "SQLITE_INTERRUPT" or "interrupted" in str(
        error
    )


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a damaged database (SQLite's `quick_check`: every page and record readable).

    Raises:
        StoreError: the first problem SQLite finds, as one line.
    """
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.Error as error:
        if is_interrupted(error):
            raise StoreError(
                f"{printable(path)}: gave up checking it (far too much work)"
            ) from None
        raise StoreError(f"{printable(path)} is damaged: {error}") from None
    answer = str(rows[0][0]) if rows else "no answer from the integrity check"
    # SQLite heads the first problem with "*** in database main ***" on a line of its own.
    lines = [line.strip() for line in answer.splitlines() if line and not line.startswith("***")]
    problem = lines[0] if lines else answer
    if problem != "ok":
        raise StoreError(
            f"{printable(path)} is damaged ({printable(problem)}): restore it from a copy, or"
            " save what is readable with `sqlite3 FILE .recover`"
        )


def check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file whose schema objects are not exactly those of this annotty's databases.

    Raises:
        StoreError: names the first unexpected (or missing) table, index, view or trigger.
    """
    found = {
        row
        for row in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        if not (row[0] == "table" and row[1] in _INTERNAL_TABLES)
    }
    expected = expected_schema()
    shown = printable(path)
    for kind, name, _, _ in sorted(found - expected, key=lambda row: (row[1], row[0])):
        same_name = [row for row in expected if row[1] == name]
        what = f"{kind} {printable(name)!r}"
        if same_name and same_name[0][0] != kind:
            raise StoreError(f"{shown} is not a database annotty can merge: {what} is not a table")
        if same_name:
            raise StoreError(
                f"{shown} is not a database annotty can merge: {what} differs from annotty's"
            )
        raise StoreError(f"{shown} is not a database annotty can merge: unexpected {what}")
    missing = sorted(expected - found, key=lambda row: row[1])
    if missing:
        kind, name = missing[0][:2]
        raise StoreError(f"{shown} is not a database annotty can merge: no {kind} {name!r}")


@functools.cache
def expected_schema() -> frozenset[tuple[str, str, str, str | None]]:
    """The schema objects of a database created by this annotty (every migration, in memory)."""
    from annotations.store import MIGRATIONS, register_functions

    conn = sqlite3.connect(":memory:")
    register_functions(conn)
    try:
        for statements in MIGRATIONS:
            for statement in statements:
                conn.execute(statement)
        return frozenset(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        conn.close()


def check_writable(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a database annotty cannot write (a read-only or immutable file, a read-only
    file system), before a screen promises that decisions are saved.

    The probe creates a table in a transaction it rolls back: nothing is written.

    Raises:
        StoreError: the file cannot be written.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE annotty_write_probe (x)")
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "readonly" in str(error) or "read-only" in str(error):
            raise StoreError(
                f"{printable(path)} is read-only: annotty saves every decision as it is made;"
                " copy the file somewhere writable (stats, agreement and export can still read it)"
            ) from None
        raise


class BackgroundCheck:
    """`check_integrity` of a database already open here, run in a thread on a read-only
    connection of its own, so that a command reads the file meanwhile: SQLite releases the
    interpreter's lock while it checks, and a second core does the check.

    A command that writes a file keeps it under a temporary name until `verdict()` returns.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._error: BaseException | None = None
        self._conn: sqlite3.Connection | None = None
        self._cancelled = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="annotty-quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from annotations.store import Store

        try:
            store = Store.open_reader(self.path)
            with self._lock:
                if self._cancelled:
                    store.close()
                    return
                self._conn = store.conn
            try:
                check_integrity(store.conn, self.path)
            finally:
                with self._lock:
                    self._conn = None
                store.close()
        except BaseException as error:  # handed to the thread that asks for the verdict
            self._error = error

    def verdict(self) -> None:
        """Wait for the check.

        Raises:
            StoreError: the database is damaged (or could not be opened to check it).
        """
        self._thread.join()
        if self._error is not None and not self._cancelled:
            raise self._error

    def cancel(self) -> None:
        """Stop the check (the command failed for another reason): its verdict is not wanted."""
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()
        self._thread.join()
