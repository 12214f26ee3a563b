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
from annotations.review import (
    accept_unanimous,
    candidates,
    is_disagreement,
    next_candidate,
    next_needing_gold,
)
from annotations.store import Store
from tui.screens.article_screen import ArticleScreen
from tui.widgets.chips import MUTED, progress_bar, votes_gutter, votes_gutter_width
from tui.widgets.key_footer import KeyFooter


class ReviewScreen(ArticleScreen):
    """Adjudicate: `d` jumps to disagreements, `a` takes the majority, `space` confirms gold."""

    # Footer descriptions stay short so every review key fits an 80-column footer; the help
    # screen shows each one's tooltip in full.
    BINDINGS = [
        Binding(
            "d", "disagreement(1)", "Next ≠", id="next-disagreement",
            tooltip="Next disagreement without gold (every disagreement once all have gold)",
        ),
        Binding(
            "D", "disagreement(-1)", "Previous ≠", show=False, id="previous-disagreement",
            tooltip="Previous disagreement without gold",
        ),
        Binding(
            "a", "majority", "Accept", id="accept-majority",
            tooltip="Make the label set most annotators gave the gold set; again: the next set"
            " given (cycles through a tie)",
        ),
        Binding(
            "A", "unanimous", "Unanimous", id="accept-unanimous",
            tooltip="Make every sentence all annotators decided alike gold (one undo step)",
        ),
        Binding(
            "space,enter", "confirm", "Confirm", id="confirm-gold",
            tooltip="Confirm the gold labels shown (none: 'no label'), go to the next sentence"
            " needing gold, a disagreement first",
        ),
        Binding(
            "f", "filter", "Only ≠", id="filter-disagreements",
            tooltip="Show only the disagreements (f again: every sentence)",
        ),
        Binding(
            "x", "ignore_gold", "Ignore", show=False, id="ignore-gold",
            tooltip="Set the sentence aside in the gold set (not article text), go on",
        ),
        Binding("n", "article(1)", "Next article", show=False, id="next-article"),
        Binding("p", "article(-1)", "Previous article", show=False, id="previous-article"),
        Binding(
            "e", "toggle_entities", "Entities", show=False, id="toggle-entities",
            tooltip="Entities: colours → colours with their types → off",
        ),
        Binding(
            "escape,q", "back", "Articles", id="back",
            tooltip="The review library: articles by what still needs the reviewer",
        ),
    ]  # fmt: skip
    decision_layer = GOLD
    status_separator = " │ "
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
        self.widths: list[int] = [len(scheme)] * len(self.annotators)
        """Cells of each annotator's column: wide enough for the name when the screen allows."""
        super().__init__(store, reviewer, scheme, article_ids, article_id)

    def on_mount(self) -> None:
        super().on_mount()
        # Every review key must fit an 80-column footer (the palette is still on ctrl+p).
        footer = self.query_one(KeyFooter)
        footer.compact = True
        footer.show_command_palette = False

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
            part = Text(f"{self.label_name(name)} α ")
            part.append("—" if alpha is None else f"{alpha:.2f}")
            if figures.n:
                part.append(f" ({figures.percent_agreement or 0:.0%} of {figures.n})", MUTED)
            parts.append(part)
        exact = report.percent_exact
        parts.append(Text(f"all labels alike {'—' if exact is None else f'{exact:.0%}'}"))
        line.append_text(Text("  ·  ", MUTED).join(parts))
        self.query_one("#agreement", Static).update(line)

    def _show_columns(self) -> None:
        self.widths, shown = column_heads(
            self.annotators, len(self.scheme), max(self.app.size.width, 40) // 2
        )
        heads = Text()
        for name, width in zip(shown, self.widths, strict=True):
            heads.append(name.ljust(width) + " ", Style(bold=True))
        heads.append("  ")
        heads.append("gold", Style(bold=True, color="#f2c14e"))
        if shown != self.annotators:
            legend = ", ".join(
                f"{short}={name}" for short, name in zip(shown, self.annotators, strict=True)
            )
            heads.append("   " + legend, MUTED)
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
            widths=self.widths,
        )

    def gutter_cells(self) -> int:
        return votes_gutter_width(self.scheme, self.annotators, self.widths)

    def first_cursor(self) -> int:
        found = next_needing_gold(-1, self.without_gold(), set(self.disagreements))
        return found if found is not None else 0

    def without_gold(self) -> list[int]:
        return [i for i in range(len(self.article.sentences)) if not self.state(i).decided]

    def status_parts(self) -> list[Text]:
        total, done = self.session.total, self.session.decided_count
        # Who is reviewed is in the column heads; this line must fit 80 columns.
        return [
            Text("gold ").append_text(progress_bar(done, total, width=5)),
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
        if not self.disagreements:
            self.notify("no disagreements in this article", timeout=2)
            return
        needing = set(self.without_gold())
        open_ones = [index for index in self.disagreements if index in needing]
        target = self.next_index(open_ones or self.disagreements, direction)
        if target is not None:
            self.move_to(target)
        if not open_ones:
            self.notify("every disagreement here has gold", timeout=2)

    def action_majority(self) -> None:
        span = self.current_span()
        if span is None:
            return
        votes = self.votes.get(span, {})
        gold = self.state(self.cursor)
        current = gold.labels if gold.decided and not gold.ignored else None
        candidate = next_candidate(votes, self.annotators, current)
        if candidate is None:
            self.notify("nobody decided this sentence: gold unchanged", timeout=3)
            return
        sets = candidates(votes, self.annotators)
        names = ", ".join(map(self.label_name, candidate.labels)) or "no label"
        message = f"gold: {names} (from {', '.join(candidate.annotators)})"
        if len(sets) > 1:
            position = sets.index(candidate) + 1
            message += f" · set {position} of {len(sets)}, a again for the next"
        identity, labels = self.article.id, candidate.labels
        self.submit(
            lambda decisions: decisions.decide(identity, span, labels),
            lambda _: self.notify(message, timeout=3),
        )

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
        target = next_needing_gold(self.cursor, wanted, set(self.disagreements))
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


def column_heads(names: Sequence[str], marks: int, budget: int) -> tuple[list[int], list[str]]:
    """Each annotator's column width and the name shown over it.

    A column is as wide as the name (at least `marks` cells, one per label) while all columns
    fit `budget` cells; beyond that the names are cut to an equal share (and a legend says who
    is who).
    """
    full = [max(marks, len(name)) for name in names]
    if sum(full) + len(names) <= budget or not names:
        return full, list(names)
    share = max(marks, budget // len(names) - 1)
    widths = [min(width, share) for width in full]
    return widths, [
        name if len(name) <= width else name[: width - 1] + "…"
        for name, width in zip(names, widths, strict=True)
    ]
