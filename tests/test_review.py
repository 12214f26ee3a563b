"""Pilot tests of the review screen: annotators side by side, and the reviewer's gold decisions.

Votes on the sample (sentence index: alice / bob / carol):
    0: military / military / military        unanimous
    1: military / diplomatic / military      disagreement; majority (of 3) military
    3: none / heritage_damage / heritage_damage   disagreement; majority (of 3) heritage_damage
    5: diplomatic / diplomatic / -           alike (unanimous for alice and bob only)
    7: none / none / none                    unanimous "no label"
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.export import export_records
from annotations.review import AUTO_NOTE
from annotations.store import Store
from tui.screens.review import ReviewScreen
from tui_helpers import (
    SAMPLE_ID,
    SCHEME,
    SIZE,
    committed_annotations,
    committed_gold,
    fresh_db,
    make_app,
    position,
    row_of,
    screen_text,
    spans,
    view_rows,
    visible_sentences,
)

pytestmark = pytest.mark.anyio

REVIEWER = "rev"
VOTES = {
    "alice": {0: ["military"], 1: ["military"], 3: [], 5: ["diplomatic"], 7: []},
    "bob": {0: ["military"], 1: ["diplomatic"], 3: ["heritage_damage"], 5: ["diplomatic"], 7: []},
    "carol": {0: ["military"], 1: ["military"], 3: ["heritage_damage"], 7: []},
}
GUTTER = (len("alice") + 1) + (len(SCHEME) + 1) + 2 + len(SCHEME)
"""alice's and bob's columns (as wide as their names, at least one cell per label) and a space
each, the agreement mark and a space, then gold."""


@pytest.fixture
def tui_store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(fresh_db(tmp_path_factory, tmp_path)) as store:
        sample = spans(store)
        for name, votes in VOTES.items():
            decisions = Decisions(store, ANNOTATIONS, name, SCHEME)
            decisions.decide_many(
                SAMPLE_ID, [(sample[index], labels, None) for index, labels in votes.items()]
            )
        yield store


def review(app) -> ReviewScreen:
    screen = app.screen
    assert isinstance(screen, ReviewScreen), type(screen).__name__
    return screen


def gold_marks(screen: ReviewScreen, index: int) -> str:
    width = screen.gutter_cells()
    return row_of(screen, index)[width - len(SCHEME) : width]


async def test_gutters_show_each_annotators_labels_and_the_gold(tui_store: Store) -> None:
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE):
        screen = review(app)
        assert position(screen)[0] == 2, "opens on the first disagreement"
        gutters = {index: row_of(screen, index)[:GUTTER] for index in (0, 1, 2, 3, 5, 7)}
        assert gutters == {
            0: "1··   1·· =    ",
            1: "1··   ·2· ≠    ",
            2: " " * GUTTER,
            3: "···   ··3 ≠    ",
            5: "·2·   ·2· =    ",
            7: "···   ··· =    ",
        }
        status = screen_text(screen, "#status")
        assert "disagreements 2" in status and "sentence 2/25" in status
        assert status.startswith(REVIEWER)
        assert screen_text(screen, "#columns").split() == ["alice", "bob", "gold"]
        assert screen_text(screen, "#agreement").startswith("agreement here: military α")


async def test_d_and_shift_d_move_between_disagreements(tui_store: Store) -> None:
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        for key, expected in [("d", 4), ("d", 2), ("D", 4), ("D", 2), ("G", 25), ("d", 2)]:
            await pilot.press(key)
            assert position(screen)[0] == expected, key
        assert committed_gold(tui_store.path) == {}


async def test_number_keys_toggle_gold_for_the_reviewer(tui_store: Store) -> None:
    path = tui_store.path
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        await pilot.press("2")
        assert committed_gold(path) == {1: (["diplomatic"], True, REVIEWER, None)}
        assert gold_marks(screen, 1) == "·2·"
        await pilot.press("3", "1")
        assert committed_gold(path) == {1: (list(SCHEME), True, REVIEWER, None)}
        await pilot.press("7")  # beyond the scheme
        assert committed_gold(path)[1][0] == list(SCHEME)
        # Gold is its own layer: nobody's annotations changed.
        assert committed_annotations(path, REVIEWER) == {}
        assert committed_annotations(path, "alice")[1] == (["military"], True)
        assert committed_annotations(path, "bob")[1] == (["diplomatic"], True)
        assert "gold ░░░░░ 1/25" in screen_text(screen, "#status")


async def test_majority_of_three_is_accepted(tui_store: Store) -> None:
    app = make_app(tui_store, REVIEWER, review=["alice", "bob", "carol"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        assert position(screen)[0] == 2
        await pilot.press("a")
        assert committed_gold(tui_store.path) == {1: (["military"], True, REVIEWER, None)}
        await pilot.press("d", "a")
        assert committed_gold(tui_store.path)[3] == (["heritage_damage"], True, REVIEWER, None)
        assert app.notifications[-1] == (
            "gold: heritage damage (from bob, carol) · set 1 of 2, a again for the next"
        )
        await pilot.press("k", "a")  # sentence 3: nobody decided it
        assert 2 not in committed_gold(tui_store.path)
        assert app.notifications[-1] == "nobody decided this sentence: gold unchanged"


async def test_a_cycles_through_a_tie(tui_store: Store) -> None:
    gold = committed_gold
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        await pilot.press("a")
        assert gold(tui_store.path) == {1: (["military"], True, REVIEWER, None)}
        assert app.notifications[-1] == (
            "gold: military (from alice) · set 1 of 2, a again for the next"
        )
        await pilot.press("a")
        assert gold(tui_store.path) == {1: (["diplomatic"], True, REVIEWER, None)}
        assert app.notifications[-1] == (
            "gold: diplomatic (from bob) · set 2 of 2, a again for the next"
        )
        await pilot.press("a")
        assert gold(tui_store.path)[1][0] == ["military"], "round again"
        await pilot.press("3", "a")  # gold none of them gave: back to the first set
        assert gold(tui_store.path)[1][0] == ["military"]
        assert position(screen)[0] == 2, "a decides; it does not move"


async def test_space_and_d_never_skip_a_sentence_needing_gold(tui_store: Store) -> None:
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        assert position(screen)[0] == 2, "opens on the first disagreement without gold"
        await pilot.press("a", "space")
        assert position(screen)[0] == 4, "space: the next disagreement first"
        await pilot.press("d")
        assert position(screen)[0] == 4, "d: the only disagreement still without gold"
        await pilot.press("a", "space")
        assert position(screen)[0] == 5, "no disagreement left: the next sentence without gold"
        await pilot.press("d")
        assert app.notifications[-1] == "every disagreement here has gold"
        assert set(committed_gold(tui_store.path)) == {1, 3}


async def test_space_confirms_gold_and_u_undoes(tui_store: Store) -> None:
    path = tui_store.path
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        await pilot.press("space")  # no gold yet: confirms "no label"
        assert committed_gold(path) == {1: ([], True, REVIEWER, None)}
        assert position(screen)[0] == 4, "on to the next disagreement without gold"
        await pilot.press("1", "enter")
        assert committed_gold(path)[3] == (["military"], True, REVIEWER, None)
        assert position(screen)[0] == 5, "then the next sentence without gold"
        await pilot.press("k", "space")  # already gold: unchanged, and on
        assert committed_gold(path)[3] == (["military"], True, REVIEWER, None)
        assert position(screen)[0] == 5

        await pilot.press("u")
        assert committed_gold(path)[3] == ([], False, REVIEWER, None)
        assert position(screen)[0] == 4
        await pilot.press("ctrl+z")
        assert committed_gold(path)[1] == ([], False, REVIEWER, None)
        await pilot.press("ctrl+y")
        assert committed_gold(path)[1] == ([], True, REVIEWER, None)


async def test_f_shows_only_the_disagreements(tui_store: Store) -> None:
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        await pilot.press("f")
        assert visible_sentences(screen) == [1, 3]
        marks = {row[GUTTER - len(SCHEME) - 2] for row in view_rows(screen) if row[:GUTTER].strip()}
        assert marks == {"≠"}, "only disagreements are drawn"
        await pilot.press("j")
        assert position(screen)[0] == 4
        await pilot.press("j")
        assert position(screen)[0] == 2, "wraps round the disagreements"
        await pilot.press("space")  # confirm: the next one without gold among those shown
        assert position(screen)[0] == 4
        await pilot.press("f")
        assert visible_sentences(screen) == list(range(25))
        assert position(screen)[0] == 4
        await pilot.press("j")
        assert position(screen)[0] == 5


async def test_one_annotator_has_no_disagreements_to_show(tui_store: Store) -> None:
    app = make_app(tui_store, REVIEWER, review=["alice"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        assert "disagreements 0" in screen_text(screen, "#status")
        assert position(screen)[0] == 1
        await pilot.press("f")
        assert app.notifications[-1] == "no disagreements in this article"
        assert visible_sentences(screen) == list(range(25))
        await pilot.press("j", "d")
        assert app.notifications[-1] == "no disagreements in this article"
        assert position(screen)[0] == 2
        await pilot.press("a")  # one vote is a majority
        assert committed_gold(tui_store.path) == {1: (["military"], True, REVIEWER, None)}


async def test_shift_a_accepts_the_unanimous_sentences_as_one_step(tui_store: Store) -> None:
    path = tui_store.path
    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = review(app)
        await pilot.press("g", "2")  # gold given by hand is kept
        await pilot.press("A")
        assert committed_gold(path) == {
            0: (["diplomatic"], True, REVIEWER, None),
            5: (["diplomatic"], True, REVIEWER, AUTO_NOTE),
            7: ([], True, REVIEWER, AUTO_NOTE),
        }
        assert AUTO_NOTE == "auto: unanimous"
        assert app.notifications[-1] == "accepted 2 unanimous sentences as gold"
        assert gold_marks(screen, 5) == "·2·"
        assert gold_marks(screen, 7) == "···"
        assert "gold █░░░░ 3/25" in screen_text(screen, "#status")
        records = {r["sentence"]: r for r in export_records(tui_store, gold=True)}
        assert records[5]["labels"] == ["diplomatic"]
        assert records[5]["votes"]["alice"] == ["diplomatic"]

        await pilot.press("A")
        assert app.notifications[-1] == "accepted 0 unanimous sentences as gold"
        await pilot.press("u")  # both accepted at once, undone at once
        gold = committed_gold(path)
        assert (gold[5][1], gold[7][1], gold[0][1]) == (False, False, True)
        assert gold_marks(screen, 5) == "   "


async def test_unanimous_means_every_chosen_annotator(tui_store: Store) -> None:
    app = make_app(tui_store, REVIEWER, review=["alice", "bob", "carol"])
    async with app.run_test(size=SIZE) as pilot:
        review(app)
        await pilot.press("A")
        assert committed_gold(tui_store.path) == {
            0: (["military"], True, REVIEWER, AUTO_NOTE),
            7: ([], True, REVIEWER, AUTO_NOTE),
        }


async def test_q_leaves_for_the_review_library_and_enter_reviews_there(tui_store: Store) -> None:
    from tui.screens.review_library import ReviewLibraryScreen

    app = make_app(tui_store, REVIEWER, review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        review(app)
        await pilot.press("a", "q")
        library = app.screen
        assert isinstance(library, ReviewLibraryScreen)
        await app.workers.wait_for_complete()  # the overview is counted in a worker
        await pilot.pause()
        top = library.rows[0]
        assert top.id == SAMPLE_ID, "the article with open disagreements comes first"
        assert (top.disagreements, top.open_disagreements, top.gold) == (2, 1, 1)
        title = screen_text(library, "#library-title")
        assert "1 disagreement without gold" in title and "db annotty.db" in title
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.article.id == SAMPLE_ID
