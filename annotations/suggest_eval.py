"""How good an annotator's suggestions would be: train on 80% of their articles, test on the rest.

The split is by article (sentences of one article are alike, so a sentence-level split would
flatter the model), seeded so that two runs agree. Beside the model's figures stands a baseline
that gives every sentence each label's majority decision in the training part: a model that
does not beat it has learned nothing useful.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from annotations.suggest import (
    Classifier,
    Example,
    NotEnoughDecisions,
    not_ready_reason,
)

TRAIN_SHARE = 0.8
SEED = 0


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int
    """Test sentences that carry the label."""


@dataclass(frozen=True)
class Evaluation:
    labels: dict[str, LabelScore]
    macro_f1: float
    baseline_macro_f1: float
    baseline: dict[str, LabelScore]
    train: int
    """Sentences trained on."""
    test: int
    """Sentences tested on."""
    train_articles: int
    test_articles: int

    def as_json(self) -> dict:
        return {
            "labels": {
                name: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                    "support": s.support,
                }
                for name, s in self.labels.items()
            },
            "macro_f1": self.macro_f1,
            "baseline_macro_f1": self.baseline_macro_f1,
            "train": self.train,
            "test": self.test,
        }


def split_by_article(
    examples: Sequence[Example], seed: int = SEED
) -> tuple[list[Example], list[Example]]:
    """Examples of a seeded 80% of the articles, and of the rest (at least one article each)."""
    articles = sorted({e.article_id for e in examples})
    if len(articles) < 2:
        raise NotEnoughDecisions(
            "evaluation needs decisions in at least two articles (it tests on unseen articles)"
        )
    random.Random(seed).shuffle(articles)
    cut = min(len(articles) - 1, max(1, round(len(articles) * TRAIN_SHARE)))
    train_ids = set(articles[:cut])
    train = [e for e in examples if e.article_id in train_ids]
    test = [e for e in examples if e.article_id not in train_ids]
    return train, test


def score(
    truth: Sequence[tuple[str, ...]], predicted: Sequence[tuple[str, ...]], scheme: Sequence[str]
) -> dict[str, LabelScore]:
    """Per-label precision, recall and F1 (0 where undefined, as scikit-learn's zero_division=0)."""
    result = {}
    for name in scheme:
        tp = sum(name in t and name in p for t, p in zip(truth, predicted, strict=True))
        fp = sum(name not in t and name in p for t, p in zip(truth, predicted, strict=True))
        fn = sum(name in t and name not in p for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[name] = LabelScore(precision, recall, f1, tp + fn)
    return result


def macro(scores: dict[str, LabelScore]) -> float:
    return sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0


def evaluate(examples: Sequence[Example], scheme: Sequence[str], seed: int = SEED) -> Evaluation:
    """Train on a seeded article-level 80% of the examples and score on the rest.

    Raises:
        NotEnoughDecisions: too few decisions, articles or labelled sentences to train.
    """
    train, test = split_by_article(examples, seed)
    reason = not_ready_reason(train, scheme)
    if reason is not None:
        raise NotEnoughDecisions(f"not enough decisions to evaluate: training part: {reason}")
    if not any(e.labels for e in test):
        raise NotEnoughDecisions(
            "not enough decisions to evaluate: no sentence of the test articles has a label"
        )
    model = Classifier.train(train, scheme, seed=seed)
    predicted = [s.labels for s in model.suggest([e.text for e in test])]
    truth = [e.labels for e in test]
    majority = tuple(
        name for name in scheme if 2 * sum(name in e.labels for e in train) > len(train)
    )
    labels = score(truth, predicted, scheme)
    baseline = score(truth, [majority] * len(test), scheme)
    return Evaluation(
        labels=labels,
        macro_f1=macro(labels),
        baseline_macro_f1=macro(baseline),
        baseline=baseline,
        train=len(train),
        test=len(test),
        train_articles=len({e.article_id for e in train}),
        test_articles=len({e.article_id for e in test}),
    )
