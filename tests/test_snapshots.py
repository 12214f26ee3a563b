"""Snapshot tests (pytest-textual-snapshot): how the library, reader, help and review look.

Each app runs on a fresh copy of the same analysed database, under a fixed annotator name, at a
fixed terminal size; nothing time- or path-dependent is on screen. Update the SVGs with
`pytest tests/test_snapshots.py --snapshot-update`, then look at them before committing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.review import accept_unanimous
from annotations.store import Store
from tui.app import AnnottyApp
from tui_helpers import ANNOTATOR, SAMPLE_ID, SCHEME, SIZE, fresh_db, spans


@pytest.fixture
def tui_store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(fresh_db(tmp_path_factory, tmp_path)) as store:
        yield store


def still_app(store: Store, annotator: str = ANNOTATOR, **kwargs) -> AnnottyApp:
    app = AnnottyApp(store, annotator, **kwargs)
    app.animation_level = "none"
    return app


async def _library_shown(pilot) -> None:
    """Leave the reader for the library and wait for its rows (read in a worker thread)."""
    await pilot.press("escape")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_library(snap_compare, tui_store: Store) -> None:
    sample = spans(tui_store)
    Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME).decide_many(
        SAMPLE_ID, [(span, [], None) for span in sample[:10]]
    )
    assert snap_compare(still_app(tui_store), run_before=_library_shown, terminal_size=SIZE)


def test_library_in_80_columns(snap_compare, tui_store: Store) -> None:
    """Every column on an 80-column screen: a long title gives way, a URL shows its host, the
    detail line under the table the whole source of the highlighted row."""
    from annotations.library import add_article
    from annotations.model import Analysis, ArticleInput

    text = "Troops entered Palmyra. The museum was shut."
    source = "https://www.bbc.co.uk/news/world-middle-east-35954941?utm_source=twitter"
    title = "Syrian army says it has retaken the ancient city and its ruins from the militants"
    with tui_store.write():
        add_article(
            tui_store,
            ArticleInput(text, title, source),
            Analysis([(0, 23), (24, len(text))], []),
            None,
        )
    app = still_app(tui_store)
    assert snap_compare(app, run_before=_library_shown, press=["j", "j"], terminal_size=(80, 24))


def test_reader(snap_compare, tui_store: Store) -> None:
    # Sentence 1: military and heritage damage; 2: no label; 3: the cursor, diplomatic.
    press = ["1", "3", "j", "space", "2"]
    assert snap_compare(still_app(tui_store), press=press, terminal_size=SIZE)


def test_reader_help(snap_compare, tui_store: Store) -> None:
    assert snap_compare(still_app(tui_store), press=["question_mark"], terminal_size=SIZE)


def test_review(snap_compare, tui_store: Store) -> None:
    sample = spans(tui_store)
    votes = {
        "alice": {0: ["military"], 1: ["military"], 3: [], 5: ["diplomatic"]},
        "bob": {0: ["military"], 1: ["diplomatic"], 3: ["heritage_damage"], 5: ["diplomatic"]},
    }
    for name, labels in votes.items():
        Decisions(tui_store, ANNOTATIONS, name, SCHEME).decide_many(
            SAMPLE_ID, [(sample[index], given, None) for index, given in labels.items()]
        )
    accept_unanimous(tui_store, "rev", ["alice", "bob"], SAMPLE_ID)  # `A` would leave a toast
    app = still_app(tui_store, "rev", review=["alice", "bob"])
    assert snap_compare(app, press=["d"], terminal_size=SIZE)


def _two_annotators(store: Store) -> None:
    sample = spans(store)
    votes = {
        "alice": {0: ["military"], 1: ["military"], 3: []},
        "bob": {0: ["military"], 1: ["diplomatic"], 3: ["heritage_damage"]},
    }
    for name, labels in votes.items():
        Decisions(store, ANNOTATIONS, name, SCHEME).decide_many(
            SAMPLE_ID, [(sample[index], given, None) for index, given in labels.items()]
        )


def test_review_in_80_columns(snap_compare, tui_store: Store) -> None:
    """Every review key in the footer, full names over the columns."""
    _two_annotators(tui_store)
    app = still_app(tui_store, "rev", review=["alice", "bob"])
    assert snap_compare(app, terminal_size=(80, 24))


def test_review_library(snap_compare, tui_store: Store) -> None:
    _two_annotators(tui_store)
    app = still_app(tui_store, "rev", review=["alice", "bob"])
    assert snap_compare(app, run_before=_library_shown, terminal_size=(80, 24))


async def _stats_counted(pilot) -> None:
    """Library, then the stats screen, once its figures are counted."""
    await pilot.press("escape", "s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "120x40"])
def test_stats(snap_compare, tui_store: Store, size: tuple[int, int]) -> None:
    _two_annotators(tui_store)
    accept_unanimous(tui_store, "rev", ["alice", "bob"], SAMPLE_ID)
    assert snap_compare(still_app(tui_store), run_before=_stats_counted, terminal_size=size)
