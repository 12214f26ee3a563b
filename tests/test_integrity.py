"""What annotty guarantees about the data: explicit transactions, locks waited out, undo that
only undoes one's own latest state, merges that converge, imports that keep what is good."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import STORY, STORY_ID, TALKS_ID, CountingLoader, held_lock, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annotations.importer as importer_module
from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.errors import DatabaseLocked
from annotations.export import export_records
from annotations.export import write_jsonl as write_objects
from annotations.formats.annotty import write_lines
from annotations.formats.foreign import ExportContext
from annotations.importer import Importer
from annotations.library import add_article, article_ids, get_article, stats
from annotations.merge import merge_database
from annotations.model import Analysis, ArticleInput
from annotations.positions import save_position
from annotations.review import accept_unanimous
from annotations.scheme import get_labels, set_labels
from annotations.settings import set_setting
from annotations.store import Store

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]


def span(store: Store, idx: int, identity: str = TALKS_ID) -> tuple[int, int]:
    return get_article(store, identity).sentences[idx].span


def export_text(store: Store, *, gold: bool = False) -> str:
    out = io.StringIO()
    records = export_records(store, gold=gold, include_ignored=True)
    write_objects(write_lines(records, ExportContext(SCHEME, include_ignored=True)), out)
    return out.getvalue()


# --- explicit transactions ------------------------------------------------------------------------

WRITERS: dict[str, Callable[[Store], object]] = {
    "decide": lambda s: Decisions(s, ANNOTATIONS, "ann", SCHEME).decide(TALKS_ID, span(s, 0), []),
    "toggle": lambda s: Decisions(s, ANNOTATIONS, "ann", SCHEME).toggle(
        TALKS_ID, span(s, 1), "military"
    ),
    "ignore": lambda s: Decisions(s, ANNOTATIONS, "ann", SCHEME).ignore(TALKS_ID, span(s, 2)),
    "gold": lambda s: Decisions(s, GOLD, "rev", SCHEME).decide(TALKS_ID, span(s, 0), ["military"]),
    "undo": lambda s: (
        Decisions(s, ANNOTATIONS, "ann", SCHEME).decide(TALKS_ID, span(s, 0), ["military"]),
        Decisions(s, ANNOTATIONS, "ann", SCHEME).undo(TALKS_ID),
    ),
    "scheme": lambda s: set_labels(s, [*SCHEME, "other"]),
    "position": lambda s: save_position(s, "ann", "reader", TALKS_ID, 2),
    "setting": lambda s: set_setting(s, "ann", "reader.order", "uncertain"),
    "article": lambda s: add_article(
        s, ArticleInput("A new one."), Analysis([(0, 10)], []), "test"
    ),
    "unanimous": lambda s: accept_unanimous(s, "rev", ["ann"], TALKS_ID),
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_no_public_call_leaves_a_transaction_open(tiny_db: Path, name: str) -> None:
    with Store.open(tiny_db) as store, Store.open(tiny_db) as other:
        before = export_text(other) + json.dumps(other.conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM positions),"
            " (SELECT count(*) FROM settings), (SELECT count(*) FROM labels),"
            " (SELECT count(*) FROM history), (SELECT count(*) FROM gold)"
        ).fetchone())  # fmt: skip
        WRITERS[name](store)
        assert not store.conn.in_transaction
        # Committed: another connection sees it at once.
        after = export_text(other) + json.dumps(other.conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM positions),"
            " (SELECT count(*) FROM settings), (SELECT count(*) FROM labels),"
            " (SELECT count(*) FROM history), (SELECT count(*) FROM gold)"
        ).fetchone())  # fmt: skip
        assert after != before or name == "unanimous"


def test_a_statement_outside_write_is_committed_at_once(tiny_db: Path) -> None:
    with Store.open(tiny_db) as store:
        store.conn.execute("INSERT INTO settings (scope, key, value) VALUES ('', 'k', 'v')")
        assert not store.conn.in_transaction
    with Store.open(tiny_db) as again:
        assert again.value("SELECT value FROM settings WHERE key = 'k'") == "v"


def test_a_failed_inner_write_rolls_back_only_itself(empty_store: Store) -> None:
    with empty_store.write():
        empty_store.conn.execute("INSERT INTO labels (position, name) VALUES (4, 'kept')")
        with pytest.raises(RuntimeError), empty_store.write():
            empty_store.conn.execute("INSERT INTO labels (position, name) VALUES (5, 'lost')")
            raise RuntimeError("boom")
    assert get_labels(empty_store) == [*SCHEME, "kept"]


# --- locks ----------------------------------------------------------------------------------------


def test_reading_commands_never_take_the_write_lock(tiny_db: Path) -> None:
    waited: list[bool] = []
    with (
        held_lock(tiny_db),
        Store.open(tiny_db, on_wait=lambda: waited.append(True), lock_wait=0) as store,
    ):
        assert stats(store).articles == 2
        assert export_text(store) == ""
        assert get_labels(store) == SCHEME
    assert waited == []


def test_a_write_waits_for_the_lock_says_so_then_gives_up(tiny_db: Path) -> None:
    waited: list[bool] = []
    with Store.open(tiny_db, on_wait=lambda: waited.append(True), lock_wait=0.3) as store:
        alice = Decisions(store, ANNOTATIONS, "alice", SCHEME)
        with held_lock(tiny_db), pytest.raises(DatabaseLocked) as caught:
            alice.decide(TALKS_ID, span(store, 0), ["military"])
        assert waited == [True]
        assert "stayed locked by another program for 0.3 s: nothing was changed" in str(
            caught.value
        )
        assert not store.conn.in_transaction
        assert not alice.get(TALKS_ID, span(store, 0)).decided
        # Once the other program is done, the same call goes through.
        alice.decide(TALKS_ID, span(store, 0), ["military"])
        assert alice.get(TALKS_ID, span(store, 0)).labels == ("military",)


# --- undo: only one's own latest state ------------------------------------------------------------


def test_a_reviewers_undo_does_not_erase_another_reviewers_later_change(tiny: Store) -> None:
    ann = Decisions(tiny, GOLD, "ann", SCHEME)
    ben = Decisions(tiny, GOLD, "ben", SCHEME)
    first = span(tiny, 0)
    ann.decide(TALKS_ID, first, ["military"])
    ben.toggle(TALKS_ID, first, "diplomatic")
    result = ann.undo(TALKS_ID)
    assert list(result) == []
    assert [(s.span, s.by) for s in result.skipped] == [(first, "ben")]
    assert ann.get(TALKS_ID, first).labels == ("military", "diplomatic")
    # ann's step is spent: a second undo has nothing left of hers here.
    assert not ann.can_undo(TALKS_ID)
    # ben's undo takes back his own change only: the gold set ann made stays.
    (change,) = ben.undo(TALKS_ID)
    assert ann.get(TALKS_ID, first).labels == ("military",)
    assert change.after.decided


def test_an_undo_skips_only_the_sentences_changed_since(tiny: Store) -> None:
    ann = Decisions(tiny, GOLD, "ann", SCHEME)
    ben = Decisions(tiny, GOLD, "ben", SCHEME)
    first, second = span(tiny, 0), span(tiny, 1)
    ann.decide_many(TALKS_ID, [(first, ["military"], None), (second, [], None)])
    ben.decide(TALKS_ID, second, ["diplomatic"])
    result = ann.undo(TALKS_ID)
    assert [change.span for change in result] == [first]
    assert [(s.span, s.by) for s in result.skipped] == [(second, "ben")]
    assert not ann.get(TALKS_ID, first).decided
    assert ann.get(TALKS_ID, second).labels == ("diplomatic",)
    # Redo brings back only what the undo took.
    assert [change.span for change in ann.redo(TALKS_ID)] == [first]
    assert ann.get(TALKS_ID, second).labels == ("diplomatic",)


def test_redo_is_skipped_where_the_sentence_changed_after_the_undo(tiny: Store) -> None:
    ann = Decisions(tiny, GOLD, "ann", SCHEME)
    ben = Decisions(tiny, GOLD, "ben", SCHEME)
    first = span(tiny, 0)
    ann.decide(TALKS_ID, first, ["military"])
    ann.undo(TALKS_ID)
    ben.decide(TALKS_ID, first, ["heritage_damage"])
    result = ann.redo(TALKS_ID)
    assert list(result) == [] and [s.by for s in result.skipped] == ["ben"]
    assert ann.get(TALKS_ID, first).labels == ("heritage_damage",)


def test_a_merge_bringing_newer_work_ends_the_undo_history(tiny_db: Path, tmp_path: Path) -> None:
    laptop = Path(shutil.copy(tiny_db, tmp_path / "laptop.db"))
    with Store.open(tiny_db) as desk, Store.open(laptop) as other:
        first = span(desk, 0)
        Decisions(desk, ANNOTATIONS, "ann", SCHEME).decide(TALKS_ID, first, ["military"])
        # Later, on her laptop, she decides the same sentence differently.
        Decisions(other, ANNOTATIONS, "ann", SCHEME).decide(TALKS_ID, first, ["diplomatic"])
    with Store.open(tiny_db) as desk:
        merge_database(desk, laptop)
        ann = Decisions(desk, ANNOTATIONS, "ann", SCHEME)
        assert ann.get(TALKS_ID, first).labels == ("diplomatic",)
        assert list(ann.undo(TALKS_ID)) == []
        assert ann.get(TALKS_ID, first).labels == ("diplomatic",)


def test_an_annotation_import_ends_the_history_of_the_sentences_it_changes(
    tiny: Store, tmp_path: Path, loader: CountingLoader
) -> None:
    ann = Decisions(tiny, ANNOTATIONS, "ann", SCHEME)
    first = span(tiny, 0)
    ann.decide(TALKS_ID, first, ["military"])
    (line,) = export_text(tiny).splitlines()
    # Her decision from another machine, a minute later.
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    newer = {**json.loads(line), "labels": ["heritage_damage"], "updated_at": later}
    Importer(tiny, pipeline_loader=loader).import_file(write_jsonl(tmp_path / "n.jsonl", [newer]))
    assert ann.get(TALKS_ID, first).labels == ("heritage_damage",)
    assert not ann.can_undo(TALKS_ID)


def test_a_scheme_change_forgets_whole_steps(tiny: Store) -> None:
    set_labels(tiny, [*SCHEME, "other"])
    ann = Decisions(tiny, ANNOTATIONS, "ann", [*SCHEME, "other"])
    first, second = span(tiny, 0), span(tiny, 1)
    ann.decide(TALKS_ID, first, ["military"])
    ann.decide_many(TALKS_ID, [(first, [], None), (second, ["other"], None)])
    ann.decide(TALKS_ID, second, [])  # "other" is no longer used by any decision
    set_labels(tiny, SCHEME)
    steps = tiny.conn.execute("SELECT step, count(*) FROM history GROUP BY step").fetchall()
    # The two-sentence step mentioned "other": it went whole, not one of its two rows.
    assert sorted(count for _, count in steps) == [1]
    assert ann.undo(TALKS_ID) == []  # the last step mentioned "other" too


# --- merges converge ------------------------------------------------------------------------------


def test_a_tie_ends_the_same_in_both_directions(tiny_db: Path, tmp_path: Path) -> None:
    a = Path(shutil.copy(tiny_db, tmp_path / "a.db"))
    b = Path(shutil.copy(tiny_db, tmp_path / "b.db"))
    when = "2026-01-01T00:00:00.000000Z"
    for path, labels in ((a, '["military"]'), (b, '["diplomatic"]')):
        with Store.open(path) as store:
            first = span(store, 0)
            store.conn.execute(
                'INSERT INTO annotations (article_id, start, "end", annotator, labels, decided,'
                " updated_at) VALUES (?, ?, ?, 'ann', ?, 1, ?)",
                (TALKS_ID, *first, labels, when),
            )
    a_copy = Path(shutil.copy(a, tmp_path / "a2.db"))
    with Store.open(a) as store:
        merge_database(store, b)
        a_then_b = export_text(store)
    with Store.open(b) as store:
        merge_database(store, a_copy)
        b_then_a = export_text(store)
    assert a_then_b == b_then_a != ""


@st.composite
def _databases(draw: st.DrawFn) -> list[list[tuple[int, int, list[str], int, bool]]]:
    """Per database, decisions: (sentence, annotator, labels, time, ignored)."""
    decision = st.tuples(
        st.integers(0, 3),
        st.integers(0, 1),
        st.lists(st.sampled_from(SCHEME), max_size=2, unique=True),
        st.integers(0, 3),
        st.booleans(),
    )
    return draw(st.lists(st.lists(decision, max_size=5), min_size=2, max_size=3))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(databases=_databases(), order=st.randoms(use_true_random=False))
def test_merges_and_imports_in_any_order_give_byte_identical_exports(
    tiny_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    loader: CountingLoader,
    databases,
    order,
) -> None:
    folder = tmp_path_factory.mktemp("converge")
    paths = []
    for number, decisions in enumerate(databases):
        path = Path(shutil.copy(tiny_template, folder / f"db{number}.db"))
        with Store.open(path) as store:
            spans = [s.span for s in get_article(store, TALKS_ID).sentences]
            for sentence, who, labels, minute, ignored in decisions:
                store.conn.execute(
                    'INSERT OR REPLACE INTO annotations (article_id, start, "end", annotator,'
                    " labels, decided, updated_at, ignored) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                    (TALKS_ID, *spans[sentence], f"a{who}", json.dumps([] if ignored else labels),
                     f"2026-01-01T00:0{minute}:00.000000Z", int(ignored)),
                )  # fmt: skip
                store.conn.execute(
                    'INSERT OR REPLACE INTO gold (article_id, start, "end", reviewer, labels,'
                    " decided, updated_at, note) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                    (TALKS_ID, *spans[sentence], f"r{who}", json.dumps(labels),
                     f"2026-01-01T00:0{minute}:00.000000Z", f"n{number}"),
                )  # fmt: skip
            exported = folder / f"db{number}.jsonl"  # the same decisions, as an export file
            exported.write_text(export_text(store) + export_text(store, gold=True), "utf-8")
        paths.append((path, exported))
    exports = set()
    for attempt in range(2):
        target = Path(shutil.copy(tiny_template, folder / f"target{attempt}.db"))
        # Each source merged as a database or imported as its export, some of them twice.
        shuffled = [order.choice(pair) for pair in paths * 2]
        order.shuffle(shuffled)
        with Store.open(target) as store:
            for path in shuffled:
                if path.suffix == ".db":
                    merge_database(store, path)
                else:
                    result = Importer(store, pipeline_loader=loader).import_file(path)
                    assert result.problems == [], result.problems
            exports.add(export_text(store) + export_text(store, gold=True))
    assert len(exports) == 1
    assert loader.calls == 0


# --- imports --------------------------------------------------------------------------------------


def test_a_killed_import_leaves_whole_articles_and_a_rerun_completes_it(
    empty_store: Store, tmp_path: Path, loader: CountingLoader, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [f"Story number {n}.\n\nFighting went on in town {n}. Talks did not." for n in range(5)]
    path = write_jsonl(tmp_path / "many.jsonl", [{"text": text} for text in texts])
    monkeypatch.setattr(importer_module, "BATCH_ARTICLES", 2)
    real = importer_module.analyse_stream

    def killed_in_the_third_batch(*args, **kwargs):
        for number, analysed in enumerate(real(*args, **kwargs)):
            if number == 4:
                raise KeyboardInterrupt
            yield analysed

    monkeypatch.setattr(importer_module, "analyse_stream", killed_in_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        Importer(empty_store, pipeline_loader=loader).import_file(path)
    assert not empty_store.conn.in_transaction
    whole = empty_store.conn.execute(
        "SELECT a.sentence_count, (SELECT count(*) FROM sentences s WHERE s.article_id = a.id)"
        " FROM articles a"
    ).fetchall()
    assert len(whole) == 4
    assert all(count == stored > 0 for count, stored in whole)
    monkeypatch.setattr(importer_module, "analyse_stream", real)
    result = Importer(empty_store, pipeline_loader=loader).import_file(path)
    assert (result.new_articles, result.duplicates) == (1, 4)
    assert len(article_ids(empty_store)) == 5


def test_a_gold_note_and_ignored_decisions_survive_export_and_import(
    tiny_db: Path, tmp_path: Path, tiny_template: Path, loader: CountingLoader
) -> None:
    with Store.open(tiny_db) as store:
        rev = Decisions(store, GOLD, "rev", SCHEME)
        rev.decide(TALKS_ID, span(store, 0), ["military"], note="auto: unanimous")
        rev.ignore(TALKS_ID, span(store, 1))
        ann = Decisions(store, ANNOTATIONS, "ann", SCHEME)
        ann.decide(TALKS_ID, span(store, 0), ["military"], source="suggested")
        ann.ignore(STORY_ID, span(store, 0, STORY_ID))
        gold, annotations = export_text(store, gold=True), export_text(store)
    assert '"note": "auto: unanimous"' in gold
    assert '"origin": "suggested"' in annotations
    fresh = Path(shutil.copy(tiny_template, tmp_path / "fresh.db"))
    file = tmp_path / "all.jsonl"
    file.write_text(gold + annotations, "utf-8")
    with Store.open(fresh) as store:
        result = Importer(store, pipeline_loader=loader).import_file(file)
        assert result.problems == []
        assert export_text(store, gold=True) == gold
        assert export_text(store) == annotations


def test_lines_written_by_earlier_versions_still_import(
    tiny: Store, tmp_path: Path, loader: CountingLoader
) -> None:
    talks = get_article(tiny, TALKS_ID)
    first = talks.sentences[0]
    line = {  # exactly the fields annotty's first export wrote
        "article_id": TALKS_ID, "title": "Talks", "source": "wire", "sentence": 0,
        "start": first.start, "end": first.end, "text": first.text, "labels": ["military"],
        "annotator": "old", "updated_at": "2026-11-24T18:05:02.123456Z", "entities": [],
    }  # fmt: skip
    result = Importer(tiny, pipeline_loader=loader).import_file(
        write_jsonl(tmp_path / "old.jsonl", [line, {"text": STORY}])
    )
    assert (result.annotations, result.duplicates, result.problems) == (1, 1, [])
    assert Decisions(tiny, ANNOTATIONS, "old", SCHEME).get(TALKS_ID, first.span).labels == (
        "military",
    )


def test_a_line_that_is_nearly_annotty_is_reported_not_made_an_article(
    tiny: Store, tmp_path: Path, loader: CountingLoader
) -> None:
    first = get_article(tiny, TALKS_ID).sentences[0]
    line = {"start": first.start, "end": first.end, "text": first.text, "labels": [],
            "annotator": "x", "updated_at": "2026-11-24T18:05:02Z"}  # fmt: skip
    result = Importer(tiny, pipeline_loader=loader).import_file(
        write_jsonl(tmp_path / "near.jsonl", [line])
    )
    assert (result.status, result.message) == ("error", 'line 1: missing "article_id"')
    assert len(article_ids(tiny)) == 2


# --- the command line under a lock ----------------------------------------------------------------


def test_commands_wait_with_a_message_then_fail_with_one_line(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_cli import run_main

    import annotations.store as store_module

    monkeypatch.setattr(store_module, "LOCK_WAIT", 0.3)
    with held_lock(tiny_db):
        code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "labels", "set", "a,b,c")
        assert code == 1
        assert err.splitlines() == [
            "annotty: waiting for the database (locked by another program)…",
            f"annotty: error: {tiny_db} stayed locked by another program for 0.3 s: nothing was"
            " changed; try again when it is done",
        ]
        # Reading commands go on as if nothing held the lock.
        code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "stats")
        assert (code, err) == (0, "")
        assert "articles   2" in out
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "labels", "set", "a,b,c")
    assert (code, out, err) == (0, "labels: 1 a, 2 b, 3 c\n", "")


def test_a_second_connection_in_this_process_keeps_the_write_ahead_log_safe(
    tiny_db: Path,
) -> None:
    """Opening the database again in this process (a worker's connection) must not drop the
    locks of the first: else another program's close deletes the log and later work is lost."""
    with Store.open(tiny_db) as first, Store.open(tiny_db) as second:
        Decisions(second, ANNOTATIONS, "ann", SCHEME).decide(TALKS_ID, span(second, 0), [])
        # Another program reads and closes: believing itself the last, it would delete the -wal.
        subprocess.run(
            [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
             " c.execute('SELECT count(*) FROM articles').fetchone(); c.close()", str(tiny_db)],
            check=True,
        )  # fmt: skip
        assert Path(f"{tiny_db}-wal").exists()
        Decisions(first, ANNOTATIONS, "ann", SCHEME).decide(TALKS_ID, span(first, 1), ["military"])
    with closing(sqlite3.connect(tiny_db)) as after:
        assert after.execute("SELECT count(*) FROM annotations").fetchone() == (2,)
