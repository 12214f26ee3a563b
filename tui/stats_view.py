"""The charts of `annotty stats` and of the stats screen, and the figures as JSON for scripts.

Each chart is built once, here, as lines of `rich.text.Text`: the stats screen draws them with
their colours, the command prints their plain text. Names and titles come from outside: they
are made printable (an escape byte shows as `\\x1b`) and are never parsed as markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from annotations.agreement import (
    MISSING,
    AgreementReport,
    format_coefficient,
    report_as_json,
)
from annotations.library import Stats
from annotations.overview import (
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ArticleProgress,
    Overview,
    articles_as_json,
)
from annotations.text import display_label, printable

BAR_WIDTH = 20
FULL = "█"
EMPTY = "░"
FILLED = Style(color="#7bc47f")
MUTED = Style(dim=True)
HEADING = Style(bold=True)
NAME_WIDTH = 24
"""At most this many cells for an annotator's or a label's name in a chart."""

Row = Sequence[Text | str]


def bar_text(value: int | float, total: int | float, width: int = BAR_WIDTH) -> Text:
    """`█████░░░░░  50%`: value out of total as `width` cells and a percentage."""
    share = max(0.0, min(1.0, value / total)) if total else 0.0
    filled = round(width * share)
    text = Text(FULL * filled, FILLED)
    text.append(EMPTY * (width - filled), MUTED)
    text.append(f" {share:>4.0%}")
    return text


def bar(value: int | float, total: int | float, width: int = BAR_WIDTH) -> str:
    """The plain text of `bar_text`."""
    return bar_text(value, total, width).plain


def cut(text: str, width: int) -> str:
    """The text padded to `width` terminal cells, or shortened to fit with an ellipsis."""
    if cell_len(text) > width:
        while text and cell_len(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - cell_len(text))


def table(rows: Sequence[Row], right: Sequence[int] = (), indent: str = "  ") -> list[Text]:
    """Rows of cells as aligned lines, two spaces apart; the columns in `right` right-aligned.

    The first row is the header (dim). Trailing spaces are dropped.
    """
    cells = [[cell if isinstance(cell, Text) else Text(cell) for cell in row] for row in rows]
    widths = [max(cell.cell_len for cell in column) for column in zip(*cells, strict=True)]
    lines = []
    for number, row in enumerate(cells):
        line = Text(indent)
        for column, (cell, width) in enumerate(zip(row, widths, strict=True)):
            padding = " " * (width - cell.cell_len)
            if column:
                line.append("  ")
            if column in right:
                line.append(padding).append_text(cell)
            else:
                line.append_text(cell).append(padding)
        line.rstrip()
        if number == 0 and len(rows) > 1:
            line.stylize(MUTED)
        lines.append(line)
    return lines


def _names(names: Sequence[str]) -> list[str]:
    """Names made printable and cut to one column width."""
    shown = [printable(name) for name in names]
    width = min(NAME_WIDTH, max((cell_len(name) for name in shown), default=0))
    return [cut(name, width) for name in shown]


def progress_chart(figures: Stats) -> list[Text]:
    """Per annotator: sentences decided or ignored, out of all (a heading, then a line each)."""
    lines = [Text(f"progress (of {figures.sentences:,} sentences)", HEADING)]
    for name, shown in zip(figures.decided, _names(list(figures.decided)), strict=True):
        ignored = figures.ignored.get(name, 0)
        done = figures.decided[name] + ignored
        line = Text.assemble("  ", shown, "  ", bar_text(done, figures.sentences), f"  {done:,}")
        lines.append(line.append(f" ({ignored:,} ignored)" if ignored else ""))
    return lines


def label_charts(figures: Stats, shown: Mapping[str, str]) -> list[list[Text]]:
    """Per annotator, how often each label was given: one block of lines each."""
    titles = [*(display_label(label, shown) for label in figures.labels), "no label"]
    titles = _names(titles)
    blocks = []
    for name, decided in figures.decided.items():
        counts = figures.by_label.get(name, {})
        heading = f"labels given by {printable(name)} (share of {decided:,} decided sentences)"
        block = [Text(heading, HEADING)]
        for label, title in zip([*figures.labels, ""], titles, strict=True):
            count = counts.get(label, 0)
            block.append(Text.assemble("  ", title, "  ", bar_text(count, decided), f"  {count:,}"))
        blocks.append(block)
    return blocks


def stats_charts(figures: Stats, shown: Mapping[str, str]) -> list[str]:
    """Per annotator: decided sentences out of all, then how often each label was given."""
    if not figures.decided:
        return []
    lines = progress_chart(figures)
    for block in label_charts(figures, shown):
        lines += [Text(), *block]
    return [line.plain for line in lines]


def multiply_decided(report: AgreementReport | None) -> int:
    """Sentences decided by two or more of the report's annotators."""
    if report is None:
        return 0
    return max((agreement.n for agreement in report.labels.values()), default=0)


def agreement_chart(report: AgreementReport | None, shown: Mapping[str, str]) -> list[Text]:
    """Agreement per label: n, percent agreement as a bar, Cohen's kappa (two annotators) or
    Fleiss' (more), Krippendorff's alpha; a line saying why when there is nothing to compare."""
    if report is None:
        return [
            Text("agreement per label", HEADING),
            Text("  needs two annotators who decided the same sentences", MUTED),
        ]
    names = ", ".join(printable(name) for name in report.annotators)
    lines = [Text(f"agreement per label among {names}", HEADING)]
    if not multiply_decided(report):
        return [*lines, Text("  no sentence decided by two of them yet", MUTED)]
    kappa = "Cohen" if len(report.annotators) == 2 else "Fleiss"
    rows: list[Row] = [["label", "n", "% agree", kappa, "alpha"]]
    for label, agreement in report.labels.items():
        share = agreement.percent_agreement
        rows.append(
            [
                cut(display_label(label, shown), NAME_WIDTH).rstrip(),
                f"{agreement.n:,}",
                bar_text(share, 1, 10) if share is not None else MISSING,
                format_coefficient(
                    agreement.cohen_kappa if kappa == "Cohen" else agreement.fleiss_kappa
                ),
                format_coefficient(agreement.krippendorff_alpha),
            ]
        )
    lines += table(rows, right=(1, 3, 4))
    lines.append(Text("  n: sentences two or more decided; annotty agreement has more", MUTED))
    return lines


def gold_chart(figures: Stats, report: AgreementReport | None) -> list[Text]:
    """The reviewer's gold decisions out of all sentences, and how many sentences several
    annotators decided (what a review adjudicates)."""
    gold, sentences = figures.gold, figures.sentences
    line = Text.assemble("  ", bar_text(gold, sentences), f"  {gold:,} of {sentences:,} sentences")
    lines = [Text("gold", HEADING), line]
    several = multiply_decided(report)
    if several:
        lines.append(Text(f"  {several:,} sentences decided by two or more annotators", MUTED))
    return lines


def progress_cell(done: int, sentences: int) -> Text:
    """`3/25`, `25/25 ✓` (finished) or a dim `0/25` (not started)."""
    if done and done >= sentences:
        return Text.assemble(f"{done}/{sentences} ", ("✓", FILLED))
    return Text(f"{done}/{sentences}", MUTED if not done else "")


def article_chart(overview: Overview, *, ids: bool = True, title_width: int = 32) -> list[Text]:
    """Per annotator, how many articles are done, in progress and not started; then the
    articles with most left that the overview lists, each annotator's progress in them."""
    names = overview.annotators
    if not names:
        return []
    rows: list[Row] = [["annotator", "done", "in progress", "not started"]]
    for name, shown in zip(names, _names(names), strict=True):
        tally = overview.states[name]
        rows.append([shown, *(f"{tally[state]:,}" for state in (DONE, IN_PROGRESS, NOT_STARTED))])
    lines = [Text("articles (done: every sentence decided or ignored)", HEADING)]
    lines += table(rows, right=(1, 2, 3))
    if overview.planned:
        note = "  with assignments, an annotator's own articles only (· not assigned)"
        lines.append(Text(note, MUTED))
    unfinished, listed = overview.unfinished, overview.listed
    lines.append(Text())
    if not unfinished:
        return [*lines, Text("every article is done by everyone", HEADING)]
    lines.append(Text(f"most left ({len(listed)} of {unfinished:,} unfinished articles)", HEADING))
    lines += table(_article_rows(overview, listed, ids, title_width), right=(int(ids) + 1,))
    if unfinished > len(listed):
        rest = unfinished - len(listed)
        more = f"  … and {rest:,} more (annotty stats --json lists every article)"
        lines.append(Text(more, MUTED))
    return lines


def _article_rows(
    overview: Overview, listed: Sequence[ArticleProgress], ids: bool, title_width: int
) -> list[Row]:
    names = overview.annotators
    header = ["title", "sentences", *(cut(name, 12).rstrip() for name in _names(names))]
    rows: list[Row] = [["article", *header] if ids else header]
    for article in listed:
        title = printable(overview.titles.get(article.id) or "(untitled)")
        cells: list[Text | str] = [cut(title, title_width).rstrip(), str(article.sentences)]
        for name in names:
            done = article.done.get(name, 0)
            if done or article.expects(name, overview.planned):
                cells.append(progress_cell(done, article.sentences))
            else:
                cells.append(Text("·", MUTED))
        rows.append([article.id, *cells] if ids else cells)
    return rows


def stats_json_text(overview: Overview, database: str) -> Iterator[str]:
    """`stats_json` as the pieces of one line of JSON, `by_article` a few articles at a time: the
    same text as `json.dumps(stats_json(...))` without holding a 100,000-article list."""
    data = stats_json(overview, database, articles=False)
    yield json.dumps(data, allow_nan=False, ensure_ascii=False)[:-1] + ', "by_article": ['
    articles = articles_as_json(overview)
    separator = ""
    while chunk := list(islice(articles, 1000)):
        yield separator + ", ".join(json.dumps(one, ensure_ascii=False) for one in chunk)
        separator = ", "
    yield "]}"


def stats_json(overview: Overview, database: str, *, articles: bool = True) -> dict[str, Any]:
    """The figures `annotty stats` prints, as one JSON object.

    {"database", "articles", "sentences", "entities", "labels": [...], "gold",
    "annotators": {name: {"decided", "ignored", "by_label": {label: n}, "no_label",
    "articles": {"done", "in_progress", "not_started"}}},
    "agreement": the `annotty agreement --json` object among everyone who decided, or null
    when fewer than two annotators did,
    "by_article": every article in library order, `annotations.overview.articles_as_json`;
    left out when `articles` is false}.
    """
    figures = overview.figures
    annotators = {}
    for name, decided in figures.decided.items():
        counts = figures.by_label.get(name, {})
        annotators[name] = {
            "decided": decided,
            "ignored": figures.ignored.get(name, 0),
            "by_label": {label: counts.get(label, 0) for label in figures.labels},
            "no_label": counts.get("", 0),
            "articles": overview.states[name],
        }
    data = {
        "database": database,
        "articles": figures.articles,
        "sentences": figures.sentences,
        "entities": figures.entities,
        "labels": list(figures.labels),
        "gold": figures.gold,
        "annotators": annotators,
        "agreement": None if overview.agreement is None else report_as_json(overview.agreement),
    }
    if articles:
        data["by_article"] = list(articles_as_json(overview))
    return data
