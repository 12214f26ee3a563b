"""Removing articles: the article and every row that belongs to it, in one transaction.

Which rows belong to an article is read from the schema rather than listed here: every table with
an `article_id` column (sentences, entities, annotations, gold, history, positions, assignments,
and whatever later versions add), then the article itself. A table added by a future migration
is covered without anyone remembering to add it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from annotations.store import Store


@dataclass
class Removed:
    """What removing articles deleted: rows per table (tables with none are left out)."""

    articles: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return self.rows.get(table, 0)

    @property
    def decisions(self) -> int:
        """Decision rows (annotations and gold, undone ones included)."""
        return self.count("annotations") + self.count("gold")


@dataclass(frozen=True)
class AtStake:
    """What removing an article would lose, to show before asking."""

    article_id: str
    title: str | None
    sentences: int
    decisions: int
    """Decided sentences, every annotator's and the gold set's."""
    annotators: tuple[str, ...]
    """Whose decisions would go."""


def _tables_by_article(store: Store) -> list[str]:
    """The tables with an `article_id` column (every one of them points at `articles`)."""
    tables = [
        row[0]
        for row in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    return [
        table
        for table in tables
        if any(column[1] == "article_id" for column in store.conn.execute(
            f'PRAGMA table_info("{table}")'
        ))
    ]  # fmt: skip


def at_stake(store: Store, article_id: str) -> AtStake:
    """What removing an article would delete that someone made: decisions, and whose."""
    title, sentences = store.conn.execute(
        "SELECT title, sentence_count FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    names = [
        row[0]
        for row in store.conn.execute(
            "SELECT DISTINCT annotator FROM annotations WHERE article_id = ? AND decided"
            " UNION SELECT reviewer FROM gold WHERE article_id = ? AND decided ORDER BY 1",
            (article_id, article_id),
        )
    ]
    decisions = store.value(
        "SELECT (SELECT count(*) FROM annotations WHERE article_id = ? AND decided)"
        " + (SELECT count(*) FROM gold WHERE article_id = ? AND decided)",
        (article_id, article_id),
    )
    return AtStake(article_id, title, sentences, int(decisions or 0), tuple(names))


def remove_articles(store: Store, article_ids: Sequence[str]) -> Removed:
    """Delete articles with every row that refers to them, all or nothing.

    Args:
        store: the database.
        article_ids: full ids (resolve prefixes first: annotations.library.resolve_article).

    Returns:
        The rows deleted, per table.
    """
    removed = Removed()
    with store.write():
        tables = _tables_by_article(store)
        for identity in dict.fromkeys(article_ids):
            for table in tables:
                cursor = store.conn.execute(
                    f'DELETE FROM "{table}" WHERE article_id = ?', (identity,)
                )
                if cursor.rowcount > 0:
                    removed.rows[table] = removed.rows.get(table, 0) + cursor.rowcount
            cursor = store.conn.execute("DELETE FROM articles WHERE id = ?", (identity,))
            removed.articles += max(cursor.rowcount, 0)
    return removed
