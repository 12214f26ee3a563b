"""The library: every article with its source, size and this annotator's progress."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from annotations.library import list_articles
from annotations.model import ArticleSummary
from annotations.remove import at_stake, remove_articles
from annotations.store import Store
from annotations.text import counted
from tui.screens.confirm import ConfirmScreen
from tui.widgets.chips import MUTED, join, progress_bar, source_name
from tui.widgets.team_status import assigned_mark, has_team_work, team_status


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
        self.articles: list[ArticleSummary] = []
        self.search: str = ""
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
        self.read_team_line()
        self.reload()

    def on_screen_resume(self) -> None:
        self.read_team_line()
        self.reload()

    def read_team_line(self) -> None:
        """Count progress against the plan, in a worker: it reads every assignment (when the
        screen shows, not on each filter key)."""
        if has_team_work(self.store):
            self._count_team(self.store.path, self.annotator)
        else:
            self.team_line = None

    @work(thread=True, exclusive=True, group="team-status", exit_on_error=False)
    def _count_team(self, path: Path, annotator: str) -> None:
        with Store.open(path, create=False) as store:  # a connection of the worker's own
            line = team_status(store, annotator)
        self.app.call_from_thread(self._show_team_line, line)

    def _show_team_line(self, line: Text | None) -> None:
        self.team_line = line
        self.draw_title()

    def reload(self, keep: str | None = None) -> None:
        """Read the articles again (progress changes as the annotator works)."""
        table = self.query_one(DataTable)
        if keep is None and table.row_count:
            keep = self.highlighted()
        self.articles = list_articles(self.store, self.annotator, self.search or None)
        marks = any(article.assigned for article in self.articles)
        table.clear()
        for article in self.articles:
            title = Text(article.title or "(untitled)")
            table.add_row(
                Text.assemble(assigned_mark(article.assigned), title) if marks else title,
                Text(source_name(article.source) if article.source else "", style="dim"),
                Text(str(article.sentence_count), justify="right"),
                progress_bar(article.decided, article.sentence_count),
                key=article.id,
            )
        if keep is not None:
            for row, article in enumerate(self.articles):
                if article.id == keep:
                    table.move_cursor(row=row)
                    break
        decided = sum(a.decided for a in self.articles)
        total = sum(a.sentence_count for a in self.articles)
        shown = counted(len(self.articles), "article")
        if self.search:
            shown += f" matching “{self.search}”"
        title = join(
            [
                Text("annotty library", style="bold"),
                Text(shown),
                Text(self.annotator, style="bold"),
                Text("decided ").append_text(progress_bar(decided, total)),
            ]
        )
        if not self.articles and not self.search:
            title.append("   nothing here: annotty import PATH", MUTED)
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
                self.read_team_line()
                self.reload()

        self.app.push_screen(ConfirmScreen(question, yes="Remove"), answered)
