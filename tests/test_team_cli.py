"""Tests of the team commands (assign, handout, rm, review --reached, the plan in stats) and of
README's "Running a team" flow from plan to gold set, end to end."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import annotty, run_main
from click.testing import Result
from conftest import STORY_ID, TALKS_ID, write_jsonl
from team_helpers import add_articles

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import article_ids, get_article
from annotations.store import Store
from annotations.team import coverage, get_plan, progress
from tui import cli_team

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]


@pytest.fixture
def lead_db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    with Store.open(path) as store:
        add_articles(store, [4, 7, 2, 5, 3, 6])
    return path


# --- assign ---------------------------------------------------------------------------------------


def test_assign_records_the_plan_and_show_prints_loads_and_progress(lead_db: Path) -> None:
    result = annotty("--db", lead_db, "assign", "--annotators", "alice,bob,carol", "--overlap", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "assigned 6 articles (12 assignments)"
    assert lines[1] == "plan       alice, bob, carol; overlap 2; calibration 0; seed 0"
    assert lines[2] == "articles   6 of 6 assigned (0 calibration); 0 reached their overlap"
    assert lines[4].split() == [
        "annotator", "articles", "sentences", "decided", "ignored", "remaining", "finished"
    ]  # fmt: skip
    with Store.open(lead_db) as store:
        figures = {row.annotator: row for row in progress(store)}
        assert sum(row.sentences for row in figures.values()) == 2 * 27
        for name, row in figures.items():
            assert f"{name}  " in result.stdout
            assert str(row.sentences) in result.stdout
        first = coverage(store)[0]
        finish(store, first.assigned[0], first.article_id, ["military"])
        finish(store, first.assigned[1], first.article_id, [])

    shown = annotty("--db", lead_db, "assign", "--show")
    assert shown.exit_code == 0
    assert "1 reached their overlap" in shown.stdout
    row = next(line for line in shown.stdout.splitlines() if line.startswith(first.article_id))
    assert row.endswith("reached") and f"{first.assigned[0]} ✓" in row
    # --show alone changes nothing.
    with Store.open(lead_db) as store:
        assert store.value("SELECT count(*) FROM assignments") == 12
    again = annotty("--db", lead_db, "assign")
    assert again.stdout.splitlines()[0] == "assigned 0 articles (0 assignments)"


def finish(store: Store, who: str, identity: str, labels: list[str]) -> None:
    decisions = Decisions(store, ANNOTATIONS, who, SCHEME)
    for sentence in get_article(store, identity).sentences:
        decisions.decide(identity, sentence.span, labels)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--annotators", "alice,bob", "--overlap", "3"], "overlap 3 needs at least 3 annotators"),
        (["--annotators", "alice,bob", "--article", "zzz"], "no article with id 'zzz'"),
        (["--overlap", "2"], "no plan yet: name the annotators"),
        (["--show"], "no plan yet: annotty assign --annotators"),
        (["--annotators", "alice,,bob"], "annotator name is empty"),
    ],
)
def test_assign_errors_are_one_line(
    lead_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, out, err = run_main(monkeypatch, capsys, "--db", lead_db, "assign", *args)
    assert (code, out) == (1, "")
    assert err.startswith(f"annotty: error: {message}") and err.count("\n") == 1


def test_stats_shows_the_plan_section(lead_db: Path) -> None:
    assert "plan:" not in annotty("--db", lead_db, "stats").stdout
    annotty("--db", lead_db, "assign", "--annotators", "alice,bob", "--overlap", "1")
    out = annotty("--db", lead_db, "stats").stdout
    assert "plan: 0 of 6 assigned articles reached their overlap" in out
    assert out.splitlines()[-2].startswith("alice")


# --- handout --------------------------------------------------------------------------------------


def test_handout_writes_a_database_to_open_and_refuses_to_overwrite(
    lead_db: Path, tmp_path: Path
) -> None:
    annotty("--db", lead_db, "assign", "--annotators", "alice,bob", "--overlap", "1")
    out = tmp_path / "alice.db"
    result = annotty("--db", lead_db, "handout", "alice", "-o", out)
    assert result.exit_code == 0, result.output
    with Store.open(lead_db) as lead, Store.open(out, create=False) as mine:
        query = "SELECT article_id FROM assignments WHERE annotator = 'alice'"
        alices = [row[0] for row in lead.conn.execute(query)]
        assert sorted(article_ids(mine)) == sorted(alices)
        sentences = sum(len(get_article(mine, i).sentences) for i in alices)
    assert result.stdout.splitlines() == [
        f"handed out {len(alices)} articles ({sentences} sentences, 0 decisions) to alice in {out}",
        f"alice opens it with: annotty --db {out} --annotator alice",
    ]
    before = out.read_bytes()
    again = annotty("--db", lead_db, "handout", "alice", "-o", out)
    assert again.exit_code == 1 and "already exists" in str(again.exception)
    assert out.read_bytes() == before
    assert annotty("--db", lead_db, "handout", "alice", "-o", out, "--force").exit_code == 0
    nobody = annotty("--db", lead_db, "handout", "zoe", "-o", tmp_path / "zoe.db")
    assert "nothing is assigned to zoe" in str(nobody.exception)


# --- rm -------------------------------------------------------------------------------------------


def test_rm_with_yes_prints_what_it_removed(tiny_db: Path) -> None:
    with Store.open(tiny_db) as store:
        finish(store, "alice", TALKS_ID, ["military"])
    result = annotty("--db", tiny_db, "rm", "--yes", TALKS_ID[:5])
    assert result.exit_code == 0, result.output
    with Store.open(tiny_db) as store:
        assert article_ids(store) == [STORY_ID]
    assert result.stdout == (
        "removed 1 article: 4 sentences, 4 entities, 4 decisions, 4 history entries\n"
    )


def test_rm_asks_on_a_terminal_and_refuses_elsewhere(
    tiny_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_main(monkeypatch, capsys, "--db", tiny_db, "rm", TALKS_ID)
    assert (code, out) == (1, "")
    assert err == "annotty: error: rm asks before it deletes: run it on a terminal, or add --yes\n"
    monkeypatch.setattr(cli_team, "on_terminal", lambda: True)
    with Store.open(tiny_db) as store:
        finish(store, "bob", TALKS_ID, [])
    no = annotty("--db", tiny_db, "rm", TALKS_ID, STORY_ID, stdin="n\n")
    assert no.exit_code == 1
    assert "Remove 2 articles and 4 decisions? [y/N]" in no.stderr
    assert f"{TALKS_ID}  Talks: 4 sentences, 4 decisions by bob" in no.stderr
    assert no.stderr.rstrip().endswith("nothing removed")
    with Store.open(tiny_db) as store:
        assert len(article_ids(store)) == 2
    yes = annotty("--db", tiny_db, "rm", STORY_ID, stdin="y\n")
    assert yes.exit_code == 0 and yes.stdout.startswith("removed 1 article")
    with Store.open(tiny_db) as store:
        assert article_ids(store) == [TALKS_ID]


def test_rm_resolves_every_argument_before_removing_any(tiny_db: Path) -> None:
    result = annotty("--db", tiny_db, "rm", "--yes", TALKS_ID, "nope")
    assert result.exit_code == 1 and "no article with id 'nope'" in str(result.exception)
    with Store.open(tiny_db) as store:
        assert len(article_ids(store)) == 2
    ambiguous = annotty("--db", tiny_db, "rm", "--yes", "")
    assert "several articles" in str(ambiguous.exception)


# --- the whole flow, as README tells it -----------------------------------------------------------


def test_running_a_team_from_plan_to_gold_set(tmp_path: Path) -> None:
    """README's "Running a team": 30 articles, three annotators at overlap 2, three hand-outs,
    annotated through the core, merged back, agreement, unanimous sentences accepted, gold out."""
    sentences = [
        f"Troops moved near Aleppo on day {day} of report {number}."
        for number in range(30)
        for day in range(2 + number % 7)
    ]
    records, at = [], 0
    for number in range(30):
        size = 2 + number % 7
        records.append({"title": f"Report {number}", "text": "\n".join(sentences[at : at + size])})
        at += size
    feed = write_jsonl(tmp_path / "articles.jsonl", records)
    team = tmp_path / "team.db"
    team_names = ["alice", "bob", "carol"]

    def run(*args: str | Path) -> Result:
        result = annotty("--db", team, *args)
        assert result.exit_code == 0, result.output
        return result

    run("import", feed)
    run("assign", "--annotators", ",".join(team_names), "--overlap", "2")
    for name in team_names:
        run("handout", name, "-o", tmp_path / f"{name}.db")

    loads, biggest = {}, 0
    for position, name in enumerate(team_names):
        with Store.open(tmp_path / f"{name}.db") as mine:
            decisions = Decisions(mine, ANNOTATIONS, name, SCHEME)
            loads[name] = 0
            for identity in article_ids(mine):
                article = get_article(mine, identity)
                loads[name] += len(article.sentences)
                biggest = max(biggest, len(article.sentences))
                for sentence in article.sentences:
                    # Everyone agrees, but for the first sentence of each article, where each
                    # annotator gives a label of their own.
                    labels = [SCHEME[position]] if sentence.idx == 0 else [SCHEME[sentence.idx % 3]]
                    decisions.decide(identity, sentence.span, labels)
    assert max(loads.values()) - min(loads.values()) <= biggest

    merged = run("merge", *(tmp_path / f"{name}.db" for name in team_names)).stdout
    assert merged.splitlines()[-1] == (
        "plan: 30 of 30 articles reached their overlap; "
        + ", ".join(f"{name} {loads[name]}/{loads[name]}" for name in team_names)
    )
    with Store.open(team) as store:
        rows = coverage(store)
        assert len(rows) == 30 and all(len(r.assigned) == 2 and r.reached for r in rows)
        total = sum(r.sentences for r in rows)
        plan = get_plan(store)
        assert plan is not None and plan.overlap == 2
    shown = run("assign", "--show").stdout
    assert "30 reached their overlap" in shown

    report = json.loads(run("agreement", "--json").stdout)
    assert all(figures["n"] == total for figures in report["labels"].values())
    assert report["overall"]["percent_exact"] == pytest.approx((total - 30) / total)

    accepted = run("--annotator", "rev", "review", "--reached", "--accept-unanimous").stdout
    assert accepted == f"accepted {total - 30} unanimous sentences as gold (rev)\n"
    run("export", "--gold", "-o", tmp_path / "gold.jsonl")
    gold = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text("utf-8").splitlines()]
    assert len(gold) == total - 30
    assert all(len(line["votes"]) == 2 and line["annotator"] == "rev" for line in gold)
    assert {line["article_id"] for line in gold} == {r.article_id for r in rows}


def test_review_reached_needs_an_article_that_reached_it(lead_db: Path, tmp_path: Path) -> None:
    annotty("--db", lead_db, "assign", "--annotators", "alice,bob", "--overlap", "2")
    with Store.open(lead_db) as store:
        first, second = article_ids(store)[:2]
        finish(store, "alice", first, ["military"])
        finish(store, "alice", second, ["military"])
        finish(store, "bob", second, ["military"])
        finish(store, "bob", first, ["military"])
        Decisions(store, ANNOTATIONS, "bob", SCHEME).undo(first)  # bob has not finished it
    result = annotty("--db", lead_db, "--annotator", "rev", "review", "--reached",
                     "--accept-unanimous")  # fmt: skip
    with Store.open(lead_db) as store:
        size = len(get_article(store, second).sentences)
    assert result.stdout == f"accepted {size} unanimous sentences as gold (rev)\n"
    empty = Path(shutil.copy(lead_db, tmp_path / "empty.db"))
    with Store.open(empty) as store, store.write():
        store.conn.execute("DELETE FROM annotations WHERE annotator = 'bob'")
    nothing = annotty("--db", empty, "review", "--reached")
    assert "no article has reached its overlap yet" in str(nothing.exception)


def test_assign_json_is_the_plan_and_every_articles_state(lead_db: Path) -> None:
    result = annotty("--db", lead_db, "assign", "--annotators", "bob,alice", "--json")
    assert result.exit_code == 0
    assert result.stderr == "assigned 6 articles (6 assignments)\n"
    data = json.loads(result.stdout)
    assert data["plan"] == {"annotators": ["bob", "alice"], "overlap": 1, "calibration": 0,
                            "seed": 0}  # fmt: skip
    assert data["articles"] == {"total": 6, "assigned": 6, "reached": 0}
    assert [row["annotator"] for row in data["annotators"]] == ["bob", "alice"]
    assert sum(row["sentences"] for row in data["annotators"]) == 27
    with Store.open(lead_db) as store:
        assert [row["article_id"] for row in data["assignments"]] == article_ids(store)
    assert all(len(row["annotators"]) == 1 and not row["reached"] for row in data["assignments"])
    assert json.loads(annotty("--db", lead_db, "assign", "--json").stdout) == data


def test_rm_on_a_real_terminal_asks_and_reads_the_answer(tiny_db: Path, tmp_path: Path) -> None:
    executable = shutil.which("annotty", path=str(Path(sys.executable).parent))
    assert executable is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTTY_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    main_fd, terminal = pty.openpty()
    process = subprocess.Popen(
        [executable, "--db", str(tiny_db), "rm", TALKS_ID[:6]],
        stdin=terminal, stdout=subprocess.PIPE, stderr=terminal, env=env, cwd=tmp_path,
    )  # fmt: skip
    os.close(terminal)
    shown = b""
    try:
        while b"[y/N]" not in shown:
            ready, _, _ = select.select([main_fd], [], [], 30)
            assert ready, f"no question on the terminal: {shown!r}"
            shown += os.read(main_fd, 1024)
        os.write(main_fd, b"y\n")
        out, _ = process.communicate(timeout=60)
    finally:
        process.kill()
        os.close(main_fd)
    assert b"Remove 1 article?" in shown
    assert process.returncode == 0
    assert out.decode().startswith("removed 1 article: 4 sentences")
    with Store.open(tiny_db) as store:
        assert article_ids(store) == [STORY_ID]
