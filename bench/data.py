"""The bench's own data: generated news-like articles, imported through annotty's own import.

Articles are made of varied sentences with people, places, organisations and dates, from a
seeded random generator (nothing is downloaded). They go into a database through annotty's
`Importer` (files read by `ingest`, analysed by `analyse`, stored by `add_article`), with a
stand-in for spaCy, `FakeNLP`, that splits sentences at full stops and finds the generator's own
names by a regular expression: the scale databases would otherwise take hours of spaCy at 2
cores. The import figure itself is measured with the real pipeline (see probes.import_words).
Annotations of the scale runs are written directly with `executemany`, like a merge would.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotations.importer import Importer
from annotations.nlp import Pipeline
from annotations.store import Store

PEOPLE = (
    "Amira Haddad",
    "John Carter",
    "Li Wei",
    "Olga Petrova",
    "Kofi Mensah",
    "Sofia Rossi",
    "Rahul Mehta",
    "Hannah Schmidt",
    "Diego Alvarez",
    "Yuki Tanaka",
    "Fatima Zahra",
    "Pierre Dubois",
    "Ahmed Karim",
    "Maria Lopez",
    "Ivan Sokolov",
    "Grace Okafor",
)
PLACES = (
    "Palmyra",
    "Geneva",
    "Aleppo",
    "Damascus",
    "Moscow",
    "Paris",
    "Beirut",
    "Ankara",
    "Cairo",
    "Baghdad",
    "Homs",
    "Raqqa",
    "Vienna",
    "Amman",
    "Tehran",
    "Washington",
    "London",
    "Berlin",
)
ORGS = (
    "the United Nations",
    "UNESCO",
    "the Red Cross",
    "the European Union",
    "NATO",
    "the Arab League",
    "the World Bank",
    "Reuters",
    "the Syrian army",
    "the Kremlin",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
TEMPLATES = (
    "{person} said on {day} that forces had entered {place} after weeks of fighting.",
    "Officials in {place} told {org} that the museum had been damaged in {month}.",
    "The talks in {place} between {org} and envoys from {place2} ended without agreement.",
    "{person}, a spokesman for {org}, warned that the ancient ruins could be lost.",
    "On {day}, diplomats met in {place} to discuss a ceasefire proposed by {org}.",
    "Satellite images taken on {date} show new damage to the temple in {place}.",
    "{person} visited {place} on {day} and promised aid from {org}.",
    "Fighting continued near {place} while {person} called for restraint.",
    "The report by {org} says that the citadel of {place} was shelled in {month}.",
    "According to {person}, talks will resume in {place} on {date}.",
    "Troops recaptured the town on {day}, {org} said in a statement from {place}.",
    "Residents who fled {place} in {month} began to return, said {person}.",
    "Archaeologists from {place2} hope to restore the arch destroyed in {month}.",
    "{org} condemned the attack and asked {place} to allow inspectors in by {date}.",
)  # fmt: skip
_ENTITY = re.compile(
    "|".join(
        f"(?P<{label}>{'|'.join(re.escape(name) for name in names)})"
        for label, names in (
            ("PERSON", PEOPLE),
            ("ORG", tuple(o.removeprefix("the ") for o in ORGS)),
            ("GPE", PLACES),
            ("DATE", (*MONTHS, *DAYS)),
        )
    )
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentence(rng: random.Random) -> str:
    """One generated news sentence."""
    return rng.choice(TEMPLATES).format(
        person=rng.choice(PEOPLE),
        place=rng.choice(PLACES),
        place2=rng.choice(PLACES),
        org=rng.choice(ORGS),
        day=rng.choice(DAYS),
        month=rng.choice(MONTHS),
        date=f"{rng.randint(1, 28)} {rng.choice(MONTHS)}",
    )


def article_text(rng: random.Random, number: int, sentences: int, per_paragraph: int = 4) -> str:
    """A `.txt` article: a title line, a blank line, paragraphs of sentences."""
    body = [sentence(rng) for _ in range(sentences)]
    paragraphs = [" ".join(body[i : i + per_paragraph]) for i in range(0, len(body), per_paragraph)]
    title = f"Report {number}: {rng.choice(PLACES)} and {rng.choice(PLACES)}"
    return title + "\n\n" + "\n".join(paragraphs)


# -- a stand-in for spaCy -----------------------------------------------------------------------


@dataclass
class _Span:
    start_char: int
    end_char: int
    label_: str = ""


@dataclass
class _Doc:
    text: str
    sents: list[_Span] = field(default_factory=list)
    ents: list[_Span] = field(default_factory=list)


class FakeNLP:
    """What `annotations.nlp.analyse` uses of a spaCy Language: `pipe` and `max_length`."""

    max_length = 10**9

    def pipe(self, texts, *, batch_size: int = 64, n_process: int = 1) -> Iterator:
        for text in texts:
            doc = _Doc(text)
            start = 0
            for match in _SENTENCE_END.finditer(text):
                doc.sents.append(_Span(start, match.start()))
                start = match.end()
            doc.sents.append(_Span(start, len(text)))
            doc.ents = [
                _Span(m.start(), m.end(), m.lastgroup or "") for m in _ENTITY.finditer(text)
            ]
            yield doc


FAKE_PIPELINE = Pipeline(nlp=FakeNLP(), name="bench-fake 1")


def import_files(db: Path, files: Sequence[Path]) -> None:
    """Import files into `db` through annotty's Importer with the fake pipeline."""
    with Store.open(db) as store:
        importer = Importer(store, pipeline_loader=lambda _model: FAKE_PIPELINE)
        for result in importer.import_paths(list(files)):
            if result.status == "error":
                raise RuntimeError(f"bench import failed: {result.path}: {result.message}")


def write_articles(folder: Path, count: int, *, seed: int = 1, per_file: int = 5_000) -> list[Path]:
    """JSONL files of `count` generated articles (8 to 24 sentences each)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for first in range(0, count, per_file):
        path = folder / f"articles-{first:07d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for number in range(first, min(count, first + per_file)):
                text = article_text(rng, number, rng.randint(8, 24))
                title, _, body = text.partition("\n\n")
                record = {"title": title, "text": body, "meta": {"n": number}}
                out.write(json.dumps(record) + "\n")
        files.append(path)
    return files


def build_library(db: Path, folder: Path, count: int, *, seed: int = 1) -> None:
    """A database of `count` generated articles."""
    import_files(db, write_articles(folder, count, seed=seed))


def one_article(db: Path, folder: Path, sentences: int, *, per_paragraph: int = 4) -> None:
    """A database holding one generated `.txt` article of about `sentences` sentences."""
    rng = random.Random(sentences)
    path = folder / f"article-{sentences}-{per_paragraph}.txt"
    path.write_text(article_text(rng, 0, sentences, per_paragraph), "utf-8")
    import_files(db, [path])


SHORT_TEMPLATES = (
    "{person} was in {place} on {day}.",
    "{person} left {place} for {place2}.",
    "{org} met {person} in {place}.",
    "In {month}, {person} reached {place}.",
)
"""Sentences of about 40 characters and three entities: a 5 MB line of them has the shape of
the article in the issue (121,952 sentences, 365,854 entities)."""


def one_line_article(db: Path, folder: Path, sentences: int) -> None:
    """A database holding one article that is a single line of `sentences` short sentences."""
    rng = random.Random(5)
    parts = [
        rng.choice(SHORT_TEMPLATES).format(
            person=rng.choice(PEOPLE), place=rng.choice(PLACES), place2=rng.choice(PLACES),
            org=rng.choice(ORGS).removeprefix("the "), day=rng.choice(DAYS),
            month=rng.choice(MONTHS),
        )
        for _ in range(sentences)
    ]  # fmt: skip
    path = folder / "one-line.txt"
    path.write_text(" ".join(parts), "utf-8")
    import_files(db, [path])


def add_annotations(db: Path, annotators: Sequence[str], total: int, *, seed: int = 2) -> int:
    """Decide sentences for each annotator until `total` annotations exist, written directly.

    Annotators decide the same sentences (library order), with mostly agreeing labels, so that
    agreement has something to measure. Returns how many rows were written.
    """
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    labels = [row[0] for row in conn.execute("SELECT name FROM labels ORDER BY position")]
    choices = [json.dumps([]), *(json.dumps([name]) for name in labels)]
    choices.append(json.dumps(labels[:2]))
    wanted = -(-total // len(annotators))
    written = 0
    rows: list[tuple] = []
    spans = conn.execute(
        'SELECT article_id, start, "end" FROM sentences ORDER BY rowid LIMIT ?', (wanted,)
    )
    conn.execute("BEGIN")
    for article_id, start, end in spans:
        common = rng.choice(choices)
        for annotator in annotators:
            if written >= total:
                break
            own = common if rng.random() < 0.8 else rng.choice(choices)
            stamp = f"2026-11-{rng.randint(1, 28):02d}T12:00:00.{written % 1_000_000:06d}Z"
            rows.append((article_id, start, end, annotator, own, 1, stamp))
            written += 1
        if len(rows) >= 50_000:
            _insert(conn, rows)
    _insert(conn, rows)
    conn.execute("COMMIT")
    conn.close()
    return written


def _insert(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    conn.executemany(
        'INSERT INTO annotations (article_id, start, "end", annotator, labels, decided,'
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    rows.clear()
