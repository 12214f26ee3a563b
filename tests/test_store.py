"""Tests for annotations.store: opening, the schema, refusing files that are not ours, and two
connections to one database."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.errors import StoreError
from annotations.library import article_ids, get_article
from annotations.scheme import DEFAULT_LABELS, get_labels, set_labels
from annotations.store import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    Store,
    default_db_path,
    utc_now,
)

pytestmark = pytest.mark.usefixtures("clean_env")

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def snapshot(path: Path) -> tuple[bytes, int, list[str]]:
    """A file's bytes, its mtime in ns, and the names in its folder: what "unmodified" means."""
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


def open_error(path: Path, **kwargs: bool) -> str:
    with pytest.raises(StoreError) as caught:
        Store.open(path, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- a new database -------------------------------------------------------------------------------


def test_new_database_schema_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with Store.open(path) as store:
        assert store.value("PRAGMA user_version") == SCHEMA_VERSION
        assert store.value("PRAGMA application_id") == APPLICATION_ID
        assert store.value("PRAGMA journal_mode") == "wal"
        assert store.value("PRAGMA busy_timeout") == BUSY_TIMEOUT_MS
        assert store.value("PRAGMA foreign_keys") == 1
        assert store.value("PRAGMA synchronous") == 2  # FULL
        assert get_labels(store) == list(DEFAULT_LABELS)
        assert get_labels(store) == ["military", "diplomatic", "heritage_damage"]
        tables = {row["name"] for row in store.rows("SELECT name FROM sqlite_master")}
        assert {"articles", "sentences", "entities", "labels", "annotations", "gold"} <= tables
        assert {"history", "positions"} <= tables
        assert not store.conn.in_transaction
    assert path.is_file()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Store.open(path) as store:
        set_labels(store, ["x", "y"])
    with Store.open(path, create=False) as store:
        assert get_labels(store) == ["x", "y"]
        assert store.value("PRAGMA user_version") == SCHEMA_VERSION


def test_an_empty_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "touched.db"
    path.touch()
    with Store.open(path) as store:
        assert store.value("PRAGMA application_id") == APPLICATION_ID


def test_missing_database_without_create(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    assert open_error(path, create=False) == (
        f"no annotty database at {path}: import articles first"
    )
    assert not path.exists()


def test_directory_is_refused(tmp_path: Path) -> None:
    assert open_error(tmp_path) == f"{tmp_path} is a directory, not a database file"


def test_missing_folder_is_refused_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "a.db"
    assert open_error(path) == f"cannot create {path}: folder {path.parent} does not exist"
    assert not (tmp_path / "no").exists()


def test_default_path_is_in_the_user_data_folder(clean_env: Path) -> None:
    assert default_db_path() == clean_env / "annotty" / "annotty.db"


def test_utc_now_is_strictly_increasing_and_sortable() -> None:
    stamps = [utc_now() for _ in range(2000)]
    assert all(TIMESTAMP.match(stamp) for stamp in stamps)
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)


# --- files that are not ours are refused and left alone -------------------------------------------


def test_random_bytes_are_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "random.db"
    path.write_bytes(bytes(range(256)) * 16)
    before = snapshot(path)
    assert open_error(path) == f"{path} is not an annotty database (not an SQLite file)"
    assert open_error(path, create=False).endswith("(not an SQLite file)")
    assert snapshot(path) == before


def test_a_short_text_file_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("hello")
    before = snapshot(path)
    assert open_error(path) == f"{path} is not an annotty database (not an SQLite file)"
    assert snapshot(path) == before


def test_corrupt_sqlite_file_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = snapshot(path)
    assert open_error(path) == f"{path} is damaged: its header gives a page size of 65535"
    assert snapshot(path) == before
    assert sorted(tmp_path.iterdir()) == [path], "nothing is left beside a refused file"


def test_sqlite_database_of_another_program_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.execute("INSERT INTO customers VALUES ('ada')")
    conn.commit()
    conn.close()
    before = snapshot(path)
    message = f"{path} is an SQLite database, but not annotty's; refusing to change it"
    assert open_error(path) == message
    assert snapshot(path) == before


def test_sqlite_file_with_another_application_id_is_refused(tmp_path: Path) -> None:
    # No tables yet, but another program has marked the file as its own.
    path = tmp_path / "theirs.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()
    before = snapshot(path)
    assert open_error(path).endswith(
        "is an SQLite database, but not annotty's; refusing to change it"
    )
    assert snapshot(path) == before


def test_a_blank_sqlite_file_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "blank.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")  # writes the header: a valid, empty database
    conn.close()
    assert path.stat().st_size > 0
    with Store.open(path) as store:
        assert store.value("PRAGMA application_id") == APPLICATION_ID


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_database_from_a_newer_annotty_is_refused_unchanged(
    tmp_path: Path, sample_db: Path, journal: str
) -> None:
    conn = sqlite3.connect(sample_db)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    data, mtime, _ = snapshot(sample_db)
    time.sleep(0.01)
    message = open_error(sample_db)
    assert message == (
        f"{sample_db} was written by a newer annotty (schema {SCHEMA_VERSION + 1}; this annotty "
        f"knows up to {SCHEMA_VERSION}): upgrade annotty to open it"
    )
    assert open_error(sample_db, create=False) == message
    after, after_mtime, _ = snapshot(sample_db)
    assert after == data
    assert after_mtime == mtime


# --- transactions ---------------------------------------------------------------------------------


def test_write_commits_on_exit_and_rolls_back_on_error(empty_store: Store) -> None:
    with empty_store.write():
        empty_store.conn.execute("INSERT INTO labels (position, name) VALUES (4, 'kept')")
    assert not empty_store.conn.in_transaction
    with pytest.raises(RuntimeError), empty_store.write():
        empty_store.conn.execute("INSERT INTO labels (position, name) VALUES (5, 'lost')")
        raise RuntimeError("boom")
    assert not empty_store.conn.in_transaction
    assert get_labels(empty_store) == [*DEFAULT_LABELS, "kept"]


def test_nested_write_joins_the_outer_transaction(empty_store: Store) -> None:
    with pytest.raises(RuntimeError), empty_store.write():
        with empty_store.write():
            empty_store.conn.execute("INSERT INTO labels (position, name) VALUES (4, 'inner')")
        assert empty_store.conn.in_transaction  # the inner block did not commit
        raise RuntimeError("boom")
    assert get_labels(empty_store) == list(DEFAULT_LABELS)


# --- two connections ------------------------------------------------------------------------------


def test_a_second_connection_sees_each_change_at_once(sample_db: Path) -> None:
    with Store.open(sample_db) as first, Store.open(sample_db) as second:
        identity = article_ids(first)[0]
        span = get_article(first, identity).sentences[2].span
        alice = Decisions(first, ANNOTATIONS, "alice", get_labels(first))
        seen = Decisions(second, ANNOTATIONS, "alice", get_labels(second))

        alice.decide(identity, span, ["heritage_damage"])
        assert not first.conn.in_transaction
        assert seen.get(identity, span).labels == ("heritage_damage",)

        alice.decide(identity, span, [])
        assert seen.get(identity, span).is_negative

        alice.undo(identity)
        assert seen.get(identity, span).labels == ("heritage_damage",)

        set_labels(first, ["heritage_damage", "military", "diplomatic", "other"])
        assert get_labels(second) == ["heritage_damage", "military", "diplomatic", "other"]


def test_a_reader_is_not_blocked_by_an_open_write(sample_db: Path) -> None:
    with Store.open(sample_db) as writer, Store.open(sample_db) as reader:
        identity = article_ids(writer)[0]
        span = get_article(writer, identity).sentences[0].span
        alice = Decisions(writer, ANNOTATIONS, "alice", get_labels(writer))
        seen = Decisions(reader, ANNOTATIONS, "alice", get_labels(reader))
        with writer.write():
            alice.decide(identity, span, ["military"])
            # Not committed yet: the reader sees the old state, without waiting.
            started = time.monotonic()
            assert not seen.get(identity, span).decided
            assert time.monotonic() - started < 1
        assert seen.get(identity, span).labels == ("military",)


def test_a_second_writer_waits_for_the_first(sample_db: Path) -> None:
    holding = threading.Event()
    errors: list[BaseException] = []

    def hold_the_lock() -> None:
        try:
            with Store.open(sample_db) as other, other.write():
                other.conn.execute("INSERT INTO labels (position, name) VALUES (4, 'first')")
                holding.set()
                time.sleep(0.3)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            holding.set()

    with Store.open(sample_db) as store:
        thread = threading.Thread(target=hold_the_lock)
        thread.start()
        assert holding.wait(5)
        with store.write():
            # The lock is ours only once the other writer committed: its row is already there.
            assert store.value("SELECT name FROM labels WHERE position = 4") == "first"
            store.conn.execute("INSERT INTO labels (position, name) VALUES (5, 'second')")
        thread.join()
        assert errors == []
        assert get_labels(store) == [*DEFAULT_LABELS, "first", "second"]


def test_a_second_store_in_the_process_keeps_the_first_ones_locks(tmp_path: Path) -> None:
    """Reading the file's header with open()/close() would drop every SQLite lock this process
    holds on it (POSIX), and another process closing its connection would then delete the WAL
    under ours ("disk I/O error"). A file already open here is not read again."""
    import subprocess
    import sys

    path = tmp_path / "shared.db"
    with Store.open(path) as first:
        with first.write():
            first.conn.execute("INSERT INTO settings VALUES ('', 'k', 'v')")
        with Store.open(path) as second:
            assert second.value("SELECT value FROM settings") == "v"
        code = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
            " c.execute('SELECT count(*) FROM labels').fetchone(); c.close()"
        )
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
        assert Path(f"{path}-wal").exists(), "the other process did not think it was the last"
        with first.write():
            first.conn.execute("UPDATE settings SET value = 'w'")
        assert first.value("SELECT value FROM settings") == "w"
