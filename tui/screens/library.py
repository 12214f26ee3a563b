"""The library: every article with its source, size and this annotator's progress.

The table holds a window of the listing (annotations.listing), read a page at a time in a worker
thread: the rows around the highlighted article when the screen shows, the next page as the cursor
nears either end. No query reads every article, so the screen costs the same with 100 articles or
100,000; the title's counts come after the rows, from indexes.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from annotations.listing import Listing, has_assigned, place_of
from annotations.model import ArticleSummary
from annotations.remove import Removed, at_stake, remove_articles
from annotations.store import Store
from annotations.text import clean_line, counted
from tui.screens.article_list import ArticleListScreen
from tui.screens.article_screen import WriteDone, WriteFailed
from tui.screens.confirm import ConfirmScreen
from tui.widgets.chips import MUTED, database_name, fit_join, progress_bar, source_name
from tui.widgets.key_footer import KeyFooter
from tui.widgets.team_status import assigned_mark, has_team_work, team_status

PAGE = 100
"""Rows read at a time (a few screens): more are read as the cursor nears either end of
those shown. The table draws what it holds, so the first rows show sooner with fewer."""
FIRST_BEFORE, FIRST_AFTER = 15, 45
"""The first window: rows before and after the highlighted article, about a screenful (a
window of 150 took 20-30 ms more to show at 20,000 articles); pages follow as the cursor moves."""
TYPING_PAUSE = 0.15
"""Seconds without a keystroke before the filter is applied."""

WIDE = 100
"""From this many columns on, the source and progress columns are wider."""
SOURCE_WIDTH = (14, 22)
"""The Source column's width in cells, narrow and wide."""
SENTENCES_WIDTH = 9
PROGRESS_BAR = (6, 10)
"""The progress bar's width in cells, narrow and wide."""
TITLE_MIN = 12


def progress_width(wide: bool) -> int:
    """The progress column: the bar, a space and `done/total` up to 4 digits each."""
    return PROGRESS_BAR[wide] + 10


class ArticleTable(DataTable):
    """The library's table: its enter key says in the footer what it does, and its title column
    takes whatever width the other columns leave."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", id="open-article")]

    def on_mount(self) -> None:
        self.add_column("Title", key="title")
        self.add_column("Source", key="source")
        self.add_column(Text("Sentences", justify="right"), key="sentences")
        self.add_column("Progress", key="progress")
        self.fit_columns()

    def on_resize(self, event: events.Resize) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Fixed widths for source, sentences and progress; the rest for the title."""
        width = self.size.width
        if not width:
            return
        padding = 2 * self.cell_padding * len(self.columns)
        scrollbar = self.styles.scrollbar_size_vertical
        wide = width >= WIDE
        fixed = {
            "source": SOURCE_WIDTH[wide],
            "sentences": SENTENCES_WIDTH,
            "progress": progress_width(wide),
        }
        title = max(TITLE_MIN, width - scrollbar - padding - sum(fixed.values()))
        for key, column in self.columns.items():
            column.auto_width = False
            column.width = fixed.get(str(key.value), title)
        # DataTable has no public way to change a column's width: make it measure itself again.
        self._require_update_dimensions = True
        self._clear_caches()
        self.refresh()


class LibraryScreen(ArticleListScreen):
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
        self.listing = Listing(annotator)
        """Which articles are listed, in which order (read a page at a time)."""
        self.articles: list[ArticleSummary] = []
        """The rows in the table: a window of the listing."""
        self.more_before = False
        """Whether the listing has rows before the window (read as the cursor nears the top)."""
        self.more_after = False
        self.matches: int | None = None
        """How many articles are listed (None until counted)."""
        self.search: str = ""
        self._generation = 0
        """Bumped by each reload, so that a slower, older query cannot overwrite a newer one."""
        self._paging = False
        """Whether a page is being read (one at a time)."""
        self._marks = False
        """Whether rows carry the assigned mark (some article is assigned to the annotator)."""
        self._wide = True
        """Whether the screen is at least WIDE columns (the rows' progress bars are drawn so)."""
        self._writes: set[object] = set()
        """Removals handed to the app's writer and not yet committed."""
        self.title_parts: list[Text] = []
        """The title line's pieces, fitted to the screen's width when drawn."""
        self.title_tail: Text | None = None
        self.team_line: Text | None = None
        """Progress on the assignment, or the plan's for a lead (None: no team work here)."""

    def compose(self) -> ComposeResult:
        yield Static(id="library-title")
        yield Input(placeholder="filter by title or text", id="filter")
        yield ArticleTable(id="articles", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="library-detail"):
            # A column of its own, so that a long source folds under itself, not under it.
            yield Static(Text("source", MUTED), id="detail-label")
            yield Static(id="detail-source")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).display = False

    def on_resize(self, event: events.Resize) -> None:
        self.draw_title()
        wide = event.size.width >= WIDE
        if wide != self._wide:
            self._wide = wide
            self._fill(list(self.articles), self.table.cursor_row)

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
        if keep is None:
            keep = self.highlighted()
        self._generation += 1
        self._query(self._generation, Listing(self.annotator, self.search), keep, team)

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def _query(self, generation: int, listing: Listing, keep: str | None, team: bool) -> None:
        if listing.search and generation > 1:
            # Typing: wait for a pause in the keystrokes, and query only for the last one.
            time.sleep(TYPING_PAUSE)
            if generation != self._generation:
                return
        worker = get_current_worker()
        # A connection belongs to its thread: this one is the worker's own, read-only.
        reader = Store.open_reader(self.store.path)
        try:
            rows, index = listing.around(reader, keep, FIRST_BEFORE, FIRST_AFTER)
            first = rows[0] if rows else None
            window = (
                bool(first) and bool(listing.before(reader, place_of(first), 1)),
                bool(rows) and bool(listing.after(reader, place_of(rows[-1]), 1)),
            )
            matches = listing.count(reader)
            marks = has_assigned(reader, self.annotator)
            if worker.is_cancelled:
                return
            self.app.call_from_thread(
                self._show, generation, listing, rows, index, window, matches, marks
            )
            # The rows first, then the totals of the title, which take longer.
            totals = listing.totals(reader)
            if team:
                # Counting the plan's progress reads every decision: not without a plan.
                team_line = team_status(reader, self.annotator) if has_team_work(reader) else None
            else:
                team_line = self.team_line
        finally:
            reader.close()
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_totals, generation, totals, team_line)

    def _show(
        self,
        generation: int,
        listing: Listing,
        rows: list[ArticleSummary],
        index: int | None,
        window: tuple[bool, bool],
        matches: int,
        marks: bool,
    ) -> None:
        if generation != self._generation:
            return
        self.listing = listing
        self.matches = matches
        self.more_before, self.more_after = window
        self._marks = marks
        self._fill(rows, index or 0)
        self._show_title(None)

    def _fill(self, rows: list[ArticleSummary], cursor: int) -> None:
        """Show these rows (the window), the cursor on row `cursor`."""
        self.articles = []
        table = self.table
        table.clear()
        self._add_rows(rows)
        if rows:
            table.move_cursor(row=cursor, animate=False)
        self._show_detail()

    def _show_totals(
        self, generation: int, totals: tuple[int, int], team_line: Text | None
    ) -> None:
        if generation == self._generation:
            self.team_line = team_line
            self._show_title(totals)

    def _add_rows(self, rows: list[ArticleSummary]) -> None:
        self.articles.extend(rows)
        table = self.table
        for article in rows:
            title = Text(article.title or "(untitled)")
            if self._marks:
                title = Text.assemble(assigned_mark(article.assigned), title)
            title.overflow, title.no_wrap = "ellipsis", True
            table.add_row(
                title,
                Text(
                    source_name(article.source) if article.source else "",
                    style="dim",
                    overflow="ellipsis",
                    no_wrap=True,
                ),
                Text(str(article.sentence_count), justify="right"),
                progress_bar(article.decided, article.sentence_count, PROGRESS_BAR[self._wide]),
                key=article.id,
            )

    # -- paging --------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()
        if self._paging or not self.articles:
            return
        # The cursor now, not the event's: refilling the table sends events from row 0.
        cursor = self.table.cursor_row
        if self.more_after and cursor >= len(self.articles) - PAGE // 4:
            self._paging = True
            self._page(self._generation, place_of(self.articles[-1]), forward=True)
        elif self.more_before and cursor < PAGE // 4:
            self._paging = True
            self._page(self._generation, place_of(self.articles[0]), forward=False)

    @work(thread=True, group="library-page", exit_on_error=False)
    def _page(self, generation: int, place, *, forward: bool) -> None:
        """Read the page after (or before) the window: a query from a place in the listing,
        the same cost anywhere in a library of any size."""
        reader = Store.open_reader(self.store.path)
        try:
            listing = self.listing
            if forward:
                rows = listing.after(reader, place, PAGE)
            else:
                rows = listing.before(reader, place, PAGE)
        finally:
            reader.close()
        self.app.call_from_thread(self._add_page, generation, rows, forward)

    def _add_page(self, generation: int, rows: list[ArticleSummary], forward: bool) -> None:
        self._paging = False
        if generation != self._generation:
            return
        if forward:
            self.more_after = len(rows) == PAGE
            self._add_rows(rows)
            return
        # A DataTable only appends: the window is drawn again, the cursor on the same article.
        self.more_before = len(rows) == PAGE
        self._fill(rows + self.articles, self.table.cursor_row + len(rows))

    # -- the title and the detail line ---------------------------------------------------------

    def _show_title(self, totals: tuple[int, int] | None) -> None:
        search = self.listing.search
        shown = counted(self.matches or 0, "article")
        if search:
            shown += f" matching “{search}”"
        decided = Text("decided ")
        if totals is None:
            decided.append("…", MUTED)
        else:
            decided.append_text(progress_bar(*totals))
        self.title_parts = [
            Text("annotty library", style="bold"),
            Text(shown),
            Text(self.annotator, style="bold"),
            decided,
            database_name(self.store.path),
        ]
        empty = not self.matches and not search
        self.title_tail = Text("nothing here: annotty import PATH", MUTED) if empty else None
        self.draw_title()

    def draw_title(self) -> None:
        widget = self.query_one("#library-title", Static)
        width = widget.content_region.width or self.app.size.width - 2
        # One line on any screen: the screen's name goes first, then the progress bar.
        title = fit_join(self.title_parts, width, optional=[0, 3])
        if self.title_tail is not None:
            title.append("\n").append_text(self.title_tail)
        if self.team_line is not None:
            title.append("\n").append_text(self.team_line)
        widget.update(title)

    def _show_detail(self) -> None:
        """The highlighted article's whole source (the column shows its host or file name)."""
        table = self.table
        detail = Text(overflow="fold")
        if self.articles and table.cursor_row < len(self.articles):
            article = self.articles[table.cursor_row]
            detail.append(article.source or "—")
            detail.append("  id ", MUTED)
            detail.append(article.id)
        self.query_one("#detail-source", Static).update(detail)

    # -- the filter ----------------------------------------------------------------------------

    def filter_text(self) -> str:
        # The filter of the rows shown (the one typed may not have been applied yet).
        return self.listing.search

    def action_filter(self) -> None:
        search = self.query_one(Input)
        search.display = True
        search.focus()

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        # Typed or pasted: sanitised once here (it is drawn in titles and the reader's status).
        self.search = clean_line(event.value).strip()
        self.reload()

    @on(Input.Submitted)
    def _filter_done(self) -> None:
        self.table.focus()

    def action_clear_filter(self) -> None:
        search = self.query_one(Input)
        if search.value:
            search.value = ""
        search.display = False
        self.table.focus()

    # -- removing an article -------------------------------------------------------------------

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
                # Like every write of the app: on the writer's thread, after those before it.
                token = object()
                self._writes.add(token)
                self.app.writer.submit(  # type: ignore[attr-defined]
                    lambda store: remove_articles(store, [identity]),
                    done=lambda result: self.post_message(WriteDone(token, result)),
                    failed=lambda error: self.post_message(WriteFailed(token, error)),
                )

        self.app.push_screen(ConfirmScreen(question, yes="Remove"), answered)

    @on(WriteDone)
    def _removed(self, message: WriteDone) -> None:
        self._writes.discard(message.token)
        removed: Removed = message.result
        self.notify(f"removed the article and {counted(removed.decisions, 'decision')}")
        self.reload(team=True)

    @on(WriteFailed)
    def _not_removed(self, message: WriteFailed) -> None:
        self._writes.discard(message.token)
        error = message.error
        self.notify(
            f"the article was not removed: {type(error).__name__}: {error}",
            severity="error",
            timeout=15,
            markup=False,
        )
