"""Core tests of annotations/overview.py: each annotator's progress per article, read from the
indexes, against a count made the slow way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import add_article
from annotations.model import Analysis, ArticleInput
from annotations.overview import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    article_progress,
    article_titles,
    most_left,
    overview,
    planned_annotators,
    state_counts,
)
from annotations.store import Store

SCHEME = ["military", "diplomatic", "heritage_damage"]


def add(store: Store, number: int, sentences: int) -> tuple[str, list[tuple[int, int]]]:
    """An article of `sentences` one-word sentences; its id and sentence spans."""
    words = [f"Word{number}x{index}." for index in range(sentences)]
    text = " ".join(words)
    spans, start = [], 0
    for word in words:
        spans.append((start, start + len(word)))
        start += len(word) + 1
    identity = add_article(
        store, ArticleInput(text, title=f"Article {number}"), Analysis(spans, []), None
    )
    return identity, spans


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "overview.db") as opened:
        yield opened


def test_progress_per_article_counts_decided_and_ignored_not_undone(store: Store) -> None:
    first, first_spans = add(store, 1, 3)
    second, second_spans = add(store, 2, 2)
    third, _ = add(store, 3, 4)
    alice = Decisions(store, ANNOTATIONS, "alice", SCHEME)
    alice.decide_many(first, [(span, ["military"], None) for span in first_spans[:2]])
    alice.ignore(first, first_spans[2])
    alice.decide(second, second_spans[0], [])
    alice.undo(second)  # an undone decision is no progress
    bob = Decisions(store, ANNOTATIONS, "bob", SCHEME)
    bob.decide(second, second_spans[1], ["diplomatic"])

    rows = article_progress(store)
    assert [(row.id, row.sentences, dict(row.done)) for row in rows] == [
        (first, 3, {"alice": 3}),
        (second, 2, {"bob": 1}),
        (third, 4, {}),
    ]
    assert [row.state("alice") for row in rows] == [DONE, NOT_STARTED, NOT_STARTED]
    assert [row.state("bob") for row in rows] == [NOT_STARTED, IN_PROGRESS, NOT_STARTED]
    assert [row.left(["alice", "bob"]) for row in rows] == [3, 3, 8]
    assert state_counts(rows, ["alice", "bob"]) == {
        "alice": {DONE: 1, IN_PROGRESS: 0, NOT_STARTED: 2},
        "bob": {DONE: 0, IN_PROGRESS: 1, NOT_STARTED: 2},
    }
    # Most left first, library order among equals; finished articles are never listed.
    assert [row.id for row in most_left(rows, ["alice", "bob"], 5)] == [third, first, second]
    assert [row.id for row in most_left(rows, ["alice"], 5)] == [third, second]
    assert [row.id for row in most_left(rows, ["alice"], 1)] == [third]
    assert article_titles(store, [second]) == {second: "Article 2"}
    assert article_titles(store) == {first: "Article 1", second: "Article 2", third: "Article 3"}


def test_an_annotator_with_assignments_is_meant_to_read_those_only(store: Store) -> None:
    first, first_spans = add(store, 1, 2)
    add(store, 2, 3)
    store.conn.execute(
        "INSERT INTO assignments (article_id, annotator, assigned_at) VALUES (?, 'alice', '')",
        (first,),
    )
    Decisions(store, ANNOTATIONS, "bob", SCHEME).decide(first, first_spans[0], [])
    rows = article_progress(store)
    planned = planned_annotators(rows)
    assert planned == {"alice"}
    assert [row.assigned for row in rows] == [{"alice"}, set()]
    assert [row.expects("alice", planned) for row in rows] == [True, False]
    assert [row.expects("bob", planned) for row in rows] == [True, True]
    assert [row.left(["alice", "bob"], planned) for row in rows] == [2 + 1, 3]
    assert state_counts(rows, ["alice", "bob"], planned) == {
        "alice": {DONE: 0, IN_PROGRESS: 0, NOT_STARTED: 1},
        "bob": {DONE: 0, IN_PROGRESS: 1, NOT_STARTED: 1},
    }
    assert most_left(rows, ["alice", "bob"], 5, planned) == rows
    assert [row.id for row in most_left(rows, ["alice"], 5, planned)] == [first]


def test_overview_reads_titles_of_the_articles_listed_only(store: Store) -> None:
    ids = [add(store, number, 2)[0] for number in range(4)]
    add(store, 9, 5)
    Decisions(store, ANNOTATIONS, "alice", SCHEME).decide(ids[1], (0, 8), [])
    result = overview(store, listed=2)
    assert result.annotators == ["alice"]
    assert result.agreement is None
    assert result.unfinished == 5
    assert result.states == {"alice": {DONE: 0, IN_PROGRESS: 1, NOT_STARTED: 4}}
    assert result.listed == most_left(result.articles, ["alice"], 2)
    assert set(result.titles) == {article.id for article in result.listed}
    assert len(overview(store, every_title=True).titles) == 5


def test_an_empty_database(store: Store) -> None:
    result = overview(store)
    assert (result.articles, result.annotators, result.titles) == ([], [], {})
    assert (result.unfinished, result.listed, result.states) == (0, [], {})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=1, max_size=6),
    choices=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 99), st.booleans())
    ),
)
def test_progress_equals_a_count_of_every_row(
    tmp_path_factory: pytest.TempPathFactory,
    sizes: list[int],
    choices: list[tuple[str, int, bool]],
) -> None:
    with Store.open(tmp_path_factory.mktemp("progress") / "p.db") as store:
        articles = [add(store, number, size) for number, size in enumerate(sizes)]
        sentences = [(identity, span) for identity, spans in articles for span in spans]
        expected: dict[str, dict[str, set]] = {}
        for name, pick, ignore in choices:
            identity, span = sentences[pick % len(sentences)]
            decisions = Decisions(store, ANNOTATIONS, name, SCHEME)
            if ignore:
                decisions.ignore(identity, span)
            else:
                decisions.decide(identity, span, ["military"])
            expected.setdefault(identity, {}).setdefault(name, set()).add(span)
        rows = article_progress(store)
        assert [row.id for row in rows] == [identity for identity, _ in articles]
        for row, size in zip(rows, sizes, strict=True):
            assert row.sentences == size
            done = {name: len(spans) for name, spans in expected.get(row.id, {}).items()}
            assert dict(row.done) == done
        names = sorted({name for name, _, _ in choices})
        order = sorted(
            (row for row in rows if row.left(names)),
            key=lambda row: (-sum(row.sentences - row.done.get(n, 0) for n in names), row.rowid),
        )
        assert most_left(rows, names, 3) == order[:3]
