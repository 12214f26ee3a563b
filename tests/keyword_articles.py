"""Generated short articles whose sentences' labels follow keywords: a known truth to learn.

Each sentence has filler words plus one keyword for each of its labels. They are stored through
the core (`add_article`) with a fake analysis, one sentence a line, which is much faster than the
spaCy pipeline and just as real for the decisions and suggestions built on them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import add_article, get_article
from annotations.model import Analysis, ArticleInput
from annotations.store import Store

SCHEME = ("military", "diplomatic", "heritage_damage")
KEYWORDS = {
    "military": ("troops", "shelling", "artillery", "soldiers", "offensive", "airstrike"),
    "diplomatic": ("talks", "envoy", "ceasefire", "negotiations", "embassy", "summit"),
    "heritage_damage": ("museum", "temple", "ruins", "looted", "antiquities", "monument"),
}
FILLER = [
    "the",
    "a",
    "of",
    "in",
    "on",
    "and",
    "yesterday",
    "city",
    "people",
    "local",
    "report",
    "said",
    "officials",
    "weather",
    "market",
    "school",
    "road",
    "river",
    "morning",
    "week",
    "new",
    "old",
    "north",
    "south",
]

Truth = tuple[str, ...]


def sentence(rng: random.Random, labels: Truth) -> str:
    words = [rng.choice(FILLER) for _ in range(rng.randint(5, 9))]
    for label in labels:
        words.insert(rng.randint(0, len(words)), rng.choice(KEYWORDS[label]))
    return " ".join(words).capitalize() + "."


def truth(rng: random.Random) -> Truth:
    draw = rng.random()
    if draw < 0.5:
        return ()
    if draw < 0.9:
        return (rng.choice(SCHEME),)
    pair = set(rng.sample(SCHEME, 2))
    return tuple(name for name in SCHEME if name in pair)


def generate(count: int, sentences: int, seed: int = 0) -> list[list[tuple[str, Truth]]]:
    """`count` articles of `sentences` (text, true labels) each; the first line is unique."""
    rng = random.Random(seed)
    articles = []
    for number in range(count):
        lines = [(f"Report number {seed}-{number}.", ())]
        for _ in range(sentences - 1):
            labels = truth(rng)
            lines.append((sentence(rng, labels), labels))
        articles.append(lines)
    return articles


def add_generated(
    store: Store,
    articles: Sequence[Sequence[tuple[str, Truth]]],
    annotator: str | None = None,
) -> list[str]:
    """Store articles (one sentence a line); if `annotator`, decide each with its truth."""
    ids = []
    with store.write():
        for lines in articles:
            text = "\n".join(line for line, _ in lines)
            spans, offset = [], 0
            for line, _ in lines:
                spans.append((offset, offset + len(line)))
                offset += len(line) + 1
            ids.append(
                add_article(store, ArticleInput(text=text), Analysis(spans, []), "generated")
            )
    if annotator is not None:
        decisions = Decisions(store, ANNOTATIONS, annotator, SCHEME)
        for identity, lines in zip(ids, articles, strict=True):
            sentences = get_article(store, identity).sentences
            decisions.decide_many(
                identity,
                [(s.span, labels, None) for s, (_, labels) in zip(sentences, lines, strict=True)],
                source="typed",
            )
    return ids
