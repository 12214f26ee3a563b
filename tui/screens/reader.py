"""The reader: one article, its entities coloured, each sentence tagged from the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from annotations.decisions import ANNOTATIONS
from tui.screens.article_screen import ArticleScreen
from tui.widgets.chips import progress_bar, reader_gutter, reader_gutter_width


class ReaderScreen(ArticleScreen):
    """Tag the sentences of an article: `1`-`9` toggle labels, `space` decides and moves on."""

    BINDINGS = [
        Binding(
            "space,enter",
            "decide",
            "Decide",
            id="decide",
            tooltip="Decide the sentence with the labels it has (none: 'no label'), go to the next"
            " undecided one",
        ),
    ]
    decision_layer = ANNOTATIONS
    screen_name = "reader"

    def gutter_for(self, index: int) -> Text:
        return reader_gutter(self.state(index), self.scheme)

    def gutter_cells(self) -> int:
        return reader_gutter_width(self.scheme)

    def first_cursor(self) -> int:
        first = self.session.next_undecided(-1)
        return 0 if first is None else first

    def status_parts(self) -> list[Text]:
        session = self.session
        return [Text("decided ").append_text(progress_bar(session.decided_count, session.total))]

    def action_decide(self) -> None:
        span = self.current_span()
        if span is None:
            return
        change = self.decisions.decide(self.article.id, span, self.state(self.cursor).labels)
        if change is not None:
            self.apply([change])
        target = self.session.next_undecided(self.cursor)
        if target is None:
            self.notify("every sentence here is decided: n for the next article", timeout=3)
            self.move_to(self.cursor + 1)
        else:
            self.move_to(target)
