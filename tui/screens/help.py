"""Help: every key of the screen it was opened on, generated from that screen's bindings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def binding_rows(screen: Screen, app_bindings: Iterable[Binding]) -> list[tuple[str, str, str]]:
    """(keys, what it does, longer explanation) for the screen's keys, then the app's.

    Bindings of one action are folded into one row; actions the screen disables are left out.
    """
    describe: Callable[[Binding], str] = getattr(
        screen, "describe_binding", lambda binding: binding.description
    )
    rows: dict[str, tuple[list[str], str, str]] = {}
    bindings = [
        binding
        for cls in reversed(type(screen).__mro__)
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding)
    ]
    for binding in [*bindings, *app_bindings]:
        for single in binding.make_bindings([binding]):
            action, _, arguments = single.action.partition("(")
            if arguments and not _enabled(screen, action, single):
                continue
            keys, _, tooltip = rows.setdefault(
                single.action, ([], describe(single), single.tooltip or "")
            )
            display = screen.app.get_key_display(single)
            if display not in keys:
                keys.append(display)
    return [(" ".join(keys), description, tooltip) for keys, description, tooltip in rows.values()]


def _enabled(screen: Screen, action: str, binding: Binding) -> bool:
    arguments = binding.action.partition("(")[2].rstrip(")")
    parameters = tuple(part.strip().strip("'\"") for part in arguments.split(",") if part)
    return screen.check_action(action, parameters) is not False


class HelpScreen(ModalScreen[None]):
    """A list of keys; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="close-help")]

    def __init__(self, rows: list[tuple[str, str, str]], title: str) -> None:
        super().__init__()
        self.rows = rows
        self.heading = title

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
        table.add_column(style=Style(bold=True), no_wrap=True)
        table.add_column()
        table.add_column(style=Style(dim=True))
        for keys, description, tooltip in self.rows:
            table.add_row(Text(keys), Text(description), Text(tooltip))
        with VerticalScroll(id="help-body"):
            yield Static(Text(self.heading, style="bold"), id="help-title")
            yield Static(table)
            yield Static(Text("escape, q or ? to close", style="dim"))
