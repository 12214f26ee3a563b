"""Progress bars on stderr for work that turns out to be long: import, merge and export.

One look for all three (Rich's bar with the count, the rate and the time left, or the time so
far when the total is unknown). Nothing is drawn for the first PROGRESS_DELAY seconds, so short
work stays quiet, nor ever when stderr is not a terminal (a pipe, a file, a test): scripts see
exactly the output they saw before. The bars are transient: gone once the work ends, leaving
the command's own lines.

The core reports through plain callables (`tick(count)`, the importer's `Progress`); Rich is
imported only when a bar is first drawn.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import IO, Any, TypeVar

T = TypeVar("T")

PROGRESS_DELAY = 1.5
"""Seconds of work before a bar appears."""
UPDATE_EVERY = 0.05
"""Seconds between two updates of the bars from the counts (Rich redraws ten times a second):
a tick per row stays cheap."""


_live: list[Any] = []
"""The Rich progress being drawn, if any (one at a time)."""


def redirected(err: bool) -> IO[str] | None:
    """Where to print a line while a bar is drawn, so that it goes above the bar (Rich's proxy
    of stderr, or of stdout when that is the same terminal); None when no bar is drawn."""
    if not _live:
        return None
    stream = sys.stderr if err else sys.stdout
    from rich.file_proxy import FileProxy

    return stream if isinstance(stream, FileProxy) else None


class Task:
    """One line of a `LongWork`: a count of items done, out of a total if one is known."""

    def __init__(
        self, work: LongWork, description: str, total: int | Callable[[], int] | None, unit: str
    ) -> None:
        self.work = work
        self.description = description
        self.total = total
        """The number of items, a function counting them (asked only if a bar is drawn), or
        None when unknown."""
        self.unit = unit
        self.done = 0
        self.id: Any = None
        """Rich's task id, once drawn."""

    def advance(self, amount: int = 1) -> None:
        """Count `amount` more items done (the core's `tick`; cheap enough to call per row)."""
        self.done += amount
        work = self.work
        if work.enabled and time.monotonic() >= work.next_update:
            work.update()

    def each(self, items: Iterable[T]) -> Iterator[T]:
        """The items, counting each one as it is handed on."""
        for item in items:
            yield item
            self.advance()

    def set_total(self, total: int) -> None:
        """The number of items, once known (the core's `sized`)."""
        self.total = total
        self.work.update(force=True)

    def describe(self, description: str) -> None:
        self.description = description
        self.work.update(force=True)

    def remove(self) -> None:
        """Take the line away (its part of the work is over)."""
        self.work.remove(self)


class LongWork:
    """The bars of one command: its tasks count from the start, and are drawn once the command
    has run PROGRESS_DELAY seconds, on a terminal only."""

    def __init__(
        self, *, enabled: bool | None = None, delay: float | None = None, console: Any = None
    ) -> None:
        self.enabled = _is_terminal(sys.stderr) if enabled is None else enabled
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.console = console
        self.started = time.monotonic()
        self.next_update = 0.0
        """When `advance` next brings the bars up to date."""
        self.tasks: list[Task] = []
        self._progress: Any = None

    def task(
        self,
        description: str,
        total: int | Callable[[], int] | None = None,
        *,
        unit: str = "items",
    ) -> Task:
        """A new line (drawn under the others once bars show)."""
        task = Task(self, description, total, unit)
        self.tasks.append(task)
        if self._progress is not None:
            self._add(task)
        return task

    def ticker(self, description: str, *, unit: str = "items") -> Callable[[int], None]:
        """A core `tick(count)` for work that may not happen: its line is added at the first
        tick (a total unknown: the work is streamed)."""
        task: Task | None = None

        def tick(count: int) -> None:
            nonlocal task
            if task is None:
                task = self.task(description, unit=unit)
            task.advance(count)

        return tick

    def update(self, *, force: bool = False) -> None:
        """Bring the bars up to date with the tasks (at most every UPDATE_EVERY seconds, unless
        `force`), first drawing them once the delay has passed."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now < self.next_update:
            return
        self.next_update = now + UPDATE_EVERY
        if self._progress is None:
            if now - self.started < self.delay:
                return
            self._start()
        for task in self.tasks:
            if task.id is not None:
                total = None if callable(task.total) else task.total
                self._progress.update(
                    task.id, completed=task.done, description=task.description, total=total
                )

    def remove(self, task: Task) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        if self._progress is not None and task.id is not None:
            self._progress.remove_task(task.id)
            task.id = None

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

        self._progress = Progress(
            _text_column(lambda task: task.description),
            BarColumn(),
            _text_column(_count),
            _text_column(_rate),
            _time_column(TimeRemainingColumn(), TimeElapsedColumn()),
            console=self.console or Console(stderr=True),
            transient=True,
            # What the command prints meanwhile goes above the bars: its messages (stderr,
            # where the bars are), and its output when that is the same terminal. Output to a
            # file or a pipe is written as it was, never through Rich.
            redirect_stdout=_is_terminal(sys.stdout),
            redirect_stderr=True,
        )
        self._progress.start()
        _live.append(self._progress)
        for task in self.tasks:
            self._add(task)

    def _add(self, task: Task) -> None:
        total = task.total() if callable(task.total) else task.total
        task.id = self._progress.add_task(
            task.description, total=total, completed=task.done, unit=task.unit
        )

    def refresh(self) -> None:
        """Draw the bars now (they are otherwise redrawn ten times a second)."""
        self.update(force=True)
        if self._progress is not None:
            self._progress.refresh()

    def close(self) -> None:
        if self._progress is not None:
            self.update(force=True)  # the last frame, drawn as the bars stop, says where it ended
            self._progress.stop()
            _live.remove(self._progress)
            self._progress = None

    def __enter__(self) -> LongWork:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class ImportProgress:
    """The importer's `Progress` (the characters of each batch of articles analysed) as a line
    of a `LongWork`, under the line counting files when there are several."""

    def __init__(self, work: LongWork) -> None:
        self.work = work
        self._task: Task | None = None

    def begin(self, label: str, total: int) -> None:
        self.end()
        self._task = self.work.task(f"analysing {label}", total, unit="characters")

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._task.advance(amount)

    def end(self) -> None:
        if self._task is not None:
            self._task.remove()
            self._task = None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced, or closed
        return False


def _count(task: Any) -> str:
    done = int(task.completed)
    return f"{done:,}" if task.total is None else f"{done:,}/{int(task.total):,}"


def _rate(task: Any) -> str:
    speed = task.finished_speed or task.speed
    return "" if speed is None else f"{speed:,.0f} {task.fields.get('unit', 'items')}/s"


def _text_column(render: Callable[[Any], str]) -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Column(ProgressColumn):
        def render(self, task: Any) -> Text:
            # Text(), never markup: descriptions hold file names.
            return Text(render(task))

    return Column()


def _time_column(known: Any, unknown: Any) -> Any:
    """The time left when the total is known, else the time so far."""
    from rich.progress import ProgressColumn

    class Column(ProgressColumn):
        def render(self, task: Any) -> Any:
            return (known if task.total is not None else unknown).render(task)

    return Column()
