"""Hypothesis builds hostile databases and files from the cases of issue 8 and more, and checks,
for each: no traceback, no raw control character printed, the team database unchanged when the
merge is refused, and always still sound (integrity check, every report still runs)."""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import STORY_ID, TALKS_ID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.library import get_article
from annotations.store import Store
from annotations.text import clean_line
from tui.cli import main

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]
FRAGMENTS = [
    "\x1b]52;c;ZXZpbA==\x1b\\", "\x1b]0;PWNED\x07", "\x1b]8;;x\x1b\\y\x1b]8;;\x1b\\", "\x1b[2J",
    "\u009b31m", "\u0085", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\n", "\r", "\t",
    "\x00", "\x7f", "\ud800", "[bold]x[/]", "alice", "military", "2024-01-01T00:00:00.000000Z",
    "9999-12-31T23:59:59.999999Z", '["military"]', '"military"', "[]", "{}", "é", "東京",
]  # fmt: skip
UNSAFE = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]} | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u2060\ufeff"
)
hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), min_size=0, max_size=4
).map("".join)
values = st.one_of(
    hostile_text,
    hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.none(),
    st.just("a" * 100_000),
)
COLUMNS = {
    "articles": ["id", "title", "source", "text", "meta", "imported_at", "pipeline",
                 "sentence_count", "language"],
    "sentences": ["article_id", "idx", "start", "end", "text"],
    "entities": ["article_id", "start", "end", "label", "text"],
    "labels": ["position", "name"],
    "annotations": ["article_id", "start", "end", "annotator", "labels", "decided", "updated_at",
                    "ignored", "source"],
    "gold": ["article_id", "start", "end", "reviewer", "labels", "decided", "updated_at", "note",
             "ignored"],
}  # fmt: skip
cells = st.sampled_from(
    [(table, column) for table, columns in COLUMNS.items() for column in columns]
)
SCHEMA_CHANGES = [
    "DROP TABLE gold",
    "CREATE TRIGGER t AFTER INSERT ON labels BEGIN SELECT 1; END",
    "CREATE VIEW v AS SELECT 1",
    "CREATE INDEX i ON annotations(labels)",
    "CREATE TABLE extra (x)",
    "DROP INDEX sentences_span",
]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unsafe(text: str) -> set[str]:
    return {char for char in text if char in UNSAFE}


@pytest.fixture(scope="module")
def other_template(tmp_path_factory: pytest.TempPathFactory, tiny_template: Path) -> Path:
    path = Path(shutil.copy(tiny_template, tmp_path_factory.mktemp("fuzz") / "other.db"))
    with Store.open(path) as other:
        for identity in (TALKS_ID, STORY_ID):
            span = get_article(other, identity).sentences[0].span
            Decisions(other, ANNOTATIONS, "alice", SCHEME).decide(identity, span, ["military"])
            Decisions(other, GOLD, "rev", SCHEME).decide(identity, span, [], "note")
    return path


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: object):
    monkeypatch.setattr(sys, "argv", ["annotty", *map(str, args)])
    with pytest.raises(SystemExit) as caught:
        main()
    out, err = capsys.readouterr()
    return caught.value.code, out, err


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(st.tuples(cells, values), min_size=1, max_size=3),
    schema=st.lists(st.sampled_from(SCHEMA_CHANGES), max_size=1),
)
def test_merging_a_hostile_database(
    changes: list[tuple[tuple[str, str], object]],
    schema: list[str],
    other_template: Path,
    tiny_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        other = Path(shutil.copy(other_template, Path(folder) / "other.db"))
        team = Path(shutil.copy(tiny_template, Path(folder) / "team.db"))
        conn = sqlite3.connect(other)
        for (table, column), value in changes:
            where = f"rowid = (SELECT min(rowid) FROM {table})"
            new = "?"
            if isinstance(value, str) and not _encodable(value):
                # Text that is not UTF-8 at all: SQLite stores whatever bytes it is given.
                value, new = value.encode("utf-8", "surrogatepass"), "CAST(? AS TEXT)"
            try:
                conn.execute(f'UPDATE {table} SET "{column}" = {new} WHERE {where}', (value,))
            except sqlite3.IntegrityError:  # NOT NULL, UNIQUE: the file cannot hold it
                continue
        for statement in schema:
            conn.execute(statement)
        conn.commit()
        conn.close()
        before = team.read_bytes()
        code, out, err = run(monkeypatch, capsys, "--db", team, "merge", other)
        assert code in (0, 1), err
        assert "Traceback" not in err and err.count("\n") <= 1, err
        assert not unsafe(out + err)
        if code == 1:
            assert team.read_bytes() == before, "a refused merge changes nothing"
        conn = sqlite3.connect(team)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for name in conn.execute("SELECT annotator FROM annotations"):
            assert isinstance(name[0], str) and clean_line(name[0]) == name[0]
        conn.close()
        for command in ("stats", "agreement", "export", "labels"):
            code, out, err = run(monkeypatch, capsys, "--db", team, command)
            assert code == 0, (command, err)
            assert not unsafe(out.replace("\n", "") + err)
        assert sorted(p.name for p in Path(folder).iterdir()) == ["other.db", "team.db"]


file_names = st.text(
    alphabet=st.characters(blacklist_characters="/\x00", blacklist_categories=["Cs"]),
    min_size=1,
    max_size=20,
).filter(lambda name: name not in (".", "..") and not name.startswith("."))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(file_names, min_size=1, max_size=3, unique=True),
    suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl", ".pdf", ""]),
    body=hostile_text,
)
def test_importing_hostile_files(
    names: list[str],
    suffix: str,
    body: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, name in enumerate(names):
            path = Path(folder) / f"{name}{suffix}"
            try:
                path.write_text(f"Headline {name}\n\nTroops {body} entered {number}.\n", "utf-8",
                                errors="surrogatepass")  # fmt: skip
            except OSError:  # a name too long in bytes for the file system
                continue
            paths.append(path)
        if not paths:
            return
        db = Path(folder) / "team.db"
        code, out, err = run(monkeypatch, capsys, "--db", db, "import", *paths)
        assert code in (0, 1), err
        assert "Traceback" not in err and err.count("\n") <= 1, err
        assert not unsafe(out.replace("\n", "") + err)
        assert len(out.splitlines()) == len(paths) + 1, "one line per file, and the summary"
        if db.exists():
            conn = sqlite3.connect(db)
            for title, source in conn.execute("SELECT title, source FROM articles"):
                for value in (title, source):
                    assert value is None or (clean_line(value) == value and not unsafe(value))
            conn.close()
