"""Suggestions: a text classifier trained on one annotator's own decisions, and what it proposes.

Once an annotator has decided `MIN_DECIDED` sentences (ignored ones do not count) with at least
`MIN_PER_LABEL` of them carrying some label, a multi-label classifier is trained on those
decisions: spaCy's `textcat_multilabel` with the bag-of-words architecture (unigrams and bigrams),
on a blank tokenizer, so training takes a fraction of a second on a CPU and nothing is downloaded.
The model is stored in the `models` table, keyed by annotator and label scheme, and retrained
once `RETRAIN_EVERY` more decisions have been made. Before there is a model, the project's
patterns (annotations/patterns.py) suggest.

A suggestion is never a decision: it becomes one only when the annotator accepts it, and the
decision then records where it came from (`source` 'suggested' or 'pattern').

Nothing here imports spaCy until a model or a pattern is actually needed, and nothing here knows
about the screen: `Suggester` is what a front end calls from a background thread, and it does
the spaCy work in child processes.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotations.child_process import run_in_child_process
from annotations.errors import AnnottyError
from annotations.store import Store, utc_now

MIN_DECIDED = 20
"""Decided sentences an annotator needs before a model is trained for them."""
MIN_PER_LABEL = 3
"""...of which at least this many must carry some one label (else there is nothing to learn)."""
RETRAIN_EVERY = 10
"""New decisions after which the model is trained again."""
UNCERTAIN_WINDOW = 2000
"""Undecided sentences scored to find the least certain ones (not the whole of a big library)."""
THRESHOLD = 0.5
"""A label is suggested when the model's probability for it is at least this."""
EPOCHS = 10
BATCH_SIZE = 8
LEARN_RATE = 0.05
"""Adam's step: spaCy's default (0.001) is tuned for thousands of updates, not a few dozen."""
NGRAM_SIZE = 1
HASH_LENGTH = 2**16
"""Rows of the bag-of-words hash table: small enough to store, large enough for a project."""


@dataclass(frozen=True)
class Suggestion:
    """Labels proposed for one sentence."""

    labels: tuple[str, ...]
    """In scheme order; () proposes "no label"."""
    confidence: float | None
    """The model's certainty about its least certain label (0.5-1.0); None for a pattern."""
    source: str
    """`suggested` (the model) or `pattern` (a pattern matched)."""


@dataclass(frozen=True)
class Example:
    """One decided sentence of an annotator."""

    article_id: str
    text: str
    labels: tuple[str, ...]


def examples_of(store: Store, annotator: str) -> list[Example]:
    """An annotator's decided, not ignored, sentences, in library then sentence order."""
    rows = store.conn.execute(
        "SELECT n.article_id, s.text, n.labels FROM annotations n"
        " JOIN sentences s ON s.article_id = n.article_id AND s.start = n.start"
        ' AND s."end" = n."end" JOIN articles a ON a.id = n.article_id'
        " WHERE n.annotator = ? AND n.decided AND NOT n.ignored ORDER BY a.rowid, s.idx",
        (annotator,),
    )
    return [Example(article, text, tuple(json.loads(labels))) for article, text, labels in rows]


def not_ready_reason(examples: Sequence[Example], scheme: Sequence[str]) -> str | None:
    """Why no model can be trained on these examples yet, or None when one can."""
    if len(examples) < MIN_DECIDED:
        return f"{len(examples)} decided sentences; suggestions start at {MIN_DECIDED}"
    counts = {name: sum(name in e.labels for e in examples) for name in scheme}
    if max(counts.values(), default=0) < MIN_PER_LABEL:
        return f"no label is on {MIN_PER_LABEL} decided sentences yet"
    return None


def scheme_key(scheme: Sequence[str]) -> str:
    return ",".join(scheme)


class Classifier:
    """A trained multi-label text classifier over a label scheme."""

    def __init__(self, nlp: Any, scheme: Sequence[str]) -> None:
        self.nlp = nlp
        self.scheme = list(scheme)

    @staticmethod
    def _blank(scheme: Sequence[str]) -> Any:
        from annotations.nlp import blank_pipeline

        nlp = blank_pipeline()
        model = {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": False,
            "ngram_size": NGRAM_SIZE,
            "no_output_layer": False,
            "length": HASH_LENGTH,
        }
        textcat = nlp.add_pipe("textcat_multilabel", config={"model": model})
        for name in scheme:
            textcat.add_label(name)
        return nlp

    @classmethod
    def train(
        cls, examples: Sequence[Example], scheme: Sequence[str], *, seed: int = 0
    ) -> Classifier:
        """Train on examples (each label a yes/no for every sentence)."""
        from spacy.training import Example as SpacyExample
        from spacy.util import fix_random_seed, minibatch
        from thinc.api import Adam

        fix_random_seed(seed)
        nlp = cls._blank(scheme)
        data = [
            SpacyExample.from_dict(
                nlp.make_doc(_features(e.text)), {"cats": {n: float(n in e.labels) for n in scheme}}
            )
            for e in examples
        ]
        nlp.initialize(lambda: data)
        optimizer = Adam(LEARN_RATE)
        order = random.Random(seed)
        for _ in range(EPOCHS):
            order.shuffle(data)
            for batch in minibatch(data, size=BATCH_SIZE):
                nlp.update(batch, sgd=optimizer, drop=0.1)
        return cls(nlp, scheme)

    @classmethod
    def from_bytes(cls, data: bytes, scheme: Sequence[str]) -> Classifier:
        nlp = cls._blank(scheme)
        nlp.from_bytes(data)
        return cls(nlp, scheme)

    def to_bytes(self) -> bytes:
        return self.nlp.to_bytes()

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Each label's probability for each text."""
        docs = self.nlp.pipe((_features(text) for text in texts), batch_size=256)
        return [{name: float(doc.cats.get(name, 0.0)) for name in self.scheme} for doc in docs]

    def suggest(self, texts: Sequence[str]) -> list[Suggestion]:
        return [suggestion_from(scores, self.scheme) for scores in self.scores(texts)]


def _features(text: str) -> str:
    """What the model reads: the bag-of-words layer counts exact forms, so fold the case."""
    return text.lower()


def suggestion_from(scores: dict[str, float], scheme: Sequence[str]) -> Suggestion:
    """The labels at or above THRESHOLD, and how sure the model is of its least sure label."""
    labels = tuple(name for name in scheme if scores[name] >= THRESHOLD)
    confidence = min((max(p, 1 - p) for p in scores.values()), default=1.0)
    return Suggestion(labels, confidence, "suggested")


train_classifier: Callable[[Sequence[Example], Sequence[str]], Classifier] = Classifier.train
"""The training function (a seam for tests)."""


def train_and_store(db_path: str, annotator: str, scheme: list[str]) -> int:
    """Train an annotator's model on all their decisions and store it.

    Returns:
        How many decisions it learnt from.
    """
    with Store.open(db_path) as store:
        examples = examples_of(store, annotator)
        model = train_classifier(examples, scheme)
        save_model(store, annotator, scheme, len(examples), model)
        return len(examples)


def save_model(
    store: Store, annotator: str, scheme: Sequence[str], decisions: int, model: Classifier
) -> None:
    data = model.to_bytes()
    with store.write():
        store.conn.execute(
            "INSERT INTO models (annotator, scheme, trained_at, decisions, data)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (annotator, scheme) DO UPDATE SET"
            " trained_at = excluded.trained_at, decisions = excluded.decisions,"
            " data = excluded.data",
            (annotator, scheme_key(scheme), utc_now(), decisions, data),
        )


def stored_model_decisions(store: Store, annotator: str, scheme: Sequence[str]) -> int | None:
    """How many decisions the stored model was trained on, or None when there is none."""
    value = store.value(
        "SELECT decisions FROM models WHERE annotator = ? AND scheme = ?",
        (annotator, scheme_key(scheme)),
    )
    return value if isinstance(value, int) else None


def load_model(
    store: Store, annotator: str, scheme: Sequence[str]
) -> tuple[Classifier, int] | None:
    """The stored model of an annotator for this scheme and its decision count, if any."""
    row = store.conn.execute(
        "SELECT data, decisions FROM models WHERE annotator = ? AND scheme = ?",
        (annotator, scheme_key(scheme)),
    ).fetchone()
    if row is None:
        return None
    return Classifier.from_bytes(row[0], scheme), row[1]


# -- the suggestion process -----------------------------------------------------------------------
# Everything that needs spaCy (training, scoring, pattern matching) runs in child processes, so the
# app never imports spaCy and its keys never wait for Python's global lock: training 2,000
# decisions in a thread of the app made each key take 2 seconds. The functions below run there.

_loaded_models: dict[tuple[str, str, str], tuple[str, Classifier]] = {}
"""In a child: models by (database, annotator, scheme), with the `trained_at` of each."""
_loaded_matchers: dict[str, tuple[int, Any]] = {}
"""In a child: pattern matchers by database, with a hash of the patterns they were built from."""


def _model_for(store: Store, annotator: str, scheme: Sequence[str]) -> Classifier | None:
    key = (str(store.path), annotator, scheme_key(scheme))
    version = store.value(
        "SELECT trained_at FROM models WHERE annotator = ? AND scheme = ?", key[1:]
    )
    if not isinstance(version, str):
        return None
    cached = _loaded_models.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    loaded = load_model(store, annotator, scheme)
    if loaded is None:
        return None
    _loaded_models[key] = (version, loaded[0])
    return loaded[0]


def _matcher_for(store: Store) -> Any:
    from annotations.patterns import PatternMatcher, stored_patterns

    patterns = stored_patterns(store)
    if not patterns:
        return None
    signature = hash(json.dumps([(p.label, p.pattern) for p in patterns], sort_keys=True))
    cached = _loaded_matchers.get(str(store.path))
    if cached is not None and cached[0] == signature:
        return cached[1]
    matcher = PatternMatcher(patterns)
    _loaded_matchers[str(store.path)] = (signature, matcher)
    return matcher


def suggest_texts(
    db_path: str, annotator: str, scheme: list[str], texts: list[str]
) -> list[Suggestion | None]:
    """A suggestion for each text: the annotator's model once there is one, else the patterns
    that match (None where nothing is suggested)."""
    with Store.open(db_path) as store:
        model = _model_for(store, annotator, scheme)
        matcher = None if model is not None else _matcher_for(store)
    if model is not None:
        return list(model.suggest(texts))
    if matcher is None:
        return [None] * len(texts)
    result: list[Suggestion | None] = []
    for text in texts:
        found = matcher.labels(text)
        labels = tuple(name for name in scheme if name in found)
        result.append(Suggestion(labels, None, "pattern") if labels else None)
    return result


def rank_least_certain(
    db_path: str, annotator: str, scheme: list[str], start_article: str | None, window: int
) -> list[tuple[str, int]]:
    """Undecided sentences of the library, the model's least certain first ([] without a model).

    Scores at most `window` undecided sentences, in library order from `start_article` (wrapping
    round), so the cost stays bounded in a large library.
    """
    with Store.open(db_path) as store:
        model = _model_for(store, annotator, scheme)
        if model is None:
            return []
        candidates = undecided_window(store, annotator, start_article, window)
    suggestions = model.suggest([text for _, _, text in candidates])
    ranked = sorted(range(len(candidates)), key=lambda i: (suggestions[i].confidence or 1.0, i))
    return [(candidates[i][0], candidates[i][1]) for i in ranked]


@dataclass
class Suggester:
    """Suggestions for one annotator, kept up to date: call its methods from background threads.

    `refresh` notes what is stored (a model, patterns) and has a model trained when the annotator
    has made enough new decisions; `suggestions` and `least_certain` ask the suggesting process.
    Calls may overlap: one refresh at a time trains, and a refresh that finds training under way
    returns at once.
    """

    db_path: Path
    annotator: str
    scheme: list[str]
    run: Callable[..., Any] = run_in_child_process
    """How the spaCy work is run: `run(pool name, function, *args)`."""
    model_decisions: int = 0
    """How many decisions the stored model learnt from (0: there is no model)."""
    has_patterns: bool = False
    status: str = "no suggestions yet"
    """One line on where suggestions stand."""
    _refreshed: bool = False
    _training: threading.Lock = field(default_factory=threading.Lock)

    @property
    def has_model(self) -> bool:
        return self.model_decisions > 0

    @property
    def active(self) -> bool:
        """Whether anything (a model or patterns) can suggest."""
        return self.has_model or self.has_patterns

    def refresh(self) -> bool:
        """Note what is stored, train if due. Returns whether the suggestions may have changed."""
        if not self._training.acquire(blocking=False):
            return False
        try:
            before = (self.model_decisions, self.has_patterns, self._refreshed)
            self._refreshed = True
            with Store.open(self.db_path) as store:
                self.has_patterns = bool(store.value("SELECT count(*) FROM patterns"))
                self.model_decisions = (
                    stored_model_decisions(store, self.annotator, self.scheme) or 0
                )
                examples = examples_of(store, self.annotator)
            reason = not_ready_reason(examples, self.scheme)
            if reason is None and len(examples) - self.model_decisions >= RETRAIN_EVERY:
                self.status = f"training on {len(examples)} decisions"
                self.model_decisions = self.run(
                    "train", train_and_store, str(self.db_path), self.annotator, self.scheme
                )
            if self.has_model:
                self.status = f"model of {self.model_decisions} decisions"
            else:
                self.status = "patterns" if self.has_patterns else str(reason)
            after = (self.model_decisions, self.has_patterns, True)
            return self.active and after != before
        finally:
            self._training.release()

    def suggestions(self, texts: Sequence[str]) -> list[Suggestion | None]:
        """A suggestion for each text: the model's once there is one, else matching patterns."""
        if not self.active:
            return [None] * len(texts)
        return self.run(
            "suggest", suggest_texts, str(self.db_path), self.annotator, self.scheme, list(texts)
        )

    def least_certain(
        self, start_article: str | None = None, window: int = UNCERTAIN_WINDOW
    ) -> list[tuple[str, int]]:
        """Undecided sentences of the library, the model's least certain first (see
        `rank_least_certain`); [] when there is no model."""
        if not self.has_model:
            return []
        return self.run(
            "suggest",
            rank_least_certain,
            str(self.db_path),
            self.annotator,
            self.scheme,
            start_article,
            window,
        )


def undecided_window(
    store: Store, annotator: str, start_article: str | None, window: int
) -> list[tuple[str, int, str]]:
    """Up to `window` sentences the annotator has not decided: (article id, index, text), in
    library order from `start_article` to the end, then from the start."""
    start_rowid = 0
    if start_article is not None:
        start_rowid = int(
            store.value("SELECT rowid FROM articles WHERE id = ?", (start_article,)) or 0
        )
    sql = (
        "SELECT s.article_id, s.idx, s.text FROM articles a"
        " JOIN sentences s ON s.article_id = a.id"
        " LEFT JOIN annotations n ON n.article_id = s.article_id AND n.start = s.start"
        ' AND n."end" = s."end" AND n.annotator = ? AND n.decided'
        " WHERE n.article_id IS NULL AND {where} ORDER BY a.rowid, s.idx LIMIT ?"
    )
    after = (annotator, start_rowid, window)
    rows = list(store.conn.execute(sql.format(where="a.rowid >= ?"), after))
    if len(rows) < window and start_rowid:
        rows += store.conn.execute(
            sql.format(where="a.rowid < ?"), (annotator, start_rowid, window - len(rows))
        )
    return [(article, idx, text) for article, idx, text in rows]


class NotEnoughDecisions(AnnottyError):
    """Too few decisions to train or evaluate a model."""
