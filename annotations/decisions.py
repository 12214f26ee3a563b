"""Decisions on sentences, each committed the moment it is made, with an undo history.

Two layers hold decisions: `annotations` (one row per sentence and annotator) and `gold` (one row
per sentence, the reviewer's adjudication). Both are written through `Decisions`, a handle for
one actor on one layer. Every change is one `BEGIN IMMEDIATE` transaction that writes the new
state and a history row, so a change the screen shows has already reached the disk, and undo
survives a restart. The history is kept per actor and article: undo in the reader undoes the
last change in the article on screen.

Undoing a first decision does not delete the row: it leaves `decided = 0` with a fresh
`updated_at`, so that merging an older copy of the database cannot bring the decision back.

Undo and redo are compare-and-set: a step's change to a sentence is undone only where the
sentence still holds what the step left (`after`; for redo, `before`). Where someone changed it
since (another reviewer on the shared gold layer), that sentence is skipped and the result says
who changed it; the rest of the step is undone. A merge, an annotation import or a scheme change
ends the history of the sentences it touches, whole steps at a time (`end_history`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotations.errors import AnnottyError
from annotations.model import UNDECIDED, Decision
from annotations.scheme import in_scheme_order
from annotations.store import Store, utc_now

Span = tuple[int, int]


@dataclass(frozen=True)
class Layer:
    """Where one kind of decision is stored."""

    name: str
    """The layer's name in the history table."""
    table: str
    actor_column: str
    per_actor: bool
    """Whether each actor has their own row per sentence (annotations) or one row is shared."""


ANNOTATIONS = Layer("annotation", "annotations", "annotator", per_actor=True)
GOLD = Layer("gold", "gold", "reviewer", per_actor=False)


@dataclass(frozen=True)
class Skipped:
    """A sentence an undo or redo left alone, because it changed since the step."""

    span: Span
    by: str | None
    """Who made its current state (the reviewer or annotator), if known."""


class TravelResult(list["Change"]):
    """What an undo or redo changed (a list of Change), and the sentences it skipped."""

    def __init__(self, changes: Iterable[Change] = (), skipped: Iterable[Skipped] = ()) -> None:
        super().__init__(changes)
        self.skipped = list(skipped)

    @property
    def changes(self) -> list[Change]:
        return list(self)


@dataclass(frozen=True)
class Change:
    """One sentence's state before and after a change (or an undo, or a redo)."""

    article_id: str
    span: Span
    before: Decision
    after: Decision


def _state(decision: Decision) -> str:
    return json.dumps(
        {
            "labels": list(decision.labels),
            "decided": decision.decided,
            "note": decision.note,
            "ignored": decision.ignored,
            "source": decision.source,
        }
    )


def _from_state(text: str) -> Decision:
    state = json.loads(text)
    return Decision(
        tuple(state["labels"]),
        bool(state["decided"]),
        None,
        state.get("note"),
        bool(state.get("ignored", False)),
        state.get("source"),
    )


def _columns(layer: Layer) -> str:
    """The columns that make a Decision, in its field order after `labels, decided, updated_at`."""
    if layer is GOLD:
        return "note, ignored, NULL"
    return "NULL, ignored, source"


class Decisions:
    """One actor's decisions on one layer: read them, change them, undo and redo."""

    def __init__(self, store: Store, layer: Layer, actor: str, scheme: Sequence[str]) -> None:
        self.store = store
        self.layer = layer
        self.actor = actor
        self.scheme = list(scheme)

    def for_article(self, article_id: str) -> dict[Span, Decision]:
        """Every decision row of this actor (or, for gold, of anyone) in an article, by span."""
        layer = self.layer
        sql = (
            f'SELECT start, "end", labels, decided, updated_at, {_columns(layer)}'
            f" FROM {layer.table} WHERE article_id = ?"
        )
        params: tuple = (article_id,)
        if layer.per_actor:
            sql += f" AND {layer.actor_column} = ?"
            params += (self.actor,)
        return {
            (start, end): _decision(rest)
            for start, end, *rest in self.store.conn.execute(sql, params)
        }

    def get(self, article_id: str, span: Span) -> Decision:
        """The current decision on one sentence (UNDECIDED when there is none)."""
        layer = self.layer
        sql = (
            f"SELECT labels, decided, updated_at, {_columns(layer)} FROM {layer.table}"
            ' WHERE article_id = ? AND start = ? AND "end" = ?'
        )
        params: tuple = (article_id, *span)
        if layer.per_actor:
            sql += f" AND {layer.actor_column} = ?"
            params += (self.actor,)
        row = self.store.conn.execute(sql, params).fetchone()
        if row is None:
            return UNDECIDED
        return _decision(row)

    def decide(
        self,
        article_id: str,
        span: Span,
        labels: Iterable[str],
        note: str | None = None,
        *,
        source: str | None = None,
    ) -> Change | None:
        """Decide a sentence with exactly these labels (none = an explicit "no label").

        Args:
            source: how the decision was made (`typed`, `suggested`, `pattern`), kept with it.

        Returns:
            The change, or None when the sentence was already decided so.
        """
        changes = self.decide_many(article_id, [(span, tuple(labels), note)], source=source)
        return changes[0] if changes else None

    def ignore(self, article_id: str, span: Span, note: str | None = None) -> Change | None:
        """Set a sentence aside: decided as ignored, with no labels.

        Returns:
            The change, or None when the sentence was already ignored.
        """
        with self.store.write():
            before = self.get(article_id, span)
            if before.decided and before.ignored:
                return None
            after = Decision((), True, None, note, ignored=True, source=before.source)
            changes = self._apply(article_id, [(span, before, after)], record=True)
            return changes[0] if changes else None

    def toggle(
        self, article_id: str, span: Span, label: str, *, source: str | None = None
    ) -> Change | None:
        """Add or remove one label on a sentence; either way the sentence is then decided."""
        with self.store.write():
            current = self.get(article_id, span)
            labels = set(current.labels) ^ {label}
            return self.decide(article_id, span, labels, source=source)

    def decide_many(
        self,
        article_id: str,
        decisions: Sequence[tuple[Span, Iterable[str], str | None]],
        *,
        source: str | None = None,
    ) -> list[Change]:
        """Decide several sentences of one article in one transaction and one undo step."""
        with self.store.write():
            wanted = []
            for span, labels, note in decisions:
                before = self.get(article_id, span)
                after = Decision(
                    in_scheme_order(labels, self.scheme), True, None, note, source=source
                )
                same = (before.labels, before.note) == (after.labels, after.note)
                if before.decided and not before.ignored and same:
                    continue
                wanted.append((span, before, after))
            return self._apply(article_id, wanted, record=True)

    def undo(self, article_id: str) -> TravelResult:
        """Undo this actor's last step in an article, where its sentences still hold what the
        step left. Returns what changed (empty if nothing) and the sentences skipped."""
        return self._travel(article_id, undo=True)

    def redo(self, article_id: str) -> TravelResult:
        """Redo the step last undone in an article, where its sentences are still as the undo
        left them. Returns what changed (empty if nothing) and the sentences skipped."""
        return self._travel(article_id, undo=False)

    def can_undo(self, article_id: str) -> bool:
        return self._next_step(article_id, undo=True) is not None

    def can_redo(self, article_id: str) -> bool:
        return self._next_step(article_id, undo=False) is not None

    def _next_step(self, article_id: str, *, undo: bool) -> int | None:
        order = "DESC" if undo else "ASC"
        value = self.store.value(
            "SELECT step FROM history WHERE layer = ? AND actor = ? AND article_id = ?"
            f" AND undone = ? ORDER BY id {order} LIMIT 1",
            (self.layer.name, self.actor, article_id, 0 if undo else 1),
        )
        return value if isinstance(value, int) else None

    def _travel(self, article_id: str, *, undo: bool) -> TravelResult:
        with self.store.write():
            step = self._next_step(article_id, undo=undo)
            if step is None:
                return TravelResult()
            rows = self.store.conn.execute(
                'SELECT id, start, "end", before, after FROM history'
                " WHERE layer = ? AND actor = ? AND article_id = ? AND step = ? ORDER BY id",
                (self.layer.name, self.actor, article_id, step),
            ).fetchall()
            if undo:
                rows.reverse()
            wanted, skipped, dropped = [], [], []
            for row_id, start, end, before, after in rows:
                span = (start, end)
                expected, target = (after, before) if undo else (before, after)
                current = self.get(article_id, span)
                if _same(current, _from_state(expected)):
                    wanted.append((span, current, _from_state(target)))
                else:
                    skipped.append(Skipped(span, self._who(article_id, span)))
                    dropped.append((row_id,))
            changes = self._apply(article_id, wanted, record=False)
            # A skipped sentence leaves the step: undo and redo never come back to it.
            self.store.conn.executemany("DELETE FROM history WHERE id = ?", dropped)
            self.store.conn.execute(
                "UPDATE history SET undone = ? WHERE layer = ? AND actor = ? AND article_id = ?"
                " AND step = ?",
                (1 if undo else 0, self.layer.name, self.actor, article_id, step),
            )
            return TravelResult(changes, skipped)

    def _who(self, article_id: str, span: Span) -> str | None:
        """Whose is the current state of a sentence on this layer."""
        if self.layer.per_actor:
            return self.actor
        value = self.store.value(
            'SELECT reviewer FROM gold WHERE article_id = ? AND start = ? AND "end" = ?',
            (article_id, *span),
        )
        return value if isinstance(value, str) else None

    def _apply(
        self, article_id: str, wanted: list[tuple[Span, Decision, Decision]], *, record: bool
    ) -> list[Change]:
        """Write new states (inside the caller's transaction), and history rows if `record`."""
        if not wanted:
            return []
        conn = self.store.conn
        layer = self.layer
        if record:
            conn.execute(
                "DELETE FROM history WHERE layer = ? AND actor = ? AND article_id = ?"
                " AND undone = 1",
                (layer.name, self.actor, article_id),
            )
            step = int(self.store.value("SELECT coalesce(max(id), 0) + 1 FROM history") or 1)
        changes = []
        for span, before, target in wanted:
            now = utc_now()
            after = Decision(
                target.labels, target.decided, now, target.note, target.ignored, target.source
            )
            self._write_row(article_id, span, after)
            if record:
                conn.execute(
                    "INSERT INTO history (layer, actor, article_id, start, \"end\", step, before,"
                    " after, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (layer.name, self.actor, article_id, *span, step, _state(before),
                     _state(after), now),
                )  # fmt: skip
            changes.append(Change(article_id, span, before, after))
        return changes

    def _write_row(self, article_id: str, span: Span, decision: Decision) -> None:
        _upsert(self.store, self.layer, self.actor, article_id, span, decision)


def write_decision(
    store: Store, layer: Layer, actor: str, article_id: str, span: Span, decision: Decision
) -> None:
    """Upsert one decision row as it is (its `updated_at` included). No history is written."""
    with store.write():
        _upsert(store, layer, actor, article_id, span, decision)


_UPSERT = {
    "gold": 'INSERT INTO gold (article_id, start, "end", reviewer, labels, decided, updated_at,'
    " note, ignored) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ' ON CONFLICT (article_id, start, "end") DO UPDATE SET reviewer = excluded.reviewer,'
    " labels = excluded.labels, decided = excluded.decided,"
    " updated_at = excluded.updated_at, note = excluded.note, ignored = excluded.ignored",
    "annotation": 'INSERT INTO annotations (article_id, start, "end", annotator, labels, decided,'
    " updated_at, ignored, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ' ON CONFLICT (article_id, start, "end", annotator) DO UPDATE SET'
    " labels = excluded.labels, decided = excluded.decided,"
    " updated_at = excluded.updated_at, ignored = excluded.ignored,"
    " source = excluded.source",
}


def _upsert(
    store: Store, layer: Layer, actor: str, article_id: str, span: Span, decision: Decision
) -> None:
    labels = json.dumps(list(decision.labels), ensure_ascii=False)
    store.conn.execute(_UPSERT[layer.name], _row(layer, actor, article_id, span, decision, labels))


def _row(
    layer: Layer, actor: str, article_id: str, span: Span, decision: Decision, labels: str
) -> tuple:
    """The parameters of `_UPSERT[layer.name]`; `labels` is the label list as JSON."""
    last = decision.note if layer is GOLD else int(decision.ignored)
    after = int(decision.ignored) if layer is GOLD else decision.source
    return (article_id, *span, actor, labels, int(decision.decided), decision.updated_at, last,
            after)  # fmt: skip


def write_decisions(
    store: Store, layer: Layer, rows: Iterable[tuple[str, str, Span, Decision, str]]
) -> None:
    """Upsert many decision rows as they are, in one statement: (actor, article id, span,
    decision, its labels as JSON). No history is written."""
    with store.write():
        store.conn.executemany(
            _UPSERT[layer.name],
            (_row(layer, actor, identity, span, decision, labels)
             for actor, identity, span, decision, labels in rows),
        )  # fmt: skip


def end_history(
    store: Store, layer: Layer, article_id: str, spans: Iterable[Span], actor: str | None = None
) -> None:
    """Forget the undo steps that touch these sentences on a layer (whole steps, for every
    actor; on the annotation layer only `actor`'s, as only theirs touch their rows): after a
    merge or an import changed a sentence, no undo may put back a state from before it."""
    who = " AND actor = ?" if layer.per_actor and actor is not None else ""
    with store.write():
        for start, end in spans:
            params: tuple = (layer.name, article_id, start, end)
            if who:
                params += (actor,)
            store.conn.execute(
                "DELETE FROM history WHERE step IN (SELECT step FROM history WHERE layer = ?"
                f' AND article_id = ? AND start = ? AND "end" = ?{who})',
                params,
            )


def end_histories(store: Store, layer: Layer, keys: Iterable[tuple[str, int, int, str]]) -> None:
    """`end_history` for many (article id, start, end, actor) keys at once: only the sentences
    of the actors and articles that have undo steps are looked at (an import into a database
    nobody has annotated in yet deletes nothing and reads one index entry per article)."""
    keys = list(keys)
    per_actor = layer.per_actor
    pairs = {(actor if per_actor else "", identity) for identity, _, _, actor in keys}
    who = " AND actor = ?" if per_actor else ""
    with store.write():
        conn = store.conn
        with_steps = {
            pair for pair in pairs
            if conn.execute(
                f"SELECT 1 FROM history WHERE layer = ?{who} AND article_id = ? LIMIT 1",
                (layer.name, pair[1]) if not per_actor else (layer.name, *pair),
            ).fetchone()
        }  # fmt: skip
        if not with_steps:
            return
        conn.executemany(
            "DELETE FROM history WHERE step IN (SELECT step FROM history WHERE layer = ?"
            f' AND article_id = ? AND start = ? AND "end" = ?{who})',
            [
                (layer.name, identity, start, end, *((actor,) if per_actor else ()))
                for identity, start, end, actor in keys
                if (actor if per_actor else "", identity) in with_steps
            ],
        )


def _same(current: Decision, expected: Decision) -> bool:
    """Whether a sentence still holds a state (its time aside)."""
    return (current.labels, current.decided, current.note, current.ignored, current.source) == (
        expected.labels,
        expected.decided,
        expected.note,
        expected.ignored,
        expected.source,
    )


def _decision(row: Sequence) -> Decision:
    """A Decision from `labels, decided, updated_at, note, ignored, source` columns."""
    labels, decided, updated_at, note, ignored, source = row
    return Decision(
        tuple(json.loads(labels)), bool(decided), updated_at, note, bool(ignored), source
    )


def annotators(store: Store) -> list[str]:
    """Everyone who has decided at least one sentence, by name."""
    return [
        row[0]
        for row in store.conn.execute(
            "SELECT DISTINCT annotator FROM annotations WHERE decided ORDER BY annotator"
        )
    ]


def check_annotators(store: Store, names: Sequence[str]) -> None:
    """Refuse names that have decided nothing here: most likely a typing mistake.

    Raises:
        AnnottyError: naming the first unknown name and listing the known ones.
    """
    known = annotators(store)
    for name in names:
        if name not in known:
            listed = ", ".join(known) if known else "nobody has decided a sentence yet"
            raise AnnottyError(f"unknown annotator {name!r} (known: {listed})")


def decisions_by_sentence(
    store: Store, names: Sequence[str], article_id: str | None = None
) -> dict[tuple[str, int, int], dict[str, tuple[str, ...]]]:
    """Decided label sets of the named annotators, keyed by (article id, start, end)."""
    marks = ",".join("?" * len(names))
    sql = (
        f'SELECT article_id, start, "end", annotator, labels FROM annotations'
        f" WHERE decided AND NOT ignored AND annotator IN ({marks})"
    )
    params: list = list(names)
    if article_id is not None:
        sql += " AND article_id = ?"
        params.append(article_id)
    result: dict[tuple[str, int, int], dict[str, tuple[str, ...]]] = {}
    for article, start, end, annotator, labels in store.conn.execute(sql, params):
        result.setdefault((article, start, end), {})[annotator] = tuple(json.loads(labels))
    return result


def ignored_by_sentence(
    store: Store, names: Sequence[str], article_id: str
) -> dict[Span, set[str]]:
    """Which of the named annotators ignored each sentence of an article, by span."""
    marks = ",".join("?" * len(names))
    rows = store.conn.execute(
        f'SELECT start, "end", annotator FROM annotations WHERE decided AND ignored'
        f" AND article_id = ? AND annotator IN ({marks})",
        [article_id, *names],
    )
    result: dict[Span, set[str]] = {}
    for start, end, annotator in rows:
        result.setdefault((start, end), set()).add(annotator)
    return result
