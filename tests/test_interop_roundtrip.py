"""Round trips through the other tools' formats: export → import into a fresh database holding the
same articles → export gives the same decisions, for text with emoji, combining marks and
right-to-left scripts (hypothesis generates the articles and the tags)."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import CountingLoader, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.export import export_records
from annotations.formats.catalogue import EXPORT_FORMATS, export_context
from annotations.formats.spacy_docbin import write_docbin
from annotations.importer import Importer
from annotations.library import article_ids, get_article
from annotations.nlp import Pipeline
from annotations.store import Store

SCHEME = ["military", "diplomatic", "heritage_damage"]
WORDS = [
    "Troops", "entered", "Palmyra", "😀", "👩‍❤️‍👩", "🇸🇾", "café", "Zürich",
    "q\u0301", "कि", "שָׁלוֹם", "\u200fمرحبا", "بالعالم", "دمشق", "naïve", "ﷺ", "İstanbul",
]  # fmt: skip
FORMATS = {"annotty": "jsonl", "prodigy": "jsonl", "doccano": "jsonl", "label-studio": "json"}

sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(
    lambda words: " ".join(words) + "."
)
article = st.lists(sentence, min_size=1, max_size=3).map(" ".join)
articles = st.lists(article, min_size=1, max_size=3, unique=True)
# Per sentence and annotator: undecided (None), ignored ("ignored"), or a label set.
tag = st.one_of(
    st.none(),
    st.just("ignored"),
    st.frozensets(st.sampled_from(SCHEME)).map(lambda s: tuple(sorted(s, key=SCHEME.index))),
)


def build(folder: Path, texts: list[str], pipeline: Pipeline) -> Path:
    source = write_jsonl(folder / "articles.jsonl", [{"text": text} for text in texts])
    path = folder / "fresh.db"
    with Store.open(path) as store:
        results = list(
            Importer(store, pipeline_loader=CountingLoader(pipeline)).import_paths([source])
        )
        assert results[0].status == "imported", results
    return path


def decisions(store: Store) -> set[tuple]:
    return {
        (r["article_id"], r["start"], r["end"], r["annotator"], tuple(r["labels"]),
         r.get("ignored", False))
        for r in export_records(store, include_ignored=True)
    }  # fmt: skip


def write(store: Store, fmt: str, path: Path) -> None:
    kind = EXPORT_FORMATS[fmt]
    assert kind.write is not None
    objects = list(kind.write(export_records(store, include_ignored=True), export_context(
        store, include_ignored=True)))  # fmt: skip
    if kind.shape == "json":
        path.write_text(json.dumps(objects, ensure_ascii=False), "utf-8")
    else:
        write_jsonl(path, objects)


@pytest.mark.usefixtures("clean_env")
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(texts=articles, data=st.data())
def test_every_format_round_trips_its_decisions(
    pipeline: Pipeline, texts: list[str], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        fresh = build(folder, texts, pipeline)
        original = folder / "original.db"
        shutil.copy(fresh, original)
        with Store.open(original) as store:
            for identity in article_ids(store):
                for sentence_ in get_article(store, identity).sentences:
                    for who in ("alice", "bob"):
                        given_tag = data.draw(tag)
                        decisions_ = Decisions(store, ANNOTATIONS, who, SCHEME)
                        if given_tag == "ignored":
                            decisions_.ignore(identity, sentence_.span)
                        elif given_tag is not None:
                            decisions_.decide(identity, sentence_.span, given_tag)
            expected = decisions(store)
            times = {
                (r["article_id"], r["start"], r["annotator"]): r["updated_at"]
                for r in export_records(store, include_ignored=True)
            }
            for fmt, suffix in FORMATS.items():
                path = folder / f"{fmt}.{suffix}"
                write(store, fmt, path)
                target = folder / f"{fmt}.db"
                shutil.copy(fresh, target)
                with Store.open(target) as other:
                    result = Importer(other, pipeline_loader=CountingLoader(pipeline)).import_file(
                        path
                    )
                    assert result.problems == [], (fmt, result.problems)
                    assert result.new_articles == 0, fmt
                    assert decisions(other) == expected, fmt
                    back = export_records(other, include_ignored=True)
                    for r in back:
                        then = times[r["article_id"], r["start"], r["annotator"]]
                        if fmt in ("annotty", "label-studio"):
                            assert r["updated_at"] == then
                        elif fmt == "prodigy":  # whole seconds
                            assert r["updated_at"] == then[:19] + ".000000Z"
            # spaCy: read back, every non-ignored decision is a Doc with its categories.
            import spacy
            from spacy.tokens import DocBin

            write_docbin(export_records(store), export_context(store), folder / "all.spacy")
            docs = DocBin().from_disk(folder / "all.spacy").get_docs(spacy.blank("en").vocab)
            seen = set()
            for doc in docs:
                where = doc.user_data["annotty"]
                chosen = tuple(label for label in SCHEME if doc.cats[label] == 1.0)
                seen.add((where["article_id"], where["start"], where["end"],
                          where["annotator"], chosen, False))  # fmt: skip
                text = get_article(store, where["article_id"]).text
                assert doc.text == text[where["start"] : where["end"]]
            assert seen == {item for item in expected if not item[5]}


def test_an_emoji_text_round_trips_through_every_format_in_a_fresh_library(
    tmp_path: Path, pipeline: Pipeline, clean_env: Path
) -> None:
    """Into a database without the articles: each text becomes an article of its own, and its
    labels and entities land where they were."""
    texts = ["Troops 👩‍❤️‍👩 entered Palmyra 😀 on Thursday. שָׁלוֹם مرحبا."]
    fresh = build(tmp_path, texts, pipeline)
    with Store.open(fresh) as store:
        identity = article_ids(store)[0]
        for s in get_article(store, identity).sentences:
            Decisions(store, ANNOTATIONS, "alice", SCHEME).decide(identity, s.span, ["military"])
        wanted = {(r["text"], tuple(r["labels"])) for r in export_records(store)}
        for fmt, suffix in FORMATS.items():
            path = tmp_path / f"{fmt}.{suffix}"
            write(store, fmt, path)
            with Store.open(tmp_path / f"{fmt}-empty.db") as empty:
                importer = Importer(empty, pipeline_loader=CountingLoader(pipeline))
                result = importer.import_file(path)
                if fmt == "annotty":  # annotty's own lines name their articles: none here
                    assert result.status == "error"
                    continue
                assert result.problems == [] and result.new_articles == len(wanted)
                got = {(r["text"], tuple(r["labels"])) for r in export_records(empty)}
                assert got == wanted, fmt
                out = io.StringIO()
                for r in export_records(empty):
                    for e in r["entities"]:
                        assert r["text"][e["start"] : e["end"]] == e["text"]
                    out.write(r["text"])
                assert "👩‍❤️‍👩" in out.getvalue()
