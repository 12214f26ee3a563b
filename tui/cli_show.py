"""`annotty show ARTICLE`: what an article is, and with `--dropped`, what its import left out."""

from __future__ import annotations

import click

from annotations.language import language_name
from tui.cli import Settings, cli, pass_settings


@cli.command("show")
@click.argument("article", metavar="ARTICLE")
@click.option(
    "--dropped",
    "show_dropped",
    is_flag=True,
    help="Also list each line the import dropped as page furniture, with the rule that did.",
)
@pass_settings
def show_command(settings: Settings, article: str, show_dropped: bool) -> None:
    """Show an article's title, source, language and sentence count.

    ARTICLE is an article's id or the start of one (as `annotty stats` and export show them).
    """
    from annotations.library import get_article, resolve_article

    with settings.open_store(create=False) as store:
        found = get_article(store, resolve_article(store, article))
    meta = found.meta or {}
    dropped = [item for item in meta.get("dropped") or [] if isinstance(item, dict)]
    language = found.language or meta.get("language")
    rows = [
        ("id", found.id),
        ("title", found.title or "—"),
        ("source", found.source or "—"),
        ("language", f"{language_name(language)} ({language})" if language else "unknown"),
        ("sentences", str(len(found.sentences))),
        ("pipeline", found.pipeline or "—"),
        ("imported", found.imported_at),
        ("dropped", _dropped_summary(len(dropped), show_dropped)),
    ]
    for key, value in rows:
        click.echo(f"{key:<10} {value}")
    if show_dropped and dropped:
        click.echo()
        width = max(len(str(item.get("rule", ""))) for item in dropped)
        for item in dropped:
            click.echo(f"{item.get('rule', '?')!s:<{width}}  {item.get('text', '')}")


def _dropped_summary(count: int, listed: bool) -> str:
    if not count:
        return "nothing"
    noun = "line" if count == 1 else "lines"
    return f"{count} {noun}" + ("" if listed else " (--dropped lists them)")
