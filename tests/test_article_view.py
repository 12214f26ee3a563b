"""Pilot tests for tui.widgets.article_view.ArticleView."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.color import Color
from textual.pilot import Pilot
from textual.strip import Strip

from tui.widgets.article_view import CURSOR_MARKER, ArticleView, SentenceBlock
from tui.widgets.entity_colors import (
    DEFAULT_ENTITY_COLOR,
    ENTITY_COLORS,
    entity_color,
    entity_style,
)

# Run the async tests with anyio's pytest plugin (installed with Textual's dependencies).
pytestmark = pytest.mark.anyio

GUTTER = 4
MARKER_COLUMN = GUTTER
TEXT_COLUMN = GUTTER + 2
SIZE = (100, 30)


class ViewApp(App[None]):
    """A screen holding only an article view, recording the clicks it posts."""

    AUTO_FOCUS = None

    def __init__(self) -> None:
        super().__init__()
        self.clicked: list[int] = []

    def compose(self) -> ComposeResult:
        yield ArticleView(id="view")

    def on_article_view_sentence_clicked(self, message: ArticleView.SentenceClicked) -> None:
        assert message.control is message.article_view
        self.clicked.append(message.index)


def gutters(count: int) -> list[Text]:
    """Plain gutters showing each sentence's index."""
    return [Text(f"{index:>3}") for index in range(count)]


def short_article() -> list[SentenceBlock]:
    """Four one-line sentences in three paragraphs: [0, 1], [2], [3]."""
    return [
        SentenceBlock("First sentence.", 0),
        SentenceBlock("Second sentence.", 0),
        SentenceBlock("Third, new paragraph.", 1),
        SentenceBlock("Fourth, last paragraph.", 2),
    ]


def long_article(count: int) -> list[SentenceBlock]:
    """``count`` sentences, every third one long enough to wrap, paragraphs of five."""
    blocks = []
    for index in range(count):
        words = 40 if index % 3 == 0 else 8
        text = " ".join(f"w{index}x{word}" for word in range(words))
        blocks.append(SentenceBlock(text, index // 5))
    return blocks


def screen_text(view: ArticleView) -> list[str]:
    """The text of every visible row, right spaces stripped."""
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def row_of_line(view: ArticleView, line: int) -> str:
    """The drawn text of a content line, which must be on screen."""
    y = line - round(view.scroll_y)
    assert 0 <= y < view.size.height, f"line {line} is not on screen"
    return view.render_line(y).text


def cursor_lines(view: ArticleView) -> list[int]:
    """Content lines on screen that show the cursor marker."""
    top = round(view.scroll_y)
    return [
        top + y
        for y in range(view.size.height)
        if view.render_line(y).text[MARKER_COLUMN : MARKER_COLUMN + 1] == CURSOR_MARKER
    ]


@contextmanager
def count_renders(view: ArticleView) -> Iterator[list[int]]:
    """Record the content lines the view builds strips for (cache misses)."""
    built: list[int] = []
    original = view._render_content_line

    def counting(line: int, width: int, is_cursor: bool) -> Strip:
        built.append(line)
        return original(line, width, is_cursor)

    view._render_content_line = counting  # type: ignore[method-assign]
    try:
        yield built
    finally:
        del view._render_content_line


async def shown(
    pilot: Pilot[None], blocks: Sequence[SentenceBlock], cursor: int = 0
) -> ArticleView:
    """Show ``blocks`` in the app's view and wait for the screen to be drawn."""
    view = pilot.app.query_one(ArticleView)
    view.show(blocks, gutters(len(blocks)), gutter_width=GUTTER, cursor=cursor)
    await pilot.pause()
    return view


async def test_paragraphs_are_separated_by_one_blank_line() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, short_article())
        rows = screen_text(view)
        assert rows[:6] == [
            f"  0 {CURSOR_MARKER} First sentence.",
            "  1   Second sentence.",
            "",
            "  2   Third, new paragraph.",
            "",
            "  3   Fourth, last paragraph.",
        ]
        assert [view.sentence_at_line(y) for y in range(7)] == [0, 1, None, 2, None, 3, None]
        assert [view.lines_of(index) for index in range(4)] == [(0, 1), (1, 1), (3, 1), (5, 1)]
        assert view.sentence_count == 4
        assert view.virtual_size.height == 6
        with pytest.raises(IndexError):
            view.lines_of(4)


async def test_wrapped_sentence_has_gutter_on_first_line_only() -> None:
    text = " ".join(["wrapping"] * 40)
    async with ViewApp().run_test(size=(60, 20)) as pilot:
        view = await shown(pilot, [SentenceBlock(text, 0), SentenceBlock("Next.", 0)], cursor=1)
        first, count = view.lines_of(0)
        assert (first, count) > (0, 1)
        rows = [row_of_line(view, line) for line in range(first, first + count)]
        assert rows[0][:GUTTER] == "  0 "
        assert all(row[:TEXT_COLUMN] == " " * TEXT_COLUMN for row in rows[1:])
        # Text column: 60 - 2 (scrollbar gutter) - 4 (gutter) - 2 (marker and space).
        assert all(len(row[TEXT_COLUMN:].rstrip()) <= 52 for row in rows)
        assert " ".join(row[TEXT_COLUMN:].strip() for row in rows) == text
        assert view.lines_of(1) == (count, 1)


async def test_text_is_limited_to_max_text_width() -> None:
    text = " ".join(["word"] * 60)
    async with ViewApp().run_test(size=(200, 20)) as pilot:
        view = await shown(pilot, [SentenceBlock(text, 0)])
        assert all(len(row) <= TEXT_COLUMN + 100 for row in screen_text(view))
        view.max_text_width = 30
        await pilot.pause()
        assert all(len(row) <= TEXT_COLUMN + 30 for row in screen_text(view))


async def test_cursor_moves_change_which_lines_have_the_marker() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, long_article(12), cursor=0)
        first, count = view.lines_of(0)
        assert count > 1
        assert cursor_lines(view) == list(range(first, first + count))

        view.move_cursor(4)
        await pilot.pause()
        assert view.cursor == 4
        first, count = view.lines_of(4)
        assert cursor_lines(view) == list(range(first, first + count))

        view.move_cursor(99)  # clamped to the last sentence
        await pilot.pause()
        assert view.cursor == 11


async def test_cursor_move_rebuilds_only_the_two_sentences() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, long_article(12), cursor=0)
        old_first, old_count = view.lines_of(0)
        new_first, new_count = view.lines_of(1)
        with count_renders(view) as built:
            view.move_cursor(1)
            await pilot.pause()
        expected = [
            *range(old_first, old_first + old_count),
            *range(new_first, new_first + new_count),
        ]
        assert sorted(set(built)) == sorted(expected)


async def test_set_gutter_redraws_only_that_sentence_first_line() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, long_article(12), cursor=5)
        first, count = view.lines_of(3)
        before = [row_of_line(view, line) for line in range(first, first + count)]
        with count_renders(view) as built:
            view.set_gutter(3, Text("ok!", style="bold green"))
            await pilot.pause()
        assert built == [first]
        after = [row_of_line(view, line) for line in range(first, first + count)]
        assert after[0][:GUTTER] == "ok! "
        assert after[0][GUTTER:] == before[0][GUTTER:]
        assert after[1:] == before[1:]
        segment = next(iter(view.render_line(first - round(view.scroll_y))))
        assert segment.style is not None and segment.style.bold

        with count_renders(view) as built:
            view.set_gutters({0: Text("A"), 6: Text("B")})
            await pilot.pause()
        assert sorted(built) == [view.lines_of(0)[0], view.lines_of(6)[0]]


async def test_gutter_is_cropped_and_padded_to_its_width() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, short_article())
        view.set_gutters({0: Text("TOOLONG"), 1: Text("")})
        await pilot.pause()
        assert row_of_line(view, 0)[:TEXT_COLUMN] == f"TOOL{CURSOR_MARKER} "
        assert row_of_line(view, 1)[:TEXT_COLUMN] == " " * TEXT_COLUMN


async def test_click_posts_sentence_clicked_with_the_index() -> None:
    text = " ".join(["clickable"] * 30)
    blocks = [SentenceBlock("Zero.", 0), SentenceBlock(text, 1), SentenceBlock("Two.", 1)]
    async with ViewApp().run_test(size=(60, 20)) as pilot:
        view = await shown(pilot, blocks)
        first, count = view.lines_of(1)
        assert count > 1
        await pilot.click(ArticleView, offset=(10, first + count - 1))  # a continuation line
        await pilot.click(ArticleView, offset=(1, 0))  # on the gutter
        await pilot.click(ArticleView, offset=(10, 1))  # the blank line: nothing
        await pilot.click(ArticleView, offset=(10, view.lines_of(2)[0]))
        await pilot.pause()
        assert pilot.app.clicked == [1, 0, 2]
        assert view.cursor == 0, "the screen, not the view, decides to move the cursor"


async def test_markup_in_text_is_drawn_literally_and_inert() -> None:
    texts = [
        "Breaking: [bold red]x[/] happened.",
        "Click [@click=app.quit]z[/] now.",
        "See [link=https://example.com]here[/link] and [b]bold[/b].",
    ]
    blocks = [SentenceBlock(text, 0) for text in texts]
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, blocks)
        rows = screen_text(view)
        for line, text in enumerate(texts):
            assert rows[line][TEXT_COLUMN:] == text
        for y in range(3):
            for segment in view.render_line(y):
                assert segment.style is None or not segment.style.meta
                assert segment.style is None or segment.style.link is None
        # Click right on the would-be action, several times.
        column = TEXT_COLUMN + texts[1].index("z[/]")
        for _ in range(3):
            await pilot.click(ArticleView, offset=(column, 1))
        await pilot.pause()
        assert pilot.app.is_running
        assert pilot.app.return_code is None
        assert pilot.app.clicked == [1, 1, 1]
        assert "[@click=app.quit]z[/]" in "".join(screen_text(view))


def _backgrounds(view: ArticleView, y: int) -> dict[str, Color]:
    """Background colour of each non-blank segment of a row, by segment text."""
    return {
        segment.text: Color.from_rich_color(segment.style.bgcolor)
        for segment in view.render_line(y)
        if segment.text.strip() and segment.style and segment.style.bgcolor
    }


async def test_entities_are_coloured_and_can_be_hidden() -> None:
    text = "Apple hired Tim Cook in Cupertino."
    entities = ((0, 5, "ORG"), (12, 20, "PERSON"), (24, 33, "GPE"), (21, 23, "WEIRD"))
    blocks = [SentenceBlock(text, 0, entities), SentenceBlock(text, 0, entities)]
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, blocks, cursor=1)
        for y in (0, 1):  # not the cursor, then the cursor: entities keep their colour
            backgrounds = _backgrounds(view, y)
            assert backgrounds["Apple"] == Color.parse(ENTITY_COLORS["ORG"])
            assert backgrounds["Tim Cook"] == Color.parse(ENTITY_COLORS["PERSON"])
            assert backgrounds["Cupertino"] == Color.parse(ENTITY_COLORS["GPE"])
            assert backgrounds["in"] == Color.parse(DEFAULT_ENTITY_COLOR)
            for segment in view.render_line(y):
                if segment.text == "Apple":
                    assert segment.style.color == Style.parse("#000000").color
        assert row_of_line(view, 0)[TEXT_COLUMN:].rstrip() == text, "labels are not printed"

        view.show_entities = False
        await pilot.pause()
        entity_colours = {Color.parse(colour) for colour in ENTITY_COLORS.values()}
        for y in (0, 1):
            assert not entity_colours & set(_backgrounds(view, y).values())
        assert row_of_line(view, 0)[TEXT_COLUMN:].rstrip() == text

        view.show_entities = True
        await pilot.pause()
        assert _backgrounds(view, 0)["Apple"] == Color.parse(ENTITY_COLORS["ORG"])


def test_entity_color_lookup() -> None:
    assert entity_color("ORG") == "#7aecec"
    assert entity_color("person") == "#aa9cfc"
    assert entity_color("SOMETHING_ELSE") == DEFAULT_ENTITY_COLOR
    assert entity_style("GPE") == Style(color="#000000", bgcolor="#feca74")


async def test_entity_split_across_wrapped_lines() -> None:
    text = "aaaa bbbb cccc New York dddd"
    async with ViewApp().run_test(size=(GUTTER + 2 + 2 + 16, 10)) as pilot:
        view = await shown(pilot, [SentenceBlock(text, 0, ((15, 23, "GPE"),))])
        # Text width 16: "aaaa bbbb cccc" / "New York dddd"; "New York" is on one line.
        assert view.lines_of(0) == (0, 2)
        assert _backgrounds(view, 1)["New York"] == Color.parse(ENTITY_COLORS["GPE"])


async def test_filter_shows_only_some_sentences() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, short_article(), cursor=1)
        view.set_filter({1, 3})
        await pilot.pause()
        assert screen_text(view)[:3] == [
            f"  1 {CURSOR_MARKER} Second sentence.",
            "",
            "  3   Fourth, last paragraph.",
        ]
        assert view.lines_of(0) == (-1, 0)
        assert view.cursor == 1, "cursor kept: its sentence is still shown"

        view.set_filter([2])
        await pilot.pause()
        assert view.cursor == 2, "cursor moved to the nearest shown sentence"
        assert screen_text(view)[0] == f"  2 {CURSOR_MARKER} Third, new paragraph."

        view.set_filter([0, 3])
        await pilot.pause()
        view.move_cursor(1)  # hidden: goes to the next shown one
        assert view.cursor == 3

        view.set_filter(None)
        await pilot.pause()
        assert view.cursor == 3
        assert [view.sentence_at_line(y) for y in range(6)] == [0, 1, None, 2, None, 3]


async def test_resize_rewraps_and_keeps_the_cursor_visible() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, long_article(60), cursor=30)
        wide = view.virtual_size.height
        await pilot.resize_terminal(50, 30)
        await pilot.pause()
        assert view.virtual_size.height > wide
        assert all(len(row) <= 48 for row in screen_text(view))
        first, count = view.lines_of(30)
        top = round(view.scroll_y)
        assert top <= first and first + count <= top + view.size.height


async def test_show_before_mount_is_laid_out_when_mounted() -> None:
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.query_one(ArticleView).remove()
        view = ArticleView(id="late")
        blocks = long_article(200)
        view.show(blocks, gutters(200), gutter_width=GUTTER, cursor=150)
        await app.mount(view)
        await pilot.pause()
        first, count = view.lines_of(150)
        top = round(view.scroll_y)
        assert top <= first and first + count <= top + view.size.height
        assert cursor_lines(view) == list(range(first, first + count))


async def test_tabs_and_wide_characters_are_drawn() -> None:
    blocks = [SentenceBlock("tab\there", 0), SentenceBlock("東京で会議 😀 ok", 0)]
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, blocks)
        rows = screen_text(view)
        assert rows[0][TEXT_COLUMN:] == "tab here"
        assert rows[1][TEXT_COLUMN:] == "東京で会議 😀 ok"


async def test_empty_article() -> None:
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, [])
        assert view.sentence_count == 0
        assert screen_text(view) == [""] * view.size.height
        view.move_cursor(3)
        view.set_filter(None)
        assert view.sentence_at_line(0) is None
        with pytest.raises(ValueError):
            view.show([SentenceBlock("a", 0)], [], gutter_width=GUTTER)


async def test_long_article_loads_and_scrolls_to_the_last_sentence() -> None:
    blocks = long_article(5000)
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = pilot.app.query_one(ArticleView)
        with count_renders(view) as built:
            view.show(blocks, gutters(5000), gutter_width=GUTTER)
            await pilot.pause()
        assert view.sentence_count == 5000
        assert len(set(built)) <= view.size.height, "only visible lines are drawn"

        with count_renders(view) as built:
            view.move_cursor(4999)
            await pilot.pause()
        first, count = view.lines_of(4999)
        top = round(view.scroll_y)
        assert top <= first and first + count <= top + view.size.height
        assert first + count == view.virtual_size.height
        assert cursor_lines(view) == list(range(first, first + count))
        assert len(set(built)) <= view.size.height

        with count_renders(view) as built:
            view.set_gutter(4998, Text("new"))
            view.move_cursor(4998)
            await pilot.pause()
        assert len(built) == view.lines_of(4998)[1] + count
        assert row_of_line(view, view.lines_of(4998)[0]).startswith("new ")


async def test_scrolling_keeps_context_and_shows_the_start_of_a_tall_sentence() -> None:
    tall = " ".join(["tall"] * 400)  # far more lines than the view has
    blocks = [SentenceBlock(f"Short {index}.", 0) for index in range(30)]
    blocks.append(SentenceBlock(tall, 1))
    async with ViewApp().run_test(size=(60, 12)) as pilot:
        view = await shown(pilot, blocks)
        height = view.size.height
        view.move_cursor(height)  # just below the view: scroll until it is 2 lines above the end
        await pilot.pause()
        assert round(view.scroll_y) == height + 1 + 2 - height
        view.move_cursor(30)
        await pilot.pause()
        first, count = view.lines_of(30)
        assert count > height
        assert round(view.scroll_y) == first, "a sentence taller than the view shows its start"
        assert cursor_lines(view) == list(range(first, first + height))
        view.move_cursor(29)  # back up: the sentence and 2 lines of context above it
        await pilot.pause()
        assert round(view.scroll_y) == view.lines_of(29)[0] - 2


def composed(app: App[None]) -> list[list[tuple[str, Style | None]]]:
    """Every row as the compositor draws it (from the widgets' styles caches): text and style."""
    strips = app.screen._compositor.render_strips()
    return [[(s.text, s.style) for s in strip.simplify()] for strip in strips]


def composed_afresh(app: App[None], view: ArticleView) -> list[list[tuple[str, Style | None]]]:
    """The same rows drawn from nothing: the view's line cache emptied, the view and its
    scrollbar asked to draw everything again."""
    view._line_cache.clear()
    view.refresh()
    view.vertical_scrollbar.refresh()
    return composed(app)


async def test_scrolling_moves_drawn_rows_and_draws_the_same_screen() -> None:
    # Scrolling moves the rows already drawn (and leaves the scrollbar alone while its thumb
    # stays put): after any sequence of moves, scrolls and changes the screen must be exactly
    # what drawing it from nothing gives.
    blocks = long_article(400)
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, blocks)
        height = view.size.height
        app = pilot.app

        async def check(what: str) -> None:
            await pilot.pause()
            drawn = composed(app)
            assert drawn == composed_afresh(app, view), what

        for index in range(1, 40):  # one sentence at a time: scrolls of one to a few lines
            view.move_cursor(index)
            await check(f"down to {index}")
        view.move_cursor(45)  # a jump of less than a screen
        await check("jump 45")
        view.set_gutter(44, Text("new"))
        view.move_cursor(44)
        await check("gutter of 44, cursor back up")
        view.move_cursor(300)  # further than a screen
        await check("jump 300")
        for index in range(299, 280, -1):
            view.move_cursor(index)
            await check(f"up to {index}")
        view.scroll_to(y=round(view.scroll_y) + height // 2, animate=False)
        await check("half a screen by the mouse")
        view.scroll_to(y=round(view.scroll_y) - 3, animate=False)
        await check("three lines back")
        view.set_filter(range(0, 400, 7))
        view.move_cursor(210)
        await check("filtered")
        view.set_filter(None)
        view.move_cursor(399)
        await check("the end")


async def test_a_one_line_scroll_styles_only_the_new_and_changed_lines() -> None:
    blocks = [SentenceBlock(f"Sentence {index}.", 0) for index in range(200)]
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await shown(pilot, blocks)
        height = view.size.height
        view.move_cursor(height - 3)  # the last line that needs no scroll
        await pilot.pause()
        top = round(view.scroll_y)
        styled: list[int] = []
        original = view._styles_cache.render_line

        def counting(styles, y, *args, **kwargs):  # type: ignore[no-untyped-def]
            styled.append(y)
            return original(styles, y, *args, **kwargs)

        view._styles_cache.render_line = counting  # type: ignore[method-assign]
        view.move_cursor(height - 2)
        await pilot.pause()
        assert round(view.scroll_y) == top + 1
        # The row scrolled in, and the rows of the old and the new cursor sentence.
        assert sorted(styled) == [height - 4, height - 3, height - 1]
        assert composed(pilot.app) == composed_afresh(pilot.app, view)
