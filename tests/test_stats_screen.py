"""Pilot tests of the stats screen: opened with `s` from the library, its figures counted in a
worker (the screen says "counting…" until they come), `q` and `escape` back to the library."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

import pytest
from test_help import check_rows, described, help_text

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.review import accept_unanimous
from annotations.store import Store
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.stats import StatsScreen
from tui.stats_view import bar
from tui_helpers import (
    ANNOTATOR,
    HOSTILE_TITLE,
    SAMPLE_ID,
    SAMPLE_TITLE,
    SCHEME,
    SIZE,
    all_screen_rows,
    hostile_id,
    make_app,
    screen_text,
    spans,
)

pytestmark = pytest.mark.anyio


def two_annotators(store: Store) -> None:
    """alice and bob agree on sentences 0 and 2, disagree on 1; bob ignores 3; gold on 0."""
    sample = spans(store)
    votes = {
        ANNOTATOR: {0: ["military"], 1: ["military"], 2: []},
        "bob": {0: ["military"], 1: ["diplomatic"], 2: []},
    }
    for name, labels in votes.items():
        Decisions(store, ANNOTATIONS, name, SCHEME).decide_many(
            SAMPLE_ID, [(sample[index], given, None) for index, given in labels.items()]
        )
    Decisions(store, ANNOTATIONS, "bob", SCHEME).ignore(SAMPLE_ID, sample[3])
    accept_unanimous(store, "rev", [ANNOTATOR, "bob"], SAMPLE_ID)


async def open_stats(pilot) -> StatsScreen:
    """From the reader the app opens on: the library, then `s`; wait for the count."""
    if isinstance(pilot.app.screen, ReaderScreen):
        await pilot.press("escape")
    assert isinstance(pilot.app.screen, LibraryScreen)
    await pilot.press("s")
    screen = pilot.app.screen
    assert isinstance(screen, StatsScreen)
    await counted(pilot)
    return screen


async def counted(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.screen.overview is not None


def section(screen: StatsScreen, name: str) -> str:
    return screen_text(screen, f"#stats-{name}")


async def test_s_opens_the_figures_of_two_annotators_and_q_goes_back(tui_store: Store) -> None:
    two_annotators(tui_store)
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(pilot)
        title = screen_text(screen, "#library-title")
        assert "annotty stats" in title and "2 articles" in title and "db annotty.db" in title
        assert not screen.query_one("#stats-counting").display
        assert section(screen, "progress").splitlines() == [
            "progress (of 31 sentences)",
            f"  alice  {bar(3, 31)}  3",
            f"  bob    {bar(4, 31)}  4 (1 ignored)",
        ]
        gold = section(screen, "gold")
        assert f"{bar(2, 31)}  2 of 31" in gold
        assert "3 sentences decided by two or more annotators" in gold
        agreement = section(screen, "agreement").splitlines()
        assert agreement[0] == "agreement per label among alice, bob"
        assert agreement[2].split() == ["military", "3", "███████░░░", "67%", "0.400", "0.444"]
        labels = section(screen, "labels")
        assert "labels given by alice (share of 3 decided sentences)" in labels
        assert "labels given by bob (share of 3 decided sentences)" in labels
        articles = section(screen, "articles").splitlines()
        assert articles[1:4] == [
            "  annotator  done  in progress  not started",
            "  alice         0            1            1",
            "  bob           0            1            1",
        ]
        assert articles[5] == "most left (2 of 2 unfinished articles)"
        assert articles[7].split() == [*SAMPLE_TITLE.split(), "25", "3/25", "4/25"]
        # The hostile title is drawn as the characters it is, never as markup.
        assert articles[8].startswith(f"  {HOSTILE_TITLE}"[:40])

        await pilot.press("q")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("s")
        assert isinstance(app.screen, StatsScreen)
        await counted(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)
        assert app.is_running


async def test_without_decisions(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(pilot)
        assert section(screen, "progress").splitlines() == [
            "progress",
            "  nobody has decided a sentence yet",
        ]
        assert f"{bar(0, 31)}  0 of 31" in section(screen, "gold")
        assert "needs two annotators who decided the same sentences" in section(screen, "agreement")
        for empty in ("labels", "articles"):
            assert not screen.query_one(f"#stats-{empty}").display
        assert "█" not in "\n".join(all_screen_rows(app)).split("gold")[0]


async def test_counting_until_the_figures_arrive_and_r_counts_again(
    tui_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.screens.stats

    count = tui.screens.stats.overview
    gate = threading.Event()

    def slow_overview(store: Store, **options):
        assert threading.current_thread() is not threading.main_thread()
        assert store is not tui_store, "the worker counts on a connection of its own"
        gate.wait(30)
        return count(store, **options)

    monkeypatch.setattr(tui.screens.stats, "overview", slow_overview)
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "s")
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        await pilot.pause()
        assert screen_text(screen, "#stats-counting") == "counting…"
        assert screen.overview is None
        gate.set()
        await counted(pilot)
        assert not screen.query_one("#stats-counting").display
        assert "nobody has decided" in section(screen, "progress")

        Decisions(tui_store, ANNOTATIONS, "bob", SCHEME).decide(SAMPLE_ID, spans(tui_store)[0], [])
        await pilot.press("r")
        await counted(pilot)
        assert f"  bob  {bar(1, 31)}  1" in section(screen, "progress").splitlines()


async def test_a_database_error_is_one_line_on_the_screen(
    tui_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.screens.stats

    def broken(store: Store, **options):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(tui.screens.stats, "overview", broken)
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        text = screen_text(screen, "#stats-counting")
        assert text == "could not count: database disk image is malformed"
        await pilot.press("q")
        assert isinstance(app.screen, LibraryScreen)
        assert app.is_running


HOSTILE_NAME = "ev\x1b[31mil [bold]x[/bold]\u202e"


async def test_hostile_names_and_titles_are_drawn_as_data(tui_store: Store) -> None:
    two_annotators(tui_store)
    # A name written by another program (annotty's own writes would clean it).
    with closing(sqlite3.connect(tui_store.path)) as conn, conn:
        conn.execute(
            'INSERT INTO annotations (article_id, start, "end", annotator, labels, decided,'
            " updated_at) VALUES (?, ?, ?, ?, '[\"military\"]', 1, '2026-11-30T12:00:00.000000Z')",
            (hostile_id(tui_store.path), 0, 10, HOSTILE_NAME),
        )
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(pilot)
        rows = all_screen_rows(app)
        drawn = "\n".join(rows)
        assert "\x1b" not in drawn and "\u202e" not in drawn
        shown = "ev\\x1b[31mil [bold]x[/bold]\\u202e"
        # In a chart's name column, cut to 24 cells; in full in its heading.
        assert any(row.startswith(f"   {shown[:23]}…  ") for row in rows), drawn
        assert f"labels given by {shown} (share of 1 decided sentences)" in drawn
        assert HOSTILE_TITLE[:30] in section(screen, "articles")


async def test_stats_help_lists_its_keys(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_stats(pilot)
        await pilot.press("question_mark")
        text = help_text(app)
        assert text.startswith("Keys: stats")
        check_rows(app, text, described(StatsScreen))
        await pilot.press("escape")
        assert app.screen is screen


async def test_a_narrow_screen_cuts_article_rows_instead_of_wrapping_them(
    tui_store: Store,
) -> None:
    sample = spans(tui_store)
    names = [f"annotator-{n}-long-name" for n in range(5)]
    for n, name in enumerate(names):
        Decisions(tui_store, ANNOTATIONS, name, SCHEME).decide(SAMPLE_ID, sample[n], [])
    app = make_app(tui_store)
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await open_stats(pilot)
        lines = section(screen, "articles").splitlines()
        # Heading, header, 5 annotators, blank, heading, header, 2 articles: one line each.
        assert len(lines) == 12
        assert lines[-2].startswith("  Syrian") and lines[-1].startswith("  Breaking")
        assert all(len(line) <= 60 for line in lines)
        body = screen.query_one("#stats-body")
        assert body.scroll_y == 0 and body.max_scroll_y > 0
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("k")
        assert body.scroll_y == 1
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert section(screen, "articles").splitlines()[-2].split()[-5:] == ["1/25"] * 5


async def test_s_in_the_review_library_and_back(tui_store: Store) -> None:
    from tui.screens.review import ReviewScreen
    from tui.screens.review_library import ReviewLibraryScreen

    two_annotators(tui_store)
    app = make_app(tui_store, "rev", review=[ANNOTATOR, "bob"])
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        review_library = app.screen
        assert isinstance(review_library, ReviewLibraryScreen)
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        await counted(pilot)
        assert "agreement per label among alice, bob" in section(screen, "agreement")
        assert f"{bar(2, 31)}  2 of 31 sentences" in section(screen, "gold")
        await pilot.press("q")
        assert app.screen is review_library


async def test_the_title_fits_a_narrow_screen(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=(40, 20)) as pilot:
        screen = await open_stats(pilot)
        (line,) = screen_text(screen, "#library-title").splitlines()
        assert line.strip() == "annotty stats  │  db annotty.db"
        assert "articles" not in line, "left out before the database's name"
        await pilot.resize_terminal(120, 20)
        await pilot.pause()
        title = screen_text(screen, "#library-title")
        assert "2 articles" in title and "31 sentences" in title
