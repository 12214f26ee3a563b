"""The reader's session: states, decided count and next undecided, kept up to date per change;
and the sweep that finds each sentence's entities."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.decisions import Change
from annotations.model import UNDECIDED, Decision, Entity, entities_by_sentence
from annotations.session import ReaderSession

SPANS = [(0, 10), (11, 20), (21, 30), (31, 40), (41, 50)]
DECIDED = Decision(("military",), True)


def change(span, after) -> Change:
    return Change("a1", span, UNDECIDED, after)


def test_starts_from_the_stored_decisions() -> None:
    session = ReaderSession(SPANS, {SPANS[1]: DECIDED, SPANS[3]: Decision((), False)})
    assert session.decided_count == 1
    assert session.state(1) == DECIDED and session.state(0) == UNDECIDED
    assert session.next_undecided(-1) == 0
    assert session.next_undecided(0) == 2
    assert session.next_undecided(4) == 0, "wraps round"
    assert session.previous_undecided(2) == 0
    assert session.previous_undecided(0) == 4, "wraps round"


def test_apply_updates_counts_and_returns_the_sentences_touched() -> None:
    session = ReaderSession(SPANS, {})
    assert session.apply([change(SPANS[0], DECIDED), change(SPANS[2], DECIDED)]) == [0, 2]
    assert session.decided_count == 2
    assert session.next_undecided(0) == 1
    assert session.apply([change(SPANS[0], Decision((), False))]) == [0]  # undone
    assert session.decided_count == 1
    assert session.next_undecided(4) == 0
    assert session.apply([change((99, 100), DECIDED)]) == [], "not a sentence of this article"


def test_all_decided_has_no_next() -> None:
    session = ReaderSession(SPANS, dict.fromkeys(SPANS, DECIDED))
    assert session.decided_count == 5
    assert session.next_undecided(2) is None and session.previous_undecided(2) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=30), st.integers(-1, 4))
def test_matches_a_rescan_after_any_changes(steps, after) -> None:
    session = ReaderSession(SPANS, {})
    for index, decided in steps:
        session.apply([change(SPANS[index], Decision((), decided))])
    undecided = [i for i in range(len(SPANS)) if not session.state(i).decided]
    assert session.decided_count == len(SPANS) - len(undecided)
    later = [i for i in undecided if i > after]
    expected = (later or undecided or [None])[0]
    assert session.next_undecided(after) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=12, unique=True),
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 8)), max_size=30),
)
def test_entities_by_sentence_equals_the_scan_per_sentence(cuts, raw) -> None:
    bounds = sorted(cuts)
    spans = [(a + 1 if i else a, b) for i, (a, b) in enumerate(pairwise(bounds))]
    spans = [(a, b) for a, b in spans if a <= b]
    entities = [Entity(start, start + length, "X", "") for start, length in sorted(raw)]
    expected = [[e for e in entities if e.start >= a and e.end <= b] for a, b in spans]
    assert entities_by_sentence(spans, entities) == expected
