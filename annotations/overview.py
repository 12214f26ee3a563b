"""The project at a glance: every figure `annotty stats` and the stats screen show, read at once.

Progress per article is read from narrow indexes only (article ids, sentence counts, and the
`annotations_progress` index of decisions), never from the articles' rows, which carry their
texts: the same few queries for a library of 100 articles or 100,000.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.agreement import AgreementReport, agreement_in_store
from annotations.library import Stats, stats
from annotations.scheme import display_names
from annotations.store import Store

DONE = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
STATES = (DONE, IN_PROGRESS, NOT_STARTED)
"""An annotator's state on an article: every sentence decided or ignored, some, or none."""


@dataclass(frozen=True)
class ArticleProgress:
    """How far each annotator has got in one article."""

    id: str
    rowid: int
    """The article's place in library order."""
    sentences: int
    done: Mapping[str, int]
    """Sentences each annotator decided or ignored (annotators with none are left out)."""

    def state(self, annotator: str) -> str:
        """DONE, IN_PROGRESS or NOT_STARTED for this annotator."""
        done = self.done.get(annotator, 0)
        if done and done >= self.sentences:
            return DONE
        return IN_PROGRESS if done else NOT_STARTED

    def left(self, annotators: Iterable[str]) -> int:
        """Sentences still to decide, summed over the annotators."""
        return sum(max(0, self.sentences - self.done.get(name, 0)) for name in annotators)


def article_progress(store: Store) -> list[ArticleProgress]:
    """Every article with each annotator's decided or ignored sentences, in library order."""
    ids = dict(
        store.conn.execute("SELECT rowid, id FROM articles INDEXED BY sqlite_autoindex_articles_1")
    )
    sizes = dict(
        store.conn.execute("SELECT rowid, sentence_count FROM articles INDEXED BY articles_sizes")
    )
    done: dict[str, dict[str, int]] = {}
    rows = store.conn.execute(
        "SELECT annotator, article_id, count(*) FROM annotations"
        " INDEXED BY annotations_progress WHERE decided = 1 GROUP BY annotator, article_id"
    )
    for annotator, identity, count in rows:
        done.setdefault(identity, {})[annotator] = count
    return [
        ArticleProgress(ids[rowid], rowid, sizes.get(rowid, 0), done.get(ids[rowid], {}))
        for rowid in sorted(ids)
    ]


def state_counts(
    articles: Sequence[ArticleProgress], annotators: Iterable[str]
) -> dict[str, dict[str, int]]:
    """Per annotator, how many articles are in each state: {name: {DONE: n, IN_PROGRESS: n,
    NOT_STARTED: n}}."""
    counts = {name: dict.fromkeys(STATES, 0) for name in annotators}
    for article in articles:
        for name, tally in counts.items():
            tally[article.state(name)] += 1
    return counts


def most_left(
    articles: Sequence[ArticleProgress], annotators: Sequence[str], limit: int
) -> list[ArticleProgress]:
    """The `limit` articles with the most sentences left to the annotators together, in library
    order among equals; articles every annotator has finished are never among them."""
    unfinished = (article for article in articles if article.left(annotators))
    return heapq.nsmallest(
        limit, unfinished, key=lambda article: (-article.left(annotators), article.rowid)
    )


def article_titles(store: Store, ids: Sequence[str] | None = None) -> dict[str, str | None]:
    """The titles of these articles (None: of every article), by id."""
    if ids is None:
        return dict(store.conn.execute("SELECT id, title FROM articles"))
    found: dict[str, str | None] = {}
    for offset in range(0, len(ids), 500):
        chunk = list(ids[offset : offset + 500])
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(f"SELECT id, title FROM articles WHERE id IN ({marks})", chunk)
        found.update(rows)
    return found


@dataclass
class Overview:
    """What the database holds and how far everyone has got: the figures of `annotty stats`."""

    figures: Stats
    articles: list[ArticleProgress]
    """Every article, in library order."""
    shown: dict[str, str]
    """Each label's display name."""
    agreement: AgreementReport | None
    """Agreement per label among everyone who decided a sentence (None with fewer than two)."""
    titles: dict[str, str | None] = field(default_factory=dict)
    """Titles of the articles with the most left (the ones a listing shows), or of all."""

    @property
    def annotators(self) -> list[str]:
        """Everyone who decided or ignored a sentence, by name."""
        return list(self.figures.decided)

    def most_left(self, limit: int) -> list[ArticleProgress]:
        return most_left(self.articles, self.annotators, limit)

    def unfinished(self) -> int:
        """Articles someone among the annotators still has sentences to decide in."""
        names = self.annotators
        return sum(1 for article in self.articles if article.left(names))


def overview(store: Store, *, titled: int | None = 20) -> Overview:
    """Every figure of the project.

    Args:
        store: the database.
        titled: read the titles of this many articles with most left (None: of every article,
            which reads every article's row).
    """
    figures = stats(store)
    names = list(figures.decided)
    report = agreement_in_store(store, names, figures.labels) if len(names) > 1 else None
    result = Overview(figures, article_progress(store), display_names(store), report)
    if titled is None:
        result.titles = article_titles(store)
    else:
        result.titles = article_titles(store, [a.id for a in result.most_left(titled)])
    return result


def articles_as_json(result: Overview) -> Iterator[dict[str, Any]]:
    """Every article's progress as plain JSON data, one at a time, in library order: {"id",
    "title", "sentences", "annotators": {name: {"done", "state"}}}, `done` counting decided and
    ignored sentences. Titles are those `result.titles` holds (all of them from
    `overview(titled=None)`).
    """
    names = result.annotators
    for article in result.articles:
        yield {
            "id": article.id,
            "title": result.titles.get(article.id),
            "sentences": article.sentences,
            "annotators": {
                name: {"done": article.done.get(name, 0), "state": article.state(name)}
                for name in names
            },
        }
