"""Pilot tests of team work in the app: the annotator's library leads with their assignment, the
lead's shows the plan's progress, and `delete` removes an article after asking."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from textual.widgets import DataTable

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.handout import handout
from annotations.library import article_ids
from annotations.store import Store
from annotations.team import assign
from tui.screens.confirm import ConfirmScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen
from tui_helpers import (
    ANNOTATOR,
    HOSTILE_TITLE,
    SAMPLE_ID,
    SAMPLE_TITLE,
    SCHEME,
    SIZE,
    hostile_id,
    make_app,
    screen_text,
    spans,
)

pytestmark = pytest.mark.anyio


def titles(screen: LibraryScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


async def library(pilot) -> LibraryScreen:
    """Go back to the library and wait for its count of the team's progress."""
    if isinstance(pilot.app.screen, ReaderScreen):
        await pilot.press("escape")
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_an_annotator_starts_on_their_assignment_and_the_library_leads_with_it(
    tui_store: Store,
) -> None:
    hostile = hostile_id(tui_store.path)
    assign(tui_store, [ANNOTATOR], 1, articles=[hostile])
    Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME).ignore(
        hostile, spans(tui_store, hostile)[0]
    )
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.article.id == hostile
        screen = await library(pilot)
        assert titles(screen) == [f"● {HOSTILE_TITLE}", f"  {SAMPLE_TITLE}"]
        title = screen_text(screen, "#library-title")
        assert "● assigned ██░░░░░░░░ 1/6" in title
        assert "0/1 articles finished" in title and "1 ignored" in title


async def test_the_leads_library_shows_each_annotators_progress_against_the_plan(
    tui_store: Store,
) -> None:
    assign(tui_store, ["alice", "bob"], 1)
    Decisions(tui_store, ANNOTATIONS, "bob", SCHEME).decide_many(
        SAMPLE_ID, [(span, [], None) for span in spans(tui_store)]
    )
    app = make_app(tui_store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        title = screen_text(screen, "#library-title")
        assert "plan" in title and "overlap reached 1/2 articles" in title
        line = title.splitlines()[-1]
        alice, bob = line.index("alice"), line.index("bob")
        assert alice < bob  # the plan's order
        # Whoever has the sample (25 sentences) has finished it; the other has 0 of 8.
        assert ("25/25" in line) and ("0/6" in line)
        assert titles(screen) == [SAMPLE_TITLE, HOSTILE_TITLE]  # no marks for the lead


async def test_delete_asks_then_removes_the_article_and_its_decisions(tui_store: Store) -> None:
    Decisions(tui_store, ANNOTATIONS, "bob", SCHEME).decide(SAMPLE_ID, spans(tui_store)[0], [])
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        assert titles(screen)[0] == SAMPLE_TITLE
        await pilot.press("delete")
        modal = app.screen
        assert isinstance(modal, ConfirmScreen)
        question = " ".join(screen_text(modal, "#confirm-question").split())
        assert SAMPLE_TITLE in question and "1 decision by bob" in question
        await pilot.press("enter")  # the focus is on "Cancel"
        assert app.screen is screen and article_ids(tui_store)[0] == SAMPLE_ID
        await pilot.press("delete", "n")
        assert app.screen is screen and len(article_ids(tui_store)) == 2
        await pilot.press("delete", "y")
        await pilot.pause()
        assert app.screen is screen
        assert titles(screen) == [HOSTILE_TITLE]
        assert any("removed the article and 1 decision" in n for n in app.notifications)
    with closing(sqlite3.connect(tui_store.path)) as conn:
        assert conn.execute(
            "SELECT count(*) FROM annotations WHERE article_id = ?", (SAMPLE_ID,)
        ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1,)


async def test_review_of_reached_articles_walks_only_those(tui_store: Store) -> None:
    hostile = hostile_id(tui_store.path)
    app = make_app(tui_store, "rev", review=["alice", "bob"], articles=[hostile])
    async with app.run_test(size=SIZE) as pilot:
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.article.id == hostile
        assert "article 1/1" in screen_text(review, "#status")
        await pilot.press("n")
        assert app.screen is review and review.article.id == hostile
        # An article picked in the library opens too, among all of them.
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("enter")  # the sample, first in the library
        assert isinstance(app.screen, ReviewScreen) and app.screen.article.id == SAMPLE_ID
        assert "article 1/2" in screen_text(app.screen, "#status")


async def test_a_handout_opened_under_another_name_says_so(
    tui_store: Store, tmp_path: Path
) -> None:
    assign(tui_store, ["alice", "bob"], 1)
    out = tmp_path / "bob.db"
    handout(tui_store, "bob", out)
    with Store.open(out) as bobs:
        app = make_app(bobs, "robert")
        async with app.run_test(size=SIZE) as pilot:
            screen = await library(pilot)
            title = " ".join(screen_text(screen, "#library-title").split())
            assert "handed out to bob, but you are robert" in title
            assert "--annotator bob" in title
        app = make_app(bobs, "bob")
        async with app.run_test(size=SIZE) as pilot:
            screen = await library(pilot)
            title = screen_text(screen, "#library-title")
            assert "handed out" not in title and "● assigned" in title
