"""The bounds every value from outside must keep: names, titles, sources, notes and times.

Checked at every entry point (the command line, imported files, annotation lines, merged
databases), after the sanitiser: a value is cleaned first (`annotations.text`), then held to
its bound here. A name that is too long is refused (names identify people and must not be
silently changed); a title or source that is too long is shortened (it only describes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from annotations.errors import InputError
from annotations.text import clean_line

MAX_NAME = 64
"""Characters in an annotator's or reviewer's name (as `--annotator` has always allowed)."""
MAX_LABEL = 64
"""Characters in a label's identifier."""
MAX_DISPLAY = 80
"""Characters in a label's display name."""
MAX_TITLE = 500
"""Characters kept of a title."""
MAX_SOURCE = 2000
"""Characters kept of a source (a path or a URL)."""
MAX_NOTE = 500
"""Characters in a gold decision's note."""
FUTURE_TOLERANCE = timedelta(days=1)
"""How far ahead of this machine's clock a time may be (clocks differ; a year 9999 does not
win every later merge)."""
EARLIEST = datetime(2000, 1, 1)
"""No decision was made before annotty existed; older times are damaged data."""


def check_name(value: object, what: str = "annotator name") -> str:
    """A cleaned name within bounds.

    Raises:
        InputError: not a string, empty once cleaned, or longer than MAX_NAME.
    """
    if not isinstance(value, str):
        raise InputError(f"{what} is not a string")
    name = clean_line(value)
    if not name:
        raise InputError(f"{what} is empty")
    if len(name) > MAX_NAME:
        raise InputError(f"{what} is {len(name)} characters long (at most {MAX_NAME})")
    return name


def shorten(value: str, limit: int) -> str:
    """A cleaned one-line value cut to `limit` characters, with "…" when it was cut."""
    value = clean_line(value)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def check_time(value: object, what: str = "updated_at", *, now: datetime | None = None) -> str:
    """An ISO-8601 time as annotty stores it: UTC, microseconds, "Z" (naive times are UTC).

    Raises:
        InputError: not a time string, before 2000, or in the future beyond FUTURE_TOLERANCE.
    """
    if not isinstance(value, str):
        raise InputError(f"{what} is not a time string")
    iso = value.strip()
    if iso[-1:] in ("Z", "z"):
        iso = iso[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(iso)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        shown = clean_line(value)[:40]
        raise InputError(f"{what} is not an ISO-8601 time: {shown!r}") from None
    limit = (now or datetime.now(UTC).replace(tzinfo=None)) + FUTURE_TOLERANCE
    if moment > limit:
        raise InputError(f"{what} {moment.isoformat()}Z is in the future")
    if moment < EARLIEST:
        raise InputError(f"{what} {moment.isoformat()}Z is before {EARLIEST.year}")
    return moment.isoformat(timespec="microseconds") + "Z"


_STORED_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
"""A time in the form `check_time` returns (and annotty writes)."""


def time_checker(now: datetime | None = None) -> Callable[[object, str], str]:
    """`check_time` for many values checked at one moment (the lines of one file).

    A value already in the stored form (`2026-11-30T20:00:00.000000Z`) and within the bounds
    is returned as it is: that form orders as its times do, so the bounds are compared as
    strings, and only the calendar is checked. Anything else goes through `check_time`.
    """
    moment = now or datetime.now(UTC).replace(tzinfo=None)
    latest = (moment + FUTURE_TOLERANCE).isoformat(timespec="microseconds") + "Z"
    earliest = EARLIEST.isoformat(timespec="microseconds") + "Z"
    match = _STORED_TIME.fullmatch

    def check(value: object, what: str = "updated_at") -> str:
        if isinstance(value, str) and earliest <= value <= latest and match(value):
            try:
                datetime.fromisoformat(value[:-1])  # a 30 February is no time
                return value
            except ValueError:
                pass
        return check_time(value, what, now=moment)

    return check
