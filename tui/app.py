"""The annotty app: its screens, stylesheet and global keys. The screens hold the logic."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from annotations.library import first_article
from annotations.positions import last_article
from annotations.scheme import get_labels
from annotations.store import LOCK_WAIT, Store
from annotations.suggest import Suggester
from annotations.team import first_assigned
from tui.commands import ScreenCommands
from tui.screens.help import HelpScreen, binding_rows, own_bindings
from tui.writer import Writer


class AnnottyApp(App[None]):
    """Library, reader and review screens over one database, for one annotator (or reviewer)."""

    CSS_PATH = "annotty.tcss"
    TITLE = "annotty"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key of this screen"),
        Binding("ctrl+q,ctrl+c", "quit", "Quit", show=False, id="quit-app"),
    ]

    def __init__(
        self,
        store: Store,
        annotator: str,
        *,
        article_id: str | None = None,
        review: Sequence[str] | None = None,
        articles: Sequence[str] | None = None,
        lock_wait: float | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.writer = Writer(store.path, lock_wait=lock_wait)
        """Makes every write of the screens, in order, off the key handlers (tui/writer.py)."""
        self.annotator = annotator
        self.review_annotators = list(review) if review else None
        """When set, articles open in the review screen comparing these annotators."""
        self.start_article = article_id
        self.only_articles = list(articles) if articles else None
        """When set, the reader or review screen walks only these articles (`review --reached`)."""
        self.scheme = get_labels(store)
        self.suggester = Suggester(store.path, annotator, self.scheme)
        """Suggestions for this annotator, shared by every reader screen (trained in workers)."""

    @property
    def screen_name(self) -> str:
        return "review" if self.review_annotators else "reader"

    def on_mount(self) -> None:
        target = (
            self.start_article
            or last_article(self.store, self.annotator, self.screen_name)
            or (None if self.review_annotators else first_assigned(self.store, self.annotator))
        )
        only = self.only_articles
        if only is not None and target not in only:
            target = None
        if target is None:
            target = only[0] if only else first_article(self.store)
        if target is None:
            self.push_screen(self.new_library())
        else:
            # The article comes first; the library is made when the reader goes back to it.
            self.open_article(target)

    def show_library(self) -> None:
        """Leave an article for the library: the one beneath it, or a new one if the app
        started on the article."""
        from tui.screens.library import LibraryScreen
        from tui.screens.review_library import ReviewLibraryScreen

        if len(self.screen_stack) > 2 and isinstance(
            self.screen_stack[-2], (LibraryScreen, ReviewLibraryScreen)
        ):
            self.pop_screen()
        else:
            self.switch_screen(self.new_library())

    def new_library(self) -> Screen:
        """The annotator's library, or, when reviewing, the review library (imported when
        first shown: the app opens on an article, and its first frame waits for its imports)."""
        from tui.screens.library import LibraryScreen
        from tui.screens.review_library import ReviewLibraryScreen

        if self.review_annotators:
            return ReviewLibraryScreen(self.store, self.annotator, self.review_annotators)
        return LibraryScreen(self.store, self.annotator)

    def open_article(self, article_id: str, search: str = "") -> None:
        """Open an article in the reader (or, when reviewing, the review screen); `search`: the
        library's filter it was picked under, which the reader's `n`/`p` then follow."""
        ids = self.only_articles
        if ids is not None and article_id not in ids:  # picked in the library: walk them all
            ids = None
        if self.review_annotators:
            from tui.screens.review import ReviewScreen

            screen = ReviewScreen(
                self.store,
                self.annotator,
                self.scheme,
                ids,
                article_id,
                self.review_annotators,
            )
        else:
            from tui.screens.reader import ReaderScreen

            screen = ReaderScreen(
                self.store,
                self.annotator,
                self.scheme,
                ids,
                article_id,
                self.suggester,
                search=search,
            )
        self.push_screen(screen)

    def on_unmount(self) -> None:
        # The writes already asked for are made before the app ends (or the lock gives up).
        self.writer.close(timeout=(self.writer.lock_wait or LOCK_WAIT) + 5)

    @property
    def error(self) -> BaseException | None:
        """The unexpected error that stopped the app, if one did (raised again by the CLI)."""
        return self._exception

    def _fatal_error(self) -> None:
        """An unexpected error: stop without Textual's full-screen traceback.

        Textual would print the traceback (with local variables: article text, names) after
        restoring the terminal; annotty's CLI instead prints one line and saves the traceback
        to a log file (see tui.cli.main). The return code is already 1, and `error` holds it.
        """
        self.bell()
        self._close_messages_no_wait()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        title = f"Keys: {type(self.screen).__name__.removesuffix('Screen').lower()}"
        palette = Binding(self.COMMAND_PALETTE_BINDING, "command_palette", "Command palette")
        rows = binding_rows(self.screen, [*own_bindings(self), palette])
        self.push_screen(HelpScreen(rows, title))
