"""Tests for tui.widgets.wrapping: cell-width word wrapping and the article layout map."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tui.widgets.wrapping import (
    BLANK_LINE,
    BREAK_SPACES,
    _wrap_words,
    display_text,
    entity_pieces,
    layout_article,
    nearest_shown,
    scroll_target,
    visible_start,
    wrap_spans,
)

_WORD = re.compile(r"[^ \t\n]+")


def lines_of(text: str, width: int) -> list[str]:
    """The drawn text of each line: leading break spaces dropped, tabs shown as spaces."""
    shown = display_text(text)
    return [shown[visible_start(text, start, end) : end] for start, end in wrap_spans(text, width)]


def check_wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Assert every documented invariant of ``wrap_spans(text, width)`` and return the spans."""
    spans = wrap_spans(text, width)
    width = max(1, width)
    assert spans, "there is always at least one line"
    # The ranges cover the text exactly, in order, each character once.
    assert spans[0][0] == 0
    assert spans[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end == start
    for start, end in spans:
        assert start < end or text == ""

    for number, (start, end) in enumerate(spans):
        shown = display_text(text)[visible_start(text, start, end) : end]
        last = number == len(spans) - 1
        if last:
            # Break spaces at the very end of the text may hang past the width.
            shown = shown.rstrip(" ")
        else:
            # A line never ends in break spaces: they start the next line and are not drawn.
            assert text[end - 1] not in BREAK_SPACES
        # Every line fits, except a lone character wider than the whole line.
        assert cell_len(shown) <= width or len(shown.rstrip("\u0300\u0301\u05b7")) == 1

        if not last:
            if text[end] not in BREAK_SPACES:
                # Broken inside a word: only allowed when the word is wider than a line.
                word = next(m for m in _WORD.finditer(text) if m.start() < end < m.end())
                assert cell_len(word.group()) > width, (text, width, spans)
            else:
                # Greedy: the next word would not have fitted on this line.
                following = _WORD.search(text, end)
                assert following is not None
                gap = following.start() - end
                joined = cell_len(shown) + gap + cell_len(following.group())
                assert joined > width, (text, width, spans)
    return spans


def test_empty_text_is_one_empty_line() -> None:
    assert wrap_spans("", 10) == [(0, 0)]


def test_short_text_is_one_line() -> None:
    assert wrap_spans("Hello world.", 80) == [(0, 12)]


def test_breaks_between_words_and_keeps_words_whole() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    spans = check_wrap(text, 10)
    assert lines_of(text, 10) == ["The quick", "brown fox", "jumps over", "the lazy", "dog"]
    # The space at a break starts the next range (offsets stay right) and is not drawn.
    assert spans[1] == (9, 19)


def test_width_below_one_is_treated_as_one() -> None:
    assert wrap_spans("ab c", 0) == wrap_spans("ab c", 1) == [(0, 1), (1, 2), (2, 4)]
    assert wrap_spans("ab", -5) == [(0, 1), (1, 2)]


def test_very_long_word_is_split_by_cells() -> None:
    text = "x" * 250
    assert check_wrap(text, 100) == [(0, 100), (100, 200), (200, 250)]


def test_long_word_after_short_one_starts_a_new_line() -> None:
    text = "see https://example.com/a/very/long/path/that/does/not/fit ok"
    check_wrap(text, 20)
    assert lines_of(text, 20)[0] == "see"
    # The last piece of the split word stays open for the words after it.
    assert lines_of(text, 20)[-1].endswith(" ok")


def test_multiple_spaces_between_words() -> None:
    text = "aaa     bbb  ccc"
    check_wrap(text, 5)
    assert lines_of(text, 5) == ["aaa", "bbb", "ccc"]


def test_leading_and_trailing_spaces() -> None:
    assert lines_of("   indented words", 80) == ["indented words"]
    spans = check_wrap("word        ", 5)
    assert spans == [(0, 12)], "trailing spaces hang on the last line"
    assert check_wrap("     ", 2) == [(0, 5)]


def test_tabs_and_newlines_are_one_space_and_break() -> None:
    text = "one\ttwo\nthree"
    assert display_text(text) == "one two three"
    assert len(display_text(text)) == len(text)
    assert lines_of(text, 80) == ["one two three"]
    check_wrap(text, 7)
    assert lines_of(text, 7) == ["one two", "three"]


def test_no_break_space_does_not_break() -> None:
    text = "costs 10\u00a0000 euros"
    check_wrap(text, 9)
    assert "10\u00a0000" in lines_of(text, 9)


def test_wide_characters_count_two_cells() -> None:
    text = "日本語のテキストです"  # 10 characters, 20 cells, no spaces
    spans = check_wrap(text, 7)
    assert [cell_len(line) for line in lines_of(text, 7)] == [6, 6, 6, 2]
    assert spans == [(0, 3), (3, 6), (6, 9), (9, 10)]


def test_wide_characters_mixed_with_words() -> None:
    text = "Tokyo 東京 and Beijing 北京 met"
    check_wrap(text, 8)
    assert lines_of(text, 8) == ["Tokyo", "東京 and", "Beijing", "北京 met"]


def test_wide_character_at_width_one_gets_its_own_line() -> None:
    assert check_wrap("日本", 1) == [(0, 1), (1, 2)]


def test_combining_marks_stay_with_their_base() -> None:
    text = "cafe\u0301 cafe\u0301 cafe\u0301"  # decomposed é: 5 chars, 4 cells per word
    spans = check_wrap(text, 4)
    assert lines_of(text, 4) == ["cafe\u0301"] * 3
    assert spans == [(0, 5), (5, 11), (11, 17)]
    # Split inside a long word: the mark never starts a line.
    text = "e\u0301" * 6
    for start, _ in check_wrap(text, 4):
        assert text[start] != "\u0301"


def test_emoji() -> None:
    text = "Great news 🎉🎉🎉 for 👍 everyone"
    check_wrap(text, 6)
    assert "🎉🎉🎉" in lines_of(text, 6)


def test_rtl_text_is_wrapped_in_logical_order() -> None:
    arabic = "مرحبا بكم في الأخبار العاجلة اليوم"
    check_wrap(arabic, 12)
    assert " ".join(lines_of(arabic, 12)) == arabic
    hebrew = "שָׁלוֹם עוֹלָם הַיּוֹם בַּחֲדָשׁוֹת"  # with niqqud (combining marks)
    check_wrap(hebrew, 8)
    assert " ".join(lines_of(hebrew, 8)) == hebrew


@pytest.mark.parametrize("width", [1, 2, 3, 5, 10, 40, 100])
def test_news_sentence_at_many_widths(width: int) -> None:
    text = (
        "The \u201cPalmyra Accord\u201d \u2014 signed in Gen\u00e8ve on 3 March \u2014 "
        "raised the state\u2019s budget by 4.5% (about $1.2bn), officials said."
    )
    check_wrap(text, width)


def test_single_cell_fast_path_matches_general_algorithm() -> None:
    text = "The  quick\tbrown fox\njumps over   the lazy dog " * 3
    for width in range(1, 30):
        assert wrap_spans(text, width) == _wrap_words(text, width)


_ALPHABET = st.sampled_from(
    [*"abc xyz", "  ", "\t", "\n", "é", "e\u0301", "日", "本", "🎉", "مر", "ש", "\u00a0", "’"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join), st.integers(min_value=-1, max_value=30))
def test_wrap_invariants_hold_for_any_text(text: str, width: int) -> None:
    check_wrap(text, width)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \tabcdé’-", max_size=80), st.integers(min_value=1, max_value=25))
def test_fast_path_agrees_with_word_walk(text: str, width: int) -> None:
    assert wrap_spans(text, width) == _wrap_words(text, width)


# -- Article layout helpers ---------------------------------------------------------------------


def test_layout_article_blank_line_between_paragraphs_only() -> None:
    texts = ["one two three four", "five", "six", "seven"]
    wraps: list[list[tuple[int, int]] | None] = [None] * 4
    layout = layout_article(texts, [0, 0, 1, 3], range(4), wraps, 10)
    assert layout.line_sentence == [0, 0, 1, BLANK_LINE, 2, BLANK_LINE, 3]
    assert layout.line_span == [(0, 7), (7, 18), (0, 4), (0, 0), (0, 3), (0, 0), (0, 5)]
    assert layout.first_line == [0, 2, 4, 6]
    assert layout.line_count == [2, 1, 1, 1]
    assert wraps[0] == [(0, 7), (7, 18)], "wraps are stored for the next layout"


def test_layout_article_with_a_filter_reuses_wraps() -> None:
    texts = ["aaa", "bbb", "ccc", "ddd"]
    wraps: list[list[tuple[int, int]] | None] = [[(0, 3)], [(0, 1), (1, 3)], None, None]
    # The stored (deliberately odd) wrap of sentence 1 is used as is: no rewrapping.
    layout = layout_article(texts, [0, 0, 0, 1], [1, 3], wraps, 80)
    assert layout.line_sentence == [1, 1, BLANK_LINE, 3]
    assert layout.first_line == [-1, 0, -1, 3]
    assert layout.line_count == [0, 2, 0, 1]
    assert wraps[2] is None and wraps[3] == [(0, 3)]


def test_layout_article_empty() -> None:
    layout = layout_article([], [], [], [], 10)
    assert layout.line_sentence == [] and layout.first_line == []


@pytest.mark.parametrize(
    ("first", "count", "top", "height", "expected"),
    [
        (10, 2, 5, 20, None),  # already in view with context
        (4, 2, 5, 20, 2),  # above: two lines of context above
        (30, 2, 5, 20, 14),  # below: two lines of context below
        (23, 2, 5, 20, 7),  # partly below
        (1, 2, 5, 20, 0),  # never above the top
        (50, 30, 0, 20, 50),  # taller than the view: its start at the top
        (10, 19, 0, 20, 9),  # nearly as tall: no room for context
        (0, 19, 0, 20, None),  # nearly as tall and in view
    ],
)
def test_scroll_target(first: int, count: int, top: int, height: int, expected: int | None) -> None:
    assert scroll_target(first, count, top, height, 2) == expected


def test_entity_pieces() -> None:
    entities = [(0, 5, "ORG"), (3, 8, "X"), (12, 20, "GPE"), (30, 40, "PAST_END")]
    assert entity_pieces(25, 0, 25, entities) == [
        (0, 5, "ORG"),
        (5, 8, "X"),  # the overlap is clipped
        (8, 12, None),
        (12, 20, "GPE"),
        (20, 25, None),
    ]
    # A wrapped line from 14 to 22: the entity is cut at the line start.
    assert entity_pieces(25, 14, 22, entities) == [(14, 20, "GPE"), (20, 22, None)]
    assert entity_pieces(25, 4, 4, entities) == []
    assert entity_pieces(5, 0, 5, [(-3, 2, "ORG")]) == [(0, 2, "ORG"), (2, 5, None)]


def test_nearest_shown() -> None:
    assert nearest_shown([1, 4, 9], 4) == 4
    assert nearest_shown([1, 4, 9], 5) == 9
    assert nearest_shown([1, 4, 9], 0) == 1
    assert nearest_shown([1, 4, 9], 12) == 9
