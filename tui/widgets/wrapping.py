"""Word wrapping by terminal cells, as character ranges of the original text.

The article view needs to know, for every visual line, which characters of a sentence it shows,
so that entity offsets, clicks and the cursor can be mapped back to the sentence text. Wrapping
therefore returns ``(start, end)`` ranges into the text rather than new strings.

Rules:

- Lines break at runs of spaces, tabs and newlines (the "break spaces"). Other spaces, such as
  U+00A0 NO-BREAK SPACE, are part of a word and never break.
- A tab or newline is drawn as one space, so every character keeps a 1:1 offset on screen
  (see :func:`display_text`).
- Widths are measured in terminal cells with :func:`rich.cells.cell_len`: wide CJK and emoji are
  two cells, combining marks zero.
- The break spaces where a line was broken go at the start of the next range; they are not drawn
  (see :func:`visible_start`). Break spaces at the very end of the text hang on the last line.
- A word wider than the width is split by cells, never inside a character, and a zero-width
  character stays with the character before it. A single character wider than the width (a
  2-cell character at width 1) gets a line of its own.

The module also holds the article view's layout map (:func:`layout_article`) and the other pure
line arithmetic of the view. It has no Textual import so that it can be tested and benchmarked on
its own.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len

BREAK_SPACES = " \t\n"
"""Characters at which lines may break; each is drawn as one cell."""

_SPLIT = re.compile(r"([ \t\n]+)").split
_SINGLE_CELL_CHARS: set[str] = set()
"""Characters known to be one cell wide, learnt as texts are wrapped."""
_TO_SPACE = str.maketrans({"\t": " ", "\n": " "})


def display_text(text: str) -> str:
    """Return the text as drawn: tabs and newlines become single spaces, offsets unchanged.

    Args:
        text: A sentence text.

    Returns:
        A string of the same length as ``text``.
    """
    return text.translate(_TO_SPACE)


def visible_start(text: str, start: int, end: int) -> int:
    """Return the offset of the first character of a wrapped line that is drawn.

    Args:
        text: The wrapped text.
        start: Start of the line's range.
        end: End of the line's range.

    Returns:
        The offset of the first character after the line's leading break spaces (``end`` if the
        line is blank).
    """
    while start < end and text[start] in BREAK_SPACES:
        start += 1
    return start


def _is_single_cell(text: str) -> bool:
    """Return True if every character of ``text`` is one cell wide (break spaces included)."""
    unknown = set(text) - _SINGLE_CELL_CHARS
    for char in unknown:
        if char not in BREAK_SPACES and cell_len(char) != 1:
            return False
    # Remember the characters seen, so the common case is one C-level set difference.
    _SINGLE_CELL_CHARS.update(unknown)
    return True


def _wrap_single_cell(text: str, width: int) -> list[tuple[int, int]]:
    """Wrap text whose characters are all one cell wide and whose break spaces are all " ".

    With one cell per character a line's width is its length, so instead of walking the words
    this jumps ``width`` characters ahead and backs up to the last space: one step per line.

    Args:
        text: The text, with tabs and newlines already turned into spaces.
        width: Line width, at least 1.

    Returns:
        The same ranges as :func:`_wrap_words` would.
    """
    length = len(text)
    # Trailing spaces hang on the last line, so only the text up to its last word must fit.
    content_end = len(text.rstrip(" "))
    spans: list[tuple[int, int]] = []
    line_start = 0
    visible = length - len(text.lstrip(" "))
    while content_end - visible > width:
        limit = visible + width
        end = limit if text[limit] == " " else text.rfind(" ", visible, limit)
        if end < 0:
            # One word wider than the line: split it; the next line continues it.
            end = limit
        else:
            # Back up over the spaces before the break: they lead the next line.
            while text[end - 1] == " ":
                end -= 1
        spans.append((line_start, end))
        line_start = visible = end
        while text[visible] == " ":
            visible += 1
    spans.append((line_start, length))
    return spans


def _split_word(
    text: str, start: int, end: int, width: int, spans: list[tuple[int, int]], line_start: int
) -> tuple[int, int]:
    """Split an over-wide word into lines by cells.

    Args:
        text: The whole text.
        start: Offset of the word's first character.
        end: Offset after the word.
        width: Line width in cells.
        spans: Finished line ranges; full lines are appended here.
        line_start: Start of the current line's range (may lie before ``start``, over the
            leading break spaces that belong to the line).

    Returns:
        ``(line_start, cells)`` of the line left open after the word's last piece.
    """
    cells = 0
    for index in range(start, end):
        char_cells = cell_len(text[index])
        # `cells > 0` keeps at least one character per line, so a 2-cell character at width 1
        # still makes progress; a zero-width character never triggers a break, so combining
        # marks stay on the line of the character they modify.
        if cells + char_cells > width and cells > 0:
            spans.append((line_start, index))
            line_start = index
            cells = 0
        cells += char_cells
    return line_start, cells


def _wrap_words(text: str, width: int) -> list[tuple[int, int]]:
    """Wrap any text word by word, measuring each word with ``cell_len``.

    Args:
        text: The text to wrap.
        width: Line width, at least 1.

    Returns:
        The line ranges, as documented in :func:`wrap_spans`.
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    line_cells = 0
    # False until the current line shows a word: spaces before it are leading, not drawn.
    has_word = False
    space_start = 0
    space_cells = 0
    start = 0
    # The split alternates word, spaces, word, ... (words may be empty at either end).
    parts = _SPLIT(text)
    for part_index in range(0, len(parts), 2):
        word = parts[part_index]
        if word:
            end = start + len(word)
            word_cells = cell_len(word)
            if has_word and line_cells + space_cells + word_cells <= width:
                line_cells += space_cells + word_cells
            else:
                if has_word:
                    # Break before the spaces: they lead the next line, where they are not drawn.
                    spans.append((line_start, space_start))
                    line_start = space_start
                if word_cells <= width:
                    line_cells = word_cells
                else:
                    line_start, line_cells = _split_word(text, start, end, width, spans, line_start)
                has_word = True
            start = end
        if part_index + 1 < len(parts):
            # Every break space is one cell (tabs and newlines are drawn as a space).
            space_start = start
            space_cells = len(parts[part_index + 1])
            start += space_cells
    spans.append((line_start, len(text)))
    return spans


def wrap_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Wrap text at word boundaries to a width in cells.

    Args:
        text: The text to wrap (a sentence; tabs and newlines count as one-cell spaces).
        width: Maximum cells per line; values below 1 are treated as 1.

    Returns:
        The ``(start, end)`` character range of each visual line. The ranges are contiguous: the
        first starts at 0, each starts where the previous ended and the last ends at
        ``len(text)``. Empty text gives one empty line, ``[(0, 0)]``.
    """
    width = max(1, width)
    # News text is nearly all one-cell characters (ASCII, accented letters, curly quotes,
    # dashes); for it a line's width is its length, which allows the much faster path.
    if text.isascii() or _is_single_cell(text):
        if len(text) <= width:
            return [(0, len(text))]
        if "\t" in text or "\n" in text:
            text = display_text(text)
        return _wrap_single_cell(text, width)
    return _wrap_words(text, width)


# -- Article layout ---------------------------------------------------------------------------
# The article view's map of wrapped lines, kept here (free of Textual) so that it can be tested
# and timed without an app.

BLANK_LINE = -1
"""Sentence index stored for the blank line between paragraphs."""


@dataclass(slots=True)
class ArticleLayout:
    """Where each sentence of an article is drawn, at one text width."""

    line_sentence: list[int] = field(default_factory=list)
    """Per line: the sentence drawn on it, or BLANK_LINE."""
    line_span: list[tuple[int, int]] = field(default_factory=list)
    """Per line: the character range of the sentence it shows (``(0, 0)`` when blank)."""
    first_line: list[int] = field(default_factory=list)
    """Per sentence: its first line, or -1 if it is not shown."""
    line_count: list[int] = field(default_factory=list)
    """Per sentence: its number of lines (0 if it is not shown)."""


def layout_article(
    texts: Sequence[str],
    paragraphs: Sequence[int],
    shown: Iterable[int],
    wraps: list[list[tuple[int, int]] | None],
    width: int,
) -> ArticleLayout:
    """Lay out the shown sentences one under another, a blank line between paragraphs.

    Args:
        texts: Every sentence's text.
        paragraphs: Every sentence's paragraph number.
        shown: Indices of the sentences to lay out, in order.
        wraps: Per sentence, its ``wrap_spans`` at ``width`` or None; missing ones are computed
            and stored, so relaying out at the same width (a filter change) does not rewrap.
        width: Text width in cells.

    Returns:
        The layout map.
    """
    layout = ArticleLayout(first_line=[-1] * len(texts), line_count=[0] * len(texts))
    line_sentence = layout.line_sentence
    line_span = layout.line_span
    paragraph: int | None = None
    for index in shown:
        if paragraph is not None and paragraphs[index] != paragraph:
            line_sentence.append(BLANK_LINE)
            line_span.append((0, 0))
        paragraph = paragraphs[index]
        spans = wraps[index]
        if spans is None:
            spans = wraps[index] = wrap_spans(texts[index], width)
        layout.first_line[index] = len(line_sentence)
        layout.line_count[index] = len(spans)
        line_sentence.extend([index] * len(spans))
        line_span.extend(spans)
    return layout


def scroll_target(first: int, count: int, top: int, height: int, context: int) -> int | None:
    """Return the smallest scroll that shows a run of lines with some context around it.

    Args:
        first: First line to show.
        count: Number of lines to show.
        top: Current first visible line.
        height: Number of visible lines.
        context: Lines wanted above and below (fewer if the view is too short).

    Returns:
        The new top line (never negative), or None if no scroll is needed. A run taller than the
        view is shown from its start.
    """
    context = max(0, min(context, (height - count) // 2))
    if count > height:
        new_top = first
    elif first - context < top:
        new_top = first - context
    elif first + count + context > top + height:
        new_top = first + count + context - height
    else:
        return None
    new_top = max(0, new_top)
    return None if new_top == top else new_top


def entity_pieces(
    text_length: int, start: int, end: int, entities: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int, str | None]]:
    """Split a line's character range into runs outside and inside entities.

    Args:
        text_length: Length of the sentence (entities are clamped to it).
        start: First drawn character of the line.
        end: End of the line's range.
        entities: ``(start, end, label)`` sorted by start; overlaps are clipped.

    Returns:
        ``(start, end, label)`` runs covering ``start..end``; label is None outside entities.
    """
    pieces: list[tuple[int, int, str | None]] = []
    position = start
    for entity_start, entity_end, label in entities:
        entity_start = max(entity_start, position)
        entity_end = min(entity_end, end, text_length)
        if entity_start >= entity_end:
            continue
        if entity_start > position:
            pieces.append((position, entity_start, None))
        pieces.append((entity_start, entity_end, label))
        position = entity_end
    if position < end:
        pieces.append((position, end, None))
    return pieces


def nearest_shown(shown: Sequence[int], index: int) -> int:
    """Return ``index`` if shown, else the next shown index, else the last one.

    Args:
        shown: Shown indices in increasing order (not empty).
        index: Any index.

    Returns:
        A member of ``shown``.
    """
    position = bisect_left(shown, index)
    return shown[min(position, len(shown) - 1)]
