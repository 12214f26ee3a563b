"""The team commands: plan who reads what (`assign`), hand the work out (`handout`), and remove
articles (`rm`). Registered on the `cli` group by the import at the bottom of tui/cli.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from annotations.errors import AnnottyError
from annotations.store import Store
from annotations.text import counted, printable
from tui.cli import Settings, cli, format_table, pass_settings
from tui.output import echo


@cli.command("assign")
@click.option(
    "--annotators",
    metavar="A,B,C",
    help="The plan's annotators, comma-separated (default: the plan's so far).",
)
@click.option(
    "--overlap",
    type=int,
    metavar="N",
    help="How many annotators read each article (default: the plan's so far, else 1).",
)
@click.option(
    "--calibration",
    type=int,
    metavar="N",
    help="How many articles every annotator reads, in total (default: the plan's, else 0).",
)
@click.option(
    "--article",
    "articles",
    multiple=True,
    metavar="ID",
    help="Assign only this article (an id or the start of one; repeatable).",
)
@click.option("--seed", type=int, metavar="N", help="Breaks ties (default: the plan's, else 0).")
@click.option("--show", is_flag=True, help="Print the plan, each annotator's load and progress.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
@pass_settings
def assign_command(
    settings: Settings,
    annotators: str | None,
    overlap: int | None,
    calibration: int | None,
    articles: tuple[str, ...],
    seed: int | None,
    show: bool,
    as_json: bool,
) -> None:
    """Assign every article to OVERLAP of the annotators, balanced by sentence count.

    Re-running assigns only what is short of its overlap (after an import, or a larger overlap);
    assignments are never moved and decisions never touched. An annotator dropped from
    --annotators gives back the articles they have not finished. `--show` (or `--json`) alone
    changes nothing.
    """
    from annotations.team import assign, parse_annotators, plan_as_json

    show = show or as_json
    changing = (annotators, overlap, calibration, seed) != (None,) * 4 or articles
    with settings.open_store(create=False) as store:
        if changing or not show:
            names = parse_annotators(annotators) if annotators is not None else None
            done = assign(
                store,
                names,
                overlap,
                calibration=calibration,
                seed=seed,
                articles=list(articles) if articles else None,
            )
            echo(
                err=as_json,
                message=f"assigned {counted(done.articles, 'article')}"
                f" ({counted(done.assignments, 'assignment')}"
                + (f", {done.calibration} new calibration" if done.calibration else "")
                + ")"
                + (f"; released {done.released} unfinished" if done.released else ""),
            )
        if as_json:
            plan_report(store)  # the same error when there is no plan
            click.echo(json.dumps(plan_as_json(store), ensure_ascii=False))
        else:
            echo(plan_report(store, articles=show))


def plan_report(store: Store, *, articles: bool = False) -> str:
    """The plan, each annotator's load and progress, and (with `articles`) every article's state.

    Raises:
        AnnottyError: there is no plan.
    """
    from annotations.team import get_plan, team_state

    plan = get_plan(store)
    if plan is None:
        raise AnnottyError("no plan yet: annotty assign --annotators alice,bob --overlap 2")
    people, rows = team_state(store)
    total = int(store.value("SELECT count(*) FROM articles") or 0)
    reached = sum(row.reached for row in rows)
    calibration = sum(row.calibration for row in rows)
    lines = [
        f"plan       {', '.join(plan.annotators)}; overlap {plan.overlap};"
        f" calibration {plan.calibration}; seed {plan.seed}",
        f"articles   {len(rows)} of {total} assigned ({calibration} calibration);"
        f" {reached} reached their overlap",
    ]
    if len(rows) < total:
        lines.append(f"           {total - len(rows)} not assigned: run annotty assign")
    lines += ["", progress_table(people)]
    if articles and rows:
        table = [["article", "sentences", "annotators (✓ finished)", "state"]]
        for row in rows:
            names = ", ".join(n + (" ✓" if n in row.finished else "") for n in row.assigned)
            state = "reached" if row.reached else f"{len(row.finished)} of {len(row.assigned)}"
            state += ", calibration" if row.calibration else ""
            title = (row.title or "(untitled)")[:40]
            table.append([f"{row.article_id}  {title}", str(row.sentences), names, state])
        lines += ["", format_table(table)]
    return "\n".join(lines)


def progress_table(rows: list) -> str:
    """Per annotator: assigned articles and sentences, decided, ignored, remaining, finished."""
    table = [["annotator", "articles", "sentences", "decided", "ignored", "remaining", "finished"]]
    for row in rows:
        name = row.annotator + ("" if row.in_plan else " (not in the plan)")
        figures = [row.articles, row.sentences, row.decided, row.ignored, row.remaining]
        table.append([name, *map(str, figures), f"{row.finished} of {row.articles}"])
    return format_table(table)


def team_section(store: Store) -> str | None:
    """What `annotty stats` adds for a planned project: progress per annotator, overlap reached."""
    from annotations.team import get_plan, team_state

    if get_plan(store) is None:
        return None
    people, rows = team_state(store)
    reached = sum(row.reached for row in rows)
    return (
        f"plan: {reached} of {counted(len(rows), 'assigned article')} reached their overlap"
        f" (annotty assign --show lists them)\n" + progress_table(people)
    )


def plan_line(store: Store) -> str | None:
    """One line of progress against the plan (after a merge), or None without a plan:
    `plan: 12 of 30 articles reached their overlap; alice 120/340, bob 80/330`."""
    from annotations.team import get_plan, team_state

    if get_plan(store) is None:
        return None
    people, rows = team_state(store)
    reached = sum(row.reached for row in rows)
    done = ", ".join(f"{row.annotator} {row.done}/{row.sentences}" for row in people)
    return f"plan: {reached} of {counted(len(rows), 'article')} reached their overlap; {done}"


@cli.command("handout")
@click.argument("annotator")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new database file.",
)
@click.option(
    "--with-decisions",
    is_flag=True,
    help="Also copy the other annotators' decisions (and gold) on those articles.",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@pass_settings
def handout_command(
    settings: Settings, annotator: str, output: Path, with_decisions: bool, force: bool
) -> None:
    """Write a database with ANNOTATOR's assigned articles, ready for `annotty --db FILE`.

    It holds the articles as analysed, the label scheme, patterns, the project's settings and
    ANNOTATOR's own decisions; nobody else's unless --with-decisions.
    """
    from annotations.handout import handout
    from annotations.limits import check_name

    name = check_name(annotator)
    with settings.open_store(create=False) as store:
        done = handout(store, name, output, with_decisions=with_decisions, force=force)
    echo(
        f"handed out {counted(done.articles, 'article')} ({counted(done.sentences, 'sentence')},"
        f" {counted(done.decisions, 'decision')}) to {name} in {printable(output)}"
    )
    echo(f"{name} opens it with: annotty --db {printable(output)} --annotator {name}")


def on_terminal() -> bool:
    """Whether someone can answer a question (the tests pretend so)."""
    return sys.stdin.isatty()


@cli.command("rm")
@click.argument("articles", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_settings
@click.pass_context
def rm_command(
    ctx: click.Context, settings: Settings, articles: tuple[str, ...], yes: bool
) -> None:
    """Remove ARTICLES (ids or the start of one) with every decision, history and assignment.

    Asks first on a terminal; elsewhere it needs --yes.
    """
    from annotations.library import resolve_article
    from annotations.remove import at_stake, remove_articles

    with settings.open_store(create=False) as store:
        ids = list(dict.fromkeys(resolve_article(store, prefix) for prefix in articles))
        stakes = [at_stake(store, identity) for identity in ids]
        if not yes:
            if not on_terminal():
                raise AnnottyError("rm asks before it deletes: run it on a terminal, or add --yes")
            for stake in stakes:
                whose = f" by {', '.join(stake.annotators)}" if stake.annotators else ""
                echo(
                    f"{stake.article_id}  {stake.title or '(untitled)'}:"
                    f" {counted(stake.sentences, 'sentence')},"
                    f" {counted(stake.decisions, 'decision')}{whose}",
                    err=True,
                )
            decisions = sum(stake.decisions for stake in stakes)
            question = f"Remove {counted(len(ids), 'article')}"
            question += f" and {counted(decisions, 'decision')}?" if decisions else "?"
            if not click.confirm(question, default=False, err=True):
                echo("nothing removed", err=True)
                ctx.exit(1)
        removed = remove_articles(store, ids)
    parts = [_rows(removed.count(table), table) for table in ("sentences", "entities")]
    parts.append(counted(removed.decisions, "decision"))
    rest = sorted(set(removed.rows) - {"sentences", "entities", "annotations", "gold"})
    parts += [_rows(removed.count(table), table) for table in rest]
    echo(f"removed {counted(removed.articles, 'article')}: {', '.join(parts)}")


_ROW_NOUNS = {
    "sentences": ("sentence", "sentences"),
    "entities": ("entity", "entities"),
    "history": ("history entry", "history entries"),
    "positions": ("reading position", "reading positions"),
    "assignments": ("assignment", "assignments"),
}


def _rows(count: int, table: str) -> str:
    """`3 entities`, `1 history entry`, `2 rows of fts` for the rows of a table."""
    one, many = _ROW_NOUNS.get(table, (f"row of {table}", f"rows of {table}"))
    return f"{count} {one if count == 1 else many}"
