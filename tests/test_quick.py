"""Pilot tests of fast annotation: ignoring sentences, quick mode, and ignoring in review.

Decisions are read back through a connection of their own, so the tests check what was committed.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.settings import QUICK_MODE, get_flag, set_flag
from annotations.store import Store
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen
from tui_helpers import (
    ANNOTATOR,
    SAMPLE_ID,
    SAMPLE_SENTENCES,
    SCHEME,
    SIZE,
    committed_annotations,
    committed_gold,
    make_app,
    position,
    row_of,
    screen_text,
    spans,
)

pytestmark = pytest.mark.anyio


def reader(app) -> ReaderScreen:
    assert isinstance(app.screen, ReaderScreen), type(app.screen).__name__
    return app.screen


def committed(path: Path, annotator: str = ANNOTATOR) -> dict[int, tuple[list[str], bool, str]]:
    """idx → (labels, ignored, source) of the annotator's decided rows in the sample."""
    import json

    with closing(sqlite3.connect(path)) as conn:
        index = {
            (s, e): i
            for s, e, i in conn.execute(
                'SELECT start, "end", idx FROM sentences WHERE article_id = ?', (SAMPLE_ID,)
            )
        }
        rows = conn.execute(
            'SELECT start, "end", labels, ignored, source FROM annotations'
            " WHERE article_id = ? AND annotator = ? AND decided",
            (SAMPLE_ID, annotator),
        )
        return {index[(s, e)]: (json.loads(lab), bool(ig), src) for s, e, lab, ig, src in rows}


async def test_x_ignores_the_sentence_and_moves_on_and_undo_brings_it_back(
    tui_store: Store,
) -> None:
    path = tui_store.path
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        await pilot.press("1", "x")
        assert committed(path) == {0: ([], True, "typed")}, "ignored: decided, no labels"
        assert position(screen)[0] == 2, "x moves on like space"
        assert row_of(screen, 0).startswith("✕")
        status = screen_text(screen, "#status")
        assert "decided ░░░░░░░░░░ 0/25 · ignored 1" in status, status
        await pilot.press("space")
        assert "decided ░░░░░░░░░░ 1/25 · ignored 1" in screen_text(screen, "#status")
        await pilot.press("k", "k")
        assert screen_text(screen, "#labels").endswith("ignored")

        await pilot.press("u")  # undoes the space on sentence 2
        await pilot.press("u")  # undoes the ignore: back to the label 1 typed before
        assert committed(path) == {0: (["military"], False, "typed")}
        assert row_of(screen, 0).startswith("● 1··")
        await pilot.press("ctrl+y")
        assert committed(path) == {0: ([], True, "typed")}
        assert row_of(screen, 0).startswith("✕")
        # Agreement and export see an ignored sentence as missing: it is not a "no label".
        decisions = Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME)
        assert decisions.get(SAMPLE_ID, spans(tui_store)[0]).is_negative is False


async def test_quick_mode_decides_ten_sentences_with_ten_keys(tui_store: Store) -> None:
    path = tui_store.path
    set_flag(tui_store, ANNOTATOR, QUICK_MODE, True)
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        assert "quick mode" in screen_text(screen, "#status")
        keys = ["1", "space", "2", "3", "space", "x", "1", "space", "space", "2"]
        for number, key in enumerate(keys, start=1):
            await pilot.press(key)
            assert len(committed(path)) == number, key
            assert position(screen)[0] == number + 1, "each key decides and moves on"
        expected = {
            0: (["military"], False, "typed"),
            1: ([], False, "typed"),
            2: (["diplomatic"], False, "typed"),
            3: (["heritage_damage"], False, "typed"),
            4: ([], False, "typed"),
            5: ([], True, None),
            6: (["military"], False, "typed"),
            7: ([], False, "typed"),
            8: ([], False, "typed"),
            9: (["diplomatic"], False, "typed"),
        }
        assert committed(path) == expected
        status = screen_text(screen, "#status")
        assert "9/25 · ignored 1" in status and "sentence 11/25" in status


async def test_quick_mode_label_keys_replace_the_labels_and_m_goes_back_to_normal(
    tui_store: Store,
) -> None:
    path = tui_store.path
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        assert "normal mode" in screen_text(screen, "#status")
        await pilot.press("1", "2")  # normal: toggles, stays
        assert committed(path) == {0: (["military", "diplomatic"], False, "typed")}
        await pilot.press("m")
        assert "quick mode" in screen_text(screen, "#status")
        assert get_flag(tui_store, ANNOTATOR, QUICK_MODE) is True, "remembered"
        await pilot.press("3")  # quick: exactly that label, and on
        assert committed(path)[0] == (["heritage_damage"], False, "typed")
        assert position(screen)[0] == 2
        await pilot.press("m", "1", "3", "space")  # one key away: several labels
        assert committed(path)[1] == (["military", "heritage_damage"], False, "typed")
        assert position(screen)[0] == 3
        assert get_flag(tui_store, ANNOTATOR, QUICK_MODE) is False


async def test_shift_keys_give_several_labels_in_quick_mode_and_articles_flow_on(
    tui_store: Store,
) -> None:
    from tui_helpers import hostile_id

    path = tui_store.path
    set_flag(tui_store, ANNOTATOR, QUICK_MODE, True)
    sample = spans(tui_store)
    Decisions(tui_store, ANNOTATIONS, ANNOTATOR, SCHEME).decide_many(
        SAMPLE_ID, [(span, [], None) for span in sample[:-2]]
    )
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        assert position(screen)[0] == 24
        await pilot.press("exclamation_mark", "number_sign")  # shift+1, shift+3: stay
        assert committed(path)[23] == (["military", "heritage_damage"], False, "typed")
        assert position(screen)[0] == 24
        await pilot.press("space")  # keeps them, and on
        assert committed(path)[23] == (["military", "heritage_damage"], False, "typed")
        assert position(screen)[0] == 25
        await pilot.press("2")  # the last undecided sentence: quick mode goes on by itself
        assert committed(path)[24] == (["diplomatic"], False, "typed")
        assert screen.article.id == hostile_id(path)
        assert position(screen)[0] == 1
        assert "article done: on to the next with undecided sentences" in app.notifications


async def test_the_mode_is_remembered_per_annotator(tui_store: Store) -> None:
    set_flag(tui_store, "bob", QUICK_MODE, True)
    for annotator, mode in (("alice", "normal mode"), ("bob", "quick mode")):
        app = make_app(tui_store, annotator)
        async with app.run_test(size=SIZE):
            assert mode in screen_text(reader(app), "#status")


async def test_review_shows_ignored_votes_and_the_reviewer_can_ignore(tui_store: Store) -> None:
    sample = spans(tui_store)
    alice = Decisions(tui_store, ANNOTATIONS, "alice", SCHEME)
    bob = Decisions(tui_store, ANNOTATIONS, "bob", SCHEME)
    alice.decide(SAMPLE_ID, sample[0], ["military"])
    bob.ignore(SAMPLE_ID, sample[0])
    alice.ignore(SAMPLE_ID, sample[1])
    bob.ignore(SAMPLE_ID, sample[1])
    app = make_app(tui_store, "rev", review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert row_of(screen, 0).startswith("1·· ✕  ")
        assert row_of(screen, 1).startswith("✕   ✕  ")
        assert "disagreements 0" in screen_text(screen, "#status"), "ignored counts as missing"
        await pilot.press("g", "x")
        assert committed_gold(tui_store.path) == {0: ([], True, "rev", None)}
        assert row_of(screen, 0)[10:13] == "✕  "
        assert position(screen)[0] == 2, "x moves on like space"
        with closing(sqlite3.connect(tui_store.path)) as conn:
            assert conn.execute("SELECT ignored FROM gold").fetchall() == [(1,)]
        await pilot.press("u")
        assert committed_gold(tui_store.path)[0][1] is False
    assert committed_annotations(tui_store.path, "alice")[1] == ([], True)
    assert SAMPLE_SENTENCES == 25


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.usefixtures("clean_env")
def test_quick_and_order_options_are_remembered_for_the_reader(
    tui_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from annotations.settings import READER_ORDER, get_setting
    from tui.app import AnnottyApp
    from tui.cli import cli

    opened: list[str] = []
    monkeypatch.setattr(AnnottyApp, "run", lambda app: opened.append(app.annotator))

    def annotty(*args: str) -> object:
        return CliRunner().invoke(cli, ["--db", str(tui_store.path), *args])

    assert annotty("--annotator", "bob", "--quick").exit_code == 0
    assert get_flag(tui_store, "bob", QUICK_MODE) is True
    assert get_flag(tui_store, "alice", QUICK_MODE) is False
    story = tmp_path / "story.txt"
    story.write_text("Troops entered the town.\n", "utf-8")
    result = annotty("--annotator", "bob", "open", "--normal", "--order", "uncertain", str(story))
    assert result.exit_code == 0, result.output
    assert get_flag(tui_store, "bob", QUICK_MODE) is False
    assert get_setting(tui_store, "bob", READER_ORDER) == "uncertain"
    assert annotty("--annotator", "bob").exit_code == 0, "no option: the remembered choice stays"
    assert get_flag(tui_store, "bob", QUICK_MODE) is False
    assert opened == ["bob", "bob", "bob"]

    wrong = annotty("--quick", "stats")
    assert wrong.exit_code == 2
    assert "--quick, --normal and --order are for the reader" in wrong.output
