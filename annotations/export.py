"""The export records: one per decided (sentence, annotator), streamed, for every format.

Records come in library order, then sentence order, then annotator name; memory holds one article
at a time, so an export does not grow with the database. A record is a dict holding everything a
format may write: the annotty line's fields, `ignored`, and `origin` (annotations) or `votes` and
`note` (gold). The formats in `annotations.formats` turn records into their lines (annotty's own
in `annotations.formats.annotty`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import IO, Any

from annotations.library import article_ids
from annotations.model import entities_by_sentence
from annotations.scheme import get_labels, in_scheme_order
from annotations.store import Store


def _entities_by_sentence(
    store: Store, identity: str, spans: list[tuple[int, int]]
) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """Each sentence's entities, with offsets relative to the sentence."""
    return {
        (first, last): [
            {"start": start - first, "end": end - first, "label": label, "text": text}
            for start, end, label, text in rows
        ]
        for (first, last), rows in _entity_rows(store, identity, spans).items()
    }


def _entity_rows(
    store: Store, identity: str, spans: list[tuple[int, int]]
) -> dict[tuple[int, int], list[tuple[int, int, str, str]]]:
    """Each sentence's entities as (start, end, label, text) rows, offsets in the article."""
    grouped = entities_by_sentence(spans, _entity_query(store.conn, identity), itemgetter(0, 1))
    return dict(zip(spans, grouped, strict=True))


def _entity_query(conn: sqlite3.Connection, identity: str) -> sqlite3.Cursor:
    """An article's entities as (start, end, label, text) rows, in the order both paths use."""
    return conn.execute(
        'SELECT start, "end", label, text FROM entities WHERE article_id = ? ORDER BY start, "end"',
        (identity,),
    )


def export_records(
    store: Store,
    annotators: Sequence[str] = (),
    *,
    gold: bool = False,
    include_ignored: bool = False,
    articles: Sequence[str] = (),
) -> Iterator[dict[str, Any]]:
    """The export's records in order.

    Args:
        store: the database.
        annotators: only these annotators' decisions (for gold: only their votes); all if empty.
        gold: export the reviewer's gold decisions, each with every annotator's `votes`.
        include_ignored: also the ignored sentences, each with `"ignored": true` and no labels
            (otherwise they are left out).
        articles: only these articles (ids); all if empty.
    """
    scheme = get_labels(store)
    who = ""
    params: list[Any] = []
    if annotators:
        who = f" AND n.annotator IN ({','.join('?' * len(annotators))})"
        params = list(annotators)
    if gold:
        query = (
            'SELECT s.idx, s.start, s."end", s.text, g.reviewer, g.labels, g.updated_at,'
            " g.ignored, g.note FROM gold g JOIN sentences s ON s.article_id = g.article_id"
            ' AND s.start = g.start AND s."end" = g."end" WHERE g.article_id = ? AND g.decided'
            f"{'' if include_ignored else ' AND NOT g.ignored'} ORDER BY s.idx"
        )
    else:
        query = (
            'SELECT s.idx, s.start, s."end", s.text, n.annotator, n.labels, n.updated_at,'
            " n.ignored, n.source FROM annotations n"
            " JOIN sentences s ON s.article_id = n.article_id"
            ' AND s.start = n.start AND s."end" = n."end"'
            f" WHERE n.article_id = ? AND n.decided{who}"
            f"{'' if include_ignored else ' AND NOT n.ignored'} ORDER BY s.idx, n.annotator"
        )
    chosen = set(articles)
    for identity in article_ids(store):
        if chosen and identity not in chosen:
            continue
        rows = store.conn.execute(query, [identity, *([] if gold else params)]).fetchall()
        if not rows:
            continue
        title, source = store.conn.execute(
            "SELECT title, source FROM articles WHERE id = ?", (identity,)
        ).fetchone()
        spans = sorted({(row[1], row[2]) for row in rows})
        entities = _entities_by_sentence(store, identity, spans)
        votes = _votes(store, identity, who, params, scheme) if gold else {}
        for idx, start, end, text, actor, labels, updated_at, ignored, extra in rows:
            record: dict[str, Any] = {
                "article_id": identity,
                "title": title,
                "source": source,
                "sentence": idx,
                "start": start,
                "end": end,
                "text": text,
                "labels": list(in_scheme_order(json.loads(labels), scheme)),
                "annotator": actor,
                "updated_at": updated_at,
                "entities": entities[(start, end)],
            }
            if ignored:
                record["ignored"] = True
                record["labels"] = []
            if gold:
                record["votes"] = votes.get((start, end), {})
                record["note"] = extra
            else:
                record["origin"] = extra
            yield record


def export_size(
    store: Store,
    annotators: Sequence[str] = (),
    *,
    gold: bool = False,
    include_ignored: bool = False,
    articles: Sequence[str] = (),
) -> int:
    """How many records `export_records` (and lines `export_annotty`) give for these options:
    a progress bar's total, counted without reading any text."""
    table = "gold" if gold else "annotations"
    query = (
        f"SELECT count(*) FROM {table} n JOIN sentences s ON s.article_id = n.article_id"
        ' AND s.start = n.start AND s."end" = n."end" WHERE n.decided'
    )
    params: list[Any] = []
    if annotators and not gold:
        query += f" AND n.annotator IN ({','.join('?' * len(annotators))})"
        params += annotators
    if articles:
        query += f" AND n.article_id IN ({','.join('?' * len(articles))})"
        params += articles
    if not include_ignored:
        query += " AND NOT n.ignored"
    return int(store.conn.execute(query, params).fetchone()[0])


def _votes(
    store: Store, identity: str, who: str, params: list[Any], scheme: Sequence[str]
) -> dict[tuple[int, int], dict[str, list[str]]]:
    votes: dict[tuple[int, int], dict[str, list[str]]] = {}
    rows = store.conn.execute(
        f'SELECT n.start, n."end", n.annotator, n.labels FROM annotations n'
        f" WHERE n.article_id = ? AND n.decided AND NOT n.ignored{who} ORDER BY n.annotator",
        [identity, *params],
    )
    for start, end, annotator, labels in rows:
        votes.setdefault((start, end), {})[annotator] = list(
            in_scheme_order(json.loads(labels), scheme)
        )
    return votes


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write JSON objects one per line (UTF-8, not escaped to ASCII). Returns how many."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


# --- the fast path: annotty's own lines straight from one query ----------------------------------


def export_annotty(
    store: Store,
    out: IO[bytes],
    annotators: Sequence[str] = (),
    *,
    gold: bool = False,
    include_ignored: bool = False,
    articles: Sequence[str] = (),
    tick: Callable[[int], None] | None = None,
) -> int:
    """Write annotty's JSON lines (as `formats.annotty.write_lines` over `export_records` would,
    byte for byte) to a binary stream; returns how many.

    One query streams every decided row in library, sentence and annotator order; an article's
    rows are gathered (memory holds one article) to find their entities with the same sweep, and
    each line is assembled from pieces encoded once (`formats.annotty.LineEncoder`) and written
    a few thousand at a time.

    `tick`, if given, is called with the number of lines written, after each write.
    """
    from annotations.formats.annotty import LineEncoder

    scheme = get_labels(store)
    conn = store.conn
    table, extra = ("gold", "n.note") if gold else ("annotations", "n.source")
    actor = "n.reviewer" if gold else "n.annotator"
    who, params = "", []
    if annotators:
        who = f" AND n.annotator IN ({','.join('?' * len(annotators))})"
        params = list(annotators)
    where = ""
    if articles:
        where = f" AND n.article_id IN ({','.join('?' * len(articles))})"
    query = (
        # An article's rowid, not its id, title and source, which would be read (and made into
        # Python strings) again on each of its rows: those are read once per article.
        f'SELECT a.rowid, s.idx, s.start, s."end", s.text, {actor}, n.labels, n.updated_at,'
        # CROSS JOIN: articles in rowid order drive the join, so only each article's few rows
        # are sorted (not the whole export at once).
        f" n.ignored, {extra} FROM articles a"
        f" CROSS JOIN {table} n ON n.article_id = a.id"
        " CROSS JOIN sentences s ON s.article_id = n.article_id"
        ' AND s.start = n.start AND s."end" = n."end"'
        f" WHERE n.decided{'' if gold else who}{where}"
        f"{'' if include_ignored else ' AND NOT n.ignored'} ORDER BY a.rowid, s.idx, {actor}"
    )
    encoder = LineEncoder(scheme)
    rows = conn.execute(query, [*([] if gold else params), *articles])
    count = 0
    chunk: list[bytes] = []
    for key, group in groupby(rows, itemgetter(0)):
        lines = list(group)
        identity, title, source = conn.execute(
            "SELECT id, title, source FROM articles WHERE rowid = ?", (key,)
        ).fetchone()
        spans = sorted({(row[2], row[3]) for row in lines})
        entities = encoder.entities(spans, _entity_query(conn, identity))
        votes = _votes(store, identity, who, params, scheme) if gold else None
        chunk += encoder.lines(encoder.article(identity, title, source), lines, entities, votes)
        if len(chunk) >= _CHUNK:
            count += len(chunk)
            out.write(b"".join(chunk))
            if tick is not None:
                tick(len(chunk))
            chunk = []
    count += len(chunk)
    out.write(b"".join(chunk))
    if tick is not None and chunk:
        tick(len(chunk))
    return count


_CHUNK = 2000
"""How many lines are gathered before a write (about a megabyte)."""
