"""What a reading session knows about one article's sentences, kept up to date change by change.

The reader asks it for a sentence's decision, how many are decided and where the next undecided
one is; each committed change updates it in time proportional to the change, so a key press
costs the same in a 20-sentence article and in a 120,000-sentence one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence

from annotations.decisions import Change, Span
from annotations.model import UNDECIDED, Decision


class ReaderSession:
    """One actor's decisions on the sentences of one article."""

    def __init__(self, spans: Sequence[Span], states: Mapping[Span, Decision]) -> None:
        """Start from the decisions read from the database.

        Args:
            spans: the article's sentence spans, in sentence order.
            states: the actor's decision rows by span (spans without a row are undecided).
        """
        self.spans = list(spans)
        self.index_of = {span: index for index, span in enumerate(self.spans)}
        self.states: dict[Span, Decision] = dict(states)
        # One pass over the decision rows, not over the sentences.
        decided = set()
        self._ignored = 0
        for span, decision in self.states.items():
            index = self.index_of.get(span)
            if index is not None and decision.decided:
                decided.add(index)
                self._ignored += decision.ignored
        self._undecided = [index for index in range(len(self.spans)) if index not in decided]

    def state_of(self, span: Span) -> Decision:
        return self.states.get(span, UNDECIDED)

    def state(self, index: int) -> Decision:
        """The decision on sentence `index` (UNDECIDED when there is none)."""
        return self.state_of(self.spans[index])

    @property
    def total(self) -> int:
        return len(self.spans)

    @property
    def ignored_count(self) -> int:
        """Sentences set aside (decided as ignored)."""
        return self._ignored

    @property
    def decided_count(self) -> int:
        """Sentences decided (with labels, with none, or set aside)."""
        return len(self.spans) - len(self._undecided)

    def next_undecided(self, after: int) -> int | None:
        """The first undecided sentence after `after`, wrapping round; None if all are decided.

        `next_undecided(-1)` is the first undecided sentence.
        """
        if not self._undecided:
            return None
        position = bisect_right(self._undecided, after)
        return self._undecided[position % len(self._undecided)]

    def previous_undecided(self, before: int) -> int | None:
        """The last undecided sentence before `before`, wrapping round; None if all are decided."""
        if not self._undecided:
            return None
        position = bisect_left(self._undecided, before) - 1
        return self._undecided[position]

    def apply(self, changes: Iterable[Change]) -> list[int]:
        """Take in committed changes. Returns the indices of the sentences they touched."""
        touched = []
        for change in changes:
            index = self.index_of.get(change.span)
            if index is None:
                continue
            before = self.state_of(change.span)
            self._ignored += (change.after.decided and change.after.ignored) - (
                before.decided and before.ignored
            )
            self.states[change.span] = change.after
            position = bisect_left(self._undecided, index)
            listed = position < len(self._undecided) and self._undecided[position] == index
            if change.after.decided and listed:
                del self._undecided[position]
            elif not change.after.decided and not listed:
                insort(self._undecided, index)
            touched.append(index)
        return touched
