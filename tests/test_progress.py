"""Progress bars of long imports, merges and exports (tui.progress, issue 13): drawn on a
terminal once the work has run a while, never when stderr is piped; and the core's hooks count
exactly the work done."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import SAMPLE_ID, STORY_ID, TALKS_ID
from rich.console import Console
from test_cli import decide

import annotations.export
import tui.progress
from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.export import export_annotty, export_records, export_size
from annotations.library import get_article
from annotations.merge import merge_database
from annotations.store import Store
from tui.progress import ImportProgress, LongWork

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]
BAR = "━"
"""What Rich draws a bar with (and nothing else annotty prints does)."""


def terminal() -> tuple[io.StringIO, Console]:
    screen = io.StringIO()
    return screen, Console(file=screen, force_terminal=True, width=100)


def test_a_bar_shows_the_count_the_rate_and_the_time_left() -> None:
    screen, console = terminal()
    with LongWork(enabled=True, delay=0, console=console) as work:
        task = work.task("exporting", 8, unit="decisions")
        assert list(task.each(range(5))) == [0, 1, 2, 3, 4]
    drawn = screen.getvalue()  # the last frame, drawn as the bar closes (then cleared)
    assert task.done == 5
    assert "exporting" in drawn and BAR in drawn and "5/8" in drawn
    assert "-:--:--" in drawn or "0:00:0" in drawn  # the time left
    # The rate, once Rich has measured one (it needs updates some time apart).
    measured = SimpleNamespace(finished_speed=None, speed=1234.4, fields={"unit": "decisions"})
    assert tui.progress._rate(measured) == "1,234 decisions/s"


def test_without_a_total_the_count_and_the_time_so_far() -> None:
    screen, console = terminal()
    with LongWork(enabled=True, delay=0, console=console) as work:
        task = work.task("importing", unit="files")
        task.advance(1234)
    assert "1,234" in screen.getvalue() and "/" not in screen.getvalue().split("1,234")[1][:2]


def test_nothing_is_drawn_before_the_delay_and_the_total_is_not_counted() -> None:
    screen, console = terminal()
    asked = []
    with LongWork(enabled=True, delay=3600, console=console) as work:
        task = work.task("exporting", lambda: asked.append(1) or 10)
        task.advance(10)
    assert (task.done, screen.getvalue(), asked) == (10, "", [])


def test_the_total_is_counted_when_the_bar_first_shows() -> None:
    screen, console = terminal()
    with LongWork(enabled=True, delay=0, console=console) as work:
        work.task("exporting", lambda: 40).advance(10)
    assert "10/40" in screen.getvalue()


def test_a_tick_per_row_does_not_redraw_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    _, console = terminal()
    with LongWork(enabled=True, delay=0, console=console) as work:
        task = work.task("merging", 100_000, unit="rows")
        task.advance()
        updates = []
        update = work._progress.update
        monkeypatch.setattr(
            work._progress, "update", lambda *a, **k: updates.append(1) or update(*a, **k)
        )
        for _ in range(100_000):
            task.advance()
    # The bars are brought up to date every UPDATE_EVERY (0.05) seconds, not on every tick:
    # 1,000 updates would take 50 s of ticking.
    assert task.done == 100_001 and 1 <= len(updates) < 1000


def test_nothing_is_drawn_when_disabled() -> None:
    screen, console = terminal()
    with LongWork(enabled=False, delay=0, console=console) as work:
        work.task("exporting", 3).advance(3)
    assert screen.getvalue() == ""


def test_an_import_shows_the_analysis_of_each_batch_then_takes_it_away() -> None:
    screen, console = terminal()
    with LongWork(enabled=True, delay=0, console=console) as work:
        progress = ImportProgress(work)
        progress.begin("news.jsonl", 1000)
        progress.advance(250)
        work.refresh()
        assert "analysing news.jsonl" in screen.getvalue() and "250/1,000" in screen.getvalue()
        progress.end()
        assert work.tasks == []


def test_a_ticker_adds_its_line_at_the_first_tick() -> None:
    screen, console = terminal()
    with LongWork(enabled=True, delay=0, console=console) as work:
        tick = work.ticker("annotation lines", unit="lines")
        assert work.tasks == []
        tick(5000)
        tick(3)
        (task,) = work.tasks
    assert task.done == 5003 and "annotation lines" in screen.getvalue()


# --- the hooks count the work ---------------------------------------------------------------------


def decided(tiny: Store) -> None:
    talks, story = get_article(tiny, TALKS_ID), get_article(tiny, STORY_ID)
    for name in ("alice", "bob", "carol"):
        decisions = Decisions(tiny, ANNOTATIONS, name, SCHEME)
        for sentence in talks.sentences[:4]:
            decisions.decide(TALKS_ID, sentence.span, ["military"])
        decisions.decide(STORY_ID, story.sentences[0].span, [])
    Decisions(tiny, ANNOTATIONS, "alice", SCHEME).ignore(STORY_ID, story.sentences[1].span)
    Decisions(tiny, GOLD, "rev", SCHEME).decide(TALKS_ID, talks.sentences[0].span, ["military"])


@pytest.mark.parametrize(
    "options",
    [{}, {"include_ignored": True}, {"gold": True}, {"annotators": ["bob"]},
     {"articles": [STORY_ID]}],
)  # fmt: skip
def test_the_export_ticks_add_up_to_the_lines_written_and_to_its_size(
    tiny: Store, options: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    decided(tiny)
    monkeypatch.setattr(annotations.export, "_CHUNK", 1)  # a write (and a tick) per article
    ticks: list[int] = []
    out = io.BytesIO()
    count = export_annotty(tiny, out, tick=ticks.append, **options)
    assert count == sum(ticks) == out.getvalue().count(b"\n") > 0
    articles = {json.loads(line)["article_id"] for line in out.getvalue().splitlines()}
    assert len(ticks) == len(articles)
    assert export_size(tiny, **options) == count == len(list(export_records(tiny, **options)))


def test_the_merge_ticks_every_row_twice_and_says_so_first(
    tiny: Store, sample_db: Path, tmp_path: Path
) -> None:
    decide(sample_db, "alice", SAMPLE_ID, 0, ["military"])
    decide(sample_db, "bob", SAMPLE_ID, 1, [])
    events: list[tuple[str, int]] = []
    counts = merge_database(
        tiny,
        sample_db,
        lambda n: events.append(("tick", n)),
        sized=lambda n: events.append(("size", n)),
    )
    assert events[0] == ("size", 2 * (1 + 2))  # one article, two decisions
    assert sum(n for kind, n in events[1:] if kind == "tick") == 6
    assert counts.articles_added == 1 and counts.added == 2


# --- on a terminal, and piped ---------------------------------------------------------------------

WITHOUT_DELAY = (
    "import tui.progress; tui.progress.PROGRESS_DELAY = 0.0; from tui.cli import main; main()"
)
"""The console script with bars drawn from the first item on (the work here is short)."""


def run(args: list[str | Path], *, on_terminal: bool) -> tuple[int, str]:
    """Run annotty with every stream a pseudo-terminal, or piped; what it wrote."""
    command = [sys.executable, "-c", WITHOUT_DELAY, *map(str, args)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTTY_")}
    env |= {"TERM": "xterm-256color", "COLUMNS": "100", "ANNOTTY_ANNOTATOR": "alice"}
    if not on_terminal:
        done = subprocess.run(
            command, capture_output=True, env=env, timeout=120, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        return done.returncode, (done.stdout + done.stderr).decode()
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env=env,
        start_new_session=True,
    )  # fmt: skip
    os.close(follower)
    output = bytearray()
    give_up = time.monotonic() + 120
    while time.monotonic() < give_up:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the command exited and closed the terminal
                break
            if not chunk:
                break
            output.extend(chunk)
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(leader)
    return process.returncode, output.decode()


def commands(tiny_db: Path, sample_db: Path, tmp_path: Path) -> dict[str, list[str | Path]]:
    decide(tiny_db, "alice", TALKS_ID, 0, ["military"])
    decide(sample_db, "bob", SAMPLE_ID, 0, ["diplomatic"])
    exported = tmp_path / "alice.jsonl"
    return {
        "export": ["--db", tiny_db, "export", "-o", exported],
        "merge": ["--db", tiny_db, "merge", sample_db],
        "import": ["--db", tiny_db, "import", exported],  # its own decision, again
    }


def test_long_work_shows_a_bar_on_a_terminal(
    tiny_db: Path, sample_db: Path, tmp_path: Path
) -> None:
    for name, args in commands(tiny_db, sample_db, tmp_path).items():
        code, shown = run(args, on_terminal=True)
        assert code == 0, (name, shown)
        what = {"export": ["exporting"], "merge": ["merging"]}.get(
            name, ["importing", "annotation lines"]
        )
        assert all(line in shown for line in what) and BAR in shown, (name, shown)
        assert "Traceback" not in shown


def test_piped_output_has_no_bar(tiny_db: Path, sample_db: Path, tmp_path: Path) -> None:
    outputs = {}
    for name, args in commands(tiny_db, sample_db, tmp_path).items():
        code, written = run(args, on_terminal=False)
        outputs[name] = written
        assert "\x1b" not in written and BAR not in written, (name, written)
        assert code == 0, (name, written)
    assert outputs["export"] == f"exported 1 decisions to {tmp_path / 'alice.jsonl'}\n"
    assert outputs["merge"].startswith(f"merged {sample_db}: 1 article added")
