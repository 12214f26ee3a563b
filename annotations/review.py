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
from annotations.team import assigned_annotators

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

    Unanimous: every chosen annotator assigned to the article (every chosen annotator, when the
    article is not assigned) decided the sentence, and every chosen annotator who decided it
    gave the same labels.

    Returns:
        The changes, one per sentence accepted.
    """
    gold = Decisions(store, GOLD, reviewer, get_labels(store))
    with store.write():
        existing = gold.for_article(article_id)
        votes = decisions_by_sentence(store, annotators, article_id)
        # An assigned article is unanimous when those assigned to it agree (and nobody else
        # chosen who decided it disagrees): the others were never meant to read it.
        assigned = [name for name in annotators if name in assigned_annotators(store, article_id)]
        required = assigned or annotators
        wanted = []
        for (_, start, end), sentence_votes in sorted(votes.items()):
            decided = existing.get((start, end))
            if decided is not None and decided.decided:
                continue
            if is_unanimous(sentence_votes, required):
                labels = next(iter(sentence_votes.values()))
                wanted.append(((start, end), labels, AUTO_NOTE))
        return gold.decide_many(article_id, wanted)


def accept_unanimous_everywhere(
    store: Store, reviewer: str, annotators: Sequence[str], articles: Sequence[str] | None = None
) -> int:
    """accept_unanimous over every article (or these). Returns how many sentences were accepted."""
    chosen = article_ids(store) if articles is None else articles
    return sum(len(accept_unanimous(store, reviewer, annotators, a)) for a in chosen)
