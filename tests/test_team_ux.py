"""A team's tool: settling disagreements (candidates, the space/d sequence), the review library,
label display names, and the CLI's errors that name what the user typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import annotty, run_main
from conftest import TALKS_ID
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import get_article
from annotations.review import (
    Candidate,
    candidates,
    next_candidate,
    next_needing_gold,
    review_overview,
)
from annotations.scheme import display_names, get_labels, parse_scheme, set_labels
from annotations.store import Store
from annotations.text import display_label
from tui.screens.review import column_heads
from tui.widgets.chips import source_name

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]


def decide(db: Path, who: str, identity: str, idx: int, labels: list[str]) -> None:
    with Store.open(db) as store:
        span = get_article(store, identity).sentences[idx].span
        Decisions(store, ANNOTATIONS, who, SCHEME).decide(identity, span, labels)


def first_article(db: Path) -> str:
    with Store.open(db) as store:
        return store.conn.execute("SELECT id FROM articles ORDER BY id").fetchone()[0]


# --- candidates: what `a` makes gold ----------------------------------------------------------


def test_candidates_most_given_first_then_in_annotator_order() -> None:
    votes = {"bob": ("diplomatic",), "alice": ("military",), "carol": ("diplomatic",)}
    assert candidates(votes, ["alice", "bob", "carol"]) == [
        Candidate(("diplomatic",), ("bob", "carol")),
        Candidate(("military",), ("alice",)),
    ]
    tie = {"bob": ("diplomatic",), "alice": ()}
    assert [c.labels for c in candidates(tie, ["alice", "bob"])] == [(), ("diplomatic",)]
    assert candidates({}, ["alice"]) == []


def test_next_candidate_cycles_through_a_tie() -> None:
    votes = {"alice": ("military",), "bob": ("diplomatic",)}
    order = ["alice", "bob"]
    first = next_candidate(votes, order, None)
    assert first == Candidate(("military",), ("alice",))
    second = next_candidate(votes, order, first.labels)
    assert second == Candidate(("diplomatic",), ("bob",))
    assert next_candidate(votes, order, second.labels) == first
    assert next_candidate(votes, order, ("heritage_damage",)) == first
    assert next_candidate({}, order, None) is None


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.sets(st.sampled_from(SCHEME)).map(lambda s: tuple(sorted(s))),
    )
)
def test_pressing_a_visits_every_label_set_given(votes: dict) -> None:
    seen = []
    gold = None
    for _ in range(len(set(votes.values()))):
        candidate = next_candidate(votes, ["a", "b", "c", "d"], gold)
        assert candidate is not None
        gold = candidate.labels
        seen.append(gold)
        assert set(candidate.annotators) == {n for n, v in votes.items() if v == gold}
    assert sorted(seen) == sorted(set(votes.values()))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_space_never_skips_a_sentence_needing_gold(data: st.DataObject) -> None:
    """Deciding where `space` leads reaches every sentence without gold, disagreements first."""
    count = data.draw(st.integers(1, 30))
    disagreements = set(data.draw(st.sets(st.integers(0, count - 1))))
    needing = sorted(data.draw(st.sets(st.integers(0, count - 1))))
    cursor = data.draw(st.integers(0, count - 1))
    visited = []
    remaining = list(needing)
    while remaining:
        target = next_needing_gold(cursor, remaining, disagreements)
        assert target in remaining
        visited.append(target)
        remaining.remove(target)
        cursor = target
    assert next_needing_gold(cursor, [], disagreements) is None
    assert sorted(visited) == needing
    firsts = visited[: len(disagreements & set(needing))]
    assert set(firsts) == disagreements & set(needing), "disagreements come first"


def test_column_heads_shorten_only_when_needed() -> None:
    assert column_heads(["alice", "bob"], 3, 40) == ([5, 3], ["alice", "bob"])
    widths, shown = column_heads(["alexandra", "bartholomew"], 3, 12)
    assert widths == [5, 5] and shown == ["alex…", "bart…"]


# --- the review library -----------------------------------------------------------------------


def test_review_overview_puts_what_needs_the_reviewer_first(tiny_db: Path) -> None:
    with Store.open(tiny_db) as store:
        ids = [row[0] for row in store.conn.execute("SELECT id FROM articles ORDER BY id")]
    calm, busy = ids[0], ids[1]
    decide(tiny_db, "alice", calm, 0, ["military"])
    decide(tiny_db, "bob", calm, 0, ["military"])
    decide(tiny_db, "alice", busy, 0, ["military"])
    decide(tiny_db, "bob", busy, 0, [])
    with Store.open(tiny_db) as store:
        overview = review_overview(store, ["alice", "bob"])
        assert [row.id for row in overview[:2]] == [busy, calm]
        top = overview[0]
        assert (top.disagreements, top.open_disagreements, top.compared) == (1, 1, 1)
        assert top.agreement == 0.0 and overview[1].agreement == 1.0
        span = get_article(store, busy).sentences[0].span
        from annotations.decisions import GOLD

        Decisions(store, GOLD, "rev", SCHEME).decide(busy, span, ["military"])
        after = {row.id: row for row in review_overview(store, ["alice", "bob"])}
    assert after[busy].open_disagreements == 0 and after[busy].gold == 1


# --- labels: one display name per label -------------------------------------------------------


def test_parse_scheme_reads_display_names() -> None:
    names, shown = parse_scheme('military,diplomatic,heritage_damage="Heritage damage"')
    assert names == SCHEME
    assert shown == {"heritage_damage": "Heritage damage"}


def test_display_names_are_kept_when_the_scheme_is_reordered(tiny: Store) -> None:
    set_labels(tiny, SCHEME, {"heritage_damage": "Heritage damage"})
    set_labels(tiny, ["heritage_damage", "military", "diplomatic"])
    assert display_names(tiny) == {
        "heritage_damage": "Heritage damage",
        "military": "military",
        "diplomatic": "diplomatic",
    }
    assert get_labels(tiny) == ["heritage_damage", "military", "diplomatic"]
    assert display_label("heritage_damage", display_names(tiny)) == "Heritage damage"


def test_labels_set_with_display_names_shows_them_everywhere(tiny_db: Path) -> None:
    result = annotty(
        "--db", tiny_db, "labels", "set", "military,diplomatic,heritage_damage=Heritage damage"
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == "labels: 1 military, 2 diplomatic, 3 heritage_damage (Heritage damage)\n"
    )
    assert annotty("--db", tiny_db, "labels").stdout.splitlines()[2] == (
        "3  heritage_damage  (Heritage damage)"
    )
    stats = annotty("--db", tiny_db, "stats").stdout
    assert "3 Heritage damage" in stats
    decide(tiny_db, "alice", TALKS_ID, 0, ["heritage_damage"])
    decide(tiny_db, "bob", TALKS_ID, 0, ["heritage_damage"])
    agreement = annotty("--db", tiny_db, "agreement").stdout
    assert "Heritage damage" in agreement
    exported = annotty("--db", tiny_db, "export").stdout.splitlines()
    assert json.loads(exported[0])["labels"] == ["heritage_damage"], "files keep the identifier"


def test_a_display_name_too_long_is_refused(monkeypatch, capsys, tiny_db: Path) -> None:
    code, out, err = run_main(
        monkeypatch, capsys, "--db", tiny_db, "labels", "set", "military=" + "x" * 81
    )
    assert (code, out) == (1, "")
    assert err == "annotty: error: label 'military': display name is 81 characters (at most 80)\n"


# --- the CLI's errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["agreement", "--compare", "alice", "--compare", "alcie"],
        ["agreement", "--annotator", "alice", "--annotator", "alcie"],
        ["review", "--compare", "alcie", "--accept-unanimous"],
        ["review", "--annotator", "alcie"],
        ["export", "--annotator", "alcie"],
    ],
)
def test_an_unknown_annotator_is_an_error_naming_it(
    monkeypatch, capsys, tiny_db: Path, command: list[str]
) -> None:
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    decide(tiny_db, "bob", TALKS_ID, 0, [])
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, *command)
    assert (code, out) == (1, "")
    assert err == "annotty: error: unknown annotator 'alcie' (known: alice, bob)\n"


def test_compare_is_the_annotators_compared(tiny_db: Path) -> None:
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    decide(tiny_db, "bob", TALKS_ID, 0, ["military"])
    decide(tiny_db, "carol", TALKS_ID, 0, [])
    result = annotty(
        "--db", tiny_db, "agreement", "--json", "--compare", "alice", "--compare", "bob"
    )
    assert json.loads(result.stdout)["annotators"] == ["alice", "bob"]
    helped = annotty("agreement", "--help").stdout
    assert "--compare NAME" in helped and "older spelling" in helped
    args = ["--db", tiny_db, "--annotator", "rev", "review", "--accept-unanimous"]
    assert annotty(*args, "--compare", "alice", "--compare", "bob").stdout == (
        "accepted 1 unanimous sentences as gold (rev)\n"
    )


def test_annotations_for_missing_articles_say_what_to_do(
    monkeypatch, capsys, tmp_path: Path, tiny_db: Path
) -> None:
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    lines = tmp_path / "alice.jsonl"
    lines.write_text(annotty("--db", tiny_db, "export").stdout, "utf-8")
    empty = tmp_path / "team.db"
    code, out, err = run_main(monkeypatch, capsys, "--db", empty, "import", lines)
    assert code == 1
    assert out.startswith("0 imported, 0 duplicate, 1 failed")
    assert f"line 1: no article '{TALKS_ID}' in the database: import the articles" in err
    assert "annotty import" in err and "annotty merge" in err


def test_export_to_a_missing_folder_names_the_path_typed(
    monkeypatch, capsys, tmp_path: Path, tiny_db: Path
) -> None:
    target = tmp_path / "missing" / "a.jsonl"
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "export", "-o", target)
    assert (code, out) == (1, "")
    assert err == f"annotty: error: cannot write {target}: No such file or directory\n"
    assert ".partial" not in err


def test_the_app_refuses_to_start_without_a_terminal(monkeypatch, capsys, tiny_db: Path) -> None:
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db)
    assert (code, out) == (1, "")
    assert err.startswith("annotty: error: standard output is not a terminal")
    assert err.count("\n") == 1
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    code, _, err = run_main(monkeypatch, capsys, "--db", tiny_db, "review")
    assert code == 1 and "not a terminal" in err


def test_source_names_are_short() -> None:
    url = "https://www.example.com/news/2016/03/some-very-long-path?utm=1"
    assert source_name(url) == "example.com"
    assert source_name("/home/me/.venv/lib/seeds/palmyra.txt") == "palmyra.txt"


@pytest.mark.anyio
async def test_undo_says_what_changed_and_toasts_stay_off_the_status_line(
    tui_store: Store,
) -> None:
    from textual.widgets import Static
    from textual.widgets._toast import ToastRack

    from tui_helpers import SIZE, make_app

    app = make_app(tui_store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("1", "u")
        await pilot.pause()
        assert app.notifications[-1] == "undone: sentence 1, back to undecided"
        await pilot.press("1", "2", "u")
        await pilot.pause()
        assert app.notifications[-1] == "undone: sentence 1, diplomatic removed"
        rack = app.screen.query_one(ToastRack)
        status = app.screen.query_one("#status", Static)
        assert rack.region.bottom <= status.region.y, "toasts stay above the status line"
