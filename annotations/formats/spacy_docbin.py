"""spaCy: a `.spacy` DocBin that `python -m spacy train` reads as it is.

One Doc per decided (sentence, annotator): its text tokenised by a blank pipeline (no model is
loaded), `doc.cats` holding every label of the scheme (1.0 chosen, 0.0 not, as a
`textcat_multilabel` component expects) and `doc.ents` the entities (offsets are Python string
indices, spaCy's own). Where the sentence came from is kept in `doc.user_data["annotty"]`.

Ignored sentences are never written: a Doc whose categories are all 0.0 would train as "none of
these". spaCy is imported only when this format is written.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations.errors import AnnottyError
from annotations.formats.foreign import ExportContext

NAME = "spacy"
LANGUAGE = "en"
"""The blank pipeline's language: its tokeniser splits the text into tokens."""
DEFAULT_SEED = 0


@dataclass
class SplitCounts:
    """How many Docs and articles went to each file."""

    train_docs: int = 0
    dev_docs: int = 0
    train_articles: int = 0
    dev_articles: int = 0


def _make_doc(nlp: Any, record: Mapping[str, Any], scheme: list[str]) -> Any:
    from spacy.util import filter_spans

    doc = nlp.make_doc(record["text"])
    chosen = set(record["labels"])
    doc.cats = {label: 1.0 if label in chosen else 0.0 for label in scheme}
    spans = []
    for entity in record["entities"]:
        span = doc.char_span(
            entity["start"], entity["end"], label=entity["label"], alignment_mode="expand"
        )
        if span is not None:
            spans.append(span)
    doc.ents = filter_spans(spans)
    doc.user_data["annotty"] = {
        "article_id": record["article_id"],
        "sentence": record["sentence"],
        "start": record["start"],
        "end": record["end"],
        "annotator": record["annotator"],
    }
    return doc


def _docs_by_article(
    records: Iterable[Mapping[str, Any]], context: ExportContext
) -> dict[str, list[Any]]:
    import spacy

    nlp = spacy.blank(LANGUAGE)
    docs: dict[str, list[Any]] = {}
    for record in records:
        if record.get("ignored"):
            continue
        docs.setdefault(record["article_id"], []).append(_make_doc(nlp, record, context.scheme))
    return docs


def _save(docs: list[Any], path: Path) -> None:
    from spacy.tokens import DocBin

    DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], docs=docs, store_user_data=True).to_disk(path)


def write_docbin(records: Iterable[Mapping[str, Any]], context: ExportContext, path: Path) -> int:
    """Write every record's Doc to one `.spacy` file. Returns how many Docs."""
    docs = [doc for group in _docs_by_article(records, context).values() for doc in group]
    _save(docs, path)
    return len(docs)


def split_articles(article_ids: Iterable[str], train_share: float, seed: int) -> set[str]:
    """The articles that go to training: a seeded shuffle of the sorted ids, the first share.

    Both sides get at least one article.

    Raises:
        AnnottyError: fewer than two articles, or a share outside (0, 1).
    """
    ids = sorted(set(article_ids))
    if not 0 < train_share < 1:
        raise AnnottyError(f"--split must be between 0 and 1 (got {train_share})")
    if len(ids) < 2:
        raise AnnottyError(
            "a train/dev split needs decisions in at least two articles"
            f" (found {len(ids)}): no article may be in both"
        )
    random.Random(seed).shuffle(ids)
    count = min(max(math.floor(train_share * len(ids) + 0.5), 1), len(ids) - 1)
    return set(ids[:count])


def write_split(
    records: Iterable[Mapping[str, Any]],
    context: ExportContext,
    folder: Path,
    train_share: float,
    seed: int = DEFAULT_SEED,
) -> SplitCounts:
    """Write `train.spacy` and `dev.spacy` into `folder`, split by article.

    Each file is written to a `.partial` name first and renamed when complete.
    """
    docs = _docs_by_article(records, context)
    training = split_articles(docs, train_share, seed)
    counts = SplitCounts()
    train = [doc for identity, group in docs.items() if identity in training for doc in group]
    dev = [doc for identity, group in docs.items() if identity not in training for doc in group]
    counts.train_docs, counts.dev_docs = len(train), len(dev)
    counts.train_articles, counts.dev_articles = len(training), len(docs) - len(training)
    for name, group in (("train.spacy", train), ("dev.spacy", dev)):
        target = folder / name
        partial = folder / (name + ".partial")
        try:
            _save(group, partial)
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return counts
