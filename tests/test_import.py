"""Tests for importing (annotations.importer), the analysis (annotations.nlp), article identity,
offsets, and reading articles back (annotations.library)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE, SAMPLE_ID, STORY_ID, TALKS, TALKS_ID, write_jsonl

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.errors import AnnottyError, PipelineError
from annotations.importer import Importer
from annotations.library import (
    article_ids,
    get_article,
    resolve_article,
    stats,
)
from annotations.listing import list_articles
from annotations.model import Sentence
from annotations.nlp import analyse, paragraphs
from annotations.sample import SAMPLE_SOURCE
from annotations.store import Store
from annotations.text import article_id

pytestmark = pytest.mark.usefixtures("clean_env")

MakeImporter = Callable[[Store], Importer]

# Emoji (with a ZWJ sequence and a flag), stacked combining marks NFC cannot compose, Arabic.
UNICODE_TEXT = (
    "Café 👩🏽\u200d🚀 news\n\n"
    "The mission to Mars 🚀 launched from Florida on Monday. "
    "Z\u0351\u0351algo text in Paris stayed calm.\n"
    "مرحبا بالعالم في دمشق. Barack Obama spoke in Berlin 🇩🇪 today."
)


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table: to show that something changed nothing."""
    # The full-text index (articles_fts and its shadow tables) is derived from articles.
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'articles_fts%'"
    tables = [row["name"] for row in store.rows(query)]
    return {
        table: store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        for table in tables
    }


def check_offsets(store: Store, identity: str) -> None:
    """Sentences and entities are exact, trimmed slices of the text; sentences stay in a line."""
    article = get_article(store, identity)
    text = article.text
    previous_end = 0
    for number, sentence in enumerate(article.sentences):
        assert sentence.idx == number
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert sentence.text
        assert "\n" not in sentence.text
        assert sentence.start >= previous_end
        previous_end = sentence.end
    stored = store.conn.execute(
        'SELECT start, "end", text FROM sentences WHERE article_id = ? ORDER BY idx', (identity,)
    ).fetchall()
    assert stored == [(s.start, s.end, s.text) for s in article.sentences]
    for entity in article.entities:
        assert text[entity.start : entity.end] == entity.text
        assert entity.text == entity.text.strip()
        assert entity.text
        assert any(s.start <= entity.start and entity.end <= s.end for s in article.sentences)


# --- the sample -----------------------------------------------------------------------------------


def test_import_the_sample(empty_store: Store, make_importer: MakeImporter, loader) -> None:
    results = list(make_importer(empty_store).import_paths([SAMPLE]))
    assert len(results) == 1
    result = results[0]
    assert (result.path, result.status, result.message) == (SAMPLE, "imported", "1 article")
    assert (result.new_articles, result.duplicates, result.annotations) == (1, 0, 0)
    assert result.article_ids == [SAMPLE_ID]
    assert loader.calls == 1
    article = get_article(empty_store, SAMPLE_ID)
    assert article.id == article_id(article.text) == SAMPLE_ID
    assert article.id == hashlib.sha256(article.text.encode()).hexdigest()[:16]
    assert article.title == "Syrian forces battle IS, recapture historic town of Palmyra"
    # The sample is named as such, not by its path inside the installed package.
    assert article.source == SAMPLE_SOURCE
    assert article.pipeline == loader.pipeline.name
    assert article.meta is None


def test_sample_headline_is_a_sentence_of_its_own(store: Store) -> None:
    article = get_article(store, SAMPLE_ID)
    assert article.sentences[0] == Sentence(0, 0, 59, article.title, 0)
    assert article.sentences[1].start == 61
    assert article.sentences[1].text.startswith("Syrian government forces battling")
    assert article.sentences[1].paragraph == 1
    assert article.sentences[-1].text.endswith("over form and semantics.—Agencies")
    check_offsets(store, SAMPLE_ID)


def test_sentences_never_cross_a_line_break(store: Store) -> None:
    article = get_article(store, SAMPLE_ID)
    lines = [(offset, offset + len(line)) for offset, line in paragraphs(article.text)]
    for sentence in article.sentences:
        (start, end) = lines[sentence.paragraph]
        assert start <= sentence.start and sentence.end <= end
    # Each line begins a sentence: the text's paragraphs are the sentences' paragraphs.
    assert sorted({s.paragraph for s in article.sentences}) == list(range(len(lines)))
    for number, (start, end) in enumerate(lines):
        inside = [s for s in article.sentences if s.paragraph == number]
        assert (inside[0].start, inside[-1].end) == (start, end)


def test_sample_counts_and_stats(store: Store) -> None:
    article = get_article(store, SAMPLE_ID)
    figures = stats(store)
    assert (figures.articles, figures.sentences) == (1, len(article.sentences))
    assert figures.entities == len(article.entities) > 20
    assert figures.labels == ["military", "diplomatic", "heritage_damage"]
    assert (figures.decided, figures.by_label, figures.gold) == ({}, {}, 0)
    assert store.value("SELECT sentence_count FROM articles") == len(article.sentences)


def test_entities_in_a_sentence(store: Store) -> None:
    article = get_article(store, SAMPLE_ID)
    headline = article.sentences[0]
    assert [(e.text, e.label) for e in article.entities_in(headline)] == [
        ("Syrian", "NORP"),
        ("Palmyra", "PERSON"),
    ]


# --- identity and duplicates ----------------------------------------------------------------------


def test_reimport_is_a_duplicate_and_changes_nothing(
    store: Store, make_importer: MakeImporter, loader
) -> None:
    before = dump(store)
    result = make_importer(store).import_file(SAMPLE)
    assert (result.status, result.message, result.article_ids) == (
        "duplicate",
        "1 duplicate",
        [SAMPLE_ID],
    )
    assert (result.new_articles, result.duplicates) == (0, 1)
    assert dump(store) == before
    assert loader.calls == 0, "nothing new: spaCy is not even loaded"


def test_identity_is_the_normalised_text(
    tmp_path: Path, store: Store, make_importer: MakeImporter
) -> None:
    # CRLF line ends, trailing spaces, extra blank lines, a BOM, a decomposed é: the same article.
    text = get_article(store, SAMPLE_ID).text
    messy = "\ufeff" + text.replace("\n", "  \r\n").replace("\r\n\r\n", "\r\n\r\n\r\n\r\n")
    (tmp_path / "messy.txt").write_text(messy, "utf-8", newline="")
    as_jsonl = write_jsonl(tmp_path / "one.jsonl", [{"text": text, "title": "Other title"}])
    results = list(make_importer(store).import_paths([tmp_path / "messy.txt", as_jsonl]))
    assert [(r.status, r.article_ids) for r in results] == [
        ("duplicate", [SAMPLE_ID]),
        ("duplicate", [SAMPLE_ID]),
    ]
    assert article_ids(store) == [SAMPLE_ID]

    composed = "Le café ouvre.\n\nIl pleut."
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert article_id(composed) != article_id(decomposed)  # the hash itself is exact ...
    path = write_jsonl(tmp_path / "cafe.jsonl", [{"text": composed}, {"text": decomposed}])
    result = make_importer(store).import_file(path)
    # ... so it is the normalisation on the way in that makes them one article.
    assert (result.status, result.message) == ("imported", "1 article, 1 duplicate")
    assert result.article_ids == [article_id(composed)] * 2


def test_jsonl_articles_and_their_sources(
    tmp_path: Path, empty_store: Store, make_importer: MakeImporter
) -> None:
    path = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            {"text": "First one.", "meta": {"url": "https://example.org/1", "k": 1}},
            {"text": TALKS, "title": "  Talks\tin  Geneva "},
        ],
    )
    result = make_importer(empty_store).import_file(path)
    assert (result.status, result.message) == ("imported", "2 articles")
    first, second = (get_article(empty_store, i) for i in result.article_ids)
    assert (first.source, first.meta, first.title) == (
        "https://example.org/1",
        {"url": "https://example.org/1", "k": 1},
        None,
    )
    assert (second.id, second.source, second.title) == (TALKS_ID, "feed.jsonl:2", "Talks in Geneva")
    assert article_ids(empty_store) == result.article_ids


# --- unicode offsets ------------------------------------------------------------------------------


def test_offsets_are_string_indices_for_any_script(
    tmp_path: Path, empty_store: Store, make_importer: MakeImporter
) -> None:
    path = tmp_path / "unicode.txt"
    path.write_text(UNICODE_TEXT, "utf-8")
    result = make_importer(empty_store).import_file(path)
    assert result.status == "imported"
    article = get_article(empty_store, result.article_ids[0])
    assert article.text == UNICODE_TEXT
    assert [(s.start, s.end, s.text) for s in article.sentences] == [
        (0, 14, "Café 👩🏽\u200d🚀 news"),
        (16, 70, "The mission to Mars 🚀 launched from Florida on Monday."),
        (71, 105, "Z\u0351\u0351algo text in Paris stayed calm."),
        (106, 128, "مرحبا بالعالم في دمشق."),
        (129, 167, "Barack Obama spoke in Berlin 🇩🇪 today."),
    ]
    assert [s.paragraph for s in article.sentences] == [0, 1, 1, 2, 2]
    found = {(e.text, e.label) for e in article.entities}
    assert {("Florida", "GPE"), ("Paris", "GPE"), ("Barack Obama", "PERSON")} <= found
    florida = next(e for e in article.entities if e.text == "Florida")
    assert (florida.start, florida.end) == (52, 59) == (UNICODE_TEXT.index("Florida"), 59)
    check_offsets(empty_store, article.id)


def test_control_sequences_never_reach_the_store(
    tmp_path: Path, empty_store: Store, make_importer: MakeImporter
) -> None:
    path = tmp_path / "escapes.txt"
    raw = "Red \x1b[31malert\x1b[0m in Homs.\x9b2J Next\r\nLine \x9dstray OSC\x07 stays."
    path.write_text(raw, "utf-8")
    result = make_importer(empty_store).import_file(path)
    article = get_article(empty_store, result.article_ids[0])
    assert article.text == "Red alert in Homs. Next\nLine stray OSC stays."
    assert [s.text for s in article.sentences] == [
        "Red alert in Homs.",
        "Next",
        "Line stray OSC stays.",
    ]
    check_offsets(empty_store, article.id)


def test_analysis_trims_spans_and_respects_lines(pipeline) -> None:
    text = "Leading spaces.   And New York.\nNext line here"
    (analysis,) = analyse(pipeline, [text])
    assert [text[s:e] for s, e in analysis.sentences] == [
        "Leading spaces.",
        "And New York.",
        "Next line here",
    ]
    assert [(text[s:e], label) for s, e, label in analysis.entities] == [("New York", "GPE")]


def test_analyse_reports_progress_per_paragraph(pipeline) -> None:
    texts = ["One.\n\nTwo.", "Three."]
    seen: list[int] = []
    analyses = analyse(pipeline, texts, progress=seen.append)
    assert len(analyses) == 2
    assert seen == [5, 5, 7]  # each line and its newline
    assert analyse(pipeline, []) == []


# --- files that fail ------------------------------------------------------------------------------


def test_a_bad_line_is_skipped_and_the_good_ones_imported(
    tmp_path: Path, store: Store, make_importer: MakeImporter
) -> None:
    good_then_bad = tmp_path / "half.jsonl"
    good_then_bad.write_text(json.dumps({"text": "A fine article."}) + "\n{oops\n", "utf-8")
    result = make_importer(store).import_file(good_then_bad)
    assert (result.status, result.message) == ("imported", "1 article, 1 line not imported")
    assert result.problems == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes)"
    ]
    assert len(article_ids(store)) == 2


def test_a_failed_file_leaves_the_database_as_it_was(
    tmp_path: Path, store: Store, make_importer: MakeImporter
) -> None:
    before = dump(store)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", "utf-8")
    result = make_importer(store).import_file(bad)
    assert (result.status, result.message) == (
        "error",
        "line 1: not valid JSON (Expecting property name enclosed in double quotes)",
    )
    assert dump(store) == before


def test_import_paths_reports_every_file(
    tmp_path: Path, empty_store: Store, make_importer: MakeImporter
) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Aleppo news\n\nFighting continued near Aleppo.", "utf-8")
    (folder / "sub" / "b.md").write_text("# Heading\n\nA *markdown* story.\n", "utf-8")
    (folder / "sub" / "empty.txt").write_text(" \n\t\n", "utf-8")
    (folder / "sub" / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "sub" / "latin1.txt").write_bytes("café".encode("latin-1"))
    (folder / ".hidden.txt").write_text("Skipped.", "utf-8")
    (folder / "notes.csv").write_text("a,b", "utf-8")
    missing = tmp_path / "missing.txt"

    results = list(make_importer(empty_store).import_paths([folder, missing]))
    assert [(r.path, r.status, r.message) for r in results] == [
        (folder / "a.txt", "imported", "1 article"),
        (folder / "sub" / "b.md", "imported", "1 article"),
        (folder / "sub" / "binary.txt", "error", "binary file, not text"),
        (folder / "sub" / "empty.txt", "error", "empty file"),
        (
            folder / "sub" / "latin1.txt",
            "error",
            "not valid UTF-8 text (byte 3); save it as UTF-8",
        ),
        (missing, "error", "no such file or directory"),
    ]
    assert len(article_ids(empty_store)) == 2
    markdown = get_article(empty_store, results[1].article_ids[0])
    assert markdown.text == "Heading\n\nA markdown story."
    assert markdown.sentences[0].text == "Heading"


def test_no_pipeline_is_an_error_and_nothing_is_written(tmp_path: Path, empty_store: Store) -> None:
    def broken(model: str | None = None):
        raise PipelineError("cannot load spaCy pipeline 'nope': it is not installed")

    path = tmp_path / "a.txt"
    path.write_text("Some text.", "utf-8")
    with pytest.raises(PipelineError):
        Importer(empty_store, pipeline_loader=broken).import_file(path)
    assert article_ids(empty_store) == []


# --- reading back ---------------------------------------------------------------------------------


def test_get_and_resolve_article(tiny: Store) -> None:
    assert article_ids(tiny) == [STORY_ID, TALKS_ID]
    assert resolve_article(tiny, TALKS_ID[:3]) == TALKS_ID
    assert resolve_article(tiny, STORY_ID) == STORY_ID
    with pytest.raises(AnnottyError, match=r"^no article with id 'zz'$"):
        resolve_article(tiny, "zz")
    with pytest.raises(AnnottyError, match=r"^several articles have ids starting ''"):
        resolve_article(tiny, "")
    with pytest.raises(AnnottyError, match=r"^no article 'nope' in "):
        get_article(tiny, "nope")


def test_list_articles_counts_one_annotators_decisions(tiny: Store) -> None:
    talks = get_article(tiny, TALKS_ID)
    alice = Decisions(tiny, ANNOTATIONS, "alice", ["military"])
    alice.decide(TALKS_ID, talks.sentences[0].span, [])
    alice.decide(TALKS_ID, talks.sentences[1].span, ["military"])
    alice.decide(TALKS_ID, talks.sentences[2].span, ["military"])
    alice.undo(TALKS_ID)  # a tombstone is not a decision
    summaries = list_articles(tiny, "alice")
    assert [(s.id, s.title, s.source, s.sentence_count, s.decided) for s in summaries] == [
        (STORY_ID, "Second story", "wire", 2, 0),
        (TALKS_ID, "Talks", "wire", 4, 2),
    ]
    assert [s.decided for s in list_articles(tiny, "bob")] == [0, 0]
    assert [s.id for s in list_articles(tiny, "alice", search="aleppo")] == [STORY_ID]
    assert [s.id for s in list_articles(tiny, "alice", search="TALKS")] == [TALKS_ID]
    assert list_articles(tiny, "alice", search="100%_") == []
