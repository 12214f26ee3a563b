"""The plain data annotty works with: articles, their analysis, and the decisions made on them.

Offsets are Python string indices into `Article.text`, so `article.text[start:end]` is the
sentence or entity whatever the script. Annotations are anchored to a sentence's span
(`start`, `end`), not only its position, so that they survive a re-analysis and can be matched
across databases.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple, TypeVar


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article."""

    idx: int
    """Position of the sentence in the article, from 0."""
    start: int
    end: int
    text: str
    paragraph: int = 0
    """Index of the paragraph the sentence belongs to (sentences never cross paragraphs)."""

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity found by the pipeline, with offsets into the article text."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the pipeline found in one text: sentence and entity spans."""

    sentences: list[tuple[int, int]]
    entities: list[tuple[int, int, str]]


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article as read from a file, already normalised, before it is analysed and stored."""

    text: str
    title: str | None = None
    source: str | None = None
    meta: dict[str, Any] | None = None
    line: int | None = None
    """Line of the JSONL file it came from, for error messages."""
    language: str | None = None
    """ISO 639-1 code of the language it is written in, when known (set at import)."""


class AnnotationInput(NamedTuple):
    """One annotation line of an annotty JSONL export, read back for import.

    A named tuple, not a dataclass: an import makes one per line, often from a plain tuple
    handed over by the process that read the file (`_make`, ten times cheaper than a frozen
    dataclass's `__init__`)."""

    line: int
    article_id: str
    start: int
    end: int
    text: str
    labels: tuple[str, ...]
    annotator: str
    updated_at: str | None
    votes: dict[str, list[str]] | None = None
    """Present on gold lines (`annotty export --gold`): each annotator's labels."""
    ignored: bool = False
    """`"ignored": true` (`annotty export --include-ignored`): the sentence was set aside."""
    note: str | None = None
    """A gold line's note (e.g. `auto: unanimous`)."""
    origin: str | None = None
    """How an annotator's decision was made (`typed`, `suggested`, `pattern`), if the line says."""


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """A line of the library: an article without its text."""

    id: str
    title: str | None
    source: str | None
    sentence_count: int
    decided: int
    """Sentences decided by the annotator the summary was made for."""
    assigned: bool = False
    """Whether the article is assigned to that annotator (see annotations.team)."""
    rowid: int = 0
    """The article's rowid: its place in the order of import (see annotations.listing)."""


@dataclass(slots=True)
class Article:
    """An analysed article, as the reader shows it."""

    id: str
    title: str | None
    source: str | None
    text: str
    imported_at: str
    pipeline: str | None = None
    meta: dict[str, Any] | None = None
    language: str | None = None
    """ISO 639-1 code of the language detected at import, if any."""
    sentences: list[Sentence] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    _starts: list[int] | None = field(default=None, repr=False, compare=False)

    def entities_in(self, sentence: Sentence) -> list[Entity]:
        """The entities that lie wholly inside a sentence, in text order.

        A bisect into the entities (sorted by start, as get_article returns them), so asking
        for every sentence costs O(S log E), not O(S·E). Set `entities` before asking.
        """
        if self._starts is None or len(self._starts) != len(self.entities):
            self._starts = [entity.start for entity in self.entities]
        first = bisect_left(self._starts, sentence.start)
        last = bisect_left(self._starts, sentence.end, first)
        return [e for e in self.entities[first:last] if e.end <= sentence.end]


T = TypeVar("T")


def entities_by_sentence(
    spans: Sequence[tuple[int, int]],
    entities: Iterable[T],
    span: Callable[[T], tuple[int, int]] = attrgetter("start", "end"),
) -> list[list[T]]:
    """Each sentence's entities: those lying wholly inside it, in the order given.

    Sentences do not overlap, so the only sentence that can hold an entity is the last one
    starting at or before it: a bisect per entity, O(E log S), instead of every entity tested
    against every sentence.

    Args:
        spans: the sentences' (start, end), sorted by start and not overlapping.
        entities: entities (or rows) in the same text.
        span: an entity's (start, end); by default its `start` and `end` attributes.

    Returns:
        One list per span; entities crossing a sentence boundary are in none.
    """
    starts = [start for start, _ in spans]
    found: list[list[T]] = [[] for _ in spans]
    for entity in entities:
        start, end = span(entity)
        index = bisect_right(starts, start) - 1
        if index >= 0 and end <= spans[index][1]:
            found[index].append(entity)
    return found


@dataclass(frozen=True, slots=True)
class Decision:
    """One actor's decision on one sentence: the labels given, possibly none.

    `decided` False is the state "not yet decided" (kept as a row so that undoing a decision is
    itself a change with a time, and a merge cannot bring the undone decision back).
    """

    labels: tuple[str, ...] = ()
    decided: bool = False
    updated_at: str | None = None
    note: str | None = None
    ignored: bool = False
    """Set aside: decided, but as "not article text / not worth a decision" (no labels)."""
    source: str | None = None
    """How the decision was made: `typed`, `suggested` (a model's suggestion, accepted) or
    `pattern`; None where unknown (decisions made before annotty recorded it, and gold)."""

    @property
    def is_negative(self) -> bool:
        """Decided with no label: an explicit "none of these" (an ignored sentence is not)."""
        return self.decided and not self.labels and not self.ignored


UNDECIDED = Decision()
