"""Shared pieces of the Textual tests: an analysed database template, apps, reading the screen.

The template (the sample article, then a short article full of hostile text) is analysed once per
process and copied into each test's tmp_path, so no test waits for spaCy more than once. Decisions
are read back through a second SQLite connection, which sees only what has been committed.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from textual.strip import Strip
from textual.widget import Widget

from annotations.importer import Importer
from annotations.nlp import load_pipeline
from annotations.store import Store
from tui.app import AnnottyApp
from tui.screens.article_screen import ArticleScreen
from tui.widgets.article_view import ArticleView

# Textual reads this when it is first imported (maybe before this module); the apps made here
# also set their animation level to "none" themselves, and subprocesses inherit the variable.
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "seeds" / "palmyra.txt"
SAMPLE_ID = "d0730ee7390b2b66"
SAMPLE_TITLE = "Syrian forces battle IS, recapture historic town of Palmyra"
SAMPLE_SENTENCES = 25
SCHEME = ("military", "diplomatic", "heritage_damage")
ANNOTATOR = "alice"
SIZE = (120, 40)

HOSTILE_FILE = "hostile.txt"
HOSTILE_BYTES = (
    b"Breaking [bold red]news[/] from [@click=app.quit]Paris[/] \x1b[31mtoday\x1b[0m\x07\n\n"
    b"Officials said that [bold red]x[/] happened in Paris on Monday.\n\n"
    b"The report by the ministry says that [link=https://example.org]y[/link] is still open.\n\n"
    b"The mayor then wrote that [@click=app.quit]z[/] was not a threat to anyone.\n\n"
    b"The minister used a \x1b[31mred\x1b[0m pen and rang a bell\x07 twice.\n"
)
HOSTILE_TITLE = "Breaking [bold red]news[/] from [@click=app.quit]Paris[/] today"
"""The headline as stored and shown: markup kept as characters, escape bytes gone."""
HOSTILE_MARKUP = (
    "[bold red]x[/]",
    "[link=https://example.org]y[/link]",
    "[@click=app.quit]z[/]",
    "[bold red]news[/]",
)
FORBIDDEN = ("\x1b", "\x07", "[31m", "[0m")
"""Nothing of the escape sequences in the hostile file may reach the screen."""

_template: Path | None = None


def template(factory: pytest.TempPathFactory) -> Path:
    """The closed template database, built on first use in this process. Do not modify it."""
    global _template
    if _template is None or not _template.exists():
        folder = factory.mktemp("tui-template")
        hostile = folder / HOSTILE_FILE
        hostile.write_bytes(HOSTILE_BYTES)
        path = folder / "template.db"
        store = Store.open(path)
        try:
            importer = Importer(store, pipeline_loader=load_pipeline)
            results = list(importer.import_paths([SAMPLE, hostile]))
            assert [r.status for r in results] == ["imported", "imported"], results
        finally:
            store.close()
        assert not Path(f"{path}-wal").exists(), "closing the store checkpoints the WAL"
        _template = path
    return _template


def fresh_db(factory: pytest.TempPathFactory, folder: Path, name: str = "annotty.db") -> Path:
    """A copy of the template in a test's own folder."""
    return Path(shutil.copy(template(factory), folder / name))


def hostile_id(path: Path) -> str:
    """The id of the hostile article (the second one in library order)."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT id FROM articles ORDER BY rowid LIMIT 1 OFFSET 1").fetchone()[0]


class RecordingApp(AnnottyApp):
    """The type make_app returns: the real app (not a subclass: Textual finds CSS_PATH next to
    the class's own module), animations off, with the notifications it showed."""

    notifications: list[str]


def make_app(store: Store, annotator: str = ANNOTATOR, **kwargs: Any) -> RecordingApp:
    app = AnnottyApp(store, annotator, **kwargs)
    app.animation_level = "none"
    notifications: list[str] = []
    show = app.notify

    def notify(message: str, **options: Any) -> None:
        notifications.append(str(message))
        show(message, **options)

    app.notify = notify  # type: ignore[method-assign]
    app.notifications = notifications  # type: ignore[attr-defined]
    press_keys = app._press_keys

    async def press_then_settle(keys: Any) -> None:
        await press_keys(keys)
        await settle_writes(app)

    app._press_keys = press_then_settle  # type: ignore[method-assign]
    return app  # type: ignore[return-value]


async def settle_writes(app: AnnottyApp, limit: float = 30.0) -> None:
    """Wait until the screen's writes are committed and drawn (they run on the app's writer
    thread, so a key's effect may land after Pilot's press returns). Stops waiting as soon as a
    write waits for another's lock: tests of locks look at that state themselves."""
    for _ in range(int(limit / 0.005)):
        screen = app.screen
        if not getattr(screen, "_writes", None) or getattr(screen, "_waiting", False):
            return
        await asyncio.sleep(0.005)


# -- what the database holds (through a connection of its own) --------------------------------


def _indices(conn: sqlite3.Connection, article_id: str) -> dict[tuple[int, int], int]:
    rows = conn.execute(
        'SELECT start, "end", idx FROM sentences WHERE article_id = ?', (article_id,)
    )
    return {(start, end): idx for start, end, idx in rows}


def committed_annotations(
    path: Path, annotator: str = ANNOTATOR, article_id: str = SAMPLE_ID
) -> dict[int, tuple[list[str], bool]]:
    """An annotator's rows in an article as a second connection sees them: idx → (labels,
    decided)."""
    with closing(sqlite3.connect(path)) as conn:
        index = _indices(conn, article_id)
        rows = conn.execute(
            'SELECT start, "end", labels, decided FROM annotations'
            " WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        )
        return {index[(s, e)]: (json.loads(labels), bool(d)) for s, e, labels, d in rows}


def committed_gold(
    path: Path, article_id: str = SAMPLE_ID
) -> dict[int, tuple[list[str], bool, str, str | None]]:
    """Gold rows as a second connection sees them: idx → (labels, decided, reviewer, note)."""
    with closing(sqlite3.connect(path)) as conn:
        index = _indices(conn, article_id)
        rows = conn.execute(
            'SELECT start, "end", labels, decided, reviewer, note FROM gold WHERE article_id = ?',
            (article_id,),
        )
        return {index[(s, e)]: (json.loads(lab), bool(d), r, n) for s, e, lab, d, r, n in rows}


def history_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM history").fetchone()[0]


# -- what the screen shows ------------------------------------------------------------------


def widget_lines(widget: Widget) -> list[str]:
    """Every row a widget draws, right spaces stripped."""
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def widget_text(widget: Widget) -> str:
    return "\n".join(widget_lines(widget))


def screen_text(screen: Any, selector: str) -> str:
    return widget_text(screen.query_one(selector))


def view_strips(screen: ArticleScreen) -> list[Strip]:
    view = screen.query_one(ArticleView)
    return [view.render_line(y) for y in range(view.size.height)]


def view_rows(screen: ArticleScreen) -> list[str]:
    """The visible rows of the article view, right spaces stripped."""
    return [strip.text.rstrip() for strip in view_strips(screen)]


def article_text(screen: ArticleScreen) -> str:
    """The text column of the visible rows joined up (a sentence split over rows reads whole)."""
    column = screen.gutter_cells() + 2  # the gutter, then the cursor marker and a space
    return "".join(row[column:].strip() for row in view_rows(screen))


def all_screen_rows(app: AnnottyApp) -> list[str]:
    """Every row of the terminal, as the compositor draws it (all layers, toasts included)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


_POSITION = re.compile(r"sentence (\d+)/(\d+)")


def position(screen: ArticleScreen) -> tuple[int, int]:
    """The status line's `sentence N/M` (1-based)."""
    match = _POSITION.search(screen_text(screen, "#status"))
    assert match, screen_text(screen, "#status")
    return int(match[1]), int(match[2])


def row_of(screen: ArticleScreen, index: int) -> str:
    """The first drawn row of a sentence, which must be on screen."""
    view = screen.query_one(ArticleView)
    first, _ = view.lines_of(index)
    y = first - round(view.scroll_y)
    assert 0 <= y < view.size.height, f"sentence {index} is not on screen"
    return view.render_line(y).text


def visible_sentences(screen: ArticleScreen) -> list[int]:
    """Indices of the sentences the view lays out (the filter's result), in order."""
    view = screen.query_one(ArticleView)
    return [i for i in range(view.sentence_count) if view.lines_of(i)[0] >= 0]


def spans(store: Store, article_id: str = SAMPLE_ID) -> list[tuple[int, int]]:
    rows = store.conn.execute(
        'SELECT start, "end" FROM sentences WHERE article_id = ? ORDER BY idx', (article_id,)
    )
    return [(start, end) for start, end in rows]


def iter_segments(strips: Sequence[Strip]) -> Iterator[Any]:
    for strip in strips:
        yield from strip
