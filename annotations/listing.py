"""The library's listing: which articles an annotator sees, in which order, a page at a time.

Library order is the annotator's assigned articles first, then the others, each part in the order
the articles were imported (ascending rowid). A row's place in that order is a `Place` (part,
rowid), and pages are read from a place onward or backward (keyset paging): a page costs the same
with 100 articles or 100,000, wherever it is in the library, and no query reads every match.
Counts and totals are read from narrow indexes (a filter's matches from the full-text index),
never from the articles' rows, whose texts share the table.

The one exception is a filter with no word in it (only punctuation, which full-text search cannot
look for): it is a substring search through the texts, as slow as the library is large.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotations.model import ArticleSummary
from annotations.store import Store

ASSIGNED, OTHERS = 0, 1
"""The two parts of the library, in the order they are listed."""

_WORD = re.compile(r"[^\W_]+")
"""A word as FTS5's unicode61 tokenizer sees it: letters and digits (`_` separates words)."""

_ASSIGNED_ROWIDS = (
    "SELECT a.rowid FROM assignments g JOIN articles a ON a.id = g.article_id"
    " WHERE g.annotator = :annotator"
)
_FTS_ROWIDS = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :query"


@dataclass(frozen=True, order=True)
class Place:
    """Where a row is in library order; places sort in that order."""

    part: int
    """ASSIGNED or OTHERS."""
    rowid: int
    """The article's rowid: its place in the order of import."""


def place_of(row: ArticleSummary) -> Place:
    """A listed row's place in library order."""
    return Place(ASSIGNED if row.assigned else OTHERS, row.rowid)


def has_assigned(store: Store, annotator: str) -> bool:
    """Whether any article is assigned to the annotator (so the library has two parts)."""
    return store.value("SELECT 1 FROM assignments WHERE annotator = ? LIMIT 1", (annotator,)) == 1


def fts_query(search: str) -> str | None:
    """The user's filter as an FTS5 query that cannot fail to parse: its words as one phrase,
    the last word a prefix (so the filter matches while a word is being typed). None when the
    text has no word at all (FTS cannot look for punctuation alone).
    """
    words = _WORD.findall(search)
    return '"' + " ".join(words) + '" *' if words else None


@dataclass(frozen=True)
class Listing:
    """The articles the library shows one annotator, optionally filtered; read in pages.

    search: keep articles whose title or text has these words, in this order, the last one
    possibly unfinished (full-text search, case- and accent-insensitive). Text with no word in
    it (only punctuation) is looked for as a plain substring instead.
    """

    annotator: str
    search: str = ""

    def _params(self, **more: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"annotator": self.annotator, **more}
        if self.search:
            query = fts_query(self.search)
            if query is not None:
                params["query"] = query
            else:
                escaped = self.search.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
                params["pattern"] = "%" + escaped + "%"
        return params

    def _substring(self) -> bool:
        return bool(self.search) and fts_query(self.search) is None

    def _matches(self, rowid: str, table: str) -> str:
        """The condition that an article (its rowid column, its table alias) passes the filter."""
        if not self.search:
            return "1"
        if not self._substring():
            return f"{rowid} IN ({_FTS_ROWIDS})"
        return rf"({table}.title LIKE :pattern ESCAPE '\' OR {table}.text LIKE :pattern ESCAPE '\')"

    def _kept(self) -> str:
        """`FROM` what the articles the filter keeps are read, up to an open `WHERE` (further
        conditions follow with `AND`, on `rowid`): the FTS index when it can answer, else the
        table."""
        if not self.search or self._substring():
            return f"articles a WHERE {self._matches('a.rowid', 'a')}"
        return "articles_fts WHERE articles_fts MATCH :query"

    def _rowids(self, store: Store, part: int, rowid: int, limit: int, forward: bool) -> list[int]:
        """Up to `limit` rowids of one part after (or before) `rowid`, nearest first."""
        op, order = (">", "ASC") if forward else ("<", "DESC")
        params = self._params(rowid=rowid, limit=limit)
        if part == ASSIGNED:
            sql = (
                f"{_ASSIGNED_ROWIDS} AND a.rowid {op} :rowid AND {self._matches('a.rowid', 'a')}"
                f" ORDER BY a.rowid {order} LIMIT :limit"
            )
        else:
            sql = (
                f"SELECT rowid FROM {self._kept()} AND rowid {op} :rowid"
                f" AND rowid NOT IN ({_ASSIGNED_ROWIDS}) ORDER BY rowid {order} LIMIT :limit"
            )
        return [row[0] for row in store.conn.execute(sql, params)]

    def after(self, store: Store, place: Place | None, limit: int) -> list[ArticleSummary]:
        """Up to `limit` rows following `place` (None: from the first), in library order."""
        if place is None:
            place = Place(ASSIGNED, 0)
        rowids = self._rowids(store, place.part, place.rowid, limit, True)
        if place.part == ASSIGNED and len(rowids) < limit:
            rowids += self._rowids(store, OTHERS, 0, limit - len(rowids), True)
        return rows(store, self.annotator, rowids)

    def before(self, store: Store, place: Place, limit: int) -> list[ArticleSummary]:
        """Up to `limit` rows preceding `place`, in library order (the nearest last)."""
        rowids = self._rowids(store, place.part, place.rowid, limit, False)
        if place.part == OTHERS and len(rowids) < limit:
            end = 1 << 62
            rowids += self._rowids(store, ASSIGNED, end, limit - len(rowids), False)
        return rows(store, self.annotator, rowids[::-1])

    def around(
        self, store: Store, article_id: str | None, before: int, after: int
    ) -> tuple[list[ArticleSummary], int | None]:
        """Rows around an article: up to `before` rows preceding it, itself, and up to `after`
        following it; with the article's index among them. From the start (and index None)
        when the article is not listed."""
        found = self.place(store, article_id) if article_id is not None else None
        if found is None:
            return self.after(store, None, before + after + 1), None
        earlier = self.before(store, found, before)
        later = self.after(store, Place(found.part, found.rowid - 1), after + 1)
        return earlier + later, len(earlier)

    def place(self, store: Store, article_id: str) -> Place | None:
        """Where an article is in this listing, or None if it is not listed."""
        row = store.conn.execute(
            "SELECT a.rowid, EXISTS (SELECT 1 FROM assignments g WHERE g.article_id = a.id"
            f" AND g.annotator = :annotator) FROM articles a WHERE a.id = :id"
            f" AND {self._matches('a.rowid', 'a')}",
            self._params(id=article_id),
        ).fetchone()
        if row is None:
            return None
        return Place(ASSIGNED if row[1] else OTHERS, row[0])

    def position(self, store: Store, article_id: str) -> tuple[int, int] | None:
        """(position from 0 of the article in this listing, how many are listed), or None when
        it is not listed. Counted from the FTS index for a filter (see `article_position` for
        the whole library)."""
        found = self.place(store, article_id)
        if found is None:
            return None
        params = self._params(rowid=found.rowid)
        assigned = f"{_ASSIGNED_ROWIDS} AND {self._matches('a.rowid', 'a')}"
        if found.part == ASSIGNED:
            before = store.value(f"SELECT count(*) FROM ({assigned}) WHERE rowid < :rowid", params)
        else:
            before = store.value(
                f"SELECT (SELECT count(*) FROM ({assigned})) + (SELECT count(*) FROM {self._kept()}"
                f" AND rowid < :rowid AND rowid NOT IN ({_ASSIGNED_ROWIDS}))",
                params,
            )
        return int(before or 0), self.count(store)  # type: ignore[call-overload]

    def count(self, store: Store) -> int:
        """How many articles are listed (from the FTS index, for a filter)."""
        if not self.search:
            sql = "SELECT count(*) FROM articles"
        elif self._substring():
            sql = f"SELECT count(*) FROM articles a WHERE {self._matches('a.rowid', 'a')}"
        else:
            sql = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH :query"
        return int(store.value(sql, self._params()) or 0)  # type: ignore[call-overload]

    def totals(self, store: Store) -> tuple[int, int]:
        """(sentences the annotator decided, sentences) over the listed articles.

        Read from narrow tables and indexes: the articles' sizes (`article_sizes`), the
        annotator's progress (`annotations_progress`) and the articles' ids (the primary key's
        index)."""
        params = self._params()
        if not self.search:
            decided = store.value(
                "SELECT count(*) FROM annotations WHERE annotator = :annotator AND decided = 1",
                params,
            )
            sentences = store.value("SELECT coalesce(sum(sentences), 0) FROM article_sizes")
            return int(decided or 0), int(sentences or 0)  # type: ignore[call-overload]
        if self._substring():
            ids = "articles a"
            sentences = store.value(
                "SELECT coalesce(sum(a.sentence_count), 0) FROM articles a"
                f" WHERE {self._matches('a.rowid', 'a')}",
                params,
            )
        else:
            ids = "articles a INDEXED BY sqlite_autoindex_articles_1"
            # Each match looked up by rowid in the narrow table of sizes.
            sentences = store.value(
                f"SELECT coalesce(sum(s.sentences), 0) FROM ({_FTS_ROWIDS}) f"
                " JOIN article_sizes s ON s.article = f.rowid",
                params,
            )
        matches = self._matches("a.rowid", "a")
        # From the annotator's decisions, counted per article, to the matches among those
        # articles: nothing read for someone who has decided nothing.
        decided = store.value(
            "SELECT coalesce(sum(counted), 0) FROM (SELECT article_id, count(*) AS counted"
            " FROM annotations INDEXED BY annotations_progress"
            " WHERE annotator = :annotator AND decided = 1 GROUP BY article_id)"
            f" JOIN {ids} ON a.id = article_id WHERE {matches}",
            params,
        )
        return int(decided or 0), int(sentences or 0)  # type: ignore[call-overload]


def rows(store: Store, annotator: str, rowids: Sequence[int]) -> list[ArticleSummary]:
    """The library's rows for these articles, in the order given, with the annotator's progress
    (counted per article from the `annotations_progress` index)."""
    found: dict[int, ArticleSummary] = {}
    for offset in range(0, len(rowids), 500):
        chunk = list(rowids[offset : offset + 500])
        marks = ",".join("?" * len(chunk))
        query = store.conn.execute(
            # The size from the narrow table: the row's own comes after its text.
            "SELECT a.id, a.title, a.source,"
            " (SELECT s.sentences FROM article_sizes s WHERE s.article = a.rowid),"
            " (SELECT count(*) FROM annotations n WHERE n.annotator = ? AND n.decided = 1"
            " AND n.article_id = a.id),"
            " EXISTS (SELECT 1 FROM assignments g WHERE g.article_id = a.id AND g.annotator = ?),"
            f" a.rowid FROM articles a WHERE a.rowid IN ({marks})",
            [annotator, annotator, *chunk],
        )
        for *summary, assigned, rowid in query:
            found[rowid] = ArticleSummary(*summary, assigned=bool(assigned), rowid=rowid)
    return [found[rowid] for rowid in rowids if rowid in found]


def list_articles(store: Store, annotator: str, search: str = "") -> list[ArticleSummary]:
    """The whole library as one annotator sees it (see `Listing`), for scripts and small
    libraries: the screen reads it a page at a time."""
    listing = Listing(annotator, search or "")
    found: list[ArticleSummary] = []
    while page := listing.after(store, place_of(found[-1]) if found else None, 1000):
        found += page
    return found


def neighbour_article(
    store: Store, annotator: str, identity: str, step: int, search: str = ""
) -> str | None:
    """The article `step` places after (negative: before) `identity` in the annotator's
    library order (their assigned articles first), if any: among the articles the library's
    filter `search` keeps if one is given and keeps `identity`, else in the whole library."""
    listing = Listing(annotator, search)
    place = listing.place(store, identity)
    if place is None and search:
        listing = Listing(annotator)
        place = listing.place(store, identity)
    if place is None or step == 0:
        return identity if place is not None else None
    if step > 0:
        found = listing.after(store, place, step)
    else:
        found = listing.before(store, place, -step)[::-1]
    return found[abs(step) - 1].id if len(found) >= abs(step) else None


def article_position(store: Store, annotator: str, identity: str) -> tuple[int, int]:
    """(position from 0 in the annotator's library order, number of articles): the reader's
    `article N/M`. Counted over narrow indexes, not the table, whose rows carry the texts (for
    a filtered library: `Listing.position`)."""
    row = store.conn.execute(
        f"""SELECT
            (SELECT rowid FROM articles WHERE id = :id),
            EXISTS (SELECT 1 FROM assignments WHERE article_id = :id AND annotator = :annotator),
            (SELECT count(*) FROM ({_ASSIGNED_ROWIDS})),
            (SELECT count(*) FROM ({_ASSIGNED_ROWIDS}) WHERE rowid <
                (SELECT rowid FROM articles WHERE id = :id)),
            (SELECT count(*) FROM articles INDEXED BY articles_sizes WHERE rowid <
                (SELECT rowid FROM articles WHERE id = :id)),
            (SELECT count(*) FROM articles)""",
        {"id": identity, "annotator": annotator},
    ).fetchone()
    _, assigned, assigned_total, assigned_before, all_before, total = row
    if assigned:
        return int(assigned_before), int(total)
    return int(assigned_total + all_before - assigned_before), int(total)


def next_unfinished_article(store: Store, annotator: str, after: str) -> str | None:
    """The first article after `after` in the annotator's library order (their assigned articles
    first), wrapping round, with a sentence they have not decided; None when every other article
    is done (or `after` is not in the library)."""
    start = Listing(annotator).place(store, after)
    if start is None:
        return None
    first, second = (ASSIGNED, OTHERS) if start.part == ASSIGNED else (OTHERS, ASSIGNED)
    end = 1 << 62
    # The rest of this part, the other part whole, then this part up to the article.
    for part, low, high in ((first, start.rowid, end), (second, 0, end), (first, 0, start.rowid)):
        unfinished = (
            "a.rowid > :low AND a.rowid < :high AND s.sentences > (SELECT count(*)"
            " FROM annotations n WHERE n.article_id = a.id AND n.annotator = :annotator"
            " AND n.decided)"
        )
        if part == ASSIGNED:
            sql = (
                "SELECT a.id FROM assignments g JOIN articles a ON a.id = g.article_id"
                " JOIN article_sizes s ON s.article = a.rowid"
                f" WHERE g.annotator = :annotator AND {unfinished} ORDER BY a.rowid LIMIT 1"
            )
        else:
            sql = (
                "SELECT a.id FROM articles a JOIN article_sizes s ON s.article = a.rowid"
                f" WHERE {unfinished} AND a.rowid NOT IN ({_ASSIGNED_ROWIDS})"
                " ORDER BY a.rowid LIMIT 1"
            )
        found = store.value(sql, {"annotator": annotator, "low": low, "high": high})
        if isinstance(found, str):
            return found
    return None
