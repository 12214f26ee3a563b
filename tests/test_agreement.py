"""Tests for annotations.agreement: hand-checked examples, edge cases, and property tests against
the reference implementations (scikit-learn, statsmodels, krippendorff)."""

from __future__ import annotations

import json
import math
import warnings
from itertools import combinations

import krippendorff
import numpy as np
import pytest
import sklearn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from annotations.agreement import (
    AgreementReport,
    LabelAgreement,
    compute_agreement,
    format_report,
    report_as_json,
)

TOLERANCE = 1e-9


# --- reference implementations --------------------------------------------------------------


def ref_cohen(decisions, a, b, label):
    """sklearn's kappa over the sentences a and b both decided; None where it is undefined."""
    both = [d for d in decisions.values() if a in d and b in d]
    if not both:
        return None  # sklearn raises on empty input
    y1 = [int(label in d[a]) for d in both]
    y2 = [int(label in d[b]) for d in both]
    # Skipping sklearn's argument checks makes each call several times faster.
    with warnings.catch_warnings(), sklearn.config_context(skip_parameter_validation=True):
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(y1, y2))
    return value if math.isfinite(value) else None


def ref_fleiss(decisions, annotators, label):
    """statsmodels' Fleiss kappa over the sentences every annotator decided; None if undefined."""
    if len(annotators) < 2:
        return None
    table = []
    for d in decisions.values():
        if all(a in d for a in annotators):
            yes = sum(label in d[a] for a in annotators)
            table.append([len(annotators) - yes, yes])
    if not table:
        return None  # statsmodels cannot take an empty table
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(fleiss_kappa(np.array(table), method="fleiss"))
    return value if math.isfinite(value) else None


def ref_alpha(decisions, annotators, label):
    """krippendorff's nominal alpha; None where it raises or gives NaN."""
    data = np.full((len(annotators), len(decisions)), np.nan)
    for j, d in enumerate(decisions.values()):
        for i, a in enumerate(annotators):
            if a in d:
                data[i, j] = float(label in d[a])
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(krippendorff.alpha(data, level_of_measurement="nominal"))
    except ValueError:
        # Raised for a single value in the domain or no unit with two values.
        return None
    return value if math.isfinite(value) else None


def brute_percent_agreement(decisions, annotators, label):
    shared = [[label in d[a] for a in annotators if a in d] for d in decisions.values()]
    shared = [votes for votes in shared if len(votes) >= 2]
    if not shared:
        return None
    return sum(all(v == votes[0] for v in votes) for votes in shared) / len(shared)


def brute_percent_exact(decisions, annotators, labels):
    shared = [[set(d[a]) & set(labels) for a in annotators if a in d] for d in decisions.values()]
    shared = [sets for sets in shared if len(sets) >= 2]
    if not shared:
        return None
    return sum(all(s == sets[0] for s in sets) for sets in shared) / len(shared)


def assert_matches(actual, expected):
    """Both undefined, or both defined and equal to 1e-9."""
    if expected is None:
        assert actual is None
    else:
        assert actual is not None
        assert actual == pytest.approx(expected, abs=TOLERANCE, rel=0)


def assert_no_nan(report: AgreementReport) -> None:
    json.dumps(report_as_json(report), allow_nan=False)


# --- hand-checked examples ------------------------------------------------------------------


def textbook_decisions():
    """Wikipedia's Cohen's kappa example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no."""
    cells = [({"x"}, {"x"})] * 20 + [({"x"}, set())] * 5
    cells += [(set(), {"x"})] * 10 + [(set(), set())] * 15
    return {i: {"ann": a, "bob": b} for i, (a, b) in enumerate(cells)}


def test_textbook_two_annotators():
    report = compute_agreement(textbook_decisions(), ["ann", "bob"], ["x"])
    x = report.labels["x"]
    assert x.n == 50
    assert x.percent_agreement == pytest.approx(0.7)
    # po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5.
    assert x.cohen_kappa == pytest.approx(0.4)
    # Two raters: Fleiss is Scott's pi, (0.7 - 0.505) / (1 - 0.505) = 13/33.
    assert x.fleiss_kappa == pytest.approx(13 / 33)
    # 1 - (n - 1) * D / (n_yes * n_no) = 1 - 99 * 15 / (55 * 45) = 0.4.
    assert x.krippendorff_alpha == pytest.approx(0.4)
    assert report.percent_exact == pytest.approx(0.7)
    assert report.mean_alpha == pytest.approx(0.4)
    assert report.pairwise == {
        "ann": {"bob": pytest.approx(0.4)},
        "bob": {"ann": pytest.approx(0.4)},
    }


def three_annotators():
    return {
        "s1": {"a": {"x"}, "b": {"x"}, "c": {"x"}},
        "s2": {"a": {"x"}, "b": set()},
        "s3": {"a": set(), "b": set(), "c": set()},
        "s4": {"a": {"x"}},
        "s5": {"c": set()},
    }


def test_three_annotators_with_missing_values():
    report = compute_agreement(three_annotators(), ["a", "b", "c"], ["x", "unused"])
    x = report.labels["x"]
    assert x.n == 3  # s1, s2, s3
    assert x.percent_agreement == pytest.approx(2 / 3)
    assert x.cohen_kappa is None  # three annotators
    # Rows s1 (3 yes) and s3 (0 yes): P_bar = 1, P_e = 0.5.
    assert x.fleiss_kappa == pytest.approx(1.0)
    # Pairable: s1 (3 yes), s2 (1 yes, 1 no), s3 (3 no): 1 - 7 * 1 / (4 * 4).
    assert x.krippendorff_alpha == pytest.approx(9 / 16)
    unused = report.labels["unused"]
    assert unused == LabelAgreement(3, 1.0, None, None, None)
    assert report.percent_exact == pytest.approx(2 / 3)
    assert report.mean_alpha == pytest.approx(9 / 16)
    # a-b over s1, s2, s3: po = 2/3, pe = 4/9, kappa = 0.4; a-c and b-c agree perfectly.
    assert report.pairwise == {
        "a": {"b": pytest.approx(0.4), "c": pytest.approx(1.0)},
        "b": {"a": pytest.approx(0.4), "c": pytest.approx(1.0)},
        "c": {"a": pytest.approx(1.0), "b": pytest.approx(1.0)},
    }
    assert list(report.labels) == ["x", "unused"]


def test_ignores_other_annotators_and_labels():
    decisions = three_annotators()
    decisions["s3"]["c"] = {"other"}  # not a label asked about: counts as no label
    decisions["s1"]["ghost"] = set()
    decisions["s6"] = {"ghost": {"x"}, "a": {"x"}}
    report = compute_agreement(decisions, ["a", "b", "c"], ["x", "unused"])
    assert report == compute_agreement(three_annotators(), ["a", "b", "c"], ["x", "unused"])


def test_perfect_disagreement_is_negative():
    decisions = {1: {"a": {"x"}, "b": set()}, 2: {"a": set(), "b": {"x"}}}
    x = compute_agreement(decisions, ["a", "b"], ["x"]).labels["x"]
    assert x.percent_agreement == 0.0
    assert x.cohen_kappa == pytest.approx(-1.0)
    assert x.fleiss_kappa == pytest.approx(-1.0)
    assert x.krippendorff_alpha == pytest.approx(-0.5)  # 1 - 3 * 2 / (2 * 2)


# --- edge cases -----------------------------------------------------------------------------


def test_no_decisions():
    report = compute_agreement({}, ["a", "b"], ["x", "y"])
    assert report.labels["x"] == LabelAgreement(0, None, None, None, None)
    assert report.percent_exact is None
    assert report.mean_alpha is None
    assert report.pairwise == {"a": {"b": None}, "b": {"a": None}}
    assert_no_nan(report)


def test_one_annotator():
    decisions = {1: {"a": {"x"}, "b": {"x"}}, 2: {"a": set(), "b": {"x"}}}
    report = compute_agreement(decisions, ["a"], ["x"])
    assert report.labels["x"] == LabelAgreement(0, None, None, None, None)
    assert report.percent_exact is None
    assert report.mean_alpha is None
    assert report.pairwise == {"a": {}}
    assert_no_nan(report)
    assert "Pairwise" not in format_report(report)


def test_no_annotators_and_no_labels():
    report = compute_agreement({1: {"a": {"x"}}}, [], [])
    assert report.labels == {}
    assert report.pairwise == {}
    assert_no_nan(report)
    format_report(report)


def test_everyone_says_no():
    decisions = {i: {"a": set(), "b": set(), "c": set()} for i in range(5)}
    report = compute_agreement(decisions, ["a", "b"], ["x"])
    x = report.labels["x"]
    assert x == LabelAgreement(5, 1.0, None, None, None)
    assert report.percent_exact == 1.0
    assert report.mean_alpha is None
    assert report.pairwise == {"a": {"b": None}, "b": {"a": None}}
    assert_no_nan(report)


def test_label_nobody_used_does_not_drag_the_means():
    decisions = textbook_decisions()
    report = compute_agreement(decisions, ["ann", "bob"], ["x", "nobody"])
    assert report.labels["nobody"].krippendorff_alpha is None
    assert report.labels["nobody"].percent_agreement == 1.0
    assert report.mean_alpha == pytest.approx(0.4)
    assert report.pairwise["ann"]["bob"] == pytest.approx(0.4)


def test_no_sentence_decided_by_everyone():
    decisions = {
        1: {"a": {"x"}, "b": set()},
        2: {"b": {"x"}, "c": {"x"}},
        3: {"a": set(), "c": {"x"}},
    }
    x = compute_agreement(decisions, ["a", "b", "c"], ["x"]).labels["x"]
    assert x.fleiss_kappa is None
    assert x.krippendorff_alpha is not None


def test_single_value_units_are_not_pairable():
    # Both values occur, but the only unit with two values holds one of them: alpha is 0/0.
    decisions = {1: {"a": {"x"}, "b": {"x"}}, 2: {"a": set()}}
    x = compute_agreement(decisions, ["a", "b"], ["x"]).labels["x"]
    assert x.krippendorff_alpha is None
    assert ref_alpha(decisions, ["a", "b"], "x") is None


def test_repeated_names_count_once():
    decisions = three_annotators()
    report = compute_agreement(decisions, ["a", "b", "a", "c"], ["x", "x", "unused"])
    assert report == compute_agreement(decisions, ["a", "b", "c"], ["x", "unused"])


def test_rejects_a_bare_string_as_label_set():
    with pytest.raises(TypeError):
        compute_agreement({1: {"a": "x"}}, ["a"], ["x"])


def test_json_shape():
    report = compute_agreement(three_annotators(), ["a", "b", "c"], ["x", "unused"])
    data = json.loads(json.dumps(report_as_json(report), allow_nan=False))
    assert data["annotators"] == ["a", "b", "c"]
    assert list(data["labels"]) == ["x", "unused"]
    assert data["labels"]["x"] == {
        "n": 3,
        "percent_agreement": pytest.approx(2 / 3),
        "cohen_kappa": None,
        "fleiss_kappa": pytest.approx(1.0),
        "krippendorff_alpha": pytest.approx(0.5625),
    }
    assert data["overall"] == {"percent_exact": pytest.approx(2 / 3), "mean_alpha": 0.5625}
    assert data["pairwise"]["a"] == {"b": pytest.approx(0.4), "c": 1.0}
    assert "a" not in data["pairwise"]["a"]


def test_format_report():
    decisions = {
        key: {a: {"heritage_damage"} if "x" in labels else set() for a, labels in row.items()}
        for key, row in three_annotators().items()
    }
    # "d" decided nothing, so every pair with d is undefined.
    report = compute_agreement(decisions, ["a", "b", "c", "d"], ["heritage_damage", "unused"])
    text = format_report(report, display=lambda label: label.replace("_", " "))
    lines = text.splitlines()
    assert "\x1b" not in text
    start = next(i for i, line in enumerate(lines) if line.startswith("label"))
    table = lines[start : start + 3]
    assert table[0].split() == ["label", "n", "%", "agree", "Cohen", "Fleiss", "alpha"]
    assert table[1].startswith("heritage damage ")
    assert table[1].split()[2:] == ["3", "66.7%", "—", "—", "0.562"]
    assert table[2].split() == ["unused", "3", "100.0%", "—", "—", "—"]
    assert len({len(line) for line in table}) == 1  # right-aligned columns end together
    overall = next(line for line in lines if line.startswith("Overall"))
    assert "66.7%" in overall and "0.562" in overall
    matrix = lines[-5:]
    assert matrix[0].split() == ["a", "b", "c", "d"]
    assert matrix[1].split() == ["a", "—", "0.400", "1.000", "—"]
    assert matrix[2].split() == ["b", "0.400", "—", "1.000", "—"]
    assert matrix[3].split() == ["c", "1.000", "1.000", "—", "—"]
    assert matrix[4].split() == ["d", "—", "—", "—", "—"]
    assert len({len(line) for line in matrix}) == 1


def test_format_report_numbers():
    report = compute_agreement(textbook_decisions(), ["ann", "bob"], ["x"])
    text = format_report(report)
    row = next(line for line in text.splitlines() if line.startswith("x "))
    assert row.split() == ["x", "50", "70.0%", "0.400", "0.394", "0.400"]
    assert text.splitlines()[-2].split() == ["ann", "—", "0.400"]
    assert text.splitlines()[-1].split() == ["bob", "0.400", "—"]


# --- property tests against the references --------------------------------------------------

ANNOTATORS = ["a", "b", "c", "d", "e"]
LABELS = ["l0", "l1", "l2", "l3"]


@st.composite
def datasets(draw):
    k = draw(st.integers(2, 5))
    labels = LABELS[: draw(st.integers(1, 4))]
    annotators = ANNOTATORS[:k]
    # Some decisions from an annotator who is not chosen, and labels outside `labels`, which
    # must both be ignored.
    everyone = [*annotators, "ghost"]
    pool = [*labels, "stray"]
    # Each cell is one integer, a bit mask over `pool`, or negative for "not decided": far
    # cheaper to draw than nested optional sets, and it shrinks just as well.
    cell = st.integers(-2, 2 ** len(pool) - 1)
    grid = draw(st.lists(st.lists(cell, min_size=k + 1, max_size=k + 1), min_size=1, max_size=40))
    decisions = {}
    for s, masks in enumerate(grid):
        decisions[s] = {
            a: frozenset(label for bit, label in enumerate(pool) if mask >> bit & 1)
            for a, mask in zip(everyone, masks, strict=True)
            if mask >= 0
        }
    return decisions, annotators, labels


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_matches_reference_implementations(dataset):
    decisions, annotators, labels = dataset
    report = compute_agreement(decisions, annotators, labels)
    assert report.annotators == annotators
    assert list(report.labels) == labels
    for label in labels:
        got = report.labels[label]
        expected_cohen = (
            ref_cohen(decisions, annotators[0], annotators[1], label)
            if len(annotators) == 2
            else None
        )
        assert_matches(got.cohen_kappa, expected_cohen)
        assert_matches(got.fleiss_kappa, ref_fleiss(decisions, annotators, label))
        assert_matches(got.krippendorff_alpha, ref_alpha(decisions, annotators, label))
        assert_matches(got.percent_agreement, brute_percent_agreement(decisions, annotators, label))
        assert got.n == sum(sum(a in d for a in annotators) >= 2 for d in decisions.values())
    assert_matches(report.percent_exact, brute_percent_exact(decisions, annotators, labels))
    alphas = [ref_alpha(decisions, annotators, label) for label in labels]
    alphas = [value for value in alphas if value is not None]
    assert_matches(report.mean_alpha, sum(alphas) / len(alphas) if alphas else None)

    assert set(report.pairwise) == set(annotators)
    for a, b in combinations(annotators, 2):
        kappas = [ref_cohen(decisions, a, b, label) for label in labels]
        kappas = [value for value in kappas if value is not None]
        assert_matches(report.pairwise[a][b], sum(kappas) / len(kappas) if kappas else None)
        # Cohen's kappa is symmetric, so the matrix is too.
        assert report.pairwise[b][a] == report.pairwise[a][b]
    for a in annotators:
        assert a not in report.pairwise[a]

    assert_no_nan(report)
    text = format_report(report)
    assert all(label in text for label in labels)


# --- the same figures straight from a database ----------------------------------------------


def _store_with(decisions, path):
    """A database holding `decisions` as annotation rows, plus undone and ignored rows that must
    count as "not decided"."""
    from annotations.store import Store

    store = Store.open(path)
    with store.write():
        store.conn.execute(
            "INSERT INTO articles (id, text, imported_at) VALUES ('a1', 'x', 't'), ('a2', 'y', 't')"
        )
        for sentence, by_annotator in decisions.items():
            article, start = ("a1", sentence) if sentence % 3 else ("a2", sentence * 10)
            for who, chosen in by_annotator.items():
                store.conn.execute(
                    'INSERT INTO annotations (article_id, start, "end", annotator, labels,'
                    " decided, updated_at) VALUES (?, ?, ?, ?, ?, 1, 't')",
                    (article, start, start + 1, who, json.dumps(sorted(chosen))),
                )
            for who, decided, ignored in (("undone", 0, 0), ("setaside", 1, 1)):
                store.conn.execute(
                    'INSERT INTO annotations (article_id, start, "end", annotator, labels,'
                    " decided, ignored, updated_at) VALUES (?, ?, ?, ?, '[\"l0\"]', ?, ?, 't')",
                    (article, start, start + 1, who, decided, ignored),
                )
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(), st.booleans())
def test_agreement_in_store_equals_compute_agreement(dataset, with_absent):
    import tempfile
    from pathlib import Path

    from annotations.agreement import agreement_in_store

    decisions, annotators, labels = dataset
    # "undone" and "setaside" decided nothing (undone; ignored): as raters they are missing.
    chosen = [*annotators, "undone", "setaside"] if with_absent else annotators
    with tempfile.TemporaryDirectory() as folder:
        store = _store_with(decisions, Path(folder) / "agreement.db")
        try:
            got = agreement_in_store(store, chosen, labels)
            one_article = agreement_in_store(store, chosen, labels, article_id="a2")
        finally:
            store.close()
    assert got == compute_agreement(decisions, chosen, labels)
    only_a2 = {s: d for s, d in decisions.items() if not s % 3}
    assert one_article == compute_agreement(only_a2, chosen, labels)
