"""Tests for annotations.merge: merging databases, importing annotation lines, and the round trip
export -> import -> export."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import SAMPLE_ID, STORY_ID, TALKS_ID, write_jsonl

from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.errors import SchemeError, StoreError
from annotations.export import export_records
from annotations.export import write_jsonl as export_jsonl
from annotations.importer import Importer
from annotations.library import article_ids, get_article
from annotations.merge import MergeCounts, merge_database
from annotations.scheme import set_labels
from annotations.store import SCHEMA_VERSION, Store
from annotations.text import article_id

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]
MakeImporter = Callable[[Store], Importer]


@pytest.fixture
def other_db(tmp_path: Path, tiny_template: Path) -> Path:
    """A second copy of the tiny database, as if on another machine."""
    return Path(shutil.copy(tiny_template, tmp_path / "other.db"))


def span(store: Store, identity: str, idx: int) -> tuple[int, int]:
    return get_article(store, identity).sentences[idx].span


def decide(store: Store, who: str, idx: int, labels: list[str], identity: str = TALKS_ID) -> str:
    decisions = Decisions(store, ANNOTATIONS, who, SCHEME)
    decisions.decide(identity, span(store, identity, idx), labels)
    updated = decisions.get(identity, span(store, identity, idx)).updated_at
    assert updated is not None
    return updated


def rows(store: Store, table: str) -> list[tuple]:
    return store.conn.execute(f"SELECT * FROM {table} ORDER BY article_id, start, 4").fetchall()


def dump(store: Store) -> list[list[tuple]]:
    return [
        store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        for table in ("articles", "sentences", "entities", "labels", "annotations", "gold")
    ]


def export_lines(store: Store, *, gold: bool = False) -> list[str]:
    out = io.StringIO()
    export_jsonl(export_records(store, gold=gold), out)
    return out.getvalue().splitlines()


# --- merging databases ----------------------------------------------------------------------------


def test_merge_copies_articles_analyses_and_decisions(
    tiny: Store, store: Store, sample_db: Path
) -> None:
    alice = Decisions(store, ANNOTATIONS, "alice", SCHEME)
    sentences = get_article(store, SAMPLE_ID).sentences
    alice.decide(SAMPLE_ID, sentences[0].span, ["military"], source="suggested")
    alice.decide(SAMPLE_ID, sentences[1].span, [])
    alice.ignore(SAMPLE_ID, sentences[3].span)  # stays ignored, not "no label"
    alice.decide(SAMPLE_ID, sentences[2].span, ["heritage_damage"])
    alice.undo(SAMPLE_ID)  # a tombstone travels too
    Decisions(store, GOLD, "rev", SCHEME).decide(SAMPLE_ID, sentences[0].span, ["military"], "ok")
    Decisions(store, GOLD, "rev", SCHEME).ignore(SAMPLE_ID, sentences[3].span)

    counts = merge_database(tiny, sample_db)
    assert counts == MergeCounts(articles_added=1, added=6)
    assert tiny.value("SELECT count(*) FROM annotations WHERE ignored") == 1
    assert tiny.value("SELECT source FROM annotations WHERE labels = '[\"military\"]'") == (
        "suggested"
    )
    assert article_ids(tiny) == [STORY_ID, TALKS_ID, SAMPLE_ID]
    assert get_article(tiny, SAMPLE_ID) == get_article(store, SAMPLE_ID)
    assert rows(tiny, "annotations") == rows(store, "annotations")
    assert rows(tiny, "gold") == rows(store, "gold")
    assert export_lines(tiny) == export_lines(store)
    assert export_lines(tiny, gold=True) == export_lines(store, gold=True)

    before = dump(tiny)
    again = merge_database(tiny, sample_db)
    assert again == MergeCounts(articles_known=1, kept=6)
    assert dump(tiny) == before


def test_the_later_decision_wins(tiny: Store, other_db: Path) -> None:
    with Store.open(other_db) as other:
        first = decide(tiny, "alice", 0, ["military"])
        later = decide(other, "alice", 0, ["diplomatic"])  # conflict, theirs later
        decide(tiny, "alice", 2, ["military"])
        decide(other, "alice", 2, ["military"])  # same labels, theirs later: no conflict
        decide(tiny, "bob", 1, [])  # only here
        decide(other, "carol", 3, ["heritage_damage"])  # only there
        decide(other, "bob", 0, ["military"])
        mine = decide(tiny, "bob", 0, [])  # conflict, mine later
        assert first < later and mine > later

        counts = merge_database(tiny, other_db)
        assert counts == MergeCounts(articles_known=2, added=1, updated=2, kept=1, conflicts=2)
        merged = Decisions(tiny, ANNOTATIONS, "alice", SCHEME).get(
            TALKS_ID, span(tiny, TALKS_ID, 0)
        )
        assert (merged.labels, merged.updated_at) == (("diplomatic",), later)
        assert (
            Decisions(tiny, ANNOTATIONS, "bob", SCHEME)
            .get(TALKS_ID, span(tiny, TALKS_ID, 0))
            .is_negative
        )
        assert rows(tiny, "annotations") != rows(other, "annotations")

        # The other way round, both end up the same.
        back = merge_database(other, tiny.path)
        assert back == MergeCounts(articles_known=2, added=1, updated=1, kept=3, conflicts=1)
        assert rows(other, "annotations") == rows(tiny, "annotations")


def test_an_undone_decision_is_not_brought_back(tiny: Store, other_db: Path) -> None:
    with Store.open(other_db) as other:
        decide(tiny, "alice", 0, ["military"])
        decide(other, "alice", 0, ["military"])
        Decisions(other, ANNOTATIONS, "alice", SCHEME).undo(TALKS_ID)
        assert merge_database(tiny, other_db).updated == 1
        assert (
            not Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
            .get(TALKS_ID, span(tiny, TALKS_ID, 0))
            .decided
        )
        assert export_lines(tiny) == []
        assert merge_database(other, tiny.path).kept == 1
        assert export_lines(other) == []


@pytest.mark.parametrize(
    ("theirs", "message"),
    [
        (
            ["military", "diplomatic", "heritage_damage", "casualties"],
            "label schemes differ: {other} has casualties, this database does not",
        ),
        (
            ["military", "diplomatic"],
            "label schemes differ: this database has heritage_damage, {other} does not",
        ),
        (
            ["diplomatic", "military", "heritage_damage"],
            "label schemes differ in order: diplomatic, military, heritage_damage in {other},"
            " military, diplomatic, heritage_damage here",
        ),
    ],
)
def test_a_different_scheme_merges_nothing(
    tiny: Store, store: Store, sample_db: Path, theirs: list[str], message: str
) -> None:
    decide(store, "alice", 0, ["military"], SAMPLE_ID)
    set_labels(store, theirs)
    before = dump(tiny)
    with pytest.raises(SchemeError) as caught:
        merge_database(tiny, sample_db)
    assert str(caught.value) == message.format(other=sample_db)
    assert dump(tiny) == before


def test_merge_refuses_what_it_cannot_read(tmp_path: Path, tiny: Store) -> None:
    def error(path: Path) -> str:
        with pytest.raises(StoreError) as caught:
            merge_database(tiny, path)
        return str(caught.value)

    missing = tmp_path / "missing.db"
    assert error(missing) == f"no such database: {missing}"
    assert error(tiny.path) == f"{tiny.path} is the database being merged into"
    noise = tmp_path / "noise.db"
    noise.write_bytes(b"\x89PNG" * 1000)
    assert error(noise) == f"{noise} is not an annotty database (not an SQLite file)"
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert error(foreign) == f"{foreign} is not an annotty database"


def test_merge_refuses_a_newer_database(tiny: Store, other_db: Path) -> None:
    conn = sqlite3.connect(other_db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    data = other_db.read_bytes()
    with pytest.raises(StoreError) as caught:
        merge_database(tiny, other_db)
    assert str(caught.value) == (
        f"{other_db} has schema {SCHEMA_VERSION + 1}, this annotty {SCHEMA_VERSION}:"
        " upgrade annotty"
    )
    assert other_db.read_bytes() == data


def test_decisions_on_unknown_sentences_are_counted_not_merged(tiny: Store, other_db: Path) -> None:
    with Store.open(other_db) as other:
        decide(other, "alice", 0, ["military"])
        decide(other, "alice", 1, ["military"])
        with other.write():
            other.conn.execute("UPDATE annotations SET start = start + 1 WHERE start = 0")
    counts = merge_database(tiny, other_db)
    assert (counts.added, counts.unmatched) == (1, 1)
    assert len(rows(tiny, "annotations")) == 1


# --- importing annotation lines -------------------------------------------------------------------


def test_round_trip_reproduces_every_annotation(
    tmp_path: Path, tiny: Store, other_db: Path, make_importer: MakeImporter, loader
) -> None:
    decide(tiny, "alice", 0, ["diplomatic", "military"])
    decide(tiny, "alice", 1, [])
    decide(tiny, "bob", 1, ["heritage_damage"])
    decide(tiny, "bob", 1, ["military"], STORY_ID)
    decide(tiny, "zoë 🙂", 3, ["diplomatic"])
    Decisions(tiny, GOLD, "rev", SCHEME).decide(TALKS_ID, span(tiny, TALKS_ID, 1), ["military"])
    Decisions(tiny, GOLD, "rev", SCHEME).decide(TALKS_ID, span(tiny, TALKS_ID, 2), [])
    plain, gold = export_lines(tiny), export_lines(tiny, gold=True)
    assert (len(plain), len(gold)) == (5, 2)
    exported = tmp_path / "export.jsonl"
    exported.write_text("\n".join(plain + gold) + "\n", "utf-8")

    with Store.open(other_db) as other:
        importer = make_importer(other)
        result = importer.import_file(exported)
        assert (result.status, result.message, result.annotations) == (
            "imported",
            "7 annotations",
            7,
        )
        assert result.article_ids == []
        assert loader.calls == 0
        assert export_lines(other) == plain
        assert export_lines(other, gold=True) == gold
        assert rows(other, "annotations") == rows(tiny, "annotations")

        # Again: nothing new, nothing changed.
        before = dump(other)
        again = importer.import_file(exported)
        assert (again.status, again.message, again.annotations) == ("duplicate", "nothing new", 0)
        assert dump(other) == before


def test_the_later_annotation_line_wins(
    tmp_path: Path, tiny: Store, make_importer: MakeImporter
) -> None:
    decide(tiny, "alice", 0, ["military"])
    (line,) = export_lines(tiny)
    record = json.loads(line)
    older = write_jsonl(
        tmp_path / "older.jsonl",
        [{**record, "labels": ["diplomatic"], "updated_at": "2000-01-01T00:00:00Z"}],
    )
    # An hour from now, written with an offset: within the clock tolerance, and later.
    soon = datetime.now(UTC) + timedelta(hours=1)
    when = soon.astimezone(timezone(timedelta(hours=1))).isoformat()
    newer = write_jsonl(
        tmp_path / "newer.jsonl", [{**record, "labels": ["diplomatic"], "updated_at": when}]
    )
    assert make_importer(tiny).import_file(older).status == "duplicate"
    assert json.loads(export_lines(tiny)[0])["labels"] == ["military"]
    assert make_importer(tiny).import_file(newer).message == "1 annotation"
    current = json.loads(export_lines(tiny)[0])
    assert (current["labels"], current["updated_at"]) == (
        ["diplomatic"],
        soon.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )


@pytest.fixture
def annotation_line(tiny: Store) -> dict:
    """A valid annotation line for TALKS' second sentence."""
    return {
        "article_id": TALKS_ID,
        "start": 17,
        "end": 52,
        "text": "Troops entered Palmyra on Thursday.",
        "labels": ["military"],
        "annotator": "alice",
        "updated_at": "2024-05-06T07:08:09.123456Z",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"text": "Troops entered Palmyra on Thursday!"},
            f"line 2: text does not match sentence 17-52 of article {TALKS_ID}",
        ),
        (
            {"labels": ["military", "casualties"]},
            "line 2: label 'casualties' is not in the scheme (military, diplomatic,"
            " heritage_damage)",
        ),
        (
            {"article_id": "0123456789abcdef"},
            "line 2: no article '0123456789abcdef' in the database",
        ),
        (
            {"start": 16, "text": " Troops entered Palmyra on Thursday."},
            f"line 2: article {TALKS_ID} has no sentence at 16-52",
        ),
        ({"votes": {"bob": ["oops"]}}, "line 2: label 'oops' is not in the scheme"),
    ],
)
def test_a_bad_annotation_line_is_reported_and_skipped(
    tmp_path: Path,
    tiny: Store,
    make_importer: MakeImporter,
    annotation_line: dict,
    change: dict,
    message: str,
) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [{**annotation_line, "annotator": "bob"}, {**annotation_line, **change}],
    )
    result = make_importer(tiny).import_file(path)
    assert (result.status, result.message) == ("imported", "1 annotation, 1 line not imported")
    assert len(result.problems) == 1
    assert result.problems[0].startswith(message)
    assert [(r["annotator"], r["labels"]) for r in export_records(tiny)] == [
        ("bob", annotation_line["labels"])
    ]


def test_articles_and_their_annotations_in_one_file(
    tmp_path: Path, empty_store: Store, make_importer: MakeImporter
) -> None:
    text = "Fighting resumed in Homs."
    identity = article_id(text)
    line = {
        "article_id": identity,
        "start": 0,
        "end": len(text),
        "text": text,
        "labels": ["military"],
        "annotator": "alice",
        "updated_at": "2024-01-02T03:04:05",
    }
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": text}, {**line, "labels": ["nope"]}])
    result = make_importer(empty_store).import_file(bad)
    assert (result.status, result.message) == ("imported", "1 article, 1 line not imported")
    assert result.problems == [
        "line 2: label 'nope' is not in the scheme (military, diplomatic, heritage_damage)"
    ]
    assert article_ids(empty_store) == [identity]

    good = write_jsonl(tmp_path / "good.jsonl", [{"text": text}, line])
    result = make_importer(empty_store).import_file(good)
    assert (result.status, result.message) == ("imported", "1 duplicate, 1 annotation")
    (record,) = (json.loads(x) for x in export_lines(empty_store))
    assert (record["labels"], record["annotator"], record["updated_at"]) == (
        ["military"],
        "alice",
        "2024-01-02T03:04:05.000000Z",
    )
