"""The library's line about team work: the annotator's progress on their assignment, or, for
anyone with no assignment in a planned project (the lead), everyone's progress against the plan."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from annotations.handout import handed_out_to
from annotations.store import Store
from annotations.team import annotator_progress, coverage, progress
from tui.widgets.chips import MUTED, join, progress_bar

ASSIGNED_MARK = "●"
"""Marks an article assigned to the annotator in the library."""
ASSIGNED_STYLE = Style(color="#5fa8f5", bold=True)
WARNING = Style(color="#ef6f6c", bold=True)


def assigned_mark(assigned: bool) -> Text:
    """The cell before an article's title: the mark when it is assigned, else a blank."""
    return Text(ASSIGNED_MARK + " ", ASSIGNED_STYLE) if assigned else Text("  ")


def has_team_work(store: Store) -> bool:
    """Whether the database has assignments or is a hand-out (quick: no counting)."""
    return handed_out_to(store) is not None or store.value("SELECT 1 FROM assignments") == 1


def team_status(store: Store, annotator: str) -> Text | None:
    """`● assigned ████░░ 40/96 · 2/6 articles finished · 3 ignored`, or per annotator
    `plan: alice ██░ 40/96 · bob … · overlap reached 2/8 articles`; None without assignments.

    In a hand-out database opened under another name than its owner's, a warning instead."""
    owner = handed_out_to(store)
    if owner is not None and owner != annotator:
        # Decisions made under another name would not count as the owner's when merged back.
        return Text.assemble(
            ("handed out to ", WARNING), (owner, WARNING), (", but you are ", WARNING),
            (annotator, WARNING), (": quit and open it with --annotator ", WARNING),
            (owner, WARNING),
        )  # fmt: skip
    mine = annotator_progress(store, annotator)
    if mine is not None:
        line = Text.assemble(assigned_mark(True), "assigned ")
        line.append_text(progress_bar(mine.done, mine.sentences))
        parts = [line, Text(f"{mine.finished}/{mine.articles} articles finished")]
        if mine.ignored:
            parts.append(Text(f"{mine.ignored} ignored", MUTED))
        return join(parts, "  ·  ")
    rows = progress(store)
    if not rows:
        return None
    parts = [Text("plan", style="bold")]
    for row in rows:
        part = Text(row.annotator + " ", style="" if row.in_plan else "dim")
        parts.append(part.append_text(progress_bar(row.done, row.sentences, width=6)))
    covered = coverage(store)
    reached = sum(article.reached for article in covered)
    parts.append(Text(f"overlap reached {reached}/{len(covered)} articles"))
    return join(parts, "  ·  ")
