"""Bringing in decisions made in another tool (Prodigy, doccano, Label Studio), for review.

Each decision read from a foreign line (annotations.formats) is matched to a stored sentence:
by the article id and span the line's meta gives (annotty's own exports carry them), else by
its exact text within that article, else by its exact text anywhere in the library. A text that
matches nothing becomes an article of its own, one sentence long, when it can be one (one line
of text); otherwise, and whenever a label is outside the scheme, the line is reported and
skipped, never half applied. Decisions are then offered like a merge's: when the same annotator
decided the same sentence here later, this database's decision stays; a line without a time
(doccano's) only fills in sentences that annotator has not decided here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.formats.foreign import ForeignDecision
from annotations.library import add_article, existing_ids
from annotations.merge import MergeCounts, offer
from annotations.model import Analysis, ArticleInput, Decision
from annotations.scheme import get_labels, in_scheme_order
from annotations.store import Store, utc_now
from annotations.text import article_id

Span = tuple[int, int]
Target = tuple[str, Span]


@dataclass
class ForeignResult:
    """What an import of foreign decisions did."""

    decisions: int = 0
    """Decisions added or updated."""
    kept: int = 0
    """Decisions where this database already had a later one."""
    new_articles: int = 0
    """Texts that matched no stored sentence and became articles."""
    problems: list[str] = field(default_factory=list)
    """One message per line that was not applied (`line N: ...`, `task N: ...`)."""
    article_ids: list[str] = field(default_factory=list)
    """The articles the decisions were applied to, in line order, each once."""


class _Sentences:
    """Stored sentences, looked up by article or by text (the library's index built once)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._articles: dict[str, list[tuple[int, int, int, str]]] = {}
        self._by_text: dict[str, list[Target]] | None = None

    def of_article(self, identity: str) -> list[tuple[int, int, int, str]] | None:
        if identity not in self._articles:
            rows = self.store.conn.execute(
                'SELECT idx, start, "end", text FROM sentences WHERE article_id = ? ORDER BY idx',
                (identity,),
            ).fetchall()
            self._articles[identity] = rows
        return self._articles[identity] or None

    def with_text(self, text: str) -> list[Target]:
        if self._by_text is None:
            self._by_text = {}
            rows = self.store.conn.execute('SELECT article_id, start, "end", text FROM sentences')
            for identity, start, end, sentence in rows:
                self._by_text.setdefault(sentence, []).append((identity, (start, end)))
        return self._by_text.get(text, [])


def _match(found: _Sentences, decision: ForeignDecision) -> Target | str | None:
    """The stored sentence a decision is about, a problem message, or None (no sentence)."""
    text = decision.text
    if decision.article_id is not None:
        sentences = found.of_article(decision.article_id)
        if sentences is not None:
            for _, start, end, sentence in sentences:
                if (start, end) == (decision.start, decision.end) and sentence == text:
                    return decision.article_id, (start, end)
            same = [row for row in sentences if row[3] == text]
            if decision.sentence is not None:
                same = [row for row in same if row[0] == decision.sentence] or same
            if len(same) == 1:
                return decision.article_id, (same[0][1], same[0][2])
            if same:
                return (
                    f"{decision.where}: article {decision.article_id} has {len(same)} sentences"
                    " with this text: give its span (meta start and end) to choose one"
                )
            return f"{decision.where}: article {decision.article_id} has no sentence with this text"
    targets = found.with_text(text)
    if len(targets) == 1:
        return targets[0]
    if targets:
        articles = len({identity for identity, _ in targets})
        return (
            f"{decision.where}: {len(targets)} stored sentences in {articles} article(s) have this"
            " text: give meta.article_id (and the span) to choose one"
        )
    return None


def apply_foreign(
    store: Store,
    decisions: Sequence[ForeignDecision],
    *,
    default_annotator: str,
    analyse: Callable[[list[str]], list[Analysis]],
    pipeline_name: Callable[[], str | None],
    source: str,
) -> ForeignResult:
    """Match foreign decisions to stored sentences and write them (new texts as articles).

    Args:
        store: the database.
        decisions: as the format readers returned them.
        default_annotator: whose decisions lines that name no annotator are.
        analyse: analyses the texts that become articles (run outside any transaction).
        pipeline_name: the name of the pipeline `analyse` used, recorded with the articles.
        source: where the lines came from (a file name), for new articles' source.
    """
    result = ForeignResult()
    scheme = get_labels(store)
    found = _Sentences(store)
    planned: list[tuple[ForeignDecision, Target | None]] = []
    for decision in decisions:
        unknown = sorted(set(decision.labels) - set(scheme))
        if unknown:
            result.problems.append(
                f"{decision.where}: label {unknown[0]!r} is not in the scheme"
                f" ({', '.join(scheme)}): not imported"
            )
            continue
        match = _match(found, decision)
        if isinstance(match, str):
            result.problems.append(match + ": not imported")
            continue
        if match is None and (problem := _cannot_be_article(decision)):
            result.problems.append(problem)
            continue
        planned.append((decision, match))
    new_articles = _new_articles(store, planned, source, result)
    analyses = analyse([article.text for article in new_articles]) if new_articles else []
    counts = MergeCounts()
    with store.write():
        for article, analysis in zip(new_articles, analyses, strict=True):
            # The other tool's annotator labelled the whole text: it is one sentence here.
            whole = Analysis([(0, len(article.text))], analysis.entities)
            add_article(store, article, whole, pipeline_name())
        for decision, match in planned:
            target = match or (article_id(decision.text), (0, len(decision.text)))
            incoming = Decision(
                () if decision.ignored else in_scheme_order(decision.labels, scheme),
                True,
                decision.updated_at or utc_now(),
                ignored=decision.ignored,
            )
            key = (target[0], *target[1], decision.annotator or default_annotator)
            if target[0] not in result.article_ids:
                result.article_ids.append(target[0])
            if decision.updated_at is None and _decided(store, key):
                # A line without a time cannot be later than anything: it fills in, never
                # replaces (importing the same doccano file twice changes nothing).
                counts.kept += 1
                continue
            offer(store, ANNOTATIONS, key, incoming, counts)
    result.decisions = counts.added + counts.updated
    result.kept = counts.kept
    result.new_articles = len(new_articles)
    return result


def _decided(store: Store, key: tuple[str, int, int, str]) -> bool:
    identity, start, end, annotator = key
    return Decisions(store, ANNOTATIONS, annotator, ()).get(identity, (start, end)).decided


def _cannot_be_article(decision: ForeignDecision) -> str | None:
    """Why an unmatched text cannot become an article of one sentence (None if it can)."""
    if "\n" in decision.text:
        return (
            f"{decision.where}: no stored sentence has this text, and a text of several lines"
            " cannot be one sentence: import the text as an article first, then its labels"
        )
    if not any(character.isalnum() for character in decision.text):
        return f"{decision.where}: no stored sentence has this text, too little to be an article"
    return None


def _new_articles(
    store: Store,
    planned: list[tuple[ForeignDecision, Target | None]],
    source: str,
    result: ForeignResult,
) -> list[ArticleInput]:
    """The articles to create for unmatched texts (each text once); drops, with a problem, a
    text that is already an article split into several sentences."""
    wanted: dict[str, ArticleInput] = {}
    for decision, match in planned:
        if match is None and article_id(decision.text) not in wanted:
            wanted[article_id(decision.text)] = ArticleInput(
                text=decision.text,
                title=decision.title,
                source=decision.source or f"{source}:{decision.line}",
            )
    clash = existing_ids(store, wanted)
    if clash:
        keep = []
        for decision, match in planned:
            if match is None and article_id(decision.text) in clash:
                result.problems.append(
                    f"{decision.where}: the text is article {article_id(decision.text)},"
                    " which annotty splits into several sentences: not imported"
                )
            else:
                keep.append((decision, match))
        planned[:] = keep
    return [article for identity, article in wanted.items() if identity not in clash]
