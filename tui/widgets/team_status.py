"""The library's line about team work: the annotator's progress on their assignment, or, for
anyone with no assignment in a planned project (the lead), everyone's progress against the plan."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from annotations.store import Store
from annotations.team import annotator_progress, coverage, progress
from tui.widgets.chips import MUTED, join, progress_bar

ASSIGNED_MARK = "●"
"""Marks an article assigned to the annotator in the library."""
ASSIGNED_STYLE = Style(color="#5fa8f5", bold=True)


def assigned_mark(assigned: bool) -> Text:
    """The cell before an article's title: the mark when it is assigned, else a blank."""
    return Text(ASSIGNED_MARK + " ", ASSIGNED_STYLE) if assigned else Text("  ")


def team_status(store: Store, annotator: str) -> Text | None:
    """`● assigned ████░░ 40/96 · 2/6 articles finished · 3 ignored`, or per annotator
    `plan: alice ██░ 40/96 · bob … · overlap reached 2/8 articles`; None without assignments."""
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
