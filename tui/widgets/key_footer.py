"""The footer of annotty's screens: the screen's keys in one line, drawn by one widget.

It looks and behaves like Textual's ``Footer`` (the same theme variables, spacing, the palette's
key on the right; a click presses the key, hovering shows its tooltip), but Textual's footer is
a container of one ``FooterKey`` widget per key that removes and mounts all of them again each
time the screen's bindings may have changed (three times before an article's first frame), each
key styled twice. A dozen widgets cost more to mount, style and lay out than the whole article
view: drawn as one line of text, the footer costs the reader's first frame almost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.widget import Widget

PALETTE_BORDER = "▏"
"""Drawn left of the palette's key (Textual's footer gives it a `vkey` left border)."""


@dataclass(frozen=True)
class FooterItem:
    """One key as the footer shows it."""

    key: str
    """The key pressed when the item is clicked."""
    display: str
    """The key as shown (``^p``, ``?``)."""
    description: str
    enabled: bool
    tooltip: str
    palette: bool = False
    """The command palette's key, drawn on the right."""


class KeyFooter(Widget):
    """The screen's shown key bindings in one line, like Textual's ``Footer``."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--border",
    }
    """
    | Class | Description |
    | :- | :- |
    | `key-footer--key` | A key. |
    | `key-footer--description` | What a key does. |
    | `key-footer--hover` | The key under the mouse. |
    | `key-footer--border` | The line left of the palette's key. |
    """

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .key-footer--border {
            color: $foreground 20%;
        }
    }
    """

    compact = reactive(False)
    """Less space around and between the keys."""
    show_command_palette = reactive(True)
    """Show the command palette's key on the right."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        """Create the footer.

        Args:
            compact: Less space around and between the keys.
            show_command_palette: Show the command palette's key on the right.
        """
        super().__init__()
        self.set_reactive(KeyFooter.compact, compact)
        self.set_reactive(KeyFooter.show_command_palette, show_command_palette)
        self._spans: list[tuple[int, int, FooterItem]] = []
        """Where each item was drawn: its first and past-last column."""
        self._hover: FooterItem | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def items(self) -> list[FooterItem]:
        """The keys shown, in the order of the screen's bindings (one per action), and the
        palette's key last (if shown)."""
        app = self.app
        shown: dict[str, FooterItem] = {}
        palette: FooterItem | None = None
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if (
                binding.key == app.COMMAND_PALETTE_BINDING
                and self.show_command_palette
                and app.ENABLE_COMMAND_PALETTE
            ):
                palette = FooterItem(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    enabled,
                    binding.tooltip or binding.description,
                    palette=True,
                )
            if binding.show and binding.action not in shown:
                shown[binding.action] = FooterItem(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    enabled,
                    tooltip,
                )
        return [*shown.values(), *([palette] if palette else [])]

    def _item_text(self, item: FooterItem, hovered: bool, compact: bool) -> Text:
        """One key as Textual's ``FooterKey`` draws it (the palette's key always compact)."""
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        if hovered:
            hover = self.get_component_rich_style("key-footer--hover")
            key_style += Style(bgcolor=hover.bgcolor)
            description_style += Style(color=hover.color, bgcolor=hover.bgcolor)
        description = item.description
        if compact:
            key, description = item.display, f" {description}" if description else ""
        else:
            key, description = f" {item.display} ", f"{description} " if description else ""
        text = Text.assemble((key, key_style), (description, description_style))
        if not item.enabled:
            text.stylize(Style(dim=True))
        return text

    def render(self) -> Text:
        width = self.size.width
        compact = self.compact
        space = Style(bgcolor=self.rich_style.bgcolor)
        """Margins and padding: background only, as Textual draws them."""
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterItem]] = []
        items = self.items()
        palette = items.pop() if items and items[-1].palette else None
        for item in items:
            if compact and line:  # a cell between keys (after the last: the padding)
                line.append(" ", space)
            start = line.cell_len
            line.append_text(self._item_text(item, item == self._hover, compact))
            spans.append((start, line.cell_len, item))
        if palette is not None:
            right = Text(PALETTE_BORDER, self.get_component_rich_style("key-footer--border"))
            right.append_text(self._item_text(palette, palette == self._hover, True))
            right.append(" ", space)
            room = max(0, width - right.cell_len)
            line.truncate(room, pad=True)
            start = room + len(PALETTE_BORDER)
            spans = [(a, min(b, room), item) for a, b, item in spans if a < room]
            spans.append((start, start + right.cell_len - len(PALETTE_BORDER), palette))
            line.append_text(right)
        else:
            line.append(" " * max(0, width - line.cell_len), space)
        self._spans = spans
        return line

    def _item_at(self, x: int) -> FooterItem | None:
        for start, end, item in self._spans:
            if start <= x < end:
                return item
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event.x)
        if item != self._hover:
            self._hover = item
            self.tooltip = item.tooltip if item is not None and item.tooltip else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
