"""Settings kept in the database: per annotator (scope = their name) or for the project (scope '').

Values are short strings; callers turn them into what they mean. A setting that was never set
reads as the caller's default.
"""

from __future__ import annotations

from annotations.store import Store

PROJECT = ""
"""The scope of settings that belong to the whole project rather than one annotator."""


def get_setting(store: Store, scope: str, key: str, default: str | None = None) -> str | None:
    """The value of a setting, or `default` when it was never set."""
    value = store.value("SELECT value FROM settings WHERE scope = ? AND key = ?", (scope, key))
    return value if isinstance(value, str) else default


def set_setting(store: Store, scope: str, key: str, value: str) -> None:
    """Set (or replace) a setting, in a transaction of its own."""
    with store.write():
        store.conn.execute(
            "INSERT INTO settings (scope, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
            (scope, key, value),
        )


def get_flag(store: Store, scope: str, key: str, default: bool = False) -> bool:
    """A yes/no setting (stored as '1' or '0')."""
    value = get_setting(store, scope, key)
    return default if value is None else value == "1"


def set_flag(store: Store, scope: str, key: str, on: bool) -> None:
    set_setting(store, scope, key, "1" if on else "0")


QUICK_MODE = "reader.quick"
"""Per annotator: '1' when the reader is in quick mode (a label key decides and moves on)."""
READER_ORDER = "reader.order"
"""Per annotator: 'uncertain' to walk the sentences the model is least sure of first."""
