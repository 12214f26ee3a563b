"""The review screen: every chosen annotator's labels side by side, and the reviewer's gold."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from annotations.agreement import compute_agreement
from annotations.decisions import GOLD, Span, decisions_by_sentence, ignored_by_sentence
from annotations.review import accept_unanimous, is_disagreement, majority
from annotations.store import Store
from annotations.text import display_label
from tui.screens.article_screen import ArticleScreen
from tui.widgets.chips import MUTED, progress_bar, votes_gutter, votes_gutter_width


class ReviewScreen(ArticleScreen):
    """Adjudicate: `d` jumps to disagreements, `a` takes the majority, `space` confirms gold."""

    BINDINGS = [
        Binding("d", "disagreement(1)", "Next disagreement", id="next-disagreement"),
        Binding("D", "disagreement(-1)", "Previous disagreement", id="previous-disagreement"),
        Binding(
            "a", "majority", "Majority", id="accept-majority",
            tooltip="Make the label set most annotators gave the gold set",
        ),
        Binding(
            "A", "unanimous", "Accept unanimous", id="accept-unanimous",
            tooltip="Make every sentence all annotators decided alike gold (one undo step)",
        ),
        Binding(
            "space,enter", "confirm", "Confirm", id="confirm-gold",
            tooltip="Confirm the gold labels shown (none: 'no label'), go to the next sentence"
            " without gold",
        ),
        Binding("f", "filter", "Disagreements only", id="filter-disagreements"),
        Binding(
            "x", "ignore_gold", "Ignore", id="ignore-gold",
            tooltip="Set the sentence aside in the gold set (not article text), go on",
        ),
    ]  # fmt: skip
    decision_layer = GOLD
    screen_name = "review"

    def __init__(
        self,
        store: Store,
        reviewer: str,
        scheme: Sequence[str],
        article_ids: Sequence[str] | None,
        article_id: str,
        annotators: Sequence[str],
    ) -> None:
        self.annotators = list(annotators)
        self.votes: dict[Span, dict[str, tuple[str, ...]]] = {}
        self.ignored_by: dict[Span, set[str]] = {}
        """Which annotators ignored each sentence (shown as ✕ in their column)."""
        self.disagreements: list[int] = []
        self.filtered = False
        super().__init__(store, reviewer, scheme, article_ids, article_id)

    def compose_header(self) -> ComposeResult:
        yield Static(id="agreement")
        yield Static(id="columns")

    def article_loaded(self) -> None:
        votes = decisions_by_sentence(self.store, self.annotators, self.article.id)
        self.votes = {(start, end): v for (_, start, end), v in votes.items()}
        self.ignored_by = ignored_by_sentence(self.store, self.annotators, self.article.id)
        self.disagreements = [
            s.idx for s in self.article.sentences if is_disagreement(self.votes.get(s.span, {}))
        ]
        self.filtered = False
        self.view.set_filter(None)
        self._show_agreement()
        self._show_columns()

    def _show_agreement(self) -> None:
        report = compute_agreement(self.votes, self.annotators, self.scheme)
        line = Text("agreement here: ", style="bold")
        parts = []
        for name, figures in report.labels.items():
            alpha = figures.krippendorff_alpha
            part = Text(f"{display_label(name)} α ")
            part.append("—" if alpha is None else f"{alpha:.2f}")
            if figures.n:
                part.append(f" ({figures.percent_agreement or 0:.0%} of {figures.n})", MUTED)
            parts.append(part)
        exact = report.percent_exact
        parts.append(Text(f"all labels alike {'—' if exact is None else f'{exact:.0%}'}"))
        line.append_text(Text("  ·  ", MUTED).join(parts))
        self.query_one("#agreement", Static).update(line)

    def _show_columns(self) -> None:
        width = len(self.scheme)
        heads = Text()
        for name in self.annotators:
            heads.append(name[:width].ljust(width) + " ", Style(bold=True))
        heads.append("  ")
        heads.append("gold"[:width].ljust(width), Style(bold=True, color="#f2c14e"))
        heads.append("   columns: " + ", ".join(self.annotators) + ", then gold", MUTED)
        self.query_one("#columns", Static).update(heads)

    def gutter_for(self, index: int) -> Text:
        span = self.article.sentences[index].span
        return votes_gutter(
            self.votes.get(span, {}),
            self.annotators,
            self.scheme,
            self.state(index),
            disagreement=index in self.disagreements,
            ignored=self.ignored_by.get(span, ()),
        )

    def gutter_cells(self) -> int:
        return votes_gutter_width(self.scheme, self.annotators)

    def first_cursor(self) -> int:
        return self.disagreements[0] if self.disagreements else 0

    def without_gold(self) -> list[int]:
        return [i for i in range(len(self.article.sentences)) if not self.state(i).decided]

    def status_parts(self) -> list[Text]:
        total, done = self.session.total, self.session.decided_count
        return [
            Text("reviewing " + ", ".join(self.annotators)),
            Text("gold ").append_text(progress_bar(done, total)),
            Text(f"disagreements {len(self.disagreements)}"),
        ]

    def shown_indices(self) -> list[int]:
        return self.disagreements if self.filtered else list(range(len(self.article.sentences)))

    def action_cursor(self, step: int) -> None:
        if not self.filtered:
            super().action_cursor(step)
            return
        target = self.next_index(self.disagreements, step)
        if target is not None:
            self.move_to(target)

    def action_disagreement(self, direction: int) -> None:
        target = self.next_index(self.disagreements, direction)
        if target is None:
            self.notify("no disagreements in this article", timeout=2)
        else:
            self.move_to(target)

    def action_majority(self) -> None:
        span = self.current_span()
        if span is None:
            return
        votes = self.votes.get(span, {})
        labels = majority(votes)
        if labels is None:
            reason = "nobody decided this sentence" if not votes else "a tie"
            self.notify(f"no majority: {reason}; gold unchanged", timeout=3)
            return
        identity = self.article.id
        self.submit(lambda decisions: decisions.decide(identity, span, labels))

    def action_unanimous(self) -> None:
        actor, annotators, identity = self.actor, self.annotators, self.article.id
        self.submit(
            lambda d: accept_unanimous(d.store, actor, annotators, identity),
            lambda changes: self.notify(
                f"accepted {len(changes)} unanimous sentences as gold", timeout=3
            ),
        )

    def action_confirm(self) -> None:
        span = self.current_span()
        if span is None:
            return
        identity, labels = self.article.id, self.state(self.cursor).labels
        self.submit(
            lambda decisions: decisions.decide(identity, span, labels),
            lambda _: self._next_without_gold(),
        )

    def action_ignore_gold(self) -> None:
        span = self.current_span()
        if span is None:
            return
        identity = self.article.id
        self.submit(
            lambda decisions: decisions.ignore(identity, span),
            lambda _: self._next_without_gold(),
        )

    def _next_without_gold(self) -> None:
        shown = set(self.shown_indices())
        wanted = [i for i in self.without_gold() if i in shown]
        target = self.next_index(wanted)
        self.move_to(target if target is not None else self.cursor)
        if target is None:
            self.notify("every sentence here has gold: n for the next article", timeout=3)

    def action_filter(self) -> None:
        if not self.filtered and not self.disagreements:
            self.notify("no disagreements in this article", timeout=2)
            return
        self.filtered = not self.filtered
        self.view.set_filter(self.disagreements if self.filtered else None)
        if self.filtered and self.cursor not in self.disagreements:
            self.move_to(self.disagreements[0])
