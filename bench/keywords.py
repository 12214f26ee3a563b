"""Generated articles whose sentences' labels follow keywords: a known truth to learn and to replay.

Each sentence has filler words plus one keyword for each of its labels. Articles are stored
through the core (`add_article`) with a fake analysis, one sentence a line, which is much faster
than the spaCy pipeline and just as real for the decisions and suggestions built on them. The
tests use the `EASY` mix (common keywords only); `bench/keys_per_decision.py` the `HARD` one
(rarer keywords, ambiguous words in unlabelled sentences, longer sentences).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

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
RARE = {
    "military": ("militants", "garrison", "mortar", "convoy", "checkpoint", "drone"),
    "diplomatic": ("delegation", "treaty", "sanctions", "mediator", "communique", "accord"),
    "heritage_damage": ("colonnade", "artefacts", "excavation", "mosaic", "citadel", "relics"),
}
AMBIGUOUS = ("minister", "forces", "site", "government", "ancient", "army", "city")
FILLER = (
    *("the", "a", "of", "in", "on", "and", "yesterday", "people", "local", "report", "said"),
    *("officials", "weather", "market", "school", "road", "river", "morning", "week", "new"),
    *("old", "north", "south"),
)

Truth = tuple[str, ...]
Lines = list[tuple[str, Truth]]


@dataclass(frozen=True)
class Mix:
    """How hard the generated sentences are to learn."""

    title: str
    filler: tuple[str, ...]
    words: tuple[int, int]
    no_label: float
    rare: float = 0.0
    ambiguous: float = 0.0
    rare_words: dict[str, tuple[str, ...]] = field(default_factory=lambda: RARE)


EASY = Mix("Report number", (*FILLER[:7], "city", *FILLER[7:]), (5, 9), no_label=0.5)
HARD = Mix(
    "Dispatch",
    (*FILLER, "residents", "according", "statement"),
    (6, 14),
    no_label=0.55,
    rare=0.25,
    ambiguous=0.3,
)


def truth(rng: random.Random, mix: Mix = EASY) -> Truth:
    draw = rng.random()
    if draw < mix.no_label:
        return ()
    if draw < 0.9:
        return (rng.choice(SCHEME),)
    pair = set(rng.sample(SCHEME, 2))
    return tuple(name for name in SCHEME if name in pair)


def sentence(rng: random.Random, labels: Truth, mix: Mix = EASY) -> str:
    words = [rng.choice(mix.filler) for _ in range(rng.randint(*mix.words))]
    # Each random draw is taken only when its mix uses it, so a mix's articles stay the same.
    if mix.ambiguous and not labels and rng.random() < mix.ambiguous:
        words.insert(rng.randint(0, len(words)), rng.choice(AMBIGUOUS))
    for label in labels:
        rare = mix.rare and rng.random() < mix.rare
        pool = mix.rare_words[label] if rare else KEYWORDS[label]
        words.insert(rng.randint(0, len(words)), rng.choice(pool))
    return " ".join(words).capitalize() + "."


def generate(count: int, sentences: int, seed: int = 0, mix: Mix = EASY) -> list[Lines]:
    """`count` articles of `sentences` (text, true labels) each; the first line is unique."""
    rng = random.Random(seed)
    articles = []
    for number in range(count):
        lines: Lines = [(f"{mix.title} {seed}-{number}.", ())]
        for _ in range(sentences - 1):
            labels = truth(rng, mix)
            lines.append((sentence(rng, labels, mix), labels))
        articles.append(lines)
    return articles


def add_generated(
    store: Store,
    articles: Sequence[Sequence[tuple[str, Truth]]],
    annotator: str | None = None,
    *,
    source: str = "generated",
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
            ids.append(add_article(store, ArticleInput(text=text), Analysis(spans, []), source))
    if annotator is not None:
        decide_truth(store, ids, articles, annotator)
    return ids


def decide_truth(
    store: Store,
    ids: Sequence[str],
    articles: Sequence[Sequence[tuple[str, Truth]]],
    annotator: str,
) -> None:
    """Decide each stored article's sentences with their truth, through the core."""
    decisions = Decisions(store, ANNOTATIONS, annotator, SCHEME)
    for identity, lines in zip(ids, articles, strict=True):
        sentences = get_article(store, identity).sentences
        decisions.decide_many(
            identity,
            [(s.span, labels, None) for s, (_, labels) in zip(sentences, lines, strict=True)],
            source="typed",
        )
