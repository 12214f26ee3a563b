"""Pilot tests: keys that arrive together (typed ahead of the screen, or pasted) do exactly what
the same keys do pressed one at a time, each after the last has been saved.

A terminal delivers typed-ahead keys in one read, and Textual handles every key's event before it
runs the first key's binding: before the screen ran its keys itself, a burst such as
`1 space space 2` ran `2` on the first sentence (the `space`s were held behind the write of `1`,
the `2` was not), and `1` was lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.store import Store
from tui.screens.article_screen import ArticleScreen
from tui_helpers import (
    SAMPLE_ID,
    SCHEME,
    SIZE,
    committed_annotations,
    committed_gold,
    fresh_db,
    make_app,
    position,
    settle_writes,
    spans,
)

pytestmark = pytest.mark.anyio

CHARACTERS = {"space": " ", "enter": "\r", "exclamation_mark": "!", "ampersand": "&"}

READER_BURSTS = [
    "1 space space 2 space 3 space 1 2 space space",
    "1 2 3 space j j 2 space k k u 3 space",
    "x 1 space u u 2 space ctrl+y g 3 3 space",
    "3 j 1 k space 2 space G 1 space",
    "m 1 2 3 x space m 1 space exclamation_mark ampersand",
]


def character(key: str) -> str | None:
    return CHARACTERS.get(key, key if len(key) == 1 else None)


async def burst(pilot, screen: ArticleScreen, keys: list[str]) -> None:
    """Post every key at once, as a terminal's read of typed-ahead keys does, then let the app
    run until none is held and no write is in flight (bounded by steps, never by a clock)."""
    for key in keys:
        pilot.app.post_message(events.Key(key, character(key)))
    for _ in range(400):
        await pilot.pause()
        await settle_writes(pilot.app)
        if not screen._held and not screen._writes:
            return
    raise AssertionError(f"keys still held: {screen._held}")


async def one_at_a_time(pilot, keys: list[str]) -> None:
    for key in keys:
        await pilot.press(key)  # make_app's press waits for the key's write


async def run(store: Store, keys: list[str], together: bool, **options):
    app = make_app(store, **options)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        if together:
            await burst(pilot, screen, keys)
        else:
            await one_at_a_time(pilot, keys)
        states = [screen.state(index) for index in range(len(screen.article.sentences))]
        shown = [(state.labels, state.decided, state.ignored) for state in states]
        return position(screen), shown


@pytest.mark.parametrize("keys", READER_BURSTS)
async def test_a_burst_of_reader_keys_does_what_the_keys_do_one_at_a_time(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, keys: str
) -> None:
    outcomes = []
    for together in (False, True):
        folder = tmp_path / ("burst" if together else "one")
        folder.mkdir()
        with Store.open(fresh_db(tmp_path_factory, folder)) as store:
            where, shown = await run(store, keys.split(), together)
            outcomes.append((where, shown, committed_annotations(store.path)))
    (one, together) = outcomes
    assert together == one
    assert one[2], "the keys decided something"


async def test_the_burst_from_the_report_tags_each_sentence_it_reached(
    tui_store: Store,
) -> None:
    where, _ = await run(tui_store, READER_BURSTS[0].split(), together=True)
    assert committed_annotations(tui_store.path) == {
        0: (["military"], True),
        1: ([], True),
        2: (["diplomatic"], True),
        3: (["heritage_damage"], True),
        4: (["military", "diplomatic"], True),
        5: ([], True),
    }
    assert where[0] == 7


@pytest.fixture
def review_store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(fresh_db(tmp_path_factory, tmp_path)) as store:
        sample = spans(store)
        votes = {
            "alice": {1: ["military"], 3: [], 5: ["diplomatic"]},
            "bob": {1: ["diplomatic"], 3: ["heritage_damage"], 5: ["military"]},
        }
        for name, given in votes.items():
            Decisions(store, ANNOTATIONS, name, SCHEME).decide_many(
                SAMPLE_ID, [(sample[index], labels, None) for index, labels in given.items()]
            )
        yield store


async def test_a_burst_of_review_keys_settles_each_disagreement_it_reached(
    review_store: Store,
) -> None:
    keys = ["a", "space", "2", "3", "space", "a", "a", "space"]
    await run(review_store, keys, True, review=["alice", "bob"])
    gold = committed_gold(review_store.path)
    assert {index: labels for index, (labels, *_rest) in gold.items()} == {
        1: ["military"],
        3: ["diplomatic", "heritage_damage"],
        5: ["military"],
    }
