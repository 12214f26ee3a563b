"""Tests for annotations.handout (a database per annotator) and annotations.remove (rm)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from team_helpers import add_articles, assignments

from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.errors import AnnottyError, StoreError
from annotations.handout import handout
from annotations.library import article_ids, get_article
from annotations.merge import merge_database
from annotations.positions import save_position
from annotations.remove import at_stake, remove_articles
from annotations.store import Store
from annotations.team import assign, get_plan

TEAM = ["alice", "bob", "carol"]
SCHEME = ["military", "diplomatic", "heritage_damage"]


@pytest.fixture
def lead(empty_store: Store) -> Store:
    """A lead's database: six articles at overlap 2, a scheme with display names, a pattern."""
    add_articles(empty_store, [3, 4, 5, 2, 6, 3])
    assign(empty_store, TEAM, 2, seed=3)
    with empty_store.write():
        empty_store.conn.execute("UPDATE labels SET display = 'Military action' WHERE position = 1")
        empty_store.conn.execute(
            "INSERT INTO patterns (label, pattern) VALUES ('military', ?)",
            (json.dumps({"label": "military", "pattern": [{"lower": "troops"}]}),),
        )
        empty_store.conn.execute(
            "INSERT INTO settings (scope, key, value) VALUES ('bob', 'theme', '\"dark\"')"
        )
    return empty_store


def of(store: Store, who: str) -> list[str]:
    return [i for i in article_ids(store) if who in assignments(store)[i]]


def table(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def decide_all(store: Store, who: str, identity: str, labels: list[str]) -> None:
    decisions = Decisions(store, ANNOTATIONS, who, SCHEME)
    for sentence in get_article(store, identity).sentences:
        decisions.decide(identity, sentence.span, labels)


def test_a_handout_holds_exactly_the_annotators_articles(lead: Store, tmp_path: Path) -> None:
    alices = of(lead, "alice")
    others = [i for i in article_ids(lead) if i not in alices]
    decide_all(lead, "alice", alices[0], ["military"])
    decide_all(lead, "bob", alices[0], ["diplomatic"])
    save_position(lead, "alice", "reader", alices[0], 1)
    out = tmp_path / "alice.db"
    done = handout(lead, "alice", out)
    decided = len(get_article(lead, alices[0]).sentences)
    assert (done.articles, done.decisions) == (len(alices), decided)
    with Store.open(out, create=False) as mine:
        assert article_ids(mine) == alices
        for identity in alices:
            assert get_article(mine, identity) == get_article(lead, identity)
        assert get_plan(mine) == get_plan(lead)
        assert mine.conn.execute("SELECT * FROM labels").fetchall() == (
            lead.conn.execute("SELECT * FROM labels").fetchall()
        )
        assert mine.conn.execute("SELECT * FROM patterns").fetchall() == (
            lead.conn.execute("SELECT * FROM patterns").fetchall()
        )
        assert mine.value("SELECT count(*) FROM settings WHERE scope = 'bob'") == 0
        assert {row[0] for row in mine.conn.execute("SELECT annotator FROM assignments")} == {
            "alice"
        }
        assert mine.value("SELECT count(*) FROM assignments") == len(alices)
        assert {r[0] for r in mine.conn.execute("SELECT annotator FROM annotations")} == {"alice"}
        assert Decisions(mine, ANNOTATIONS, "alice", SCHEME).can_undo(alices[0])
        assert mine.value("SELECT article_id FROM positions") == alices[0]
        held = {row[0] for row in mine.conn.execute("SELECT article_id FROM sentences")}
        assert held == set(alices) and not held & set(others)
    assert not Path(f"{out}.partial").exists()


def test_with_decisions_brings_everyones_on_her_articles_only(lead: Store, tmp_path: Path) -> None:
    alices = of(lead, "alice")
    not_hers = next(i for i in article_ids(lead) if i not in alices)
    decide_all(lead, "bob", alices[0], ["diplomatic"])
    decide_all(lead, "bob", not_hers, ["military"])
    span = get_article(lead, alices[0]).sentences[0].span
    Decisions(lead, GOLD, "rev", SCHEME).decide(alices[0], span, ["diplomatic"])
    out = tmp_path / "alice.db"
    handout(lead, "alice", out, with_decisions=True)
    rows = table(out, "SELECT DISTINCT article_id, annotator FROM annotations")
    assert rows == [(alices[0], "bob")]
    assert table(out, "SELECT article_id, reviewer FROM gold") == [(alices[0], "rev")]
    plain = tmp_path / "plain.db"
    handout(lead, "alice", plain)
    assert table(plain, "SELECT count(*) FROM annotations") == [(0,)]
    assert table(plain, "SELECT count(*) FROM gold") == [(0,)]


def test_a_handout_never_overwrites_unless_forced(lead: Store, tmp_path: Path) -> None:
    out = tmp_path / "alice.db"
    out.write_bytes(b"precious")
    with pytest.raises(StoreError, match="already exists"):
        handout(lead, "alice", out)
    assert out.read_bytes() == b"precious"
    Path(f"{out}-wal").write_bytes(b"stale")
    handout(lead, "alice", out, force=True)
    assert not Path(f"{out}-wal").exists()
    with Store.open(out, create=False) as mine:
        assert article_ids(mine) == of(lead, "alice")
    with pytest.raises(StoreError, match="being handed out from"):
        handout(lead, "alice", lead.path, force=True)
    with pytest.raises(StoreError, match=r"cannot create .*/nowhere/alice\.db: folder"):
        handout(lead, "alice", tmp_path / "nowhere" / "alice.db")
    with pytest.raises(AnnottyError, match="nothing is assigned to zoe"):
        handout(lead, "zoe", tmp_path / "zoe.db")
    assert not (tmp_path / "zoe.db").exists()


def test_work_on_a_handout_merges_back_into_the_plan(lead: Store, tmp_path: Path) -> None:
    out = tmp_path / "bob.db"
    handout(lead, "bob", out)
    with Store.open(out) as mine:
        for identity in article_ids(mine):
            decide_all(mine, "bob", identity, ["military"])
    counts = merge_database(lead, out)
    assert counts.articles_added == 0 and counts.unmatched == 0
    bobs = of(lead, "bob")
    assert counts.added == sum(len(get_article(lead, i).sentences) for i in bobs)


# --- rm -------------------------------------------------------------------------------------------


def rows_naming(store: Store, value: str) -> dict[str, int]:
    """Per table and column, how many rows hold exactly `value`: every table of the schema."""
    found: dict[str, int] = {}
    query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    tables = [row[0] for row in store.conn.execute(query)]
    assert {"articles", "history", "positions", "assignments"} <= set(tables)
    for name in tables:
        for column in store.conn.execute(f'PRAGMA table_info("{name}")'):
            count = store.value(f'SELECT count(*) FROM "{name}" WHERE "{column[1]}" = ?', (value,))
            if count:
                found[f"{name}.{column[1]}"] = int(count)  # type: ignore[arg-type]
    return found


def test_rm_leaves_no_row_of_the_article_in_any_table(lead: Store) -> None:
    gone, kept = article_ids(lead)[:2]
    for identity in (gone, kept):
        decide_all(lead, "alice", identity, ["military"])
        Decisions(lead, ANNOTATIONS, "alice", SCHEME).undo(identity)
        decide_all(lead, "bob", identity, [])
        span = get_article(lead, identity).sentences[0].span
        Decisions(lead, GOLD, "rev", SCHEME).decide(identity, span, ["military"])
        save_position(lead, "alice", "reader", identity, 2)
    before = rows_naming(lead, gone)
    assert {"sentences.article_id", "gold.article_id", "history.article_id"} <= set(before)
    kept_before = rows_naming(lead, kept)
    stake = at_stake(lead, gone)
    assert stake.annotators == ("alice", "bob", "rev")
    removed = remove_articles(lead, [gone, gone])
    assert removed.articles == 1
    assert rows_naming(lead, gone) == {}
    assert rows_naming(lead, kept) == kept_before
    assert removed.count("sentences") == before["sentences.article_id"]
    assert removed.count("assignments") == 2
    assert removed.decisions == before["annotations.article_id"] + before["gold.article_id"]


def test_rm_is_all_or_nothing(lead: Store) -> None:
    ids = article_ids(lead)
    counts = {t: lead.value(f"SELECT count(*) FROM {t}") for t in ("sentences", "assignments")}
    # The second article cannot be deleted: the first must come back too.
    lead.conn.execute(
        "CREATE TEMP TRIGGER refuse BEFORE DELETE ON articles WHEN old.id = ?2"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END".replace("?2", repr(ids[1]))
    )
    with pytest.raises(sqlite3.IntegrityError, match="refused"):
        remove_articles(lead, ids[:2])
    assert article_ids(lead) == ids
    assert counts == {t: lead.value(f"SELECT count(*) FROM {t}") for t in counts}
