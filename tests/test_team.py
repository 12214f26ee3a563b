"""Tests for annotations.team: the plan, balanced and deterministic assignment, re-runs, and
progress against the plan (decided, ignored, reached overlap)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from team_helpers import add_articles, assignments, loads

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.errors import AnnottyError, InputError
from annotations.library import get_article
from annotations.listing import list_articles
from annotations.review import accept_unanimous
from annotations.store import Store
from annotations.team import (
    Plan,
    annotator_progress,
    assign,
    assigned_annotators,
    coverage,
    get_plan,
    parse_annotators,
    progress,
    reached_articles,
)

TEAM = ["alice", "bob", "carol"]
SCHEME = ["military", "diplomatic", "heritage_damage"]


def finish(store: Store, who: str, identity: str, labels: tuple[str, ...] = ()) -> None:
    """Decide every sentence of an article as `who`."""
    decisions = Decisions(store, ANNOTATIONS, who, SCHEME)
    for sentence in get_article(store, identity).sentences:
        decisions.decide(identity, sentence.span, labels)


def test_every_article_goes_to_overlap_annotators_balanced_by_sentences(
    empty_store: Store,
) -> None:
    sizes = [3 + (i * 7) % 17 for i in range(30)]
    ids = add_articles(empty_store, sizes)
    done = assign(empty_store, TEAM, 2, seed=7)
    assert (done.articles, done.assignments, done.released) == (30, 60, 0)
    given = assignments(empty_store)
    assert set(given) == set(ids)
    assert all(len(names) == 2 and names <= set(TEAM) for names in given.values())
    load = loads(empty_store)
    assert sum(load.values()) == 2 * sum(sizes)
    assert max(load.values()) - min(load.values()) <= max(sizes)
    assert get_plan(empty_store) == Plan(("alice", "bob", "carol"), 2, 0, 7)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=25),
    team=st.integers(1, 5),
    overlap_share=st.floats(0, 1),
    seed=st.integers(0, 2**31),
)
def test_loads_differ_by_at_most_one_article(
    tmp_path_factory: pytest.TempPathFactory,
    sizes: list[int],
    team: int,
    overlap_share: float,
    seed: int,
) -> None:
    overlap = 1 + int(overlap_share * (team - 1))
    names = [f"a{i}" for i in range(team)]
    with Store.open(tmp_path_factory.mktemp("plan") / "p.db") as store:
        add_articles(store, sizes)
        assign(store, names, overlap, seed=seed)
        load = {name: 0 for name in names} | loads(store)
        assert max(load.values()) - min(load.values()) <= max(sizes)
        assert all(len(v) == overlap for v in assignments(store).values())


def test_the_same_inputs_give_the_same_assignments(tmp_path: Path, empty_store: Store) -> None:
    add_articles(empty_store, [5] * 12 + [9, 9, 2])  # many ties
    empty_store.close()
    copy = Path(shutil.copy(empty_store.path, tmp_path / "copy.db"))
    other = Path(shutil.copy(empty_store.path, tmp_path / "other.db"))
    results = []
    for path, seed in ((empty_store.path, 1), (copy, 1), (other, 2)):
        with Store.open(path) as store:
            assign(store, TEAM, 2, seed=seed)
            results.append(assignments(store))
    assert results[0] == results[1]
    assert results[0] != results[2]  # the seed breaks the ties


def test_calibration_articles_go_to_everyone(empty_store: Store) -> None:
    ids = add_articles(empty_store, [4] * 10)
    done = assign(empty_store, TEAM, 1, calibration=3)
    assert done.calibration == 3
    rows = coverage(empty_store)
    calibrated = [row for row in rows if row.calibration]
    assert len(calibrated) == 3
    assert all(set(row.assigned) == set(TEAM) for row in calibrated)
    assert all(len(row.assigned) == 1 for row in rows if not row.calibration)
    assert {row.article_id for row in rows} == set(ids)
    assert max(loads(empty_store).values()) - min(loads(empty_store).values()) <= 4
    # The total only grows; asking for fewer is an error, asking again for the same is a no-op.
    assert assign(empty_store).assignments == 0
    with pytest.raises(AnnottyError, match="already 3 calibration articles"):
        assign(empty_store, calibration=1)


def test_rerun_assigns_only_new_articles_and_never_moves_one(empty_store: Store) -> None:
    add_articles(empty_store, [6, 5, 4, 3])
    assign(empty_store, TEAM, 2)
    before = empty_store.conn.execute("SELECT * FROM assignments ORDER BY 1, 2").fetchall()
    assert assign(empty_store).assignments == 0
    new = add_articles(empty_store, [8, 2], first=100)
    done = assign(empty_store)  # the stored plan
    assert (done.articles, done.assignments) == (2, 4)
    after = empty_store.conn.execute("SELECT * FROM assignments ORDER BY 1, 2").fetchall()
    assert set(before) <= set(after)
    assert all(len(assignments(empty_store)[i]) == 2 for i in new)


def test_a_larger_overlap_tops_up_and_a_new_annotator_takes_the_new_work(
    empty_store: Store,
) -> None:
    add_articles(empty_store, [5] * 6)
    assign(empty_store, ["alice", "bob"], 1)
    assign(empty_store, overlap=2)
    assert all(v == {"alice", "bob"} for v in assignments(empty_store).values())
    add_articles(empty_store, [5] * 4, first=50)
    assign(empty_store, TEAM, 2)
    load = loads(empty_store)
    assert load["carol"] == 20  # she had nothing: she gets all four new articles
    assert get_plan(empty_store) == Plan(tuple(TEAM), 2, 0, 0)


def test_a_dropped_annotator_gives_back_only_unfinished_work(empty_store: Store) -> None:
    ids = add_articles(empty_store, [3] * 6)
    assign(empty_store, TEAM, 2)
    carols = [i for i, names in assignments(empty_store).items() if "carol" in names]
    finish(empty_store, "carol", carols[0], ("military",))
    Decisions(empty_store, ANNOTATIONS, "carol", SCHEME).decide(
        carols[1], get_article(empty_store, carols[1]).sentences[0].span, ["diplomatic"]
    )
    decisions = empty_store.conn.execute("SELECT * FROM annotations ORDER BY 1, 2").fetchall()
    done = assign(empty_store, ["alice", "bob", "dave"], 2)
    assert done.released == len(carols) - 1
    given = assignments(empty_store)
    assert "carol" in given[carols[0]]  # finished: kept, it counts toward the overlap
    assert all("carol" not in given[i] for i in carols[1:])
    assert all(len(given[i]) == 2 for i in ids)
    assert empty_store.conn.execute("SELECT * FROM annotations ORDER BY 1, 2").fetchall() == (
        decisions
    )
    carol = [row for row in progress(empty_store) if row.annotator == "carol"]
    assert carol[0].in_plan is False and carol[0].articles == 1


def test_only_the_named_articles(empty_store: Store) -> None:
    ids = add_articles(empty_store, [3, 4, 5])
    done = assign(empty_store, TEAM, 3, articles=[ids[1][:6]])
    assert done.articles == 1
    assert set(assignments(empty_store)) == {ids[1]}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"annotators": TEAM, "overlap": 4}, "overlap 4 needs at least 4 annotators"),
        ({"annotators": TEAM, "overlap": 0}, "overlap must be at least 1"),
        ({"overlap": 2}, "no plan yet"),
        ({"annotators": ["a", "a"]}, "named twice"),
        ({"annotators": [" "]}, "annotator name is empty"),
        ({"annotators": ["x" * 65]}, "at most 64"),
        ({"annotators": TEAM, "articles": ["nope"]}, "no article with id 'nope'"),
        ({"annotators": TEAM, "calibration": 4}, "calibration 4 needs 4 more articles"),
        ({"annotators": TEAM, "calibration": -1}, "calibration must be 0 or more"),
    ],
)
def test_errors_change_nothing(empty_store: Store, kwargs: dict, message: str) -> None:
    add_articles(empty_store, [2, 3, 4])
    with pytest.raises((AnnottyError, InputError), match=message):
        assign(empty_store, **kwargs)
    assert empty_store.value("SELECT count(*) FROM assignments") == 0
    assert get_plan(empty_store) is None


def test_an_empty_library_cannot_be_assigned(empty_store: Store) -> None:
    with pytest.raises(AnnottyError, match="no articles to assign"):
        assign(empty_store, TEAM, 2)


def test_parse_annotators_cleans_names() -> None:
    assert parse_annotators("alice, bob ,carol") == TEAM
    with pytest.raises(InputError, match="empty"):
        parse_annotators("alice,,bob")


def test_progress_counts_decided_and_ignored_apart_and_reached_needs_everyone(
    empty_store: Store,
) -> None:
    ids = add_articles(empty_store, [2, 3])
    assign(empty_store, ["alice", "bob"], 2)
    first = get_article(empty_store, ids[0])
    alice = Decisions(empty_store, ANNOTATIONS, "alice", SCHEME)
    alice.decide(ids[0], first.sentences[0].span, ["military"])
    alice.ignore(ids[0], first.sentences[1].span)
    # Decisions outside the assignment do not count toward it.
    Decisions(empty_store, ANNOTATIONS, "zoe", SCHEME).decide(ids[0], first.sentences[0].span, [])
    mine = annotator_progress(empty_store, "alice")
    assert mine is not None
    assert (mine.articles, mine.sentences, mine.decided, mine.ignored) == (2, 5, 1, 1)
    assert (mine.done, mine.remaining, mine.finished) == (2, 3, 1)
    assert annotator_progress(empty_store, "zoe") is None
    assert reached_articles(empty_store) == []
    finish(empty_store, "bob", ids[0])
    assert reached_articles(empty_store) == [ids[0]]
    alice.undo(ids[0])  # the ignore: alice has not finished any more
    assert reached_articles(empty_store) == []
    assert [row.annotator for row in progress(empty_store)] == ["alice", "bob"]
    assert assigned_annotators(empty_store, ids[0]) == ["alice", "bob"]


def test_the_library_lists_an_annotators_assigned_articles_first(empty_store: Store) -> None:
    ids = add_articles(empty_store, [2, 9, 3, 8])
    assign(empty_store, ["alice", "bob"], 1)
    alices = {i for i, names in assignments(empty_store).items() if "alice" in names}
    listed = list_articles(empty_store, "alice")
    flags = [article.assigned for article in listed]
    assert flags == sorted(flags, reverse=True) and sum(flags) == len(alices)
    assert {a.id for a in listed if a.assigned} == alices
    # Each part keeps library order; someone with no assignment sees plain library order.
    assert [a.id for a in listed if a.assigned] == [i for i in ids if i in alices]
    assert [a.id for a in list_articles(empty_store, "lead")] == ids


def test_unanimous_on_an_assigned_article_means_its_annotators_agree(empty_store: Store) -> None:
    (identity,) = add_articles(empty_store, [3])
    assign(empty_store, ["alice", "bob"], 2)
    finish(empty_store, "alice", identity, ("military",))
    finish(empty_store, "bob", identity, ("military",))
    # carol was chosen but was never meant to read it: it is still unanimous.
    changes = accept_unanimous(empty_store, "rev", TEAM, identity)
    assert len(changes) == 3
