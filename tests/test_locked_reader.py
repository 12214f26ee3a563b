"""Pilot tests: another program holding the database's write lock costs no keystroke and no
crash. Keys wait in order while the lock is held, the screen says so, and every decision is drawn
once it is committed; a lock that outlasts the limit is reported and the app goes on."""

from __future__ import annotations

import pytest
from conftest import held_lock

from annotations.decisions import GOLD, Decisions
from annotations.library import get_article
from annotations.store import Store
from tui.screens.article_screen import ArticleScreen
from tui_helpers import SAMPLE_ID, SIZE, committed_annotations, make_app, position, screen_text

pytestmark = pytest.mark.anyio

SCHEME = ["military", "diplomatic", "heritage_damage"]


async def until(pilot, condition, what: str, steps: int = 400) -> None:
    """Let the app run until `condition()` holds (bounded by steps, never by a clock)."""
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_keys_pressed_while_another_program_writes_are_kept_in_order(
    tui_store: Store,
) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        with held_lock(tui_store.path):
            await pilot.press("1")
            await until(pilot, lambda: "waiting for the database" in screen_text(screen, "#labels"),
                        "the status line says it waits")  # fmt: skip
            # Nothing is drawn that is not saved.
            assert not screen.state(0).decided
            # More keys, while it waits: move down, tag, move down, tag twice.
            await pilot.press("j", "2", "j", "3", "1")
            assert "5 more key(s) queued" in screen_text(screen, "#labels")
            assert position(screen)[0] == 1, "keys wait behind the write in flight"
            assert committed_annotations(tui_store.path) == {}
        await until(pilot, lambda: len(committed_annotations(tui_store.path)) == 3,
                    "every key reached the database")  # fmt: skip
        await until(pilot, lambda: position(screen)[0] == 3, "the moves were replayed")
        await until(pilot, lambda: not screen._holding, "the last write was drawn")
        assert committed_annotations(tui_store.path) == {
            0: (["military"], True),
            1: (["diplomatic"], True),
            2: (["military", "heritage_damage"], True),
        }
        assert [screen.state(i).labels for i in range(3)] == [
            ("military",),
            ("diplomatic",),
            ("military", "heritage_damage"),
        ]
        assert "waiting for the database" not in screen_text(screen, "#labels")


async def test_a_lock_beyond_the_limit_is_reported_and_the_app_goes_on(tui_store: Store) -> None:
    app = make_app(tui_store, lock_wait=0.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        with held_lock(tui_store.path):
            await pilot.press("1", "j", "2")
            await until(pilot, lambda: any("stayed locked" in n for n in app.notifications),
                        "the app says the lock outlasted the limit")  # fmt: skip
            (message,) = [n for n in app.notifications if "stayed locked" in n]
            assert "2 key(s) after it were dropped" in message
            # Screen and database agree: nothing saved, nothing drawn.
            assert committed_annotations(tui_store.path) == {}
            assert not screen.state(0).decided
            assert position(screen)[0] == 1
        # The app is alive and the next key works.
        await pilot.press("2")
        await until(pilot, lambda: committed_annotations(tui_store.path) == {
            0: (["diplomatic"], True)}, "the next key is saved")  # fmt: skip
        assert screen.state(0).labels == ("diplomatic",)
        assert app.is_running


async def test_the_review_screen_says_which_sentence_another_reviewer_changed(
    tui_store: Store,
) -> None:
    first = get_article(tui_store, SAMPLE_ID).sentences[0].span
    Decisions(tui_store, GOLD, "alice", SCHEME).decide(SAMPLE_ID, first, ["military"])
    Decisions(tui_store, GOLD, "ben", SCHEME).toggle(SAMPLE_ID, first, "diplomatic")
    app = make_app(tui_store, review=["carol"], article_id=SAMPLE_ID)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await until(pilot, lambda: any("changed since" in n for n in app.notifications),
                    "the undo says what it left alone")  # fmt: skip
        assert "sentence 1 changed since — by ben — not undone" in app.notifications
        gold = Decisions(tui_store, GOLD, "alice", SCHEME).get(SAMPLE_ID, first)
        assert gold.labels == ("military", "diplomatic")
