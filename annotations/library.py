"""The articles in a database: adding analysed articles, reading them back, listing them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotations.errors import AnnottyError
from annotations.model import Analysis, Article, ArticleInput, ArticleSummary, Entity, Sentence
from annotations.store import Store, utc_now
from annotations.text import article_id

_WORD = re.compile(r"[^\W_]+")
"""A word as FTS5's unicode61 tokenizer sees it: letters and digits (`_` separates words)."""


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


def neighbour_article(store: Store, identity: str, step: int) -> str | None:
    """The article `step` places after (negative: before) `identity` in library order, if any."""
    if step == 0:
        return identity
    direction, order = (">", "ASC") if step > 0 else ("<", "DESC")
    return store.value(  # type: ignore[return-value]
        f"SELECT id FROM articles WHERE rowid {direction}"
        f" (SELECT rowid FROM articles WHERE id = ?) ORDER BY rowid {order} LIMIT 1 OFFSET ?",
        (identity, abs(step) - 1),
    )


def article_position(store: Store, identity: str) -> tuple[int, int]:
    """(position from 0 in library order, number of articles): the reader's `article N/M`.

    Counted over the narrow `articles_sizes` index, not the table, whose rows carry the texts.
    """
    row = store.conn.execute(
        "SELECT (SELECT count(*) FROM articles INDEXED BY articles_sizes WHERE rowid <"
        " (SELECT rowid FROM articles WHERE id = ?)), (SELECT count(*) FROM articles)",
        (identity,),
    ).fetchone()
    return int(row[0]), int(row[1])


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


@dataclass(frozen=True)
class Listing:
    """Which articles the library shows for one annotator and filter, without their rows.

    The rows themselves are read a page at a time (`library_page`), so showing the library costs
    the same with 100 articles or 100,000.
    """

    rowids: list[int]
    """The articles' rowids in the library's order: the annotator's assigned articles first,
    then the others, each part in library order (ascending rowid)."""
    decided: int
    """Sentences of these articles the annotator has decided."""
    sentences: int
    """Sentences of these articles."""

    def __len__(self) -> int:
        return len(self.rowids)

    def position(self, rowid: int | None) -> int | None:
        """Where the article with this rowid is in the listing, or None if it is not."""
        if rowid is None:
            return None
        try:
            return self.rowids.index(rowid)
        except ValueError:
            return None


def fts_query(search: str) -> str | None:
    """The user's filter as an FTS5 query that cannot fail to parse: its words as one phrase,
    the last word a prefix (so the filter matches while a word is being typed). None when the
    text has no word at all (FTS cannot look for punctuation alone).
    """
    words = _WORD.findall(search)
    return '"' + " ".join(words) + '" *' if words else None


def _matching(search: str | None) -> tuple[str, list[Any]]:
    """A `rowid IN (...)` condition on articles for a filter, and its parameters."""
    if not search:
        return "1", []
    query = fts_query(search)
    if query is not None:
        return "rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", [query]
    pattern = "%" + search.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    return r"(title LIKE ? ESCAPE '\' OR text LIKE ? ESCAPE '\')", [pattern, pattern]


def list_library(store: Store, annotator: str, search: str | None = None) -> Listing:
    """The articles the library shows, in library order, optionally filtered, with totals.

    Args:
        store: the database.
        annotator: whose progress to count.
        search: keep articles whose title or text has these words, in this order, the last one
            possibly unfinished (full-text search, case- and accent-insensitive). Text with no
            word in it (only punctuation) is looked for as a plain substring instead.
    """
    rowids = matching_rowids(store, search, annotator)
    decided, sentences = library_totals(store, annotator, rowids if search else None)
    return Listing(rowids, decided, sentences)


def matching_rowids(
    store: Store, search: str | None = None, annotator: str | None = None
) -> list[int]:
    """The rowids of the articles a filter keeps (all without one), in library order; the
    articles assigned to `annotator`, if any, first."""
    if not search:
        # The narrow index holds every rowid; the table's rows would drag the texts along.
        rowids = sorted(
            row[0]
            for row in store.conn.execute("SELECT rowid FROM articles INDEXED BY articles_sizes")
        )
    else:
        where, params = _matching(search)
        query = f"SELECT rowid FROM articles WHERE {where} ORDER BY rowid"
        rowids = [row[0] for row in store.conn.execute(query, params)]
    if annotator is None:
        return rowids
    assigned = {
        row[0]
        for row in store.conn.execute(
            "SELECT a.rowid FROM assignments g JOIN articles a ON a.id = g.article_id"
            " WHERE g.annotator = ?",
            (annotator,),
        )
    }
    if not assigned:
        return rowids
    return [r for r in rowids if r in assigned] + [r for r in rowids if r not in assigned]


def library_totals(store: Store, annotator: str, rowids: Sequence[int] | None) -> tuple[int, int]:
    """(sentences the annotator decided, sentences) over these articles (None: all of them)."""
    if rowids is None:
        decided = store.value(
            "SELECT count(*) FROM annotations WHERE annotator = ? AND decided = 1", (annotator,)
        )
        sentences = store.value("SELECT coalesce(sum(sentence_count), 0) FROM articles")
    else:
        chosen = "rowid IN (SELECT value FROM json_each(?))"
        listed = json.dumps(list(rowids))
        decided = store.value(
            "SELECT count(*) FROM annotations WHERE annotator = ? AND decided = 1 AND article_id"
            f" IN (SELECT id FROM articles WHERE {chosen})",
            (annotator, listed),
        )
        sentences = store.value(
            f"SELECT coalesce(sum(sentence_count), 0) FROM articles WHERE {chosen}", (listed,)
        )
    return int(decided or 0), int(sentences or 0)  # type: ignore[call-overload]


def library_page(store: Store, annotator: str, rowids: Sequence[int]) -> list[ArticleSummary]:
    """The library's rows for these articles, in the order given, with the annotator's progress.

    Progress is counted per article from the `annotations_progress` index.
    """
    found: dict[int, ArticleSummary] = {}
    for offset in range(0, len(rowids), 500):
        chunk = list(rowids[offset : offset + 500])
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(
            "SELECT a.rowid, a.id, a.title, a.source, a.sentence_count,"
            " (SELECT count(*) FROM annotations n WHERE n.annotator = ? AND n.decided = 1"
            " AND n.article_id = a.id),"
            " EXISTS (SELECT 1 FROM assignments g WHERE g.article_id = a.id AND g.annotator = ?)"
            f" FROM articles a WHERE a.rowid IN ({marks})",
            [annotator, annotator, *chunk],
        )
        for rowid, *summary, assigned in rows:
            found[rowid] = ArticleSummary(*summary, assigned=bool(assigned))
    return [found[rowid] for rowid in rowids if rowid in found]


def article_rowid(store: Store, identity: str) -> int | None:
    """An article's rowid (its place in library order), or None if there is no such article."""
    return store.value("SELECT rowid FROM articles WHERE id = ?", (identity,))  # type: ignore[return-value]


def list_articles(store: Store, annotator: str, search: str | None = None) -> list[ArticleSummary]:
    """The whole library as seen by one annotator: the articles assigned to them first, then
    the others, each part in library order; optionally filtered (see `list_library`). For
    scripts and small libraries: the screen reads it a page at a time."""
    return library_page(store, annotator, list_library(store, annotator, search).rowids)


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


def next_unfinished_article(store: Store, annotator: str, after: str) -> str | None:
    """The first article after `after` in library order (wrapping round) with a sentence the
    annotator has not decided, or None when every other article is done."""
    query = """
        SELECT a.id FROM articles a
        WHERE a.rowid {op} (SELECT rowid FROM articles WHERE id = :after) AND a.sentence_count > (
            SELECT count(*) FROM annotations n
            WHERE n.article_id = a.id AND n.annotator = :annotator AND n.decided
        )
        ORDER BY a.rowid LIMIT 1
    """
    for op in (">", "<"):
        found = store.value(query.format(op=op), {"after": after, "annotator": annotator})
        if isinstance(found, str):
            return found
    return None
