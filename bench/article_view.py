"""Benchmark the article view against one Static per sentence.

Run from anywhere with ``python bench/article_view.py`` (Textual must be importable). For
articles of 20, 1,000 and 5,000 sentences it prints, with the app running headless:

- ArticleView: time of ``show()`` until the screen has been painted, mean time of a cursor move
  within the view, of a cursor move a page away (which scrolls) and of a gutter change;
- baseline, one ``Static`` per sentence in a ``VerticalScroll``: mount time and mean time of
  updating one Static;
- the ratios between the two, and the cost of an idle ``pilot.pause()`` (the floor of every
  figure).

Times are CPU time of this process from the call until ``pilot.pause()`` returns (the app is
idle and the screen refreshed); see :func:`timed`. This is a measurement, never a test: nothing
here asserts a time.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

# Runnable as a script from any directory, without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from tui.widgets.article_view import CONTEXT_LINES, ArticleView, SentenceBlock

SIZES = (20, 1_000, 5_000)
REPEATS = 30
SCREEN = (120, 30)
GUTTER_WIDTH = 8
SOURCE_TEXT = (
    "the government announced on Tuesday that it would extend sanctions against officials "
    "in Palmyra after talks in Geneva collapsed while markets fell sharply and analysts warned "
    "of a long dispute over trade tariffs and the \u201cnew\u201d budget rules"
)
WORDS = SOURCE_TEXT.split()


def make_article(count: int) -> tuple[list[SentenceBlock], list[Text]]:
    """Sentences of about 25 words, four to a paragraph, with two entities each."""
    blocks = []
    for index in range(count):
        words = [WORDS[(index * 7 + offset * 3) % len(WORDS)] for offset in range(20 + index % 10)]
        words[2] = "Palmyra"
        words[5] = "Geneva"
        text = " ".join(words) + "."
        text = text[0].upper() + text[1:]
        start = text.index("Palmyra")
        city = text.index("Geneva")
        entities = ((start, start + 7, "GPE"), (city, city + 6, "GPE"))
        blocks.append(SentenceBlock(text, index // 4, entities))
    gutters = [Text(f"{index + 1:>5} ", style="dim") for index in range(count)]
    return blocks, gutters


class ViewApp(App[None]):
    """An article view filling the screen."""

    def compose(self) -> ComposeResult:
        yield ArticleView()


class StaticsApp(App[None]):
    """The baseline: an empty scrolling container to mount one Static per sentence into."""

    def compose(self) -> ComposeResult:
        yield VerticalScroll()


async def timed(pilot: Pilot, action: Callable[[], object]) -> float:
    """CPU seconds from running ``action`` until the app is idle and the screen refreshed.

    CPU time rather than wall time: ``pilot.pause()`` detects idleness by sleeping in 20 ms
    steps, which would put a 20 ms floor under every wall-clock figure. Everything runs in this
    one process and thread, so its CPU time is the work the action caused.
    """
    start = time.process_time()
    result = action()
    if isinstance(result, Awaitable):
        await result
    await pilot.pause()
    return time.process_time() - start


async def bench_view(count: int) -> dict[str, float]:
    """Time show, cursor moves and gutter changes of an ArticleView."""
    blocks, gutters = make_article(count)
    async with ViewApp().run_test(size=SCREEN) as pilot:
        await pilot.pause()
        view = pilot.app.query_one(ArticleView)
        idle = statistics.mean([await timed(pilot, lambda: None) for _ in range(REPEATS)])
        show = await timed(pilot, lambda: view.show(blocks, gutters, gutter_width=GUTTER_WIDTH))
        # Two kinds of cursor move, alternating between two sentences so that every size does
        # the same work: within the view (redraws two sentences), and a page apart (scrolls and
        # repaints the whole view).
        near = count // 2 if count > 100 else 0
        view.move_cursor(near)
        await pilot.pause()
        moves = [
            await timed(pilot, lambda index=index: view.move_cursor(index))
            for index in [near + 1, near] * (REPEATS // 2)
        ]
        far = next(
            index
            for index in range(near, count)
            if view.lines_of(index)[0] > view.lines_of(near)[0] + SCREEN[1] + CONTEXT_LINES
        )
        scrolls = [
            await timed(pilot, lambda index=index: view.move_cursor(index))
            for index in [far, near] * (REPEATS // 2)
        ]
        gutter_changes = [
            await timed(
                pilot,
                lambda n=n: view.set_gutter(view.cursor, Text(f"{n:>3} lab", style="bold green")),
            )
            for n in range(REPEATS)
        ]
    return {
        "idle": idle,
        "show": show,
        "move": statistics.mean(moves),
        "scroll": statistics.mean(scrolls),
        "gutter": statistics.mean(gutter_changes),
    }


async def bench_statics(count: int) -> dict[str, float]:
    """Time mounting one Static per sentence, and updating one of them."""
    blocks, gutters = make_article(count)
    async with StaticsApp().run_test(size=SCREEN) as pilot:
        await pilot.pause()
        container = pilot.app.query_one(VerticalScroll)
        statics = [
            Static(Text.assemble(gutter, " ", block.text))
            for gutter, block in zip(gutters, blocks, strict=True)
        ]
        mount = await timed(pilot, lambda: container.mount_all(statics))
        target = statics[min(count // 2, count - 1)]
        container.scroll_to_widget(target, animate=False)
        await pilot.pause()
        updates = [
            await timed(
                pilot,
                lambda n=n: target.update(Text.assemble(f"{n:>5} ", blocks[count // 2].text)),
            )
            for n in range(REPEATS)
        ]
    return {"mount": mount, "update": statistics.mean(updates)}


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:.2f}"


async def main() -> None:
    """Run every benchmark and print a table."""
    print(
        f"screen {SCREEN[0]}x{SCREEN[1]}, headless; move/gutter/update are means over {REPEATS};"
        " CPU ms until the next refresh"
    )
    header = (
        f"{'sentences':>9} | {'idle':>5} | {'show':>7} {'move':>6} {'scroll':>6} {'gutter':>6} | "
        f"{'Static mount':>12} {'Static update':>13} | {'mount/show':>10} {'update/gutter':>13}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for count in SIZES:
        view = await bench_view(count)
        statics = await bench_statics(count)
        results[count] = view
        print(
            f"{count:>9} | {ms(view['idle']):>5} | {ms(view['show']):>7} {ms(view['move']):>6} "
            f"{ms(view['scroll']):>6} {ms(view['gutter']):>6} | {ms(statics['mount']):>12} "
            f"{ms(statics['update']):>13} | {statics['mount'] / view['show']:9.1f}x "
            f"{statics['update'] / view['gutter']:12.1f}x"
        )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    print(
        f"ArticleView, {SIZES[-1]} vs {SIZES[0]} sentences: "
        + ", ".join(f"{key} {large[key] / small[key]:.2f}x" for key in ("move", "scroll", "gutter"))
    )
    print(
        "move: cursor to a visible sentence; scroll: cursor a page away (scrolls, repaints all);"
        " gutter: set_gutter on a visible sentence"
    )


if __name__ == "__main__":
    asyncio.run(main())
