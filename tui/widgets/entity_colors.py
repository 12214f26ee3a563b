"""Background colours for named-entity labels.

The palette is spaCy displaCy's, which readers of NER output already know. The colours are light,
so the article view draws entity text near-black on them: that reads on dark and light themes
alike.
"""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style

ENTITY_COLORS: dict[str, str] = {
    "ORG": "#7aecec",
    "PRODUCT": "#bfeeb7",
    "GPE": "#feca74",
    "LOC": "#ff9561",
    "PERSON": "#aa9cfc",
    "NORP": "#c887fb",
    "FAC": "#ddd0a0",
    "EVENT": "#ffff87",
    "LAW": "#ff8197",
    "LANGUAGE": "#ffb3d9",
    "WORK_OF_ART": "#f0d0ff",
    "DATE": "#bfe1d9",
    "TIME": "#87d7ff",
    "MONEY": "#d7ff87",
    "QUANTITY": "#e4e7d2",
    "ORDINAL": "#ffd7af",
    "CARDINAL": "#d0d0ff",
    "PERCENT": "#afffd7",
}
"""A background colour for each of the 18 OntoNotes labels the English pipelines give.

displaCy's colours where displaCy gives a type a colour of its own (ORG, GPE, PERSON, NORP, …);
displaCy shares one colour among DATE and TIME, and another among the numeric types, so those
get light colours of their own, chosen to stay apart in 256 colours too (tests check both)."""

DEFAULT_ENTITY_COLOR = "#dddddd"
"""Background for labels not in :data:`ENTITY_COLORS` (displaCy's default)."""


def entity_color(label: str) -> str:
    """Return the background colour of an entity label.

    Args:
        label: An entity label such as ``"PERSON"``; matched case-insensitively.

    Returns:
        A ``#rrggbb`` colour.
    """
    return ENTITY_COLORS.get(label.upper(), DEFAULT_ENTITY_COLOR)


ENTITY_TEXT_COLOR = "#000000"
"""Colour of entity text: every background above is light, so black reads on any theme."""


@lru_cache(maxsize=256)
def entity_style(label: str) -> Style:
    """Return the Rich style of an entity: black text on the label's colour.

    Args:
        label: An entity label.

    Returns:
        A style with explicit foreground and background, to combine over the text style.
    """
    return Style(color=ENTITY_TEXT_COLOR, bgcolor=entity_color(label))


TYPE_MARK = "\x00"
"""Starts the label of the pseudo-entity that draws a type after its entity (no entity label
from a pipeline contains a NUL)."""


@lru_cache(maxsize=256)
def type_style(label: str) -> Style:
    """The style of the type drawn after an entity: small caps-like, bold and italic, on the
    entity's colour, so "Palmyra PERSON" reads as one chip."""
    return Style(color="#333333", bgcolor=entity_color(label), bold=True, italic=True)


def span_style(label: str) -> Style:
    """The style of an entity's text, or of the type drawn after it (see `with_types`)."""
    if label.startswith(TYPE_MARK):
        return type_style(label[len(TYPE_MARK) :])
    return entity_style(label)


def with_types(
    text: str, entities: tuple[tuple[int, int, str], ...]
) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """The text with each entity's type written after it (displaCy's way), and the entities
    moved to match, each followed by a pseudo-entity for its type (label TYPE_MARK + type).

    Args:
        text: A sentence as displayed.
        entities: ``(start, end, label)`` sorted by start; an entity overlapping the one before
            is left out.

    Returns:
        The new text and spans. The type is data: drawn literally, never as markup.
    """
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    position = shift = 0
    for start, end, label in entities:
        if start < position or end > len(text):
            continue
        tag = " " + label
        pieces.append(text[position:end])
        spans.append((start + shift, end + shift, label))
        spans.append((end + shift, end + shift + len(tag), TYPE_MARK + label))
        pieces.append(tag)
        shift += len(tag)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), tuple(spans)
