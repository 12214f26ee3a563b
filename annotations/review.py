"""Adjudication: where annotators disagree, what the majority said, and accepting the unanimous.

The reviewer's gold decisions are written through `Decisions` on the GOLD layer, so they are
durable per keystroke and undoable like an annotator's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Candidate:
    """One distinct label set the annotators gave a sentence, and who gave it."""

    labels: tuple[str, ...]
    annotators: tuple[str, ...]


def candidates(votes: Votes, annotators: Sequence[str] = ()) -> list[Candidate]:
    """The distinct label sets given, the most often given first.

    Sets given equally often come in the order of the first annotator (in `annotators`, then by
    name) who gave them, so the order is the same every time the reviewer presses `a`.
    """
    order = {name: position for position, name in enumerate(annotators)}
    ranked = sorted(votes, key=lambda name: (order.get(name, len(order)), name))
    givers: dict[tuple[str, ...], list[str]] = {}
    for name in ranked:
        givers.setdefault(tuple(votes[name]), []).append(name)
    found = [Candidate(labels, tuple(names)) for labels, names in givers.items()]
    # sorted() is stable: equal counts keep the first-giver order built above.
    return sorted(found, key=lambda candidate: -len(candidate.annotators))


def next_candidate(
    votes: Votes, annotators: Sequence[str], gold: tuple[str, ...] | None
) -> Candidate | None:
    """What `a` makes gold: the most given label set, or, when the gold already is one of the
    candidates, the one after it (wrapping), so repeated presses cycle through a tie."""
    found = candidates(votes, annotators)
    if not found:
        return None
    sets = [candidate.labels for candidate in found]
    if gold is not None and tuple(gold) in sets:
        return found[(sets.index(tuple(gold)) + 1) % len(found)]
    return found[0]


def next_needing_gold(
    cursor: int, needing: Sequence[int], disagreements: Collection[int], direction: int = 1
) -> int | None:
    """Where `space` goes after a decision: the next sentence without gold, a disagreement first.

    Args:
        cursor: the sentence the reviewer is on.
        needing: the sentences without gold, in order.
        disagreements: the sentences the annotators disagree on.
        direction: 1 forward, -1 backward; both wrap around.

    Returns:
        The next disagreement without gold after the cursor (wrapping), or, when every
        disagreement has gold, the next sentence without gold; None when all have gold.
    """
    open_disagreements = [index for index in needing if index in disagreements]
    return _next_after(cursor, open_disagreements or list(needing), direction)


def _next_after(cursor: int, wanted: Sequence[int], direction: int) -> int | None:
    if not wanted:
        return None
    if direction > 0:
        after = [index for index in wanted if index > cursor]
        return after[0] if after else wanted[0]
    before = [index for index in wanted if index < cursor]
    return before[-1] if before else wanted[-1]


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


@dataclass(frozen=True)
class ArticleReview:
    """One line of the review library: how much of an article still needs the reviewer."""

    id: str
    title: str | None
    sentences: int
    compared: int
    """Sentences decided by at least two of the annotators reviewed."""
    disagreements: int
    open_disagreements: int
    """Disagreements without gold yet."""
    voted_without_gold: int
    """Sentences someone decided that have no gold yet."""
    gold: int
    agreement: float | None
    """Share of the compared sentences on which all decided alike (None: none compared)."""


def review_overview(store: Store, annotators: Sequence[str]) -> list[ArticleReview]:
    """Every article with its disagreements, gold progress and agreement, the article that
    needs the reviewer most first: open disagreements, then decided sentences without gold.

    Two queries and one pass over the votes, whatever the number of articles.
    """
    votes = decisions_by_sentence(store, annotators)
    gold = {
        (article, start, end)
        for article, start, end in store.conn.execute(
            'SELECT article_id, start, "end" FROM gold WHERE decided'
        )
    }
    counts: dict[str, Counter[str]] = {}
    for key, sentence_votes in votes.items():
        count = counts.setdefault(key[0], Counter())
        has_gold = key in gold
        count["voted_without_gold"] += not has_gold
        if len(sentence_votes) >= 2:
            count["compared"] += 1
            count["alike"] += len(set(sentence_votes.values())) == 1
        if is_disagreement(sentence_votes):
            count["disagreements"] += 1
            count["open"] += not has_gold
    gold_counts = Counter(article for article, _, _ in gold)
    rows = store.conn.execute(
        "SELECT a.id, a.title, COUNT(s.article_id) FROM articles a"
        " LEFT JOIN sentences s ON s.article_id = a.id GROUP BY a.id"
    )
    overview = []
    for identity, title, sentences in rows:
        count = counts.get(identity, Counter())
        compared = count["compared"]
        overview.append(
            ArticleReview(
                id=identity,
                title=title,
                sentences=sentences,
                compared=compared,
                disagreements=count["disagreements"],
                open_disagreements=count["open"],
                voted_without_gold=count["voted_without_gold"],
                gold=gold_counts[identity],
                agreement=count["alike"] / compared if compared else None,
            )
        )
    overview.sort(
        key=lambda row: (-row.open_disagreements, -row.voted_without_gold, row.title or "", row.id)
    )
    return overview
