"""The articles in a database: adding analysed articles, reading them back, listing them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from annotations.errors import AnnottyError
from annotations.model import Analysis, Article, ArticleInput, Entity, Sentence
from annotations.store import Store, utc_now
from annotations.text import article_id


def existing_ids(store: Store, ids: Iterable[str]) -> set[str]:
    """Those of `ids` that are already in the database."""
    found: set[str] = set()
    ids = list(ids)
    for offset in range(0, len(ids), 500):
        chunk = ids[offset : offset + 500]
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
        found.update(row[0] for row in rows)
    return found


def add_article(
    store: Store, article: ArticleInput, analysis: Analysis, pipeline: str | None
) -> str:
    """Store an analysed article with its sentences and entities, in one transaction (or the
    caller's): an article is never stored without its sentences.

    Returns:
        The article's id.
    """
    identity = article_id(article.text)
    with store.write():
        text = article.text
        store.conn.execute(
            "INSERT INTO articles (id, title, source, text, meta, imported_at, pipeline,"
            " sentence_count, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                identity,
                article.title,
                article.source,
                text,
                json.dumps(article.meta, ensure_ascii=False) if article.meta else None,
                utc_now(),
                pipeline,
                len(analysis.sentences),
                article.language,
            ),
        )
        store.conn.executemany(
            'INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
            [
                (identity, idx, start, end, text[start:end])
                for idx, (start, end) in enumerate(analysis.sentences)
            ],
        )
        store.conn.executemany(
            'INSERT OR IGNORE INTO entities (article_id, start, "end", label, text)'
            " VALUES (?, ?, ?, ?, ?)",
            [
                (identity, start, end, label, text[start:end])
                for start, end, label in analysis.entities
            ],
        )
    return identity


def get_article(store: Store, identity: str, *, entities: bool = True) -> Article:
    """An article with its sentences and entities.

    Args:
        store: the database.
        identity: the article's id.
        entities: False leaves `Article.entities` empty, for a reader that asks for each
            sentence's entities as it draws it (`entities_between`): a long article has
            hundreds of thousands.

    Raises:
        AnnottyError: no such article.
    """
    row = store.conn.execute(
        "SELECT id, title, source, text, meta, imported_at, pipeline, language FROM articles"
        " WHERE id = ?",
        (identity,),
    ).fetchone()
    if row is None:
        raise AnnottyError(f"no article {identity!r} in {store.path}")
    text = row[3]
    article = Article(
        id=row[0],
        title=row[1],
        source=row[2],
        text=text,
        imported_at=row[5],
        pipeline=row[6],
        meta=json.loads(row[4]) if row[4] else None,
        language=row[7],
    )
    paragraph, previous_end = 0, 0
    for idx, start, end in store.conn.execute(
        'SELECT idx, start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (identity,)
    ):
        if idx and "\n" in text[previous_end:start]:
            paragraph += 1
        article.sentences.append(Sentence(idx, start, end, text[start:end], paragraph))
        previous_end = end
    if entities:
        article.entities = [
            Entity(start, end, label, text[start:end])
            for start, end, label in store.conn.execute(
                'SELECT start, "end", label FROM entities WHERE article_id = ?'
                ' ORDER BY start, "end"',
                (identity,),
            )
        ]
    return article


def entities_between(store: Store, article: Article, start: int, end: int) -> list[Entity]:
    """The entities of an article lying wholly inside `start`..`end`, in text order: an index
    range query, the same cost in any article."""
    text = article.text
    return [
        Entity(first, last, label, text[first:last])
        for first, last, label in store.conn.execute(
            'SELECT start, "end", label FROM entities WHERE article_id = ? AND start >= ?'
            ' AND start < ? AND "end" <= ? ORDER BY start, "end"',
            (article.id, start, end, end),
        )
    ]


def entity_labels(store: Store, identity: str) -> list[str]:
    """The entity labels an article has, sorted."""
    return [
        row[0]
        for row in store.conn.execute(
            "SELECT DISTINCT label FROM entities WHERE article_id = ? ORDER BY label", (identity,)
        )
    ]


def article_ids(store: Store) -> list[str]:
    """Every article id, in library order (the order they were imported)."""
    return [row[0] for row in store.conn.execute("SELECT id FROM articles ORDER BY rowid")]


def first_article(store: Store) -> str | None:
    """The first article in library order, or None in an empty library."""
    return store.value("SELECT id FROM articles ORDER BY rowid LIMIT 1")  # type: ignore[return-value]


def resolve_article(store: Store, prefix: str) -> str:
    """The id of the one article whose id starts with `prefix` (ids are long to type).

    Raises:
        AnnottyError: no article, or several, match.
    """
    matches = [
        row[0]
        for row in store.conn.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            (prefix, prefix + "\U0010ffff"),
        )
    ]
    if not matches:
        raise AnnottyError(f"no article with id {prefix!r}")
    if len(matches) > 1:
        raise AnnottyError(f"several articles have ids starting {prefix!r}: give more characters")
    return matches[0]


@dataclass
class Stats:
    """How much a database holds, and how far each annotator has got."""

    articles: int
    sentences: int
    entities: int
    labels: list[str]
    decided: dict[str, int] = field(default_factory=dict)
    """Decided sentences per annotator (ignored ones not counted)."""
    by_label: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per annotator, how many decided sentences carry each label; "" counts no-label ones."""
    ignored: dict[str, int] = field(default_factory=dict)
    """Sentences each annotator set aside as ignored (only annotators who ignored any)."""
    gold: int = 0


def stats(store: Store) -> Stats:
    """Counts of articles, sentences, entities and decisions."""
    from annotations.scheme import get_labels

    result = Stats(
        articles=int(store.value("SELECT count(*) FROM articles") or 0),
        sentences=int(store.value("SELECT coalesce(sum(sentence_count), 0) FROM articles") or 0),
        entities=int(store.value("SELECT count(*) FROM entities") or 0),
        labels=get_labels(store),
        gold=int(store.value("SELECT count(*) FROM gold WHERE decided") or 0),
    )
    rows = store.conn.execute(
        "SELECT annotator, labels, ignored, count(*) FROM annotations WHERE decided"
        " GROUP BY annotator, labels, ignored ORDER BY annotator"
    )
    for annotator, labels, ignored, count in rows:
        if ignored:
            result.ignored[annotator] = result.ignored.get(annotator, 0) + count
            result.decided.setdefault(annotator, 0)
            result.by_label.setdefault(annotator, {})
            continue
        result.decided[annotator] = result.decided.get(annotator, 0) + count
        per_label = result.by_label.setdefault(annotator, {})
        names = json.loads(labels) or [""]
        for name in names:
            per_label[name] = per_label.get(name, 0) + count
    return result
