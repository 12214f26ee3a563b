"""The command palette's commands: the keys of the screen it was opened on, by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.screens.help import KeyRow, binding_rows


class ScreenCommands(Provider):
    """Offers every action of the current screen, so nothing needs its key remembered."""

    def _rows(self) -> list[KeyRow]:
        return binding_rows(self.screen, [])

    def _run(self, row: KeyRow) -> partial:
        return partial(self.screen.run_action, row.action)

    async def discover(self) -> Hits:
        for row in self._rows():
            yield DiscoveryHit(row.description, self._run(row), help=" ".join(row.keys))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for row in self._rows():
            score = matcher.match(row.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(row.description),
                    self._run(row),
                    help=" ".join(row.keys),
                )
