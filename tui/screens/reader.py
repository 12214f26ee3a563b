"""The reader: one article, its entities coloured, each sentence tagged from the keyboard.

Two modes, one key (`m`) apart, remembered per annotator:

- normal: `1`-`9` toggle labels on the sentence, `space` decides with the labels it has;
- quick: a label key decides the sentence with exactly that label and moves on, `space` decides
  "no label" and moves on: one key per decision. For several labels, `shift+1`-`9` toggle a label
  and stay, then `space` decides with them. When an article is done, quick mode goes on to the
  next article with undecided sentences.

In both, `x` ignores the sentence and moves on, and `a` accepts what is suggested (a model
trained on the annotator's own decisions, or the project's patterns). Suggestions are computed
by background workers (annotations/suggest.py's Suggester): no key ever waits for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

from annotations.decisions import ANNOTATIONS, Change
from annotations.listing import next_unfinished_article
from annotations.settings import QUICK_MODE, READER_ORDER, get_flag, get_setting, set_flag
from annotations.settings import set_setting as store_setting
from annotations.store import Store
from annotations.suggest import RETRAIN_EVERY, Suggester, Suggestion
from tui.screens.article_screen import ArticleScreen
from tui.widgets.chips import progress_bar, reader_gutter, reader_gutter_width

SHIFTED_DIGITS = (
    "exclamation_mark",
    "at",
    "number_sign",
    "dollar_sign",
    "percent_sign",
    "circumflex_accent",
    "ampersand",
    "asterisk",
    "left_parenthesis",
)
"""The keys of shift+1 ... shift+9 (on a US layout): toggle a label and stay, in either mode."""


def _stay_binding(key: int) -> Binding:
    return Binding(
        SHIFTED_DIGITS[key - 1],
        f"add_label({key})",
        f"Toggle label {key}, stay",
        show=False,
        id=f"toggle-label-stay-{key}",
    )


class ReaderScreen(ArticleScreen):
    """Tag the sentences of an article: `1`-`9` toggle labels, `space` decides and moves on."""

    BINDINGS = [
        Binding(
            "space,enter",
            "decide",
            "Decide",
            id="decide",
            tooltip="Decide the sentence with the labels it has (none: 'no label'), go to the"
            " next undecided one",
        ),
        *(_stay_binding(key) for key in range(1, 10)),
        Binding(
            "x",
            "ignore",
            "Ignore",
            id="ignore",
            tooltip="Set the sentence aside (not article text, or not worth a decision), go on",
        ),
        Binding(
            "a",
            "accept",
            "Accept",
            id="accept-suggestion",
            tooltip="Decide the sentence with the suggested labels, go to the next undecided one",
        ),
        Binding(
            "m",
            "mode",
            "Mode",
            id="toggle-quick-mode",
            tooltip="Quick mode: a label key decides with that label alone and moves on",
        ),
        Binding(
            "o",
            "order",
            "Least sure first",
            show=False,
            id="toggle-uncertain-order",
            tooltip="Go on to the sentences the model is least sure of, across the library",
        ),
    ]
    decision_layer = ANNOTATIONS
    screen_name = "reader"

    class SuggestionsChanged(Message):
        """The suggester loaded or trained a model (or loaded patterns)."""

    class Suggested(Message):
        """Suggestions for the sentences of an article, by sentence index."""

        def __init__(self, article_id: str, suggestions: dict[int, Suggestion]) -> None:
            super().__init__()
            self.article_id = article_id
            self.suggestions = suggestions

    class Ranked(Message):
        """Undecided sentences of the library, the model's least sure first."""

        def __init__(self, ranked: list[tuple[str, int]]) -> None:
            super().__init__()
            self.ranked = ranked

    def __init__(
        self,
        store: Store,
        actor: str,
        scheme: Sequence[str],
        article_ids: Sequence[str] | None,
        article_id: str,
        suggester: Suggester | None = None,
        *,
        search: str = "",
    ) -> None:
        self.quick = get_flag(store, actor, QUICK_MODE)
        """Whether a label key decides with that label alone and moves on."""
        self.uncertain_first = get_setting(store, actor, READER_ORDER) == "uncertain"
        """Whether moving on goes to the sentence the model is least sure of, in any article."""
        self.suggester = suggester
        self.suggestions: dict[int, Suggestion] = {}
        """What is suggested for the current article's sentences, by index."""
        self.ranked: list[tuple[str, int]] = []
        """The least-sure-first walk still ahead: (article id, sentence index)."""
        self._new_decisions = 0
        super().__init__(store, actor, scheme, article_ids, article_id, search=search)

    def on_mount(self) -> None:
        # No super().on_mount(): Textual calls ArticleScreen's handler itself (a second call
        # loaded the article twice).
        if self.suggester is not None:
            # After the first frame: training may take a while, and the article comes first.
            self.call_after_refresh(self._refresh_suggester)

    # -- drawing -----------------------------------------------------------------------------

    def gutter_for(self, index: int) -> Text:
        return reader_gutter(self.state(index), self.scheme, self.suggestions.get(index))

    def gutter_cells(self) -> int:
        return reader_gutter_width(self.scheme)

    def suggestion_at(self, index: int) -> Suggestion | None:
        return self.suggestions.get(index)

    def first_cursor(self) -> int:
        first = self.session.next_undecided(-1)
        return 0 if first is None else first

    def status_parts(self) -> list[Text]:
        session = self.session
        total, ignored = session.total, session.ignored_count
        done = session.decided_count - ignored
        progress = Text("decided ").append_text(progress_bar(done, total))
        if ignored:
            progress.append(f" · ignored {ignored}")
        mode = Text("quick mode" if self.quick else "normal mode", style="bold")
        if self.uncertain_first:
            mode.append(" · least sure first")
        # Kept short: the status line must leave room for `sentence N/M`.
        return [mode, progress]

    def article_loaded(self) -> None:
        self.suggestions = {}
        self._request_suggestions()

    # -- deciding ----------------------------------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> None:
        super().apply(changes)
        if any(change.after.decided for change in changes):
            self._new_decisions += 1
            if self._new_decisions >= RETRAIN_EVERY and self.suggester is not None:
                self._new_decisions = 0
                self._refresh_suggester()

    def action_toggle_label(self, key: int) -> None:
        if not self.quick:
            self.action_add_label(key)
        elif key <= len(self.scheme):
            self._decide_and_go_on((self.scheme[key - 1],), "typed")

    def action_add_label(self, key: int) -> None:
        """Toggle a label and stay (normal mode's label keys; shift+key in quick mode)."""
        span = self.current_span()
        if span is None or key > len(self.scheme):
            return
        identity, label = self.article.id, self.scheme[key - 1]
        self.submit(lambda decisions: decisions.toggle(identity, span, label, source="typed"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_label" and parameters:
            return int(str(parameters[0])) <= len(self.scheme)
        return super().check_action(action, parameters)

    def describe_binding(self, binding: Binding) -> str:
        if binding.action.startswith("add_label("):
            key = int(binding.action.removeprefix("add_label(").rstrip(")"))
            return f"Toggle label “{self.label_name(self.scheme[key - 1])}”, stay"
        if binding.action.startswith("toggle_label(") and self.quick:
            return f"Decide “{self.label_name(self.scheme[int(binding.key) - 1])}” alone, go on"
        return super().describe_binding(binding)

    def action_decide(self) -> None:
        # Undecided, the sentence has no labels: "no label". Labels it carries (toggled with
        # shift+key, or decided before) are kept: space never throws work away.
        self._decide_and_go_on(self.state(self.cursor).labels, "typed")

    def action_accept(self) -> None:
        suggestion = self.suggestions.get(self.cursor)
        if suggestion is None or self.state(self.cursor).decided:
            self.notify("nothing suggested for this sentence", timeout=2)
            return
        self._decide_and_go_on(suggestion.labels, suggestion.source)

    def action_ignore(self) -> None:
        span = self.current_span()
        if span is None:
            return
        identity = self.article.id
        self.submit(lambda decisions: decisions.ignore(identity, span), lambda _: self.go_on())

    def _decide_and_go_on(self, labels: Sequence[str], source: str) -> None:
        span = self.current_span()
        if span is None:
            return
        identity, chosen = self.article.id, tuple(labels)
        self.submit(
            lambda decisions: decisions.decide(identity, span, chosen, source=source),
            lambda _: self.go_on(),
        )

    def go_on(self) -> None:
        """Move to the next sentence to decide: the least sure one when walking that way, else
        the next undecided one of the article."""
        if self.uncertain_first and self._go_to_least_sure():
            return
        target = self.session.next_undecided(self.cursor)
        if target is not None:
            self.move_to(target)
            return
        following = next_unfinished_article(self.store, self.actor, self.article.id)
        if self.quick and following is not None and self.in_scope(following):
            self.save_position()
            self.load(following)
            self.notify("article done: on to the next with undecided sentences", timeout=2)
            return
        self.notify("every sentence here is decided: n for the next article", timeout=3)
        self.move_to(self.cursor + 1)

    def _go_to_least_sure(self) -> bool:
        while self.ranked:
            article_id, index = self.ranked.pop(0)
            if not self.in_scope(article_id):
                continue
            if article_id != self.article.id:
                self.save_position()
                self.load(article_id)
            if index < len(self.article.sentences) and not self.state(index).decided:
                self.move_to(index)
                return True
        return False

    # -- modes -------------------------------------------------------------------------------

    def action_mode(self) -> None:
        self.quick = not self.quick
        actor, quick = self.actor, self.quick
        self.submit(lambda d: set_flag(d.store, actor, QUICK_MODE, quick), hold=False)
        self.refresh_status()
        if self.quick:
            self.notify("quick mode: a label key decides with that label and moves on", timeout=3)
        else:
            self.notify("normal mode: label keys toggle, space decides", timeout=3)

    def action_order(self) -> None:
        self.uncertain_first = not self.uncertain_first
        actor, order = self.actor, "uncertain" if self.uncertain_first else "article"
        self.submit(lambda d: store_setting(d.store, actor, READER_ORDER, order), hold=False)
        self.refresh_status()
        if not self.uncertain_first:
            self.notify("going on in article order", timeout=2)
        elif self.suggester is None or not self.suggester.has_model:
            self.notify("least sure first: once there is a model (article order until then)")
        else:
            self.notify("least sure first: space, a, x and quick keys go on to it", timeout=3)
            self._rank()

    # -- suggestions (background work) -------------------------------------------------------

    def _refresh_suggester(self) -> None:
        self.run_worker(
            self._refresh_in_thread,
            thread=True,
            group="suggest-train",
            description="training the suggestion model",
            exit_on_error=False,
        )

    def _refresh_in_thread(self) -> None:
        assert self.suggester is not None
        if self.suggester.refresh():
            self.post_message(self.SuggestionsChanged())

    @on(SuggestionsChanged)
    def _suggestions_changed(self) -> None:
        if self.suggester is not None:
            self.notify(f"suggestions: {self.suggester.status}", timeout=3)
        self._request_suggestions()
        if self.uncertain_first:
            self._rank()
        self.refresh_status()

    def _request_suggestions(self) -> None:
        suggester = self.suggester
        if suggester is None or not suggester.active:
            return
        article_id = self.article.id
        texts = [sentence.text for sentence in self.article.sentences]

        def predict() -> None:
            found = suggester.suggestions(texts)
            self.post_message(
                self.Suggested(article_id, {i: s for i, s in enumerate(found) if s is not None})
            )

        self.run_worker(
            predict, thread=True, group="suggest", description="suggesting", exit_on_error=False
        )

    @on(Suggested)
    def _suggested(self, message: Suggested) -> None:
        if message.article_id != self.article.id:
            return
        self.suggestions = message.suggestions
        self.view.refresh_gutters()
        self.refresh_status()

    def _rank(self) -> None:
        suggester = self.suggester
        if suggester is None or not suggester.has_model:
            return
        start = self.article.id

        def rank() -> None:
            self.post_message(self.Ranked(suggester.least_certain(start)))

        self.run_worker(
            rank, thread=True, group="suggest", description="ranking", exit_on_error=False
        )

    @on(Ranked)
    def _ranked(self, message: Ranked) -> None:
        self.ranked = message.ranked

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group.startswith("suggest"):
            error = event.worker.error
            self.notify(f"suggestions: {type(error).__name__}: {error}", severity="warning")
