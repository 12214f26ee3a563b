"""Generated articles for the team tests: stored with a made-up analysis, so no spaCy is needed
and sizes are exactly what a test asks for."""

from __future__ import annotations

from collections.abc import Sequence

from annotations.library import add_article
from annotations.model import Analysis, ArticleInput
from annotations.store import Store


def article_text(number: int, size: int) -> str:
    """An article of `size` sentences, one per line, distinct for each `number`."""
    return "\n".join(
        f"Report {number} line {line}: troops from Aleppo met envoys in Geneva."
        for line in range(size)
    )


def analysis_of(text: str) -> Analysis:
    """One sentence per line, and the place names as entities."""
    sentences, entities, start = [], [], 0
    for line in text.split("\n"):
        sentences.append((start, start + len(line)))
        for place, label in (("Aleppo", "GPE"), ("Geneva", "GPE")):
            at = line.find(place)
            if at >= 0:
                entities.append((start + at, start + at + len(place), label))
        start += len(line) + 1
    return Analysis(sentences, entities)


def add_articles(store: Store, sizes: Sequence[int], first: int = 0) -> list[str]:
    """Store one generated article per size (numbered from `first`). Returns their ids."""
    ids = []
    with store.write():
        for number, size in enumerate(sizes, start=first):
            text = article_text(number, size)
            article = ArticleInput(text, title=f"Report {number}", source=f"wire/{number}.txt")
            ids.append(add_article(store, article, analysis_of(text), "generated 1.0"))
    return ids


def assignments(store: Store) -> dict[str, set[str]]:
    """Who each article is assigned to."""
    result: dict[str, set[str]] = {}
    for identity, name in store.conn.execute("SELECT article_id, annotator FROM assignments"):
        result.setdefault(identity, set()).add(name)
    return result


def loads(store: Store) -> dict[str, int]:
    """Assigned sentences per annotator."""
    return dict(
        store.conn.execute(
            "SELECT g.annotator, sum(a.sentence_count) FROM assignments g"
            " JOIN articles a ON a.id = g.article_id GROUP BY g.annotator"
        ).fetchall()
    )
