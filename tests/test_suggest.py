"""Suggestions: the classifier, its store, the Suggester, patterns, and `annotty suggest`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import annotty

from annotations.child_process import run_here
from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import get_article
from annotations.patterns import PatternErrors, load_patterns_file, stored_patterns
from annotations.store import Store
from annotations.suggest import (
    MIN_DECIDED,
    Classifier,
    Suggester,
    examples_of,
    load_model,
    not_ready_reason,
    stored_model_decisions,
)
from annotations.suggest_eval import evaluate, score, split_by_article
from bench.keywords import SCHEME, add_generated, generate

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def forty(empty_store: Store) -> Store:
    """40 short generated articles, every sentence decided by alice with its true labels."""
    add_generated(empty_store, generate(40, 6, seed=1), "alice")
    return empty_store


def test_not_ready_until_enough_decisions_with_a_label() -> None:
    from annotations.suggest import Example

    blank = [Example("a", f"s {i}", ()) for i in range(MIN_DECIDED)]
    assert "no label" in str(not_ready_reason(blank, SCHEME))
    few = [Example("a", "s", ("military",))] * (MIN_DECIDED - 1)
    assert f"suggestions start at {MIN_DECIDED}" in str(not_ready_reason(few, SCHEME))
    enough = blank[:-3] + [Example("a", "t", ("military",))] * 3
    assert not_ready_reason(enough, SCHEME) is None


def test_ignored_sentences_are_not_training_examples(forty: Store) -> None:
    examples = examples_of(forty, "alice")
    assert len(examples) == 240
    article = get_article(forty, examples[0].article_id)
    Decisions(forty, ANNOTATIONS, "alice", SCHEME).ignore(article.id, article.sentences[1].span)
    assert len(examples_of(forty, "alice")) == 239
    assert examples_of(forty, "bob") == []


def test_split_is_by_article_and_seeded(forty: Store) -> None:
    examples = examples_of(forty, "alice")
    train, test = split_by_article(examples)
    assert {e.article_id for e in train}.isdisjoint({e.article_id for e in test})
    assert len({e.article_id for e in train}) == 32
    assert split_by_article(examples) == (train, test)
    assert split_by_article(examples, seed=1) != (train, test)


def test_scores_match_scikit_learn() -> None:
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    truth = [("military",), (), ("military", "diplomatic"), ("diplomatic",), ()]
    predicted = [("military",), ("military",), ("diplomatic",), (), ()]
    ours = score(truth, predicted, SCHEME)
    binarizer = MultiLabelBinarizer(classes=list(SCHEME))
    p, r, f, s = precision_recall_fscore_support(
        binarizer.fit_transform(truth), binarizer.transform(predicted), zero_division=0
    )
    for i, name in enumerate(SCHEME):
        got = ours[name]
        assert (got.precision, got.recall, got.f1, got.support) == pytest.approx(
            (p[i], r[i], f[i], s[i])
        )


def test_eval_on_forty_articles_is_well_above_the_baseline(forty: Store) -> None:
    report = evaluate(examples_of(forty, "alice"), SCHEME)
    assert (report.train, report.test) == (192, 48)
    assert report.baseline_macro_f1 < 0.2, "no label is on most sentences"
    assert report.macro_f1 > 0.8
    assert report.macro_f1 > report.baseline_macro_f1 + 0.5


def test_suggest_eval_json(forty: Store) -> None:
    result = annotty("--db", forty.path, "--annotator", "bob", "suggest", "--eval",
                     "--annotator", "alice", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"labels", "macro_f1", "baseline_macro_f1", "train", "test"}
    assert list(report["labels"]) == list(SCHEME)
    assert set(report["labels"]["military"]) == {"precision", "recall", "f1", "support"}
    assert (report["train"], report["test"]) == (192, 48)
    assert report["macro_f1"] > report["baseline_macro_f1"] + 0.5

    text = annotty("--db", forty.path, "--annotator", "alice", "suggest", "--eval")
    assert text.exit_code == 0
    assert text.stdout.startswith("suggestions for alice: trained on 192 sentences (32 articles)")
    assert "heritage damage" in text.stdout and "baseline f1" in text.stdout


def test_suggest_without_enough_decisions_is_one_line(forty: Store) -> None:
    result = annotty("--db", forty.path, "--annotator", "bob", "suggest", "--eval")
    assert result.exit_code == 1
    assert "needs decisions in at least two articles" in str(result.exception)
    result = annotty("--db", forty.path, "--annotator", "bob", "suggest")
    assert "no model for bob yet: 0 decided sentences" in str(result.exception)


def test_a_stored_model_survives_a_restart(forty: Store) -> None:
    result = annotty("--db", forty.path, "--annotator", "alice", "suggest")
    assert result.exit_code == 0, result.output
    assert result.stdout == "trained the suggestion model of alice on 240 decisions\n"
    assert stored_model_decisions(forty, "alice", SCHEME) == 240
    assert stored_model_decisions(forty, "alice", SCHEME[:2]) is None, "keyed by scheme"
    loaded = load_model(forty, "alice", SCHEME)
    assert loaded is not None
    model, decisions = loaded
    assert decisions == 240
    (suggestion,) = model.suggest(["Soldiers looted the museum"])
    assert "heritage_damage" in suggestion.labels
    # A Suggester over the same file loads it instead of training again.
    ran: list[str] = []
    suggester = Suggester(forty.path, "alice", list(SCHEME), run=lambda *a: ran.append(a[0]))
    assert suggester.refresh() is True
    assert ran == [] and suggester.model_decisions == 240, "nothing trained"


def test_least_certain_is_bounded_and_ranked(forty: Store) -> None:
    fresh = add_generated(forty, generate(3, 6, seed=9))
    suggester = Suggester(forty.path, "alice", list(SCHEME), run=run_here)
    assert suggester.least_certain() == [], "no model yet"
    suggester.refresh()
    ranked = suggester.least_certain(fresh[1])
    assert len(ranked) == 18 and {a for a, _ in ranked} == set(fresh)
    assert len(suggester.least_certain(fresh[1], window=4)) == 4
    texts = {(a, s.idx): s.text for a in fresh for s in get_article(forty, a).sentences}
    loaded = load_model(forty, "alice", SCHEME)
    assert loaded is not None
    confidences = [c.confidence for c in loaded[0].suggest([texts[k] for k in ranked])]
    assert confidences == sorted(confidences)


def test_classifier_round_trips_through_bytes(forty: Store) -> None:
    examples = examples_of(forty, "alice")
    model = Classifier.train(examples, SCHEME)
    again = Classifier.from_bytes(model.to_bytes(), SCHEME)
    texts = [e.text for e in examples[:20]]
    assert again.scores(texts) == model.scores(texts)


# --- patterns ---------------------------------------------------------------------------------


def test_patterns_load_validate_and_suggest(empty_store: Store, tmp_path: Path) -> None:
    good = tmp_path / "patterns.jsonl"
    good.write_text(
        '{"label": "military", "pattern": "air strike"}\n'
        "\n"
        '{"label": "heritage_damage", "pattern": [{"lower": "looted"}]}\n',
        "utf-8",
    )
    result = annotty("--db", empty_store.path, "labels", "patterns", good)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"loaded 2 patterns from {good} (military 1, heritage damage 1)\n"
    assert [p.label for p in stored_patterns(empty_store)] == ["military", "heritage_damage"]

    suggester = Suggester(empty_store.path, "alice", list(SCHEME), run=run_here)
    assert suggester.refresh() is True and not suggester.has_model
    found = suggester.suggestions(["An AIR STRIKE hit.", "The temple was looted.", "Rain."])
    assert [(s.labels, s.source) if s else None for s in found] == [
        (("military",), "pattern"),
        (("heritage_damage",), "pattern"),
        None,
    ]


def test_bad_pattern_lines_are_each_named_and_nothing_is_loaded(
    empty_store: Store, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"label": "military", "pattern": "troops"}\n'
        '{"label": "sports", "pattern": "goal"}\n'
        '{"label": "military", "pattern": [{"lowr": "x"}]}\n'
        "not json\n"
        '{"label": "military", "pattern": []}\n'
        '{"label": "military", "pattern": 3}\n',
        "utf-8",
    )
    with pytest.raises(PatternErrors) as caught:
        load_patterns_file(empty_store, bad, SCHEME)
    errors = caught.value.errors
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 3", "line 4", "line 5", "line 6"]
    assert "'sports' is not in the scheme" in errors[0]
    assert "not a valid token pattern" in errors[1]
    assert stored_patterns(empty_store) == []
    result = annotty("--db", empty_store.path, "labels", "patterns", bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: line 2: label 'sports'")


def test_child_processes_suggest_and_stop(forty: Store) -> None:
    from annotations.child_process import _pools, run_in_child_process, stop_child_processes

    suggester = Suggester(forty.path, "alice", list(SCHEME))  # the real child processes
    assert suggester.refresh() is True
    (suggestion,) = suggester.suggestions(["Envoy arrives for ceasefire talks"])
    assert suggestion is not None and suggestion.labels == ("diplomatic",)
    assert set(_pools) == {"train", "suggest"}
    processes = [p for pool in _pools.values() for p in pool._processes.values()]
    stop_child_processes()
    assert _pools == {}
    for process in processes:
        process.join(timeout=30)
        # is_alive() cannot tell once the pool's own thread has reaped the process: ask the OS.
        assert _ended(process.pid)
    assert run_in_child_process("suggest", sorted, [2, 1]) == [1, 2], "started again on demand"
    stop_child_processes()


def _ended(pid: int | None, tries: int = 300) -> bool:
    """Whether a process is gone (or a zombie), waiting up to `tries` tenths of a second."""
    import time

    for _ in range(tries):
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False
