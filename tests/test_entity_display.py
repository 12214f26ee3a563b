"""Entity colours distinct for every type the pipeline has, and the types written after entities
(the reader's `e`: off → colours → colours with types)."""

from __future__ import annotations

from itertools import combinations

import pytest
from rich.color import Color, ColorSystem

from annotations.store import Store
from tui.screens.reader import ReaderScreen
from tui.widgets.entity_colors import ENTITY_COLORS, TYPE_MARK, entity_color, with_types
from tui_helpers import SIZE, article_text, make_app

ONTONOTES = [
    "CARDINAL",
    "DATE",
    "EVENT",
    "FAC",
    "GPE",
    "LANGUAGE",
    "LAW",
    "LOC",
    "MONEY",
    "NORP",
    "ORDINAL",
    "ORG",
    "PERCENT",
    "PERSON",
    "PRODUCT",
    "QUANTITY",
    "TIME",
    "WORK_OF_ART",
]


def rgb(color: Color) -> tuple[int, int, int]:
    true = color.get_truecolor()
    return true.red, true.green, true.blue


def distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def test_every_ontonotes_type_has_a_colour_of_its_own() -> None:
    assert sorted(ENTITY_COLORS) == sorted(ONTONOTES)
    colours = [entity_color(label) for label in ONTONOTES]
    assert len(set(colours)) == len(ONTONOTES)
    for a, b in combinations(ONTONOTES, 2):
        assert distance(rgb(Color.parse(entity_color(a))), rgb(Color.parse(entity_color(b)))) > 30


def test_the_colours_stay_distinct_in_256_colours() -> None:
    downgraded = {
        label: Color.parse(entity_color(label)).downgrade(ColorSystem.EIGHT_BIT)
        for label in ONTONOTES
    }
    numbers = {label: color.number for label, color in downgraded.items()}
    assert len(set(numbers.values())) == len(ONTONOTES), numbers
    for a, b in combinations(ONTONOTES, 2):
        assert distance(rgb(downgraded[a]), rgb(downgraded[b])) >= 40, (a, b)


def test_with_types_writes_each_type_after_its_entity() -> None:
    text = "Palmyra fell to IS on Thursday."
    entities = ((0, 7, "PERSON"), (16, 18, "ORG"), (22, 30, "DATE"))
    shown, spans = with_types(text, entities)
    assert shown == "Palmyra PERSON fell to IS ORG on Thursday DATE."
    drawn = [(shown[start:end], label) for start, end, label in spans]
    assert drawn == [
        ("Palmyra", "PERSON"),
        (" PERSON", TYPE_MARK + "PERSON"),
        ("IS", "ORG"),
        (" ORG", TYPE_MARK + "ORG"),
        ("Thursday", "DATE"),
        (" DATE", TYPE_MARK + "DATE"),
    ]
    assert with_types("No entities.", ()) == ("No entities.", ())
    overlapping = with_types("New York City", ((0, 8, "GPE"), (4, 13, "GPE")))
    assert overlapping[0] == "New York GPE City"


@pytest.mark.anyio
async def test_e_cycles_off_colours_and_types(tui_store: Store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        view = reader.view
        assert view.show_entities and not view.show_entity_types
        await pilot.press("e")
        assert view.show_entities and view.show_entity_types
        assert "Palmyra PERSON" in article_text(reader)
        await pilot.press("e")
        assert not view.show_entities and not view.show_entity_types
        assert "Palmyra PERSON" not in article_text(reader)
        await pilot.press("e")
        assert view.show_entities and not view.show_entity_types
