"""What the library and the review library share: a table of articles, one per row keyed by the
article's id, whose highlighted row `enter` opens (in the reader or the review screen: the app
decides), with `j`/`k` moving the cursor as in the reader."""

from __future__ import annotations

from textual import on
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable

from annotations.store import Store


class ArticleListScreen(Screen[None]):
    """A screen listing articles in a DataTable whose row keys are the articles' ids. Each screen
    keeps its own bindings (their ids are what users remap); the actions are these."""

    store: Store

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def highlighted(self) -> str | None:
        """The id of the article on the highlighted row, if there is a row."""
        table = self.table
        if not table.row_count:
            return None
        cell = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        return cell.row_key.value

    def filter_text(self) -> str:
        """The filter the listed articles are kept by ("" for none)."""
        return ""

    def action_open(self) -> None:
        identity = self.highlighted()
        if identity is not None:
            self.app.open_article(identity, self.filter_text())  # type: ignore[attr-defined]

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_stats(self) -> None:
        """The project at a glance: the stats screen, over this screen until `q`."""
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.store.path))

    def action_cursor(self, step: int) -> None:
        table = self.table
        table.move_cursor(row=max(0, table.cursor_row + step))
