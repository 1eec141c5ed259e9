"""Small choices the user makes in the app and expects to find again next run.

Kept in the state database (the platformdirs state dir, so per OS user, never
the working directory), one row a preference, shared by every process of the
user. A value that cannot be read is ignored: a preference never stops a start.
"""

from __future__ import annotations

import logging
import sqlite3

from illvid_tui.core.db import Database

log = logging.getLogger("illvid_tui.prefs")

PART = "prefs"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE prefs (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
)

#: The Uploads poll interval in seconds (`+`/`-` on the Uploads screen).
POLL_INTERVAL = "uploads.poll_interval"


class Prefs:
    """Named preferences in the state database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(PART, MIGRATIONS)

    def get(self, name: str) -> str | None:
        row = self.db.conn.execute("SELECT value FROM prefs WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, name: str, value: str) -> None:
        try:
            with self.db.transaction():
                self.db.conn.execute(
                    "INSERT INTO prefs (name, value) VALUES (?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )
        except sqlite3.Error:
            # Losing a preference is not worth an error on screen.
            log.warning("could not store preference %s", name, exc_info=True)

    def poll_interval(self, allowed: tuple[float, ...]) -> float | None:
        """The stored poll interval when it is one of `allowed`, else None."""
        text = self.get(POLL_INTERVAL)
        try:
            value = float(text) if text is not None else None
        except ValueError:
            value = None
        return value if value in allowed else None

    def set_poll_interval(self, seconds: float) -> None:
        self.set(POLL_INTERVAL, f"{seconds:g}")


__all__ = ["MIGRATIONS", "POLL_INTERVAL", "Prefs"]
