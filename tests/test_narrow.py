"""Narrow screens: the status line always ends with `sentence N/M`, titles stay one line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from annotations.store import Store
from tui.screens.library import LibraryScreen
from tui.widgets.chips import fit_join
from tui_helpers import SAMPLE_SENTENCES, make_app, position, screen_text, settle_writes

pytestmark = pytest.mark.anyio

words = st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=30)


@given(
    parts=st.lists(words, min_size=2, max_size=6),
    width=st.integers(0, 140),
    data=st.data(),
)
@settings(max_examples=150, deadline=None)
def test_fit_join_fits_and_keeps_the_last_part(parts: list[str], width: int, data) -> None:
    texts = [Text(part) for part in parts]
    optional = data.draw(st.permutations(range(1, len(parts) - 1)))
    line = fit_join(texts, width, optional=optional)
    assert line.plain.endswith(parts[-1])
    if width == 0:
        assert line.plain == "  │  ".join(parts), "not laid out yet: everything"
        return
    # What must stay: the last part, the first (at least shortened to "…"), and what is not
    # optional; the line fits whenever that much can.
    kept = [part for index, part in enumerate(parts) if index not in optional]
    least = Text(" │ ").join([Text("…"), *map(Text, kept[1:])]).cell_len
    if least <= width:
        assert line.cell_len <= width, (line.plain, width)
    if Text("  │  ").join(texts).cell_len <= width:
        assert line.plain == "  │  ".join(parts), "nothing given up when everything fits"


def test_fit_join_gives_up_the_optional_parts_in_order() -> None:
    parts = [Text("alice"), Text("normal mode"), Text("decided 3/5"), Text("sentence 1/5")]
    assert fit_join(parts, 200).plain == "alice  │  normal mode  │  decided 3/5  │  sentence 1/5"
    assert fit_join(parts, 50).plain == "alice │ normal mode │ decided 3/5 │ sentence 1/5"
    assert fit_join(parts, 40, optional=[2, 1]).plain == "alice  │  normal mode  │  sentence 1/5"
    assert fit_join(parts, 25, optional=[2, 1]).plain == "alice  │  sentence 1/5"
    assert fit_join(parts, 18, optional=[2, 1]).plain == "al… │ sentence 1/5"


@pytest.mark.parametrize("width", [50, 80, 120])
async def test_reader_status_line_ends_with_the_sentence_at_any_width(
    tui_store: Store, width: int
) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=(width, 30)) as pilot:
        screen = app.screen
        await pilot.press("j")
        await settle_writes(app)
        status = screen_text(screen, "#status")
        assert status.rstrip().endswith(f"sentence 2/{SAMPLE_SENTENCES}"), status
        assert position(screen) == (2, SAMPLE_SENTENCES)
        if width >= 80:
            assert "normal mode" in status and "decided" in status and "article 1/" in status


async def test_status_line_refits_when_the_terminal_is_resized(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert "  │  " in screen_text(screen, "#status")
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        status = screen_text(screen, "#status")
        assert len(status) <= 60 and status.endswith(f"sentence 1/{SAMPLE_SENTENCES}"), status


@pytest.mark.parametrize("width", [60, 80])
async def test_library_title_is_one_line_naming_the_database(tui_store: Store, width: int) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        title = screen_text(app.screen, "#library-title").splitlines()
        assert len(title) == 1, title
        assert title[0].rstrip().endswith(f"db {tui_store.path.name}"), title


@pytest.mark.parametrize("width", [40, 60, 80, 120])
async def test_reader_title_is_one_line_naming_the_database(tui_store: Store, width: int) -> None:
    """The header never breaks `db NAME` over two lines: the source gives way, then the title."""
    app = make_app(tui_store)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        title = screen_text(app.screen, "#title").splitlines()
        assert len(title) == 1, title
        assert title[0].rstrip().endswith(f"db {tui_store.path.name}"), title
        if width >= 120:
            assert title[0].startswith("Syrian forces battle IS") and "palmyra" in title[0], title
        await pilot.resize_terminal(50, 30)
        await pilot.pause()
        title = screen_text(app.screen, "#title").splitlines()
        assert len(title) == 1 and title[0].rstrip().endswith(f"db {tui_store.path.name}"), title
