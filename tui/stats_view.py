"""What `annotty stats` prints besides its first lines: the figures as one JSON object for
scripts, and per-annotator progress and label distributions as plain-text bar charts.

Everything here is plain text: names are data (the caller prints through `tui.output.echo`,
which makes every line printable), never markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.cells import cell_len

from annotations.agreement import AgreementReport, report_as_json
from annotations.library import Stats
from annotations.text import display_label

BAR_WIDTH = 20
FULL = "█"
EMPTY = "░"


def bar(value: int | float, total: int | float, width: int = BAR_WIDTH) -> str:
    """`█████░░░░░ 50%`: value out of total as `width` cells and a percentage."""
    share = max(0.0, min(1.0, value / total)) if total else 0.0
    filled = round(width * share)
    return f"{FULL * filled}{EMPTY * (width - filled)} {share:>4.0%}"


def _cut(text: str, width: int) -> str:
    """The text padded to `width` terminal cells, or shortened to fit with an ellipsis."""
    if cell_len(text) > width:
        while text and cell_len(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - cell_len(text))


def stats_charts(figures: Stats, shown: Mapping[str, str]) -> list[str]:
    """Per annotator: decided sentences out of all, then how often each label was given."""
    if not figures.decided:
        return []
    names = list(figures.decided)
    column = min(24, max(cell_len(name) for name in names))
    lines = [f"progress (of {figures.sentences} sentences)"]
    for name in names:
        done = figures.decided[name] + figures.ignored.get(name, 0)
        line = f"  {_cut(name, column)}  {bar(done, figures.sentences)}  {done}"
        ignored = figures.ignored.get(name, 0)
        lines.append(line + (f" ({ignored} ignored)" if ignored else ""))
    titles = [*(display_label(label, shown) for label in figures.labels), "no label"]
    label_column = min(24, max(cell_len(title) for title in titles))
    for name in names:
        counts = figures.by_label.get(name, {})
        decided = figures.decided[name]
        lines += ["", f"labels given by {name} (share of {decided} decided sentences)"]
        for label, title in zip([*figures.labels, ""], titles, strict=True):
            count = counts.get(label, 0)
            lines.append(f"  {_cut(title, label_column)}  {bar(count, decided)}  {count}")
    return lines


def stats_json(figures: Stats, database: str, agreement: AgreementReport | None) -> dict[str, Any]:
    """The figures `annotty stats` prints, as one JSON object.

    {"database", "articles", "sentences", "entities", "labels": [...], "gold",
    "annotators": {name: {"decided", "ignored", "by_label": {label: n}, "no_label"}},
    "agreement": the `annotty agreement --json` object among everyone who decided, or null
    when fewer than two annotators did}.
    """
    annotators = {}
    for name, decided in figures.decided.items():
        counts = figures.by_label.get(name, {})
        annotators[name] = {
            "decided": decided,
            "ignored": figures.ignored.get(name, 0),
            "by_label": {label: counts.get(label, 0) for label in figures.labels},
            "no_label": counts.get("", 0),
        }
    return {
        "database": database,
        "articles": figures.articles,
        "sentences": figures.sentences,
        "entities": figures.entities,
        "labels": list(figures.labels),
        "gold": figures.gold,
        "annotators": annotators,
        "agreement": None if agreement is None else report_as_json(agreement),
    }
