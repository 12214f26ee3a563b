"""Tests for `annotty stats`: the JSON object for scripts and the bar charts after the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TALKS_ID
from test_cli import SCHEME, annotty, decide

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import get_article
from annotations.store import Store
from tui.stats_view import bar

pytestmark = pytest.mark.usefixtures("clean_env")


def _decisions(db: Path) -> None:
    decide(db, "alice", TALKS_ID, 0, ["diplomatic", "military"])
    decide(db, "alice", TALKS_ID, 1, [])
    decide(db, "bob", TALKS_ID, 0, ["military"])
    with Store.open(db) as store:
        span = get_article(store, TALKS_ID).sentences[2].span
        Decisions(store, ANNOTATIONS, "bob", SCHEME).ignore(TALKS_ID, span)


def test_bar() -> None:
    assert bar(5, 10, width=10) == "█████░░░░░  50%"
    assert bar(0, 0, width=4) == "░░░░   0%"
    assert bar(3, 3, width=4) == "████ 100%"


def test_stats_json(tiny_db: Path) -> None:
    _decisions(tiny_db)
    result = annotty("--db", tiny_db, "stats", "--json")
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert {k: data[k] for k in ("articles", "sentences", "entities", "labels", "gold")} == {
        "articles": 2,
        "sentences": 6,
        "entities": 6,
        "labels": SCHEME,
        "gold": 0,
    }
    assert data["database"] == str(tiny_db)
    assert data["annotators"] == {
        "alice": {
            "decided": 2,
            "ignored": 0,
            "by_label": {"military": 1, "diplomatic": 1, "heritage_damage": 0},
            "no_label": 1,
        },
        "bob": {
            "decided": 1,
            "ignored": 1,
            "by_label": {"military": 1, "diplomatic": 0, "heritage_damage": 0},
            "no_label": 0,
        },
    }
    agreement = data["agreement"]
    assert agreement["annotators"] == ["alice", "bob"]
    assert list(agreement["labels"]) == SCHEME
    # alice and bob both decided sentence 0 only: both said military, one said diplomatic.
    assert agreement["labels"]["military"]["n"] == 1
    assert agreement["labels"]["military"]["percent_agreement"] == 1.0
    assert agreement["labels"]["diplomatic"]["percent_agreement"] == 0.0


def test_stats_json_without_decisions(tiny_db: Path) -> None:
    data = json.loads(annotty("--db", tiny_db, "stats", "--json").stdout)
    assert (data["annotators"], data["agreement"]) == ({}, None)


def test_stats_draws_bars(tiny_db: Path) -> None:
    _decisions(tiny_db)
    result = annotty("--db", tiny_db, "stats")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "progress (of 6 sentences)" in lines
    # alice decided 2 of 6, bob 1 and ignored 1: both handled 2 of 6 sentences.
    assert f"  alice  {bar(2, 6)}  2" in lines
    assert f"  bob    {bar(2, 6)}  2 (1 ignored)" in lines
    start = lines.index("labels given by alice (share of 2 decided sentences)")
    assert lines[start + 1 : start + 5] == [
        f"  military         {bar(1, 2)}  1",
        f"  diplomatic       {bar(1, 2)}  1",
        f"  heritage damage  {bar(0, 2)}  0",
        f"  no label         {bar(1, 2)}  1",
    ]


def test_stats_without_decisions_draws_no_bars(tiny_db: Path) -> None:
    result = annotty("--db", tiny_db, "stats")
    assert result.exit_code == 0
    assert "█" not in result.stdout and "░" not in result.stdout
