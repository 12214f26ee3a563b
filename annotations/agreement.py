"""Inter-annotator agreement: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.

Each label is treated as its own yes/no variable: an annotator who decided a sentence says yes if
the label is in the set they chose, and no otherwise. Sentences an annotator has not decided are
missing, not "no".

Every coefficient is computed from integer counts and finished in exact rational arithmetic
(`Fraction`), then turned into a float once. That keeps the figures equal to the reference
implementations (scikit-learn, statsmodels, krippendorff; used only by the tests) to well within
1e-9, and lets "undefined" be decided by an exact zero test rather than by spotting a NaN.
A coefficient is undefined, and reported as None, where the reference gives NaN or raises.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotations.store import Store

MISSING = "—"
"""How format_report shows a coefficient that is undefined."""


@dataclass(frozen=True)
class LabelAgreement:
    """Agreement on one label among the chosen annotators."""

    n: int
    """Sentences decided by at least two of the chosen annotators."""
    percent_agreement: float | None
    """Share (0..1) of those n sentences on which everyone who decided says the same yes/no."""
    cohen_kappa: float | None
    """Only with exactly two annotators: over the sentences both decided."""
    fleiss_kappa: float | None
    """Over the sentences decided by every chosen annotator (needs at least two annotators)."""
    krippendorff_alpha: float | None
    """Nominal alpha over all decided values, missing values allowed."""


@dataclass(frozen=True)
class AgreementReport:
    """Agreement among a set of annotators on a set of labels."""

    annotators: list[str]
    labels: dict[str, LabelAgreement]
    """Per label, in the order the labels were given."""
    percent_exact: float | None
    """Share of sentences decided by two or more annotators on which all chose the same labels."""
    mean_alpha: float | None
    """Mean of the per-label alphas that are defined."""
    pairwise: dict[str, dict[str, float | None]]
    """pairwise[a][b]: mean over labels of Cohen's kappa between a and b, where defined."""


def _cohen(n: int, yes_a: int, yes_b: int, disagreements: int) -> Fraction | None:
    """Cohen's kappa of two raters' yes/no values over the n sentences both decided."""
    # kappa = 1 - observed / expected disagreement; expected disagreement, scaled by n², is
    # yes_a·no_b + no_a·yes_b. It is zero (kappa undefined) exactly when both raters gave one
    # and the same value throughout, or when there are no sentences at all.
    expected = yes_a * (n - yes_b) + (n - yes_a) * yes_b
    if expected == 0:
        return None
    return 1 - Fraction(n * disagreements, expected)


def _fleiss(rows: int, raters: int, total_yes: int, agreeing: int) -> Fraction | None:
    """Fleiss' kappa over `rows` sentences each rated by all `raters`.

    Args:
        rows: sentences rated by every rater.
        raters: raters per sentence.
        total_yes: yes values over those sentences.
        agreeing: Σ over those sentences of yes² + no² - raters.
    """
    if raters < 2 or rows == 0:
        return None
    total = rows * raters
    if total_yes in (0, total):
        # Only one value in the whole table: chance agreement P_e is 1, so kappa is 0/0.
        return None
    # Mean over rows of P_i = (yes² + no² - k) / (k(k - 1)), kept as one integer numerator.
    p_bar = Fraction(agreeing, rows * raters * (raters - 1))
    p_yes = Fraction(total_yes, total)
    p_e = p_yes**2 + (1 - p_yes) ** 2
    return (p_bar - p_e) / (1 - p_e)


def _krippendorff(by_size: Mapping[int, int], n: int, n_yes: int) -> Fraction | None:
    """Nominal Krippendorff's alpha of a yes/no variable over pairable units (two values or more).

    Args:
        by_size: per unit size m, Σ over units of that size of yes_u · no_u.
        n: values in pairable units.
        n_yes: yes values among them.
    """
    n_no = n - n_yes
    if n_yes * n_no == 0:
        # No pairable values, or only one value among them: expected disagreement is zero.
        return None
    # Observed yes/no coincidences, o = Σ_u yes_u · no_u / (m_u - 1). Units of the same size share
    # a denominator, so integers are summed per size and only a few fractions are made.
    observed = sum((Fraction(count, m - 1) for m, count in by_size.items()), Fraction(0))
    # alpha = 1 - D_o / D_e = 1 - (n - 1) · o / (n_yes · n_no) for a binary nominal variable.
    return 1 - (n - 1) * observed / (n_yes * n_no)


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _mean(values: Sequence[Fraction | None]) -> Fraction | None:
    """Mean of the values that are defined, or None if none is."""
    defined = [v for v in values if v is not None]
    return sum(defined, Fraction(0)) / len(defined) if defined else None


Row = Mapping[str, frozenset[str]]
"""One sentence: the chosen annotators who decided it, each with their (wanted) labels."""


class _LabelCounts:
    """The integer counts every coefficient of one label is finished from."""

    __slots__ = ("agreeing", "alpha_n", "alpha_yes", "by_size", "fleiss_agree", "fleiss_yes",
                 "pairs")  # fmt: skip

    def __init__(self, pairs: int) -> None:
        self.agreeing = 0
        """Sentences with two or more raters all giving the same yes/no."""
        self.fleiss_yes = 0
        self.fleiss_agree = 0
        self.alpha_n = 0
        self.alpha_yes = 0
        self.by_size: Counter[int] = Counter()
        self.pairs = [[0, 0, 0, 0] for _ in range(pairs)]
        """Per pair of annotators: sentences both decided, yes of the first, of the second,
        disagreements."""


class Tally:
    """Agreement counts, added a sentence (or a batch of identical sentences) at a time.

    Holds integers only, whatever the number of sentences: agreement over a million annotations
    streams through it (see `agreement_in_store`), and `report()` finishes the coefficients.
    """

    def __init__(self, annotators: Sequence[str], labels: Sequence[str]) -> None:
        # A name given twice (say, `--annotator alice --annotator alice`) would count alice twice
        # as a rater; keep the first of each instead.
        self.chosen = list(dict.fromkeys(annotators))
        self.labels = list(dict.fromkeys(labels))
        self.wanted = frozenset(self.labels)
        self.pairs = list(combinations(self.chosen, 2))
        self.shared = 0
        """Sentences decided by two or more of the chosen annotators."""
        self.exact = 0
        """Of those, sentences on which all chose the same label set."""
        self.full = 0
        """Sentences decided by every chosen annotator."""
        self.counts = {label: _LabelCounts(len(self.pairs)) for label in self.labels}

    def add(self, labels_by_annotator: Mapping[str, Collection[str]], weight: int = 1) -> None:
        """Count one sentence `weight` times.

        Args:
            labels_by_annotator: annotator -> the labels they decided (empty: decided, no
                label). Other annotators and other labels are ignored.
            weight: how many sentences decided exactly like this.

        Raises:
            TypeError: a label set is a bare string (which would be read as a set of characters).
        """
        row: dict[str, frozenset[str]] = {}
        for annotator in self.chosen:
            if annotator in labels_by_annotator:
                label_set = labels_by_annotator[annotator]
                if isinstance(label_set, str):
                    raise TypeError(f"labels of {annotator!r} must be a collection, not a string")
                row[annotator] = frozenset(label_set) & self.wanted
        raters = len(row)
        shared = raters >= 2
        full = raters == len(self.chosen)
        if shared:
            self.shared += weight
            self.exact += weight * (len(set(row.values())) == 1)
        if full:
            self.full += weight
        pairs = [
            (i, row[a], row[b]) for i, (a, b) in enumerate(self.pairs) if a in row and b in row
        ]
        for label, counts in self.counts.items():
            yes = sum(label in chosen for chosen in row.values())
            if shared:
                counts.agreeing += weight * (yes in (0, raters))
                counts.alpha_n += weight * raters
                counts.alpha_yes += weight * yes
                counts.by_size[raters] += weight * yes * (raters - yes)
            if full:
                counts.fleiss_yes += weight * yes
                counts.fleiss_agree += weight * (yes * yes + (raters - yes) ** 2 - raters)
            for index, first, second in pairs:
                pair = counts.pairs[index]
                a, b = label in first, label in second
                pair[0] += weight
                pair[1] += weight * a
                pair[2] += weight * b
                pair[3] += weight * (a != b)

    def report(self) -> AgreementReport:
        """The coefficients of everything added so far."""
        chosen = self.chosen
        pair_kappas: list[list[Fraction | None]] = [[] for _ in self.pairs]
        per_label: dict[str, LabelAgreement] = {}
        alphas: list[Fraction | None] = []
        for label, counts in self.counts.items():
            for index, pair in enumerate(counts.pairs):
                pair_kappas[index].append(_cohen(*pair))
            cohen = pair_kappas[0][-1] if len(chosen) == 2 else None
            fleiss = _fleiss(self.full, len(chosen), counts.fleiss_yes, counts.fleiss_agree)
            alpha = _krippendorff(counts.by_size, counts.alpha_n, counts.alpha_yes)
            alphas.append(alpha)
            shared = self.shared
            per_label[label] = LabelAgreement(
                n=shared,
                percent_agreement=_as_float(Fraction(counts.agreeing, shared)) if shared else None,
                cohen_kappa=_as_float(cohen),
                fleiss_kappa=_as_float(fleiss),
                krippendorff_alpha=_as_float(alpha),
            )
        pairwise: dict[str, dict[str, float | None]] = {a: {} for a in chosen}
        for (a, b), kappas in zip(self.pairs, pair_kappas, strict=True):
            pairwise[a][b] = pairwise[b][a] = _as_float(_mean(kappas))
        # Keep each row in the order of `chosen`, whatever order the pairs were filled in.
        pairwise = {a: {b: pairwise[a][b] for b in chosen if b != a} for a in chosen}
        return AgreementReport(
            annotators=chosen,
            labels=per_label,
            percent_exact=_as_float(Fraction(self.exact, self.shared)) if self.shared else None,
            mean_alpha=_as_float(_mean(alphas)),
            pairwise=pairwise,
        )


def compute_agreement(
    decisions: Mapping[Hashable, Mapping[str, Collection[str]]],
    annotators: Sequence[str],
    labels: Sequence[str],
) -> AgreementReport:
    """Agreement among `annotators` on each of `labels`, and overall.

    Args:
        decisions: sentence key -> {annotator: the set of labels that annotator decided}. Only
            decided (sentence, annotator) pairs are present; an empty set means decided with no
            label. Annotators not in `annotators`, and labels not in `labels`, are ignored.
        annotators: the annotators to compare, in the order the report lists them; a repeated
            name counts once.
        labels: the labels to measure, in the order the report lists them; a repeated name
            counts once.

    Returns:
        The report: per-label coefficients, exact-set agreement, mean alpha and the pairwise
        Cohen's kappa matrix. Any figure that is undefined for these data is None.

    Raises:
        TypeError: a label set is a bare string (which would be read as a set of characters).
    """
    tally = Tally(annotators, labels)
    for by_annotator in decisions.values():
        tally.add(by_annotator)
    return tally.report()


def agreement_in_store(
    store: Store, annotators: Sequence[str], labels: Sequence[str], article_id: str | None = None
) -> AgreementReport:
    """compute_agreement over the decisions in a database, without loading them.

    SQLite groups the decisions by sentence and then counts the sentences decided alike (same
    annotators, same labels): a few thousand distinct patterns, however many annotations, are
    all that reach Python. Ignored sentences count as not decided by that annotator.

    Args:
        store: the database.
        annotators: as for compute_agreement.
        labels: as for compute_agreement.
        article_id: only this article's sentences.
    """
    tally = Tally(annotators, labels)
    if not tally.chosen:
        return tally.report()
    marks = ",".join("?" * len(tally.chosen))
    where = f"decided AND NOT ignored AND annotator IN ({marks})"
    params: list[Any] = list(tally.chosen)
    if article_id is not None:
        where += " AND article_id = ?"
        params.append(article_id)
    # A pattern is the sentence's annotators and label lists as JSON; two sentences decided alike
    # may still give two patterns (rows in another order), which only costs a second `add`.
    rows = store.conn.execute(
        "SELECT pattern, count(*) FROM ("
        " SELECT json_group_array(json_array(annotator, labels)) AS pattern FROM annotations"
        # The primary key's order is the grouping's: no sort of a million rows.
        " INDEXED BY sqlite_autoindex_annotations_1"
        f' WHERE {where} GROUP BY article_id, start, "end") GROUP BY pattern',
        params,
    )
    for pattern, count in rows:
        tally.add({who: json.loads(chosen) for who, chosen in json.loads(pattern)}, count)
    return tally.report()


def report_as_json(report: AgreementReport) -> dict[str, Any]:
    """The report as plain JSON data; undefined figures are null, never NaN.

    Args:
        report: a report from compute_agreement.

    Returns:
        {"annotators": [...], "labels": {label: {"n", "percent_agreement", "cohen_kappa",
        "fleiss_kappa", "krippendorff_alpha"}}, "overall": {"percent_exact", "mean_alpha"},
        "pairwise": {a: {b: kappa}}}, with labels and annotators in report order.
    """
    return {
        "annotators": list(report.annotators),
        "labels": {
            label: {
                "n": agreement.n,
                "percent_agreement": agreement.percent_agreement,
                "cohen_kappa": agreement.cohen_kappa,
                "fleiss_kappa": agreement.fleiss_kappa,
                "krippendorff_alpha": agreement.krippendorff_alpha,
            }
            for label, agreement in report.labels.items()
        },
        "overall": {"percent_exact": report.percent_exact, "mean_alpha": report.mean_alpha},
        "pairwise": {a: dict(row) for a, row in report.pairwise.items()},
    }


def format_coefficient(value: float | None) -> str:
    """A coefficient to three decimals (`0.612`), or MISSING when it is undefined."""
    # Adding 0.0 turns a -0.0 from rounding into 0.0, so a tiny negative shows as "0.000".
    return MISSING if value is None else f"{round(value, 3) + 0.0:.3f}"


def format_percent(value: float | None) -> str:
    """A share as a percentage to one decimal (`80.0%`), or MISSING when it is undefined."""
    return MISSING if value is None else f"{value * 100:.1f}%"


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    """Lines of a table: first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = []
    for row in [header, *body]:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def format_report(report: AgreementReport, display: Callable[[str], str] = str) -> str:
    """The report as a plain-text table, for a terminal or a text file.

    Args:
        report: a report from compute_agreement.
        display: turns a label name into the form shown (e.g. "heritage_damage" into
            "heritage damage").

    Returns:
        A table with one row per label (n, percent agreement, Cohen's kappa, Fleiss' kappa,
        Krippendorff's alpha), an overall line, and the pairwise Cohen's kappa matrix. Undefined
        figures show as "—". No trailing newline.
    """
    label_rows = [
        [
            display(label),
            str(a.n),
            format_percent(a.percent_agreement),
            format_coefficient(a.cohen_kappa),
            format_coefficient(a.fleiss_kappa),
            format_coefficient(a.krippendorff_alpha),
        ]
        for label, a in report.labels.items()
    ]
    lines = [f"Agreement among {', '.join(report.annotators) or 'no annotators'}", ""]
    lines += _table(["label", "n", "% agree", "Cohen", "Fleiss", "alpha"], label_rows)
    lines += [
        "",
        f"Overall: exact agreement {format_percent(report.percent_exact)}, "
        f"mean alpha {format_coefficient(report.mean_alpha)}",
    ]
    if len(report.annotators) >= 2:
        names = report.annotators
        matrix = [
            [a, *(MISSING if b == a else format_coefficient(report.pairwise[a][b]) for b in names)]
            for a in names
        ]
        lines += ["", "Pairwise Cohen's kappa (mean over labels)", ""]
        lines += _table(["", *names], matrix)
    return "\n".join(lines)
