"""What the reader and the review screen share: an article, a cursor, keys to move, decide, undo.

A subclass says which layer its decisions go to (an annotator's annotations, or the reviewer's
gold), what the gutter beside each sentence shows, and what the status line says. Every decision
is committed by the core before the screen changes, so what is on screen is on disk.

Writes never run in a key handler. `submit(write, then)` hands `write(decisions)` to the app's
Writer (tui/writer.py: one thread, its own connection, jobs in order); when it is committed the
changes are drawn (`apply`) and `then(result)` runs, e.g. to move on. While a write is in flight
the screen holds every key of its own bindings (and sentence clicks) and replays them in order
once it is committed, so a key that depends on the last decision sees it. If another program
holds the database, the status line says "waiting for the database…"; if the lock outlasts the
Writer's limit, the write and the keys held behind it are dropped with a message saying so, and
the screen still shows exactly what is saved. Position and mode saves do not hold keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from annotations.decisions import Change, Decisions, Layer, Span, TravelResult
from annotations.errors import DatabaseLocked
from annotations.library import entities_between, entity_labels, get_article
from annotations.listing import Listing, article_position, neighbour_article
from annotations.model import UNDECIDED, Article, Decision
from annotations.positions import position_in, save_position
from annotations.scheme import display_names
from annotations.session import ReaderSession
from annotations.store import LOCK_WAIT, Store
from annotations.suggest import Suggestion
from annotations.text import display_label
from tui.widgets.article_view import ArticleView, LazyBlocks
from tui.widgets.chips import (
    MUTED,
    database_name,
    entity_legend,
    fit_join,
    label_bar,
    source_name,
)
from tui.widgets.key_footer import KeyFooter

POSITION_SAVE_DELAY = 0.5
"""Seconds of stillness before the cursor position is written (decisions are written at once)."""


def _label_binding(key: int) -> Binding:
    return Binding(
        str(key),
        f"toggle_label({key})",
        f"Toggle label {key}",
        show=False,
        id=f"toggle-label-{key}",
    )


def _update_line(widget: Static, text: Text) -> None:
    """Show `text` in a one-line Static, laying the screen out again only if its height may
    change: a key press updates the status line and the label bar, and a layout redraws every
    widget of the screen."""
    width = widget.content_region.width
    fits = 0 < text.cell_len <= width and "\n" not in text.plain
    widget.update(text, layout=not (fits and widget.content_region.height == 1))


class WriteDone(Message):
    """A submitted write was committed (in the writer thread); `result` is what it returned."""

    def __init__(self, token: object, result: Any) -> None:
        super().__init__()
        self.token = token
        self.result = result


class WriteFailed(Message):
    """A submitted write failed (the lock outlasted the limit, or worse); nothing was written."""

    def __init__(self, token: object, error: BaseException) -> None:
        super().__init__()
        self.token = token
        self.error = error


class WriteWaiting(Message):
    """A submitted write is waiting for another program's lock."""


class ArticleScreen(Screen[None]):
    """A screen that shows one article at a time and records decisions on its sentences."""

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Next sentence", show=False, id="next-sentence"),
        Binding("k,up", "cursor(-1)", "Previous sentence", show=False, id="previous-sentence"),
        Binding("g,home", "cursor_to('first')", "First sentence", show=False, id="first-sentence"),
        Binding("G,end", "cursor_to('last')", "Last sentence", show=False, id="last-sentence"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page-up"),
        Binding("n", "article(1)", "Next article", id="next-article"),
        Binding("p", "article(-1)", "Previous article", id="previous-article"),
        *(_label_binding(key) for key in range(1, 10)),
        Binding("u,ctrl+z", "undo", "Undo", id="undo", tooltip="Undo the last change here"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="redo"),
        Binding(
            "e",
            "toggle_entities",
            "Entities",
            id="toggle-entities",
            tooltip="Entities: colours → colours with their types → off",
        ),
        Binding("escape,q", "back", "Library", id="back"),
    ]

    decision_layer: Layer
    status_separator = "  │  "
    """Between the pieces of the status line (the review's is narrower: it says more)."""
    screen_name: str
    """Name under which positions are remembered."""

    def __init__(
        self,
        store: Store,
        actor: str,
        scheme: Sequence[str],
        article_ids: Sequence[str] | None,
        article_id: str,
        *,
        search: str = "",
    ) -> None:
        super().__init__()
        self.store = store
        self.actor = actor
        self.scheme = list(scheme)
        self.article_ids = list(article_ids) if article_ids is not None else None
        """The articles `n` and `p` walk, when only some are (else the library, in the database:
        it may hold 100,000, so they are never all loaded)."""
        self.search = search
        """The library's filter when the article was opened from a filtered library: `n`, `p`
        and `article N/M` then walk the articles it keeps (while this article is one of them)."""
        self.filtered = False
        """Whether `n`, `p` and `article N/M` follow `search` (the article is one it keeps)."""
        self.decisions = Decisions(store, self.decision_layer, actor, scheme)
        self.label_names = display_names(store)
        """Each label's display name, shown wherever a person reads a label."""
        self.article: Article = get_article(store, article_id, entities=False)
        self.session = ReaderSession([], {})
        """The sentences' decisions, decided count and next undecided, kept per change."""
        self.article_position = 0
        self.article_count = 0
        self.entity_labels: list[str] = []
        """The article's entity types, for the legend (its entities are read as drawn)."""
        self._title_parts: list[Text] = []
        """The header's title, source (if any) and database name, fitted to the width."""
        self._save_timer: Timer | None = None
        self.view = ArticleView(id="article")
        self._writes: dict[object, tuple[Callable[[Any], None] | None, bool]] = {}
        """Writes in flight: their `then` and whether keys wait for them."""
        self._holding = 0
        """How many writes in flight hold the keys."""
        self._held: list[str | int] = []
        """Keys (and clicked sentences) pressed while a write was in flight, in order."""
        self._waiting = False
        """Whether a write is waiting for another program's lock."""

    # -- composition -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield from self.compose_header()
        yield self.view
        yield Static(id="labels")
        yield Static(id="legend")
        yield Static(id="status")
        yield KeyFooter()

    def compose_header(self) -> ComposeResult:
        """Extra widgets between the title and the article (the review's column heads)."""
        yield from ()

    def on_mount(self) -> None:
        self.load(self.article.id)

    # -- what subclasses define --------------------------------------------------------------

    def gutter_for(self, index: int) -> Text:
        raise NotImplementedError

    def gutter_cells(self) -> int:
        raise NotImplementedError

    def status_parts(self) -> list[Text]:
        """Pieces of the status line after the actor's name."""
        return []

    def suggestion_at(self, index: int) -> Suggestion | None:
        """What is suggested for a sentence (the reader's suggestions), if anything."""
        return None

    def article_loaded(self) -> None:
        """Called after a new article is loaded, before it is drawn."""

    def first_cursor(self) -> int:
        """Where to put the cursor in an article not visited before."""
        return 0

    # -- loading and drawing -----------------------------------------------------------------

    def load(self, article_id: str) -> None:
        """Show an article, at the sentence this actor was last on."""
        if article_id != self.article.id:
            self.article = get_article(self.store, article_id, entities=False)
        article = self.article
        if self.article_ids is None:
            # Asked of the database once per article: the library may hold 100,000.
            found = None
            if self.search:
                found = Listing(self.actor, self.search).position(self.store, article.id)
            self.filtered = found is not None
            self.article_position, self.article_count = found or article_position(
                self.store, self.actor, article.id
            )
        else:
            self.article_position = self.article_ids.index(article.id)
            self.article_count = len(self.article_ids)
        spans = [sentence.span for sentence in article.sentences]
        self.session = ReaderSession(spans, self.decisions.for_article(article.id))
        self.entity_labels = entity_labels(self.store, article.id)
        self.article_loaded()
        cursor = position_in(self.store, self.actor, self.screen_name, article.id)
        if cursor is None or not 0 <= cursor < len(article.sentences):
            cursor = self.first_cursor()
        sentences = article.sentences

        def entities(index: int) -> tuple[tuple[int, int, str], ...]:
            sentence = sentences[index]
            start = sentence.start
            found = entities_between(self.store, article, start, sentence.end)
            return tuple((e.start - start, e.end - start, e.label) for e in found)

        # Entities are looked up as sentences are drawn, not all before the first frame.
        blocks = LazyBlocks([s.text for s in sentences], [s.paragraph for s in sentences], entities)
        # Gutters are drawn when their lines first show, not all up front.
        self.view.show(blocks, self.gutter_for, gutter_width=self.gutter_cells(), cursor=cursor)
        title = [Text(article.title or "(untitled)", style="bold")]
        if article.source:
            title.append(Text(source_name(article.source), MUTED))
        self._title_parts = [*title, database_name(self.store.path)]
        self.refresh_title()
        self.refresh_legend()
        self.refresh_status()

    def in_scope(self, article_id: str) -> bool:
        """Whether `n` and `p` can reach this article."""
        return self.article_ids is None or article_id in self.article_ids

    def state(self, index: int) -> Decision:
        return self.session.state(index)

    @property
    def states(self) -> dict[Span, Decision]:
        return self.session.states

    @property
    def index_of(self) -> dict[Span, int]:
        return self.session.index_of

    @property
    def cursor(self) -> int:
        return self.view.cursor

    def refresh_legend(self) -> None:
        legend = self.query_one("#legend", Static)
        if self.view.show_entities and self.entity_labels:
            legend.update(entity_legend(self.entity_labels))
            legend.display = True
        else:
            legend.display = False

    def refresh_status(self) -> None:
        """Redraw the label bar and the status line for the current sentence."""
        sentences = self.article.sentences
        current = self.state(self.cursor) if sentences else UNDECIDED
        suggestion = self.suggestion_at(self.cursor) if sentences else None
        bar = label_bar(self.scheme, current, suggestion, self.label_names)
        _update_line(self.query_one("#labels", Static), self._waiting_bar() or bar)
        position = self.article_position + 1
        extra = self.status_parts()
        parts = [
            Text(self.actor, style="bold"),
            *extra,
            self.article_part(position),
            Text(f"sentence {self.cursor + 1 if sentences else 0}/{len(sentences)}"),
        ]
        status = self.query_one("#status", Static)
        # One line that always ends with `sentence N/M`: on a narrow screen the screen's own
        # pieces give way (the last first), then `article N/M`.
        width = status.content_region.width or self.app.size.width - 2
        optional = [*range(len(extra), 0, -1), len(extra) + 1]
        _update_line(status, fit_join(parts, width, self.status_separator, optional=optional))

    def refresh_title(self) -> None:
        """The article's title, its source and the database on one line: on a narrow screen the
        source gives way, then the title is shortened (it is the article's first line anyway),
        so the database's name always shows whole."""
        parts = self._title_parts
        if not parts:
            return
        title = self.query_one("#title", Static)
        width = title.content_region.width or self.app.size.width - 2
        optional = (1,) if len(parts) == 3 else ()
        _update_line(title, fit_join(parts, width, "  ", optional=optional))

    def article_part(self, position: int) -> Text:
        """`article N/M`, and while n/p walk a filtered library, which filter."""
        part = Text(f"article {position}/{self.article_count}")
        if self.filtered:
            part.append(f" matching “{self.search}”", MUTED)
        return part

    def on_resize(self, event: events.Resize) -> None:
        self.refresh_title()
        self.refresh_status()

    def _waiting_bar(self) -> Text | None:
        """While a write waits for another program's lock, the label bar says so."""
        if not self._waiting:
            return None
        waiting = Text("waiting for the database (locked by another program)…", "bold yellow")
        if self._held:
            waiting.append(f"  {len(self._held)} more key(s) queued, kept in order")
        return waiting

    # -- writing (off the key handler) -------------------------------------------------------

    def submit(
        self,
        write: Callable[[Decisions], Any],
        then: Callable[[Any], None] | None = None,
        *,
        hold: bool = True,
    ) -> None:
        """Have `write(decisions)` run by the app's Writer, on its own connection, after every
        write submitted before. Once committed, the Change(s) it returns are drawn and
        `then(result)` runs. With `hold`, keys wait until then (see the module docstring)."""
        layer, actor, scheme = self.decision_layer, self.actor, self.scheme
        token = object()
        self._writes[token] = (then, hold)
        self._holding += hold
        self.app.writer.submit(  # type: ignore[attr-defined]
            lambda store: write(Decisions(store, layer, actor, scheme)),
            done=lambda result: self.post_message(WriteDone(token, result)),
            failed=lambda error: self.post_message(WriteFailed(token, error)),
            waiting=lambda: self.post_message(WriteWaiting()),
        )

    async def on_key(self, event: events.Key) -> None:
        """Run this screen's keys here, one at a time in the order pressed, or hold them while a
        write is in flight. (Textual runs a binding only after the key's event has been handled,
        so a burst of keys, typed fast or pasted, reaches `on_key` before the first of them has
        run: had the keys been left to Textual, each would be let through before the write the
        one before it starts, and a label would land on the sentence a held `space` was about to
        leave.)"""
        if event.key not in self._bindings.key_to_bindings:
            return
        if self._holding:
            event.stop()
            event.prevent_default()
            self._held.append(event.key)
            if self._waiting:
                self.refresh_status()
        elif await self._run_key(event.key):
            event.stop()
            event.prevent_default()

    async def _run_key(self, key: str) -> bool:
        """Run the first of this screen's bindings of `key` that is enabled."""
        for binding in self._bindings.key_to_bindings.get(key, ()):
            if await self.app.run_action(binding.action, self):
                return True
        return False

    @on(WriteWaiting)
    def _write_waiting(self) -> None:
        if self._holding and not self._waiting:
            self._waiting = True
            self.refresh_status()

    @on(WriteDone)
    async def _write_done(self, message: WriteDone) -> None:
        then, hold = self._writes.pop(message.token, (None, False))
        result = message.result
        changes = [result] if isinstance(result, Change) else result
        if isinstance(changes, list) and all(isinstance(c, Change) for c in changes):
            self.apply([c for c in changes if c.article_id == self.article.id])
        if then is not None:
            then(result)
        if hold:
            self._holding -= 1
            await self._release()

    @on(WriteFailed)
    async def _write_failed(self, message: WriteFailed) -> None:
        _, hold = self._writes.pop(message.token, (None, False))
        error = message.error
        if hold:
            self._holding -= 1
        dropped = len(self._held) if hold else 0
        if hold:
            self._held.clear()
        if isinstance(error, DatabaseLocked):
            what = "a change was not saved" if hold else "the position was not saved"
            self.notify(
                f"{what}: the database stayed locked by another program for"
                f" {self.app.writer.lock_wait or LOCK_WAIT:g} s"  # type: ignore[attr-defined]
                + (f"; {dropped} key(s) after it were dropped" if dropped else "")
                + ". The screen shows what is saved: press the keys again when it is free.",
                severity="error",
                timeout=15,
                markup=False,
            )
        else:
            self.notify(
                f"could not save: {type(error).__name__}: {error}",
                severity="error",
                timeout=15,
                markup=False,
            )
        await self._release()

    async def _release(self) -> None:
        """Once no write holds the keys: clear the waiting state, replay the held keys in order
        (stopping as soon as one of them starts a write of its own)."""
        if self._holding:
            return
        if self._waiting:
            self._waiting = False
            self.refresh_status()
        while self._held and not self._holding:
            item = self._held.pop(0)
            if isinstance(item, int):
                self.move_to(item)
                continue
            await self._run_key(item)

    def apply(self, changes: Sequence[Change]) -> None:
        """Show changes the core has committed: their sentences' gutters and the status."""
        touched = self.session.apply(changes)
        self.view.set_gutters({index: self.gutter_for(index) for index in touched})
        self.refresh_status()

    # -- moving ------------------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        count = len(self.article.sentences)
        if not count:
            return
        index = max(0, min(count - 1, index))
        self.view.move_cursor(index)
        self.refresh_status()
        self._schedule_position_save()

    def _schedule_position_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(POSITION_SAVE_DELAY, self.save_position)

    def save_position(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.article.sentences:
            where = (self.actor, self.screen_name, self.article.id, self.cursor)
            self.submit(lambda decisions: save_position(decisions.store, *where), hold=False)

    def on_unmount(self) -> None:
        self.save_position()

    @on(ArticleView.SentenceClicked)
    def _clicked(self, event: ArticleView.SentenceClicked) -> None:
        if self._holding:
            self._held.append(event.index)
        else:
            self.move_to(event.index)

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_cursor_to(self, where: str) -> None:
        self.move_to(0 if where == "first" else len(self.article.sentences) - 1)

    def action_page(self, direction: int) -> None:
        view = self.view
        first, _ = view.lines_of(self.cursor)
        target = view.sentence_at_line(first + direction * max(1, view.size.height - 2))
        if target is None:
            target = 0 if direction < 0 else len(self.article.sentences) - 1
        self.move_to(target)

    def action_article(self, step: int) -> None:
        if self.article_ids is None:
            # The library's order: the actor's assigned articles first.
            target = neighbour_article(self.store, self.actor, self.article.id, step, self.search)
        else:
            position = self.article_position + step
            inside = 0 <= position < len(self.article_ids)
            target = self.article_ids[position] if inside else None
        if target is None:
            self.notify("no more articles that way", timeout=2)
            return
        self.save_position()
        self.load(target)

    def action_back(self) -> None:
        self.save_position()
        self.app.show_library()  # type: ignore[attr-defined]

    def action_toggle_entities(self) -> None:
        """Entities off → colours → colours with the type after each entity → off."""
        view = self.view
        if not view.show_entities:
            view.show_entities, view.show_entity_types = True, False
        elif not view.show_entity_types:
            view.show_entity_types = True
        else:
            view.show_entities, view.show_entity_types = False, False
        self.refresh_legend()

    # -- deciding ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_label" and parameters:
            return int(str(parameters[0])) <= len(self.scheme)
        return True

    def current_span(self) -> Span | None:
        if not self.article.sentences:
            return None
        return self.article.sentences[self.cursor].span

    def action_toggle_label(self, key: int) -> None:
        span = self.current_span()
        if span is None or key > len(self.scheme):
            return
        identity, label = self.article.id, self.scheme[key - 1]
        self.submit(lambda decisions: decisions.toggle(identity, span, label))

    def action_undo(self) -> None:
        identity = self.article.id
        self.submit(
            lambda decisions: decisions.undo(identity),
            lambda result: self._travel(result, "undone", "nothing to undo"),
        )

    def action_redo(self) -> None:
        identity = self.article.id
        self.submit(
            lambda decisions: decisions.redo(identity),
            lambda result: self._travel(result, "redone", "nothing to redo"),
        )

    def _travel(self, result: TravelResult, verb: str, nothing: str) -> None:
        """Say what an undo or redo (already drawn) did, and what it left alone and why."""
        skipped = [
            f"sentence {self.index_of[s.span] + 1} changed since"
            + (f" — by {s.by} —" if s.by and s.by != self.actor else "")
            + f" not {verb}"
            for s in result.skipped
            if s.span in self.index_of
        ]
        if not result and not skipped:
            self.notify(nothing, timeout=2)
            return
        lines = []
        if result:
            indices = sorted(self.index_of[change.span] for change in result)
            self.move_to(indices[0])
            which = (
                f"sentence {indices[0] + 1}" if len(indices) == 1 else f"{len(indices)} sentences"
            )
            if len(result) == 1:
                which += f", {self.what_changed(result[0])}"
            lines.append(f"{verb}: {which}")
        self.notify(
            "\n".join([*lines, *skipped]),
            severity="warning" if skipped else "information",
            timeout=6 if skipped else 2,
            markup=False,
        )

    def next_index(self, wanted: Sequence[int], direction: int = 1) -> int | None:
        """The first of `wanted` after (or, direction -1, before) the cursor, wrapping around."""
        if not wanted:
            return None
        if direction > 0:
            after = [index for index in wanted if index > self.cursor]
            return after[0] if after else wanted[0]
        before = [index for index in wanted if index < self.cursor]
        return before[-1] if before else wanted[-1]

    def describe_binding(self, binding: Binding) -> str:
        """The help's and the palette's words for a binding (label keys name their label)."""
        if binding.action.startswith("toggle_label("):
            key = int(binding.key)
            return f"Toggle label “{self.label_name(self.scheme[key - 1])}”"
        return binding.description

    def what_changed(self, change: Change) -> str:
        """`military removed`, `diplomatic added`, `back to undecided`: what a change did."""
        before, after = change.before, change.after
        if after.ignored != before.ignored:
            return "ignored" if after.ignored else "no longer ignored"
        if not after.decided:
            return "back to undecided"
        added = [self.label_name(n) for n in after.labels if n not in before.labels]
        removed = [self.label_name(n) for n in before.labels if n not in after.labels]
        parts = [f"{', '.join(added)} added"] if added else []
        parts += [f"{', '.join(removed)} removed"] if removed else []
        if not parts:
            return "decided: no label" if not after.labels else "decided"
        return ", ".join(parts)

    def label_name(self, name: str) -> str:
        """A label as people read it (its display name)."""
        return display_label(name, self.label_names)
