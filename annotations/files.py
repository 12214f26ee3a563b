"""Looking at a path before reading it: what kind of file it is, and opening it without waiting.

An import names paths, and a folder holds whatever it holds: FIFOs (which block a reader until a
writer comes), sockets, devices, symbolic link loops and broken links, folders named like files.
Each gets a one-line reason here, and a file is opened so that nothing of that kind can make
annotty wait.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from annotations.errors import InputError
from annotations.limits import MAX_SOURCE, shorten
from annotations.sample import SAMPLE_SOURCE, is_sample

IS_DIRECTORY = "is a directory, not a file"


def not_a_file(path: Path) -> str | None:
    """Why `path` is not a regular file to read (`IS_DIRECTORY` for a folder), or None."""
    try:
        mode = path.stat().st_mode  # follows symbolic links, as reading would
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
        if isinstance(error, FileNotFoundError) and path.is_symlink():
            return "broken symbolic link"
        return os_reason(error)
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return IS_DIRECTORY
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def os_reason(error: OSError) -> str:
    """A one-line reason for an OS error, without the errno and file name noise."""
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, IsADirectoryError):
        return "is a directory, not a file"
    if error.strerror:
        return f"cannot read the file ({error.strerror.lower()})"
    return "cannot read the file"


def read_bytes(path: Path) -> bytes:
    try:
        with open_regular(path) as handle:
            return handle.read()
    except OSError as error:
        raise InputError(os_reason(error)) from None


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, refusing anything else without waiting for it.

    The open itself does not block (O_NONBLOCK: opening a FIFO with no writer would wait
    forever), and the check is made on the opened file, so a path swapped for a FIFO after
    `find_files` looked at it is still refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(IS_DIRECTORY)
        if not stat.S_ISREG(mode):
            raise InputError(not_a_file(path) or "not a regular file")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def source_of(path: Path, line: int | None = None) -> str:
    """An article's `source` for a file (and its line): the path, cleaned like any outside
    string (a file name may hold escape sequences or newlines) and bounded. The bundled sample
    is named as such, not by where pip put it."""
    if line is None and is_sample(path):
        return SAMPLE_SOURCE
    where = str(path) if line is None else f"{path.name}:{line}"
    return shorten(where, MAX_SOURCE) or "(unnamed file)"
