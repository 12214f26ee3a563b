"""Small styled pieces of text: label chips, gutters, the entity legend, progress bars.

All are built as `rich.text.Text` from plain strings with explicit styles, never from markup, so
label and annotator names (which come from outside) are drawn as data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import PurePath
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text

from annotations.model import Decision
from annotations.suggest import Suggestion
from annotations.text import clean_line, display_label, printable
from tui.widgets.entity_colors import entity_color

LABEL_COLORS = (
    "#ef6f6c",
    "#5fa8f5",
    "#f2c14e",
    "#7bc47f",
    "#c38df0",
    "#4fc1c6",
    "#f29e4c",
    "#e07bb0",
    "#b8c4d6",
)
"""One colour per key position 1..9, distinct from the entity palette's pastels."""
DARK = "#111111"
MUTED = Style(dim=True)
IGNORED_MARK = "✕"
IGNORED_STYLE = Style(color="#ef6f6c", dim=True)


def label_color(position: int) -> str:
    """The colour of the label at a 0-based position of the scheme."""
    return LABEL_COLORS[position % len(LABEL_COLORS)]


def chip(text: str, color: str, *, on: bool = True) -> Text:
    """A label-like chip: dark text on the colour when on, the colour as text when off."""
    if on:
        return Text(f" {text} ", style=Style(color=DARK, bgcolor=color, bold=True))
    return Text(f" {text} ", style=Style(color=color, dim=True))


def label_marks(labels: Iterable[str], scheme: Sequence[str], decided: bool) -> Text:
    """One cell per scheme label: its key digit in its colour when given, `·` when not, blank
    when the sentence is undecided."""
    given = set(labels)
    marks = Text()
    for position, name in enumerate(scheme):
        if not decided:
            marks.append(" ")
        elif name in given:
            marks.append(str(position + 1), Style(color=DARK, bgcolor=label_color(position)))
        else:
            marks.append("·", MUTED)
    return marks


def reader_gutter_width(scheme: Sequence[str]) -> int:
    return len(scheme) + 2


def ghost_marks(suggestion: Suggestion, scheme: Sequence[str]) -> Text:
    """A suggestion's labels as faint key digits in their colours (underlined for a pattern's)."""
    marks = Text()
    for position, name in enumerate(scheme):
        if name in suggestion.labels:
            style = Style(color=label_color(position), dim=True, italic=True)
            if suggestion.source == "pattern":
                style += Style(underline=True)
            marks.append(str(position + 1), style)
        else:
            marks.append("·" if suggestion.source != "pattern" else " ", MUTED)
    return marks


def reader_gutter(
    decision: Decision, scheme: Sequence[str], suggestion: Suggestion | None = None
) -> Text:
    """`● 1·3`: decided (●), ignored (✕) or not (○), then the labels given, or, on an
    undecided sentence, the suggested ones ghosted."""
    gutter = Text()
    if decision.ignored:
        gutter.append(IGNORED_MARK, IGNORED_STYLE)
    elif decision.decided:
        gutter.append("●", Style(color="#7bc47f", bold=True))
    else:
        gutter.append("○", MUTED)
    gutter.append(" ")
    if not decision.decided and suggestion is not None:
        gutter.append_text(ghost_marks(suggestion, scheme))
    else:
        shown = decision.decided and not decision.ignored
        gutter.append_text(label_marks(decision.labels, scheme, shown))
    return gutter


def suggestion_text(suggestion: Suggestion, shown: Mapping[str, str] | None = None) -> Text:
    """`suggests military, diplomatic 82% · a accepts` (or `pattern: …`), faint."""
    names = ", ".join(display_label(name, shown) for name in suggestion.labels) or "no label"
    if suggestion.source == "pattern":
        text = Text(f"pattern: {names}", Style(italic=True, dim=True))
    else:
        text = Text(f"suggests {names}", Style(italic=True, dim=True))
        if suggestion.confidence is not None:
            text.append(f" {suggestion.confidence:.0%}", MUTED)
    text.append(" · a accepts", MUTED)
    return text


def label_bar(
    scheme: Sequence[str],
    current: Decision,
    suggestion: Suggestion | None = None,
    shown: Mapping[str, str] | None = None,
) -> Text:
    """The scheme with the keys, the current sentence's labels lit (and what is suggested);
    `shown` maps labels to their display names."""
    bar = Text()
    for position, name in enumerate(scheme):
        lit = current.decided and name in current.labels
        text = f"{position + 1} {display_label(name, shown)}"
        bar.append_text(chip(text, label_color(position), on=lit))
        bar.append(" ")
    if current.ignored:
        bar.append("ignored", IGNORED_STYLE)
    elif current.decided:
        bar.append("decided" if current.labels else "decided: no label", Style(color="#7bc47f"))
    else:
        bar.append("not decided", MUTED)
        if suggestion is not None:
            bar.append("  ")
            bar.append_text(suggestion_text(suggestion, shown))
    return bar


def entity_legend(labels: Iterable[str]) -> Text:
    """The entity types of an article, each in its colour."""
    legend = Text()
    for label in sorted(set(labels)):
        legend.append(f" {label} ", Style(color=DARK, bgcolor=entity_color(label)))
        legend.append(" ")
    return legend


def database_name(path: PurePath) -> Text:
    """`db team.db`: which database is open, by its file name (sanitised: escape sequences
    dropped whole; drawn as data)."""
    return Text("db ", MUTED).append(clean_line(path.name) or "?")


def source_name(source: str) -> str:
    """A source as shown in a column: a URL by its host (`www.` dropped), a file by its name
    (made printable: a database from before sources were cleaned may hold a raw file name)."""
    if "://" in source:
        host = urlsplit(source).hostname or source
        return printable(host.removeprefix("www."))
    return printable(PurePath(source).name)


def progress_bar(done: int, total: int, width: int = 10) -> Text:
    """`█████░░░░░ 12/25`."""
    filled = round(width * done / total) if total else 0
    bar = Text("█" * filled, Style(color="#7bc47f"))
    bar.append("░" * (width - filled), MUTED)
    bar.append(f" {done}/{total}")
    return bar


def join(parts: Iterable[Text], separator: str = "  │  ") -> Text:
    """Texts joined by a dim separator."""
    return Text(separator, MUTED).join(parts)


NARROW_SEPARATOR = " │ "


def fit_join(
    parts: Sequence[Text],
    width: int,
    separator: str = "  │  ",
    *,
    optional: Sequence[int] = (),
) -> Text:
    """Parts joined on one line of `width` cells: with `separator`, else a narrower one, else
    leaving out the `optional` parts (indices, the first given left out first); the first part
    (a name) is shortened last, so the last part (`sentence N/M`) always shows. A width of 0
    (not laid out yet) keeps everything."""
    if width <= 0:
        return join(parts, separator)
    separators = list(dict.fromkeys([separator, NARROW_SEPARATOR]))
    line = Text()
    for dropped in range(len(optional) + 1):
        left_out = set(optional[:dropped])
        kept = [part for index, part in enumerate(parts) if index not in left_out]
        for between in separators:
            line = join(kept, between)
            if line.cell_len <= width:
                return line
    narrowest = min(separators, key=len)
    line = join(kept, narrowest)
    over = line.cell_len - width
    first = kept[0].copy()
    if len(kept) > 1 and first.cell_len - over >= 1:
        first.truncate(first.cell_len - over, overflow="ellipsis")
        return join([first, *kept[1:]], narrowest)
    return line


def votes_gutter_width(
    scheme: Sequence[str], annotators: Sequence[str], widths: Sequence[int] | None = None
) -> int:
    columns = widths if widths is not None else [len(scheme)] * len(annotators)
    return sum(columns) + len(annotators) + 2 + len(scheme)


def votes_gutter(
    votes: Mapping[str, tuple[str, ...]],
    annotators: Sequence[str],
    scheme: Sequence[str],
    gold: Decision,
    *,
    disagreement: bool,
    ignored: Collection[str] = (),
    widths: Sequence[int] | None = None,
) -> Text:
    """Each annotator's labels side by side (`✕` where they ignored the sentence), a mark (`≠`
    disagreement, `=` all alike), then gold."""
    gutter = Text()
    columns = widths if widths is not None else [len(scheme)] * len(annotators)
    for name, width in zip(annotators, columns, strict=True):
        labels = votes.get(name)
        if name in ignored:
            gutter.append(IGNORED_MARK.ljust(len(scheme)), IGNORED_STYLE)
        else:
            gutter.append_text(label_marks(labels or (), scheme, labels is not None))
        gutter.append(" " * (width - len(scheme) + 1))
    if disagreement:
        gutter.append("≠", Style(color="#ef6f6c", bold=True))
    elif len(votes) >= 2:
        gutter.append("=", Style(color="#7bc47f"))
    else:
        gutter.append(" ")
    gutter.append(" ")
    if gold.ignored:
        gutter.append(IGNORED_MARK.ljust(len(scheme)), IGNORED_STYLE)
    else:
        gutter.append_text(label_marks(gold.labels, scheme, gold.decided))
    return gutter
