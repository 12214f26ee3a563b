"""The article view: an article's sentences, wrapped, with a gutter per sentence and a cursor.

A Line API widget (``ScrollView`` + ``render_line``) after toolong's ``LogLines``: one widget per
sentence takes seconds to mount for a long article, while this draws only the visible rows. A
layout map from wrapped line to ``(sentence, character range)``
(:func:`~tui.widgets.wrapping.layout_article`) is rebuilt when the content, filter or text width
changes; cursor moves and gutter changes refresh only the lines of the sentences concerned, so
they cost the same in any article. Rendered lines are kept in an LRU cache.

Sentence text is untrusted: it is drawn as ``Segment(text, style)`` with styles built here, so
console markup such as ``[@click=app.quit]`` in an article shows literally and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from math import ceil
from typing import ClassVar, NamedTuple, overload

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tui.widgets.entity_colors import span_style, with_types
from tui.widgets.wrapping import (
    BLANK_LINE,
    ArticleLayout,
    display_text,
    entity_pieces,
    layout_article,
    nearest_shown,
    scroll_target,
    visible_start,
)

CURSOR_MARKER = "▌"
"""Drawn in the marker column on every line of the current sentence."""

CONTEXT_LINES = 2
"""Lines kept visible above and below the cursor sentence when scrolling to it."""


class _LineStyles(NamedTuple):
    base: Style
    gutter: Style
    cursor: Style
    marker: Style


def _thumb(bar: ScrollBar, position: float) -> tuple[int, int] | None:
    """Where a vertical scrollbar draws its thumb, in eighths of a cell, as Textual's
    ``ScrollBarRender.render_bar`` computes it (None: no thumb is drawn)."""
    size = bar.size.height
    virtual = ceil(bar.window_virtual_size)
    window = ceil(bar.window_size if bar.window_size < bar.window_virtual_size else 0)
    if not (window and size and virtual and size != virtual):
        return None
    thumb = max(1, window / (virtual / size))
    offset = (size - thumb) * (position / (virtual - window))
    start = int(offset * 8)
    return start, start + ceil(thumb * 8)


def _move_thumb(bar: ScrollBar, position: float) -> None:
    """Give a vertical scrollbar its new position, redrawing it only if the thumb moves."""
    position = bar.validate_position(position)
    if _thumb(bar, position) == _thumb(bar, bar.position):
        bar.set_reactive(ScrollBar.position, position)
    else:
        bar.position = position


@dataclass(frozen=True)
class SentenceBlock:
    """One sentence as the view draws it."""

    text: str
    """The sentence text, drawn literally."""
    paragraph: int
    """Paragraph number; a change between consecutive shown sentences draws a blank line."""
    entities: tuple[tuple[int, int, str], ...] = ()
    """Named entities as ``(start, end, label)``, offsets relative to ``text``."""


class LazyBlocks(Sequence[SentenceBlock]):
    """Sentences given as columns, each :class:`SentenceBlock` made only when it is drawn.

    For long articles: the layout needs every text and paragraph, but only the sentences on
    screen need their entities.
    """

    def __init__(
        self,
        texts: Sequence[str],
        paragraphs: Sequence[int],
        entities: Callable[[int], tuple[tuple[int, int, str], ...]],
    ) -> None:
        """Describe the sentences.

        Args:
            texts: Every sentence's text.
            paragraphs: Every sentence's paragraph number.
            entities: The entities of sentence ``index``, as in :attr:`SentenceBlock.entities`.
        """
        if len(texts) != len(paragraphs):
            raise ValueError(f"{len(texts)} texts but {len(paragraphs)} paragraph numbers")
        self.texts = texts
        self.paragraphs = paragraphs
        self._entities = entities

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> SentenceBlock: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[SentenceBlock]: ...
    def __getitem__(self, index: int | slice) -> SentenceBlock | Sequence[SentenceBlock]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        return SentenceBlock(self.texts[index], self.paragraphs[index], self._entities(index))


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """Sentences of one article with wrapping, a gutter per sentence, entities and a cursor.

    The screen owns the keys: the view has no key bindings of its own (a focused widget's
    bindings would shadow the screen's arrows and page keys), only mouse wheel scrolling and
    :class:`SentenceClicked`. The screen moves the cursor with :meth:`move_cursor`.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--gutter",
        "article-view--cursor",
        "article-view--cursor-marker",
    }
    """
    | Class | Description |
    | :- | :- |
    | `article-view--gutter` | The gutter of each sentence (below the caller's gutter styles). |
    | `article-view--cursor` | The text of the current sentence (its background). |
    | `article-view--cursor-marker` | The `▌` marker beside the current sentence. |
    """

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        /* A scrollbar appearing must not change the text width and force a rewrap. */
        scrollbar-gutter: stable;
        & > .article-view--gutter {
            color: $text-muted;
        }
        & > .article-view--cursor {
            /* Not $boost: it is invisible on some light themes. */
            background: $accent 8%;
        }
        & > .article-view--cursor-marker {
            color: $accent;
        }
        &:focus > .article-view--cursor {
            background: $accent 18%;
        }
    }
    """

    ALLOW_SELECT = False

    show_entities: var[bool] = var(True)
    """Whether entities are drawn with their label's background colour."""
    show_entity_types: var[bool] = var(False)
    """Whether each entity's type is written after it (with show_entities)."""

    class SentenceClicked(Message):
        """Posted on a click on any line of a sentence. The view does not move its cursor."""

        def __init__(self, article_view: ArticleView, index: int) -> None:
            """Create the message for a click on sentence ``index`` of ``article_view``."""
            super().__init__()
            self.article_view = article_view
            """The view that was clicked."""
            self.index = index
            """Index of the clicked sentence."""

        @property
        def control(self) -> ArticleView:
            """The view that was clicked (for ``@on(..., selector)``)."""
            return self.article_view

    def __init__(
        self,
        *,
        show_entities: bool = True,
        max_text_width: int = 100,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create an empty view; fill it with :meth:`show`.

        Args:
            show_entities: Whether to colour entities.
            max_text_width: Widest text column in cells, however wide the view.
            name: The name of the widget.
            id: The ID of the widget in the DOM.
            classes: The CSS classes of the widget.
            disabled: Whether the widget is disabled.
        """
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.set_reactive(ArticleView.show_entities, show_entities)
        self._max_text_width = max(1, max_text_width)
        self._blocks: Sequence[SentenceBlock] = []
        self._texts: Sequence[str] = []
        self._paragraphs: Sequence[int] = []
        # Per sentence, made when its lines are first drawn: an article may have 100,000.
        self._display: dict[int, str] = {}
        self._entities: dict[int, tuple[tuple[int, int, str], ...]] = {}
        self._plain_texts: Sequence[str] = []
        """The sentences' own texts (`_texts` holds them with the types, when those are shown)."""
        self._typed_entities: dict[int, tuple[tuple[int, int, str], ...]] = {}
        self._gutters: dict[int, Text] = {}
        self._gutter_for: Callable[[int], Text] | None = None
        self._gutter_width = 0
        self._cursor = 0
        # Shown sentence indices in order, and the wrap of every sentence at `_wrap_width`
        # (None until needed), so a filter change relays out without rewrapping.
        self._shown: list[int] = []
        self._wraps: list[list[tuple[int, int]] | None] = []
        self._wrap_width = 0
        self._layout = ArticleLayout()
        # Set when a scroll to the cursor has to wait until the view has a size.
        self._scroll_pending = False
        # Strips by (content line, width, is cursor line): a cursor move needs no eviction.
        self._line_cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(1024)
        self._styles: _LineStyles | None = None

    # -- public interface ---------------------------------------------------------------------

    @property
    def sentence_count(self) -> int:
        """Number of sentences in the article (shown or not)."""
        return len(self._blocks)

    @property
    def cursor(self) -> int:
        """Index of the current sentence."""
        return self._cursor

    @property
    def max_text_width(self) -> int:
        """Widest text column in cells; setting it relays out."""
        return self._max_text_width

    @max_text_width.setter
    def max_text_width(self, width: int) -> None:
        self._max_text_width = max(1, width)
        self._relayout(keep_position=True)

    def show(
        self,
        blocks: Sequence[SentenceBlock],
        gutters: Sequence[Text] | Callable[[int], Text],
        *,
        gutter_width: int,
        cursor: int = 0,
    ) -> None:
        """Replace the whole content with a new article and clear the filter.

        Args:
            blocks: The sentences in order.
            gutters: One gutter per sentence, at most ``gutter_width`` cells (longer ones are
                cropped); or a function of the sentence index, called when the sentence is
                first drawn (and again after its gutter is changed by :meth:`set_gutter`).
            gutter_width: Width of the gutter column in cells.
            cursor: Index of the current sentence, scrolled into view.

        Raises:
            ValueError: If there is not exactly one gutter per sentence.
        """
        if callable(gutters):
            self._gutter_for, self._gutters = gutters, {}
        else:
            if len(gutters) != len(blocks):
                raise ValueError(f"{len(blocks)} sentences but {len(gutters)} gutters")
            self._gutter_for, self._gutters = None, dict(enumerate(gutters))
        if isinstance(blocks, LazyBlocks):
            self._blocks: Sequence[SentenceBlock] = blocks
            self._texts, self._paragraphs = blocks.texts, blocks.paragraphs
        else:
            self._blocks = list(blocks)
            self._texts = [block.text for block in self._blocks]
            self._paragraphs = [block.paragraph for block in self._blocks]
        self._display = {}
        self._entities = {}
        self._plain_texts = self._texts
        self._typed_entities: dict[int, tuple[tuple[int, int, str], ...]] = {}
        if self.show_entity_types:
            self._write_types()
        self._gutter_width = max(0, gutter_width)
        self._shown = list(range(len(self._blocks)))
        self._wraps = [None] * len(self._blocks)
        self._wrap_width = 0
        self._cursor = self._nearest_shown(cursor)
        self._relayout(keep_position=False)

    def set_gutter(self, index: int, gutter: Text) -> None:
        """Replace one sentence's gutter, redrawing only that sentence's first line.

        Args:
            index: Sentence index.
            gutter: The new gutter text.
        """
        self._gutters[index] = gutter
        self._refresh_lines_of(index, first_only=True)

    def refresh_gutters(self) -> None:
        """Ask the gutter function again for every gutter, as each is drawn (when :meth:`show`
        was given one): for a change that touches every sentence, in time for what is shown."""
        if self._gutter_for is not None:
            self._gutters.clear()
            self._line_cache.clear()
            self.refresh()

    def set_gutters(self, gutters: Mapping[int, Text]) -> None:
        """Replace several gutters at once.

        Args:
            gutters: New gutter text by sentence index.
        """
        for index, gutter in gutters.items():
            self.set_gutter(index, gutter)

    def move_cursor(self, index: int) -> None:
        """Make another sentence current and scroll it into view with a little context.

        Only the lines of the old and new sentences are redrawn (plus the whole view if it
        scrolls). A sentence hidden by the filter is replaced by the nearest shown one.

        Args:
            index: Index of the new current sentence (clamped to the article).
        """
        index = self._nearest_shown(index)
        old, self._cursor = self._cursor, index
        if index != old:
            self._refresh_lines_of(old)
            self._refresh_lines_of(index)
        self._scroll_to_cursor()

    def set_filter(self, indices: Collection[int] | None) -> None:
        """Show only some sentences, or all of them.

        The cursor stays where it is if its sentence is still shown, otherwise it moves to the
        nearest shown sentence after it (or before it, if there is none after).

        Args:
            indices: Indices of the sentences to show, or None to show all.
        """
        count = len(self._blocks)
        if indices is None:
            self._shown = list(range(count))
        else:
            self._shown = sorted({index for index in indices if 0 <= index < count})
        self._cursor = self._nearest_shown(self._cursor)
        self._relayout(keep_position=False)

    def sentence_at_line(self, y: int) -> int | None:
        """Return the sentence drawn on a content line.

        Args:
            y: Line number in the content (not the screen): 0 is the first line of the article.

        Returns:
            The sentence index, or None for a blank line or a line past the end.
        """
        line_sentence = self._layout.line_sentence
        if 0 <= y < len(line_sentence) and line_sentence[y] != BLANK_LINE:
            return line_sentence[y]
        return None

    def lines_of(self, index: int) -> tuple[int, int]:
        """Return where a sentence is in the current layout.

        Args:
            index: Sentence index.

        Returns:
            ``(first line, line count)``; ``(-1, 0)`` if the filter hides the sentence.

        Raises:
            IndexError: If there is no such sentence.
        """
        if not 0 <= index < len(self._blocks):
            raise IndexError(f"no sentence {index} in an article of {len(self._blocks)}")
        return self._layout.first_line[index], self._layout.line_count[index]

    # -- layout and scrolling -----------------------------------------------------------------

    def _nearest_shown(self, index: int) -> int:
        """Clamp ``index`` to the article and move it to the nearest shown sentence."""
        index = max(0, min(index, len(self._blocks) - 1))
        return nearest_shown(self._shown, index) if self._shown else index

    def _text_width(self) -> int:
        """Width of the text column for the current view size."""
        view_width = self.scrollable_content_region.width
        if view_width <= 0:
            # Not laid out yet: lay out as if wide; the first resize lays out again.
            return self._max_text_width
        return max(1, min(view_width - self._gutter_width - 2, self._max_text_width))

    def _relayout(self, *, keep_position: bool) -> None:
        """Rebuild the layout map, drop cached lines and put the view back in place.

        Args:
            keep_position: Keep the sentence at the top of the view at the top (on resize);
                otherwise scroll the cursor into view from the top.
        """
        anchor, follow_cursor = None, True
        if keep_position and self._blocks:
            # Judged on the old layout (same content, other width): keep a visible cursor
            # visible, but do not yank the reader back to a cursor they scrolled away from.
            top = round(self.scroll_y)
            anchor = self.sentence_at_line(top)
            anchor = self.sentence_at_line(top + 1) if anchor is None else anchor
            first, count = self.lines_of(self._cursor)
            height = self.scrollable_content_region.height
            follow_cursor = first >= 0 and top - count < first < top + height

        width = self._text_width()
        if width != self._wrap_width:
            self._wraps = [None] * len(self._blocks)
            self._wrap_width = width
        self._layout = layout_article(
            self._texts, self._paragraphs, self._shown, self._wraps, width
        )
        self._line_cache.clear()
        self._update_virtual_size()
        self.refresh()
        if not self.is_mounted:
            # Scrolling needs the app; the first resize after mounting finishes the job.
            self._scroll_pending = True
            return
        if not keep_position:
            self.scroll_to(y=0, animate=False, force=True)
        elif anchor is not None:
            self.scroll_to(y=self._layout.first_line[anchor], animate=False, force=True)
        if follow_cursor:
            self._scroll_to_cursor()

    def _update_virtual_size(self) -> None:
        """Size the content: as wide as the view (no horizontal scrolling), a row per line."""
        width = self.scrollable_content_region.width
        self.virtual_size = Size(width, len(self._layout.line_sentence))

    def _scroll_to_cursor(self) -> None:
        """Scroll the least needed to show the cursor sentence with CONTEXT_LINES around it."""
        if not self._blocks:
            return
        first, count = self.lines_of(self._cursor)
        height = self.scrollable_content_region.height
        if height <= 0:
            self._scroll_pending = True
            return
        self._scroll_pending = False
        if first < 0:
            return
        new_top = scroll_target(first, count, round(self.scroll_target_y), height, CONTEXT_LINES)
        if new_top is not None:
            # force: right after a relayout the scrollbar may not be shown yet.
            self.scroll_to(y=new_top, animate=False, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scroll by moving the lines already drawn: only the lines scrolled in are drawn anew.

        Textual's ScrollView redraws every row of the view on any scroll (each row goes through
        ``render_line`` and then the styles cache, which adds the widget's background and
        filters), and the scrollbar's every row. The styles cache keeps the finished rows by
        their row in the view; moving its rows by the scroll distance keeps those still visible,
        so a one-line scroll costs one line in any article. The scrollbar is redrawn when its
        thumb moves (in a long article, once in many lines).
        """
        old, new = round(old_value), round(new_value)
        cache = self._styles_cache
        height = self.size.height
        shift = new - old
        moved: tuple[dict[int, Strip], set[int]] | None = None
        if shift and abs(shift) < height and self._rows_are_lines():
            moved = (
                {y - shift: s for y, s in cache._cache.items() if 0 <= y - shift < height},
                {y - shift for y in cache._dirty_lines if 0 <= y - shift < height},
            )
        if self.show_vertical_scrollbar:
            _move_thumb(self.vertical_scrollbar, new_value)
        if shift:
            self.refresh(self.size.region)  # marks every row to redraw
        if moved is not None:
            rows, dirty = moved
            cache._cache = rows
            cache._dirty_lines = dirty | {y for y in range(height) if y not in rows}

    def _rows_are_lines(self) -> bool:
        """Whether each row of the widget shows exactly one content line (no border or padding
        offsets them), and the styles cache is the one this view knows how to move."""
        cache = self._styles_cache
        return (
            not self.styles.gutter
            and isinstance(getattr(cache, "_cache", None), dict)
            and isinstance(getattr(cache, "_dirty_lines", None), set)
        )

    def on_resize(self, event: events.Resize) -> None:
        """Rewrap when the text width changes, and finish a scroll asked for before layout."""
        if self._blocks and self._text_width() != self._wrap_width:
            self._relayout(keep_position=not self._scroll_pending)
        else:
            self._update_virtual_size()
            if self._scroll_pending:
                self._scroll_to_cursor()

    # -- rendering ----------------------------------------------------------------------------

    def watch_show_entities(self) -> None:
        """Redraw with or without entity colours."""
        self._line_cache.clear()
        self.refresh()

    def watch_show_entity_types(self) -> None:
        """Write the types after the entities, or take them out: the text changes, so rewrap."""
        if not self._blocks:
            return
        if self.show_entity_types:
            self._write_types()
        else:
            self._texts, self._typed_entities = self._plain_texts, {}
        self._display, self._entities = {}, {}
        self._wraps = [None] * len(self._blocks)
        self._wrap_width = 0
        self._line_cache.clear()
        if self.is_mounted:
            self._relayout(keep_position=True)
            self.refresh()

    def _write_types(self) -> None:
        """Every sentence's text with the types written after its entities (the wrap map needs
        all of them: this reads every sentence's entities, once, when the reader asks)."""
        typed = [
            with_types(display_text(text), tuple(sorted(self._blocks[index].entities)))
            for index, text in enumerate(self._plain_texts)
        ]
        self._texts = [text for text, _ in typed]
        self._typed_entities = {index: spans for index, (_, spans) in enumerate(typed)}
        self._display, self._entities = {}, {}

    def notify_style_update(self) -> None:
        """Drop cached lines when the theme or focus changes the component styles."""
        super().notify_style_update()
        self._line_cache.clear()
        self._styles = None

    def _refresh_lines_of(self, index: int, *, first_only: bool = False) -> None:
        """Evict and redraw the lines of a sentence (or its first line), if it is shown."""
        if not 0 <= index < len(self._blocks):
            return
        first, count = self.lines_of(index)
        count = min(count, 1) if first_only else count
        width = self.size.width
        for line in range(first, first + count):
            self._line_cache.discard((line, width, True))
            self._line_cache.discard((line, width, False))
        if count:
            self.refresh_lines(first, count)

    def render_line(self, y: int) -> Strip:
        """Render one row of the view.

        The horizontal scroll offset is ignored: the content is never wider than the view.

        Args:
            y: Row within the view (0 is the top row).

        Returns:
            The row's strip, from the cache when possible.
        """
        line = round(self.scroll_y) + y
        width = self.size.width
        line_sentence = self._layout.line_sentence
        if not 0 <= line < len(line_sentence):
            return Strip.blank(width, self.rich_style)
        key = (line, width, line_sentence[line] == self._cursor)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._line_cache[key] = self._render_content_line(*key)
        return strip

    def _line_styles(self) -> _LineStyles:
        """The styles lines are drawn with, kept with the lines drawn (and dropped with them
        when the styles change): Textual recomputes them on every refresh, that is every key."""
        styles = self._styles
        if styles is None:
            # Full (not partial) component styles: Textual resolves their translucent
            # backgrounds against the widget's own background.
            component = self.get_component_rich_style
            styles = self._styles = _LineStyles(
                self.rich_style,
                component("article-view--gutter"),
                component("article-view--cursor"),
                component("article-view--cursor-marker"),
            )
        return styles

    def _render_content_line(self, line: int, width: int, is_cursor: bool) -> Strip:
        """Build the (uncached) strip of a content line: gutter, marker, space, text."""
        base, gutter_style, cursor_style, marker_style = self._line_styles()
        sentence = self._layout.line_sentence[line]
        if sentence == BLANK_LINE:
            return Strip.blank(width, base)
        segments: list[Segment] = []
        if self._gutter_width:
            if line == self._layout.first_line[sentence]:
                segments.extend(self._gutter_segments(sentence, gutter_style))
            else:
                segments.append(Segment(" " * self._gutter_width, gutter_style))
        if is_cursor:
            text_style = cursor_style
            segments.append(Segment(CURSOR_MARKER, marker_style))
        else:
            text_style = base
            segments.append(Segment(" ", base))
        segments.append(Segment(" ", text_style))
        start, end = self._layout.line_span[line]
        text = Strip(self._text_segments(sentence, start, end, text_style))
        # Pad the text to the column width so the cursor highlight forms an even block.
        segments.extend(text.crop_extend(0, self._wrap_width, text_style))
        return Strip(segments).crop_extend(0, width, base)

    def _gutter_segments(self, sentence: int, gutter_style: Style) -> list[Segment]:
        """Render a sentence's gutter text, cropped or padded to the gutter width."""
        gutter = self._gutters.get(sentence)
        if gutter is None:
            assert self._gutter_for is not None
            gutter = self._gutters[sentence] = self._gutter_for(sentence)
        console = self.app.console
        # Text.render leaves out the Text's own style when it has no spans: apply it here.
        base = gutter_style + console.get_style(gutter.style, default=Style.null())
        strip = Strip(gutter.render(console)).apply_style(base)
        return list(strip.crop_extend(0, self._gutter_width, gutter_style))

    def _text_segments(self, sentence: int, start: int, end: int, style: Style) -> list[Segment]:
        """Cut a wrapped line of a sentence into literal-text segments, styling entities."""
        text = self._display.get(sentence)
        if text is None:
            text = self._display[sentence] = display_text(self._texts[sentence])
        start = visible_start(text, start, end)
        if not self.show_entities:
            return [Segment(text[start:end], style)]
        entities = self._typed_entities.get(sentence) or self._entities.get(sentence)
        if entities is None:
            entities = self._entities[sentence] = tuple(sorted(self._blocks[sentence].entities))
        pieces = entity_pieces(len(text), start, end, entities)
        return [
            Segment(text[first:last], style + span_style(label) if label else style)
            for first, last, label in pieces
        ]

    # -- mouse --------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        """Post :class:`SentenceClicked` for a click on any line of a sentence."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        sentence = self.sentence_at_line(round(self.scroll_y) + offset.y)
        if sentence is not None:
            self.post_message(self.SentenceClicked(self, sentence))
