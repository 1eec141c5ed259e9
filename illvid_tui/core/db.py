"""The state database: one SQLite file in the platformdirs state dir.

Each part of the app (uploads, file checks, ...) owns its own tables and
migrates them under its own name, so parts can evolve their schemas
independently. WAL mode with ``synchronous=NORMAL``: a committed transaction
survives a crash or ``kill -9`` of the process (only an OS crash may lose the
last commits), and writes cost well under a millisecond.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path


class Database:
    """A thin owner of one SQLite connection with per-part schema versions."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=5.0
        )
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_versions ("
            " part TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )

    def migrate(self, part: str, migrations: Sequence[str]) -> int:
        """Apply the migrations of `part` not applied yet; return its version.

        `migrations[i]` is a script that takes the part from version i to i+1.
        Each runs in its own transaction together with the version bump.
        """
        row = self.conn.execute(
            "SELECT version FROM schema_versions WHERE part = ?", (part,)
        ).fetchone()
        version = int(row[0]) if row else 0
        if version > len(migrations):
            raise RuntimeError(
                f"the state database has {part} schema v{version}, newer than this "
                f"program knows (v{len(migrations)}): upgrade illvid-tui"
            )
        for target, script in enumerate(migrations[version:], start=version + 1):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_versions(part, version) VALUES (?, ?)"
                    " ON CONFLICT(part) DO UPDATE SET version = excluded.version",
                    (part, target),
                )
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            version = target
        return version

    def close(self) -> None:
        self.conn.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
