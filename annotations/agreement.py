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

from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any

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


def _cohen(pairs: Sequence[tuple[bool, bool]]) -> Fraction | None:
    """Cohen's kappa of two raters' yes/no values, one pair per sentence both decided."""
    n = len(pairs)
    yes_a = sum(a for a, _ in pairs)
    yes_b = sum(b for _, b in pairs)
    disagreements = sum(a != b for a, b in pairs)
    # kappa = 1 - observed / expected disagreement; expected disagreement, scaled by n², is
    # yes_a·no_b + no_a·yes_b. It is zero (kappa undefined) exactly when both raters gave one
    # and the same value throughout, or when there are no sentences at all.
    expected = yes_a * (n - yes_b) + (n - yes_a) * yes_b
    if expected == 0:
        return None
    return 1 - Fraction(n * disagreements, expected)


def _fleiss(yes_counts: Sequence[int], raters: int) -> Fraction | None:
    """Fleiss' kappa over sentences each rated by all `raters`, given each one's count of yes."""
    rows = len(yes_counts)
    if raters < 2 or rows == 0:
        return None
    total_yes = sum(yes_counts)
    total = rows * raters
    if total_yes in (0, total):
        # Only one value in the whole table: chance agreement P_e is 1, so kappa is 0/0.
        return None
    # Mean over rows of P_i = (yes² + no² - k) / (k(k - 1)), kept as one integer numerator.
    agreeing = sum(y * y + (raters - y) ** 2 - raters for y in yes_counts)
    p_bar = Fraction(agreeing, rows * raters * (raters - 1))
    p_yes = Fraction(total_yes, total)
    p_e = p_yes**2 + (1 - p_yes) ** 2
    return (p_bar - p_e) / (1 - p_e)


def _krippendorff(units: Sequence[tuple[int, int]]) -> Fraction | None:
    """Nominal Krippendorff's alpha from (values, yes values) per unit, any number of values each.

    Units with fewer than two values cannot be paired and do not count at all.
    """
    pairable = [(m, y) for m, y in units if m >= 2]
    n = sum(m for m, _ in pairable)
    n_yes = sum(y for _, y in pairable)
    n_no = n - n_yes
    if n_yes * n_no == 0:
        # No pairable values, or only one value among them: expected disagreement is zero.
        return None
    # Observed yes/no coincidences, o = Σ_u yes_u · no_u / (m_u - 1). Units of the same size share
    # a denominator, so sum integers per size first and make only a few fractions.
    by_size: Counter[int] = Counter()
    for m, y in pairable:
        by_size[m] += y * (m - y)
    observed = sum((Fraction(count, m - 1) for m, count in by_size.items()), Fraction(0))
    # alpha = 1 - D_o / D_e = 1 - (n - 1) · o / (n_yes · n_no) for a binary nominal variable.
    return 1 - (n - 1) * observed / (n_yes * n_no)


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _mean(values: Sequence[Fraction | None]) -> Fraction | None:
    """Mean of the values that are defined, or None if none is."""
    defined = [v for v in values if v is not None]
    return sum(defined, Fraction(0)) / len(defined) if defined else None


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
    # A name given twice (say, `--annotator alice --annotator alice`) would count alice twice as
    # a rater; keep the first of each instead.
    chosen = list(dict.fromkeys(annotators))
    labels = list(dict.fromkeys(labels))
    wanted = frozenset(labels)

    # One row per sentence: the chosen annotators who decided it, with their labels restricted
    # to the labels asked about, in the order of `chosen`.
    rows: list[dict[str, frozenset[str]]] = []
    for by_annotator in decisions.values():
        row = {}
        for annotator in chosen:
            if annotator in by_annotator:
                label_set = by_annotator[annotator]
                if isinstance(label_set, str):
                    raise TypeError(f"labels of {annotator!r} must be a collection, not a string")
                row[annotator] = frozenset(label_set) & wanted
        rows.append(row)
    shared = [row for row in rows if len(row) >= 2]
    # For each pair of annotators, both of their label sets on each sentence both decided.
    both: dict[tuple[str, str], list[tuple[frozenset[str], frozenset[str]]]] = {
        (a, b): [(row[a], row[b]) for row in rows if a in row and b in row]
        for a, b in combinations(chosen, 2)
    }

    exact = sum(len(set(row.values())) == 1 for row in shared)
    percent_exact = Fraction(exact, len(shared)) if shared else None

    pair_kappas: dict[tuple[str, str], list[Fraction | None]] = {pair: [] for pair in both}
    per_label: dict[str, LabelAgreement] = {}
    alphas: list[Fraction | None] = []
    for label in labels:
        for pair, sets in both.items():
            pair_kappas[pair].append(_cohen([(label in x, label in y) for x, y in sets]))
        cohen = pair_kappas[(chosen[0], chosen[1])][-1] if len(chosen) == 2 else None
        yes_counts = [sum(label in s for s in row.values()) for row in rows]
        agreeing = sum(
            yes in (0, len(row)) for row, yes in zip(rows, yes_counts, strict=True) if len(row) >= 2
        )
        fleiss = _fleiss(
            [yes for row, yes in zip(rows, yes_counts, strict=True) if len(row) == len(chosen)],
            len(chosen),
        )
        alpha = _krippendorff([(len(row), yes) for row, yes in zip(rows, yes_counts, strict=True)])
        alphas.append(alpha)
        per_label[label] = LabelAgreement(
            n=len(shared),
            percent_agreement=_as_float(Fraction(agreeing, len(shared))) if shared else None,
            cohen_kappa=_as_float(cohen),
            fleiss_kappa=_as_float(fleiss),
            krippendorff_alpha=_as_float(alpha),
        )

    pairwise: dict[str, dict[str, float | None]] = {a: {} for a in chosen}
    for (a, b), kappas in pair_kappas.items():
        pairwise[a][b] = pairwise[b][a] = _as_float(_mean(kappas))
    # Keep each row in the order of `chosen`, whatever order the pairs were filled in.
    pairwise = {a: {b: pairwise[a][b] for b in chosen if b != a} for a in chosen}

    return AgreementReport(
        annotators=chosen,
        labels=per_label,
        percent_exact=_as_float(percent_exact),
        mean_alpha=_as_float(_mean(alphas)),
        pairwise=pairwise,
    )


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


def _coefficient(value: float | None) -> str:
    # Adding 0.0 turns a -0.0 from rounding into 0.0, so a tiny negative shows as "0.000".
    return MISSING if value is None else f"{round(value, 3) + 0.0:.3f}"


def _percent(value: float | None) -> str:
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
            _percent(a.percent_agreement),
            _coefficient(a.cohen_kappa),
            _coefficient(a.fleiss_kappa),
            _coefficient(a.krippendorff_alpha),
        ]
        for label, a in report.labels.items()
    ]
    lines = [f"Agreement among {', '.join(report.annotators) or 'no annotators'}", ""]
    lines += _table(["label", "n", "% agree", "Cohen", "Fleiss", "alpha"], label_rows)
    lines += [
        "",
        f"Overall: exact agreement {_percent(report.percent_exact)}, "
        f"mean alpha {_coefficient(report.mean_alpha)}",
    ]
    if len(report.annotators) >= 2:
        names = report.annotators
        matrix = [
            [a, *(MISSING if b == a else _coefficient(report.pairwise[a][b]) for b in names)]
            for a in names
        ]
        lines += ["", "Pairwise Cohen's kappa (mean over labels)", ""]
        lines += _table(["", *names], matrix)
    return "\n".join(lines)
