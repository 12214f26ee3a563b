"""Adjudication: where annotators disagree, what the majority said, and accepting the unanimous.

The reviewer's gold decisions are written through `Decisions` on the GOLD layer, so they are
durable per keystroke and undoable like an annotator's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from annotations.decisions import GOLD, Change, Decisions, decisions_by_sentence
from annotations.library import article_ids
from annotations.scheme import get_labels
from annotations.store import Store

Votes = Mapping[str, tuple[str, ...]]
"""The label sets the chosen annotators decided on one sentence, by annotator."""
AUTO_NOTE = "auto: unanimous"
"""The note on gold decisions accepted in bulk rather than one by one."""


def is_disagreement(votes: Votes) -> bool:
    """At least two annotators decided the sentence, and not all alike."""
    return len(votes) >= 2 and len(set(votes.values())) > 1


def is_unanimous(votes: Votes, annotators: Sequence[str]) -> bool:
    """Every chosen annotator decided the sentence, all alike."""
    return all(name in votes for name in annotators) and len(set(votes.values())) == 1


def majority(votes: Votes) -> tuple[str, ...] | None:
    """The label set given most often, or None when there are no votes or a tie for the top."""
    ranked = Counter(votes.values()).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def accept_unanimous(
    store: Store, reviewer: str, annotators: Sequence[str], article_id: str
) -> list[Change]:
    """Make every unanimous sentence of an article without a gold decision gold, as one undo step.

    Returns:
        The changes, one per sentence accepted.
    """
    gold = Decisions(store, GOLD, reviewer, get_labels(store))
    with store.write():
        existing = gold.for_article(article_id)
        votes = decisions_by_sentence(store, annotators, article_id)
        wanted = []
        for (_, start, end), sentence_votes in sorted(votes.items()):
            decided = existing.get((start, end))
            if decided is not None and decided.decided:
                continue
            if is_unanimous(sentence_votes, annotators):
                labels = next(iter(sentence_votes.values()))
                wanted.append(((start, end), labels, AUTO_NOTE))
        return gold.decide_many(article_id, wanted)


def accept_unanimous_everywhere(store: Store, reviewer: str, annotators: Sequence[str]) -> int:
    """accept_unanimous over every article. Returns how many sentences were accepted."""
    return sum(len(accept_unanimous(store, reviewer, annotators, a)) for a in article_ids(store))
