"""The project at a glance: every figure `annotty stats` and the stats screen show, read at once.

Progress per article is read from narrow indexes only (article ids, sentence counts, and the
`annotations_progress` index of decisions), never from the articles' rows, which carry their
texts: the same few queries for a library of 100 articles or 100,000.

In a planned project (see annotations/team.py) an annotator with assignments is meant to read
only those articles: the others are not "not started" for them, and nothing is left there for
them to do. An annotator with no assignment is meant to read every article.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
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
    assigned: frozenset[str] = frozenset()
    """Who the article is assigned to."""

    def expects(self, annotator: str, planned: Collection[str]) -> bool:
        """Whether the annotator is meant to read this article: it is assigned to them, or
        nothing is assigned to them (`planned`: the annotators with assignments)."""
        return annotator in self.assigned or annotator not in planned

    def state(self, annotator: str) -> str:
        """DONE, IN_PROGRESS or NOT_STARTED for this annotator."""
        done = self.done.get(annotator, 0)
        if done and done >= self.sentences:
            return DONE
        return IN_PROGRESS if done else NOT_STARTED

    def left(self, annotators: Iterable[str], planned: Collection[str] = frozenset()) -> int:
        """Sentences still to decide, summed over the annotators meant to read the article."""
        return sum(
            max(0, self.sentences - self.done.get(name, 0))
            for name in annotators
            if self.expects(name, planned)
        )


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
    assigned: dict[str, set[str]] = {}
    for identity, annotator in store.conn.execute("SELECT article_id, annotator FROM assignments"):
        assigned.setdefault(identity, set()).add(annotator)
    none: frozenset[str] = frozenset()
    return [
        ArticleProgress(
            identity,
            rowid,
            sizes.get(rowid, 0),
            done.get(identity, {}),
            frozenset(assigned[identity]) if identity in assigned else none,
        )
        for rowid, identity in sorted(ids.items())
    ]


def planned_annotators(articles: Iterable[ArticleProgress]) -> frozenset[str]:
    """The annotators with assignments."""
    return frozenset().union(*(article.assigned for article in articles))


def state_counts(
    articles: Sequence[ArticleProgress],
    annotators: Iterable[str],
    planned: Collection[str] = frozenset(),
) -> dict[str, dict[str, int]]:
    """Per annotator, how many of the articles they are meant to read are in each state:
    {name: {DONE: n, IN_PROGRESS: n, NOT_STARTED: n}}."""
    counts = {name: dict.fromkeys(STATES, 0) for name in annotators}
    for article in articles:
        for name, tally in counts.items():
            if article.expects(name, planned):
                tally[article.state(name)] += 1
    return counts


def most_left(
    articles: Sequence[ArticleProgress],
    annotators: Sequence[str],
    limit: int,
    planned: Collection[str] = frozenset(),
) -> list[ArticleProgress]:
    """The `limit` articles with the most sentences left to the annotators meant to read them,
    in library order among equals; articles with nothing left are never among them."""
    left = ((article.left(annotators, planned), article) for article in articles)
    ranked = heapq.nsmallest(
        limit,
        ((-count, article.rowid, article) for count, article in left if count),
        key=lambda item: item[:2],
    )
    return [article for _, _, article in ranked]


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
    """What the database holds and how far everyone has got: the figures of `annotty stats`.

    Everything that grows with the library is counted when it is made (in a worker, for the
    app), so that drawing it again costs nothing.
    """

    figures: Stats
    articles: list[ArticleProgress]
    """Every article, in library order."""
    shown: dict[str, str]
    """Each label's display name."""
    agreement: AgreementReport | None
    """Agreement per label among everyone who decided a sentence (None with fewer than two)."""
    states: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per annotator, how many articles are in each state (`state_counts`)."""
    unfinished: int = 0
    """Articles someone among the annotators still has sentences to decide in."""
    listed: list[ArticleProgress] = field(default_factory=list)
    """The articles with the most left, as many as were asked for (`most_left`)."""
    planned: frozenset[str] = frozenset()
    """The annotators with assignments: each is meant to read only those articles."""
    titles: dict[str, str | None] = field(default_factory=dict)
    """Titles of the listed articles, or of all."""

    @property
    def annotators(self) -> list[str]:
        """Everyone who decided or ignored a sentence, by name."""
        return list(self.figures.decided)


def overview(store: Store, *, listed: int = 20, every_title: bool = False) -> Overview:
    """Every figure of the project.

    Args:
        store: the database.
        listed: how many of the articles with most left to list, with their titles.
        every_title: read every article's title (which reads every article's row), for a
            complete listing.
    """
    figures = stats(store)
    names = list(figures.decided)
    report = agreement_in_store(store, names, figures.labels) if len(names) > 1 else None
    articles = article_progress(store)
    planned = planned_annotators(articles)
    result = Overview(
        figures,
        articles,
        display_names(store),
        report,
        states=state_counts(articles, names, planned),
        unfinished=sum(1 for article in articles if article.left(names, planned)),
        listed=most_left(articles, names, listed, planned),
        planned=planned,
    )
    chosen = None if every_title else [article.id for article in result.listed]
    result.titles = article_titles(store, chosen)
    return result


def articles_as_json(result: Overview) -> Iterator[dict[str, Any]]:
    """Every article's progress as plain JSON data, one at a time, in library order: {"id",
    "title", "sentences", "annotators": {name: {"done", "state", "assigned"}}}, `done` counting
    decided and ignored sentences, `assigned` whether the article is assigned to them. Titles
    are those `result.titles` holds (all of them from `overview(every_title=True)`).
    """
    names = result.annotators
    for article in result.articles:
        yield {
            "id": article.id,
            "title": result.titles.get(article.id),
            "sentences": article.sentences,
            "annotators": {
                name: {
                    "done": article.done.get(name, 0),
                    "state": article.state(name),
                    "assigned": name in article.assigned,
                }
                for name in names
            },
        }
