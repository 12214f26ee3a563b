"""What the `annotty` command prints: every line made safe for a terminal, one line per error,
and the log file that keeps an unexpected error's traceback.

Commands in other modules print through `echo` too, so that no outside value (a path, a file
name, a name from a merged database) reaches the terminal as a control.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from annotations.text import printable


def echo(message: str = "", *, err: bool = False) -> None:
    """Print text that may hold outside values (paths, file names, names, messages).

    Every line goes through `printable`, so that nothing in it can act on the terminal (an
    escape sequence in a file name, a bidi override in a name) and a newline inside a value
    cannot split a line of output in two. Every command's human-readable output goes here.
    """
    from tui.progress import redirected  # above a progress bar, while one is drawn

    text = "\n".join(printable(line) for line in message.split("\n"))
    click.echo(text, err=err, file=redirected(err))


def fail(message: str) -> None:
    """The one line on stderr that says why annotty stopped (a newline in it is shown as `\\n`)."""
    click.echo(f"annotty: {printable(message)}", err=True)


def write_crash_log(error: BaseException) -> Path | None:
    """Save the traceback of an unexpected error for a bug report; its path, or None.

    The log goes to annotty's folder in the user's state folder (`~/.local/state/annotty/log` on
    Linux), else the temporary folder.
    """
    import tempfile
    import traceback
    from datetime import UTC, datetime

    from platformdirs import user_log_path

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = "".join(traceback.format_exception(error))
    from annotations import __version__  # importlib.metadata: tens of ms of every start

    header = f"annotty {__version__}, {' '.join(map(printable, sys.argv))}\n"
    for folder in (user_log_path("annotty", appauthor=False), Path(tempfile.gettempdir())):
        path = folder / f"annotty-crash-{stamp}-{os.getpid()}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(header + text, encoding="utf-8", errors="backslashreplace")
        except OSError:
            continue
        return path
    return None
