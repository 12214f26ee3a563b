"""Applying annotty's annotation lines to a database a batch at a time, as they are read.

An export may hold millions of lines. They are applied BATCH_LINES at a time, each batch one
transaction: memory stays flat, and a long import holds the write lock only briefly at a time.
A batch is checked against the database in a few queries (the sentences of its articles, the
decisions already stored for them) and written with `executemany`. What ends up stored is what
offering each line in file order to `merge.offer` would store: a decision is written unless
the database, or an earlier line of the file, holds a later one for the same sentence and actor
(`merge.comes_later`), and the undo history of each sentence it changes ends there.

A line whose article is not in the database is kept aside until `finish`, and with it every
later line of that article: the articles of the same file are imported as they are read, and
may come after the lines that name them. Lines kept aside are applied in file order at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from annotations.decisions import ANNOTATIONS, GOLD, end_histories, write_decisions
from annotations.merge import Key, MergeCounts, comes_later, offer
from annotations.model import AnnotationInput, Decision
from annotations.scheme import get_labels, in_scheme_order
from annotations.store import Store, utc_now

BATCH_LINES = 10_000
"""Lines applied in one transaction (fewer, larger commits write fewer pages: 10,000 lines hold
the write lock for about a tenth of a second)."""


@dataclass
class Applied:
    """What applying annotty lines did."""

    decisions: int = 0
    """Decisions added or updated."""
    kept: int = 0
    """Lines where this database already held the later decision (or the same)."""
    problems: list[str] = field(default_factory=list)
    """One message per line that was not applied (`line N: reason`), in line order."""


class LineImport:
    """Annotation lines applied in batches: `add` each line as it is read, then `finish`.

    Args:
        tick: called with the number of lines taken in, once per batch (for a progress bar).
    """

    def __init__(
        self,
        store: Store,
        *,
        tick: Callable[[int], None] | None = None,
        batch_lines: int | None = None,
    ) -> None:
        self.store = store
        self.tick = tick
        self.batch_lines = batch_lines or BATCH_LINES
        self.scheme = get_labels(store)
        self._in_scheme = frozenset(self.scheme)
        self._label_sets: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
        self._batch: list[AnnotationInput] = []
        self._waiting: list[AnnotationInput] = []
        self._waiting_articles: set[str] = set()
        self._problems: list[tuple[int, str]] = []
        self._counts = MergeCounts()

    def add(self, line: AnnotationInput) -> None:
        """Take one line; a full batch is applied at once."""
        self._batch.append(line)
        if len(self._batch) >= self.batch_lines:
            self.flush()

    def flush(self) -> None:
        """Apply the lines taken so far (those of articles not in the database wait)."""
        batch, self._batch = self._batch, []
        if batch:
            self._apply(batch, final=False)
            if self.tick is not None:
                self.tick(len(batch))

    def finish(self) -> Applied:
        """Apply what is left, then the lines that waited for their articles; what happened."""
        self.flush()
        waiting, self._waiting = self._waiting, []
        self._waiting_articles.clear()
        for offset in range(0, len(waiting), self.batch_lines):
            self._apply(waiting[offset : offset + self.batch_lines], final=True)
        self._problems.sort(key=lambda problem: problem[0])
        counts = self._counts
        return Applied(
            counts.added + counts.updated, counts.kept, [text for _, text in self._problems]
        )

    # -- one batch ----------------------------------------------------------------------------

    def _apply(self, batch: Sequence[AnnotationInput], *, final: bool) -> None:
        with self.store.write():
            sentences = self._sentences({line.article_id for line in batch})
            plain: list[AnnotationInput] = []
            for line in batch:
                found = sentences.get(line.article_id)
                if not final and (found is None or line.article_id in self._waiting_articles):
                    # Its article may come later in the file: so must all its lines.
                    self._waiting_articles.add(line.article_id)
                    self._waiting.append(line)
                    continue
                problem = self._problem(line, found)
                if problem is not None:
                    self._problems.append((line.line, f"line {line.line}: {problem}"))
                elif line.votes is not None:
                    self._offer_gold(line)
                else:
                    plain.append(line)
            self._offer_annotations(plain)

    def _sentences(self, articles: set[str]) -> dict[str, dict[tuple[int, int], str]]:
        """The sentences of these articles (those in the database), by article and span."""
        found: dict[str, dict[tuple[int, int], str]] = {}
        rows = self.store.conn.execute(
            'SELECT article_id, start, "end", text FROM sentences'
            " WHERE article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(articles)),),
        )
        for identity, start, end, text in rows:
            spans = found.get(identity)
            if spans is None:
                spans = found[identity] = {}
            spans[start, end] = text
        return found

    def _problem(
        self, line: AnnotationInput, found: dict[tuple[int, int], str] | None
    ) -> str | None:
        if not found:
            return (
                f"no article {line.article_id!r} in the database: import the articles first"
                " (annotty import ARTICLES), or merge the annotator's database (annotty merge"
                " THEIR.db), which brings them"
            )
        stored = found.get((line.start, line.end))
        if stored is None:
            return f"article {line.article_id} has no sentence at {line.start}-{line.end}"
        if stored != line.text:
            return (
                f"text does not match sentence {line.start}-{line.end} of article {line.article_id}"
            )
        unknown = set() if self._in_scheme.issuperset(line.labels) else set(line.labels)
        unknown -= self._in_scheme
        if line.votes:
            unknown |= {name for vote in line.votes.values() for name in vote} - self._in_scheme
        if unknown:
            return f"label {sorted(unknown)[0]!r} is not in the scheme ({', '.join(self.scheme)})"
        return None

    def _offer_gold(self, line: AnnotationInput) -> None:
        """A gold line, offered as `merge.offer` does (gold lines are few)."""
        labels, _ = self._label_set(() if line.ignored else line.labels)
        decision = Decision(labels, True, line.updated_at or utc_now(), line.note, line.ignored)
        offer(self.store, GOLD, _key(line), decision, self._counts)

    def _offer_annotations(self, lines: list[AnnotationInput]) -> None:
        """Annotators' lines, each offered in turn against what is stored or came before."""
        if not lines:
            return
        current = self._stored({line.article_id for line in lines})
        written: dict[Key, tuple[Decision, str]] = {}
        counts = self._counts
        for line in lines:
            key = _key(line)
            labels, encoded = self._label_set(() if line.ignored else line.labels)
            incoming = Decision(
                labels, True, line.updated_at or utc_now(), None, line.ignored, line.origin
            )
            mine = current.get(key)
            if mine is not None:
                if not comes_later(incoming, line.annotator, mine, line.annotator):
                    counts.kept += 1
                    continue
                counts.updated += 1
            else:
                counts.added += 1
            current[key] = incoming
            written[key] = (incoming, encoded)
        write_decisions(
            self.store,
            ANNOTATIONS,
            ((actor, identity, (start, end), decision, encoded)
             for (identity, start, end, actor), (decision, encoded) in written.items()),
        )  # fmt: skip
        end_histories(self.store, ANNOTATIONS, written)

    def _stored(self, articles: Iterable[str]) -> dict[Key, Decision]:
        """Every annotator's stored decisions in these articles, by key."""
        rows = self.store.conn.execute(
            'SELECT article_id, start, "end", annotator, labels, decided, updated_at, ignored,'
            " source FROM annotations WHERE article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(articles)),),
        )
        return {
            (identity, start, end, actor): Decision(
                tuple(json.loads(labels)), bool(decided), updated_at, None, bool(ignored), source
            )
            for identity, start, end, actor, labels, decided, updated_at, ignored, source in rows
        }

    def _label_set(self, labels: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        """Labels in the scheme's order, and that list as stored (JSON)."""
        known = self._label_sets.get(labels)
        if known is None:
            ordered = in_scheme_order(labels, self.scheme)
            known = (ordered, json.dumps(list(ordered), ensure_ascii=False))
            if len(self._label_sets) >= 4096:
                self._label_sets.clear()
            self._label_sets[labels] = known
        return known


def _key(line: AnnotationInput) -> Key:
    return (line.article_id, line.start, line.end, line.annotator)


def apply_lines(
    store: Store,
    lines: Iterable[AnnotationInput],
    *,
    tick: Callable[[int], None] | None = None,
    batch_lines: int | None = None,
) -> Applied:
    """Write annotation (and gold) lines into the database, a batch per transaction.

    Each line is checked against the database: its article and sentence must be there, its text
    must equal the stored sentence, its labels must be in the scheme. A line that does not fit
    is reported in `problems` and skipped; the others are applied. A decision is written unless
    the database holds a later one for the same sentence and actor (see `merge.offer`), and the
    undo history of each sentence it changes ends there. `lines` may be a generator reading a
    file: it is consumed a batch at a time.
    """
    importing = LineImport(store, tick=tick, batch_lines=batch_lines)
    for line in lines:
        importing.add(line)
    return importing.finish()
