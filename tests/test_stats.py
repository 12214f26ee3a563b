"""Tests for `annotty stats`: the JSON object for scripts and the bar charts after the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import STORY_ID, TALKS_ID
from test_cli import SCHEME, annotty, decide

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import add_article, get_article
from annotations.model import Analysis, ArticleInput
from annotations.store import Store
from tui.stats_view import bar

pytestmark = pytest.mark.usefixtures("clean_env")


def _decisions(db: Path) -> None:
    decide(db, "alice", TALKS_ID, 0, ["diplomatic", "military"])
    decide(db, "alice", TALKS_ID, 1, [])
    decide(db, "bob", TALKS_ID, 0, ["military"])
    with Store.open(db) as store:
        span = get_article(store, TALKS_ID).sentences[2].span
        Decisions(store, ANNOTATIONS, "bob", SCHEME).ignore(TALKS_ID, span)


def test_bar() -> None:
    assert bar(5, 10, width=10) == "█████░░░░░  50%"
    assert bar(0, 0, width=4) == "░░░░   0%"
    assert bar(3, 3, width=4) == "████ 100%"


def test_stats_json(tiny_db: Path) -> None:
    _decisions(tiny_db)
    result = annotty("--db", tiny_db, "stats", "--json")
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert {k: data[k] for k in ("articles", "sentences", "entities", "labels", "gold")} == {
        "articles": 2,
        "sentences": 6,
        "entities": 6,
        "labels": SCHEME,
        "gold": 0,
    }
    assert data["database"] == str(tiny_db)
    assert data["annotators"] == {
        "alice": {
            "decided": 2,
            "ignored": 0,
            "by_label": {"military": 1, "diplomatic": 1, "heritage_damage": 0},
            "no_label": 1,
            "articles": {"done": 0, "in_progress": 1, "not_started": 1},
        },
        "bob": {
            "decided": 1,
            "ignored": 1,
            "by_label": {"military": 1, "diplomatic": 0, "heritage_damage": 0},
            "no_label": 0,
            "articles": {"done": 0, "in_progress": 1, "not_started": 1},
        },
    }
    agreement = data["agreement"]
    assert agreement["annotators"] == ["alice", "bob"]
    assert list(agreement["labels"]) == SCHEME
    # alice and bob both decided sentence 0 only: both said military, one said diplomatic.
    assert agreement["labels"]["military"]["n"] == 1
    assert agreement["labels"]["military"]["percent_agreement"] == 1.0
    assert agreement["labels"]["diplomatic"]["percent_agreement"] == 0.0


def test_stats_json_without_decisions(tiny_db: Path) -> None:
    data = json.loads(annotty("--db", tiny_db, "stats", "--json").stdout)
    assert (data["annotators"], data["agreement"]) == ({}, None)


def test_stats_draws_bars(tiny_db: Path) -> None:
    _decisions(tiny_db)
    result = annotty("--db", tiny_db, "stats")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "progress (of 6 sentences)" in lines
    # alice decided 2 of 6, bob 1 and ignored 1: both handled 2 of 6 sentences.
    assert f"  alice  {bar(2, 6)}  2" in lines
    assert f"  bob    {bar(2, 6)}  2 (1 ignored)" in lines
    start = lines.index("labels given by alice (share of 2 decided sentences)")
    assert lines[start + 1 : start + 5] == [
        f"  military         {bar(1, 2)}  1",
        f"  diplomatic       {bar(1, 2)}  1",
        f"  heritage damage  {bar(0, 2)}  0",
        f"  no label         {bar(1, 2)}  1",
    ]


def test_stats_without_decisions_draws_no_bars(tiny_db: Path) -> None:
    result = annotty("--db", tiny_db, "stats")
    assert result.exit_code == 0
    assert "█" not in result.stdout and "░" not in result.stdout


def test_stats_lists_agreement_and_the_articles_with_most_left(tiny_db: Path) -> None:
    _decisions(tiny_db)
    lines = annotty("--db", tiny_db, "stats").stdout.splitlines()
    start = lines.index("agreement per label among alice, bob")
    assert lines[start + 1 : start + 5] == [
        "  label            n  % agree          Cohen  alpha",
        f"  military         1  {bar(1, 1, 10)}      —      —",
        f"  diplomatic       1  {bar(0, 1, 10)}  0.000  0.000",
        f"  heritage damage  1  {bar(1, 1, 10)}      —      —",
    ]
    start = lines.index("articles (done: every sentence decided or ignored)")
    assert lines[start:] == [
        "articles (done: every sentence decided or ignored)",
        "  annotator  done  in progress  not started",
        "  alice         0            1            1",
        "  bob           0            1            1",
        "",
        "most left (2 of 2 unfinished articles)",
        "  article           title         sentences  alice  bob",
        f"  {STORY_ID}  Second story          2  0/2    0/2",
        f"  {TALKS_ID}  Talks                 4  2/4    2/4",
    ]


def test_stats_says_when_every_article_is_done(tiny_db: Path) -> None:
    for identity, count in ((TALKS_ID, 4), (STORY_ID, 2)):
        for idx in range(count):
            decide(tiny_db, "alice", identity, idx, [])
    lines = annotty("--db", tiny_db, "stats").stdout.splitlines()
    assert "  alice         2            0            0" in lines
    assert lines[-1] == "every article is done by everyone"
    # One annotator: nothing to agree on, so no agreement section.
    assert not any(line.startswith("agreement") for line in lines)


def _many_articles(db: Path, count: int) -> list[str]:
    """`count` more articles of 1 to 3 sentences (no pipeline: the spans are given)."""
    ids = []
    with Store.open(db) as store:
        for number in range(count):
            sentences = [f"Line {number} part {part}." for part in range(number % 3 + 1)]
            text = " ".join(sentences)
            spans, start = [], 0
            for sentence in sentences:
                spans.append((start, start + len(sentence)))
                start += len(sentence) + 1
            article = ArticleInput(text, title=f"Extra \x1b[31m[bold]{number}[/bold]")
            ids.append(add_article(store, article, Analysis(spans, []), None))
    return ids


def test_stats_lists_twenty_articles_and_json_lists_every_one(tiny_db: Path) -> None:
    extra = _many_articles(tiny_db, 22)
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    decide(tiny_db, "alice", extra[0], 0, [])  # the only sentence: done
    lines = annotty("--db", tiny_db, "stats").stdout.splitlines()
    assert "  alice         1            1           22" in lines
    start = lines.index("most left (20 of 23 unfinished articles)")
    listed = lines[start + 2 : start + 22]
    # Talks (3 left) and the 3-sentence extras first, in library order, then 2-sentence ones.
    assert listed[0].startswith(f"  {TALKS_ID}  Talks")
    threes = [extra[n] for n in (2, 5, 8, 11, 14, 17, 20)]
    assert [line.split()[0] for line in listed[1:8]] == threes
    assert lines[start + 22] == "  … and 3 more (annotty stats --json lists every article)"
    # Titles are data: the escape byte shown, the markup-like text kept as it is.
    assert "  Extra \\x1b[31m[bold]2[/bold]" in listed[1]

    data = json.loads(annotty("--db", tiny_db, "stats", "--json").stdout)
    by_article = data["by_article"]
    assert [article["id"] for article in by_article] == [STORY_ID, TALKS_ID, *extra]
    assert by_article[1] == {
        "id": TALKS_ID,
        "title": "Talks",
        "sentences": 4,
        "annotators": {"alice": {"done": 1, "state": "in_progress", "assigned": False}},
    }
    assert by_article[2]["annotators"] == {"alice": {"done": 1, "state": "done", "assigned": False}}
    assert by_article[3]["title"] == "Extra \x1b[31m[bold]1[/bold]"
    assert data["annotators"]["alice"]["articles"] == {
        "done": 1,
        "in_progress": 1,
        "not_started": 22,
    }


def test_json_is_written_in_pieces_as_one_object(tiny_db: Path) -> None:
    from annotations.overview import overview
    from tui.stats_view import stats_json, stats_json_text

    extra = _many_articles(tiny_db, 2500)  # more than one piece of articles
    _decisions(tiny_db)
    decide(tiny_db, "bob", extra[-2], 0, ["diplomatic"])  # of 3 sentences
    with Store.open(tiny_db) as store:
        result = overview(store, every_title=True)
    text = "".join(stats_json_text(result, "x.db"))
    assert text == json.dumps(stats_json(result, "x.db"), allow_nan=False, ensure_ascii=False)
    data = json.loads(text)
    assert len(data["by_article"]) == 2502
    assert data["by_article"][-2]["annotators"]["bob"]["state"] == "in_progress"


def test_with_a_plan_each_annotator_counts_only_their_articles(tiny_db: Path) -> None:
    from annotations.team import assign

    with Store.open(tiny_db) as store:
        assign(store, ["alice", "bob"], 1)  # each article to one of them
        owners = dict(store.conn.execute("SELECT article_id, annotator FROM assignments"))
    talks, story = owners[TALKS_ID], owners[STORY_ID]
    assert talks != story, "balanced by sentences: one article each"
    for idx in range(4):
        decide(tiny_db, talks, TALKS_ID, idx, [])
    decide(tiny_db, story, STORY_ID, 0, [])
    lines = annotty("--db", tiny_db, "stats").stdout.splitlines()
    start = lines.index("articles (done: every sentence decided or ignored)")
    rows = {line.split()[0]: line.split()[1:] for line in lines[start + 2 : start + 4]}
    # Each counts their own article only: the other's is not "not started" for them.
    assert rows[talks] == ["1", "0", "0"]
    assert rows[story] == ["0", "1", "0"]
    assert lines[start + 4].endswith("(· not assigned)")
    # Talks has nothing left for the one meant to read it: only Story is listed.
    listed = lines.index("most left (1 of 1 unfinished articles)")
    cells = lines[listed + 2].split()
    assert cells[0] == STORY_ID
    names = lines[listed + 1].split()[3:]
    assert dict(zip(names, cells[-2:], strict=True)) == {talks: "·", story: "1/2"}
    data = json.loads(annotty("--db", tiny_db, "stats", "--json").stdout)
    by_article = {article["id"]: article["annotators"] for article in data["by_article"]}
    assert by_article[TALKS_ID][talks] == {"done": 4, "state": "done", "assigned": True}
    assert by_article[TALKS_ID][story] == {"done": 0, "state": "not_started", "assigned": False}
    assert data["annotators"][talks]["articles"] == {"done": 1, "in_progress": 0, "not_started": 0}


def test_charts_group_the_digits_of_large_counts() -> None:
    from annotations.library import Stats
    from tui.stats_view import gold_chart, progress_chart

    figures = Stats(1, 1_600_312, 0, SCHEME, {"alice": 200_000}, {}, {"alice": 1_250}, 12_345)
    assert [line.plain for line in progress_chart(figures)] == [
        "progress (of 1,600,312 sentences)",
        f"  alice  {bar(201_250, 1_600_312)}  201,250 (1,250 ignored)",
    ]
    assert gold_chart(figures, None)[1].plain.endswith("  12,345 of 1,600,312 sentences")
