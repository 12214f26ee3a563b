"""`annotty export`: decided sentences in annotty's own JSON lines or another tool's format.

Registered on the `cli` group by tui/cli.py. The formats themselves live in annotations/formats/;
this only parses options, opens the database and writes through a `.partial` file.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

import click

from annotations.dbfile import BackgroundCheck, check_integrity
from annotations.decisions import check_annotators
from annotations.errors import AnnottyError
from annotations.formats.catalogue import EXPORT_FORMATS
from annotations.store import Store
from annotations.text import counted, printable
from tui.cli import Settings, _annotator_name, cli, pass_settings
from tui.output import echo
from tui.progress import LongWork, Task


@contextmanager
def _output(path: Path | None, check: BackgroundCheck | None = None):
    """Standard output, or a file written under a `.partial` name and renamed when complete
    (and, given the database's `check`, once it has passed)."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    partial = path.with_name(path.name + ".partial")
    try:
        handle = partial.open("w", encoding="utf-8")
    except OSError as error:
        # Name the file the user typed, not the temporary one beside it.
        raise AnnottyError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with handle:
            yield handle
        if check is not None:
            check.verdict()
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@contextmanager
def _checked_beside(store: Store, enabled: bool) -> Iterator[BackgroundCheck | None]:
    """The database's integrity check (issue 8), run beside the export when `enabled` (the
    output is a file, put in place only once the check passes), else before it (standard
    output cannot be taken back)."""
    if not enabled:
        check_integrity(store.conn, store.path)
        yield None
        return
    check = BackgroundCheck(store.path)
    try:
        yield check
    except (sqlite3.DatabaseError, AnnottyError):
        # A damaged file can fail the export before the check ends: its verdict says why.
        check.verdict()
        raise
    except BaseException:
        check.cancel()
        raise
    check.verdict()


def _write_lines(objects: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for obj in objects:
        out.write(json.dumps(obj, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


class _Bytes:
    """A text stream's binary side (or, lacking one, the stream fed decoded text)."""

    def __init__(self, text: IO[str]) -> None:
        text.flush()
        self.text = text
        self.buffer: IO[bytes] | None = getattr(text, "buffer", None)

    def write(self, data: bytes) -> None:
        if self.buffer is not None:
            self.buffer.write(data)
            self.buffer.flush()
        else:
            self.text.write(data.decode("utf-8"))


def _write_list(objects: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A JSON list written one element at a time, so a large export is never held whole."""
    count = 0
    out.write("[")
    for obj in objects:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(obj, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _check_options(
    fmt: str,
    output: Path | None,
    config: bool,
    split: float | None,
    seed: int | None,
    ignored: bool,
) -> None:
    def refuse(message: str) -> None:
        raise click.UsageError(message)

    if config and fmt != "label-studio":
        refuse("--config prints Label Studio's labelling config: use it with --format label-studio")
    if fmt != "spacy" and (split is not None or seed is not None):
        refuse("--split and --seed are for --format spacy")
    if fmt == "spacy":
        if output is None:
            refuse("--format spacy writes a binary file: name it with -o")
        if ignored:
            refuse(
                "--format spacy never writes ignored sentences (a Doc with every category 0.0"
                " trains as 'none of these'): drop --include-ignored"
            )
        if seed is not None and split is None:
            refuse("--seed chooses the --split: give --split too")


@cli.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file instead of standard output (with --split: to this folder).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="annotty",
    show_default=True,
    help="annotty's JSON lines, or another tool's format.",
)
@click.option(
    "--annotator",
    "annotators",
    multiple=True,
    metavar="NAME",
    help="Only this annotator (repeatable).",
)
@click.option(
    "--gold",
    is_flag=True,
    help="Export the reviewer's gold decisions with every annotator's votes.",
)
@click.option(
    "--article",
    "articles",
    multiple=True,
    metavar="ID",
    help="Only this article (an id or the start of one; repeatable).",
)
@click.option(
    "--include-ignored",
    is_flag=True,
    help="Also the sentences set aside as ignored (each format marks them its own way).",
)
@click.option(
    "--config",
    is_flag=True,
    help="With --format label-studio: print the labelling config (<View> XML) instead.",
)
@click.option(
    "--split",
    type=float,
    metavar="SHARE",
    help="With --format spacy: write train.spacy and dev.spacy into the -o folder, this share"
    " of the articles (e.g. 0.8) for training.",
)
@click.option("--seed", type=int, help="With --split: the seed of the article shuffle [0].")
@pass_settings
def export_command(
    settings: Settings,
    output: Path | None,
    fmt: str,
    annotators: tuple[str, ...],
    gold: bool,
    articles: tuple[str, ...],
    include_ignored: bool,
    config: bool,
    split: float | None,
    seed: int | None,
) -> None:
    """Export decided sentences, in article then sentence order.

    Formats: annotty (JSON lines, the default), prodigy (choice tasks as db-out writes them),
    doccano (text classification JSONL), doccano-ner (sequence labelling JSONL: the entities),
    label-studio (a JSON task list; --config prints its labelling config) and spacy (a .spacy
    DocBin for `spacy train`; needs -o).
    """
    from annotations.export import export_records, export_size
    from annotations.formats.catalogue import export_context
    from annotations.library import resolve_article

    _check_options(fmt, output, config, split, seed, include_ignored)
    names = [_annotator_name(name) for name in annotators]
    with (
        settings.open_store(create=False) as store,
        _checked_beside(store, output is not None and fmt != "spacy") as check,
    ):
        check_annotators(store, names)
        context = export_context(store, include_ignored=include_ignored, entity_labels=config)
        if config:
            from annotations.formats.label_studio import labelling_config

            with _output(output, check) as out:
                out.write(labelling_config(context))
            if output is not None:
                echo(f"wrote the Label Studio labelling config to {printable(output)}", err=True)
            return
        ids = [resolve_article(store, prefix) for prefix in articles]
        selection: dict[str, Any] = {
            "gold": gold, "include_ignored": include_ignored, "articles": ids
        }  # fmt: skip
        # A bar on stderr, only on a terminal and only once the export has run a while; its
        # total is counted then. None over the lines themselves on the same terminal.
        with LongWork(enabled=False if output is None and sys.stdout.isatty() else None) as work:
            done = work.task(
                "exporting", lambda: export_size(store, names, **selection), unit="decisions"
            )
            records = done.each(export_records(store, names, **selection))
            if fmt == "spacy":
                assert output is not None
                message = _export_spacy(records, context, output, split, seed)
            else:
                kind = EXPORT_FORMATS[fmt]
                count = _export_lines(
                    store, fmt, names, selection, records, context, _output(output, check), done
                )
    if fmt == "spacy":
        echo(message, err=True)
        return
    # "exported 1 decisions" as it always read: scripts may parse this line.
    noun = {"decision": "gold decisions" if gold else "decisions"}.get(kind.unit, kind.unit + "s")
    echo(f"exported {count} {noun}" + (f" to {printable(output)}" if output else ""), err=True)


def _export_lines(
    store: Store,
    fmt: str,
    names: list[str],
    selection: dict[str, Any],
    records: Iterable[dict],
    context: Any,
    output: AbstractContextManager[IO[str]],
    done: Task,
) -> int:
    """Write a text format's lines (or JSON list); how many records it wrote."""
    if fmt == "annotty":
        # The default format's fast path: the same bytes as the format's `write` would give,
        # several times faster (README: Performance).
        from annotations.export import export_annotty

        with output as out:
            return export_annotty(store, _Bytes(out), names, **selection, tick=done.advance)
    kind = EXPORT_FORMATS[fmt]
    assert kind.write is not None
    write: Callable[[Iterable[dict], IO[str]], int] = (
        _write_list if kind.shape == "json" else _write_lines
    )
    with output as out:
        return write(kind.write(records, context), out)


def _export_spacy(
    records: Iterable[dict], context: Any, output: Path, split: float | None, seed: int | None
) -> str:
    """Write spaCy's DocBin (or two, split); the line that says what was written."""
    from annotations.formats.spacy_docbin import DEFAULT_SEED, write_docbin, write_split

    if split is None:
        if output.is_dir():
            raise click.UsageError(f"{output} is a folder: name a .spacy file (or give --split)")
        partial = output.with_name(output.name + ".partial")
        try:
            count = write_docbin(records, context, partial)
            partial.replace(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return f"exported {counted(count, 'doc')} to {printable(output)}"
    if output.exists() and not output.is_dir():
        raise click.UsageError(f"{output} is a file: with --split, -o names a folder")
    output.mkdir(parents=True, exist_ok=True)
    counts = write_split(records, context, output, split, DEFAULT_SEED if seed is None else seed)
    return (
        f"exported {counted(counts.train_docs, 'doc')} from"
        f" {counted(counts.train_articles, 'article')} to {printable(output / 'train.spacy')},"
        f" {counted(counts.dev_docs, 'doc')} from {counted(counts.dev_articles, 'article')}"
        f" to {printable(output / 'dev.spacy')}"
    )
