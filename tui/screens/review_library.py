"""The review library: every article with its disagreements, gold progress and agreement, the
one that needs the reviewer most first. `enter` opens it in the review screen."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from annotations.review import ArticleReview, review_overview
from annotations.store import Store
from annotations.text import counted
from tui.screens.article_list import ArticleListScreen
from tui.widgets.chips import MUTED, database_name, fit_join, progress_bar
from tui.widgets.key_footer import KeyFooter


class ReviewTable(DataTable):
    """The review library's table, whose enter key says in the footer what it does."""

    BINDINGS = [Binding("enter", "select_cursor", "Review", id="review-article")]


class ReviewLibraryScreen(ArticleListScreen):
    """Pick the article to review next."""

    AUTO_FOCUS = "#review-articles"

    BINDINGS = [
        Binding("enter", "open", "Review", id="open-review", tooltip="Review the article"),
        Binding("s", "stats", "Stats", id="stats", tooltip="Progress, labels and agreement"),
        Binding("j", "cursor(1)", "Down", show=False, id="review-library-down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="review-library-up"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self, store: Store, reviewer: str, annotators: Sequence[str]) -> None:
        super().__init__()
        self.store = store
        self.reviewer = reviewer
        self.annotators = list(annotators)
        self.rows: list[ArticleReview] = []
        self.title_parts: list[Text] = []

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield ReviewTable(id="review-articles", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Title", key="title", width=30)
        table.add_column("Open ≠", key="open")
        table.add_column("Gold", key="gold")
        table.add_column("Alike", key="alike")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the overview again (gold grows as the reviewer works), in a worker: it counts
        every decision of the annotators compared."""
        self._overview(self.highlighted())

    @work(thread=True, exclusive=True, group="review-library", exit_on_error=False)
    def _overview(self, keep: str | None) -> None:
        # A connection belongs to its thread: this one is the worker's own, read-only.
        reader = Store.open_reader(self.store.path)
        try:
            rows = review_overview(reader, self.annotators)
        finally:
            reader.close()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, rows, keep)

    def _show(self, rows: list[ArticleReview], keep: str | None) -> None:
        self.rows = rows
        table = self.table
        table.clear()
        for row in rows:
            opened = Text(f"{row.open_disagreements}/{row.disagreements}", justify="right")
            if row.open_disagreements:
                opened.stylize("bold #ef6f6c")
            alike = "—" if row.agreement is None else f"{row.agreement:.0%}"
            table.add_row(
                Text(row.title or "(untitled)", overflow="ellipsis", no_wrap=True),
                opened,
                progress_bar(row.gold, row.sentences, width=8),
                Text(alike, justify="right"),
                key=row.id,
            )
        for index, row in enumerate(rows):
            if row.id == keep:
                table.move_cursor(row=index)
                break
        open_total = sum(row.open_disagreements for row in self.rows)
        self.title_parts = [
            Text("annotty review", style="bold"),
            Text(counted(len(self.rows), "article")),
            Text(self.reviewer, style="bold"),
            Text(f"{counted(open_total, 'disagreement')} without gold"),
        ]
        self.draw_title()

    def draw_title(self) -> None:
        widget = self.query_one("#library-title", Static)
        width = widget.content_region.width or self.app.size.width - 2
        title = fit_join(self.title_parts, width, optional=[0])
        title.append("\nreviewing " + ", ".join(self.annotators) + "  ", MUTED)
        title.append_text(database_name(self.store.path))
        widget.update(title)

    def on_resize(self, event: events.Resize) -> None:
        self.draw_title()
