"""Help: every key of the screen it was opened on, generated from that screen's bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def own_bindings(node: object) -> list[Binding]:
    """The bindings annotty's own classes declare for a screen or the app, base classes first.

    Textual's generic ones (focus cycling, copy) are left out: they say nothing about annotty.
    """
    return [
        binding
        for cls in reversed(type(node).__mro__)
        if cls.__module__.startswith("tui.")
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding)
    ]


@dataclass
class KeyRow:
    """One action and the keys that run it."""

    action: str
    keys: list[str]
    description: str
    tooltip: str


def binding_rows(screen: Screen, app_bindings: Iterable[Binding]) -> list[KeyRow]:
    """The screen's keys, then the app's: one row per action, all its keys together.

    Actions the screen disables (labels beyond the scheme) are left out.
    """
    describe: Callable[[Binding], str] = getattr(
        screen, "describe_binding", lambda binding: binding.description
    )
    rows: dict[str, KeyRow] = {}
    for binding in [*own_bindings(screen), *app_bindings]:
        for single in binding.make_bindings([binding]):
            action, _, arguments = single.action.partition("(")
            if arguments and not _enabled(screen, action, single):
                continue
            row = rows.setdefault(single.action, KeyRow(single.action, [], "", ""))
            # A subclass that binds an action again (the review's shorter words) is what the
            # screen shows, so it is what the help says.
            row.description = describe(single)
            row.tooltip = single.tooltip or row.tooltip
            display = screen.app.get_key_display(single)
            if display not in row.keys:
                row.keys.append(display)
    return list(rows.values())


def _enabled(screen: Screen, action: str, binding: Binding) -> bool:
    arguments = binding.action.partition("(")[2].rstrip(")")
    parameters = tuple(part.strip().strip("'\"") for part in arguments.split(",") if part)
    return screen.check_action(action, parameters) is not False


class HelpScreen(ModalScreen[None]):
    """A list of keys; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="close-help")]

    def __init__(self, rows: list[KeyRow], title: str) -> None:
        super().__init__()
        self.rows = rows
        self.heading = title

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
        table.add_column(style=Style(bold=True), no_wrap=True)
        table.add_column()
        table.add_column(style=Style(dim=True))
        for row in self.rows:
            table.add_row(Text(" ".join(row.keys)), Text(row.description), Text(row.tooltip))
        with VerticalScroll(id="help-body"):
            yield Static(Text(self.heading, style="bold"), id="help-title")
            yield Static(table)
            yield Static(Text("escape, q or ? to close", style="dim"))
