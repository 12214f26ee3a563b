"""Page furniture: the lines of an extracted web page that are not the article.

Main-text extraction (trafilatura) keeps whatever sits inside the article's container: bylines,
photo credits, "Sign up for our newsletter", related-story links, copyright lines. Each kind is a
named rule in annotations/boilerplate/rules.py, with a docstring saying what it drops and why, and
examples it must drop and keep (the tests run every rule on its own examples). The rules are
deliberately conservative: they look at whole lines (paragraphs), most only short ones, and a
sentence of reporting that merely mentions a newsletter or a photo stays. What is dropped is not
lost: `clean` returns each dropped text with its rule, and the importer keeps them in the meta.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

_LIST_MARK = re.compile(r"^\s*(?:[-–—•*·▪►]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"\S+")
T = TypeVar("T")


@dataclass(frozen=True)
class Dropped:
    """A piece of text taken out of an article, and the rule that took it."""

    text: str
    rule: str

    def as_json(self) -> dict[str, str]:
        return {"text": self.text, "rule": self.rule}


@dataclass(frozen=True)
class Cleaned:
    """An article's text after the boilerplate pass, and what the pass dropped, in text order."""

    text: str
    dropped: list[Dropped] = field(default_factory=list)


class Page:
    """The lines (paragraphs) of an extracted text, and what rules may ask about them."""

    def __init__(self, lines: Sequence[str], *, anchors: Iterable[str] = ()) -> None:
        self.lines = list(lines)
        self.anchors = frozenset(fold(anchor) for anchor in anchors)
        """The texts of the page's links (from the HTML), folded: a line that is all link."""
        self._memo: dict[str, Any] = {}

    @cached_property
    def folded(self) -> list[str]:
        return [fold(line) for line in self.lines]

    @cached_property
    def word_keys(self) -> list[tuple[str, ...]]:
        """Each line's words, folded: how lines are compared with each other."""
        return [_words_key(line) for line in self.lines]

    @cached_property
    def first_line_with(self) -> dict[tuple[str, ...], int]:
        """For each line's words, the first line that has them."""
        first: dict[tuple[str, ...], int] = {}
        for index, key in enumerate(self.word_keys):
            first.setdefault(key, index)
        return first

    @cached_property
    def first_line_with_run(self) -> dict[tuple[str, ...], int]:
        """For each run of ECHO_WORDS words, the first line it occurs in."""
        first: dict[tuple[str, ...], int] = {}
        for index, key in enumerate(self.word_keys):
            for run in word_runs(key):
                first.setdefault(run, index)
        return first

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """A value a rule computes once per page (e.g. where a paywall notice starts)."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]


@dataclass(frozen=True)
class Rule:
    """A named test for lines of page furniture, with examples of what it drops and keeps."""

    name: str
    test: Callable[[Page, int], bool]
    drops: tuple[str, ...]
    """Texts whose every line the rule drops after the sentence "The council met on Tuesday to
    discuss the budget for next year and the state of the roads." (tests/test_boilerplate.py)."""
    keeps: tuple[str, ...]
    """Lines the rule must keep: article text that looks a little like furniture."""

    @property
    def description(self) -> str:
        return (self.test.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")


RULES: list[Rule] = []
"""Every rule, in the order they are tried (the first that matches names the reason)."""
ECHO_WORDS = 10
"""A caption that repeats this many words of the text in a row is the text's echo."""
MAX_FURNITURE_LENGTH = 1500
"""Characters: a longer line is a paragraph of the article, whatever words it holds."""


def rule(*, drops: Sequence[str], keeps: Sequence[str]) -> Callable:
    """Register a rule: a function (page, line index) -> bool, named after the function."""

    def register(test: Callable[[Page, int], bool]) -> Callable[[Page, int], bool]:
        name = test.__name__.replace("_", " ")
        RULES.append(Rule(name, test, tuple(drops), tuple(keeps)))
        return test

    return register


def fold(text: str) -> str:
    """A line as rules compare it: NFKC, case-folded, list marks and edge punctuation gone."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _LIST_MARK.sub("", text)
    return " ".join(text.split()).strip(" \t:|»«›‹→←↑^•·-–—")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip("\"'”’»)").endswith((".", "!", "?"))


def word_runs(words: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for start in range(len(words) - ECHO_WORDS + 1):
        yield words[start : start + ECHO_WORDS]


def _words_key(line: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", unicodedata.normalize("NFKC", line).casefold()))


TRIMS: list[tuple[str, re.Pattern[str]]] = []
"""Pieces cut from the end of a line that is kept, each with the name it is recorded under
(filled in by annotations.boilerplate.rules)."""


def clean(
    text: str, *, anchors: Iterable[str] = (), rules: Sequence[Rule] | None = None
) -> Cleaned:
    """Drop the lines of `text` that a rule calls furniture.

    Args:
        text: a normalised text (annotations.text.clean_text), paragraphs on lines.
        anchors: the texts of the page's links, for `related link`.
        rules: the rules to run (default: all of RULES).

    Returns:
        The text without those lines, blank lines folded as before, and the dropped pieces.
    """
    active = RULES if rules is None else rules
    lines = text.split("\n")
    page = Page(lines, anchors=anchors)
    kept: list[str] = []
    dropped: list[Dropped] = []
    for index, line in enumerate(lines):
        if not line.strip():
            kept.append(line)
            continue
        if len(line) > MAX_FURNITURE_LENGTH:  # furniture is short; this is a paragraph
            kept.append(line)
            continue
        reason = next((r.name for r in active if r.test(page, index)), None)
        if reason is not None:
            dropped.append(Dropped(line.strip(), reason))
            continue
        if rules is None:
            for name, pattern in TRIMS:
                if (match := pattern.search(line)) and line[: match.start()].strip():
                    dropped.append(Dropped(match.group().strip(), name))
                    line = line[: match.start()]
        kept.append(line)
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")
    return Cleaned(result, dropped)


def rules_named(*names: str) -> list[Rule]:
    """The rules with these names (e.g. `rules_named("widget label")`), in RULES order."""
    return [r for r in RULES if r.name in names]


from annotations.boilerplate import rules as _rules  # noqa: E402, F401  (registers the rules)
