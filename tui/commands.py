"""The command palette's commands: the keys of the screen it was opened on, by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.screens.help import binding_rows


class ScreenCommands(Provider):
    """Offers every action of the current screen (and the app), so nothing needs a key."""

    def _commands(self) -> list[tuple[str, str, str]]:
        screen = self.screen
        bindings = {}
        for cls in reversed(type(screen).__mro__):
            for binding in cls.__dict__.get("BINDINGS", []):
                for single in binding.make_bindings([binding]):
                    bindings.setdefault(single.action, single)
        rows = binding_rows(screen, [])
        by_description = {description: keys for keys, description, _ in rows}
        commands = []
        for action, binding in bindings.items():
            describe = getattr(screen, "describe_binding", lambda b: b.description)
            description = describe(binding)
            if description in by_description:
                commands.append((description, action, by_description[description]))
        return commands

    async def discover(self) -> Hits:
        for description, action, keys in self._commands():
            yield DiscoveryHit(
                description, partial(self.screen.run_action, action), help=f"key: {keys}"
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, keys in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    partial(self.screen.run_action, action),
                    help=f"key: {keys}",
                )
