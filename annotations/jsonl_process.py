"""Reading a long JSONL file in a second process, beside the work done with what it holds.

Reading an export's annotation lines (parsing the JSON, checking and cleaning each field) costs
about as much CPU as writing them into the database. A long file is therefore read by a child
process, which sends what each line holds in chunks down a pipe, while this process writes: a
thread here takes the chunks off the pipe as they come (blocked in `read`, it holds no lock
Python's threads share), at most CHUNKS_AHEAD of them ahead of what has been used, so the child
keeps reading while a batch is written and memory stays flat. What comes out is what
`ingest.jsonl_items` yields, in the same order (runs of annotation lines together), and a file
that cannot be read fails the same way (InputError, before any line).

The child is a fresh interpreter started with `subprocess` (not `multiprocessing`, which would
run the calling script's main module again in it, and not a fork, which is unsafe in a process
with threads); it is stopped as soon as the reading ends, early or not.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from annotations.errors import InputError
from annotations.ingest import jsonl_items, jsonl_lines
from annotations.model import AnnotationInput

READER_PROCESS_BYTES = 8_000_000
"""A JSONL file at least this long (about 15,000 annotation lines) is read in a child process:
below it, starting the process (≈ 0.1 s) costs more than the second core gives."""
CHUNK_LINES = 1_000
"""Lines sent at a time."""
CHUNKS_AHEAD = 40
"""Chunks taken off the pipe ahead of their use (≈ 150 KB each as they travel): more than a
batch of annotation lines, so that the child keeps reading while a batch is written."""
_HEADER = struct.Struct("<Q")
_CHILD = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]);"
    " from annotations.jsonl_process import child_main; child_main(sys.argv[2], int(sys.argv[3]))"
)


def read_jsonl(path: Path) -> Iterator[tuple[str, Any]]:
    """What each line of a JSONL file holds, as `ingest.jsonl_items(path, jsonl_lines(path))`
    yields it; a long file is read in a child process, and then consecutive annotation lines
    come together, as `("annotations", [AnnotationInput, ...])`.

    Raises:
        InputError: the file cannot be read (at the first `next()`).
    """
    try:
        long = os.stat(path).st_size >= READER_PROCESS_BYTES
    except OSError:  # reading it says why, in one line
        long = False
    if long and (os.cpu_count() or 1) > 1 and sys.executable:
        return _read_in_child(path)
    return jsonl_items(path, jsonl_lines(path))


def _read_in_child(path: Path) -> Iterator[tuple[str, Any]]:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, json.dumps(sys.path), os.fspath(path), str(CHUNK_LINES)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    frames: queue.Queue[bytes | None] = queue.Queue(maxsize=CHUNKS_AHEAD)
    stop = threading.Event()
    receiver = threading.Thread(
        target=_receive, args=(child.stdout, frames, stop), name="annotty-jsonl-reader", daemon=True
    )
    receiver.start()
    make = AnnotationInput._make
    try:
        while (frame := frames.get()) is not None:
            kind, payload = pickle.loads(frame)
            if kind == "items":
                for item_kind, item in payload:
                    yield item_kind, (list(map(make, item)) if item_kind == "annotations" else item)
            elif kind == "end":
                return
            elif kind == "error":
                raise InputError(payload)
            else:
                raise RuntimeError(f"reading {path} failed in its process:\n{payload}")
        raise RuntimeError(f"the process reading {path} ended (exit code {child.wait()})")
    finally:
        stop.set()
        if child.poll() is None:
            child.kill()
        child.wait()
        receiver.join()
        child.stdout.close()


def _receive(pipe: IO[bytes], frames: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """In a thread: put each frame the child sends, then None at the end of the pipe."""
    while not stop.is_set():
        frame = None
        header = pipe.read(_HEADER.size)
        if len(header) == _HEADER.size:
            size = _HEADER.unpack(header)[0]
            frame = pipe.read(size)
            if len(frame) != size:  # the child was stopped half-way through a frame
                frame = None
        while not stop.is_set():
            try:
                frames.put(frame, timeout=0.1)
                break
            except queue.Full:
                continue
        if frame is None:
            return


def child_main(path: str, chunk_lines: int) -> None:
    """The child: send what the lines of `path` hold, `chunk_lines` at a time, then `end` (or
    why the reading failed). Runs in `python -c`; its stdout carries the frames."""
    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # a stray print must not land among the frames

    def send(message: tuple[str, Any]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)))
        out.write(data)

    try:
        chunk: list[tuple[str, Any]] = []
        run: list[tuple] = []  # the annotation lines read since the last other item
        count = 0
        for kind, item in jsonl_items(Path(path), jsonl_lines(Path(path))):
            if kind == "annotation":
                # As a plain tuple: pickled and rebuilt at C speed.
                if not run:
                    chunk.append(("annotations", run))
                run.append(tuple(item))
            else:
                chunk.append((kind, item))
                run = []
            count += 1
            if count >= chunk_lines:
                send(("items", chunk))
                chunk, run, count = [], [], 0
        if chunk:
            send(("items", chunk))
        send(("end", None))
    except InputError as error:
        send(("error", str(error)))
    except (KeyboardInterrupt, BrokenPipeError):  # ^C reaches both: the parent reports it
        return
    except BaseException:
        send(("crash", traceback.format_exc()))
    with contextlib.suppress(BrokenPipeError):
        out.close()
