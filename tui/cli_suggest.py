"""`annotty suggest` and `annotty labels patterns`: suggestion models and patterns from the shell.

Registered on the `cli` group by the import at the bottom of tui/cli.py. The work is done in
annotations/suggest.py, suggest_eval.py and patterns.py; this module formats.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from annotations.text import display_label, printable
from tui.cli import Settings, _annotator_name, cli, format_table, labels_group, pass_settings
from tui.output import echo


@cli.command("suggest")
@click.option("--eval", "evaluate", is_flag=True, help="Measure how good suggestions would be.")
@click.option("--annotator", metavar="NAME", help="Whose decisions (default: the global one).")
@click.option("--json", "as_json", is_flag=True, help="With --eval: print one JSON object.")
@pass_settings
def suggest_command(
    settings: Settings, evaluate: bool, annotator: str | None, as_json: bool
) -> None:
    """Train the annotator's suggestion model now, or (--eval) measure it.

    --eval trains on a seeded 80% of the articles the annotator decided sentences in and tests on
    the rest: per-label precision, recall and F1, the macro F1, and a baseline that gives each
    label its majority decision.
    """
    from annotations.scheme import get_labels
    from annotations.suggest import (
        NotEnoughDecisions,
        examples_of,
        not_ready_reason,
        train_and_store,
    )

    name = _annotator_name(annotator) if annotator is not None else settings.annotator
    if as_json and not evaluate:
        raise click.UsageError("--json goes with --eval")
    with settings.open_store(create=False) as store:
        scheme = get_labels(store)
        examples = examples_of(store, name)
        if evaluate:
            from annotations.suggest_eval import evaluate as run_evaluation

            report = run_evaluation(examples, scheme)
        else:
            reason = not_ready_reason(examples, scheme)
            if reason is not None:
                raise NotEnoughDecisions(f"no model for {name} yet: {reason}")
            count = train_and_store(str(store.path), name, scheme)
            echo(f"trained the suggestion model of {name} on {count} decisions")
            return
    if as_json:
        echo(json.dumps(report.as_json(), allow_nan=False, ensure_ascii=False))
        return
    echo(
        f"suggestions for {name}: trained on {report.train} sentences"
        f" ({report.train_articles} articles), tested on {report.test}"
        f" ({report.test_articles} articles)"
    )
    rows = [["label", "precision", "recall", "f1", "support", "baseline f1"]]
    for label, figures in report.labels.items():
        rows.append(
            [
                display_label(label),
                f"{figures.precision:.2f}",
                f"{figures.recall:.2f}",
                f"{figures.f1:.2f}",
                str(figures.support),
                f"{report.baseline[label].f1:.2f}",
            ]
        )
    rows.append(["macro", "", "", f"{report.macro_f1:.2f}", "", f"{report.baseline_macro_f1:.2f}"])
    echo(format_table(rows))
    echo("baseline: each label's majority decision in the training articles")


@labels_group.command("patterns")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_settings
def labels_patterns(settings: Settings, file: Path) -> None:
    """Load FILE (Prodigy patterns JSONL) as the project's patterns, replacing any before.

    Each line is {"label": ..., "pattern": "keyword or phrase"} or {"label": ..., "pattern":
    [{"lower": ...}, ...]} (a spaCy Matcher token pattern). Patterns suggest labels from the first
    sentence on, before there is a model. A file with a bad line is not loaded at all.
    """
    from annotations.patterns import PatternErrors, load_patterns_file
    from annotations.scheme import get_labels

    with settings.open_store() as store:
        try:
            patterns = load_patterns_file(store, file, get_labels(store))
        except PatternErrors as error:
            for line in error.errors[:20]:
                echo(f"error: {printable(file)}: {line}", err=True)
            if len(error.errors) > 20:
                echo(f"... and {len(error.errors) - 20} more", err=True)
            raise
    counts: dict[str, int] = {}
    for pattern in patterns:
        counts[pattern.label] = counts.get(pattern.label, 0) + 1
    per_label = ", ".join(f"{display_label(k)} {v}" for k, v in counts.items())
    echo(
        f"loaded {len(patterns)} patterns from {printable(file)}"
        + (f" ({per_label})" if per_label else "")
    )
