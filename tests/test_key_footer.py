"""Pilot tests for tui.widgets.key_footer.KeyFooter: the screen's keys in one widget."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from tui.widgets.key_footer import KeyFooter

pytestmark = pytest.mark.anyio

SIZE = (80, 10)


class KeysApp(App[None]):
    """Three shown keys (one of them possibly disabled or hidden), one not shown."""

    BINDINGS = [
        Binding("a", "press('a')", "Apple", tooltip="Eat an apple"),
        Binding("b", "press('b')", "Banana"),
        Binding("c", "press('c')", "Cherry", tooltip="A cherry"),
        Binding("d", "press('d')", "Date", show=False),
    ]

    def __init__(self, footer: type[KeyFooter] | type[Footer] = KeyFooter, **options) -> None:
        super().__init__()
        self.footer_type = footer
        self.options = options
        self.pressed: list[str] = []
        self.banana: bool | None = True
        """None: `b` is disabled (shown dimmed); False: hidden (Textual's `check_action`)."""

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield self.footer_type(**self.options)

    def action_press(self, key: str) -> None:
        self.pressed.append(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "press" and parameters == ("b",):
            return self.banana
        return True


def footer_row(app: App[None]) -> str:
    return app.screen._compositor.render_strips()[-1].text


async def test_draws_what_textuals_footer_draws() -> None:
    rows = {}
    for footer, options in ((Footer, {}), (KeyFooter, {}), (Footer, {"compact": True})):
        app = KeysApp(footer, **options)
        async with app.run_test(size=SIZE) as pilot:
            if footer is Footer and options:
                # Textual's footer shows no palette key when compact is set after mounting.
                app.query_one(Footer).show_command_palette = False
            await pilot.pause()
            rows[footer, bool(options)] = footer_row(app)
    app = KeysApp(KeyFooter, compact=True, show_command_palette=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        compact = footer_row(app)
    assert rows[KeyFooter, False] == rows[Footer, False]
    assert rows[KeyFooter, False].startswith(" a Apple  b Banana  c Cherry ")
    assert rows[KeyFooter, False].rstrip().endswith("▏^p palette")
    assert "Date" not in rows[KeyFooter, False]
    assert compact == rows[Footer, True]
    assert compact.startswith("a Apple b Banana c Cherry ")


async def test_a_click_presses_the_key_and_a_disabled_key_does_nothing() -> None:
    app = KeysApp()
    async with app.run_test(size=SIZE) as pilot:
        footer = app.query_one(KeyFooter)
        await pilot.click(KeyFooter, offset=(footer_row(app).index("Cherry"), 0))
        await pilot.click(KeyFooter, offset=(footer_row(app).index(" a ") + 1, 0))
        assert app.pressed == ["c", "a"]
        app.banana = None
        app.refresh_bindings()
        await pilot.pause()
        await pilot.click(KeyFooter, offset=(footer_row(app).index("Banana"), 0))
        assert app.pressed == ["c", "a"], "a disabled key is not pressed"
        assert footer.items()[1].enabled is False


async def test_hovering_a_key_shows_its_tooltip() -> None:
    app = KeysApp()
    async with app.run_test(size=SIZE) as pilot:
        footer = app.query_one(KeyFooter)
        await pilot.hover(KeyFooter, offset=(footer_row(app).index("Apple"), 0))
        assert footer.tooltip == "Eat an apple"
        await pilot.hover(KeyFooter, offset=(footer_row(app).index("Banana"), 0))
        assert footer.tooltip is None, "no tooltip of its own"
        await pilot.hover(KeyFooter, offset=(footer_row(app).index("Cherry"), 0))
        assert footer.tooltip == "A cherry"


async def test_the_keys_follow_the_screens_bindings() -> None:
    app = KeysApp()
    async with app.run_test(size=SIZE) as pilot:
        assert "Banana" in footer_row(app)
        app.banana = False  # hidden
        app.refresh_bindings()
        await pilot.pause()
        assert "Banana" not in footer_row(app)
        assert footer_row(app).startswith(" a Apple  c Cherry ")
        await pilot.click(KeyFooter, offset=(footer_row(app).index("Cherry"), 0))
        assert app.pressed == ["c"], "the clickable places moved with the keys"
