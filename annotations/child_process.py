"""Work in child processes: a pool of one spawned process per name, kept for the session.

The suggestion model's training and scoring run here (annotations/suggest.py): they hold
Python's global lock for long stretches, which in a thread of the app starved its keys. Children
are spawned (not forked: the app has threads), print nothing to the terminal the app draws on,
and are stopped at once on exit.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr.

    A Textual app replaces `sys.stderr` with an object whose `fileno()` is -1, which the tracker
    would hand to the new process (`ValueError: bad value(s) in fds_to_keep`).
    """
    from multiprocessing import resource_tracker

    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (OSError, ValueError, AttributeError):
        usable = False
    if usable:
        resource_tracker.ensure_running()
        return
    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


def _quiet_child() -> None:
    """In a child process: nothing it prints may reach the terminal the app draws on."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


_pools: dict[str, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def run_in_child_process(pool: str, function: Callable[..., Any], *args: Any) -> Any:
    """Run `function(*args)` in a child process and wait for it (call from a background thread).

    Two children are kept for the session, one that trains and one that suggests, so that a long
    training never holds up the suggestions for the next article; each imports spaCy once.
    """
    with _pools_lock:
        executor = _pools.get(pool)
        if executor is None:
            _start_resource_tracker()
            executor = _pools[pool] = ProcessPoolExecutor(
                max_workers=1, mp_context=get_context("spawn"), initializer=_quiet_child
            )
    try:
        return executor.submit(function, *args).result()
    except BrokenProcessPool:
        with _pools_lock:
            _pools.pop(pool, None)
        raise


def stop_child_processes() -> None:
    """End the training and suggesting processes at once, work under way included (on exit:
    quitting must not wait for a training to finish)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for executor in pools:
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()


def run_here(pool: str, function: Callable[..., Any], *args: Any) -> Any:
    """Run `function(*args)` in this process (for tests and scripts that do not mind spaCy)."""
    return function(*args)
