"""Tests for the other tools' formats: Prodigy, doccano, Label Studio and spaCy, out and back in.

The writers are checked line by line against each tool's documented shape; the readers against
lines as those tools write them; `apply_foreign` for how a text finds its sentence; the CLI for
options and per-line reports. Round trips are in test_interop_roundtrip.py, training in
test_spacy_train.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import murmurhash
import pytest
from cli_helpers import annotty
from click.testing import CliRunner
from conftest import STORY_ID, TALKS_ID, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.decisions import ANNOTATIONS, GOLD, Decisions
from annotations.errors import InputError
from annotations.export import export_records
from annotations.foreign_import import apply_foreign
from annotations.formats import doccano, label_studio, prodigy
from annotations.formats.catalogue import read_foreign_line
from annotations.formats.foreign import ExportContext, ForeignDecision, murmurhash3_32
from annotations.library import add_article, get_article
from annotations.model import Analysis, ArticleInput
from annotations.store import Store
from annotations.text import article_id
from tui.cli import cli

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]
CONTEXT = ExportContext(scheme=SCHEME, display={"heritage_damage": "Heritage damage"})
EMOJI_TEXT = "Troops 👩‍❤️‍👩 entered Palmyra 😀 on Thursday."


def record(**changes: object) -> dict:
    """An export record, as annotations.export yields them."""
    base = {
        "article_id": TALKS_ID,
        "title": "Talks",
        "source": "wire",
        "sentence": 1,
        "start": 17,
        "end": 52,
        "text": "Troops entered Palmyra on Thursday.",
        "labels": ["military"],
        "annotator": "alice",
        "updated_at": "2026-11-24T18:05:02.123456Z",
        "entities": [{"start": 26, "end": 34, "label": "DATE", "text": "Thursday"}],
    }
    base.update(changes)
    return base


def emoji_record() -> dict:
    start = EMOJI_TEXT.index("Palmyra")
    entity = {"start": start, "end": start + 7, "label": "GPE", "text": "Palmyra"}
    return record(text=EMOJI_TEXT, end=17 + len(EMOJI_TEXT), entities=[entity])


def decide(store: Store, who: str, article: str, idx: int, labels: list[str]) -> None:
    span = get_article(store, article).sentences[idx].span
    Decisions(store, ANNOTATIONS, who, SCHEME).decide(article, span, labels)


def ignore(store: Store, who: str, article: str, idx: int) -> None:
    span = get_article(store, article).sentences[idx].span
    Decisions(store, ANNOTATIONS, who, SCHEME).ignore(article, span)


# --- hashing --------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=40))
def test_murmurhash_matches_the_c_implementation(data: bytes) -> None:
    assert murmurhash3_32(data) == murmurhash.hash(data)


def test_prodigy_hashes_are_stable_and_depend_on_what_they_should() -> None:
    # Fixed numbers: a change here changes every hash annotty ever wrote.
    assert prodigy.input_hash("Troops entered Palmyra.") == murmurhash3_32(
        b'{"text":"Troops entered Palmyra."}'
    )
    assert prodigy.input_hash("Troops entered Palmyra.") == 36282997
    options = [{"id": "military", "text": "military"}]
    assert prodigy.task_hash("a", options) != prodigy.task_hash("a", [*options, *options])
    assert prodigy.task_hash("a", options) != prodigy.task_hash("b", options)
    assert -(2**31) <= prodigy.input_hash("دمشق 🚀") < 2**31


# --- writers --------------------------------------------------------------------------------------


def test_prodigy_task_has_every_field_db_out_writes() -> None:
    (task,) = prodigy.write_tasks([record()], CONTEXT)
    options = [
        {"id": "military", "text": "military"},
        {"id": "diplomatic", "text": "diplomatic"},
        {"id": "heritage_damage", "text": "Heritage damage"},
    ]
    assert task == {
        "text": "Troops entered Palmyra on Thursday.",
        "meta": {
            "article_id": TALKS_ID,
            "title": "Talks",
            "source": "wire",
            "sentence": 1,
            "start": 17,
            "end": 52,
        },
        "options": options,
        "_input_hash": prodigy.input_hash("Troops entered Palmyra on Thursday."),
        "_task_hash": prodigy.task_hash("Troops entered Palmyra on Thursday.", options),
        "_view_id": "choice",
        "config": {"choice_style": "multiple"},
        "accept": ["military"],
        "answer": "accept",
        "_timestamp": 1795543502,
        "_annotator_id": "alice",
        "_session_id": "alice",
        "spans": [{"start": 26, "end": 34, "label": "DATE", "text": "Thursday"}],
    }


def test_ignored_sentences_only_when_asked_and_marked_each_formats_way() -> None:
    ignored = record(labels=[], ignored=True)
    assert list(prodigy.write_tasks([ignored], CONTEXT)) == []
    assert list(doccano.write_classification([ignored], CONTEXT)) == []
    assert list(label_studio.write_tasks([ignored], CONTEXT)) == []
    wanted = ExportContext(scheme=SCHEME, include_ignored=True)
    (task,) = prodigy.write_tasks([ignored], wanted)
    assert (task["answer"], task["accept"]) == ("ignore", [])
    (line,) = doccano.write_classification([ignored], wanted)
    assert (line["label"], line["ignored"]) == ([], True)
    (ls_task,) = label_studio.write_tasks([ignored], wanted)
    (annotation,) = ls_task["annotations"]
    assert annotation["was_cancelled"] is True
    assert [r["type"] for r in annotation["result"]] == ["labels"]  # no choices


def test_offsets_are_code_points_in_every_format() -> None:
    """Prodigy, doccano and Label Studio count characters as Python does: an emoji is one
    code point, even where JavaScript would count two or more UTF-16 units."""
    rec = emoji_record()
    assert (
        EMOJI_TEXT.index("Palmyra")
        != EMOJI_TEXT.encode("utf-16-le").index("Palmyra".encode("utf-16-le")) // 2
    )
    (task,) = prodigy.write_tasks([rec], CONTEXT)
    (span,) = task["spans"]
    (ner,) = doccano.write_sequence_labelling([rec], CONTEXT)
    ((start, end, label),) = ner["label"]
    (ls_task,) = label_studio.write_tasks([rec], CONTEXT)
    region = ls_task["annotations"][0]["result"][1]["value"]
    for first, last in [
        (span["start"], span["end"]),
        (start, end),
        (region["start"], region["end"]),
    ]:
        assert EMOJI_TEXT[first:last] == "Palmyra"
    assert label == "GPE" and region["labels"] == ["GPE"]


def test_doccano_lines_keep_the_location_beside_text_and_label() -> None:
    rec = record(votes={"bob": ["military"]})
    (line,) = doccano.write_classification([rec], CONTEXT)
    assert line == {
        "text": rec["text"],
        "label": ["military"],
        "article_id": TALKS_ID,
        "title": "Talks",
        "source": "wire",
        "sentence": 1,
        "start": 17,
        "end": 52,
        "annotator": "alice",
        "votes": {"bob": ["military"]},
    }
    # Sequence labelling: one line per sentence, however many annotators decided it.
    lines = list(doccano.write_sequence_labelling([record(), record(annotator="bob")], CONTEXT))
    assert [line["label"] for line in lines] == [[[26, 34, "DATE"]]]


def test_label_studio_tasks_group_annotators_and_fit_the_config() -> None:
    context = ExportContext(scheme=SCHEME, entity_labels=["DATE", "GPE"])
    records = [
        record(),
        record(annotator="bob", labels=[]),
        record(sentence=2, start=53, end=75, text="The museum was looted.", entities=[]),
    ]
    first, second = label_studio.write_tasks(records, context)
    assert (first["id"], second["id"]) == (1, 2)
    assert first["data"]["text"] == "Troops entered Palmyra on Thursday."
    alice, bob = first["annotations"]
    assert (alice["completed_by"], alice["created_username"]) == (1, "alice")
    assert (bob["completed_by"], bob["created_username"]) == (2, "bob")
    assert second["annotations"][0]["completed_by"] == 1
    choices = alice["result"][0]
    assert choices["type"] == "choices" and choices["value"] == {"choices": ["military"]}
    assert [r["type"] for r in bob["result"]] == ["labels"]  # decided with no label

    view = ET.fromstring(label_studio.labelling_config(context))
    controls = {element.get("name"): element for element in view}
    assert controls["text"].tag == "Text" and controls["text"].get("value") == "$text"
    assert [c.get("value") for c in controls[choices["from_name"]]] == SCHEME
    assert controls[choices["from_name"]].get("toName") == choices["to_name"] == "text"
    assert controls[choices["from_name"]].get("choice") == "multiple"
    entities = controls[alice["result"][1]["from_name"]]
    assert entities.tag == "Labels" and [e.get("value") for e in entities] == ["DATE", "GPE"]


# --- readers --------------------------------------------------------------------------------------


def test_prodigy_reader_takes_accept_answer_and_annotator() -> None:
    (task,) = prodigy.write_tasks([record()], CONTEXT)
    decision = read_foreign_line(task, 3)
    assert isinstance(decision, ForeignDecision)
    assert (decision.text, decision.labels, decision.annotator) == (
        "Troops entered Palmyra on Thursday.",
        ("military",),
        "alice",
    )
    assert (decision.article_id, decision.start, decision.end) == (TALKS_ID, 17, 52)
    assert decision.updated_at == "2026-11-24T18:05:02.000000Z"
    # Options with numeric ids are read through their text.
    numeric = {
        "text": "x",
        "options": [{"id": 1, "text": "military"}],
        "accept": [1],
        "answer": "accept",
    }
    assert prodigy.read_task(numeric, 1).labels == ("military",)
    ignored = prodigy.read_task({"text": "x", "answer": "ignore", "accept": ["military"]}, 1)
    assert (ignored.ignored, ignored.labels, ignored.annotator) == (True, (), None)
    for bad, message in [
        ({"text": "x", "answer": "reject", "accept": []}, 'line 7: answer "reject"'),
        ({"text": "x", "answer": "maybe", "accept": []}, 'line 7: "answer" must be'),
        ({"text": "", "answer": "accept", "accept": []}, 'line 7: "text" is empty'),
        ({"text": "x", "answer": "accept", "accept": [2]}, "line 7: accepted option 2"),
    ]:
        with pytest.raises(InputError, match=message):
            prodigy.read_task(bad, 7)


def test_doccano_reader() -> None:
    decision = doccano.read_line({"text": " A text. ", "label": ["diplomatic"], "user": "kim"}, 2)
    assert (decision.text, decision.labels, decision.annotator) == (
        "A text.",
        ("diplomatic",),
        "kim",
    )
    assert doccano.read_line({"text": "A", "label": []}, 2).annotator is None
    with pytest.raises(InputError, match="sequence-labelling line"):
        doccano.read_line({"text": "A", "label": [[0, 1, "X"]]}, 2)
    assert doccano.read_line({"text": "A", "label": "military"}, 2).labels == ("military",)
    with pytest.raises(InputError, match='line 2: "label" must be a list'):
        doccano.read_line({"text": "A", "label": 3}, 2)
    binary = read_foreign_line({"text": "A", "label": "military", "answer": "accept"}, 4)
    assert isinstance(binary, InputError)
    assert str(binary).startswith("line 4: a Prodigy task that is not a choice task")


def test_label_studio_reader_one_annotator_per_completed_by() -> None:
    task = {
        "data": {"text": "Troops entered Palmyra."},
        "annotations": [
            {"completed_by": 4, "result": [_choices("military")]},
            {"completed_by": {"id": 5, "email": "kim@example.org"}, "result": []},
            {"completed_by": 6, "created_username": "lee@example.org, 6", "result": []},
            {"completed_by": 7, "was_cancelled": True, "result": [_choices("military")]},
            {"completed_by": 8, "result": [{"type": "choices", "value": {"choices": "x"}}]},
        ],
    }
    found = label_studio.read_task(task, 2)
    decisions = [item for item in found if isinstance(item, ForeignDecision)]
    assert [(d.annotator, d.labels, d.ignored) for d in decisions] == [
        ("label-studio-4", ("military",), False),
        ("kim@example.org", (), False),
        ("lee@example.org", (), False),
        ("label-studio-7", (), True),
    ]
    assert [str(item) for item in found if isinstance(item, InputError)] == [
        "task 2: a choices region without a list of choices"
    ]
    assert label_studio.recognise([task]) and not label_studio.recognise([{"text": "x"}])


def _choices(*names: str) -> dict:
    return {
        "from_name": "label",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": list(names)},
    }


# --- matching to stored sentences -----------------------------------------------------------------


def foreign(text: str, *labels: str, line: int = 1, **hints: object) -> ForeignDecision:
    hints.setdefault("annotator", "kim")
    return ForeignDecision(line=line, text=text, labels=labels, **hints)  # type: ignore[arg-type]


def apply(store: Store, decisions: list[ForeignDecision]):
    def analyse(texts: list[str]) -> list[Analysis]:
        return [Analysis([(0, len(text))], [(0, 3, "ORG")]) for text in texts]

    return apply_foreign(
        store,
        decisions,
        default_annotator="me",
        analyse=analyse,
        pipeline_name=lambda: "test",
        source="in.jsonl",
    )


def labels_of(store: Store, who: str, article: str, idx: int) -> tuple[str, ...] | None:
    span = get_article(store, article).sentences[idx].span
    decision = Decisions(store, ANNOTATIONS, who, SCHEME).get(article, span)
    return decision.labels if decision.decided else None


def test_texts_find_their_sentences_by_meta_then_article_then_library(tiny: Store) -> None:
    troops = "Troops entered Palmyra on Thursday."
    result = apply(
        tiny,
        [
            foreign(troops, "military", line=1, article_id=TALKS_ID, start=17, end=52),
            foreign("The museum was looted.", "heritage_damage", line=2, article_id=TALKS_ID),
            foreign("Fighting continued near Aleppo.", "military", line=3),
            ForeignDecision(line=4, text="Talks in Geneva", labels=(), annotator=None),
        ],
    )
    assert (result.decisions, result.problems, result.new_articles) == (4, [], 0)
    assert result.article_ids == [TALKS_ID, STORY_ID]
    assert labels_of(tiny, "kim", TALKS_ID, 1) == ("military",)
    assert labels_of(tiny, "kim", TALKS_ID, 2) == ("heritage_damage",)
    assert labels_of(tiny, "kim", STORY_ID, 1) == ("military",)
    assert labels_of(tiny, "me", TALKS_ID, 0) == ()  # no annotator on the line: the default


def test_lines_that_cannot_apply_are_reported_never_half_applied(tiny: Store) -> None:
    result = apply(
        tiny,
        [
            foreign("Troops entered Palmyra on Thursday.", "military", "looting", line=1),
            foreign("Not in this article.", "military", line=2, article_id=TALKS_ID),
            foreign("Two lines\nof text", "military", line=3),
            foreign("?!", line=4),
        ],
    )
    assert result.decisions == 0 and result.new_articles == 0
    assert result.problems == [
        "line 1: label 'looting' is not in the scheme (military, diplomatic, heritage_damage):"
        " not imported",
        f"line 2: article {TALKS_ID} has no sentence with this text: not imported",
        "line 3: no stored sentence has this text, and a text of several lines cannot be one"
        " sentence: import the text as an article first, then its labels",
        "line 4: no stored sentence has this text, too little to be an article",
    ]
    assert labels_of(tiny, "kim", TALKS_ID, 1) is None


def test_an_unmatched_text_becomes_an_article_of_one_sentence(tiny: Store) -> None:
    text = "Sanctions were lifted in Vienna."
    result = apply(
        tiny,
        [
            foreign(text, "diplomatic", line=1, title="Vienna", source="prodigy:news"),
            foreign(text, "military", line=2, annotator="lee"),
        ],
    )
    assert (result.decisions, result.new_articles, result.problems) == (2, 1, [])
    (identity,) = result.article_ids
    article = get_article(tiny, identity)
    assert (article.text, article.title, article.source) == (text, "Vienna", "prodigy:news")
    assert [s.span for s in article.sentences] == [(0, len(text))]
    assert labels_of(tiny, "kim", identity, 0) == ("diplomatic",)


def test_a_text_that_is_a_several_sentence_article_is_reported(tiny: Store) -> None:
    text = "Shelling resumed. The museum burned."
    with tiny.write():
        add_article(tiny, ArticleInput(text), Analysis([(0, 17), (18, 36)], []), "test")
    result = apply(tiny, [foreign(text, "military", line=3)])
    assert (result.decisions, result.new_articles) == (0, 0)
    assert result.problems == [
        f"line 3: the text is article {article_id(text)}, which annotty splits into several"
        " sentences: not imported"
    ]
    assert apply(tiny, [foreign("The museum burned.", "heritage_damage")]).decisions == 1


def test_same_text_in_two_articles_needs_the_article(tiny: Store) -> None:
    apply(tiny, [foreign("Talks in Geneva", line=1)])  # matched: no new article
    result = apply(tiny, [foreign("Russia sent diplomats to Geneva.", line=1)])
    assert result.problems == []
    with tiny.write():
        tiny.conn.execute(
            'INSERT INTO sentences (article_id, idx, start, "end", text)'
            " VALUES (?, 9, 100, 115, 'Talks in Geneva')",
            (STORY_ID,),
        )
    result = apply(tiny, [foreign("Talks in Geneva", line=5)])
    assert result.problems == [
        "line 5: 2 stored sentences in 2 article(s) have this text: give meta.article_id (and"
        " the span) to choose one: not imported"
    ]


def test_a_later_decision_here_is_kept(tiny: Store) -> None:
    decide(tiny, "kim", TALKS_ID, 0, ["diplomatic"])
    old = foreign("Talks in Geneva", "military", updated_at="2020-01-01T00:00:00.000000Z")
    result = apply(tiny, [old])
    assert (result.decisions, result.kept) == (0, 1)
    assert labels_of(tiny, "kim", TALKS_ID, 0) == ("diplomatic",)
    newer = foreign("Talks in Geneva", "military", updated_at="2030-01-01T00:00:00.000000Z")
    assert apply(tiny, [newer]).decisions == 1
    assert labels_of(tiny, "kim", TALKS_ID, 0) == ("military",)


def test_a_line_without_a_time_fills_in_and_never_replaces(tiny: Store) -> None:
    decide(tiny, "kim", TALKS_ID, 0, ["diplomatic"])
    lines = [foreign("Talks in Geneva", "military"), foreign("The museum was looted.", "military")]
    first = apply(tiny, lines)
    assert (first.decisions, first.kept) == (1, 1)
    assert labels_of(tiny, "kim", TALKS_ID, 0) == ("diplomatic",)
    assert labels_of(tiny, "kim", TALKS_ID, 2) == ("military",)
    again = apply(tiny, lines)
    assert (again.decisions, again.kept) == (0, 2)


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture
def decided(tiny_db: Path) -> Path:
    with Store.open(tiny_db) as store:
        decide(store, "alice", TALKS_ID, 1, ["military"])
        decide(store, "bob", TALKS_ID, 1, [])
        decide(store, "alice", STORY_ID, 1, ["military", "diplomatic"])
        ignore(store, "bob", TALKS_ID, 0)
        Decisions(store, GOLD, "rev", SCHEME).decide(
            TALKS_ID, get_article(store, TALKS_ID).sentences[1].span, ["military"]
        )
    return tiny_db


def test_default_export_leaves_ignored_sentences_out(decided: Path) -> None:
    lines = annotty("--db", decided, "export").stdout.splitlines()
    assert [(r["annotator"], r["sentence"]) for r in map(json.loads, lines)] == [
        ("alice", 1),
        ("alice", 1),
        ("bob", 1),
    ]
    result = annotty("--db", decided, "export", "--include-ignored", "--annotator", "bob")
    first, second = map(json.loads, result.stdout.splitlines())
    assert (first["sentence"], first["ignored"], first["labels"]) == (0, True, [])
    assert "ignored" not in second


@pytest.mark.parametrize(
    ("fmt", "count"),
    [("prodigy", 3), ("doccano", 3), ("doccano-ner", 2), ("label-studio", 2)],
)
def test_export_formats_on_the_command_line(decided: Path, fmt: str, count: int) -> None:
    result = annotty("--db", decided, "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "label-studio":
        objects = json.loads(result.stdout)
    else:
        objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == count
    unit = {"doccano-ner": "sentences", "label-studio": "tasks"}.get(fmt, "decisions")
    assert result.stderr == f"exported {count} {unit}\n"
    only = annotty("--db", decided, "export", "-f", fmt, "--article", STORY_ID[:6], "--gold")
    assert only.exit_code == 0 and only.stderr == f"exported 0 {unit.replace('dec', 'gold dec')}\n"


def test_gold_and_article_filters_reach_every_format(decided: Path, tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    result = annotty("--db", decided, "export", "-f", "prodigy", "--gold", "-o", out)
    assert result.exit_code == 0
    (task,) = map(json.loads, out.read_text("utf-8").splitlines())
    assert (task["_annotator_id"], task["accept"]) == ("rev", ["military"])
    assert task["meta"]["votes"] == {"alice": ["military"], "bob": []}
    assert not Path(f"{out}.partial").exists()
    result = annotty("--db", decided, "export", "-f", "doccano", "--article", STORY_ID)
    assert [json.loads(line)["article_id"] for line in result.stdout.splitlines()] == [STORY_ID]


def test_label_studio_config_on_the_command_line(decided: Path) -> None:
    result = annotty("--db", decided, "export", "--format", "label-studio", "--config")
    assert result.exit_code == 0
    view = ET.fromstring(result.stdout)
    assert view.tag == "View"
    assert [c.get("value") for c in view.find("Choices") or []] == SCHEME
    # The entity labels the database's articles carry, for Label Studio's span labels.
    with Store.open(decided) as store:
        carried = [row[0] for row in store.conn.execute(
            "SELECT DISTINCT label FROM entities ORDER BY label")]  # fmt: skip
    labels = view.find("Labels")
    assert carried and labels is not None
    assert [label.get("value") for label in labels] == carried


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config"], "--config prints Label Studio's labelling config"),
        (["--split", "0.8"], "--split and --seed are for --format spacy"),
        (["-f", "spacy"], "--format spacy writes a binary file: name it with -o"),
        (["-f", "spacy", "-o", "x.spacy", "--include-ignored"], "never writes ignored"),
        (["-f", "spacy", "-o", "x", "--seed", "3"], "--seed chooses the --split"),
        (["-f", "spacy", "-o", "x", "--split", "1.5"], "--split must be between 0 and 1"),
        (["-f", "xml"], "'xml' is not one of"),
    ],
)
def test_export_option_errors_are_one_line(
    decided: Path, args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = annotty("--db", decided, "export", *args)
    assert result.exit_code != 0
    assert message in (result.output or str(result.exception))  # AnnottyError: main() prints it


def test_spacy_export_writes_a_docbin_with_every_category(decided: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path / "all.spacy"
    result = annotty("--db", decided, "export", "-f", "spacy", "-o", out)
    assert result.exit_code == 0 and result.stderr == f"exported 3 docs to {out}\n"
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert [doc.cats for doc in docs] == [
        {"military": 1.0, "diplomatic": 1.0, "heritage_damage": 0.0},
        {"military": 1.0, "diplomatic": 0.0, "heritage_damage": 0.0},
        {"military": 0.0, "diplomatic": 0.0, "heritage_damage": 0.0},
    ]
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Aleppo", "GPE")]
    assert docs[1].user_data["annotty"]["annotator"] == "alice"


def test_spacy_split_keeps_each_article_on_one_side(decided: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    folder = tmp_path / "corpus"
    result = annotty("--db", decided, "export", "-f", "spacy", "-o", folder, "--split", "0.5")
    assert result.exit_code == 0, result.output
    vocab = spacy.blank("en").vocab
    sides = {}
    for name in ("train", "dev"):
        docs = DocBin().from_disk(folder / f"{name}.spacy").get_docs(vocab)
        sides[name] = {doc.user_data["annotty"]["article_id"] for doc in docs}
    assert sides["train"] and sides["dev"] and not sides["train"] & sides["dev"]
    assert sides["train"] | sides["dev"] == {TALKS_ID, STORY_ID}
    again = tmp_path / "again"
    annotty("--db", decided, "export", "-f", "spacy", "-o", again, "--split", "0.5")
    assert (again / "train.spacy").read_bytes() == (folder / "train.spacy").read_bytes()
    with Store.open(decided) as store:
        records = list(export_records(store, articles=[STORY_ID]))
    only_one = annotty("--db", decided, "export", "-f", "spacy", "-o", tmp_path / "one",
                       "--split", "0.8", "--article", STORY_ID)  # fmt: skip
    assert records and only_one.exit_code == 1
    assert "needs decisions in at least two articles" in str(only_one.exception)


def test_import_reports_each_line_it_could_not_apply(tiny_db: Path, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "prodigy.jsonl",
        [
            {"text": "Talks in Geneva", "answer": "accept", "accept": ["diplomatic"],
             "_annotator_id": "news-kim"},
            {"text": "Talks in Geneva", "answer": "accept", "accept": ["sports"]},
            {"text": "Talks in Geneva", "answer": "reject", "accept": []},
            {"text": "A headline", "label": ["military"]},
        ],
    )  # fmt: skip
    result = CliRunner().invoke(
        cli, ["--db", str(tiny_db), "--annotator", "me", "import", str(path)]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        "1 imported, 0 duplicate, 0 failed, 2 annotations, 2 lines not imported",
    ]
    assert result.stderr.splitlines() == [
        f"error: {path}: line 2: label 'sports' is not in the scheme (military, diplomatic,"
        " heritage_damage): not imported",
        f'error: {path}: line 3: answer "reject" says no option fits the task, which is no'
        " sentence decision annotty can record (accept with no option means no label)",
    ]
    with Store.open(tiny_db) as store:
        assert labels_of(store, "news-kim", TALKS_ID, 0) == ("diplomatic",)
        headline = export_records(store, ["me"])
        assert [(r["text"], r["labels"]) for r in headline] == [("A headline", ["military"])]


def test_label_studio_json_is_read_when_named_not_from_a_folder(tiny_db: Path, tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    annotation = {"completed_by": 1, "created_username": "kim", "result": [_choices("diplomatic")]}
    task = {"data": {"text": "Talks in Geneva"}, "annotations": [annotation]}
    path = folder / "project.json"
    path.write_text(json.dumps([task]), "utf-8")
    assert "0 imported, 0 duplicate, 0 failed" in annotty("--db", tiny_db, "import", folder).stdout
    result = annotty("--db", tiny_db, "import", path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"imported: {path} (1 annotation)"
    (path.with_name("other.json")).write_text('{"a": 1}', "utf-8")
    other = annotty("--db", tiny_db, "import", path.with_name("other.json"))
    assert "a .json file must be a Label Studio task export" in other.stderr


def test_annotty_lines_bring_ignored_sentences_back(
    decided: Path, tiny_template: Path, tmp_path: Path
) -> None:
    out = tmp_path / "all.jsonl"
    assert annotty("--db", decided, "export", "--include-ignored", "-o", out).exit_code == 0
    fresh = tmp_path / "fresh.db"
    fresh.write_bytes(tiny_template.read_bytes())
    assert annotty("--db", fresh, "import", out).exit_code == 0
    with Store.open(fresh) as store:
        span = get_article(store, TALKS_ID).sentences[0].span
        decision = Decisions(store, ANNOTATIONS, "bob", SCHEME).get(TALKS_ID, span)
        assert (decision.decided, decision.ignored, decision.labels) == (True, True, ())
    line = json.loads(out.read_text("utf-8").splitlines()[0])
    bad = write_jsonl(tmp_path / "bad.jsonl", [{**line, "ignored": True, "labels": ["military"]}])
    result = annotty("--db", fresh, "import", bad)
    assert result.exit_code == 1
    assert 'an ignored sentence has no labels ("labels" must be [])' in result.stderr
