"""The project at a glance: progress per annotator and per article, gold, agreement per label
and the labels each annotator gave, as bar charts (the same charts `annotty stats` prints)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rich.columns import Columns
from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from annotations.errors import AnnottyError
from annotations.overview import Overview, overview
from annotations.store import Store
from annotations.text import printable
from tui.stats_view import (
    agreement_chart,
    article_chart,
    gold_chart,
    label_charts,
    progress_chart,
)
from tui.widgets.chips import MUTED, database_name, fit_join
from tui.widgets.key_footer import KeyFooter

ARTICLES_LISTED = 100
"""The screen lists this many articles with the most left (`annotty stats --json`: all)."""
SECTIONS = ("progress", "gold", "agreement", "labels", "articles")


class StatsScreen(Screen[None]):
    """Figures counted in a worker on a read-only connection; `r` counts again."""

    AUTO_FOCUS = "#stats-body"

    BINDINGS = [
        Binding("escape,q", "back", "Library", id="close-stats", tooltip="Back to the library"),
        Binding("r", "recount", "Recount", id="recount", tooltip="Count everything again"),
        Binding("j", "scroll(1)", "Down", show=False, id="stats-down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="stats-up"),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.overview: Overview | None = None
        """The figures last counted (None until the first count arrives)."""

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="library-title")
        with VerticalScroll(id="stats-body"):
            yield Static(Text("counting…", MUTED), id="stats-counting")
            for section in SECTIONS:
                yield Static(id=f"stats-{section}", classes="stats-section")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_recount()

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll(self, step: int) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        body.scroll_to(y=body.scroll_y + step, animate=False)

    def action_recount(self) -> None:
        self.query_one("#stats-counting", Static).update(Text("counting…", MUTED))
        self.query_one("#stats-counting").display = True
        self._count()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _count(self) -> None:
        worker = get_current_worker()
        try:
            # A connection belongs to its thread: this one is the worker's own, read-only.
            reader = Store.open_reader(self.path)
            try:
                result: Overview | str = overview(reader, listed=ARTICLES_LISTED)
            finally:
                reader.close()
        except (AnnottyError, sqlite3.Error) as error:
            result = f"could not count: {error}"
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, result)

    def _show(self, result: Overview | str) -> None:
        counting = self.query_one("#stats-counting", Static)
        if isinstance(result, str):
            counting.update(Text(printable(result), "bold #ef6f6c"))
            return
        counting.display = False
        self.overview = result
        self.query_one("#library-title", Static).update(self._title())
        self._draw()

    def on_resize(self) -> None:
        self.query_one("#library-title", Static).update(self._title())
        if self.overview is not None:
            self._draw()

    def _title(self) -> Text:
        parts = [Text("annotty stats", style="bold")]
        if self.overview is not None:
            figures = self.overview.figures
            parts += [
                Text(_counted(figures.articles, "article")),
                Text(_counted(figures.sentences, "sentence")),
            ]
        # The title's padding takes two cells; at 0 (not laid out yet) everything is kept.
        width = max(0, self.size.width - 2)
        return fit_join([*parts, database_name(self.path)], width, optional=(2, 1))

    def _draw(self) -> None:
        result = self.overview
        assert result is not None
        figures, shown = result.figures, result.shown
        drawn: dict[str, RenderableType] = {
            "gold": _lines(gold_chart(figures, result.agreement)),
            "agreement": _lines(agreement_chart(result.agreement, shown)),
        }
        if figures.decided:
            drawn["progress"] = _lines(progress_chart(figures))
            blocks = [_lines(block) for block in label_charts(figures, shown)]
            drawn["labels"] = Columns(blocks, padding=(1, 4))
            articles = article_chart(result, ids=False, title_width=self._title_width(result))
            drawn["articles"] = _lines(articles)
        else:
            drawn["progress"] = _lines(
                [
                    Text("progress", "bold"),
                    Text("  nobody has decided a sentence yet", MUTED),
                ]
            )
        for section in SECTIONS:
            widget = self.query_one(f"#stats-{section}", Static)
            widget.display = section in drawn
            widget.update(drawn.get(section, ""))

    def _title_width(self, result: Overview) -> int:
        """What is left for the titles of the article list once the other columns are drawn."""
        names = result.annotators
        columns = 2 + len("sentences") + sum(2 + max(9, len(name[:12])) for name in names)
        # The scroll bar and the padding of the body take four cells.
        return max(16, min(60, self.size.width - 4 - columns))


def _counted(number: int, noun: str) -> str:
    """`1 article`, `20,000 articles`."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _lines(lines: list[Text]) -> Text:
    return Text("\n").join(lines)
