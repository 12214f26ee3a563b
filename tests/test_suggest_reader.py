"""Pilot tests of suggestions in the reader: accepting them, and keys never waiting on training."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

import annotations.suggest as suggest
from annotations import child_process
from annotations.store import Store
from bench.keywords import SCHEME, add_generated, generate
from tui.screens.reader import ReaderScreen
from tui_helpers import SIZE, make_app, position, row_of, screen_text

pytestmark = pytest.mark.anyio
FRESH = generate(1, 6, seed=99)[0]
"""The article nobody has decided yet: (text, true labels) per sentence."""


@pytest.fixture
def library(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    """40 generated articles alice decided, then a fresh one; yields the store and its id."""
    with Store.open(tmp_path / "annotty.db") as store:
        add_generated(store, generate(40, 6, seed=1), "alice")
        (fresh,) = add_generated(store, [FRESH])
        yield store, fresh


def committed(path: Path, article_id: str) -> list[tuple[list[str], str | None]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT n.labels, n.source FROM annotations n JOIN sentences s ON s.article_id ="
            ' n.article_id AND s.start = n.start AND s."end" = n."end"'
            " WHERE n.article_id = ? AND n.decided ORDER BY s.idx",
            (article_id,),
        )
        return [(json.loads(labels), source) for labels, source in rows]


async def settle(app, pilot) -> None:
    """Wait until no worker runs and the messages they posted are handled."""
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


async def test_a_accepts_the_suggestions_on_a_fresh_article(
    library: tuple[Store, str],
) -> None:
    store, fresh = library
    app = make_app(store, article_id=fresh)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await settle(app, pilot)
        assert suggest.stored_model_decisions(store, "alice", SCHEME) == 240, app.notifications
        assert len(screen.suggestions) == 6
        shown = [screen.suggestions[i].labels for i in range(6)]
        assert "suggests" in screen_text(screen, "#labels")
        assert "suggestions: model of 240 decisions" in app.notifications
        for index, labels in enumerate(shown):
            marks = row_of(screen, index)[2:5]
            assert marks == "".join(
                str(n + 1) if name in labels else "·" for n, name in enumerate(SCHEME)
            )
        for number in range(1, 7):
            await pilot.press("a")
            assert len(committed(store.path, fresh)) == number
        decided = committed(store.path, fresh)
        assert decided == [(list(labels), "suggested") for labels in shown]
        assert [tuple(labels) for labels, _ in decided] == [truth for _, truth in FRESH]


async def test_no_key_waits_on_training(
    library: tuple[Store, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, fresh = library
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow_training(pool, function, *args):
        """The real work in its child process; training held back until the keys are pressed."""
        if function is suggest.train_and_store:
            started.set()
            release.wait(timeout=60)
            count = child_process.run_in_child_process(pool, function, *args)
            finished.set()
            return count
        return child_process.run_in_child_process(pool, function, *args)

    app = make_app(store, article_id=fresh)
    app.suggester.run = slow_training
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        for _ in range(1000):
            if started.is_set():
                break
            await pilot.pause()
        assert started.is_set(), "training began in the background"
        steps = [
            ("1", [(["military"], "typed")], 1),
            ("space", [(["military"], "typed")], 2),
            ("x", [(["military"], "typed"), ([], None)], 3),
            ("m", [(["military"], "typed"), ([], None)], 3),
            ("2", [(["military"], "typed"), ([], None), (["diplomatic"], "typed")], 4),
            ("u", [(["military"], "typed"), ([], None)], 3),
        ]
        for key, expected, where in steps:
            await pilot.press(key)
            assert committed(store.path, fresh) == expected, key
            assert position(screen)[0] == where, key
            assert not finished.is_set(), f"{key} was handled while training went on"
        assert screen.suggestions == {}
        release.set()
        await settle(app, pilot)
        assert finished.is_set()
        assert position(screen)[0] == 3
        assert "suggests" in screen_text(screen, "#labels"), "the undecided sentence has one"
        assert row_of(screen, 0).startswith("● 1··"), "a decided sentence shows its own labels"


async def test_o_walks_the_least_sure_sentences_first_across_articles(
    library: tuple[Store, str],
) -> None:
    store, fresh = library
    others = add_generated(store, generate(3, 6, seed=5))
    app = make_app(store, article_id=fresh)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert "least sure first" in screen_text(screen, "#status")
        expected = app.suggester.least_certain(fresh)
        assert screen.ranked == expected
        assert {article for article, _ in expected} == {fresh, *others}
        await pilot.press("space")  # decides sentence 1 of the fresh article, then goes on
        walk = [step for step in expected if step != (fresh, 0)]
        assert (screen.article.id, screen.cursor) == walk[0]
        await pilot.press("x")
        assert (screen.article.id, screen.cursor) == walk[1]
    with Store.open(store.path) as again:
        from annotations.settings import READER_ORDER, get_setting

        assert get_setting(again, "alice", READER_ORDER) == "uncertain", "remembered"


async def test_patterns_suggest_from_the_first_sentence(tui_store: Store, tmp_path: Path) -> None:
    from annotations.patterns import load_patterns_file
    from tui_helpers import SAMPLE_ID, spans

    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(
        '{"label": "military", "pattern": [{"lower": "forces"}]}\n'
        '{"label": "heritage_damage", "pattern": "looting"}\n',
        "utf-8",
    )
    load_patterns_file(tui_store, patterns, SCHEME)
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await settle(app, pilot)
        assert screen.suggestions[0].labels == ("military",)
        assert screen.suggestions[0].source == "pattern"
        assert row_of(screen, 0).startswith("○ 1")
        assert "pattern: military · a accepts" in screen_text(screen, "#labels")
        await pilot.press("a")
        assert committed(tui_store.path, SAMPLE_ID) == [(["military"], "pattern")]
        unmatched = next(i for i in range(25) if i not in screen.suggestions)
        screen.move_to(unmatched)
        await pilot.press("a")
        assert "nothing suggested for this sentence" in app.notifications
        assert len(committed(tui_store.path, SAMPLE_ID)) == 1
    assert len(spans(tui_store)) == 25


def test_the_app_never_imports_spacy_for_suggestions(library: tuple[Store, str]) -> None:
    """Training, scoring and matching run in child processes: the app's own stays free of spaCy
    (checked in a fresh interpreter; this one has long loaded it)."""
    import os
    import subprocess
    import sys
    import textwrap

    store, fresh = library
    code = textwrap.dedent(
        f"""
        import asyncio, json, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from annotations.store import Store
        from tui.app import AnnottyApp

        async def main():
            with Store.open({str(store.path)!r}) as store:
                app = AnnottyApp(store, "alice", article_id={fresh!r})
                app.animation_level = "none"
                async with app.run_test(size=(100, 30)) as pilot:
                    for _ in range(200):
                        await app.workers.wait_for_complete()
                        await pilot.pause()
                        if app.screen.suggestions:
                            break
                    await pilot.press("a")
                    suggested = len(app.screen.suggestions)
            return suggested

        suggested = asyncio.run(main())
        print(json.dumps({{"suggested": suggested, "spacy": "spacy" in sys.modules}}))
        """
    )
    env = {**os.environ, "TEXTUAL_ANIMATIONS": "none"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"suggested": 6, "spacy": False}
    assert committed(store.path, fresh)[0][1] == "suggested"
