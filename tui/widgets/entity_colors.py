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
    "FAC": "#9cc9cc",
    "EVENT": "#ffeb80",
    "LAW": "#ff8197",
    "LANGUAGE": "#ff8197",
    "WORK_OF_ART": "#f0d0ff",
    "DATE": "#bfe1d9",
    "TIME": "#bfe1d9",
    "MONEY": "#e4e7d2",
    "QUANTITY": "#e4e7d2",
    "ORDINAL": "#e4e7d2",
    "CARDINAL": "#e4e7d2",
    "PERCENT": "#e4e7d2",
}
"""displaCy's background colour for each spaCy entity label."""

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
