"""Textual's Footer, rebuilt only when the keys it shows change.

Textual's ``Footer`` removes and mounts all its keys again each time the screen's bindings may
have changed: when a screen is pushed, when focus moves, when the app gains focus (three times
before an article's first frame). Each rebuild costs more than the article view's first draw,
because every new ``FooterKey`` is styled twice: created compact, then bound to the footer's
``compact`` (False) and restyled. This footer builds its keys in its first compose (the
screen's bindings are known by then), with the footer's ``compact`` already set, and rebuilds
only when the keys it would show differ from those it shows.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A :class:`~textual.widgets.Footer` that rebuilds only when its keys change."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        """Create the footer.

        Args:
            compact: Display the compact style (less whitespace).
            show_command_palette: Show the command palette's key on the right.
        """
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._shown: Hashable | None = None
        """What the keys now mounted show (None: nothing composed from the bindings yet)."""

    def _keys_signature(self) -> Hashable:
        """Everything the footer's keys are made from: the screen's shown bindings (key as
        displayed, description, enabled, tooltip), the style and the palette key."""
        app = self.app
        shown = tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             binding.group, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
        )  # fmt: skip
        return shown, self.compact, self.show_command_palette

    async def recompose(self) -> None:
        """Rebuild the keys, unless they would be the same as those shown."""
        if self._bindings_ready and self.is_attached and self._keys_signature() == self._shown:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        # Textual's footer shows nothing until the screen first says its bindings changed, then
        # lays out and paints the screen again. The screen's bindings are known already: show
        # them in the first frame (a later change, such as focus, still rebuilds).
        self._bindings_ready = True
        self._shown = self._keys_signature()
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's style: otherwise each key is restyled once created
                # (compact) and again when bound to the footer's `compact`. (The palette's key
                # is not bound: it stays compact, as in Textual's footer.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget
