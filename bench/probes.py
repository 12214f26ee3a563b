"""What the bench measures, each run in a fresh interpreter: `python -m bench.probes NAME ARGS`.

Every probe prints one JSON object as its last line, with `seconds` (and sometimes more). The
parent (bench.runner) reads the child's peak memory from the kernel when it exits, so each
figure's memory is that of its own process. Nothing here asserts anything: it measures.

Apps run headless (`App.run(headless=True)`): the compositor renders every frame as in a terminal,
only the bytes are not written anywhere.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


READER = "zoe"
"""Who reads in the app probes: someone with no decisions yet. (An annotator with tens of
thousands of decisions also has a suggestion model trained in a background thread when the
reader opens; that is measured apart, not mixed into the figures of start, keys and library.)"""


def _report(**figures: object) -> None:
    print(json.dumps(figures), flush=True)


# -- the first frame ----------------------------------------------------------------------------


def first_frame(spawned_at: str, db: str, article: str = "") -> None:
    """Seconds from the parent spawning this process to the reader's first frame."""
    from annotations.store import Store
    from tui.app import AnnottyApp

    started = float(spawned_at)
    store = Store.open(db, create=False)
    app = AnnottyApp(store, READER, article_id=article or None)

    async def pilot(pilot) -> None:
        await pilot.pause()
        seconds = time.time() - started
        screen = type(app.screen).__name__
        _report(seconds=seconds, screen=screen)
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)
    store.close()


def bare_frame(spawned_at: str) -> None:
    """The baseline: a bare Textual app showing one Static."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    started = float(spawned_at)

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Syrian forces battle IS, recapture historic town of Palmyra")

    app = Bare()

    async def pilot(pilot) -> None:
        await pilot.pause()
        _report(seconds=time.time() - started)
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)


# -- the library --------------------------------------------------------------------------------


async def _until(pilot, condition, limit: float = 120.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the library never showed its rows")
        await pilot.pause(0.001)


def library(db: str, search: str) -> None:
    """Seconds from leaving the reader until the library shows its rows; then filtering."""
    from textual.widgets import DataTable

    from annotations.store import Store
    from tui.app import AnnottyApp

    store = Store.open(db, create=False)
    app = AnnottyApp(store, READER)
    figures: dict[str, float] = {}

    async def pilot(pilot) -> None:
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("escape")
        table = app.screen.query_one(DataTable)
        await _until(pilot, lambda: table.row_count > 0)
        figures["open"] = time.perf_counter() - start
        await pilot.press("slash")
        start = time.perf_counter()
        # Typed as a user would: each keystroke filters.
        for char in search:
            await pilot.press(char)
        await _until(pilot, lambda: _settled(app))
        await pilot.pause()
        figures["filter"] = time.perf_counter() - start
        # Paged: the table holds a window of the rows; the screen counts the matches.
        figures["matches"] = getattr(app.screen, "matches", None) or table.row_count
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)
    store.close()
    _report(seconds=figures["open"], **figures)


def _settled(app) -> bool:
    return not any(worker.is_running for worker in app.workers)


# -- keys in the reader -------------------------------------------------------------------------


def keys(db: str, presses: str) -> None:
    """CPU seconds of the UI thread for `presses` j/k cursor moves (down then back up), from
    the first sentence of an article without decisions.

    On a copy of the database, by a reader who never reads the original: the run decides 50
    sentences and saves its position, and runs on the database itself started each next one
    elsewhere (in the 100-sentence article, with every sentence decided after two runs)."""
    import sqlite3
    import tempfile
    from pathlib import Path

    from annotations.store import Store
    from tui.app import AnnottyApp

    count = int(presses)
    folder = tempfile.TemporaryDirectory(prefix="annotty-keys-")
    copy = Path(folder.name) / Path(db).name
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    target.close()
    store = Store.open(copy, create=False)
    app = AnnottyApp(store, f"{READER}-keys")
    result: dict[str, float] = {}

    async def pilot(pilot) -> None:
        await pilot.pause()
        down = ["j"] * (count // 2)
        up = ["k"] * (count - count // 2)
        # CPU time of the UI thread: the work each key press does there.
        start = time.thread_time()
        for key in down + up:
            await pilot.press(key)
        result["seconds"] = time.thread_time() - start
        start = time.thread_time()
        for key in ["space"] * 50:
            await pilot.press(key)
        result["decide"] = time.thread_time() - start
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)
    store.close()
    folder.cleanup()
    _report(**result)


# -- opening a big article ----------------------------------------------------------------------


def open_article(db: str) -> None:
    """Seconds until the reader has drawn the article; then, apart, to read it whole."""
    from annotations.library import get_article
    from annotations.store import Store
    from tui.app import AnnottyApp

    store = Store.open(db, create=False)
    app = AnnottyApp(store, READER)
    result: dict[str, float] = {}
    opened = time.perf_counter()

    async def pilot(pilot) -> None:
        await pilot.pause()
        result["seconds"] = time.perf_counter() - opened
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)
    # The article with all its entities as objects: what opening it cost before.
    start = time.perf_counter()
    article = get_article(store, store.value("SELECT id FROM articles") or "")
    result["get_article"] = time.perf_counter() - start
    result["sentences"] = len(article.sentences)
    result["entities"] = len(article.entities)
    result["megabytes"] = len(article.text.encode()) / 1e6
    store.close()
    _report(**result)


# -- export, agreement and imports --------------------------------------------------------------


def naive_export(db: str, out: str) -> None:
    """The export baseline: one SELECT, a dict and `json.dumps` per line, the same lines."""
    import sqlite3

    start = time.perf_counter()
    conn = sqlite3.connect(db)
    labels = [r[0] for r in conn.execute("SELECT name FROM labels ORDER BY position")]
    rows = conn.execute(
        """SELECT n.article_id, a.title, a.source, s.idx, s.start, s."end", s.text,
                  n.labels, n.annotator, n.updated_at,
                  (SELECT json_group_array(json_object('start', e.start - s.start,
                          'end', e."end" - s.start, 'label', e.label, 'text', e.text))
                   FROM entities e WHERE e.article_id = n.article_id
                   AND e.start >= s.start AND e."end" <= s."end")
           FROM annotations n JOIN sentences s ON s.article_id = n.article_id
                AND s.start = n.start AND s."end" = n."end"
           JOIN articles a ON a.id = n.article_id
           WHERE n.decided ORDER BY a.rowid, s.idx, n.annotator"""
    )
    count = 0
    with open(out, "w", encoding="utf-8") as handle:
        for aid, title, source, idx, s, e, text, chosen, who, at, entities in rows:
            chosen = set(json.loads(chosen))
            record = {
                "article_id": aid, "title": title, "source": source, "sentence": idx,
                "start": s, "end": e, "text": text,
                "labels": [name for name in labels if name in chosen],
                "annotator": who, "updated_at": at, "entities": json.loads(entities),
            }  # fmt: skip
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    _report(seconds=time.perf_counter() - start, lines=count)


def bare_pipe(path: str) -> None:
    """The import baseline: the same reduced pipeline's `nlp.pipe(n_process=2)` over the texts."""
    from annotations.nlp import load_pipeline, paragraphs

    start = time.perf_counter()
    with open(path, encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines]
    nlp = load_pipeline().nlp
    units = [p for text in texts for _, p in paragraphs(text)]
    for _doc in nlp.pipe(units, n_process=2, batch_size=64):
        pass
    _report(seconds=time.perf_counter() - start, words=sum(len(t.split()) for t in texts))


def main() -> None:
    name, *args = sys.argv[1:]
    globals()[name](*args)


if __name__ == "__main__":
    main()
