"""The app's writes, off the key handlers: one thread, its own database connection, jobs in order.

A key handler never waits on the database. It hands a job (a function of a Store) to the Writer,
which runs jobs one at a time, in the order given, on a connection opened in its own thread (an
sqlite3 connection belongs to the thread that opened it, so the app's reading connection is never
shared). When another program holds the write lock, the job waits in `Store.write()` (the one
place annotty waits for a lock), and the Writer tells the screen so; after `lock_wait` seconds
the job fails with DatabaseLocked and nothing of it was written. Results and failures are
handed to callbacks in the writer thread: the screens post them to themselves as messages.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations.store import Store

Job = Callable[[Store], Any]


@dataclass(frozen=True)
class _Task:
    job: Job
    done: Callable[[Any], None]
    failed: Callable[[BaseException], None]
    waiting: Callable[[], None]


class Writer:
    """Runs write jobs in order on a thread of its own with a connection of its own."""

    def __init__(self, path: Path, *, lock_wait: float | None = None) -> None:
        self.path = path
        self.lock_wait = lock_wait
        self._tasks: queue.Queue[_Task | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="annotty-writer", daemon=True)
        self._thread.start()

    def submit(
        self,
        job: Job,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        waiting: Callable[[], None] = lambda: None,
    ) -> None:
        """Run `job(store)` after every job submitted before it; then `done(result)`, or
        `failed(error)`. `waiting()` is called if the job starts waiting for another's lock."""
        self._tasks.put(_Task(job, done, failed, waiting))

    def close(self, timeout: float | None = None) -> bool:
        """Finish the jobs already submitted, then stop. Returns whether the thread ended."""
        self._tasks.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        store: Store | None = None
        try:
            while (task := self._tasks.get()) is not None:
                try:
                    if store is None:
                        store = Store.open(self.path, create=False, lock_wait=self.lock_wait)
                    store.on_wait = task.waiting
                    result = task.job(store)
                except BaseException as error:  # handed to the screen, which says what failed
                    task.failed(error)
                else:
                    task.done(result)
        finally:
            if store is not None:
                store.close()
