"""Where each annotator was: the article and sentence each screen shows, to resume there."""

from __future__ import annotations

from annotations.store import Store, utc_now


def save_position(
    store: Store, annotator: str, screen: str, article_id: str, sentence: int
) -> None:
    """Remember the sentence an annotator is on in an article, on a screen ("reader", "review")."""
    with store.write():
        store.conn.execute(
            "INSERT INTO positions (annotator, screen, article_id, sentence, seen_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (annotator, screen, article_id)"
            " DO UPDATE SET sentence = excluded.sentence, seen_at = excluded.seen_at",
            (annotator, screen, article_id, sentence, utc_now()),
        )


def position_in(store: Store, annotator: str, screen: str, article_id: str) -> int | None:
    """The sentence the annotator was last on in this article, if they have been there."""
    value = store.value(
        "SELECT sentence FROM positions WHERE annotator = ? AND screen = ? AND article_id = ?",
        (annotator, screen, article_id),
    )
    return value if isinstance(value, int) else None


def last_article(store: Store, annotator: str, screen: str) -> str | None:
    """The article the annotator last had open on a screen, if it is still in the database."""
    value = store.value(
        "SELECT p.article_id FROM positions p JOIN articles a ON a.id = p.article_id"
        " WHERE p.annotator = ? AND p.screen = ? ORDER BY p.seen_at DESC LIMIT 1",
        (annotator, screen),
    )
    return value if isinstance(value, str) else None
