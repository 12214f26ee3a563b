"""Pilot tests of the library screen: the list, its progress column, the filter, opening."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.store import Store
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui_helpers import (
    ANNOTATOR,
    HOSTILE_TITLE,
    SAMPLE_ID,
    SAMPLE_TITLE,
    SCHEME,
    SIZE,
    all_screen_rows,
    committed_annotations,
    hostile_id,
    make_app,
    screen_text,
    spans,
)

pytestmark = pytest.mark.anyio


async def settled(pilot) -> None:
    """Wait for the library's query (it runs in a worker thread) and its rows to be drawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def rows(pilot) -> list[list[str]]:
    await settled(pilot)
    return table_rows(pilot.app)


def table_rows(app) -> list[list[str]]:
    screen = app.screen
    assert isinstance(screen, LibraryScreen), type(screen).__name__
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def library(pilot) -> LibraryScreen:
    """Leave the reader the app opens at start for the library."""
    assert isinstance(pilot.app.screen, ReaderScreen)
    await pilot.press("escape")
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    await settled(pilot)
    return screen


async def test_lists_articles_with_source_size_and_this_annotators_progress(
    tui_store: Store,
) -> None:
    sample = spans(tui_store)
    mine = Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME)
    mine.decide_many(SAMPLE_ID, [(span, ["military"], None) for span in sample[:5]])
    mine.decide_many(SAMPLE_ID, [(sample[5], [], None)])
    theirs = Decisions(tui_store, ANNOTATIONS, "bob", SCHEME)
    theirs.decide_many(SAMPLE_ID, [(span, [], None) for span in sample])
    mine.undo(SAMPLE_ID)  # an undone first decision (decided = 0) is not progress

    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        assert (await rows(pilot)) == [
            [SAMPLE_TITLE, "palmyra.txt", "25", "██░░░░░░░░ 5/25"],
            [HOSTILE_TITLE, "hostile.txt", "6", "░░░░░░░░░░ 0/6"],
        ]
        title = screen_text(screen, "#library-title")
        assert "2 articles" in title and ANNOTATOR in title
        assert "decided ██░░░░░░░░ 5/31" in title
        assert screen.query_one(DataTable).has_focus


async def test_filter_by_title_or_text_then_open(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        search = screen.query_one(Input)
        assert not search.display
        await pilot.press("slash")
        assert search.display and search.has_focus
        await pilot.press(*"quest")  # in the sample's text only; "q" here types, not quits
        assert app.is_running
        assert [row[0] for row in (await rows(pilot))] == [SAMPLE_TITLE]
        assert "1 article matching “quest”" in screen_text(screen, "#library-title")

        await pilot.press("escape")  # clears and hides the filter
        assert not search.display and search.value == ""
        assert len(await rows(pilot)) == 2
        assert screen.query_one(DataTable).has_focus

        await pilot.press("slash", *"BOLD RED")  # the hostile title, whatever the case
        assert [row[0] for row in (await rows(pilot))] == [HOSTILE_TITLE]
        await pilot.press("ctrl+a", "ctrl+k", *"zzz%")  # LIKE wildcards are plain characters
        assert (await rows(pilot)) == []
        title = screen_text(screen, "#library-title")
        assert "0 articles matching “zzz%”" in title
        assert "nothing here" not in title, "a filter that matches nothing is not an empty library"
        await pilot.press("enter", "enter")  # leaves the filter; nothing to open
        assert app.screen is screen

        await pilot.press("slash", "ctrl+a", "ctrl+k", *"paris", "enter")
        assert [row[0] for row in (await rows(pilot))] == [HOSTILE_TITLE]
        assert screen.query_one(DataTable).has_focus
        await pilot.press("enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.article.id == hostile_id(tui_store.path)


async def test_enter_opens_the_highlighted_article(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        table = screen.query_one(DataTable)
        await pilot.press("j")
        assert table.cursor_row == 1
        await pilot.press("enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.article.id == hostile_id(tui_store.path)
        await pilot.press("q", "k")
        assert app.screen is screen and table.cursor_row == 0
        await pilot.press("down", "up", "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == SAMPLE_ID


async def test_progress_is_refreshed_after_the_reader(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        assert (await rows(pilot))[0][3] == "░░░░░░░░░░ 0/25"
        await pilot.press("enter", "1", "space", "space", "space", "escape")
        assert app.screen is screen
        assert committed_annotations(tui_store.path) == {
            0: (["military"], True),
            1: ([], True),
            2: ([], True),
        }
        assert (await rows(pilot))[0][3] == "█░░░░░░░░░ 3/25"
        assert "decided █░░░░░░░░░ 3/31" in screen_text(screen, "#library-title")
        assert screen.query_one(DataTable).cursor_row == 0, "the row stays highlighted"


async def test_q_in_the_library_quits_after_visiting_the_reader(tui_store: Store) -> None:
    """The hidden filter must not take the focus (and the keys) when the library comes back."""
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        await pilot.press("enter", "q")
        assert app.screen is screen
        assert screen.query_one(DataTable).has_focus
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
        assert screen.query_one(Input).value == ""
    assert app.return_code == 0


async def test_an_empty_database_shows_the_library_and_how_to_fill_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.db") as store:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            assert (await rows(pilot)) == []
            title = screen_text(screen, "#library-title")
            assert "0 articles" in title and "nothing here: annotty import PATH" in title
            await pilot.press("enter", "j", "k", "q")
            await pilot.pause()
            assert not app.is_running


async def test_the_footer_says_how_to_open_an_article(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        await library(pilot)
        footer = all_screen_rows(app)[-1]
        assert "Filter" in footer
        assert "Open" in footer


async def test_rows_are_read_a_page_at_a_time_around_the_article(
    tmp_path: Path, monkeypatch
) -> None:
    import tui.screens.library as library_screen
    from annotations.library import add_article
    from annotations.model import Analysis, ArticleInput

    monkeypatch.setattr(library_screen, "PAGE", 8)
    monkeypatch.setattr(library_screen, "FIRST_BEFORE", 4)
    monkeypatch.setattr(library_screen, "FIRST_AFTER", 8)
    with Store.open(tmp_path / "many.db") as store:
        with store.write():
            for number in range(30):
                text = f"Report number {number} from Palmyra."
                article = ArticleInput(text, f"Report {number}")
                add_article(store, article, Analysis([(0, len(text))], []), None)
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            screen = await library(pilot)
            table = screen.query_one(DataTable)
            assert table.row_count == 13, "a page and a half, not the library"
            assert "30 articles" in screen_text(screen, "#library-title")
            await pilot.press(*"j" * 11)
            await settled(pilot)
            assert table.row_count == 21, "nearing the end of the window reads the next page"
            await pilot.press(*"j" * 16)
            await settled(pilot)
            assert table.row_count == 30 and table.cursor_row == 27
            await pilot.press("enter")
            assert app.screen.article.text == "Report number 27 from Palmyra."
            await pilot.press("escape")
            await settled(pilot)
            assert screen.highlighted() == app.screen.articles[table.cursor_row].id
            assert (await rows(pilot))[table.cursor_row][0] == "Report 27", "the same article"
            assert table.row_count == 7, "the rows around it: 4 before, itself, 2 after"
            # Up towards the start: the pages before are read in, the cursor stays put.
            await pilot.press(*"k" * 3)
            await settled(pilot)
            assert (await rows(pilot))[table.cursor_row][0] == "Report 24"
            assert table.row_count == 15
            await pilot.press(*"k" * 24)
            await settled(pilot)
            titles = [row[0] for row in await rows(pilot)]
            assert titles == [f"Report {n}" for n in range(30)]
            assert titles[table.cursor_row] == "Report 0"


async def test_a_filter_that_full_text_search_cannot_parse_finds_nothing(tui_store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        await pilot.press("slash", *'"AND (NEAR*')
        assert await rows(pilot) == []
        assert app.is_running and "0 articles" in screen_text(screen, "#library-title")


LONG_URL = (
    "https://www.bbc.co.uk/news/world-middle-east-35954941?utm_source=twitter"
    "&utm_medium=social&utm_campaign=a-campaign-with-a-long-name"
)


def add_long_article(store: Store) -> str:
    """An article whose title and source are both far wider than the screen."""
    from annotations.library import add_article
    from annotations.model import Analysis, ArticleInput

    text = "Troops entered Palmyra. The museum was shut."
    title = "A headline that goes on and on about the battle for the ancient city " * 2
    with store.write():
        return add_article(
            store,
            ArticleInput(text, title.strip(), LONG_URL),
            Analysis([(0, 23), (24, len(text))], []),
            None,
        )


@pytest.mark.parametrize("width", [80, 120])
async def test_every_column_fits_the_screen_and_the_detail_line_has_the_whole_source(
    tui_store: Store, width: int
) -> None:
    long_id = add_long_article(tui_store)
    app = make_app(tui_store)
    async with app.run_test(size=(width, 30)) as pilot:
        screen = await library(pilot)
        lines = all_screen_rows(app)
        header = next(line for line in lines if "Title" in line and "Progress" in line)
        assert header.split() == ["Title", "Source", "Sentences", "Progress"]
        drawn = {
            source: next(line for line in lines if f" {source} " in line)
            for source in ("palmyra.txt", "hostile.txt", "bbc.co.uk")
        }
        # Each row whole on screen: its last column, the progress, ends it.
        assert drawn["palmyra.txt"].rstrip().endswith("0/25")
        assert drawn["hostile.txt"].rstrip().endswith("0/6")
        long_row = drawn["bbc.co.uk"]
        assert long_row.rstrip().endswith("0/2") and "…" in long_row, "the title gives way"
        assert LONG_URL not in "".join(lines), "the column shows the host, not the URL"
        title_cells = long_row.index("…") + 1
        assert title_cells >= {80: 28, 120: 60}[width], "the title takes what is left"

        def detail() -> str:
            return "".join(
                line.strip() for line in screen_text(screen, "#detail-source").split("\n")
            )

        assert detail().startswith("palmyra.txt  id"), "the highlighted row's source"
        await pilot.press("j", "j")
        assert screen.highlighted() == long_id
        assert LONG_URL in detail() and long_id in detail()


async def test_removing_an_article_is_written_by_the_writer_thread(
    tui_store: Store, monkeypatch
) -> None:
    import threading

    import tui.screens.library as library_screen
    from annotations.remove import remove_articles

    threads: list[str] = []

    def remove(store: Store, ids):
        threads.append(threading.current_thread().name)
        return remove_articles(store, ids)

    monkeypatch.setattr(library_screen, "remove_articles", remove)
    hostile = hostile_id(tui_store.path)
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        await pilot.press("delete", "y")
        await settled(pilot)
        assert threads == ["annotty-writer"], "not the UI thread"
        assert [row[0] for row in table_rows(app)] == [HOSTILE_TITLE]
        assert screen.highlighted() == hostile
        assert app.notifications[-1] == "removed the article and 0 decisions"


async def test_n_and_p_follow_the_filter_the_article_was_opened_under(tui_store: Store) -> None:
    from annotations.library import add_article
    from annotations.model import Analysis, ArticleInput

    texts = {
        "Palmyra falls": "Troops entered Palmyra at dawn.",
        "Geneva talks": "Envoys met in Geneva on Monday.",
        "Museum shut": "The museum of Palmyra was shut.",
    }
    ids = {}
    with tui_store.write():
        for title, text in texts.items():
            analysis = Analysis([(0, len(text))], [])
            ids[title] = add_article(tui_store, ArticleInput(text, title), analysis, None)
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        await pilot.press("slash", *"palmyra", "enter")
        listed = [row[0] for row in await rows(pilot)]
        assert listed == [SAMPLE_TITLE, "Palmyra falls", "Museum shut"]
        await pilot.press("j", "enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.article.id == ids["Palmyra falls"]
        assert "article 2/3 matching “palmyra”" in screen_text(reader, "#status")
        await pilot.press("n")
        assert reader.article.id == ids["Museum shut"], "Geneva talks is not kept by the filter"
        assert "article 3/3 matching" in screen_text(reader, "#status")
        await pilot.press("n")
        assert app.notifications[-1] == "no more articles that way"
        await pilot.press("p", "p")
        assert reader.article.id == SAMPLE_ID
        assert "article 1/3 matching" in screen_text(reader, "#status")

        # Back in the library the filter is still there; cleared, n/p walk every article.
        await pilot.press("escape")
        assert app.screen is screen
        assert [row[0] for row in await rows(pilot)] == listed
        await pilot.press("escape")
        assert len(await rows(pilot)) == 5
        order = [SAMPLE_ID, hostile_id(tui_store.path), *ids.values()]
        await pilot.press("enter")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        at = order.index(reader.article.id)
        status = screen_text(reader, "#status")
        assert f"article {at + 1}/5" in status and "matching" not in status
        await pilot.press("n" if at < 4 else "p")
        assert reader.article.id == order[at + 1 if at < 4 else at - 1]


async def test_a_pasted_filter_is_sanitised_before_it_is_searched_or_drawn(
    tui_store: Store,
) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await library(pilot)
        await pilot.press("slash")
        # As a paste may bring it: an escape sequence (a window title) and a line break.
        screen.query_one(Input).value = "pal\x1b]0;PWNED\x07myra\n"
        await pilot.pause()  # the change reaches the screen, whose query then runs
        assert [row[0] for row in await rows(pilot)] == [SAMPLE_TITLE]
        assert screen.search == "palmyra"
        title = screen_text(screen, "#library-title")
        assert "matching “palmyra”" in title and "PWNED" not in title
        await pilot.press("enter", "enter")
        assert "article 1/1 matching “palmyra”" in screen_text(app.screen, "#status")
