"""The library: every article with its source, size and this annotator's progress."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from annotations.library import (
    Listing,
    article_rowid,
    library_page,
    library_totals,
    matching_rowids,
)
from annotations.model import ArticleSummary
from annotations.remove import at_stake, remove_articles
from annotations.store import Store
from annotations.text import counted
from tui.screens.confirm import ConfirmScreen
from tui.widgets.chips import MUTED, database_name, join, progress_bar, source_name
from tui.widgets.team_status import assigned_mark, has_team_work, team_status

PAGE = 200
"""Rows read at a time; more are read as the cursor nears the end of those shown."""
TYPING_PAUSE = 0.15
"""Seconds without a keystroke before the filter is applied."""


class ArticleTable(DataTable):
    """The library's table, whose enter key says in the footer what it does."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", id="open-article")]


class LibraryScreen(Screen[None]):
    """Pick an article to read; `/` filters by title or text."""

    AUTO_FOCUS = "#articles"
    """The table, not the hidden filter (focused first, it would take the keys meant for it)."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="open", tooltip="Open the highlighted article"),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter by title or text"),
        Binding("s", "stats", "Stats", id="stats", tooltip="Progress, labels and agreement"),
        Binding("j", "cursor(1)", "Down", show=False, id="library-down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="library-up"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear-filter"),
        Binding(
            "delete", "remove", "Remove", show=False, id="remove-article",
            tooltip="Remove the highlighted article with every decision on it (asks first)",
        ),
    ]  # fmt: skip

    def __init__(self, store: Store, annotator: str) -> None:
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.listing = Listing([], 0, 0)
        """Which articles match the filter (rowids only); rows are read a page at a time."""
        self.articles: list[ArticleSummary] = []
        """The rows read so far, the first len(articles) of the listing."""
        self.search: str = ""
        self._generation = 0
        """Bumped by each reload, so that a slower, older query cannot overwrite a newer one."""
        self._marks = False
        """Whether rows carry the assigned mark (some article is assigned to the annotator)."""
        self.title_line = Text()
        self.team_line: Text | None = None
        """Progress on the assignment, or the plan's for a lead (None: no team work here)."""

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield Input(placeholder="filter by title or text", id="filter")
        yield ArticleTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Title", key="title")
        table.add_column("Source", key="source")
        table.add_column("Sentences", key="sentences")
        table.add_column("Progress", key="progress")
        self.query_one(Input).display = False

    def on_screen_resume(self) -> None:
        # Not while the reader opened at start covers the library: the article comes first.
        if self.is_current:
            self.reload(team=True)

    def reload(self, keep: str | None = None, *, team: bool = False) -> None:
        """Read the articles again (progress changes as the annotator works), in a worker.

        Args:
            keep: the article to keep highlighted (default: the highlighted one).
            team: count progress against the team's plan too (when the screen shows, not on
                each filter key).
        """
        table = self.query_one(DataTable)
        if keep is None and table.row_count:
            keep = self.highlighted()
        self._generation += 1
        self._query(self._generation, self.search, keep, team)

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def _query(self, generation: int, search: str, keep: str | None, team: bool) -> None:
        if search and generation > 1:
            # Typing: wait for a pause in the keystrokes, and query only for the last one.
            time.sleep(TYPING_PAUSE)
            if generation != self._generation:
                return
        worker = get_current_worker()
        # A connection belongs to its thread: this one is the worker's own, read-only.
        reader = Store.open_reader(self.store.path)
        try:
            rowids = matching_rowids(reader, search or None, self.annotator)
            listing = Listing(rowids, 0, 0)
            position = listing.position(article_rowid(reader, keep)) if keep else None
            wanted = max(PAGE, (position or 0) + PAGE // 2)
            rows = library_page(reader, self.annotator, rowids[:wanted])
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self._show, generation, search, listing, rows, position)
            # The rows first, then the totals of the title, which take longer.
            totals = library_totals(reader, self.annotator, rowids if search else None)
            if team:
                # Counting the plan's progress reads every decision: not without a plan.
                team_line = team_status(reader, self.annotator) if has_team_work(reader) else None
            else:
                team_line = self.team_line
        finally:
            reader.close()
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_totals, generation, search, totals, team_line)

    def _show(
        self,
        generation: int,
        search: str,
        listing: Listing,
        rows: list[ArticleSummary],
        position: int | None,
    ) -> None:
        if generation != self._generation:
            return
        self.listing = listing
        self.articles = []
        # Assigned articles come first: if any is listed, the first is.
        self._marks = bool(rows) and rows[0].assigned
        table = self.query_one(DataTable)
        table.clear()
        self._add_rows(rows)
        if position is not None:
            table.move_cursor(row=position)
        self._show_title(search, None)

    def _show_totals(
        self, generation: int, search: str, totals: tuple[int, int], team_line: Text | None
    ) -> None:
        if generation == self._generation:
            self.listing = Listing(self.listing.rowids, *totals)
            self.team_line = team_line
            self._show_title(search, totals)

    def _add_rows(self, rows: list[ArticleSummary]) -> None:
        self.articles.extend(rows)
        table = self.query_one(DataTable)
        for article in rows:
            title = Text(article.title or "(untitled)")
            table.add_row(
                Text.assemble(assigned_mark(article.assigned), title) if self._marks else title,
                Text(source_name(article.source) if article.source else "", style="dim"),
                Text(str(article.sentence_count), justify="right"),
                progress_bar(article.decided, article.sentence_count),
                key=article.id,
            )

    def _load_more(self) -> None:
        """Read the next page of rows (a query by rowid: the same cost at any size)."""
        loaded = len(self.articles)
        if loaded < len(self.listing):
            more = self.listing.rowids[loaded : loaded + PAGE]
            self._add_rows(library_page(self.store, self.annotator, more))

    @on(DataTable.RowHighlighted)
    def _near_the_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.articles) - PAGE // 4:
            self._load_more()

    def _show_title(self, search: str, totals: tuple[int, int] | None) -> None:
        listing = self.listing
        shown = counted(len(listing), "article")
        if search:
            shown += f" matching “{search}”"
        decided = Text("decided ")
        if totals is None:
            decided.append("…", MUTED)
        else:
            decided.append_text(progress_bar(*totals))
        title = join(
            [
                Text("annotty library", style="bold"),
                Text(shown),
                Text(self.annotator, style="bold"),
                decided,
                database_name(self.store.path),
            ]
        )
        if not listing and not search:
            title.append("\nnothing here: annotty import PATH", MUTED)
        self.title_line = title
        self.draw_title()

    def draw_title(self) -> None:
        title = self.title_line.copy()
        if self.team_line is not None:
            title.append("\n").append_text(self.team_line)
        self.query_one("#library-title", Static).update(title)

    def highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.articles or table.cursor_row >= len(self.articles):
            return None
        return self.articles[table.cursor_row].id

    def action_open(self) -> None:
        identity = self.highlighted()
        if identity is not None:
            self.app.open_article(identity)  # type: ignore[attr-defined]

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_stats(self) -> None:
        from tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.store.path))

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_filter(self) -> None:
        search = self.query_one(Input)
        search.display = True
        search.focus()

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self.reload()

    @on(Input.Submitted)
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_clear_filter(self) -> None:
        search = self.query_one(Input)
        if search.value:
            search.value = ""
        search.display = False
        self.query_one(DataTable).focus()

    def action_remove(self) -> None:
        """Ask, then remove the highlighted article with everything that refers to it."""
        identity = self.highlighted()
        if identity is None:
            return
        stake = at_stake(self.store, identity)
        question = Text.assemble(
            ("Remove ", "bold"), (stake.title or "(untitled)", "bold"), ("?", "bold"),
            f"\n\n{counted(stake.sentences, 'sentence')}",
            f", {counted(stake.decisions, 'decision')}" if stake.decisions else ", no decisions",
            f" by {', '.join(stake.annotators)}" if stake.annotators else "",
            " will be deleted for good, with their history and assignments.",
        )  # fmt: skip

        def answered(yes: bool | None) -> None:
            if yes:
                removed = remove_articles(self.store, [identity])
                self.notify(f"removed the article and {counted(removed.decisions, 'decision')}")
                self.reload(team=True)

        self.app.push_screen(ConfirmScreen(question, yes="Remove"), answered)
