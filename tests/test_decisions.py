"""Tests for annotations.decisions (decisions, undo and redo), positions and review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import STORY_ID, TALKS_ID

from annotations.decisions import (
    ANNOTATIONS,
    GOLD,
    Decisions,
    annotators,
    decisions_by_sentence,
)
from annotations.errors import SchemeError
from annotations.library import get_article, stats
from annotations.model import UNDECIDED, Decision
from annotations.positions import last_article, position_in, save_position
from annotations.review import (
    AUTO_NOTE,
    accept_unanimous,
    accept_unanimous_everywhere,
    is_disagreement,
    is_unanimous,
    majority,
)
from annotations.scheme import get_labels, labels_in_use, parse_labels, set_labels
from annotations.store import Store

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]


def spans(store: Store, identity: str) -> list[tuple[int, int]]:
    return [s.span for s in get_article(store, identity).sentences]


def row(store: Store, identity: str, span: tuple[int, int], annotator: str) -> tuple | None:
    return store.conn.execute(
        'SELECT labels, decided FROM annotations WHERE article_id = ? AND start = ? AND "end" = ?'
        " AND annotator = ?",
        (identity, *span, annotator),
    ).fetchone()


@pytest.fixture
def talks(tiny: Store) -> list[tuple[int, int]]:
    """The spans of TALKS' four sentences."""
    return spans(tiny, TALKS_ID)


# --- deciding -------------------------------------------------------------------------------------


def test_decide_and_get(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    assert alice.get(TALKS_ID, talks[0]) == UNDECIDED
    change = alice.decide(TALKS_ID, talks[0], ["heritage_damage", "military"])
    assert change is not None
    assert (change.article_id, change.span, change.before) == (TALKS_ID, talks[0], UNDECIDED)
    decision = alice.get(TALKS_ID, talks[0])
    # Labels are kept in scheme order, whatever order they were given in.
    assert decision.labels == ("military", "heritage_damage")
    assert decision.decided and not decision.is_negative
    assert change.after == decision
    assert row(tiny, TALKS_ID, talks[0], "alice") == ('["military", "heritage_damage"]', 1)


def test_no_label_is_a_decision(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    alice.decide(TALKS_ID, talks[1], [])
    decision = alice.get(TALKS_ID, talks[1])
    assert decision.decided and decision.is_negative and decision.labels == ()
    assert decision != UNDECIDED
    assert not UNDECIDED.is_negative
    assert alice.for_article(TALKS_ID) == {talks[1]: decision}
    assert stats(tiny).by_label == {"alice": {"": 1}}


def test_deciding_the_same_again_is_no_change(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    first = alice.decide(TALKS_ID, talks[0], ["military"])
    assert first is not None
    assert alice.decide(TALKS_ID, talks[0], ["military"]) is None
    assert alice.get(TALKS_ID, talks[0]).updated_at == first.after.updated_at
    assert tiny.value("SELECT count(*) FROM history") == 1


def test_toggle(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    alice.toggle(TALKS_ID, talks[0], "diplomatic")
    alice.toggle(TALKS_ID, talks[0], "military")
    assert alice.get(TALKS_ID, talks[0]).labels == ("military", "diplomatic")
    alice.toggle(TALKS_ID, talks[0], "military")
    alice.toggle(TALKS_ID, talks[0], "diplomatic")
    # Toggling the last label off leaves the sentence decided, with no label.
    assert alice.get(TALKS_ID, talks[0]).is_negative


def test_annotators_never_touch_each_other(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    bob = Decisions(tiny, ANNOTATIONS, "bob", SCHEME)
    alice.decide(TALKS_ID, talks[0], ["military"])
    bob.decide(TALKS_ID, talks[0], ["diplomatic"])
    bob.decide(TALKS_ID, talks[1], [])
    assert alice.get(TALKS_ID, talks[0]).labels == ("military",)
    assert set(alice.for_article(TALKS_ID)) == {talks[0]}
    assert set(bob.for_article(TALKS_ID)) == {talks[0], talks[1]}
    # Bob undoing everything he did leaves Alice's decision alone; Alice has her own history.
    assert bob.undo(TALKS_ID) and bob.undo(TALKS_ID)
    assert not bob.can_undo(TALKS_ID)
    assert alice.get(TALKS_ID, talks[0]).labels == ("military",)
    assert alice.can_undo(TALKS_ID)
    assert annotators(tiny) == ["alice"]
    assert decisions_by_sentence(tiny, ["alice", "bob"]) == {
        (TALKS_ID, *talks[0]): {"alice": ("military",)}
    }


def test_decide_many_is_one_step(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    changes = alice.decide_many(
        TALKS_ID, [(talks[0], ["military"], None), (talks[2], ["diplomatic"], None)]
    )
    assert [c.span for c in changes] == [talks[0], talks[2]]
    undone = alice.undo(TALKS_ID)
    assert {c.span for c in undone} == {talks[0], talks[2]}
    assert all(not d.decided for d in alice.for_article(TALKS_ID).values())
    assert not alice.can_undo(TALKS_ID)


# --- undo and redo --------------------------------------------------------------------------------


def test_undoing_a_first_decision_leaves_a_tombstone(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    decided = alice.decide(TALKS_ID, talks[0], ["military"])
    assert decided is not None
    (change,) = alice.undo(TALKS_ID)
    assert change.before.labels == ("military",)
    assert (change.after.labels, change.after.decided) == ((), False)
    assert row(tiny, TALKS_ID, talks[0], "alice") == ("[]", 0)
    tombstone = alice.get(TALKS_ID, talks[0])
    assert not tombstone.decided
    assert tombstone.updated_at is not None and tombstone.updated_at > decided.after.updated_at
    assert annotators(tiny) == []
    assert stats(tiny).decided == {}
    assert decisions_by_sentence(tiny, ["alice"]) == {}
    (redone,) = alice.redo(TALKS_ID)
    assert redone.after.labels == ("military",)
    assert alice.get(TALKS_ID, talks[0]).decided


def test_undo_and_redo_walk_the_steps(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    alice.decide(TALKS_ID, talks[0], ["military"])
    alice.toggle(TALKS_ID, talks[0], "diplomatic")
    alice.decide(TALKS_ID, talks[1], [])

    def state() -> list[tuple[tuple[str, ...], bool]]:
        return [(d.labels, d.decided) for d in (alice.get(TALKS_ID, s) for s in talks[:2])]

    assert state() == [(("military", "diplomatic"), True), ((), True)]
    assert not alice.can_redo(TALKS_ID)
    alice.undo(TALKS_ID)
    assert state() == [(("military", "diplomatic"), True), ((), False)]
    alice.undo(TALKS_ID)
    assert state() == [(("military",), True), ((), False)]
    alice.undo(TALKS_ID)
    assert state() == [((), False), ((), False)]
    assert alice.undo(TALKS_ID) == []
    assert not alice.can_undo(TALKS_ID) and alice.can_redo(TALKS_ID)
    alice.redo(TALKS_ID)
    alice.redo(TALKS_ID)
    assert state() == [(("military", "diplomatic"), True), ((), False)]
    alice.redo(TALKS_ID)
    assert state() == [(("military", "diplomatic"), True), ((), True)]
    assert alice.redo(TALKS_ID) == []


def test_a_new_change_discards_the_redo(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    alice.decide(TALKS_ID, talks[0], ["military"])
    alice.decide(TALKS_ID, talks[1], ["military"])
    alice.undo(TALKS_ID)
    assert alice.can_redo(TALKS_ID)
    alice.decide(TALKS_ID, talks[2], ["diplomatic"])
    assert not alice.can_redo(TALKS_ID)
    assert alice.redo(TALKS_ID) == []
    assert not alice.get(TALKS_ID, talks[1]).decided
    alice.undo(TALKS_ID)
    alice.undo(TALKS_ID)
    assert alice.for_article(TALKS_ID)[talks[0]].decided is False


def test_history_is_per_article(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    story = spans(tiny, STORY_ID)
    alice.decide(TALKS_ID, talks[0], ["military"])
    alice.decide(STORY_ID, story[1], ["military"])
    (change,) = alice.undo(TALKS_ID)
    assert change.article_id == TALKS_ID
    assert alice.get(STORY_ID, story[1]).decided
    assert not alice.can_undo(TALKS_ID) and alice.can_undo(STORY_ID)


def test_undo_survives_reopening(tiny_db: Path) -> None:
    with Store.open(tiny_db) as store:
        talks = spans(store, TALKS_ID)
        alice = Decisions(store, ANNOTATIONS, "alice", SCHEME)
        alice.decide(TALKS_ID, talks[0], ["military"])
        alice.decide(TALKS_ID, talks[0], ["diplomatic"])
    with Store.open(tiny_db) as store:
        alice = Decisions(store, ANNOTATIONS, "alice", SCHEME)
        alice.undo(TALKS_ID)
        assert alice.get(TALKS_ID, talks[0]).labels == ("military",)
    with Store.open(tiny_db) as store:
        alice = Decisions(store, ANNOTATIONS, "alice", SCHEME)
        assert alice.can_redo(TALKS_ID)
        alice.redo(TALKS_ID)
        assert alice.get(TALKS_ID, talks[0]).labels == ("diplomatic",)


# --- the label scheme -----------------------------------------------------------------------------


def test_scheme_rules(tiny: Store, talks: list) -> None:
    assert parse_labels(" a , b.c ,d-e,f_g") == ["a", "b.c", "d-e", "f_g"]
    for text, message in [
        ("", "a label scheme needs at least one label"),
        ("a,,b", "empty label name in the list"),
        ("a b", "label 'a b' is not allowed: use letters, digits, '_', '-' or '.' (at most 64"),
        ("a,b,a", "label 'a' appears twice"),
        (",".join("abcdefghij"), "at most 9 labels (one per key 1-9); got 10"),
        ("x" * 65, "label 'xxx"),
    ]:
        with pytest.raises(SchemeError) as caught:
            parse_labels(text)
        assert str(caught.value).startswith(message)

    Decisions(tiny, ANNOTATIONS, "alice", SCHEME).decide(TALKS_ID, talks[0], ["diplomatic"])
    Decisions(tiny, GOLD, "rev", SCHEME).decide(TALKS_ID, talks[1], ["heritage_damage"])
    assert labels_in_use(tiny) == {"diplomatic", "heritage_damage"}
    with pytest.raises(SchemeError) as caught:
        set_labels(tiny, ["military", "diplomatic"])
    assert str(caught.value) == (
        "cannot drop label 'heritage_damage': annotations use it "
        "(the scheme can only grow or be reordered once labels are in use)"
    )
    assert get_labels(tiny) == SCHEME
    assert set_labels(tiny, ["heritage_damage", "diplomatic", "new"]) == [
        "heritage_damage",
        "diplomatic",
        "new",
    ]


def test_undo_cannot_bring_back_a_dropped_label(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    alice.decide(TALKS_ID, talks[0], ["military"])
    alice.decide(TALKS_ID, talks[0], [])
    set_labels(tiny, ["diplomatic", "heritage_damage"])  # allowed: nothing uses military now
    alice = Decisions(tiny, ANNOTATIONS, "alice", get_labels(tiny))
    alice.undo(TALKS_ID)
    assert labels_in_use(tiny) <= set(get_labels(tiny))


# --- gold -----------------------------------------------------------------------------------------


def test_gold_is_one_row_per_sentence_with_a_note(tiny: Store, talks: list) -> None:
    ann = Decisions(tiny, GOLD, "ann", SCHEME)
    ben = Decisions(tiny, GOLD, "ben", SCHEME)
    ann.decide(TALKS_ID, talks[0], ["military"], note="clear")
    assert ben.get(TALKS_ID, talks[0]).labels == ("military",)
    assert ben.get(TALKS_ID, talks[0]).note == "clear"
    ben.decide(TALKS_ID, talks[0], ["diplomatic"])
    rows = tiny.conn.execute("SELECT reviewer, labels, decided, note FROM gold").fetchall()
    assert rows == [("ben", '["diplomatic"]', 1, None)]
    ben.undo(TALKS_ID)
    assert ann.get(TALKS_ID, talks[0]) == Decision(
        ("military",), True, ann.get(TALKS_ID, talks[0]).updated_at, "clear"
    )
    assert not ann.can_redo(TALKS_ID) and ben.can_redo(TALKS_ID)
    assert tiny.value("SELECT count(*) FROM annotations") == 0
    assert stats(tiny).gold == 1


# --- positions ------------------------------------------------------------------------------------


def test_positions(tiny: Store) -> None:
    assert last_article(tiny, "alice", "reader") is None
    assert position_in(tiny, "alice", "reader", TALKS_ID) is None
    save_position(tiny, "alice", "reader", TALKS_ID, 2)
    save_position(tiny, "alice", "reader", STORY_ID, 1)
    save_position(tiny, "alice", "review", TALKS_ID, 3)
    save_position(tiny, "bob", "reader", TALKS_ID, 0)
    assert position_in(tiny, "alice", "reader", TALKS_ID) == 2
    assert position_in(tiny, "alice", "review", TALKS_ID) == 3
    assert position_in(tiny, "bob", "reader", TALKS_ID) == 0
    assert last_article(tiny, "alice", "reader") == STORY_ID
    save_position(tiny, "alice", "reader", TALKS_ID, 3)
    assert position_in(tiny, "alice", "reader", TALKS_ID) == 3
    assert last_article(tiny, "alice", "reader") == TALKS_ID
    assert last_article(tiny, "alice", "review") == TALKS_ID
    assert last_article(tiny, "carol", "reader") is None


def test_last_article_must_still_exist(tiny: Store) -> None:
    save_position(tiny, "alice", "reader", "gone", 0)
    assert last_article(tiny, "alice", "reader") is None


# --- review ---------------------------------------------------------------------------------------


def test_vote_helpers() -> None:
    m, d, none = ("military",), ("diplomatic",), ()
    assert is_disagreement({"a": m, "b": d})
    assert not is_disagreement({"a": m, "b": m})
    assert not is_disagreement({"a": m})
    assert is_unanimous({"a": none, "b": none}, ["a", "b"])
    assert not is_unanimous({"a": m}, ["a", "b"])
    assert not is_unanimous({"a": m, "b": d}, ["a", "b"])
    assert majority({"a": m, "b": m, "c": d}) == m
    assert majority({"a": m, "b": d}) is None
    assert majority({"a": m, "b": m, "c": d, "d": d}) is None
    assert majority({}) is None
    assert majority({"a": none, "b": none, "c": m}) == ()


def test_accept_unanimous(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    bob = Decisions(tiny, ANNOTATIONS, "bob", SCHEME)
    carol = Decisions(tiny, ANNOTATIONS, "carol", SCHEME)
    for who, labels in [(alice, ["military"]), (bob, ["military"])]:
        who.decide(TALKS_ID, talks[0], labels)
    for who, labels in [(alice, []), (bob, [])]:
        who.decide(TALKS_ID, talks[1], labels)
    for who, labels in [(alice, ["military"]), (bob, ["diplomatic"])]:
        who.decide(TALKS_ID, talks[2], labels)
    alice.decide(TALKS_ID, talks[3], ["military"])  # bob did not decide it
    carol.decide(TALKS_ID, talks[2], ["diplomatic"])
    rev = Decisions(tiny, GOLD, "rev", SCHEME)
    rev.decide(TALKS_ID, talks[1], ["heritage_damage"], note="mine")  # already gold: kept

    assert len(accept_unanimous(tiny, "rev", ["alice", "bob"], TALKS_ID)) == 1
    gold = rev.for_article(TALKS_ID)
    assert (gold[talks[0]].labels, gold[talks[0]].note) == (("military",), AUTO_NOTE)
    assert AUTO_NOTE == "auto: unanimous"
    assert (gold[talks[1]].labels, gold[talks[1]].note) == (("heritage_damage",), "mine")
    assert set(gold) == {talks[0], talks[1]}
    assert accept_unanimous(tiny, "rev", ["alice", "bob"], TALKS_ID) == []
    # bob and carol agree on sentence 2.
    assert accept_unanimous_everywhere(tiny, "rev", ["bob", "carol"]) == 1
    assert rev.get(TALKS_ID, talks[2]).labels == ("diplomatic",)
    # Each acceptance is one undo step of the reviewer.
    rev.undo(TALKS_ID)
    assert not rev.get(TALKS_ID, talks[2]).decided
    rev.undo(TALKS_ID)
    assert not rev.get(TALKS_ID, talks[0]).decided
    assert rev.get(TALKS_ID, talks[1]).decided
    assert tiny.value("SELECT count(*) FROM annotations WHERE decided") == 8
    gold_rows = tiny.conn.execute("SELECT labels FROM gold WHERE decided").fetchall()
    assert [json.loads(r[0]) for r in gold_rows] == [["heritage_damage"]]


# --- ignoring and the source of a decision --------------------------------------------------------


def test_ignore_is_a_decision_of_its_own_with_undo(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    alice.decide(TALKS_ID, talks[0], ["military"])
    change = alice.ignore(TALKS_ID, talks[0])
    assert change is not None
    now = alice.get(TALKS_ID, talks[0])
    assert (now.decided, now.ignored, now.labels, now.is_negative) == (True, True, (), False)
    assert alice.ignore(TALKS_ID, talks[0]) is None  # already ignored: no new step
    # Ignored sentences are missing for agreement and review.
    assert decisions_by_sentence(tiny, ["alice"], TALKS_ID) == {}
    alice.undo(TALKS_ID)
    back = alice.get(TALKS_ID, talks[0])
    assert (back.labels, back.ignored) == (("military",), False)
    alice.redo(TALKS_ID)
    assert alice.get(TALKS_ID, talks[0]).ignored
    # Deciding an ignored sentence with its (empty) labels un-ignores it: a change, not a no-op.
    assert alice.decide(TALKS_ID, talks[0], []) is not None
    assert alice.get(TALKS_ID, talks[0]).is_negative


def test_gold_can_ignore_too(tiny: Store, talks: list) -> None:
    rev = Decisions(tiny, GOLD, "rev", SCHEME)
    rev.ignore(TALKS_ID, talks[1])
    assert tiny.value("SELECT ignored FROM gold") == 1


def test_source_is_stored_and_restored_by_undo(tiny: Store, talks: list) -> None:
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    alice.decide(TALKS_ID, talks[0], ["military"], source="suggested")
    assert alice.get(TALKS_ID, talks[0]).source == "suggested"
    assert tiny.value("SELECT source FROM annotations") == "suggested"
    alice.decide(TALKS_ID, talks[0], ["diplomatic"], source="typed")
    alice.undo(TALKS_ID)
    assert alice.get(TALKS_ID, talks[0]).source == "suggested"
