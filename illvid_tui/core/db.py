"""The state database: one SQLite file in the platformdirs state dir, shared by every process.

Two TUIs in two SSH sessions and a cron job open the same file, so:

- Each part of the app (uploads, file checks, leases, ...) owns its tables and
  migrates them under its own name (`Database.migrate`). Migrations run in an
  exclusive transaction that reads the part's version again once it holds the
  lock: two processes starting at once on a fresh state dir both start, and
  each migration runs exactly once.
- Writers wait for a busy database (`BUSY_TIMEOUT`) instead of failing.
- WAL mode with ``synchronous=NORMAL``: a committed transaction survives a
  crash or ``kill -9`` (only an OS crash may lose the last commits); writes
  cost well under a millisecond; readers never block the writer.
- `data_version()` changes when *another* connection has committed: a cheap
  way (no table read) to learn that something may have changed.
- The state folder is 0700 and the database 0600; SQLite gives its -wal and
  -shm files the database's mode. `close()` checkpoints the WAL and truncates
  it, so a clean quit does not leave megabytes of log behind.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from illvid_tui.core.private import private_dir, private_file, tighten

#: Seconds a connection waits for another process's write before giving up.
BUSY_TIMEOUT = 15.0
#: What `close()` waits for other processes' readers before checkpointing anyway.
CLOSE_BUSY_MS = 200


class Database:
    """The owner of one SQLite connection, with per-part schema versions."""

    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self.busy_timeout = busy_timeout
        if self.path is not None:
            private_dir(self.path.parent)
            private_file(self.path)
            for suffix in ("-wal", "-shm"):
                tighten(self.path.with_name(self.path.name + suffix))
        self.conn = self.connect() if self.path is not None else self._memory()
        self.conn.row_factory = sqlite3.Row
        self._closed = False
        self._enable_wal()
        with self.transaction():
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions ("
                " part TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )

    def connect(self) -> sqlite3.Connection:
        """A new connection to the file, set up like the main one (for a thread)."""
        if self.path is None:
            raise ValueError("an in-memory database has only its one connection")
        conn = sqlite3.connect(
            str(self.path),
            isolation_level=None,
            check_same_thread=False,
            timeout=self.busy_timeout,
        )
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _memory(self) -> sqlite3.Connection:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _enable_wal(self) -> None:
        # Switching a fresh file to WAL takes an exclusive lock that some paths
        # report as busy at once, without waiting: retry until the timeout.
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL").fetchone()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @contextmanager
    def transaction(
        self, mode: Literal["IMMEDIATE", "EXCLUSIVE"] = "IMMEDIATE"
    ) -> Iterator[sqlite3.Connection]:
        """One write transaction on the main connection: commits, or rolls back on error.

        ``IMMEDIATE`` takes the write lock at once (waiting up to the busy
        timeout), so a transaction that reads then writes cannot fail halfway.
        """
        self.conn.execute(f"BEGIN {mode}")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def version(self, part: str) -> int:
        row = self.conn.execute(
            "SELECT version FROM schema_versions WHERE part = ?", (part,)
        ).fetchone()
        return int(row[0]) if row else 0

    def migrate(self, part: str, migrations: Sequence[str]) -> int:
        """Apply the migrations of `part` not applied yet; return its version.

        `migrations[i]` is a script (statements separated by ``;``, triggers
        allowed) that takes the part from version i to i+1. They run in one
        exclusive transaction together with the version bump, after reading
        the version again under the lock: another process may have just done it.
        """
        if self.version(part) == len(migrations):
            return len(migrations)
        with self.transaction("EXCLUSIVE"):
            version = self.version(part)
            if version > len(migrations):
                raise RuntimeError(
                    f"the state database has {part} schema v{version}, newer than this "
                    f"program knows (v{len(migrations)}): upgrade illvid-tui"
                )
            for script in migrations[version:]:
                for statement in statements(script):
                    self.conn.execute(statement)
            self.conn.execute(
                "INSERT INTO schema_versions(part, version) VALUES (?, ?)"
                " ON CONFLICT(part) DO UPDATE SET version = excluded.version",
                (part, len(migrations)),
            )
        return len(migrations)

    def data_version(self) -> int:
        """A number that changes when another connection commits (not on our own commits)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        """Checkpoint the WAL into the database, truncate it, and close (once)."""
        if self._closed:
            return
        self._closed = True
        if self.path is not None:
            try:
                # Other processes' readers may hold old pages: wait briefly, not
                # the full busy timeout, so quitting stays quick.
                self.conn.execute(f"PRAGMA busy_timeout = {CLOSE_BUSY_MS}")
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except sqlite3.Error:
                pass
        self.conn.close()


def statements(script: str) -> list[str]:
    """The complete statements of `script` (a ``;`` inside a trigger body does not split)."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                out.append(pending.strip())
            pending = ""
    if pending.strip(" \t\r\n;"):
        out.append(pending.strip())
    return out


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


__all__ = ["BUSY_TIMEOUT", "Database", "statements"]
