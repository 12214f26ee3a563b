"""Tests for annotations.export: the JSONL lines, their order, their keys, gold lines."""

from __future__ import annotations

import io
import json

import pytest
from conftest import SAMPLE_ID, STORY_ID, TALKS_ID

from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.export import export_records, write_jsonl
from annotations.formats.annotty import write_lines
from annotations.formats.foreign import ExportContext
from annotations.library import get_article
from annotations.scheme import set_labels
from annotations.store import Store

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]
KEYS = [
    "article_id",
    "title",
    "source",
    "sentence",
    "start",
    "end",
    "text",
    "labels",
    "annotator",
    "updated_at",
    "entities",
]


def decide(store: Store, who: str, article: str, idx: int, labels: list[str]) -> str:
    """Decide sentence `idx` of an article; return the decision's updated_at."""
    span = get_article(store, article).sentences[idx].span
    decisions = Decisions(store, ANNOTATIONS, who, SCHEME)
    decisions.decide(article, span, labels)
    updated = decisions.get(article, span).updated_at
    assert updated is not None
    return updated


def lines(store: Store, *annotators: str, gold: bool = False) -> list[str]:
    out = io.StringIO()
    records = export_records(store, annotators, gold=gold)
    count = write_jsonl(write_lines(records, ExportContext(SCHEME)), out)
    result = out.getvalue().splitlines()
    assert count == len(result)
    return result


def test_exact_lines_in_library_sentence_and_annotator_order(tiny: Store) -> None:
    times = {}
    times["carol", 1] = decide(tiny, "carol", TALKS_ID, 1, ["heritage_damage"])
    times["bob", 0] = decide(tiny, "bob", TALKS_ID, 0, ["diplomatic", "military"])
    times["alice", 1] = decide(tiny, "alice", TALKS_ID, 1, [])
    times["alice", "story"] = decide(tiny, "alice", STORY_ID, 1, ["military"])
    decide(tiny, "dave", TALKS_ID, 3, ["military"])
    Decisions(tiny, ANNOTATIONS, "dave", SCHEME).undo(TALKS_ID)  # undone: not exported

    talks = {"article_id": TALKS_ID, "title": "Talks", "source": "wire"}
    troops = {"sentence": 1, "start": 17, "end": 52, "text": "Troops entered Palmyra on Thursday."}
    thursday = [{"start": 26, "end": 34, "label": "DATE", "text": "Thursday"}]
    expected = [
        {
            "article_id": STORY_ID,
            "title": "Second story",
            "source": "wire",
            "sentence": 1,
            "start": 14,
            "end": 45,
            "text": "Fighting continued near Aleppo.",
            "labels": ["military"],
            "annotator": "alice",
            "updated_at": times["alice", "story"],
            "entities": [{"start": 24, "end": 30, "label": "GPE", "text": "Aleppo"}],
        },
        {
            **talks,
            "sentence": 0,
            "start": 0,
            "end": 15,
            "text": "Talks in Geneva",
            "labels": ["military", "diplomatic"],
            "annotator": "bob",
            "updated_at": times["bob", 0],
            "entities": [{"start": 9, "end": 15, "label": "GPE", "text": "Geneva"}],
        },
        {
            **talks,
            **troops,
            "labels": [],
            "annotator": "alice",
            "updated_at": times["alice", 1],
            "entities": thursday,
        },
        {
            **talks,
            **troops,
            "labels": ["heritage_damage"],
            "annotator": "carol",
            "updated_at": times["carol", 1],
            "entities": thursday,
        },
    ]
    got = lines(tiny)
    assert [json.loads(line) for line in got] == expected
    assert all(list(json.loads(line)) == KEYS for line in got)
    assert got[0] == (
        f'{{"article_id": "{STORY_ID}", "title": "Second story", "source": "wire", "sentence": 1,'
        ' "start": 14, "end": 45, "text": "Fighting continued near Aleppo.", "labels":'
        f' ["military"], "annotator": "alice", "updated_at": "{times["alice", "story"]}",'
        ' "entities": [{"start": 24, "end": 30, "label": "GPE", "text": "Aleppo"}]}'
    )
    # Only the annotators asked for.
    assert [json.loads(line)["annotator"] for line in lines(tiny, "carol", "bob")] == [
        "bob",
        "carol",
    ]
    assert lines(tiny, "nobody") == []


def test_nothing_decided_exports_nothing(tiny: Store) -> None:
    assert lines(tiny) == []
    assert lines(tiny, gold=True) == []


def test_labels_follow_the_scheme_order(tiny: Store) -> None:
    decide(tiny, "alice", TALKS_ID, 0, ["military", "heritage_damage"])
    set_labels(tiny, ["heritage_damage", "diplomatic", "military"])
    (line,) = lines(tiny)
    assert json.loads(line)["labels"] == ["heritage_damage", "military"]


def test_entities_are_relative_to_the_sentence(store: Store) -> None:
    article = get_article(store, SAMPLE_ID)
    decisions = Decisions(store, ANNOTATIONS, "alice", SCHEME)
    decisions.decide_many(SAMPLE_ID, [(s.span, ["military"], None) for s in article.sentences])
    records = list(export_records(store))
    assert [r["sentence"] for r in records] == list(range(len(article.sentences)))
    total = 0
    for record, sentence in zip(records, article.sentences, strict=True):
        assert record["text"] == article.text[record["start"] : record["end"]] == sentence.text
        expected = [(e.start - sentence.start, e.text) for e in article.entities_in(sentence)]
        assert [(e["start"], e["text"]) for e in record["entities"]] == expected
        for entity in record["entities"]:
            assert record["text"][entity["start"] : entity["end"]] == entity["text"]
        total += len(record["entities"])
    assert total == len(article.entities)


def test_non_ascii_is_written_as_is() -> None:
    out = io.StringIO()
    assert write_jsonl(iter([{"text": "دمشق 🚀 café"}]), out) == 1
    assert out.getvalue() == '{"text": "دمشق 🚀 café"}\n'


def test_gold_lines_carry_the_votes(tiny: Store) -> None:
    talks = get_article(tiny, TALKS_ID)
    decide(tiny, "bob", TALKS_ID, 0, ["heritage_damage", "military"])
    decide(tiny, "alice", TALKS_ID, 0, ["military"])
    decide(tiny, "alice", TALKS_ID, 2, [])
    rev = Decisions(tiny, GOLD, "rev", SCHEME)
    rev.decide(TALKS_ID, talks.sentences[0].span, ["military"], note="checked")
    rev.decide(TALKS_ID, talks.sentences[3].span, [])
    gold_time = rev.get(TALKS_ID, talks.sentences[0].span).updated_at

    records = [json.loads(line) for line in lines(tiny, gold=True)]
    # The reviewer's note travels with the line (and comes back on import).
    assert [list(r) for r in records] == [[*KEYS, "votes", "note"], [*KEYS, "votes"]]
    first, second = records
    assert first == {
        "article_id": TALKS_ID,
        "title": "Talks",
        "source": "wire",
        "sentence": 0,
        "start": 0,
        "end": 15,
        "text": "Talks in Geneva",
        "labels": ["military"],
        "annotator": "rev",
        "updated_at": gold_time,
        "entities": [{"start": 9, "end": 15, "label": "GPE", "text": "Geneva"}],
        "votes": {"alice": ["military"], "bob": ["military", "heritage_damage"]},
        "note": "checked",
    }
    assert (second["sentence"], second["labels"], second["votes"]) == (3, [], {})
    filtered = [json.loads(line)["votes"] for line in lines(tiny, "bob", gold=True)]
    assert filtered == [{"bob": ["military", "heritage_damage"]}, {}]
    # Undone gold is not exported.
    rev.undo(TALKS_ID)
    assert [json.loads(line)["sentence"] for line in lines(tiny, gold=True)] == [0]


def test_gold_votes_follow_the_scheme_order(tiny: Store) -> None:
    span = get_article(tiny, TALKS_ID).sentences[0].span
    decide(tiny, "alice", TALKS_ID, 0, ["military", "diplomatic"])
    Decisions(tiny, GOLD, "rev", SCHEME).decide(TALKS_ID, span, ["military", "diplomatic"])
    set_labels(tiny, ["diplomatic", "military", "heritage_damage"])
    (line,) = lines(tiny, gold=True)
    record = json.loads(line)
    assert record["labels"] == ["diplomatic", "military"]
    assert record["votes"] == {"alice": ["diplomatic", "military"]}


@pytest.mark.parametrize("gold", [False, True])
def test_export_streams_records(tiny: Store, gold: bool) -> None:
    records = export_records(tiny, gold=gold)
    assert iter(records) is records  # a generator, not a list built up front
