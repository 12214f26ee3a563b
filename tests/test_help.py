"""The help screen (generated from each screen's bindings) and the command palette."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets import Static

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.store import Store
from annotations.text import display_label
from tui.screens.article_screen import ArticleScreen
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen
from tui_helpers import (
    SAMPLE_ID,
    SCHEME,
    SIZE,
    committed_annotations,
    committed_gold,
    make_app,
    position,
    spans,
    widget_text,
)

pytestmark = pytest.mark.anyio


def help_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen), type(screen).__name__
    return "\n".join(widget_text(static) for static in screen.query(Static))


def described(*classes: type) -> list[Binding]:
    """The bindings these classes declare (not what they inherit), those with a description."""
    return [b for cls in classes for b in cls.__dict__["BINDINGS"] if b.description]


def expected_description(binding: Binding) -> str | None:
    """What the help must say for a binding (None: it must not be listed)."""
    if binding.action.startswith("toggle_label("):
        key = int(binding.key)
        if key > len(SCHEME):
            return None
        return f"Toggle label “{display_label(SCHEME[key - 1])}”"
    if binding.action.startswith("add_label("):
        key = int(binding.action.removeprefix("add_label(").rstrip(")"))
        if key > len(SCHEME):
            return None
        return f"Toggle label “{display_label(SCHEME[key - 1])}”, stay"
    return binding.description


def check_rows(app, text: str, bindings: list[Binding]) -> None:
    lines = text.splitlines()
    for binding in bindings:
        description = expected_description(binding)
        keys = [app.get_key_display(single) for single in binding.make_bindings([binding])]
        if description is None:
            assert f"label {binding.key}" not in text
            continue
        rows = [line for line in lines if f"  {description}" in line]
        assert rows, f"{binding.action}: {description!r} is not in the help"
        assert all(key in rows[0].split(description)[0].split() for key in keys), (rows[0], keys)


async def test_reader_help_lists_every_key_of_the_screen(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("question_mark")
        text = help_text(app)
        assert text.startswith("Keys: reader")
        bindings = described(ArticleScreen, ReaderScreen)
        assert {b.id for b in bindings} >= {"decide", "undo", "redo", "back", "toggle-label-1"}
        check_rows(app, text, bindings)
        for label in ("military", "diplomatic", "heritage damage"):
            assert f"Toggle label “{label}”" in text
        assert "Toggle label 1" not in text, "label keys name their label"
        assert "Toggle label 4" not in text and "Toggle label “" + "9" not in text
        for global_key in ("?  ", "^q ", "^p "):
            assert any(line.startswith(global_key) for line in text.splitlines()), global_key
        assert "Command palette" in text

        await pilot.press("question_mark")  # ? again closes it: no help on the help
        assert app.screen is reader
        await pilot.press("question_mark", "escape")
        assert app.screen is reader
        await pilot.press("question_mark", "q")
        assert app.screen is reader, "q closes the help, it does not leave the reader"
        assert committed_annotations(tui_store.path) == {}


async def test_library_help(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await pilot.press("question_mark")
        text = help_text(app)
        assert text.startswith("Keys: library")
        check_rows(app, text, described(LibraryScreen))
        assert "Toggle label" not in text and "Decide" not in text
        await pilot.press("escape")
        assert app.screen is library
        assert app.is_running


async def test_review_help(tui_store: Store) -> None:
    app = make_app(tui_store, "rev", review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await pilot.press("question_mark")
        text = help_text(app)
        assert text.startswith("Keys: review")
        bindings = described(ArticleScreen, ReviewScreen)
        assert {b.id for b in bindings} >= {"accept-majority", "accept-unanimous", "confirm-gold"}
        check_rows(app, text, bindings)
        assert "Toggle label “military”" in text
        assert "Decide" not in text, "the reader's own keys are not the review's"
        await pilot.press("escape")
        assert app.screen is review


async def palette_run(pilot, query: str) -> None:
    """Open the palette, type part of a command's name, wait for it to be offered, run it."""
    await pilot.press("ctrl+p")
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    await pilot.press(*query)
    results = palette.query_one(CommandList)
    for _ in range(100):  # the palette searches in a worker
        if results.option_count and query in str(results.get_option_at_index(0).prompt).lower():
            break
        await pilot.pause(0.02)
    else:
        pytest.fail(f"the palette offers nothing for {query!r}")
    await pilot.press("enter")
    await pilot.pause()
    assert not isinstance(pilot.app.screen, CommandPalette)


async def test_command_palette_runs_the_screens_actions_by_name(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await palette_run(pilot, "milit")
        assert app.screen is reader
        assert committed_annotations(tui_store.path) == {0: (["military"], True)}
        await palette_run(pilot, "next sent")
        assert position(reader)[0] == 2
        await palette_run(pilot, "decid")
        assert committed_annotations(tui_store.path)[1] == ([], True)
        await palette_run(pilot, "undo")
        assert committed_annotations(tui_store.path)[1] == ([], False)


async def test_command_palette_in_the_review(tui_store: Store) -> None:
    sample = spans(tui_store)
    for name, labels in (("alice", ["military"]), ("bob", ["military"])):
        Decisions(tui_store, ANNOTATIONS, name, SCHEME).decide(SAMPLE_ID, sample[0], labels)
    app = make_app(tui_store, "rev", review=["alice", "bob"])
    async with app.run_test(size=SIZE) as pilot:
        await palette_run(pilot, "unanim")
        assert committed_gold(tui_store.path) == {0: (["military"], True, "rev", "auto: unanimous")}
