"""Applying annotty's annotation lines to a database a batch at a time, as they are read.

An export may hold millions of lines. They are applied BATCH_LINES at a time, each batch one
transaction: memory stays flat, and a long import holds the write lock only briefly at a time.
A batch is checked against the database in one query (the sentences of its articles) and
written with one `executemany` of an upsert whose condition is `merge.comes_later`. What ends
up stored is what offering each line in file order to `merge.offer` would store: a decision is
written unless the database, or an earlier line of the file, holds a later one for the same
sentence and actor (SQLite plays the rule row by row, the rows sorted by key, each key's lines
in file order), and the undo history of each sentence it changes ends there.

A line whose article is not in the database is kept aside until `finish`, and with it every
later line of that article: the articles of the same file are imported as they are read, and
may come after the lines that name them. Lines kept aside are applied in file order at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from annotations.decisions import ANNOTATIONS, GOLD, end_histories
from annotations.merge import Key, MergeCounts, content_order, offer
from annotations.model import AnnotationInput, Decision
from annotations.scheme import get_labels, in_scheme_order
from annotations.store import Store, utc_now

BATCH_LINES = 30_000
"""Lines applied in one transaction. Fewer, larger commits write fewer pages (each commit
writes the pages of the indexes it changed again): 30,000 lines hold the write lock for about
a third of a second, and a batch holds about 15 MB."""


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
        """Gold lines' counts (annotators' lines are counted in `_written` and `_kept`)."""
        self._written = 0
        self._kept = 0
        self._encoded_labels: dict[tuple[str, ...], str] = {}
        store.conn.create_function("annotty_decision_order", 5, _decision_order, deterministic=True)

    def add(self, line: AnnotationInput) -> None:
        """Take one line; a full batch is applied at once."""
        self._batch.append(line)
        if len(self._batch) >= self.batch_lines:
            self.flush()

    def add_all(self, lines: Iterable[AnnotationInput]) -> None:
        """Take lines (a few hundred, say); a full batch is applied at once."""
        self._batch.extend(lines)
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
            counts.added + counts.updated + self._written,
            counts.kept + self._kept,
            [text for _, text in self._problems],
        )

    # -- one batch ----------------------------------------------------------------------------

    def _apply(self, batch: Sequence[AnnotationInput], *, final: bool) -> None:
        with self.store.write():
            sentences = self._sentences({line.article_id for line in batch})
            rows: list[tuple] = []
            waiting = self._waiting_articles
            encoded_labels = self._encoded_labels
            for line in batch:
                identity = line.article_id
                found = sentences.get(identity)
                if not final and (found is None or identity in waiting):
                    # Its article may come later in the file: so must all its lines.
                    waiting.add(identity)
                    self._waiting.append(line)
                    continue
                # The common line, checked in a few lookups: its sentence is there with its
                # text, its labels are in the scheme, it is no gold line.
                encoded = encoded_labels.get(line.labels)
                if encoded is None:
                    encoded = self._encode_labels(line.labels)
                if (
                    encoded
                    and line.votes is None
                    and found is not None
                    and found.get((line.start, line.end)) == line.text
                ):
                    rows.append(
                        (identity, line.start, line.end, line.annotator,
                         "[]" if line.ignored else encoded, line.updated_at or utc_now(),
                         line.ignored, line.origin)
                    )  # fmt: skip
                    continue
                problem = self._problem(line, found)
                if problem is not None:
                    self._problems.append((line.line, f"line {line.line}: {problem}"))
                elif line.votes is not None:
                    self._offer_gold(line)
            self._offer_annotations(rows)

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

    def _offer_annotations(self, rows: list[tuple]) -> None:
        """Annotators' lines (rows of `_UPSERT_LATER`), each offered in turn against what is
        stored or came before: one upsert whose condition is `merge.comes_later`, so SQLite
        plays the rule row by row and the Python loop only builds the rows."""
        if not rows:
            return
        # By key (stable: a key's lines keep their file order, which is all the rule sees):
        # the primary key's index is then written in order, page after page.
        rows.sort(key=_row_key)
        conn = self.store.conn
        touched = self._with_history(rows)
        before = self._decisions_of(touched)
        written = conn.executemany(_UPSERT_LATER, rows).rowcount
        self._written += written
        self._kept += len(rows) - written
        if touched:
            after = self._decisions_of(touched)
            changed = [key for key, row in after.items() if before.get(key) != row]
            end_histories(self.store, ANNOTATIONS, changed)

    def _with_history(self, rows: list[tuple]) -> set[tuple[str, str]]:
        """The (article, annotator) pairs of these rows that have undo steps (an import into
        a database nobody has annotated in yet finds none, in one query per annotator)."""
        articles: dict[str, set[str]] = {}
        for row in rows:
            articles.setdefault(row[3], set()).add(row[0])
        found: set[tuple[str, str]] = set()
        for actor, identities in articles.items():
            found.update(
                (identity, actor)
                for (identity,) in self.store.conn.execute(
                    "SELECT DISTINCT article_id FROM history WHERE layer = ? AND actor = ?"
                    " AND article_id IN (SELECT value FROM json_each(?))",
                    (ANNOTATIONS.name, actor, json.dumps(sorted(identities))),
                )
            )
        return found

    def _decisions_of(self, pairs: set[tuple[str, str]]) -> dict[Key, tuple]:
        """The stored rows of these (article, annotator) pairs, by key."""
        found: dict[Key, tuple] = {}
        for identity, actor in pairs:
            for start, end, *rest in self.store.conn.execute(
                'SELECT start, "end", labels, decided, updated_at, ignored, source'
                " FROM annotations WHERE article_id = ? AND annotator = ?",
                (identity, actor),
            ):
                found[identity, start, end, actor] = tuple(rest)
        return found

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

    def _encode_labels(self, labels: tuple[str, ...]) -> str:
        """`_label_set`'s JSON, remembered in `_encoded_labels`; "" for labels not all in the
        scheme."""
        encoded = self._label_set(labels)[1] if self._in_scheme.issuperset(labels) else ""
        if len(self._encoded_labels) >= 4096:
            self._encoded_labels.clear()
        self._encoded_labels[labels] = encoded
        return encoded


def _key(line: AnnotationInput) -> Key:
    return (line.article_id, line.start, line.end, line.annotator)


_row_key = itemgetter(0, 1, 2, 3)
"""A row of `_UPSERT_LATER`'s key: article, start, end, annotator."""

_UPSERT_LATER = (
    'INSERT INTO annotations (article_id, start, "end", annotator, labels, decided, updated_at,'
    " ignored, source) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)"
    ' ON CONFLICT (article_id, start, "end", annotator) DO UPDATE SET labels = excluded.labels,'
    " decided = excluded.decided, updated_at = excluded.updated_at,"
    " ignored = excluded.ignored, source = excluded.source"
    # `merge.comes_later`: the later time, then, for the same time, the greater content (text
    # compares as Python's strings do: UTF-8's byte order is the code points' order).
    " WHERE excluded.updated_at > annotations.updated_at"
    " OR (excluded.updated_at = annotations.updated_at"
    # The same decision again (a file imported twice) is not later: no need to ask Python.
    " AND (excluded.labels != annotations.labels OR excluded.ignored != annotations.ignored"
    " OR excluded.source IS NOT annotations.source OR annotations.decided != 1)"
    " AND annotty_decision_order(excluded.labels, excluded.decided, excluded.ignored,"
    " excluded.source, excluded.annotator) > annotty_decision_order(annotations.labels,"
    " annotations.decided, annotations.ignored, annotations.source, annotations.annotator))"
)
"""An annotator's line written unless the stored decision for its key comes later or is the
same: `merge.offer`'s rule for one row, played by SQLite for each row in turn."""


def _decision_order(labels: str, decided: int, ignored: int, source: str | None, actor: str) -> str:
    """What `merge.comes_later` compares two decisions made at the same time by (a row's
    columns): `merge._content`."""
    decision = Decision(tuple(json.loads(labels)), bool(decided), None, None, bool(ignored), source)
    return content_order(decision, actor)


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
