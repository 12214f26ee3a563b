"""Pilot tests of the reader: moving, deciding, undoing, and what each key leaves in the database.

Every assertion about a decision reads the database through a connection of its own, so it
checks what has been committed, not what the screen's objects hold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from textual.color import Color
from textual.widgets import DataTable, Static

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.export import export_records
from annotations.model import UNDECIDED, Decision
from annotations.scheme import display_names
from annotations.store import Store
from tui.screens.article_screen import POSITION_SAVE_DELAY, ArticleScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_view import ArticleView
from tui.widgets.chips import label_bar
from tui.widgets.entity_colors import ENTITY_COLORS
from tui_helpers import (
    ANNOTATOR,
    FORBIDDEN,
    HOSTILE_MARKUP,
    HOSTILE_TITLE,
    SAMPLE_ID,
    SAMPLE_SENTENCES,
    SAMPLE_TITLE,
    SCHEME,
    SIZE,
    all_screen_rows,
    article_text,
    committed_annotations,
    fresh_db,
    history_count,
    hostile_id,
    iter_segments,
    make_app,
    position,
    row_of,
    screen_text,
    spans,
    view_strips,
    widget_lines,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def tui_db(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_db(tmp_path_factory, tmp_path)


@pytest.fixture
def tui_store(tui_db: Path) -> Iterator[Store]:
    with Store.open(tui_db) as store:
        yield store


def reader(app) -> ReaderScreen:
    screen = app.screen
    assert isinstance(screen, ReaderScreen), type(screen).__name__
    return screen


async def test_opens_the_first_article_and_moves_with_the_keys(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        assert screen.article.id == SAMPLE_ID
        assert screen_text(screen, "#title").startswith(SAMPLE_TITLE + "  palmyra.txt")
        assert position(screen) == (1, SAMPLE_SENTENCES)
        assert "article 1/2" in screen_text(screen, "#status")
        moves = [
            ("j", 2), ("down", 3), ("k", 2), ("up", 1), ("k", 1),  # stops at the top
            ("G", 25), ("j", 25), ("down", 25),  # and at the bottom
            ("g", 1), ("end", 25), ("home", 1),
        ]  # fmt: skip
        for key, expected in moves:
            await pilot.press(key)
            assert position(screen) == (expected, SAMPLE_SENTENCES), key
            assert screen.view.cursor == expected - 1
        await pilot.press("pagedown")
        down = position(screen)[0]
        assert down > 5, "a page is many sentences"
        await pilot.press("pagedown", "pageup")
        assert position(screen)[0] < 25 and position(screen)[0] > 1
        await pilot.press("pageup", "pageup")
        assert position(screen)[0] == 1
        assert committed_annotations(tui_store.path) == {}, "moving decides nothing"


async def test_number_keys_toggle_labels_in_scheme_order(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        await pilot.press("3", "1")
        assert committed_annotations(tui_store.path) == {0: (["military", "heritage_damage"], True)}
        labels_bar = screen_text(screen, "#labels")
        assert labels_bar.endswith("decided"), labels_bar
        assert row_of(screen, 0).startswith("● 1·3")
        await pilot.press("2")
        assert committed_annotations(tui_store.path)[0] == (list(SCHEME), True)
        await pilot.press("1", "2", "3")  # all off again: decided, with no label
        assert committed_annotations(tui_store.path) == {0: ([], True)}
        assert screen_text(screen, "#labels").endswith("decided: no label")
        assert row_of(screen, 0).startswith("● ···")
        assert "decided ░░░░░░░░░░ 1/25" in screen_text(screen, "#status")
        # The core sees the same, in its own terms.
        decisions = Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME)
        states = decisions.for_article(SAMPLE_ID)
        assert [(d.labels, d.decided) for d in states.values()] == [((), True)]
        assert position(screen)[0] == 1, "toggling does not move the cursor"


async def test_keys_beyond_the_scheme_do_nothing(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        await pilot.press("4", "7", "9", "0")
        assert committed_annotations(tui_store.path) == {}
        assert history_count(tui_store.path) == 0
        assert app.screen is screen and position(screen)[0] == 1
        assert screen_text(screen, "#labels").endswith("not decided")


async def test_space_decides_with_no_label_and_moves_to_the_next_undecided(
    tui_store: Store,
) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        await pilot.press("j", "j", "1", "g")  # sentence 3 decided "military"; back to 1
        await pilot.press("space")
        assert committed_annotations(tui_store.path) == {
            0: ([], True),
            2: (["military"], True),
        }
        assert position(screen)[0] == 2
        await pilot.press("enter")  # enter does the same, and skips the decided sentence 3
        assert committed_annotations(tui_store.path)[1] == ([], True)
        assert position(screen)[0] == 4

        # On a decided sentence, space and enter change nothing and move on.
        before = Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME).for_article(SAMPLE_ID)
        steps = history_count(tui_store.path)
        await pilot.press("k", "space")
        assert position(screen)[0] == 4
        await pilot.press("k", "enter")
        assert position(screen)[0] == 4
        after = Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME).for_article(SAMPLE_ID)
        assert after == before, "updated_at too is untouched"
        assert history_count(tui_store.path) == steps
        records = list(export_records(tui_store))
        assert [(r["sentence"], r["labels"]) for r in records] == [
            (0, []),
            (1, []),
            (2, ["military"]),
        ]


async def test_space_when_all_is_decided_moves_down_and_says_so(tui_store: Store) -> None:
    decisions = Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME)
    decisions.decide_many(SAMPLE_ID, [(span, [], None) for span in spans(tui_store)[:-1]])
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        assert position(screen)[0] == 25, "opens at the first undecided sentence"
        await pilot.press("space")
        assert len(committed_annotations(tui_store.path)) == 25
        assert any("every sentence here is decided" in note for note in app.notifications)


async def test_undo_and_redo_restore_the_database(tui_store: Store) -> None:
    path = tui_store.path
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        await pilot.press("1", "2", "j", "space")
        assert committed_annotations(path) == {
            0: (["military", "diplomatic"], True),
            1: ([], True),
        }
        assert position(screen)[0] == 3

        await pilot.press("u")
        assert committed_annotations(path)[1] == ([], False), "a first decision undone: decided 0"
        assert position(screen)[0] == 2, "undo goes to the sentence it changed"
        await pilot.press("ctrl+z")
        assert committed_annotations(path)[0] == (["military"], True)
        assert position(screen)[0] == 1
        await pilot.press("u")
        assert committed_annotations(path) == {0: ([], False), 1: ([], False)}
        assert screen_text(screen, "#labels").endswith("not decided")
        assert row_of(screen, 0).startswith("○")
        await pilot.press("u")
        assert app.notifications[-1] == "nothing to undo"

        await pilot.press("ctrl+y")
        assert committed_annotations(path)[0] == (["military"], True)
        await pilot.press("ctrl+y", "ctrl+y")
        assert committed_annotations(path) == {
            0: (["military", "diplomatic"], True),
            1: ([], True),
        }
        assert position(screen)[0] == 2
        await pilot.press("ctrl+y")
        assert app.notifications[-1] == "nothing to redo"

        # A new change after an undo drops what could have been redone.
        await pilot.press("u", "3")
        assert committed_annotations(path)[1] == (["heritage_damage"], True)
        await pilot.press("ctrl+y")
        assert app.notifications[-1] == "nothing to redo"
        assert committed_annotations(path)[1] == (["heritage_damage"], True)


async def test_n_and_p_switch_articles_and_keep_each_position(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        await pilot.press("j", "j", "j", "j", "1")
        await pilot.press("p")
        assert app.notifications[-1] == "no more articles that way"
        await pilot.press("n")
        assert screen.article.id == hostile_id(tui_store.path)
        assert screen_text(screen, "#title").startswith(HOSTILE_TITLE)
        assert "article 2/2" in screen_text(screen, "#status")
        assert position(screen) == (1, 6)
        await pilot.press("j", "2")
        hostile = hostile_id(tui_store.path)
        assert committed_annotations(tui_store.path, article_id=hostile) == {
            1: (["diplomatic"], True)
        }
        await pilot.press("n")
        assert app.notifications[-1] == "no more articles that way"
        await pilot.press("p")
        assert screen.article.id == SAMPLE_ID
        assert position(screen) == (5, SAMPLE_SENTENCES), "back where this article was left"
        assert screen_text(screen, "#labels").startswith(" 1 military")
        assert row_of(screen, 4).startswith("● 1··")
        await pilot.press("u")  # undo is per article: the sample's own last change
        assert committed_annotations(tui_store.path)[4] == ([], False)
        assert committed_annotations(tui_store.path, article_id=hostile) == {
            1: (["diplomatic"], True)
        }


async def test_n_and_p_follow_the_library_order_assigned_articles_first(
    tui_store: Store,
) -> None:
    from annotations.store import utc_now

    hostile = hostile_id(tui_store.path)
    with tui_store.write():
        tui_store.conn.execute(
            "INSERT INTO assignments (article_id, annotator, assigned_at) VALUES (?, ?, ?)",
            (hostile, ANNOTATOR, utc_now()),
        )
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        assert screen.article.id == hostile, "the assigned article opens first"
        assert "article 1/2" in screen_text(screen, "#status")
        await pilot.press("n")
        assert screen.article.id == SAMPLE_ID, "then the others, in the library's order"
        assert "article 2/2" in screen_text(screen, "#status")
        await pilot.press("n")
        assert app.notifications[-1] == "no more articles that way"
        await pilot.press("p")
        assert screen.article.id == hostile
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        assert [row.id for row in library.articles] == [hostile, SAMPLE_ID], "the same order"


async def test_click_on_a_sentence_selects_it(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        view = screen.query_one(ArticleView)
        first, count = view.lines_of(3)
        assert count > 1
        await pilot.click(ArticleView, offset=(20, first + count - 1))  # its last line
        assert position(screen)[0] == 4
        assert view.cursor == 3
        await pilot.click(ArticleView, offset=(20, first - 1))  # the blank line above it
        assert position(screen)[0] == 4
        await pilot.click(ArticleView, offset=(1, 0))  # the gutter of the headline
        assert position(screen)[0] == 1
        assert committed_annotations(tui_store.path) == {}, "a click decides nothing"


def _entity_backgrounds(screen: ArticleScreen) -> set[Color]:
    return {
        Color.from_rich_color(segment.style.bgcolor)
        for segment in iter_segments(view_strips(screen))
        if segment.text.strip() and segment.style and segment.style.bgcolor
    } & {Color.parse(colour) for colour in ENTITY_COLORS.values()}


async def test_e_toggles_entities(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        legend = screen.query_one("#legend", Static)
        assert screen.view.show_entities and legend.display
        assert "GPE" in screen_text(screen, "#legend")
        assert _entity_backgrounds(screen)
        await pilot.press("e")  # colours with the types written after the entities
        assert screen.view.show_entities and screen.view.show_entity_types
        assert _entity_backgrounds(screen)
        await pilot.press("e")
        assert not screen.view.show_entities
        assert not legend.display
        assert not _entity_backgrounds(screen)
        await pilot.press("e")
        assert screen.view.show_entities and legend.display
        assert not screen.view.show_entity_types
        assert _entity_backgrounds(screen)


async def test_escape_and_q_go_back_to_the_library_and_q_there_quits(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        reader(app)
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("enter")
        reader(app)
        await pilot.press("q")
        assert isinstance(app.screen, LibraryScreen)
        assert len(app.screen_stack) == 2, "the reader was popped, not stacked"
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_a_restart_restores_the_position_and_the_undo_history(tui_db: Path) -> None:
    with Store.open(tui_db) as store:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "j", "j", "1", "j", "j", "2", "k")
            assert position(reader(app))[0] == 5
            await pilot.press("q", "q")
        assert app.return_code == 0

    with Store.open(tui_db) as store:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            screen = reader(app)
            assert screen.article.id == SAMPLE_ID
            assert position(screen)[0] == 5
            assert row_of(screen, 5).startswith("● ·2·")
            await pilot.press("u")  # the last change made before the restart
            assert committed_annotations(tui_db) == {3: (["military"], True), 5: ([], False)}
            assert position(screen)[0] == 6
            await pilot.press("u", "u")
            assert committed_annotations(tui_db) == {3: ([], False), 5: ([], False)}
            assert app.notifications[-1] == "nothing to undo"
            await pilot.press("ctrl+y")
            assert committed_annotations(tui_db)[3] == (["military"], True)
            # Now leave on the second article, quitting straight from the reader.
            await pilot.press("n", "j", "j", "ctrl+q")
        assert app.return_code == 0

    with Store.open(tui_db) as store:
        app = make_app(store)
        async with app.run_test(size=SIZE):
            screen = reader(app)
            assert screen.article.id == hostile_id(tui_db)
            assert position(screen) == (3, 6)


async def test_every_decision_on_screen_is_already_committed(tui_store: Store) -> None:
    """When the screen is told of a change, a second connection already sees it."""
    path = tui_store.path
    seen_when_shown: list[dict[int, tuple[list[str], bool]]] = []
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        original = screen.apply

        def apply_and_look(changes):  # the only way a change reaches the screen
            seen_when_shown.append(committed_annotations(path))
            original(changes)

        screen.apply = apply_and_look  # type: ignore[method-assign]
        await pilot.press("2")
        assert seen_when_shown[-1] == {0: (["diplomatic"], True)}
        await pilot.press("space")  # already decided: no change, only a move
        assert len(seen_when_shown) == 1
        await pilot.press("space")
        assert seen_when_shown[-1] == {0: (["diplomatic"], True), 1: ([], True)}
        await pilot.press("u")
        assert seen_when_shown[-1] == {0: (["diplomatic"], True), 1: ([], False)}
        assert len(seen_when_shown) == 3

        # And while the app keeps running, any other process reads the same.
        with closing(sqlite3.connect(path)) as other:
            rows = other.execute(
                "SELECT labels, decided FROM annotations WHERE annotator = ? ORDER BY start",
                (ANNOTATOR,),
            ).fetchall()
        assert rows == [('["diplomatic"]', 1), ("[]", 0)]
        assert app.is_running


async def test_untrusted_text_is_drawn_literally_and_does_nothing(tui_store: Store) -> None:
    hostile = hostile_id(tui_store.path)
    stored = tui_store.conn.execute(
        "SELECT title, text FROM articles WHERE id = ?", (hostile,)
    ).fetchone()
    assert stored[0] == HOSTILE_TITLE
    assert not any(bad in stored[1] for bad in FORBIDDEN), "the importer sanitised the text"

    app = make_app(tui_store, article_id=hostile)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        text = article_text(screen)
        for markup in HOSTILE_MARKUP:
            assert markup in text, markup
        title = screen.query_one("#title", Static)
        assert widget_lines(title)[0].strip() == f"{HOSTILE_TITLE}  hostile.txt  db annotty.db"
        for segment in iter_segments(view_strips(screen)):
            assert segment.style is None or not segment.style.meta
            assert segment.style is None or segment.style.link is None
        rows = all_screen_rows(app)
        assert any(HOSTILE_TITLE in row for row in rows)
        assert not any(bad in row for row in rows for bad in FORBIDDEN)

        # Click right on the would-be actions, in the article and in the title.
        view = screen.query_one(ArticleView)
        for index in range(view.sentence_count):
            line = row_of(screen, index)
            if "[@click=app.quit]z" in line:
                column = line.index("[@click=app.quit]z") + len("[@click=app.quit]")
                first = view.lines_of(index)[0] - round(view.scroll_y)
                for _ in range(3):
                    await pilot.click(ArticleView, offset=(column, first))
                assert position(screen)[0] == index + 1
                break
        else:
            pytest.fail("the [@click] sentence is not on screen")
        column = widget_lines(title)[0].index("[@click=app.quit]") + 2
        for _ in range(3):
            await pilot.click("#title", offset=(column, 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert app.screen is screen

        # The library shows the title as it is, too.
        await pilot.press("escape")
        table = app.screen.query_one(DataTable)
        assert [str(cell) for cell in table.get_row_at(1)][:2] == [HOSTILE_TITLE, "hostile.txt"]
        rows = all_screen_rows(app)
        assert not any(bad in row for row in rows for bad in FORBIDDEN)
        assert app.is_running


async def test_the_position_is_saved_soon_after_a_move_without_leaving(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        await pilot.pause(POSITION_SAVE_DELAY + 0.2)
        with closing(sqlite3.connect(tui_store.path)) as other:
            saved = other.execute(
                "SELECT annotator, screen, article_id, sentence FROM positions"
            ).fetchall()
        assert saved == [(ANNOTATOR, "reader", SAMPLE_ID, 2)]
        assert app.is_running


async def test_the_label_bar_gets_a_second_line_when_it_grows_and_gives_it_back(
    tui_store: Store,
) -> None:
    # The status line and the label bar are updated without a layout while they stay one line;
    # a bar that grows past the terminal's width must still get the lines it needs.
    names = display_names(tui_store)
    undecided = label_bar(SCHEME, UNDECIDED, None, names).cell_len
    no_label = label_bar(SCHEME, Decision((), decided=True), None, names).cell_len
    assert no_label > undecided
    app = make_app(tui_store)
    async with app.run_test(size=(undecided + 2, 30)) as pilot:  # the bar has 1 cell of padding
        screen = reader(app)
        bar = screen.query_one("#labels", Static)
        assert bar.size.height == 1, widget_lines(bar)
        for keys, wanted, height in (
            (["space"], "not decided", 1),  # decided "no label", on to the next
            (["k"], "decided: no label", 2),
            (["j"], "not decided", 1),
            (["k"], "decided: no label", 2),
        ):
            await pilot.press(*keys)
            await pilot.pause()
            assert bar.size.height == height, (keys, widget_lines(bar))
            assert wanted in " ".join(widget_lines(bar)), (keys, widget_lines(bar))
