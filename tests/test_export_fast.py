"""annotty's fast export (`export_annotty`, what `annotty export` runs) writes byte for byte what
the generic path (`write_lines` over `export_records`, each line `json.dumps`ed) writes."""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

import pytest
from conftest import STORY_ID, TALKS_ID
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.export import export_annotty, export_records, write_jsonl
from annotations.formats.annotty import LineEncoder, write_lines
from annotations.formats.foreign import ExportContext
from annotations.library import get_article
from annotations.store import Store

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]


def generic(store: Store, **options: Any) -> bytes:
    out = io.StringIO()
    records = export_records(store, **options)
    context = ExportContext(SCHEME, include_ignored=options.get("include_ignored", False))
    write_jsonl(write_lines(records, context), out)
    return out.getvalue().encode("utf-8")


def fast(store: Store, **options: Any) -> bytes:
    out = io.BytesIO()
    count = export_annotty(store, out, **options)
    assert count == out.getvalue().count(b"\n")
    return out.getvalue()


def test_the_same_bytes_for_every_option(tiny: Store) -> None:
    talks, story = get_article(tiny, TALKS_ID), get_article(tiny, STORY_ID)
    alice = Decisions(tiny, ANNOTATIONS, "alice", SCHEME)
    bob = Decisions(tiny, ANNOTATIONS, "bob", SCHEME)
    alice.decide(TALKS_ID, talks.sentences[0].span, ["heritage_damage", "military"])
    alice.decide(TALKS_ID, talks.sentences[1].span, [], source="suggested")
    alice.ignore(TALKS_ID, talks.sentences[2].span)
    alice.decide(STORY_ID, story.sentences[1].span, ["military"], source="pattern")
    bob.decide(TALKS_ID, talks.sentences[0].span, ["diplomatic"], source="typed")
    bob.decide(TALKS_ID, talks.sentences[3].span, ["military"])
    bob.undo(TALKS_ID)  # undone: in neither export
    rev = Decisions(tiny, GOLD, "rev", SCHEME)
    rev.decide(TALKS_ID, talks.sentences[0].span, ["military"], note="checked ✓")
    rev.decide(TALKS_ID, talks.sentences[1].span, [])
    rev.ignore(TALKS_ID, talks.sentences[2].span)

    flags = itertools.product(
        (False, True), (False, True), ((), ("alice",), ("alice", "bob")), ((), (TALKS_ID,))
    )
    exported = set()
    for gold, ignored, annotators, articles in flags:
        options = {
            "gold": gold,
            "include_ignored": ignored,
            "annotators": annotators,
            "articles": articles,
        }
        expected = generic(tiny, **options)
        assert fast(tiny, **options) == expected, options
        exported.add(expected)
    # The options did change what was written (the comparison is not of empty files).
    assert len(exported) > 8 and all(exported)


row_text = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc"),
        whitelist_characters='"\\\u200f\u202e\u2028',
    ),
    max_size=30,
)
texts = st.one_of(
    row_text,
    st.sampled_from(["שלום עולם", "مرحبا 👩‍👩‍👧 بالعالم", "Zürich \u00a0 «quote»", "🏳️‍🌈🇸🇾"]),
)
names = st.text(st.characters(whitelist_categories=("Ll", "Lo", "Nd")), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    head=st.tuples(texts, st.none() | texts, st.none() | texts),
    rows=st.lists(
        st.tuples(
            st.integers(0, 3),  # the sentence
            names,
            st.lists(st.sampled_from([*SCHEME, "zeta"]), max_size=4),
            st.none() | texts,  # updated_at
            st.booleans(),  # ignored
            st.none() | st.sampled_from(["", "typed", "suggested"]) | texts,
        ),
        min_size=1,
        max_size=6,
    ),
    entities=st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["GPE", "PERSON"]), texts)),
    votes=st.dictionaries(names, st.lists(st.sampled_from(SCHEME), unique=True), max_size=3),
    gold=st.booleans(),
)
def test_lines_are_json_dumps_lines(
    head: tuple, rows: list, entities: list, votes: dict, gold: bool
) -> None:
    """Any text (emoji, right-to-left, quotes, backslashes, separators) is written as
    `json.dumps(line, ensure_ascii=False)` writes it, in the same key order."""
    identity, title, source = head
    rows.sort(key=lambda row: (row[0], row[1]))
    spans = {idx: (idx * 20, idx * 20 + 15) for idx in range(4)}
    found = {
        span: [(span[0] + at, span[0] + at + 3, label, text) for at, label, text in entities]
        for span in spans.values()
    }
    table = [
        (1, idx, *spans[idx], f"text {idx}", actor, json.dumps(labels), updated, ignored, extra)
        for idx, actor, labels, updated, ignored, extra in rows
    ]
    encoder = LineEncoder(SCHEME)
    # Each sentence's entities, and one crossing from a sentence into the next (in neither).
    entity_rows = [*itertools.chain(*found.values()), (12, 22, "GPE", "across")]
    written = b"".join(
        encoder.lines(
            encoder.article(identity, title, source),
            table,
            encoder.entities(sorted(spans.values()), entity_rows),
            {span: votes for span in spans.values()} if gold else None,
        )
    )
    records = []
    for _, idx, start, end, text, actor, labels, updated, ignored, extra in table:
        record = {
            "article_id": identity, "title": title, "source": source, "sentence": idx,
            "start": start, "end": end, "text": text,
            "labels": [label for label in [*SCHEME, "zeta"] if label in json.loads(labels)],
            "annotator": actor, "updated_at": updated,
            "entities": [
                {"start": s - start, "end": e - start, "label": label, "text": t}
                for s, e, label, t in found[start, end]
            ],
        }  # fmt: skip
        if ignored:
            record["ignored"] = True
        if gold:
            record |= {"votes": votes, "note": extra}
        else:
            record["origin"] = extra
        records.append(record)
    expected = io.StringIO()
    write_jsonl(write_lines(records, ExportContext(SCHEME, include_ignored=True)), expected)
    assert written == expected.getvalue().encode("utf-8")
