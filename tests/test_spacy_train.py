"""`annotty export --format spacy` feeds `python -m spacy train` as it is: a tiny bag-of-words
`textcat_multilabel` config (no vectors, nothing downloaded) trains for two epochs on the export
of a generated 200-article corpus (split by article) and of the sample article."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_ID

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import add_article, get_article
from annotations.model import Analysis, ArticleInput
from annotations.store import Store
from tui.cli import cli

pytestmark = pytest.mark.usefixtures("clean_env")

SCHEME = ["military", "diplomatic", "heritage_damage"]
CONFIG = """\
[paths]
train = null
dev = null

[system]
seed = 0
gpu_allocator = null

[nlp]
lang = "en"
pipeline = ["textcat_multilabel"]
batch_size = 100

[components]

[components.textcat_multilabel]
factory = "textcat_multilabel"
threshold = 0.5

[components.textcat_multilabel.model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = false
length = 4096
ngram_size = 1
no_output_layer = false

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${paths.dev}

[training]
train_corpus = "corpora.train"
dev_corpus = "corpora.dev"
seed = ${system.seed}
gpu_allocator = ${system.gpu_allocator}
max_epochs = 2
max_steps = 0
eval_frequency = 100
patience = 0
dropout = 0.1
accumulate_gradient = 1
frozen_components = []
annotating_components = []
before_to_disk = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
size = 1000

[training.optimizer]
@optimizers = "Adam.v1"

[training.score_weights]
cats_score = 1.0

[initialize]
vectors = null
"""
TOPICS = {
    "military": ["troops", "shelling", "airstrike", "soldiers"],
    "diplomatic": ["talks", "envoy", "ceasefire", "sanctions"],
    "heritage_damage": ["museum", "temple", "looted", "ruins"],
}
FILLER = ["the", "city", "near", "on", "Thursday", "Palmyra", "reported", "😀", "دمشق"]


def generated_corpus(path: Path, articles: int = 200, seed: int = 7) -> None:
    """Articles of three sentences, each about 0-2 topics, decided by one annotator."""
    rng = random.Random(seed)
    with Store.open(path) as store:
        decisions = Decisions(store, ANNOTATIONS, "alice", SCHEME)
        for number in range(articles):
            sentences, spans, labels = [], [], []
            offset = 0
            for _ in range(3):
                topics = rng.sample(SCHEME, rng.randint(0, 2))
                words = [rng.choice(TOPICS[t]) for t in topics] + rng.sample(FILLER, 4)
                rng.shuffle(words)
                text = f"Report {number}: " + " ".join(words) + "."
                sentences.append(text)
                spans.append((offset, offset + len(text)))
                labels.append(topics)
                offset += len(text) + 1
            with store.write():
                identity = add_article(
                    store, ArticleInput(" ".join(sentences)), Analysis(spans, []), "generated"
                )
            decisions.decide_many(
                identity, [(span, chosen, None) for span, chosen in zip(spans, labels, strict=True)]
            )


def train(folder: Path, train_path: Path, dev_path: Path) -> Path:
    config = folder / "config.cfg"
    config.write_text(CONFIG, "utf-8")
    output = folder / "model"
    run = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(config), "--output", str(output),
         "--paths.train", str(train_path), "--paths.dev", str(dev_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return output / "model-last"


def check_model(model: Path) -> None:
    import spacy

    nlp = spacy.load(model)
    assert nlp.pipe_names == ["textcat_multilabel"]
    assert sorted(nlp.get_pipe("textcat_multilabel").labels) == sorted(SCHEME)
    cats = nlp("Troops and an envoy met near the looted museum.").cats
    assert set(cats) == set(SCHEME) and all(0.0 <= value <= 1.0 for value in cats.values())


def test_a_generated_corpus_split_by_article_trains_textcat_multilabel(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    generated_corpus(db)
    folder = tmp_path / "data"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "export", "-f", "spacy", "-o", str(folder), "--split", "0.8"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"exported 480 docs from 160 articles to {folder / 'train.spacy'},"
        f" 120 docs from 40 articles to {folder / 'dev.spacy'}\n"
    )
    check_model(train(tmp_path, folder / "train.spacy", folder / "dev.spacy"))


def test_the_sample_article_export_trains(sample_db: Path, tmp_path: Path) -> None:
    with Store.open(sample_db) as store:
        article = get_article(store, SAMPLE_ID)
        rng = random.Random(1)
        Decisions(store, ANNOTATIONS, "alice", SCHEME).decide_many(
            SAMPLE_ID,
            [(s.span, rng.sample(SCHEME, rng.randint(0, 2)), None) for s in article.sentences],
        )
    out = tmp_path / "sample.spacy"
    result = CliRunner().invoke(
        cli, ["--db", str(sample_db), "export", "-f", "spacy", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    check_model(train(tmp_path, out, out))
